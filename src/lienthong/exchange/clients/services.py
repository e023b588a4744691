"""Writes of the gateway: client systems, their credentials and grants, service owners.

Every function is a `@service`: one transaction, a permission check against `by` (None is
the operator at the command line), an audit entry and, where other systems may care, an
outbox event `exchange.*`. Secrets are returned once, to be shown once; only their SHA-256
is stored.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, record, service
from lienthong.core.models import OrgUnit
from lienthong.exchange.clients import catalogue
from lienthong.exchange.clients.conf import setting
from lienthong.exchange.clients.models import (
    AccessToken,
    ClientSystem,
    Credential,
    Grant,
    ServiceOwner,
)
from lienthong.exchange.clients.permissions import (
    PLATFORM,
    can_decide,
    can_manage,
    can_manage_clients_of,
    is_platform_admin,
)
from lienthong.exchange.outbox import publish

API_KEY_PREFIX = "ltk_"
CLIENT_ID_PREFIX = "ltc_"
TOKEN_PREFIX = "lta_"


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret (32 random bytes: a slow hash would add nothing)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(by: Any) -> Any:
    return by if by is not None and getattr(by, "pk", None) else None


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


# --- Client systems -------------------------------------------------------------------------


@service
def register_client(
    *,
    code: str,
    name: str,
    agency: OrgUnit,
    purpose: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    rate_limit_per_minute: int | None = None,
    by: Any,
) -> ClientSystem:
    """Register an external system of `agency` (đăng ký hệ thống kết nối)."""
    if not can_manage_clients_of(by, agency):
        raise _deny(_("Bạn không có quyền đăng ký hệ thống kết nối cho cơ quan này."))
    if not agency.is_agency:
        raise ValidationError({"agency": [_("Hãy chọn một cơ quan (không phải phòng, ban).")]})
    client = ClientSystem(
        code=code.strip(),
        name=name.strip(),
        agency=agency,
        purpose=purpose.strip(),
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=_user(by),
    )
    client.full_clean()
    with audited("exchange.client.register", client):
        client.save()
    publish(
        "exchange.client.registered",
        subject=client.code,
        data={"client": client.code, "agency": agency.code},
    )
    return client


@service
def update_client(client: ClientSystem, *, by: Any, **fields: Any) -> ClientSystem:
    """Change a system's name, contact, purpose or rate limit."""
    if not can_manage(by, client):
        raise _deny(_("Bạn không có quyền sửa hệ thống kết nối này."))
    allowed = {
        "name",
        "purpose",
        "contact_name",
        "contact_email",
        "contact_phone",
        "rate_limit_per_minute",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    with audited("exchange.client.update", client):
        for name, value in fields.items():
            setattr(client, name, value.strip() if isinstance(value, str) else value)
        client.full_clean()
        client.save()
    return client


@service
def set_client_status(client: ClientSystem, status: str, *, by: Any) -> ClientSystem:
    """Suspend, reactivate or revoke a system. Revoking also revokes its credentials."""
    if not can_manage(by, client):
        raise _deny(_("Bạn không có quyền đổi trạng thái hệ thống kết nối này."))
    if status not in ClientSystem.Status.values:
        raise ValidationError({"status": [_("Trạng thái không hợp lệ.")]})
    if client.status == ClientSystem.Status.REVOKED and status != client.status:
        raise ValidationError(_("Hệ thống đã bị thu hồi; hãy đăng ký hệ thống mới."))
    if client.status == status:
        return client
    with audited("exchange.client.status", client):
        client.status = status
        client.save(update_fields=["status"])
    if status == ClientSystem.Status.REVOKED:
        for credential in client.credentials.filter(revoked_at__isnull=True):
            _revoke(credential)
    publish(
        "exchange.client.status_changed",
        subject=client.code,
        data={"client": client.code, "status": status},
    )
    return client


# --- Credentials ----------------------------------------------------------------------------


def _new_key_id(kind: str) -> str:
    prefix = API_KEY_PREFIX if kind == Credential.Kind.API_KEY else CLIENT_ID_PREFIX
    return prefix + secrets.token_hex(8)


def plain_api_key(key_id: str, secret: str) -> str:
    return f"{key_id}.{secret}"


@service
def issue_credential(
    client: ClientSystem, *, kind: str = Credential.Kind.API_KEY, label: str = "", by: Any
) -> tuple[Credential, str]:
    """A new credential; returns it and its secret, shown once (an API key `ltk_….…`, or
    for OAuth2 the client secret that goes with `credential.key_id`)."""
    if not can_manage(by, client):
        raise _deny(_("Bạn không có quyền cấp khoá cho hệ thống kết nối này."))
    if client.status == ClientSystem.Status.REVOKED:
        raise ValidationError(_("Hệ thống đã bị thu hồi; không cấp khoá mới."))
    if kind not in Credential.Kind.values:
        raise ValidationError({"kind": [_("Loại khoá không hợp lệ.")]})
    secret = secrets.token_urlsafe(32)
    credential = Credential(
        client=client,
        kind=kind,
        key_id=_new_key_id(kind),
        secret_hash=hash_secret(secret),
        label=label.strip()[:200],
        created_by=_user(by),
    )
    credential.save()
    record(
        "exchange.credential.issue",
        credential,
        after={"client": client.code, "key_id": credential.key_id, "kind": kind},
    )
    plain = plain_api_key(credential.key_id, secret) if kind == Credential.Kind.API_KEY else secret
    return credential, plain


@service
def rotate_credential(
    credential: Credential, *, by: Any, grace_hours: float | None = None
) -> tuple[Credential, str]:
    """A successor of the same kind; the old one keeps working for the grace period
    (`EXCHANGE_ROTATION_GRACE_HOURS`, 0 ends it now)."""
    if not can_manage(by, credential.client):
        raise _deny(_("Bạn không có quyền đổi khoá của hệ thống kết nối này."))
    if not credential.usable():
        raise ValidationError(_("Khoá này đã hết hiệu lực; hãy cấp khoá mới."))
    hours = float(setting("EXCHANGE_ROTATION_GRACE_HOURS") if grace_hours is None else grace_hours)
    if hours < 0:
        raise ValidationError({"grace_hours": [_("Thời gian chuyển tiếp không được âm.")]})
    new, plain = issue_credential(
        credential.client, kind=credential.kind, label=credential.label, by=by
    )
    ends = timezone.now() + datetime.timedelta(hours=hours)
    before = {"expires_at": credential.expires_at}
    credential.expires_at = (
        ends if credential.expires_at is None else min(ends, credential.expires_at)
    )
    credential.save(update_fields=["expires_at"])
    record(
        "exchange.credential.rotate",
        credential,
        before=before,
        after={"expires_at": credential.expires_at, "successor": new.key_id},
    )
    if hours == 0:
        AccessToken.objects.filter(credential=credential).delete()
    return new, plain


def _revoke(credential: Credential) -> None:
    before = {"revoked_at": None}
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    AccessToken.objects.filter(credential=credential).delete()
    record(
        "exchange.credential.revoke",
        credential,
        before=before,
        after={"revoked_at": credential.revoked_at},
    )


@service
def revoke_credential(credential: Credential, *, by: Any) -> Credential:
    """Stop a credential now, and every access token issued with it."""
    if not can_manage(by, credential.client):
        raise _deny(_("Bạn không có quyền thu hồi khoá của hệ thống kết nối này."))
    if credential.revoked_at is None:
        _revoke(credential)
    return credential


def _usable_credential(key_id: str, secret: str, kind: str) -> Credential | None:
    credential = (
        Credential.objects.select_related("client", "client__agency")
        .filter(key_id=key_id, kind=kind)
        .first()
    )
    if credential is None:
        hmac.compare_digest(hash_secret(secret), "0" * 64)  # same work either way
        return None
    if not hmac.compare_digest(hash_secret(secret), credential.secret_hash):
        return None
    if not credential.usable() or not credential.client.is_active:
        return None
    return credential


def authenticate_api_key(plain: str) -> Credential | None:
    """The usable API-key credential `plain` is (None otherwise)."""
    key_id, dot, secret = plain.strip().partition(".")
    if not dot or not key_id.startswith(API_KEY_PREFIX) or not secret:
        return None
    return _usable_credential(key_id, secret, Credential.Kind.API_KEY)


def authenticate_token(plain: str) -> Credential | None:
    """The usable credential an access token was issued with (None: unknown or expired)."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = (
        AccessToken.objects.select_related("credential", "credential__client__agency")
        .filter(token_hash=hash_secret(plain.strip()))
        .first()
    )
    if token is None or token.expires_at <= timezone.now():
        return None
    credential = token.credential
    if not credential.usable() or not credential.client.is_active:
        return None
    return credential


def issue_token(client_id: str, client_secret: str) -> tuple[str, int, Credential] | None:
    """OAuth2 client-credentials: an access token for a usable OAuth2 credential, or None.

    Not audited (a client may ask every hour); the token endpoint logs it in the message
    log instead. Expired tokens of the credential are removed on the way.
    """
    credential = _usable_credential(client_id.strip(), client_secret, Credential.Kind.OAUTH)
    if credential is None:
        return None
    ttl = int(setting("EXCHANGE_TOKEN_TTL_SECONDS"))
    if credential.expires_at is not None:
        ttl = max(1, min(ttl, int((credential.expires_at - timezone.now()).total_seconds())))
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    AccessToken.objects.filter(credential=credential, expires_at__lte=now).delete()
    AccessToken.objects.create(
        credential=credential,
        token_hash=hash_secret(plain),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=ttl),
    )
    return plain, ttl, credential


def touch(credential: Credential) -> None:
    """Note a credential's use, at most once a minute (a write per call would be a waste)."""
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > datetime.timedelta(
        minutes=1
    ):
        Credential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now


# --- Grants ---------------------------------------------------------------------------------


def _check_target(service_code: str, operation: str) -> catalogue.Service | None:
    if service_code.startswith("event.") and service_code.endswith(".*"):
        # A pattern of event types: valid when it covers at least one declared type.
        prefix = service_code[:-1]
        if operation:
            raise ValidationError({"operation": [_("Sự kiện không có thao tác riêng.")]})
        if not any(s.code.startswith(prefix) for s in catalogue.event_services()):
            raise ValidationError({"service": [_("Không có loại sự kiện nào khớp mẫu này.")]})
        return None
    found = catalogue.get_service(service_code)
    if found is None:
        raise ValidationError({"service": [_("Không có dịch vụ này trong danh mục.")]})
    if operation:
        if found.kind == "event":
            raise ValidationError({"operation": [_("Sự kiện không có thao tác riêng.")]})
        op = found.operation(operation)
        if op is None:
            raise ValidationError({"operation": [_("Dịch vụ không có thao tác này.")]})
        if not op.client_access:
            raise ValidationError({"operation": [_("Thao tác này không mở cho hệ thống kết nối.")]})
    elif not found.client_access:
        raise ValidationError({"service": [_("Dịch vụ này không mở cho hệ thống kết nối.")]})
    return found


def _grant_event(name: str, grant: Grant) -> None:
    publish(
        f"exchange.grant.{name}",
        subject=grant.client.code,
        data={
            "client": grant.client.code,
            "service": grant.service,
            "operation": grant.operation,
            "status": grant.status,
        },
    )


@service
def request_grant(
    client: ClientSystem, *, service: str, operation: str = "", purpose: str = "", by: Any
) -> Grant:
    """Ask for the right to use a service (or one operation of it)."""
    if not can_manage(by, client):
        raise _deny(_("Bạn không có quyền đề nghị cấp quyền cho hệ thống kết nối này."))
    if not client.is_active:
        raise ValidationError(_("Hệ thống kết nối không còn hoạt động."))
    service, operation = service.strip(), operation.strip()
    _check_target(service, operation)
    if not purpose.strip():
        raise ValidationError({"purpose": [_("Hãy nêu mục đích sử dụng dịch vụ.")]})
    grant = Grant.objects.filter(client=client, service=service, operation=operation).first()
    if grant is not None and grant.status in (Grant.Status.REQUESTED, Grant.Status.APPROVED):
        raise ValidationError(_("Hệ thống đã có đề nghị hoặc quyền này."))
    grant = grant or Grant(client=client, service=service, operation=operation)
    with audited("exchange.grant.request", grant):
        grant.status = Grant.Status.REQUESTED
        grant.purpose = purpose.strip()
        grant.requested_at = timezone.now()
        grant.requested_by = _user(by)
        grant.decided_at = None
        grant.decided_by = None
        grant.note = ""
        grant.save()
    _grant_event("requested", grant)
    return grant


def _decide(
    grant: Grant, status: str, *, by: Any, note: str, allowed_from: tuple[str, ...]
) -> Grant:
    if not can_decide(by, grant.service):
        raise _deny(_("Chỉ cơ quan chủ quản dịch vụ mới được quyết định quyền khai thác."))
    if grant.status not in allowed_from:
        raise ValidationError(
            _("Không thể chuyển quyền từ trạng thái “%(from)s”.")
            % {"from": grant.get_status_display()}
        )
    with audited(f"exchange.grant.{status}", grant):
        grant.status = status
        grant.decided_at = timezone.now()
        grant.decided_by = _user(by)
        grant.note = note.strip()[:500]
        grant.save(update_fields=["status", "decided_at", "decided_by", "note"])
    _grant_event(status, grant)
    return grant


@service
def approve_grant(grant: Grant, *, by: Any, note: str = "") -> Grant:
    """The owner agency approves a requested grant."""
    return _decide(
        grant, Grant.Status.APPROVED, by=by, note=note, allowed_from=(Grant.Status.REQUESTED,)
    )


@service
def refuse_grant(grant: Grant, *, by: Any, note: str) -> Grant:
    """The owner agency refuses a requested grant, saying why."""
    if not note.strip():
        raise ValidationError({"note": [_("Hãy nêu lý do từ chối.")]})
    return _decide(
        grant, Grant.Status.REFUSED, by=by, note=note, allowed_from=(Grant.Status.REQUESTED,)
    )


@service
def revoke_grant(grant: Grant, *, by: Any, note: str = "") -> Grant:
    """The owner agency (or the client's own managers) ends an approved grant."""
    if not (can_decide(by, grant.service) or can_manage(by, grant.client)):
        raise _deny(_("Bạn không có quyền thu hồi quyền khai thác này."))
    if grant.status != Grant.Status.APPROVED:
        raise ValidationError(_("Chỉ thu hồi được quyền đang có hiệu lực."))
    with audited("exchange.grant.revoked", grant):
        grant.status = Grant.Status.REVOKED
        grant.decided_at = timezone.now()
        grant.decided_by = _user(by)
        grant.note = note.strip()[:500]
        grant.save(update_fields=["status", "decided_at", "decided_by", "note"])
    _grant_event("revoked", grant)
    return grant


@service
def set_service_owner(service_code: str, agency: OrgUnit | None, *, by: Any) -> ServiceOwner | None:
    """Name the agency that owns a service (None gives it back to the platform); the
    service "*" names the platform's own agency (the provincial IT department)."""
    if not is_platform_admin(by):
        raise _deny(_("Chỉ quản trị nền tảng mới được giao cơ quan chủ quản dịch vụ."))
    if service_code != PLATFORM and catalogue.get_service(service_code) is None:
        raise ValidationError({"service": [_("Không có dịch vụ này trong danh mục.")]})
    row = ServiceOwner.objects.filter(service=service_code).first()
    if agency is None:
        if row is not None:
            with audited("exchange.service.owner", row):
                row.delete()
        return None
    if not agency.is_agency:
        raise ValidationError({"agency": [_("Hãy chọn một cơ quan (không phải phòng, ban).")]})
    row = row or ServiceOwner(service=service_code)
    with audited("exchange.service.owner", row):
        row.agency = agency
        row.save()
    return row
