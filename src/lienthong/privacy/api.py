"""Personal data API under /api/privacy/.

    GET  /consents                      the caller's consents (citizen)
    POST /consents/{id}/withdraw        withdraw one (recorded, never deleted)
    GET  /requests                      a citizen: their own; the data-protection unit: all
                                        (?status=…, ?overdue=true)
    POST /requests                      a citizen files a request (deadlines fixed now)
    GET  /requests/{id}                 one request the caller may see
    POST /requests/{id}/acknowledge     data-protection unit
    POST /requests/{id}/respond         data-protection unit, with the answer
    POST /requests/{id}/refuse          data-protection unit, with the reason
    GET  /export                        the citizen's own data as a ZIP (audit-logged)
    GET  /accesses/mine                 officials' accesses to the caller's sensitive data
    GET  /accesses                      the whole access log (data-protection unit), filtered

Errors: 401 not logged in, 403 not for this caller, 404 not found or not yours, 409 wrong
state, 422 with field errors.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field

from lienthong.accounts.models import User
from lienthong.privacy import exports, selectors, services
from lienthong.privacy.models import Consent, DataSubjectRequest, RequestKind, SensitiveAccess
from lienthong.workflow.engine import WrongState

router = Router(tags=["privacy: dữ liệu cá nhân"], auth=django_auth)


class ErrorOut(Schema):
    """An error with its Vietnamese explanation."""

    detail: str


class FieldErrorsOut(Schema):
    """Bad input: a summary and the messages per field."""

    detail: str
    errors: dict[str, list[str]]


class ConsentOut(Schema):
    """One consent."""

    id: int
    purpose: str
    purpose_name: str
    notice_version: str
    channel: str
    context: str
    given_at: datetime.datetime
    withdrawn_at: datetime.datetime | None


class RequestIn(Schema):
    """A data subject's request."""

    kind: RequestKind
    details: str = Field(min_length=1, max_length=4000)


class AnswerIn(Schema):
    """The answer or the reason for refusing."""

    text: str = Field(min_length=1, max_length=4000)


class RequestOut(Schema):
    """One request with its deadlines and their legal source."""

    id: int
    kind: str
    details: str
    status: str
    submitted_at: datetime.datetime
    ack_due_date: datetime.date
    response_due_at: datetime.datetime
    limit_source: str
    acknowledged_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    response: str


class AccessOut(Schema):
    """One access to sensitive data."""

    at: datetime.datetime
    actor: str
    agency: str
    record: str
    what: str
    purpose: str


class AccessLogOut(AccessOut):
    """An access-log row as the data-protection unit sees it."""

    subject_personal_id: str
    object_ref: str
    ip: str | None


RESPONSES: dict[int, Any] = {
    200: RequestOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: FieldErrorsOut,
}


def _consent_out(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "purpose": consent.purpose.code,
        "purpose_name": consent.purpose.name,
        "notice_version": consent.notice_version,
        "channel": consent.channel,
        "context": consent.context,
        "given_at": consent.given_at,
        "withdrawn_at": consent.withdrawn_at,
    }


def _access_out(access: SensitiveAccess, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "at": access.at,
        "actor": access.actor.full_name or access.actor.username,
        "agency": access.agency.name if access.agency else "",
        "record": access.record,
        "what": access.what,
        "purpose": access.purpose,
    }
    if full:
        out.update(
            actor=access.actor.username,
            subject_personal_id=access.subject_personal_id,
            object_ref=access.object_ref,
            ip=access.ip,
        )
    return out


def _invalid(exc: ValidationError) -> Any:
    errors = (
        {key: list(messages) for key, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": list(exc.messages)}
    )
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _citizen(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_citizen:
        raise HttpError(403, _("Chức năng này dành cho công dân, tổ chức."))
    return user


@router.get(
    "/consents", response={200: list[ConsentOut], 401: ErrorOut, 403: ErrorOut}, summary="Sự đồng ý"
)
def list_consents(request: HttpRequest) -> Any:
    """The caller's consents, newest first."""
    user = _citizen(request)
    return [_consent_out(c) for c in Consent.objects.filter(subject=user).select_related("purpose")]


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Rút lại sự đồng ý",
)
def withdraw_consent(request: HttpRequest, consent_id: int) -> Any:
    """Withdraw one of the caller's consents."""
    user = _citizen(request)
    consent = get_object_or_404(
        Consent.objects.select_related("purpose"), pk=consent_id, subject=user
    )
    try:
        consent = services.withdraw_consent(consent=consent, by=user, channel="api")
    except WrongState as exc:
        raise HttpError(409, str(exc)) from exc
    return _consent_out(consent)


@router.get(
    "/requests", response={200: list[RequestOut], 401: ErrorOut}, summary="Yêu cầu về dữ liệu"
)
def list_requests(
    request: HttpRequest, status: str = "", overdue: bool = False, limit: int = 100, offset: int = 0
) -> Any:
    """Requests the caller may see, newest first."""
    rows = selectors.request_queue(request.user, status=status, overdue=overdue)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return list(rows[offset : offset + limit])


@router.post("/requests", response=RESPONSES, summary="Gửi yêu cầu về dữ liệu")
def file_request(request: HttpRequest, payload: RequestIn) -> Any:
    """A citizen files a request about their own data."""
    user = _citizen(request)
    try:
        return services.file_request(
            subject=user, kind=payload.kind, details=payload.details, channel="api", by=user
        )
    except ValidationError as exc:
        return _invalid(exc)


def _visible(request: HttpRequest, request_id: int) -> DataSubjectRequest:
    return get_object_or_404(DataSubjectRequest.objects.visible_to(request.user), pk=request_id)


@router.get(
    "/requests/{request_id}",
    response={200: RequestOut, 401: ErrorOut, 404: ErrorOut},
    summary="Chi tiết yêu cầu",
)
def request_detail(request: HttpRequest, request_id: int) -> Any:
    """One request the caller may see."""
    return _visible(request, request_id)


def _act(request: HttpRequest, request_id: int, action: str, text: str = "") -> Any:
    item = _visible(request, request_id)
    user = cast(User, request.user)
    try:
        if action == "acknowledge":
            return services.acknowledge_request(request=item, by=user)
        if action == "respond":
            return services.respond_request(request=item, response=text, by=user)
        return services.refuse_request(request=item, reason=text, by=user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except WrongState as exc:
        raise HttpError(409, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)


@router.post("/requests/{request_id}/acknowledge", response=RESPONSES, summary="Xác nhận tiếp nhận")
def acknowledge(request: HttpRequest, request_id: int) -> Any:
    """Acknowledge a request (data-protection unit)."""
    return _act(request, request_id, "acknowledge")


@router.post("/requests/{request_id}/respond", response=RESPONSES, summary="Trả lời yêu cầu")
def respond(request: HttpRequest, request_id: int, payload: AnswerIn) -> Any:
    """Answer a request (data-protection unit)."""
    return _act(request, request_id, "respond", payload.text)


@router.post("/requests/{request_id}/refuse", response=RESPONSES, summary="Từ chối yêu cầu")
def refuse(request: HttpRequest, request_id: int, payload: AnswerIn) -> Any:
    """Refuse a request, with the reason (data-protection unit)."""
    return _act(request, request_id, "refuse", payload.text)


@router.get(
    "/export",
    response={200: None, 401: ErrorOut, 403: ErrorOut},
    summary="Tải về dữ liệu cá nhân (ZIP)",
    openapi_extra={
        "responses": {
            200: {
                "description": "ZIP",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export(request: HttpRequest) -> Any:
    """Everything the platform holds about the caller, as a ZIP (audit-logged)."""
    user = _citizen(request)
    response = HttpResponse(
        exports.export_own_data(user=user, by=user), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(user)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/accesses/mine",
    response={200: list[AccessOut], 401: ErrorOut, 403: ErrorOut},
    summary="Ai đã xem dữ liệu nhạy cảm của tôi",
)
def my_accesses(request: HttpRequest, limit: int = 100, offset: int = 0) -> Any:
    """Officials' accesses to the caller's sensitive data."""
    user = _citizen(request)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [_access_out(a) for a in services.accesses_about(user)[offset : offset + limit]]


@router.get(
    "/accesses",
    response={200: list[AccessLogOut], 401: ErrorOut, 403: ErrorOut},
    summary="Nhật ký truy cập dữ liệu nhạy cảm",
)
def access_log(
    request: HttpRequest,
    actor: str = "",
    record: str = "",
    personal_id: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Any:
    """The whole log (data-protection unit), filtered by actor, record, subject or days."""
    try:
        rows = selectors.access_log(
            request.user,
            actor=actor,
            record=record,
            personal_id=personal_id,
            since=since,
            until=until,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [_access_out(a, full=True) for a in rows[offset : offset + limit]]
