"""Request-scoped context: a request id and the client address, for the audit log."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lienthong.core.context import acting

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client address as the server saw it (REMOTE_ADDR; the proxy sets it right)."""
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Give each request an id (or keep a well-formed X-Request-ID) and set the actor context."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # The user is resolved lazily: authentication runs after this middleware.
        with acting(request_id=request_id, ip=client_ip(request), user=_LazyUser(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class _LazyUser:
    """Resolves request.user when the audit log first asks for it."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def resolve(self) -> object | None:
        user = getattr(self._request, "user", None)
        return user if user is not None and user.is_authenticated else None


# --- Content-Security-Policy ------------------------------------------------------------------

#: Scripts, styles, images, fonts and connections from this site only; no plugins, no framing,
#: forms post here. Pages carry no inline script, style element, style attribute or event
#: handler (the templates use classes and `static/lienthong/behaviour.js`), so nothing needs
#: 'unsafe-inline'. Images may be data: URLs (QR codes) and blob: (map tiles drawn in the page).
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: Third-party pages we serve but whose markup is not ours: Swagger UI (/api/docs, an inline
#: start-up script) and Django's admin (inline styles in a few widgets).
RELAXED_CSP = DEFAULT_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
RELAXED_PREFIXES = ("/api/docs", "/admin/")


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy header (`LIENTHONG["CSP"]` overrides the default) on
    every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        conf = getattr(settings, "LIENTHONG", {})
        self.policy = str(conf.get("CSP") or DEFAULT_CSP)
        self.relaxed = str(conf.get("CSP_RELAXED") or RELAXED_CSP)
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(RELAXED_PREFIXES)
            response["Content-Security-Policy"] = self.relaxed if relaxed else self.policy
        return response
