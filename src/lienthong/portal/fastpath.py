"""The portal's fast path: the first middleware, in front of sessions, auth and CSRF.

A GET under the portal's prefix is looked up in the page cache and, when found, answered
from there with its hit counted — one Redis round trip (counters.RedisStore), no session,
no database. Otherwise the request goes down the stack; a portal view marks its response
cacheable (`cacheable()`), and on the way back this middleware stores it and counts the hit.

Counts are never part of the cached bytes: pages carry placeholders that are filled at
serve time with the numbers the same script returned, so a cached page shows exact counts.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from lienthong.portal import counters

PREFIX = "/cong/"
VIEWS_MARK = b"<!--lt:views-->"
ONLINE_MARK = b"<!--lt:online-->"
TOTAL_MARK = b"<!--lt:total-->"
# Headers a cached page does not keep: they belong to one response.
_DROPPED_HEADERS = {"set-cookie", "content-length", "date"}


def portal_language(request: HttpRequest) -> str:
    """The portal's language: the language cookie when it names one, else Vietnamese.

    Only the cookie (never Accept-Language) decides, so the cache key is the whole answer.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def cache_key(request: HttpRequest) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{portal_language(request)}|{request.path}?{query}"


def cacheable(response: HttpResponse, *, ttl: int, article_id: int | None = None) -> HttpResponse:
    """Mark a portal page for the cache (`ttl` seconds) and for counting."""
    response.portal_cache_ttl = ttl  # type: ignore[attr-defined]
    response.portal_article_id = article_id  # type: ignore[attr-defined]
    return response


def counted(response: HttpResponse, *, article_id: int | None = None) -> HttpResponse:
    """Mark a portal page that is counted but never cached (it depends on the query)."""
    response.portal_article_id = article_id  # type: ignore[attr-defined]
    response.portal_counted = True  # type: ignore[attr-defined]
    return response


def format_count(value: int | None, language: str) -> bytes:
    if value is None:
        return b""
    text = f"{value:,}"
    return (text.replace(",", ".") if language == "vi" else text).encode()


def fill(body: bytes, result: counters.Counts, language: str) -> bytes:
    """Put the counts into a page's placeholders."""
    if result.views is not None:
        body = body.replace(VIEWS_MARK, format_count(result.views, language))
    return body.replace(ONLINE_MARK, format_count(result.online, language)).replace(
        TOTAL_MARK, format_count(result.total, language)
    )


def _headers_text(response: HttpResponseBase) -> str:
    return "\n".join(
        f"{name}: {value}"
        for name, value in response.items()
        if name.lower() not in _DROPPED_HEADERS
    )


class PortalFastPathMiddleware:
    """Serve cached portal pages before the rest of the stack; count every portal page hit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "GET" or not request.path.startswith(PREFIX):
            return self.get_response(request)
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return self.get_response(request)  # SecurityMiddleware redirects it
        store = counters.get_store()
        key = cache_key(request)
        visitor = counters.identify(request.META)
        language = portal_language(request)
        page = store.serve(key, visitor)
        if page is not None:
            body = fill(page.body, page.counts, language)
            response = HttpResponse(body)
            for line in page.headers.split("\n"):
                name, _sep, value = line.partition(": ")
                if name:
                    response[name] = value
            response["Content-Length"] = str(len(body))
            return response
        generation = store.generation()
        answered = self.get_response(request)
        if answered.status_code != 200 or not isinstance(answered, HttpResponse):
            return answered
        response = answered
        ttl = getattr(response, "portal_cache_ttl", None)
        if ttl is None and not getattr(response, "portal_counted", False):
            return response
        article_id = getattr(response, "portal_article_id", None)
        if ttl and not response.cookies:
            store.put(
                key,
                generation,
                counters.CachedPage(
                    _headers_text(response), response.content, counters.Counts(None, 0, 0)
                ),
                article_id,
                ttl,
            )
        response.content = fill(response.content, store.record(visitor, article_id), language)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
