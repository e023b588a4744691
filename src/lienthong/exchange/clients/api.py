"""The gateway's API under /api/exchange/ (mounted by `install(api)` in `lienthong/api.py`).

    POST /api/exchange/token                       OAuth2 client credentials → access token
    GET  /api/exchange/me                          the calling system and its grants (ClientAuth)
    GET  /api/exchange/catalogue                   every service, grouped by owner agency
    GET  /api/exchange/catalogue/{code}            one service with its operations or schema
    GET  /api/exchange/clients                     officials: the systems they manage or decide
    POST /api/exchange/clients                     register a system
    GET  /api/exchange/clients/{code}              one system, its credentials and grants
    POST /api/exchange/clients/{code}/status       suspend, reactivate, revoke
    POST /api/exchange/clients/{code}/credentials  a new key (the secret shown once)
    POST /api/exchange/credentials/{key_id}/rotate | /revoke
    POST /api/exchange/clients/{code}/grants       request a grant
    GET  /api/exchange/grants?status=requested     grants the official decides
    POST /api/exchange/grants/{id}/approve | /refuse | /revoke

And the services offered to client systems, each a service of its own in the catalogue:

    GET /api/exchange/services/population/persons/{personal_id}?purpose=…
    GET /api/exchange/services/dossiers/{code}
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user
from lienthong.exchange.clients import catalogue, services
from lienthong.exchange.clients.auth import ClientAuth, ClientAuthError, PendingCall, client_of
from lienthong.exchange.clients.models import ClientSystem, Credential, Grant
from lienthong.exchange.clients.permissions import (
    can_manage,
    clients_visible_to,
    grants_to_decide,
)
from lienthong.exchange.messagelog.models import MessageLogEntry

router = Router(tags=["exchange"])
population_router = Router(tags=["exchange: services"])
dossiers_router = Router(tags=["exchange: services"])


class ErrorOut(Schema):
    detail: str


class FieldErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]]


def _unprocessable(exc: ValidationError) -> Status[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        errors = {name: list(messages) for name, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": list(exc.messages)}
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _official(request: HttpRequest) -> Any:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    return request.user


def _run(call: Any) -> Any:
    try:
        return call()
    except ValidationError as exc:
        return _unprocessable(exc)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không có quyền.")) from exc


# --- OAuth2 token ---------------------------------------------------------------------------


class TokenOut(Schema):
    access_token: str
    token_type: str
    expires_in: int


class TokenErrorOut(Schema):
    error: str
    error_description: str
    detail: str


def _token_error(status: int, error: str, description: str) -> Status[dict[str, str]]:
    return Status(status, {"error": error, "error_description": description, "detail": description})


def _token_params(request: HttpRequest) -> dict[str, str]:
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = {}
        params = {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    else:
        params = {k: str(v) for k, v in request.POST.items()}
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            user, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", ""
        params.setdefault("client_id", user)
        params.setdefault("client_secret", password)
    return params


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 400: TokenErrorOut, 401: TokenErrorOut},
    summary="Lấy mã truy cập (OAuth2 client credentials)",
    operation_id="exchange_token",
    description=(
        "`grant_type=client_credentials`, `client_id`, `client_secret` (form, JSON hoặc "
        "HTTP Basic). Trả về `access_token` dùng trong `Authorization: Bearer …`."
    ),
)
def token(request: HttpRequest) -> Any:
    params = _token_params(request)
    # Logged like every client call, but never with the secret or the token it gets.
    shown = {k: v for k, v in params.items() if k in ("grant_type", "client_id", "scope")}
    pending = PendingCall(
        service="api.exchange",
        operation="exchange_token",
        started=time.monotonic(),
        request_body=json.dumps(shown, sort_keys=True).encode(),
    )
    request._exchange_call = pending  # type: ignore[attr-defined]
    if params.get("grant_type") != "client_credentials":
        pending.outcome, pending.error = MessageLogEntry.Outcome.REFUSED, "unsupported grant"
        return _token_error(
            400, "unsupported_grant_type", _("Chỉ hỗ trợ grant_type=client_credentials.")
        )
    issued = services.issue_token(params.get("client_id", ""), params.get("client_secret", ""))
    if issued is None:
        pending.outcome, pending.error = MessageLogEntry.Outcome.REFUSED, "invalid client"
        return _token_error(401, "invalid_client", _("Mã hệ thống hoặc khoá bí mật không đúng."))
    plain, ttl, credential = issued
    pending.client, pending.credential = credential.client, credential
    pending.response_body = json.dumps(
        {"access_token": "<" + services.hash_secret(plain) + ">", "expires_in": ttl}
    ).encode()
    return {"access_token": plain, "token_type": "Bearer", "expires_in": ttl}


# --- The calling system ---------------------------------------------------------------------


class GrantOut(Schema):
    id: int
    client: str
    service: str
    operation: str
    status: str
    status_label: str
    purpose: str
    requested_at: datetime
    decided_at: datetime | None
    note: str


def _grant_out(grant: Grant) -> dict[str, Any]:
    return {
        "id": grant.pk,
        "client": grant.client.code,
        "service": grant.service,
        "operation": grant.operation,
        "status": grant.status,
        "status_label": str(grant.get_status_display()),
        "purpose": grant.purpose,
        "requested_at": grant.requested_at,
        "decided_at": grant.decided_at,
        "note": grant.note,
    }


class MeOut(Schema):
    code: str
    name: str
    agency: str
    status: str
    rate_limit_per_minute: int
    grants: list[GrantOut]


@router.get(
    "/me",
    auth=ClientAuth(require_grant=False),
    response={200: MeOut, 401: ErrorOut, 429: ErrorOut},
    summary="Hệ thống đang gọi và các quyền của nó",
    operation_id="exchange_me",
)
def me(request: HttpRequest) -> Any:
    client = client_of(request)
    return {
        "code": client.code,
        "name": client.name,
        "agency": client.agency.name,
        "status": client.status,
        "rate_limit_per_minute": client.rate_limit,
        "grants": [_grant_out(g) for g in client.grants.select_related("client")],
    }


# --- Catalogue ------------------------------------------------------------------------------


class OperationOut(Schema):
    operation_id: str
    method: str
    path: str
    summary: str
    client_access: bool
    openapi: dict[str, Any]


class ServiceOut(Schema):
    code: str
    kind: str
    title: str
    owner_agency: str
    owner_agency_id: int | None
    client_access: bool
    declared: bool
    operations: list[OperationOut]
    schema_: dict[str, Any] | None = None


class CatalogueGroupOut(Schema):
    owner_agency: str
    services: list[ServiceOut]


def _service_out(service: catalogue.Service, *, full: bool) -> dict[str, Any]:
    return {
        "code": service.code,
        "kind": service.kind,
        "title": service.title,
        "owner_agency": service.owner_name,
        "owner_agency_id": service.owner_id,
        "client_access": service.client_access,
        "declared": service.declared,
        "operations": [
            {
                "operation_id": op.operation_id,
                "method": op.method,
                "path": op.path,
                "summary": op.summary,
                "client_access": op.client_access,
                "openapi": op.spec if full else {},
            }
            for op in service.operations
        ],
        "schema_": service.schema if full else None,
    }


@router.get(
    "/catalogue",
    auth=None,
    response=list[CatalogueGroupOut],
    summary="Danh mục dịch vụ, theo cơ quan chủ quản",
    operation_id="exchange_catalogue",
    description="`kind=api|event`, `client=1`: chỉ dịch vụ mở cho hệ thống kết nối.",
)
def catalogue_list(request: HttpRequest, kind: str = "", client: bool = False) -> Any:
    items = [
        s
        for s in catalogue.all_services()
        if (not kind or s.kind == kind) and (not client or s.client_access)
    ]
    return [
        {"owner_agency": name, "services": [_service_out(s, full=False) for s in group]}
        for name, group in catalogue.grouped_by_owner(items)
    ]


@router.get(
    "/catalogue/{code}",
    auth=None,
    response={200: ServiceOut, 404: ErrorOut},
    summary="Một dịch vụ: các thao tác (OpenAPI) hoặc lược đồ JSON của sự kiện",
    operation_id="exchange_catalogue_service",
)
def catalogue_detail(request: HttpRequest, code: str) -> Any:
    found = catalogue.get_service(code)
    if found is None:
        raise Http404
    return _service_out(found, full=True)


# --- Client systems (officials) -------------------------------------------------------------


class CredentialOut(Schema):
    key_id: str
    kind: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    usable: bool


class ClientOut(Schema):
    code: str
    name: str
    agency: str
    agency_id: int
    contact_name: str
    contact_email: str
    contact_phone: str
    purpose: str
    status: str
    rate_limit_per_minute: int
    credentials: list[CredentialOut] = []
    grants: list[GrantOut] = []


def _credential_out(c: Credential) -> dict[str, Any]:
    return {
        "key_id": c.key_id,
        "kind": c.kind,
        "label": c.label,
        "created_at": c.created_at,
        "expires_at": c.expires_at,
        "revoked_at": c.revoked_at,
        "last_used_at": c.last_used_at,
        "usable": c.usable(),
    }


def _client_out(client: ClientSystem, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": client.code,
        "name": client.name,
        "agency": client.agency.name,
        "agency_id": client.agency_id,
        "contact_name": client.contact_name,
        "contact_email": client.contact_email,
        "contact_phone": client.contact_phone,
        "purpose": client.purpose,
        "status": client.status,
        "rate_limit_per_minute": client.rate_limit,
    }
    if full:
        out["credentials"] = [_credential_out(c) for c in client.credentials.all()]
        out["grants"] = [_grant_out(g) for g in client.grants.select_related("client")]
    return out


class ClientIn(Schema):
    code: str
    name: str
    agency_id: int
    purpose: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    rate_limit_per_minute: int | None = None


class StatusIn(Schema):
    status: str


class CredentialIn(Schema):
    kind: str = Credential.Kind.API_KEY
    label: str = ""


class RotateIn(Schema):
    grace_hours: float | None = None


class SecretOut(Schema):
    """A new credential; `secret` (the API key, or the OAuth2 client secret) is shown once."""

    key_id: str
    kind: str
    secret: str
    expires_at_of_previous: datetime | None = None


class GrantIn(Schema):
    service: str
    operation: str = ""
    purpose: str


class DecisionIn(Schema):
    note: str = ""


def _visible_client(request: HttpRequest, code: str) -> ClientSystem:
    return get_object_or_404(clients_visible_to(_official(request)), code=code)


@router.get(
    "/clients",
    auth=django_auth,
    response={200: list[ClientOut], 401: ErrorOut, 403: ErrorOut},
    summary="Hệ thống kết nối",
    operation_id="exchange_clients_list",
)
def clients_list(request: HttpRequest) -> Any:
    return [_client_out(c) for c in clients_visible_to(_official(request)).order_by("name")]


@router.post(
    "/clients",
    auth=django_auth,
    response={201: ClientOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Đăng ký hệ thống kết nối",
    operation_id="exchange_clients_create",
)
def clients_create(request: HttpRequest, data: ClientIn) -> Any:
    user = _official(request)
    agency = OrgUnit.objects.filter(pk=data.agency_id).first()
    if agency is None:
        return Status(
            422,
            {
                "detail": _("Dữ liệu không hợp lệ."),
                "errors": {"agency_id": [_("Không có cơ quan này.")]},
            },
        )
    fields = data.dict(exclude={"agency_id"})
    result = _run(lambda: services.register_client(agency=agency, by=user, **fields))
    return result if isinstance(result, Status) else Status(201, _client_out(result, full=True))


@router.get(
    "/clients/{code}",
    auth=django_auth,
    response={200: ClientOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Một hệ thống kết nối, khoá và quyền của nó",
    operation_id="exchange_clients_detail",
)
def clients_detail(request: HttpRequest, code: str) -> Any:
    return _client_out(_visible_client(request, code), full=True)


@router.post(
    "/clients/{code}/status",
    auth=django_auth,
    response={200: ClientOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="Tạm dừng, kích hoạt lại hoặc thu hồi hệ thống",
    operation_id="exchange_clients_status",
)
def clients_status(request: HttpRequest, code: str, data: StatusIn) -> Any:
    client = _visible_client(request, code)
    result = _run(lambda: services.set_client_status(client, data.status, by=request.user))
    return result if isinstance(result, Status) else _client_out(result, full=True)


@router.post(
    "/clients/{code}/credentials",
    auth=django_auth,
    response={201: SecretOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="Cấp khoá mới (khoá bí mật chỉ hiện một lần)",
    operation_id="exchange_credentials_create",
)
def credentials_create(request: HttpRequest, code: str, data: CredentialIn) -> Any:
    client = _visible_client(request, code)
    result = _run(
        lambda: services.issue_credential(client, kind=data.kind, label=data.label, by=request.user)
    )
    if isinstance(result, Status):
        return result
    credential, secret = result
    return Status(201, {"key_id": credential.key_id, "kind": credential.kind, "secret": secret})


def _visible_credential(request: HttpRequest, key_id: str) -> Credential:
    user = _official(request)
    return get_object_or_404(
        Credential.objects.select_related("client", "client__agency").filter(
            client__in=clients_visible_to(user)
        ),
        key_id=key_id,
    )


@router.post(
    "/credentials/{key_id}/rotate",
    auth=django_auth,
    response={201: SecretOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="Đổi khoá: khoá mới, khoá cũ còn dùng được trong thời gian chuyển tiếp",
    operation_id="exchange_credentials_rotate",
)
def credentials_rotate(request: HttpRequest, key_id: str, data: RotateIn) -> Any:
    credential = _visible_credential(request, key_id)
    result = _run(
        lambda: services.rotate_credential(
            credential, by=request.user, grace_hours=data.grace_hours
        )
    )
    if isinstance(result, Status):
        return result
    new, secret = result
    credential.refresh_from_db()
    return Status(
        201,
        {
            "key_id": new.key_id,
            "kind": new.kind,
            "secret": secret,
            "expires_at_of_previous": credential.expires_at,
        },
    )


@router.post(
    "/credentials/{key_id}/revoke",
    auth=django_auth,
    response={200: CredentialOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Thu hồi khoá (ngay lập tức, kèm mọi mã truy cập đã cấp)",
    operation_id="exchange_credentials_revoke",
)
def credentials_revoke(request: HttpRequest, key_id: str) -> Any:
    credential = _visible_credential(request, key_id)
    result = _run(lambda: services.revoke_credential(credential, by=request.user))
    return result if isinstance(result, Status) else _credential_out(result)


@router.post(
    "/clients/{code}/grants",
    auth=django_auth,
    response={201: GrantOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="Đề nghị cấp quyền khai thác một dịch vụ (hoặc một thao tác)",
    operation_id="exchange_grants_request",
)
def grants_request(request: HttpRequest, code: str, data: GrantIn) -> Any:
    client = _visible_client(request, code)
    result = _run(
        lambda: services.request_grant(
            client,
            service=data.service,
            operation=data.operation,
            purpose=data.purpose,
            by=request.user,
        )
    )
    return result if isinstance(result, Status) else Status(201, _grant_out(result))


@router.get(
    "/grants",
    auth=django_auth,
    response={200: list[GrantOut], 401: ErrorOut, 403: ErrorOut},
    summary="Quyền khai thác các dịch vụ do cơ quan của bạn chủ quản",
    operation_id="exchange_grants_list",
)
def grants_list(request: HttpRequest, status: str = "") -> Any:
    qs = grants_to_decide(_official(request))
    if status:
        qs = qs.filter(status=status)
    return [_grant_out(g) for g in qs.order_by("-requested_at", "-pk")[:500]]


def _decidable_grant(request: HttpRequest, grant_id: int) -> Grant:
    user = _official(request)
    grant = Grant.objects.select_related("client", "client__agency").filter(pk=grant_id).first()
    if grant is None or not (
        grants_to_decide(user).filter(pk=grant_id).exists() or can_manage(user, grant.client)
    ):
        raise Http404
    return grant


def _decision(name: str) -> Any:
    def decide(request: HttpRequest, grant_id: int, data: DecisionIn) -> Any:
        grant = _decidable_grant(request, grant_id)
        call = {
            "approve": lambda: services.approve_grant(grant, by=request.user, note=data.note),
            "refuse": lambda: services.refuse_grant(grant, by=request.user, note=data.note),
            "revoke": lambda: services.revoke_grant(grant, by=request.user, note=data.note),
        }[name]
        result = _run(call)
        return result if isinstance(result, Status) else _grant_out(result)

    decide.__name__ = f"grants_{name}"
    return decide


for _name, _summary in (
    ("approve", "Duyệt đề nghị cấp quyền (cơ quan chủ quản)"),
    ("refuse", "Từ chối đề nghị cấp quyền, nêu lý do"),
    ("revoke", "Thu hồi quyền đang có hiệu lực"),
):
    router.post(
        f"/grants/{{grant_id}}/{_name}",
        auth=django_auth,
        response={200: GrantOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
        summary=_summary,
        operation_id=f"exchange_grants_{_name}",
    )(_decision(_name))


# --- Services offered to client systems -----------------------------------------------------


class PersonOut(Schema):
    """What a granted system learns about a person (the read is logged for the citizen)."""

    personal_id: str
    full_name: str
    permanent_address: str
    commune: str
    data: dict[str, Any]


@population_router.get(
    "/persons/{personal_id}",
    auth=ClientAuth(),
    response={
        200: PersonOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: FieldErrorsOut,
        429: ErrorOut,
    },
    summary="Tra cứu công dân theo số định danh cá nhân",
    operation_id="exchange_population_person",
    description=(
        "`purpose` (bắt buộc): mục đích khai thác, hiện cho công dân ở trang "
        "“Ai đã xem dữ liệu của tôi”; `reference`: mã hồ sơ liên quan."
    ),
)
def population_person(
    request: HttpRequest, personal_id: str, purpose: str = "", reference: str = ""
) -> Any:
    from lienthong.registries.base.access import log_read, lookup_for
    from lienthong.registries.base.models import DataAccess

    client = client_of(request)
    if not purpose.strip():
        return Status(
            422,
            {
                "detail": _("Dữ liệu không hợp lệ."),
                "errors": {"purpose": [_("Hãy nêu mục đích khai thác dữ liệu.")]},
            },
        )
    lookup = lookup_for("person")
    found = lookup.find(personal_id.strip()) if lookup is not None else None
    if found is None:
        raise Http404
    log_read(
        registry=found.registry,
        object_id=found.record_id,
        subject_key=found.key,
        subject_repr=found.name,
        by=None,
        client=client,
        purpose=purpose,
        channel=DataAccess.Channel.API,
        reference=reference,
    )
    return {
        "personal_id": found.key,
        "full_name": found.name,
        "permanent_address": found.address,
        "commune": found.commune,
        "data": found.data,
    }


class HistoryOut(Schema):
    status: int
    status_label: str
    at: str | None
    note: str


class DossierStatusOut(Schema):
    code: str
    procedure: dict[str, str]
    agency: str
    status: int
    status_label: str
    submitted_at: str | None
    received_at: str | None
    due_date: str | None
    returned_at: str | None
    history: list[HistoryOut]


@dossiers_router.get(
    "/{code}",
    auth=ClientAuth(),
    response={200: DossierStatusOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Tình trạng hồ sơ theo mã hồ sơ",
    operation_id="exchange_dossier_status",
)
def dossier_status(request: HttpRequest, code: str) -> Any:
    from lienthong.onestop.intake import public_lookup

    found = public_lookup(code)
    if found is None:
        raise Http404
    return {**found, "history": found["history"]}


# --- Mounting -------------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    """Mount the gateway's routers and answer refused client calls with their headers."""

    @api.exception_handler(ClientAuthError)
    def client_refused(request: HttpRequest, exc: ClientAuthError) -> HttpResponse:
        response = api.create_response(request, {"detail": exc.detail}, status=exc.status)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    api.add_router("/exchange/services/population/", population_router)
    api.add_router("/exchange/services/dossiers/", dossiers_router)
    api.add_router("/exchange/", router)
