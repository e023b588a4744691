"""Writes of the portal: categories, articles through the editorial workflow, images.

Workflow (quy trình biên tập): draft → review → published; a reviewer may send a piece back to
draft, and unpublish it. Who may do what (docs/portal.md):
- writers hold `portal.add_article` / `portal.change_article` (Django permissions, given in
  the admin to a user or a group "Biên tập viên");
- reviewers (editors-in-chief) hold `portal.publish_article`; superusers hold everything.
A `published_at` in the future schedules the article: it is not shown, and no cached page
shows it, until that moment (views bound their cache time by the next scheduled moment).
Every change bumps the page-cache generation after commit, so no stale page is served.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core import scanning
from lienthong.core.audit import audited, service
from lienthong.core.text import fold
from lienthong.exchange.outbox import publish
from lienthong.portal.counters import get_store
from lienthong.portal.models import Article, ArticleImage, ArticleStatus, Category

# The body's allow-list: text structure, links, images, tables; no scripts, styles or events.
ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "hr",
    "span",
    "sub",
    "sup",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class WrongState(Exception):
    """The article is not in the state the action needs (409 in the API)."""


def sanitise(html: str) -> str:
    """The body as safe HTML: the allow-list above, links and images over http(s) or local."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def slugify_vi(text: str) -> str:
    """A Vietnamese title folded into a slug: "Tin tức nổi bật" → "tin-tuc-noi-bat"."""
    return re.sub(r"[^0-9a-z]+", "-", fold(text)).strip("-")[:300] or "bai-viet"


def unique_slug(model: type[Any], text: str, *, exclude_pk: int | None = None) -> str:
    base = slugify_vi(text)
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def can_write(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("portal.add_article"))


def can_publish(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("portal.publish_article"))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _pages_changed() -> None:
    transaction.on_commit(lambda: get_store().bump_generation())


def _check_text(**values: str) -> None:
    errors = {
        name: _("Trường này không được để trống.") for name, v in values.items() if not v.strip()
    }
    if errors:
        raise ValidationError(errors)


@service
def create_category(*, name: str, order: int = 0, by: Any) -> Category:
    """Add a news category (reviewers only)."""
    _require(can_publish(by), _("Bạn không có quyền quản lý chuyên mục."))
    _check_text(name=name)
    if Category.objects.filter(name=name.strip()).exists():
        raise ValidationError({"name": _("Đã có chuyên mục này.")})
    category = Category(name=name.strip(), slug=unique_slug(Category, name), order=order)
    with audited("portal.category.create", category):
        category.save()
    _pages_changed()
    return category


@service
def create_article(
    *,
    category: Category,
    title: str,
    summary: str = "",
    body: str = "",
    author_name: str = "",
    is_featured: bool = False,
    by: Any,
) -> Article:
    """Write a new article as a draft."""
    _require(can_write(by), _("Bạn không có quyền viết tin bài."))
    _check_text(title=title)
    article = Article(
        category=category,
        title=title.strip(),
        slug=unique_slug(Article, title),
        summary=summary.strip(),
        body=sanitise(body),
        author=by,
        author_name=author_name.strip() or by.get_full_name() or by.get_username(),
        is_featured=is_featured,
    )
    with audited("portal.article.create", article):
        article.save()
    publish("portal.article.created", f"portal/article/{article.pk}", {"slug": article.slug})
    return article


@service
def update_article(article: Article, *, by: Any, **changes: Any) -> Article:
    """Edit an article: its writers while it is a draft, reviewers at any time."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == ArticleStatus.DRAFT:
        _require(
            by.has_perm("portal.change_article") or can_publish(by),
            _("Bạn không có quyền sửa tin bài."),
        )
    else:
        _require(
            can_publish(by), _("Chỉ người duyệt được sửa tin bài đang chờ duyệt hoặc đã đăng.")
        )
    allowed = {"category", "title", "summary", "body", "author_name", "is_featured"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("Không sửa được trường này.") for name in sorted(unknown)})
    if "title" in changes:
        _check_text(title=changes["title"])
    with audited("portal.article.update", article):
        for name, value in changes.items():
            if name == "body":
                value = sanitise(value)
            elif isinstance(value, str):
                value = value.strip()
            setattr(article, name, value)
        article.save()
    publish("portal.article.updated", f"portal/article/{article.pk}", {"slug": article.slug})
    _pages_changed()
    return article


def _move(
    article: Article, *, action: str, allowed_from: set[str], to: str, by: Any, **fields: Any
) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status not in allowed_from:
        raise WrongState(
            _("Tin bài đang ở trạng thái “%(status)s”, không thực hiện được thao tác này.")
            % {"status": article.get_status_display()}
        )
    with audited(f"portal.article.{action}", article):
        article.status = to
        for name, value in fields.items():
            setattr(article, name, value)
        article.save()
    publish(
        f"portal.article.{action}",
        f"portal/article/{article.pk}",
        {"slug": article.slug, "status": to},
    )
    _pages_changed()
    return article


@service
def submit_for_review(article: Article, *, by: Any) -> Article:
    """Draft → review."""
    _require(can_write(by), _("Bạn không có quyền gửi duyệt tin bài."))
    return _move(
        article,
        action="submitted",
        allowed_from={ArticleStatus.DRAFT},
        to=ArticleStatus.REVIEW,
        by=by,
    )


@service
def publish_article(article: Article, *, by: Any, at: datetime | None = None) -> Article:
    """Review → published, now or at `at` (scheduled publishing)."""
    _require(can_publish(by), _("Bạn không có quyền duyệt tin bài."))
    return _move(
        article,
        action="published",
        allowed_from={ArticleStatus.REVIEW},
        to=ArticleStatus.PUBLISHED,
        by=by,
        published_at=at or timezone.now(),
        published_by=by,
    )


@service
def return_to_draft(article: Article, *, by: Any) -> Article:
    """Review or published → draft (sent back, or taken down)."""
    _require(can_publish(by), _("Bạn không có quyền duyệt tin bài."))
    return _move(
        article,
        action="returned",
        allowed_from={ArticleStatus.REVIEW, ArticleStatus.PUBLISHED},
        to=ArticleStatus.DRAFT,
        by=by,
    )


@service
def upload_image(*, file: UploadedFile, alt: str, by: Any) -> ArticleImage:
    """Store an image for article bodies (checked by content: JPEG, PNG, WebP or GIF)."""
    _require(can_write(by), _("Bạn không có quyền tải ảnh lên."))
    _check_text(alt=alt)
    if file.size is None or file.size > MAX_IMAGE_BYTES:
        raise ValidationError({"file": _("Ảnh lớn hơn 5 MB.")})
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            image.verify()
            kind = (image.format or "").upper()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError({"file": _("Tệp không phải là ảnh.")}) from None
    if kind not in {"JPEG", "PNG", "WEBP", "GIF"}:
        raise ValidationError({"file": _("Chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF.")})
    try:
        scanning.check_clean(file, label=_("Ảnh"), name=file.name or "")
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    file.seek(0)
    image_row = ArticleImage(alt=alt.strip(), kind=kind.lower(), uploaded_by=by)
    image_row.file.save(file.name or "anh", file, save=False)
    with audited("portal.image.upload", image_row):
        image_row.save()
    return image_row
