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
