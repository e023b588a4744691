"""Records every client-system call in the message log once its response is known."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lienthong.exchange.clients.auth import log_call


class ExchangeLogMiddleware:
    """After the response: a call that `ClientAuth` looked at gets its chain "api" entry.

    Placed after `RequestContextMiddleware`, so the entry carries the request id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, "_exchange_call", None)
        if pending is not None:
            log_call(request, response, pending)
        return response
