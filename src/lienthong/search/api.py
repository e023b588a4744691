"""Search API (mounted at /api/search/): full-text search over everything indexed.

Anonymous callers find public entries; a logged-in official also finds the entries scoped
to the org units where they hold a role. The query is read by the same form as the page, so
an empty query (or one with no letters or digits) and one over 500 characters get the same
Vietnamese messages, as 422 with one entry per field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import ValidationError

from lienthong.search import services
from lienthong.search.forms import DEFAULT_LIMIT, SearchForm

router = Router(tags=["search"])


class HitOut(Schema):
    """One result, best first: what it is, where to open it, and the passage that matched."""

    content_type: str
    kind: str
    object_id: str
    title: str
    url: str
    score: float
    snippet: str
    snippet_html: str
    updated_at: datetime


class SearchOut(Schema):
    """A page of results; `parsed` is the query as understood (folded, terms ANDed)."""

    query: str
    parsed: str
    total: int
    limit: int
    offset: int
    hits: list[HitOut]


@router.get("/", response=SearchOut, summary="Tìm kiếm toàn văn")
def search(
    request: HttpRequest,
    q: str = Query("", description='Từ khóa; không cần dấu. "Cụm từ" trong ngoặc kép, khieu*.'),
    limit: str | None = Query(None, description=f"Số kết quả, 1–100 (mặc định {DEFAULT_LIMIT})."),
    offset: str | None = Query(None, description="Bỏ qua bấy nhiêu kết quả đầu (0–10000)."),
) -> dict[str, Any]:
    """Entries matching every word of `q`, best first (title matches above body matches)."""
    form = SearchForm({"q": q, "limit": limit, "offset": offset})
    if not form.is_valid():
        errors: list[dict[str, Any]] = []
        for name, messages in form.errors.get_json_data().items():
            errors.extend(
                {"loc": ["query", name], "msg": m["message"], "type": m["code"]} for m in messages
            )
        raise ValidationError(errors)
    query = form.cleaned_data["q"]
    limit_value, offset_value = form.cleaned_data["limit"], form.cleaned_data["offset"]
    hits = services.search(query, user=request.user, limit=limit_value, offset=offset_value)
    return {
        "query": q,
        "parsed": str(query),
        "total": services.count(query, user=request.user),
        "limit": limit_value,
        "offset": offset_value,
        "hits": [
            {
                "content_type": hit.content_type,
                "kind": hit.kind,
                "object_id": hit.object_id,
                "title": hit.title,
                "url": hit.url,
                "score": hit.score,
                "snippet": hit.snippet,
                "snippet_html": str(hit.snippet_html),
                "updated_at": hit.updated_at,
            }
            for hit in hits
        ],
    }
