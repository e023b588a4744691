"""Processing API under /api/onestop/: one endpoint per transition of a dossier.

    POST /dossiers/{code}/forward        finish the current step (the leader's forward approves)
    POST /dossiers/{code}/return         back to an earlier step, with the reason
    POST /dossiers/{code}/supplement     ask the applicant to complete the dossier
    POST /dossiers/{code}/supplement/files   the applicant sends the documents (multipart)
    POST /dossiers/{code}/supply         the complete dossier is back: the clock restarts
    POST /dossiers/{code}/obligation     ask for a fee or tax; /obligation/paid records it
    POST /dossiers/{code}/handover       hand over to another agency (một cửa liên thông)
    POST /dossiers/{code}/stop           stop processing, with the reason
    POST /dossiers/{code}/withdraw       the applicant (or the desk on their request) withdraws
    POST /dossiers/{code}/apology        the late unit's apology with a new return date
    POST /dossiers/{code}/result         the result document (multipart)
    POST /dossiers/{code}/return-result  returned at the counter or sent online
    GET  /dossiers/{code}/processing     state, step, risk, actions and the full history
    GET  /documents                      the caller's data store, offered for reuse

Errors as everywhere in the API: 422 with field errors, 409 when the dossier's state does
not allow the action, 403 when the caller may see the dossier but not do this, 404 for a
dossier that does not exist or is not theirs to see, 401 when not logged in.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, Literal, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth
from pydantic import Field

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.onestop import processing, results
from lienthong.onestop.models import Dossier, Procedure
from lienthong.workflow import engine
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case

router = Router(tags=["onestop: xử lý hồ sơ"], auth=django_auth)


# --- Schemas --------------------------------------------------------------------------------


class ErrorOut(Schema):
    """An error with its Vietnamese explanation."""

    detail: str


class FieldErrorsOut(Schema):
    """Bad input: a summary and the messages per field."""

    detail: str
    errors: dict[str, list[str]]


class NoteIn(Schema):
    """An optional note (ý kiến xử lý)."""

    note: str = Field("", max_length=2000)


class SeenTaskIn(Schema):
    """The open task the caller acted on: if the dossier moved on meanwhile, 409."""

    task: int | None = Field(None, description="Mã công việc đang mở mà người gọi đã xem")


class ForwardIn(NoteIn, SeenTaskIn):
    """Finishing the current step, with an optional note."""


class ReturnIn(SeenTaskIn):
    """Back to an earlier step (by its order in the process), with the reason."""

    step: int = Field(description="Thứ tự của bước trả về (1 là bước đầu)", ge=1)
    note: str = Field(max_length=2000)


class SupplementIn(Schema):
    """What is missing and why."""

    items: list[str] = Field(min_length=1, max_length=50)
    reason: str = Field(max_length=2000)


class ObligationIn(Schema):
    """A fee or tax in đồng."""

    amount: int = Field(gt=0, le=10**15)
    description: str = Field(max_length=1000)


class PaidIn(Schema):
    """The payment's receipt number."""

    reference: str = Field("", max_length=100)


class HandOverIn(SeenTaskIn):
    """The agency (by its code) that is to process the dossier."""

    agency: str = Field(description="Mã định danh cơ quan, ví dụ 000.00.06.H56")
    note: str = Field(max_length=2000)


class ReasonIn(Schema):
    """The reason of a stop or a withdrawal."""

    reason: str = Field(max_length=2000)


class ApologyIn(Schema):
    """The reason and the new return date: working days from today, or a date."""

    reason: str = Field(max_length=2000)
    days: int | None = Field(None, ge=1, le=365)
    new_due_date: datetime.date | None = None


class ReturnResultIn(Schema):
    """How the result is returned."""

    channel: Literal["counter", "online", "post"] = "counter"
    note: str = Field("", max_length=1000)


class StepOut(Schema):
    """The case's current step."""

    order: int
    name: str
    org_unit: str | None
    role: str
    due_at: datetime.datetime | None


class CaseOut(Schema):
    """Where the dossier's case is."""

    agency_code: str | None
    agency: str
    status: str
    due_at: datetime.datetime | None
    risk: str
    step: StepOut | None


class HistoryOut(Schema):
    """A history row; `internal_note` only for officials."""

    status: int
    status_label: str
    at: datetime.datetime
    org_unit: str | None
    public_note: str
    internal_note: str | None


class ProcessingOut(Schema):
    """A dossier's processing state and what the caller may do now."""

    code: str
    status: int
    status_label: str
    received_at: datetime.datetime | None
    due_date: datetime.date | None
    due_at: datetime.datetime | None
    original_due_date: datetime.date | None
    processed_at: datetime.datetime | None
    returned_at: datetime.datetime | None
    timeliness: str
    late_unit: str | None
    case: CaseOut | None
    actions: list[str]
    history: list[HistoryOut]


class DocumentOut(Schema):
    """A document of the caller's data store."""

    id: int
    title: str
    number: str
    issued_at: datetime.datetime
    valid_until: datetime.date | None
    procedure_code: str | None
    source_dossier: str | None


# --- Helpers --------------------------------------------------------------------------------


def _visible(request: HttpRequest, code: str) -> Dossier:
    return get_visible_or_404(
        Dossier.objects.select_related("procedure", "agency", "late_unit"),
        request.user,
        code=code,
    )


def _official(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not is_official_user(user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    return user


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: list(messages) for key, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


def processing_out(dossier: Dossier, user: Any) -> dict[str, Any]:
    """The processing view of a dossier for `user` (officials see internal notes)."""
    dossier.refresh_from_db()
    official = is_official_user(user)
    case = Case.objects.select_related("agency", "current_step").filter(dossier=dossier).first()
    case_out = None
    if case is not None:
        task = engine.current_task(case)
        step = case.current_step
        case_out = {
            "agency_code": case.agency.code,
            "agency": case.agency.name,
            "status": case.status,
            "due_at": case.due_at,
            "risk": engine.risk_of(case),
            "step": {
                "order": step.order,
                "name": step.name,
                "org_unit": task.org_unit.name if task and task.org_unit else None,
                "role": step.role,
                "due_at": task.due_at if task else None,
            }
            if step is not None and task is not None
            else None,
        }
    history = dossier.history.select_related("org_unit").order_by("at", "pk")
    return {
        "code": dossier.code,
        "status": dossier.status,
        "status_label": dossier.get_status_display(),
        "received_at": dossier.received_at,
        "due_date": dossier.due_date,
        "due_at": dossier.due_at,
        "original_due_date": dossier.original_due_date,
        "processed_at": dossier.processed_at,
        "returned_at": dossier.returned_at,
        "timeliness": dossier.timeliness,
        "late_unit": dossier.late_unit.name if dossier.late_unit else None,
        "case": case_out,
        "actions": sorted(processing.available_actions(dossier, user)),
        "history": [
            {
                "status": row.status,
                "status_label": row.get_status_display(),
                "at": row.at,
                "org_unit": row.org_unit.name if row.org_unit else None,
                "public_note": row.public_note,
                "internal_note": row.internal_note if official else None,
            }
            for row in history
        ],
    }


def _transition(request: HttpRequest, code: str, call: Callable[[Dossier, User], object]) -> Any:
    """Run a service on a visible dossier and answer with its new state."""
    dossier = _visible(request, code)
    user = cast(User, request.user)
    try:
        call(dossier, user)
    except ValidationError as exc:
        return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": _errors(exc)})
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không có quyền thực hiện thao tác này.")) from exc
    except WrongState as exc:
        raise HttpError(409, str(exc)) from exc
    return processing_out(dossier, user)


RESPONSES: dict[int, Any] = {
    200: ProcessingOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: FieldErrorsOut,
}


# --- Endpoints ------------------------------------------------------------------------------


@router.get(
    "/dossiers/{code}/processing",
    response={200: ProcessingOut, 401: ErrorOut, 404: ErrorOut},
    summary="Tình trạng xử lý của hồ sơ",
)
def state(request: HttpRequest, code: str) -> Any:
    """Status, step, risk marker, the caller's possible actions and the history."""
    return processing_out(_visible(request, code), request.user)


@router.post("/dossiers/{code}/forward", response=RESPONSES, summary="Chuyển bước tiếp theo")
def forward(request: HttpRequest, code: str, payload: ForwardIn) -> Any:
    """Finish the current step; the leader's forward makes the dossier processed (9)."""
    _official(request)
    return _transition(
        request,
        code,
        lambda d, u: processing.forward_dossier(d, by=u, note=payload.note, seen_task=payload.task),
    )


@router.post("/dossiers/{code}/return", response=RESPONSES, summary="Trả lại bước trước")
def return_step(request: HttpRequest, code: str, payload: ReturnIn) -> Any:
    """Send the dossier back to an earlier step of its process."""
    _official(request)

    def call(dossier: Dossier, user: User) -> object:
        case = Case.objects.select_related("template").filter(dossier=dossier).first()
        step = case.template.steps.filter(order=payload.step).first() if case else None
        if step is None:
            raise ValidationError({"step": _("Quy trình không có bước số %d.") % payload.step})
        return processing.return_to_step(
            dossier, step=step, by=user, note=payload.note, seen_task=payload.task
        )

    return _transition(request, code, call)


@router.post("/dossiers/{code}/supplement", response=RESPONSES, summary="Yêu cầu bổ sung hồ sơ")
def supplement(request: HttpRequest, code: str, payload: SupplementIn) -> Any:
    """Ask the applicant to complete the dossier; the clock stops (status 5)."""
    _official(request)
    return _transition(
        request,
        code,
        lambda d, u: processing.request_supplement(
            d, items=payload.items, reason=payload.reason, by=u
        ),
    )


@router.post(
    "/dossiers/{code}/supplement/files",
    response=RESPONSES,
    summary="Người nộp gửi giấy tờ bổ sung",
)
def supplement_files(
    request: HttpRequest,
    code: str,
    files: File[list[UploadedFile]],
    names: Form[list[str] | None] = None,
    note: Form[str] = "",
) -> Any:
    """The applicant uploads the missing documents; `names[i]` names `files[i]`."""
    given = list(names or [])
    labels = given + [""] * max(0, len(files) - len(given))
    pairs = [(labels[i] or (f.name or ""), f) for i, f in enumerate(files)]
    return _transition(
        request,
        code,
        lambda d, u: processing.submit_supplement(d, files=pairs, note=note, by=u),
    )


@router.post(
    "/dossiers/{code}/supply", response=RESPONSES, summary="Xác nhận đã nhận đủ hồ sơ bổ sung"
)
def supply(request: HttpRequest, code: str, payload: NoteIn) -> Any:
    """The dossier is complete again: the time limit counts again from the start."""
    _official(request)
    return _transition(
        request, code, lambda d, u: processing.confirm_supplement(d, by=u, note=payload.note)
    )


@router.post(
    "/dossiers/{code}/obligation", response=RESPONSES, summary="Đề nghị nghĩa vụ tài chính"
)
def obligation(request: HttpRequest, code: str, payload: ObligationIn) -> Any:
    """Ask for a fee or tax; the clock waits (status 6)."""
    _official(request)
    return _transition(
        request,
        code,
        lambda d, u: processing.request_obligation(
            d, amount=payload.amount, description=payload.description, by=u
        ),
    )


@router.post(
    "/dossiers/{code}/obligation/paid",
    response=RESPONSES,
    summary="Ghi nhận đã thực hiện nghĩa vụ tài chính",
)
def obligation_paid(request: HttpRequest, code: str, payload: PaidIn) -> Any:
    """Record the payment; the clock runs on from where it stopped."""
    _official(request)
    return _transition(
        request,
        code,
        lambda d, u: processing.confirm_obligation_paid(d, by=u, reference=payload.reference),
    )


@router.post(
    "/dossiers/{code}/handover", response=RESPONSES, summary="Chuyển cơ quan khác (liên thông)"
)
def handover(request: HttpRequest, code: str, payload: HandOverIn) -> Any:
    """Hand the dossier to another agency to process."""
    _official(request)

    def call(dossier: Dossier, user: User) -> object:
        agency = OrgUnit.objects.filter(code=payload.agency.strip().upper(), is_agency=True).first()
        if agency is None:
            raise ValidationError(
                {"agency": _("Không có cơ quan mã “%(code)s”.") % {"code": payload.agency}}
            )
        return processing.hand_over_dossier(
            dossier, to_agency=agency, by=user, note=payload.note, seen_task=payload.task
        )

    return _transition(request, code, call)


@router.post("/dossiers/{code}/stop", response=RESPONSES, summary="Dừng xử lý hồ sơ")
def stop(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    """Stop processing for good (status 8)."""
    _official(request)
    return _transition(
        request, code, lambda d, u: processing.stop_dossier(d, reason=payload.reason, by=u)
    )


@router.post("/dossiers/{code}/withdraw", response=RESPONSES, summary="Rút hồ sơ")
def withdraw(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    """The applicant withdraws (or the desk, on their written request) — status 7."""
    return _transition(
        request, code, lambda d, u: processing.withdraw_dossier(d, reason=payload.reason, by=u)
    )


@router.post(
    "/dossiers/{code}/apology", response=RESPONSES, summary="Phiếu xin lỗi, hẹn lại ngày trả"
)
def apology(request: HttpRequest, code: str, payload: ApologyIn) -> Any:
    """The late unit apologises with a new return date (allowed when at risk or overdue)."""
    _official(request)
    return _transition(
        request,
        code,
        lambda d, u: processing.write_apology(
            d, reason=payload.reason, days=payload.days, new_due_date=payload.new_due_date, by=u
        ),
    )


@router.post("/dossiers/{code}/result", response=RESPONSES, summary="Tải kết quả giải quyết")
def result(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile],
    title: Form[str],
    number: Form[str] = "",
) -> Any:
    """Attach the result document (multipart: file, title, number)."""
    _official(request)
    return _transition(
        request,
        code,
        lambda d, u: results.upload_result(d, title=title, number=number, file=file, by=u),
    )


@router.post("/dossiers/{code}/return-result", response=RESPONSES, summary="Trả kết quả")
def return_result(request: HttpRequest, code: str, payload: ReturnResultIn) -> Any:
    """Return the result at the counter, or send it online (status 10)."""
    _official(request)
    return _transition(
        request,
        code,
        lambda d, u: results.return_result(d, by=u, channel=payload.channel, note=payload.note),
    )


@router.get(
    "/documents",
    response={200: list[DocumentOut], 401: ErrorOut},
    summary="Kho dữ liệu của tôi (giấy tờ dùng lại)",
)
def documents(request: HttpRequest, procedure: str | None = None) -> Any:
    """The caller's documents still in force; those of `procedure`'s field first."""
    chosen = Procedure.objects.filter(code=procedure).first() if procedure else None
    return [
        {
            "id": d.pk,
            "title": d.title,
            "number": d.number,
            "issued_at": d.issued_at,
            "valid_until": d.valid_until,
            "procedure_code": d.procedure.code if d.procedure else None,
            "source_dossier": d.source_dossier.code if d.source_dossier else None,
        }
        for d in results.reusable_documents(request.user, chosen).select_related("source_dossier")
    ]
