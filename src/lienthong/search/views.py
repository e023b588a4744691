"""The search page: a box, then ranked results with the matching passage highlighted.

Anyone may search public entries; officials also find entries scoped to their units. An HTMX
request (the form and the page links send `HX-Request`) gets only the results fragment.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lienthong.search import services
from lienthong.search.forms import MAX_OFFSET, SearchForm

PAGE_SIZE = 20
MAX_PAGE = MAX_OFFSET // PAGE_SIZE + 1


def _page(raw: str | None) -> int:
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def results(request: HttpRequest) -> HttpResponse:
    """GET /search/?q=…&page=…: the search box and one page of results."""
    context: dict[str, Any] = {"q": request.GET.get("q", ""), "hits": [], "total": 0}
    if "q" in request.GET:
        page = _page(request.GET.get("page"))
        form = SearchForm(
            {"q": request.GET["q"], "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
        )
        if form.is_valid():
            query = form.cleaned_data["q"]
            total = services.count(query, user=request.user)
            pages = min(max(1, -(-total // PAGE_SIZE)), MAX_PAGE)
            page = min(page, pages)  # past the last page: show the last one
            context.update(
                searched=True,
                total=total,
                page=page,
                pages=pages,
                first_rank=(page - 1) * PAGE_SIZE + 1,
                previous_page=page - 1 if page > 1 else None,
                next_page=page + 1 if page < pages else None,
                hits=services.search(
                    query, user=request.user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
                ),
            )
        else:
            context["error"] = form.errors["q"][0] if "q" in form.errors else None
    template = (
        "search/_results.html" if request.headers.get("HX-Request") else "search/results.html"
    )
    return render(request, template, context)
