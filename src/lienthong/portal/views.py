"""Public pages of the portal (Cổng thông tin điện tử), under /cong/.

Every page here is the same for every visitor (no name, no CSRF token, GET forms only), so
the fast path (fastpath.py) can serve it from the cache; the counts are placeholders filled
in at serve time. The language comes from the language cookie only (`portal_language`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from lienthong.portal import selectors
from lienthong.portal.fastpath import cacheable, counted, portal_language
from lienthong.portal.models import Article, ArticleImage, Category

PAGE_SIZE = 12


def portal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only, in the portal's language (the cookie), whatever the browser asked for."""

    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = portal_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            response["Content-Language"] = language
            return response

    return wrapper


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 1000))
    except ValueError:
        return 1


def _cache_if_plain(
    request: HttpRequest,
    response: HttpResponse,
    *,
    ttl: int,
    article_id: int | None = None,
    allowed: frozenset[str] = frozenset(),
) -> HttpResponse:
    """Cache a page only at its own address (plus `allowed` parameters): any other query
    string (?utm=…, ?x=random) is counted but not stored, so it cannot fill the cache."""
    if set(request.GET) <= allowed:
        return cacheable(response, ttl=ttl, article_id=article_id)
    return counted(response, article_id=article_id)


def _base(request: HttpRequest, section: str) -> dict[str, Any]:
    return {
        "section": section,
        "complaints": selectors.complaints_links(),
        "other_language": "en" if portal_language(request) == "vi" else "vi",
    }


@portal_page
def home(request: HttpRequest) -> HttpResponse:
    """GET /cong/: featured and latest news, news per category, the services."""
    now = timezone.now()
    context = {**_base(request, "home"), "page": selectors.home_page(now)}
    response = render(request, "portal/home.html", context)
    return _cache_if_plain(request, response, ttl=selectors.cache_seconds(now=now))


@portal_page
def category(request: HttpRequest, slug: str) -> HttpResponse:
    """GET /cong/chuyen-muc/<slug>/: a category's articles, newest first."""
    now = timezone.now()
    item = get_object_or_404(Category, slug=slug)
    page = Paginator(selectors.live_articles(now).filter(category=item), PAGE_SIZE).get_page(
        _page_number(request.GET.get("page"))
    )
    context = {**_base(request, "news"), "category": item, "page": page}
    response = render(request, "portal/category.html", context)
    return _cache_if_plain(
        request, response, ttl=selectors.cache_seconds(now=now), allowed=frozenset({"page"})
    )


@portal_page
def article(request: HttpRequest, slug: str) -> HttpResponse:
    """GET /cong/tin/<slug>/: one published article, with its view count."""
    now = timezone.now()
    item = get_object_or_404(selectors.live_articles(now), slug=slug)
    related = list(
        selectors.live_articles(now).filter(category=item.category_id).exclude(pk=item.pk)[:4]
    )
    context = {**_base(request, "news"), "article": item, "related": related}
    response = render(request, "portal/article.html", context)
    return _cache_if_plain(
        request, response, ttl=selectors.cache_seconds(now=now), article_id=item.pk
    )


@portal_page
def statistics(request: HttpRequest) -> HttpResponse:
    """GET /cong/thong-ke/: dossiers received, on time and late per agency and field."""
    data = selectors.statistics()
    trend = data["trend"]
    chart = {
        "labels": [p.label for p in trend],
        "received": [p.received for p in trend],
        "on_time": [p.on_time for p in trend],
        "late": [p.late for p in trend],
    }
    context = {**_base(request, "stats"), **data, "chart": chart}
    response = render(request, "portal/statistics.html", context)
    return _cache_if_plain(request, response, ttl=selectors.STATS_TTL)


@portal_page
def catalogue(request: HttpRequest) -> HttpResponse:
    """GET /cong/thu-tuc/: search the procedure catalogue (onestop's selectors)."""
    from lienthong.onestop import catalogue as onestop_catalogue
    from lienthong.onestop.forms_catalogue import CatalogueFilterForm
    from lienthong.onestop.models import Procedure
    from lienthong.search.services import check_query

    form = CatalogueFilterForm(request.GET or None)
    procedures: Any = Procedure.objects.active().select_related("field")
    status, query = 200, ""
    if form.is_bound and form.is_valid():
        procedures = form.filter(procedures)
        query = form.cleaned_data["q"].strip()
        if query:
            try:
                check_query(query)
            except ValidationError as exc:
                form.add_error("q", exc.messages[0])
                status = 422
    elif form.is_bound:
        status = 422
    results: Any
    if status != 200:
        results = Procedure.objects.none()
    elif query:
        ids = onestop_catalogue.ranked_procedure_ids(query)
        rows = procedures.in_bulk(ids)
        results = [rows[pk] for pk in ids if pk in rows]
    else:
        results = procedures.order_by("field__name", "code")
    page = Paginator(results, 20).get_page(_page_number(request.GET.get("page")))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        **_base(request, "services"),
        "form": form,
        "page": page,
        "query": query,
        "params": params.urlencode(),
    }
    response = render(request, "portal/catalogue.html", context, status=status)
    if set(request.GET) <= {"page"}:
        return cacheable(response, ttl=selectors.PAGE_TTL)
    return counted(response)


@portal_page
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    """GET /cong/thu-tuc/<code>/: components, fees, time limit, forms, and where to submit."""
    from lienthong.onestop.models import Procedure

    item = get_object_or_404(
        Procedure.objects.active().select_related("field").prefetch_related("components"),
        code=code,
    )
    context = {
        **_base(request, "services"),
        "procedure": item,
        "components": sorted(item.components.all(), key=lambda c: c.order),
    }
    response = render(request, "portal/procedure.html", context)
    return _cache_if_plain(request, response, ttl=selectors.PAGE_TTL)


@portal_page
def lookup(request: HttpRequest) -> HttpResponse:
    """GET /cong/tra-cuu/?ma=…: a dossier's public status (onestop's public lookup)."""
    from lienthong.onestop.intake import public_lookup

    code = request.GET.get("ma", "").strip()[:60]
    found = public_lookup(code) if code else None
    context = {**_base(request, "services"), "code": code, "found": found}
    response = render(
        request, "portal/lookup.html", context, status=404 if code and not found else 200
    )
    return _cache_if_plain(request, response, ttl=selectors.PAGE_TTL)


@portal_page
def legal(request: HttpRequest) -> HttpResponse:
    """GET /cong/van-ban/?q=…: search legal documents (the legal registry's selector)."""
    from lienthong.registries.legal.selectors import search_documents

    query = request.GET.get("q", "").strip()[:300]
    error = ""
    page = None
    try:
        page = search_documents(query or None, limit=20)
    except (ValidationError, ValueError) as exc:
        error = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
    context = {**_base(request, "services"), "query": query, "result": page, "error": error}
    response = render(request, "portal/legal.html", context, status=422 if error else 200)
    if not request.GET:
        return cacheable(response, ttl=selectors.PAGE_TTL)
    return counted(response)


@require_GET
def switch_language(request: HttpRequest) -> HttpResponse:
    """GET /cong/ngon-ngu/?lang=en&next=/cong/…: set the language cookie and go back."""
    language = request.GET.get("lang", "")
    target = request.GET.get("next", "") or reverse("portal:home")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("portal:home")
    if language not in dict(settings.LANGUAGES):
        raise Http404
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@require_GET
def image(request: HttpRequest, pk: int) -> FileResponse:
    """GET /cong/anh/<id>/: an image of an article body, from media storage."""
    item = get_object_or_404(ArticleImage, pk=pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=f"image/{item.kind}")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """GET /cong/sitemap.xml: the public pages and every live article."""
    articles = Article.objects.live().newest_first().only("slug", "updated_at")[:50000]
    return render(
        request,
        "portal/sitemap.xml",
        {
            "articles": articles,
            "categories": Category.objects.all(),
            "base": str(settings.LIENTHONG["PUBLIC_URL"]).rstrip("/"),
        },
        content_type="application/xml",
    )


def root(request: HttpRequest) -> HttpResponse:
    """GET /: the portal for anonymous visitors when PORTAL_AT_ROOT is on, else core's home."""
    from lienthong.core.views import home as core_home

    if settings.LIENTHONG.get("PORTAL_AT_ROOT") and not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("portal:home"))
    return core_home(request)
