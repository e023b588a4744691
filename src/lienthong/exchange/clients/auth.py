"""`ClientAuth`: how a client system calls the platform's API.

    from lienthong.exchange.clients.auth import ClientAuth

    router = Router(auth=ClientAuth())              # service and operation from the catalogue
    @router.post("/inbox", auth=ClientAuth(service="api.exchange.edxml"))   # or named

A call carries `Authorization: Bearer <access token>` (from `POST /api/exchange/token`,
OAuth2 client credentials) or `X-API-Key: <key>`. In this order the call is refused:
401 without a usable credential (unknown, revoked, past its grace period, or its system not
active), 403 when the system holds no approved grant of the operation's service (or of the
operation itself), 429 with `Retry-After` over the system's rate limit. On success
`request.client_system` is the `ClientSystem` (and ninja's `request.auth` too).

Every call that reaches `ClientAuth` — refused or not — is recorded in the message log, chain
"api", with the request and response bodies, by `ExchangeLogMiddleware` once the response is
known (so the entry holds the status and the response digest).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security.base import AuthBase

from lienthong.core.context import current
from lienthong.exchange.clients import catalogue, ratelimit
from lienthong.exchange.clients.grants import is_granted
from lienthong.exchange.clients.models import ClientSystem, Credential
from lienthong.exchange.clients.services import authenticate_api_key, authenticate_token, touch
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import Exchange, record

API_KEY_HEADER = "X-API-Key"


class ClientAuthError(HttpError):
    """A refused client call: its status, Vietnamese message and extra headers."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}

    def response(self) -> HttpResponse:
        response = JsonResponse({"detail": self.detail}, status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


@dataclass
class PendingCall:
    """What `ClientAuth` learnt about a call, for the middleware to log with the response."""

    service: str
    operation: str
    started: float
    client: ClientSystem | None = None
    credential: Credential | None = None
    outcome: str = MessageLogEntry.Outcome.OK
    error: str = ""
    #: What to keep instead of the bodies when they hold secrets (the token endpoint).
    request_body: bytes | None = None
    response_body: bytes | None = None


def _credential(request: HttpRequest) -> tuple[Credential | None, bool]:
    """The credential the request presents, and whether it presented one at all."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return authenticate_token(header[7:].strip()), True
    key = request.headers.get(API_KEY_HEADER, "")
    if key:
        return authenticate_api_key(key), True
    return None, False


class ClientAuth(AuthBase):
    """django-ninja auth for client systems (API key or OAuth2 bearer token), with the
    grant check, the rate limit and the message log."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = API_KEY_HEADER
    openapi_description = (
        "Khoá API của hệ thống kết nối (X-API-Key) hoặc `Authorization: Bearer <token>` "
        "lấy từ POST /api/exchange/token (OAuth2 client credentials)."
    )

    def __init__(
        self,
        service: str | None = None,
        operation: str | None = None,
        *,
        require_grant: bool = True,
    ) -> None:
        super().__init__()
        self.service = service
        self.operation = operation
        #: False only for the gateway's own "who am I" endpoint: any active system may ask.
        self.require_grant = require_grant

    def _target(self, request: HttpRequest) -> tuple[str, str]:
        match = request.resolver_match
        found = (
            catalogue.operation_of(match.route, request.method or "GET")
            if match is not None
            else ("api", "")
        )
        return self.service or found[0], self.operation if self.operation is not None else found[1]

    def __call__(self, request: HttpRequest) -> ClientSystem:
        service, operation = self._target(request)
        pending = PendingCall(service=service, operation=operation, started=time.monotonic())
        request._exchange_call = pending  # type: ignore[attr-defined]
        credential, presented = _credential(request)
        if credential is None:
            pending.outcome = MessageLogEntry.Outcome.REFUSED
            pending.error = "invalid credential" if presented else "no credential"
            raise ClientAuthError(
                401,
                _("Khoá truy cập không hợp lệ, đã bị thu hồi hoặc hết hạn.")
                if presented
                else _("Cần khoá API (X-API-Key) hoặc mã truy cập (Authorization: Bearer)."),
                {"WWW-Authenticate": 'Bearer realm="lienthong"'},
            )
        client = credential.client
        pending.client, pending.credential = client, credential
        if self.require_grant and not is_granted(client, service, operation or None):
            pending.outcome = MessageLogEntry.Outcome.REFUSED
            pending.error = "not granted"
            raise ClientAuthError(
                403,
                _("Hệ thống %(client)s chưa được cấp quyền dùng dịch vụ %(service)s.")
                % {
                    "client": client.code,
                    "service": f"{service}#{operation}" if operation else service,
                },
            )
        rate = ratelimit.check(client)
        if not rate.allowed:
            pending.outcome = MessageLogEntry.Outcome.REFUSED
            pending.error = f"rate limit {rate.limit}/min"
            raise ClientAuthError(
                429,
                _("Vượt giới hạn %(limit)d lượt gọi mỗi phút; thử lại sau %(seconds)d giây.")
                % {"limit": rate.limit, "seconds": rate.retry_after},
                {"Retry-After": str(rate.retry_after)},
            )
        touch(credential)
        request.client_system = client  # type: ignore[attr-defined]
        return client


def client_of(request: HttpRequest) -> ClientSystem:
    """The client system `ClientAuth` authenticated for this request."""
    client: ClientSystem = request.client_system  # type: ignore[attr-defined]
    return client


def log_call(request: HttpRequest, response: HttpResponse, pending: PendingCall) -> None:
    """Record one client call in chain "api" (the middleware calls this)."""
    response_body: bytes | None = pending.response_body
    if response_body is None and not isinstance(response, StreamingHttpResponse):
        response_body = bytes(response.content)
    request_body: bytes | None = pending.request_body
    if request_body is None:
        try:
            request_body = bytes(request.body)
        except Exception:  # a body already consumed as a stream (multipart uploads)
            request_body = None
    request_line = f"{request.method} {request.get_full_path()}\n\n".encode()
    status = response.status_code
    outcome = pending.outcome
    if outcome == MessageLogEntry.Outcome.OK and status >= 400:
        outcome = MessageLogEntry.Outcome.ERROR
    kwargs = request.resolver_match.kwargs if request.resolver_match else {}
    subject = ",".join(str(value) for value in kwargs.values())
    record(
        Exchange(
            chain="api",
            direction=MessageLogEntry.Direction.INBOUND,
            kind="api",
            service=pending.service,
            operation=pending.operation or f"{request.method} {request.path}",
            client=pending.client,
            actor_repr=pending.credential.key_id if pending.credential else "",
            subject=subject[:200],
            correlation_id=current().request_id or "",
            status=status,
            outcome=outcome,
            error=pending.error,
            duration_ms=int((time.monotonic() - pending.started) * 1000),
            request=request_line + request_body if request_body else request_line,
            response=response_body,
        )
    )
