"""Portal API, under /api/portal/.

Reading is public: GET /articles (live articles, newest first, `limit`/`offset`, `category`
slug), GET /articles/{slug} (with its current view count), GET /counters (visitors now and
total visits). Editors with a session: POST /articles (a draft), PATCH /articles/{id} (the
same path as the GET: `{ref}` in the schema),
POST /articles/{id}/submit | publish (optional `at`: scheduled) | return. 401 without a
session, 403 without the permission, 404 for an article the caller may not see, 409 when the
article is not in the state the action needs, 422 with field errors for bad input.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from lienthong.portal import selectors, services
from lienthong.portal.counters import get_store
from lienthong.portal.models import Article, Category

router = Router(tags=["portal: cổng thông tin điện tử"])


class ErrorOut(Schema):
    detail: str


class ArticleOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    category: str
    status: str
    published_at: datetime.datetime | None
    is_featured: bool
    url: str


class ArticleDetailOut(ArticleOut):
    body: str
    author_name: str
    view_count: int


class CountersOut(Schema):
    online: int
    total: int


class ArticleIn(Schema):
    category: str
    title: str
    summary: str = ""
    body: str = ""
    author_name: str = ""
    is_featured: bool = False


class ArticlePatch(Schema):
    category: str | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    author_name: str | None = None
    is_featured: bool | None = None


class PublishIn(Schema):
    at: datetime.datetime | None = None


def _out(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "slug": article.slug,
        "title": article.title,
        "summary": article.summary,
        "category": article.category.slug,
        "status": article.status,
        "published_at": article.published_at,
        "is_featured": article.is_featured,
        "url": article.get_absolute_url(),
        "body": article.body,
        "author_name": article.author_name,
    }


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", name], "msg": msg, "type": "invalid"}
            for name, messages in exc.message_dict.items()
            for msg in messages
        ]
    return [{"loc": ["body"], "msg": msg, "type": "invalid"} for msg in exc.messages]


def _category(slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise NinjaValidationError(
            [{"loc": ["body", "category"], "msg": "Không có chuyên mục này.", "type": "invalid"}]
        )
    return category


def _editable(request: HttpRequest, pk: int) -> Article:
    """An article the caller may edit: writers and reviewers see every article; others 404."""
    if not services.can_write(request.user) and not services.can_publish(request.user):
        raise HttpError(404, "Không tìm thấy.")
    return get_object_or_404(Article.objects.select_related("category"), pk=pk)


def _call(func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except ValidationError as exc:
        raise NinjaValidationError(_errors(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.WrongState as exc:
        raise HttpError(409, str(exc)) from exc


@router.get("/articles", response=list[ArticleOut])
def list_articles(
    request: HttpRequest, category: str = "", limit: int = 20, offset: int = 0
) -> list[dict[str, Any]]:
    """Live articles, newest first."""
    articles = selectors.live_articles()
    if category:
        articles = articles.filter(category__slug=category)
    limit, offset = max(0, min(limit, 100)), max(0, offset)
    return [_out(a) for a in articles[offset : offset + limit]]


# GET and PATCH share one path, `ref` (a slug to read, an id to edit): with two path names
# ({slug}, {pk}) django-ninja made two URL patterns for the same addresses and Django sent
# every PATCH to the first one, the GET's, which answered 405.
@router.get(
    "/articles/{ref}",
    response={200: ArticleDetailOut, 404: ErrorOut},
    summary="Một bài đã đăng",
)
def get_article(
    request: HttpRequest, ref: str = Path(..., description="Đường dẫn (slug) của bài")
) -> dict[str, Any]:
    """A live article with its current view count."""
    article = get_object_or_404(selectors.live_articles(), slug=ref)
    return {**_out(article), "view_count": get_store().article_views(article.pk)}


@router.get("/counters", response=CountersOut)
def counters(request: HttpRequest) -> dict[str, int]:
    """Visitors in the last five minutes and total visits (this request is not counted)."""
    result = get_store().record(None, None)
    return {"online": result.online, "total": result.total}


@router.post(
    "/articles",
    auth=django_auth,
    response={201: ArticleDetailOut, 403: ErrorOut, 422: Any},
)
def create_article(request: HttpRequest, payload: ArticleIn) -> Status:
    """Write a draft."""
    data = payload.dict()
    data["category"] = _category(data["category"])
    article = _call(services.create_article, **data, by=request.user)
    return Status(201, {**_out(article), "view_count": 0})


@router.patch(
    "/articles/{ref}",
    auth=django_auth,
    response={200: ArticleDetailOut, 403: ErrorOut, 404: ErrorOut, 422: Any},
    summary="Sửa bài",
)
def patch_article(
    request: HttpRequest,
    payload: ArticlePatch,
    ref: int = Path(..., description="Mã số (id) của bài"),
) -> dict[str, Any]:
    """Edit an article (writers: drafts; reviewers: any)."""
    article = _editable(request, ref)
    changes = payload.dict(exclude_unset=True)
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    article = _call(services.update_article, article, **changes, by=request.user)
    return {**_out(article), "view_count": article.view_count}


_responses = {200: ArticleDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.post("/articles/{pk}/submit", auth=django_auth, response=_responses)
def submit(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Draft → review."""
    article = _call(services.submit_for_review, _editable(request, pk), by=request.user)
    return {**_out(article), "view_count": article.view_count}


@router.post("/articles/{pk}/return", auth=django_auth, response=_responses)
def send_back(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Review or published → draft."""
    article = _call(services.return_to_draft, _editable(request, pk), by=request.user)
    return {**_out(article), "view_count": article.view_count}


@router.post("/articles/{pk}/publish", auth=django_auth, response=_responses)
def publish(request: HttpRequest, pk: int, payload: PublishIn | None = None) -> dict[str, Any]:
    """Publish now, or at `at` (scheduled: hidden until then)."""
    at = payload.at if payload else None
    article = _call(services.publish_article, _editable(request, pk), at=at, by=request.user)
    return {**_out(article), "view_count": article.view_count}
