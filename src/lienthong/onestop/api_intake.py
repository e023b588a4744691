"""Intake API under /api/onestop/: submit, upload, my dossiers, one dossier, counter intake,
accept, refuse, and the public lookup.

Submitting is one call: `POST /dossiers` with JSON. Each component is either reused from the
citizen's data store (`reuse_document_id`) or sent inline (`file`: name and base64 content).
A JSON body is bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default), so inline
files suit small scans. Larger files (up to LIENTHONG["UPLOAD_MAX_BYTES"]) go as multipart form
data, which streams: the same submission as `POST /dossiers/multipart` (field `payload` = the
JSON, `files` = the files, each component naming its `file_index`), and files added after
submitting, while the dossier still awaits acceptance, as `POST /dossiers/{code}/components`.
A submission whose required components are all reused from the data store is JSON alone (the
benchmarked path). There is no draft state: the
national status list has none, and a code is only given to a dossier that was really
submitted, so the day's numbering has no gaps.

Errors: 422 with field errors (`{"detail": …, "errors": {field: [messages]}}`), 409 when the
dossier is not in a state that allows the action, 403 for a role that may not call the
endpoint, 404 for a dossier that does not exist or is not the caller's to see, 401 when not
logged in. Authentication is the session (an API token scheme comes with the exchange layer).
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import NinjaJSONEncoder
from ninja.security import django_auth
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.core.uploads import max_upload_bytes, size_text
from lienthong.onestop import intake, slips
from lienthong.onestop.models import CitizenDocument, Dossier, Procedure, ProcedureComponent
from lienthong.workflow.engine import WrongState

router = Router(tags=["onestop: tiếp nhận"])
T = TypeVar("T")


# --- Schemas --------------------------------------------------------------------------------


class ErrorOut(Schema):
    """An error with its Vietnamese explanation."""

    detail: str


class FieldErrorsOut(Schema):
    """Bad input: a summary and the messages per field."""

    detail: str
    errors: dict[str, list[str]]


class FileIn(Schema):
    """A file sent inline: its name and its content in base64."""

    name: str = Field(max_length=255)
    content_base64: str


class ComponentIn(Schema):
    """One component of an online submission: a file, or a document from the data store."""

    component_id: int
    reuse_document_id: int | None = None
    file: FileIn | None = None
    file_index: int | None = Field(
        default=None, description="Chỉ dùng với /dossiers/multipart: số thứ tự tệp trong files"
    )


class ContactIn(Schema):
    """Contact details that change the account's; a name or ID only if the account lacks it."""

    phone: str = ""
    email: str = ""
    address: str = ""
    name: str = ""
    personal_id: str = ""


class DossierIn(Schema):
    """An online submission (nộp hồ sơ trực tuyến)."""

    procedure: str = Field(description="Mã thủ tục, ví dụ 1.001193")
    agency: str = Field(description="Mã định danh cơ quan tiếp nhận, ví dụ 000.00.06.H56")
    form_data: dict[str, Any] = {}
    components: list[ComponentIn] = []
    contact: ContactIn | None = None


class ApplicantIn(Schema):
    """The applicant as the officer enters it at the counter."""

    kind: Literal["person", "organisation"] = "person"
    name: str
    personal_id: str = ""
    tax_code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


class ReceivedComponentIn(Schema):
    """A component received at the counter, with its counts."""

    component_id: int
    originals: int = 1
    copies: int = 0


class CounterIn(Schema):
    """A dossier received at the counter (tiếp nhận trực tiếp)."""

    procedure: str
    agency: str
    applicant: ApplicantIn
    components: list[ReceivedComponentIn] = []
    form_data: dict[str, Any] = {}
    channel: Literal["counter", "post"] = "counter"


class RefuseIn(Schema):
    """Why a dossier is not accepted: one reason per item (or lines of one text)."""

    reasons: list[str] | str


class Ref(Schema):
    """A procedure or agency by code and name."""

    code: str | None
    name: str


class ApplicantOut(Schema):
    """The applicant, for the applicant and the officials in scope."""

    kind: str
    name: str
    personal_id: str
    tax_code: str
    address: str
    phone: str
    email: str


class ComponentOut(Schema):
    """A component of a dossier."""

    id: int
    component_id: int | None
    name: str
    originals: int
    copies: int
    has_file: bool
    reused_document_id: int | None


class HistoryOut(Schema):
    """A status change, as the applicant sees it."""

    status: int
    status_label: str
    at: datetime.datetime
    note: str


class DossierOut(Schema):
    """A dossier, for its applicant and the officials in scope."""

    code: str
    procedure: Ref
    agency: Ref
    channel: str
    status: int
    status_label: str
    applicant: ApplicantOut
    form_data: dict[str, Any]
    submitted_at: datetime.datetime
    received_at: datetime.datetime | None
    due_date: datetime.date | None
    due_at: datetime.datetime | None
    refusal_reason: str
    lookup_url: str
    components: list[ComponentOut]
    history: list[HistoryOut]


class DossierItemOut(Schema):
    """A dossier in a list."""

    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    status: int
    status_label: str
    submitted_at: datetime.datetime
    received_at: datetime.datetime | None
    due_date: datetime.date | None


class LookupHistoryOut(Schema):
    """A public history line."""

    status: int
    status_label: str
    at: datetime.datetime
    note: str


class LookupProcedureOut(Schema):
    """The procedure of a looked-up dossier."""

    code: str
    name: str


class LookupOut(Schema):
    """What anyone holding the code may see: no ID, phone, email or address; name masked."""

    code: str
    procedure: LookupProcedureOut
    agency: str
    field: str
    channel: str
    channel_label: str
    status: int
    status_label: str
    applicant: str
    submitted_at: datetime.datetime
    received_at: datetime.datetime | None
    due_date: datetime.date | None
    returned_at: datetime.datetime | None
    history: list[LookupHistoryOut]


# --- Helpers --------------------------------------------------------------------------------


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: list(messages) for key, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


def _unprocessable(errors: dict[str, list[str]]) -> Status[dict[str, Any]]:
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _run(call: Callable[[], T]) -> T | Status[dict[str, Any]]:
    """Call a service; its ValidationError is 422, PermissionDenied 403, WrongState 409."""
    try:
        return call()
    except ValidationError as exc:
        return _unprocessable(_errors(exc))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không có quyền thực hiện thao tác này.")) from exc
    except WrongState as exc:
        raise HttpError(409, str(exc)) from exc


def _citizen(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not getattr(user, "is_citizen", False):
        raise HttpError(403, _("Chỉ tài khoản công dân, tổ chức mới dùng được chức năng này."))
    return user


def _official(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not is_official_user(user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    return user


def _procedure(code: str, errors: dict[str, list[str]]) -> Procedure | None:
    procedure = intake.procedure_for_intake(code)
    if procedure is None:
        errors["procedure"] = [_("Không có thủ tục mã “%(code)s”.") % {"code": code}]
    return procedure


def _agency(
    code: str, errors: dict[str, list[str]], procedure: Procedure | None = None
) -> OrgUnit | None:
    wanted = code.strip().upper()
    # Usually one of the procedure's receiving agencies, already loaded with it.
    known = [a for a in procedure.agencies.all() if a.code == wanted] if procedure else []
    agency = known[0] if known else OrgUnit.objects.filter(code=wanted, is_agency=True).first()
    if agency is None:
        errors["agency"] = [_("Không có cơ quan mã “%(code)s”.") % {"code": code}]
    return agency


def _components_of(procedure: Procedure | None) -> dict[int, ProcedureComponent]:
    if procedure is None:
        return {}
    return {c.pk: c for c in procedure.components.all()}


def _decode(item: FileIn, label: str) -> SimpleUploadedFile:
    # base64 is 4/3 the size: refuse an oversized text before decoding it.
    if len(item.content_base64) > max_upload_bytes() * 4 // 3 + 8:
        raise ValidationError(
            _("%(what)s: tệp vượt quá giới hạn %(limit)s.")
            % {"what": label, "limit": size_text(max_upload_bytes())}
        )
    try:
        content = base64.b64decode(item.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(
            _("%(what)s: nội dung tệp không phải base64 hợp lệ.") % {"what": label}
        ) from exc
    return SimpleUploadedFile(item.name, content)


def dossier_out(dossier: Dossier) -> dict[str, Any]:
    """The full view of a dossier (its applicant's and the officials')."""
    return {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name},
        "agency": {"code": dossier.agency.code, "name": dossier.agency.name},
        "channel": dossier.channel,
        "status": dossier.status,
        "status_label": dossier.get_status_display(),
        "applicant": {
            "kind": dossier.applicant_kind,
            "name": dossier.applicant_name,
            "personal_id": dossier.applicant_personal_id,
            "tax_code": dossier.applicant_tax_code,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
        },
        "form_data": dossier.form_data,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_date": dossier.due_date,
        "due_at": dossier.due_at,
        "refusal_reason": dossier.refusal_reason,
        "lookup_url": intake.lookup_url(dossier.code),
        "components": [
            {
                "id": c.pk,
                "component_id": c.component_id,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "has_file": bool(c.file),
                "reused_document_id": c.reused_document_id,
            }
            for c in sorted(dossier.components.all(), key=lambda c: c.pk)
        ],
        "history": [
            {
                "status": h.status,
                "status_label": h.get_status_display(),
                "at": h.at,
                "note": h.public_note,
            }
            for h in sorted(dossier.history.all(), key=lambda h: (h.at, h.pk))
        ],
    }


def _visible(request: HttpRequest, code: str) -> Dossier:
    return get_visible_or_404(
        Dossier.objects.select_related("procedure", "agency"), request.user, code=code
    )


# --- Citizen --------------------------------------------------------------------------------


def _submit(
    request: HttpRequest,
    payload: DossierIn,
    files: list[UploadedFile] | None = None,
) -> Any:
    """Submit `payload` for the citizen making the request; a component's file comes inline
    (base64) or, with `file_index`, from the multipart `files`."""
    user = _citizen(request)
    errors: dict[str, list[str]] = {}
    procedure = _procedure(payload.procedure, errors)
    agency = _agency(payload.agency, errors, procedure)
    components = _components_of(procedure)
    uploads: list[intake.ComponentUpload] = []
    messages: list[str] = []
    for item in payload.components if procedure is not None else []:
        component = components.get(item.component_id)
        if component is None:
            messages.append(_("Thủ tục không có thành phần số %(id)s.") % {"id": item.component_id})
            continue
        upload = intake.ComponentUpload(component)
        if item.reuse_document_id is not None:
            # The service loads the citizen's own document by this id (another's is refused).
            upload.reuse = CitizenDocument(pk=item.reuse_document_id)
        if item.file is not None:
            try:
                upload.file = _decode(item.file, intake.component_label(component))
            except ValidationError as exc:
                messages.extend(exc.messages)
                continue
        if item.file_index is not None:
            if files is None or not 0 <= item.file_index < len(files):
                messages.append(
                    _("%(component)s: không có tệp số %(index)s trong yêu cầu.")
                    % {"component": intake.component_label(component), "index": item.file_index}
                )
                continue
            upload.file = files[item.file_index]
        uploads.append(upload)
    if messages:
        errors["components"] = messages
    if errors or procedure is None:
        return _unprocessable(errors)
    contact = payload.contact.dict() if payload.contact else None
    result = _run(
        lambda: intake.submit_online(
            procedure=procedure,
            agency=agency,
            applicant=user,
            form_data=payload.form_data,
            components=uploads,
            contact=contact,
            by=user,
        )
    )
    if isinstance(result, Dossier):
        return Status(201, dossier_out(result))
    return result


@router.post(
    "/dossiers",
    auth=django_auth,
    response={201: DossierOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Nộp hồ sơ trực tuyến",
)
def submit(request: HttpRequest, payload: DossierIn) -> Any:
    """Submit a dossier online (status 1, awaiting acceptance). Components: reuse a document
    from the data store or send the file inline in base64."""
    return _submit(request, payload)


@router.post(
    "/dossiers/multipart",
    auth=django_auth,
    response={201: DossierOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Nộp hồ sơ trực tuyến kèm tệp (multipart)",
)
def submit_multipart(
    request: HttpRequest,
    payload: Form[str],
    files: File[list[UploadedFile]],
) -> Any:
    """The same submission as POST /dossiers, for files too large to inline: `payload` is the
    JSON of POST /dossiers, whose components point at the uploaded `files` by `file_index`."""
    try:
        parsed = DossierIn.model_validate_json(payload)
    except PydanticValidationError as exc:
        return _unprocessable(
            {
                "payload": [
                    f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
                    for error in exc.errors()
                ]
            }
        )
    return _submit(request, parsed, list(files))


@router.post(
    "/dossiers/{code}/components",
    auth=django_auth,
    response={
        201: ComponentOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Tải lên một thành phần hồ sơ (multipart)",
)
def upload_component(
    request: HttpRequest,
    code: str,
    component_id: Form[int],
    file: File[UploadedFile],
) -> Any:
    """Add or replace the file of one component while the dossier awaits acceptance
    (the applicant only)."""
    user = _citizen(request)
    dossier = get_visible_or_404(
        Dossier.objects.filter(applicant=user).select_related("procedure", "agency"),
        user,
        code=code,
    )
    component = dossier.procedure.components.filter(pk=component_id).first()
    if component is None:
        return _unprocessable(
            {"component_id": [_("Thủ tục không có thành phần số %(id)s.") % {"id": component_id}]}
        )
    result = _run(
        lambda: intake.attach_component_file(
            dossier=dossier, component=component, file=file, by=user
        )
    )
    if isinstance(result, Status):
        return result
    row = result
    return Status(
        201,
        {
            "id": row.pk,
            "component_id": row.component_id,
            "name": row.name,
            "originals": row.originals,
            "copies": row.copies,
            "has_file": bool(row.file),
            "reused_document_id": row.reused_document_id,
        },
    )


# Declared before GET /dossiers/{code}: Django tries the URL patterns in order, and
# "{code}" would take "counter" (answering 405 to its POST).
@router.post(
    "/dossiers/counter",
    auth=django_auth,
    response={201: DossierOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Tiếp nhận hồ sơ tại quầy",
)
def counter(request: HttpRequest, payload: CounterIn) -> Any:
    """Receive a dossier at the counter: it is accepted and sent to processing at once."""
    user = _official(request)
    errors: dict[str, list[str]] = {}
    procedure = _procedure(payload.procedure, errors)
    agency = _agency(payload.agency, errors, procedure)
    if agency is not None and not intake.is_onestop_officer(user, agency):
        raise HttpError(403, _("Bạn không phải cán bộ một cửa của cơ quan này."))
    components = _components_of(procedure)
    received = []
    for item in payload.components if procedure is not None else []:
        component = components.get(item.component_id)
        if component is None:
            errors.setdefault("components", []).append(
                _("Thủ tục không có thành phần số %(id)s.") % {"id": item.component_id}
            )
            continue
        received.append(
            intake.ReceivedComponent(component, originals=item.originals, copies=item.copies)
        )
    if errors or procedure is None or agency is None:
        return _unprocessable(errors)
    applicant = intake.Applicant(**payload.applicant.dict())
    result = _run(
        lambda: intake.receive_at_counter(
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            components_received=received,
            form_data=payload.form_data,
            channel=payload.channel,
            by=user,
        )
    )
    if isinstance(result, Dossier):
        return Status(201, dossier_out(result))
    return result


@router.get(
    "/dossiers/mine",
    auth=django_auth,
    response={200: list[DossierItemOut], 401: ErrorOut, 403: ErrorOut},
    summary="Hồ sơ của tôi",
)
@paginate(LimitOffsetPagination)
def mine(request: HttpRequest) -> Any:
    """The citizen's dossiers, newest first."""
    user = _citizen(request)
    return [
        {
            "code": d.code,
            "procedure_code": d.procedure.code,
            "procedure_name": d.procedure.name,
            "agency": d.agency.name,
            "status": d.status,
            "status_label": d.get_status_display(),
            "submitted_at": d.submitted_at,
            "received_at": d.received_at,
            "due_date": d.due_date,
        }
        for d in intake.my_dossiers(user)
    ]


@router.get(
    "/dossiers/{code}",
    auth=django_auth,
    response={200: DossierOut, 401: ErrorOut, 404: ErrorOut},
    summary="Một hồ sơ (người nộp hoặc cán bộ có thẩm quyền)",
)
def detail(request: HttpRequest, code: str) -> Any:
    """A dossier for its applicant or an official in scope; 404 for anyone else."""
    return dossier_out(_visible(request, code))


@router.get(
    "/dossiers/{code}/receipt",
    auth=django_auth,
    response={200: None, 401: ErrorOut, 404: ErrorOut},
    summary="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)",
)
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    """The receipt slip of a received dossier, as PDF."""
    dossier = _visible(request, code)
    if dossier.received_at is None:
        raise HttpError(404, _("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận."))
    response = HttpResponse(slips.receipt_pdf(dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-tiep-nhan-{dossier.code}.pdf"'
    return response


# --- Officials ------------------------------------------------------------------------------


def _officer_dossier(request: HttpRequest, code: str) -> tuple[User, Dossier]:
    user = _official(request)
    dossier = _visible(request, code)
    return user, dossier


@router.post(
    "/dossiers/{code}/accept",
    auth=django_auth,
    response={
        200: DossierOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Tiếp nhận hồ sơ trực tuyến",
)
def accept(request: HttpRequest, code: str) -> Any:
    """Accept an online dossier: due date, case started, status 4 (processing)."""
    user, dossier = _officer_dossier(request, code)
    result = _run(lambda: intake.accept(dossier=dossier, by=user))
    return dossier_out(result) if isinstance(result, Dossier) else result


@router.post(
    "/dossiers/{code}/refuse",
    auth=django_auth,
    response={
        200: DossierOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Từ chối tiếp nhận hồ sơ",
)
def refuse(request: HttpRequest, code: str, payload: RefuseIn) -> Any:
    """Refuse an online dossier with reasons (status 3)."""
    user, dossier = _officer_dossier(request, code)
    result = _run(lambda: intake.refuse(dossier=dossier, reasons=payload.reasons, by=user))
    return dossier_out(result) if isinstance(result, Dossier) else result


# --- Public ---------------------------------------------------------------------------------


@router.get(
    "/lookup/{code}",
    auth=None,
    response={200: LookupOut, 404: ErrorOut},
    summary="Tra cứu hồ sơ theo mã (công khai)",
)
def lookup(request: HttpRequest, code: str) -> Any:
    """Status and public history of a dossier; no personal data beyond a masked name.

    `public_lookup` builds its answer in `LookupOut`'s shape (a test holds it to the schema),
    so it is rendered as it is: validating it again through the schema on every call cost a
    tenth of the platform's busiest request (docs/performance.md).
    """
    result = intake.public_lookup(code)
    if result is None:
        raise HttpError(404, _("Không tìm thấy hồ sơ có mã này."))
    return JsonResponse(result, encoder=NinjaJSONEncoder)
