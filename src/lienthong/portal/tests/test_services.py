"""The editorial workflow: permissions, states, slugs, sanitising, scheduling, images."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user
from lienthong.exchange.models import OutboxEvent
from lienthong.portal import services
from lienthong.portal.models import Article, ArticleImage, ArticleStatus, Category
from lienthong.portal.tests.conftest import make_editor, published

pytestmark = pytest.mark.django_db


def test_vietnamese_titles_fold_into_unique_slugs(editor: Any, category: Category) -> None:
    first = services.create_article(category=category, title="Tin tức nổi bật", by=editor)
    second = services.create_article(category=category, title="Tin tức nổi bật!", by=editor)
    third = services.create_article(category=category, title="Đường Điện Biên", by=editor)

    assert (first.slug, second.slug, third.slug) == (
        "tin-tuc-noi-bat",
        "tin-tuc-noi-bat-2",
        "duong-dien-bien",
    )
    assert category.slug == "tin-tuc-noi-bat"


def test_a_draft_goes_through_review_to_published_with_audit_and_events(
    editor: Any, category: Category
) -> None:
    article = services.create_article(category=category, title="Bài mới", by=editor)
    assert article.status == ArticleStatus.DRAFT

    services.submit_for_review(article, by=editor)
    done = services.publish_article(article, by=editor)

    assert done.status == ArticleStatus.PUBLISHED
    assert done.published_by == editor
    assert list(Article.objects.live().values_list("slug", flat=True)) == ["bai-moi"]
    actions = list(
        AuditEntry.objects.filter(object_type="portal.article")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "portal.article.create",
        "portal.article.submitted",
        "portal.article.published",
    ]
    types = list(
        OutboxEvent.objects.filter(type__startswith="portal.")
        .order_by("pk")
        .values_list("type", flat=True)
    )
    assert types == [
        "portal.article.created",
        "portal.article.submitted",
        "portal.article.published",
    ]


def test_publishing_a_draft_is_the_wrong_state_and_changes_nothing(
    editor: Any, category: Category
) -> None:
    article = services.create_article(category=category, title="Chưa gửi duyệt", by=editor)
    entries = AuditEntry.objects.count()

    with pytest.raises(services.WrongState):
        services.publish_article(article, by=editor)

    article.refresh_from_db()
    assert (article.status, article.published_at) == (ArticleStatus.DRAFT, None)
    assert AuditEntry.objects.count() == entries


def test_a_writer_cannot_publish_and_a_citizen_cannot_write(category: Category) -> None:
    writer = make_editor("phongvien", publish=False)
    article = services.create_article(category=category, title="Bài của phóng viên", by=writer)
    services.submit_for_review(article, by=writer)

    with pytest.raises(PermissionDenied):
        services.publish_article(article, by=writer)
    with pytest.raises(PermissionDenied):
        services.create_article(category=category, title="Bài lạ", by=make_user("congdan"))

    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW
    assert Article.objects.count() == 1


def test_an_empty_title_is_refused_and_nothing_is_written(editor: Any, category: Category) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_article(category=category, title="   ", by=editor)

    assert caught.value.message_dict == {"title": ["Trường này không được để trống."]}
    assert Article.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="portal.article").exists()


def test_the_body_keeps_the_allow_list_only(editor: Any, category: Category) -> None:
    body = (
        '<p onclick="steal()">Xin chào <script>alert(1)</script><strong>bạn</strong></p>'
        '<img src="/media/portal/a.png" alt="Ảnh" onerror="x()">'
        '<a href="javascript:x()">liên kết</a>'
        '<iframe src="https://example.org"></iframe>'
    )

    article = services.create_article(category=category, title="Có ảnh", body=body, by=editor)

    assert article.body == (
        '<p>Xin chào <strong>bạn</strong></p><img src="/media/portal/a.png" alt="Ảnh">'
        '<a rel="noopener noreferrer">liên kết</a>'
    )


def test_a_scheduled_article_is_live_only_from_its_moment(editor: Any, category: Category) -> None:
    at = timezone.now() + timedelta(hours=2)
    article = published(editor, category, "Tin hẹn giờ", at=at)

    assert not Article.objects.live().filter(pk=article.pk).exists()
    assert list(Article.objects.scheduled().values_list("pk", flat=True)) == [article.pk]
    assert Article.objects.live(at + timedelta(seconds=1)).filter(pk=article.pk).exists()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(out, format="PNG")
    return out.getvalue()


def test_images_are_checked_by_content_and_stored_under_media(
    editor: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path

    image = services.upload_image(
        file=SimpleUploadedFile("anh.png", _png(), content_type="image/png"),
        alt="Hội nghị",
        by=editor,
    )
    with pytest.raises(ValidationError) as caught:
        services.upload_image(
            file=SimpleUploadedFile("gia.png", b"%PDF-1.4 not an image"), alt="Giả", by=editor
        )

    assert str(image.file.name).startswith("portal/images/")
    assert (tmp_path / image.file.name).read_bytes() == _png()
    served = Client().get(image.url)
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert b"".join(served.streaming_content) == _png()  # type: ignore[attr-defined]
    assert caught.value.message_dict == {"file": ["Tệp không phải là ảnh."]}
    assert ArticleImage.objects.count() == 1
