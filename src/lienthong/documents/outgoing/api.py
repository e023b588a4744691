"""Outgoing documents API, under /api/documents/outgoing/ (officials' session).

GET / (visible documents, filters `status`, `q`, `year`), POST / (a draft, JSON), GET /{id},
POST /{id}/files (multipart `file`, `kind` main|attachment), GET /{id}/files/{file_id}
(download), POST /{id}/submit | approve | return | sign | number | issue | send, GET
/register (the ten columns as JSON; `format=xlsx|pdf` for the file), POST /certificates
(import one's own PKCS#12). A second router answers POST /api/documents/verify-pdf (a PDF as
multipart `file`: its signatures verified against the trusted roots).

Answers: 422 with one message per field for bad input (nothing written), 409 when the
document is not in the state the step needs, 403 when the caller may see the document but
not take the step, 404 for what the caller may not see.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.security import django_auth

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user
from lienthong.documents.models import DocumentType
from lienthong.documents.outgoing import selectors, services, signing
from lienthong.documents.outgoing.models import OutgoingDocument, OutgoingFile, OutgoingStatus
from lienthong.documents.registers import register_pdf, register_xlsx
from lienthong.documents.visibility import agencies_of

router = Router(tags=["documents: văn bản đi"], auth=django_auth)
verify_router = Router(tags=["documents: chữ ký số"], auth=django_auth)


class RecipientIn(Schema):
    """A receiver: `agency` (id or code of an agency of this deployment) or `organ_id` and
    `name` of an outside organ; `electronic` False for paper."""

    agency: str = ""
    organ_id: str = ""
    name: str = ""
    electronic: bool = True


class DraftIn(Schema):
    drafting_unit: int
    document_type: str
    subject: str
    content: str = ""
    urgency: int = 0
    secrecy: int = 0
    is_legal: bool = False
    recipients: list[RecipientIn] = []
    recipients_text: str = ""
    due_date: datetime.date | None = None
    place: str = ""


class RecipientOut(Schema):
    name: str
    organ_id: str
    electronic: bool
    state: str
    status_code: str
    status_description: str
    status_at: datetime.datetime | None
    sent_at: datetime.datetime | None
    error: str


class FileOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    sha256: str
    url: str


class HistoryOut(Schema):
    action: str
    by: str
    at: datetime.datetime
    comment: str


class DocumentOut(Schema):
    id: int
    status: str
    status_label: str
    agency: str
    agency_code: str
    drafting_unit: str
    document_type: str
    subject: str
    urgency: int
    secrecy: int
    is_legal: bool
    number: int | None
    number_notation: str
    series: str
    year: int | None
    signer: str
    signed_at: datetime.datetime | None
    issued_date: datetime.date | None
    copies: int
    sent_at: datetime.datetime | None
    document_id: str
    url: str


class DocumentDetailOut(DocumentOut):
    content: str
    review_comment: str
    recipients_text: str
    actions: list[str]
    recipients: list[RecipientOut]
    files: list[FileOut]
    history: list[HistoryOut]


class SubmitIn(Schema):
    reviewer: int
    signer: int | None = None
    comment: str = ""


class ApproveIn(Schema):
    signer: int | None = None
    comment: str = ""


class ReturnIn(Schema):
    comment: str


class SignIn(Schema):
    passphrase: str
    position: str = ""
    competence: str = ""


class IssueIn(Schema):
    issued_date: datetime.date | None = None
    copies: int | None = None


class RegisterOut(Schema):
    agency: str
    year: int
    columns: list[str]
    rows: list[list[Any]]


class CertificateOut(Schema):
    id: int
    common_name: str
    issuer: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    fingerprint: str


def _invalid(exc: ValidationError, where: str = "body") -> NinjaValidationError:
    if hasattr(exc, "error_dict"):
        return NinjaValidationError(
            [
                {"loc": [where, name], "msg": message, "type": "invalid"}
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        )
    return NinjaValidationError(
        [{"loc": [where], "msg": message, "type": "invalid"} for message in exc.messages]
    )


def _field_error(name: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["body", name], "msg": message, "type": "invalid"}])


def _official(request: HttpRequest) -> User:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ dành cho cán bộ, công chức."))
    user = request.user
    assert isinstance(user, User)
    return user


def _document_out(document: OutgoingDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "status": document.status,
        "status_label": str(document.get_status_display()),
        "agency": document.agency.name,
        "agency_code": document.agency.code or "",
        "drafting_unit": document.drafting_unit.name,
        "document_type": document.document_type.code,
        "subject": document.subject,
        "urgency": document.urgency,
        "secrecy": document.secrecy,
        "is_legal": document.is_legal,
        "number": document.number,
        "number_notation": document.number_notation,
        "series": document.series,
        "year": document.year,
        "signer": document.signer_name,
        "signed_at": document.signed_at,
        "issued_date": document.issued_date,
        "copies": document.copies,
        "sent_at": document.sent_at,
        "document_id": document.edxml_document_id,
        "url": document.get_absolute_url(),
    }


def _detail(user: User, document: OutgoingDocument) -> dict[str, Any]:
    document = selectors.get_visible(user, document.pk)
    return {
        **_document_out(document),
        "content": document.content,
        "review_comment": document.review_comment,
        "recipients_text": document.recipients_text,
        "actions": sorted(services.allowed_actions(user, document)),
        "recipients": [
            {
                "name": row.name,
                "organ_id": row.organ_id,
                "electronic": row.electronic,
                "state": row.state,
                "status_code": row.status_code,
                "status_description": row.status_description,
                "status_at": row.status_at,
                "sent_at": row.sent_at,
                "error": row.error,
            }
            for row in document.recipients.all()
        ],
        "files": [
            {
                "id": file.pk,
                "kind": file.kind,
                "name": file.name,
                "size": file.size,
                "sha256": file.sha256,
                "url": f"/api/documents/outgoing/{document.pk}/files/{file.pk}",
            }
            for file in document.files.all()
        ],
        "history": [
            {
                "action": entry.action,
                "by": str(entry.by) if entry.by else "",
                "at": entry.at,
                "comment": entry.comment,
            }
            for entry in document.history.all()
        ],
    }


def _get(request: HttpRequest, pk: int) -> tuple[User, OutgoingDocument]:
    user = _official(request)
    return user, selectors.get_visible(user, pk)


def _run(step: Any, *args: Any, **kwargs: Any) -> None:
    """A service call with its errors as API answers (422, 409, 403)."""
    try:
        step(*args, **kwargs)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except services.InvalidState as exc:
        raise HttpError(409, str(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không thực hiện được thao tác này.")) from exc


def _user_field(pk: int | None, name: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise _field_error(name, _("Không có người dùng này."))
    return user


def _recipients(items: list[RecipientIn]) -> list[services.RecipientSpec]:
    specs = []
    for index, item in enumerate(items):
        agency = None
        if item.agency:
            agency = OrgUnit.objects.agencies().filter(code=item.agency).first()
            if agency is None and item.agency.isdigit():
                agency = OrgUnit.objects.agencies().filter(pk=int(item.agency)).first()
            if agency is None:
                raise NinjaValidationError(
                    [
                        {
                            "loc": ["body", "recipients", index, "agency"],
                            "msg": _("Không có cơ quan này trong hệ thống."),
                            "type": "invalid",
                        }
                    ]
                )
        specs.append(
            services.RecipientSpec(
                agency=agency, organ_id=item.organ_id, name=item.name, electronic=item.electronic
            )
        )
    return specs


@router.get("/", response=list[DocumentOut], summary="Danh sách văn bản đi")
def list_documents(
    request: HttpRequest,
    status: str = Query("", description="draft, under_review, approved, signed, … sent"),
    q: str = Query("", description="Số, ký hiệu hoặc trích yếu"),
    year: int | None = Query(None, description="Năm"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    """Outgoing documents the caller sees, newest first."""
    user = _official(request)
    if status and status not in OutgoingStatus.values:
        raise NinjaValidationError(
            [{"loc": ["query", "status"], "msg": _("Trạng thái không hợp lệ."), "type": "invalid"}]
        )
    documents = selectors.search(user, q=q[:200], status=status, year=year)
    return [_document_out(d) for d in documents[offset : offset + limit]]


@router.post("/", response={201: DocumentDetailOut}, summary="Tạo dự thảo văn bản đi")
def create_document(request: HttpRequest, payload: DraftIn) -> Status[dict[str, Any]]:
    """A new draft of the drafting unit's agency."""
    user = _official(request)
    unit = OrgUnit.objects.filter(pk=payload.drafting_unit).first()
    if unit is None:
        raise _field_error("drafting_unit", _("Không có đơn vị này."))
    document_type = DocumentType.objects.filter(code=payload.document_type).first()
    if document_type is None:
        raise _field_error("document_type", _("Loại văn bản không hợp lệ."))
    recipients = _recipients(payload.recipients)
    try:
        document = services.create_draft(
            drafting_unit=unit,
            document_type=document_type,
            subject=payload.subject,
            content=payload.content,
            urgency=payload.urgency,
            secrecy=payload.secrecy,
            is_legal=payload.is_legal,
            recipients=recipients,
            recipients_text=payload.recipients_text,
            due_date=payload.due_date,
            place=payload.place,
            by=user,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(201, _detail(user, document))


@router.get("/register", response=RegisterOut, summary="Sổ đăng ký văn bản đi")
def register(
    request: HttpRequest,
    agency: str = Query(..., description="Mã định danh hoặc id của cơ quan"),
    year: int = Query(..., ge=1900, le=9999),
    series: str = Query("", description="outgoing, legal, secret (trống: tất cả)"),
    format: str = Query("", description="xlsx hoặc pdf để tải tệp"),
) -> Any:
    """The ten columns of Appendix IV, in number order; as XLSX or PDF with `format`."""
    user = _official(request)
    agencies = agencies_of(user)
    found = agencies.filter(code=agency).first() or (
        agencies.filter(pk=int(agency)).first() if agency.isdigit() else None
    )
    if found is None:
        raise NinjaValidationError(
            [{"loc": ["query", "agency"], "msg": _("Không có cơ quan này."), "type": "invalid"}]
        )
    if format not in ("", "xlsx", "pdf"):
        raise NinjaValidationError(
            [{"loc": ["query", "format"], "msg": _("Chỉ nhận xlsx hoặc pdf."), "type": "invalid"}]
        )
    if series and series not in ("outgoing", "legal", "secret"):
        raise NinjaValidationError(
            [{"loc": ["query", "series"], "msg": _("Sổ không hợp lệ."), "type": "invalid"}]
        )
    documents = selectors.register_documents(user, agency=found, year=year, series=series)
    rows = [selectors.register_row(d) for d in documents]
    columns = selectors.register_columns()
    title = _("Sổ đăng ký văn bản đi")
    subtitle = f"{found.name} — {year}"
    if format == "xlsx":
        response = HttpResponse(
            register_xlsx(title, columns, rows, subtitle=subtitle),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="so-van-ban-di-{year}.xlsx"'
        return response
    if format == "pdf":
        response = HttpResponse(
            register_pdf(title, columns, rows, subtitle=subtitle), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="so-van-ban-di-{year}.pdf"'
        return response
    return {"agency": found.code or found.name, "year": year, "columns": columns, "rows": rows}


@router.post("/certificates", response={201: CertificateOut}, summary="Nhập chứng thư số")
def import_certificate(
    request: HttpRequest, file: File[UploadedFile], passphrase: Form[str]
) -> Status[dict[str, Any]]:
    """Import the caller's own PKCS#12 store (checked with its passphrase, not kept)."""
    user = _official(request)
    data = file.read(1024 * 1024 + 1)
    if len(data) > 1024 * 1024:
        raise _field_error("file", _("Tệp chứng thư số quá lớn."))
    try:
        certificate = services.import_certificate(
            user=user, pkcs12=data, passphrase=passphrase, by=user
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(
        201,
        {
            "id": certificate.pk,
            "common_name": certificate.common_name,
            "issuer": certificate.issuer,
            "not_before": certificate.not_before,
            "not_after": certificate.not_after,
            "fingerprint": certificate.fingerprint,
        },
    )


@router.get("/{pk}", response=DocumentDetailOut, summary="Một văn bản đi")
def get_document(request: HttpRequest, pk: int) -> dict[str, Any]:
    user, document = _get(request, pk)
    return _detail(user, document)


@router.post("/{pk}/files", response={201: DocumentDetailOut}, summary="Đính kèm tệp vào dự thảo")
def add_file(
    request: HttpRequest, pk: int, file: File[UploadedFile], kind: Form[str] = "main"
) -> Status[dict[str, Any]]:
    user, document = _get(request, pk)
    _run(services.add_file, document, upload=file, kind=kind, by=user)
    return Status(201, _detail(user, document))


@router.get("/{pk}/files/{file_id}", summary="Tải tệp của văn bản đi")
def download_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    _user, document = _get(request, pk)
    file = get_object_or_404(OutgoingFile, pk=file_id, document=document)
    return FileResponse(
        file.file.open("rb"), as_attachment=True, filename=file.name, content_type=file.content_type
    )


@router.post("/{pk}/submit", response=DocumentDetailOut, summary="Trình duyệt")
def submit(request: HttpRequest, pk: int, payload: SubmitIn) -> dict[str, Any]:
    user, document = _get(request, pk)
    reviewer = _user_field(payload.reviewer, "reviewer")
    signer = _user_field(payload.signer, "signer")
    assert reviewer is not None
    _run(
        services.submit_for_review,
        document,
        reviewer=reviewer,
        signer=signer,
        comment=payload.comment,
        by=user,
    )
    return _detail(user, document)


@router.post("/{pk}/approve", response=DocumentDetailOut, summary="Duyệt dự thảo")
def approve(request: HttpRequest, pk: int, payload: ApproveIn) -> dict[str, Any]:
    user, document = _get(request, pk)
    signer = _user_field(payload.signer, "signer")
    _run(services.approve, document, signer=signer, comment=payload.comment, by=user)
    return _detail(user, document)


@router.post("/{pk}/return", response=DocumentDetailOut, summary="Trả lại dự thảo")
def return_draft(request: HttpRequest, pk: int, payload: ReturnIn) -> dict[str, Any]:
    user, document = _get(request, pk)
    _run(services.return_draft, document, comment=payload.comment, by=user)
    return _detail(user, document)


@router.post("/{pk}/sign", response=DocumentDetailOut, summary="Ký số văn bản")
def sign(request: HttpRequest, pk: int, payload: SignIn) -> dict[str, Any]:
    user, document = _get(request, pk)
    _run(
        services.sign,
        document,
        passphrase=payload.passphrase,
        position=payload.position,
        competence=payload.competence,
        by=user,
    )
    return _detail(user, document)


@router.post("/{pk}/number", response=DocumentDetailOut, summary="Cấp số văn bản")
def number(request: HttpRequest, pk: int) -> dict[str, Any]:
    user, document = _get(request, pk)
    _run(services.assign_number, document, by=user)
    return _detail(user, document)


@router.post("/{pk}/issue", response=DocumentDetailOut, summary="Ban hành văn bản")
def issue(request: HttpRequest, pk: int, payload: IssueIn) -> dict[str, Any]:
    user, document = _get(request, pk)
    _run(services.issue, document, issued_date=payload.issued_date, copies=payload.copies, by=user)
    return _detail(user, document)


@router.post("/{pk}/send", response=DocumentDetailOut, summary="Gửi văn bản (edXML)")
def send(request: HttpRequest, pk: int) -> dict[str, Any]:
    user, document = _get(request, pk)
    _run(services.send, document, by=user)
    return _detail(user, document)


class SignatureOut(Schema):
    field_name: str
    signer: str
    signer_subject: str
    signer_serial: str
    signer_fingerprint: str
    signing_time: datetime.datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    modification_level: str
    problem: str


class VerificationOut(Schema):
    signed: bool
    intact: bool
    trusted: bool
    signer: str
    signing_time: datetime.datetime | None
    signatures: list[SignatureOut]


@verify_router.post("/verify-pdf", response=VerificationOut, summary="Kiểm tra chữ ký số PDF")
def verify_pdf(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Verify the signatures of a PDF against the trusted roots (no network)."""
    _official(request)
    data = file.read(signing.DEFAULT_MAX_PDF_BYTES + 1)
    try:
        result = services.verify_pdf(data)
    except signing.InvalidPdf as exc:
        raise _field_error("file", str(exc)) from exc
    return result.as_dict()
