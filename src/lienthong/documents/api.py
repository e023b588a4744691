"""Documents API, under /api/documents/ (session authentication; officials only).

    GET  /types                                   document types (Appendix III + công văn)
    GET  /incoming?year=&status=&q=&overdue=      incoming documents the caller sees
    POST /incoming                                register a paper document (clerk); 201,
                                                  409 {"detail", "existing"} on a duplicate
                                                  unless "confirm_duplicate": true; 422 bad input
    POST /incoming/edxml                          register an edXML envelope (file upload; clerk)
    GET  /incoming/{id}                           one document with assignments and opinions
    POST /incoming/{id}/accept | /refuse          an arrived electronic document (clerk)
    POST /incoming/{id}/assign                    the leader's assignment
    POST /incoming/{id}/opinions                  an opinion
    POST /incoming/{id}/complete                  completion by the lead unit
    POST /incoming/{id}/follow-up                 đôn đốc (clerk, leader)
    GET  /incoming/register.xlsx|.pdf?agency=&year=   the 10-column register
    GET  /search?q=&direction=&year=&type=&issuer=&urgency=&date_from=&date_to=
                                                  incoming and outgoing, visibility applied

Errors: 422 with field errors, 409 wrong state or duplicate, 404 for what the caller may not
see, 403 when they see it but may not act.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user
from lienthong.documents import selectors, services
from lienthong.documents.models import DocumentType, IncomingDocument

router = Router(tags=["Văn bản"], auth=django_auth)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DocumentTypeOut(Schema):
    code: str
    name: str
    has_code: bool


class IncomingIn(Schema):
    agency: int
    issuer: str
    subject: str
    document_type: str
    code_number: str = ""
    code_notation: str = ""
    issued_date: datetime.date | None = None
    urgency: int = 0
    secrecy: int = 0
    recipient: str = ""
    signer: str = ""
    due_date: datetime.date | None = None
    notes: str = ""
    issuer_code: str = ""
    confirm_duplicate: bool = False


class AssignIn(Schema):
    lead_unit: int
    cooperating: list[int] = []
    informed: list[int] = []
    deadline: datetime.date | None = None
    instruction: str = ""


class TextIn(Schema):
    text: str = ""


class RefuseIn(Schema):
    reason: str = ""


class CompleteIn(Schema):
    result: str = ""


class AcceptIn(Schema):
    confirm_duplicate: bool = False


class SearchParams(Schema):
    q: str = ""
    direction: str = ""
    year: int | None = None
    type: str = ""
    issuer: str = ""
    urgency: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    limit: int = 20
    offset: int = 0


def _official(request: HttpRequest) -> Any:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ dành cho cán bộ, công chức."))
    return request.user


def _field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", name], "msg": str(message)}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"loc": ["body"], "msg": str(m)} for m in exc.messages]


def _call(request: HttpRequest, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a service and map its refusals to HTTP answers."""
    try:
        return fn(*args, **kwargs)
    except services.DuplicateDocument as exc:
        raise _Conflict(
            {"detail": str(exc.messages[0]), "existing": incoming_out(exc.existing)}
        ) from None
    except services.WrongState as exc:
        raise _Conflict({"detail": str(exc)}) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không có quyền.")) from None
    except ValidationError as exc:
        raise _Invalid(_field_errors(exc)) from None


class _Conflict(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body


class _Invalid(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors


def install_handlers(api: Any) -> None:
    """409 and 422 answers of this router (called once from lienthong.api)."""

    @api.exception_handler(_Conflict)
    def conflict(request: HttpRequest, exc: _Conflict) -> HttpResponse:
        return api.create_response(request, exc.body, status=409)

    @api.exception_handler(_Invalid)
    def invalid(request: HttpRequest, exc: _Invalid) -> HttpResponse:
        return api.create_response(
            request, {"detail": "Dữ liệu không hợp lệ.", "errors": exc.errors}, status=422
        )


def incoming_out(document: IncomingDocument, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": document.pk,
        "agency": document.agency_id,
        "status": document.status,
        "status_label": str(document.get_status_display()),
        "arrival_number": document.arrival_number,
        "arrival_year": document.arrival_year,
        "arrived_at": document.arrived_at,
        "registered_at": document.registered_at,
        "issuer": document.issuer,
        "number_notation": document.number_notation,
        "code_number": document.code_number,
        "code_notation": document.code_notation,
        "issued_date": document.issued_date,
        "document_type": document.document_type.code,
        "subject": document.subject,
        "urgency": document.urgency,
        "secrecy": document.secrecy,
        "recipient": document.recipient,
        "lead_unit": document.lead_unit_id,
        "deadline": document.deadline,
        "overdue": document.is_overdue,
        "duplicate_of": document.duplicate_of_id,
        "url": document.get_absolute_url(),
    }
    if full:
        out["assignments"] = [
            {"unit": a.unit_id, "unit_name": a.unit.name, "part": a.part, "task": a.task_id}
            for a in document.assignments.select_related("unit")
        ]
        out["opinions"] = [
            {
                "kind": o.kind,
                "author": o.author.get_full_name() or o.author.username,
                "unit": o.unit_id,
                "text": o.text,
                "created_at": o.created_at,
            }
            for o in document.opinions.select_related("author")
        ]
        out["files"] = [
            {"name": f.name, "size": f.size, "sha256": f.sha256} for f in document.files.all()
        ]
        out["instruction"] = document.instruction
        out["result"] = document.result
        out["refusal_reason"] = document.refusal_reason
    return out


def _agency(request: HttpRequest, pk: int) -> OrgUnit:
    agency = OrgUnit.objects.filter(pk=pk, is_agency=True).first()
    if agency is None:
        raise _Invalid([{"loc": ["body", "agency"], "msg": _("Không có cơ quan này.")}])
    return agency


def _type(code: str) -> DocumentType:
    found = DocumentType.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise _Invalid(
            [{"loc": ["body", "document_type"], "msg": _("Không có loại văn bản %s.") % code}]
        )
    return found


def _document(request: HttpRequest, pk: int) -> IncomingDocument:
    try:
        return selectors.incoming_for(request.user, pk)
    except Http404:
        raise
    except IncomingDocument.DoesNotExist:
        raise Http404 from None


@router.get("/types", response=list[DocumentTypeOut], summary="Loại văn bản")
def list_types(request: HttpRequest) -> Any:
    """Document types of Decree 30/2020, Appendix III, plus công văn."""
    return list(DocumentType.objects.filter(is_active=True))


@router.get("/incoming", summary="Văn bản đến")
def list_incoming(
    request: HttpRequest,
    year: int | None = Query(None, ge=1, le=9999),  # a year Python's dates can hold
    status: str = "",
    overdue: bool = False,
    agency: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Any:
    user = _official(request)
    documents = selectors.incoming_list(
        user, year=year, status=status, overdue=overdue, agency=agency
    )
    limit = max(1, min(limit, 200))
    page = documents[max(0, offset) : max(0, offset) + limit]
    return {"count": documents.count(), "items": [incoming_out(d) for d in page]}


@router.post("/incoming", response={201: dict}, summary="Vào sổ văn bản đến")
def register_incoming(request: HttpRequest, payload: IncomingIn) -> Any:
    user = _official(request)
    data = services.IncomingData(
        issuer=payload.issuer,
        subject=payload.subject,
        document_type=_type(payload.document_type),
        code_number=payload.code_number,
        code_notation=payload.code_notation,
        issued_date=payload.issued_date,
        urgency=payload.urgency,
        secrecy=payload.secrecy,
        recipient=payload.recipient,
        signer=payload.signer,
        due_date=payload.due_date,
        notes=payload.notes,
        issuer_code=payload.issuer_code,
    )
    document = _call(
        request,
        services.register_incoming,
        agency=_agency(request, payload.agency),
        data=data,
        confirm_duplicate=payload.confirm_duplicate,
        by=user,
    )
    return Status(201, incoming_out(document, full=True))


@router.post("/incoming/edxml", response={201: dict}, summary="Vào sổ từ gói edXML")
def register_edxml(
    request: HttpRequest,
    agency: Form[int],
    file: File[UploadedFile],
    confirm_duplicate: Form[bool] = False,
) -> Any:
    from lienthong.exchange.adapters import edxml

    user = _official(request)
    try:
        envelope = edxml.parse(file.read())
    except edxml.EdxmlError as exc:
        raise _Invalid([{"loc": ["body", "file"], "msg": str(exc)}]) from None
    document = _call(
        request,
        services.register_from_envelope,
        envelope,
        _agency(request, agency),
        None,
        user,
        confirm_duplicate=confirm_duplicate,
    )
    return Status(201, incoming_out(document, full=True))


@router.get("/incoming/register.{fmt}", summary="Sổ đăng ký văn bản đến (XLSX, PDF)")
def incoming_register(
    request: HttpRequest,
    fmt: str,
    agency: int,
    year: int,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    type: str = "",
) -> HttpResponse:
    user = _official(request)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    found = selectors.agencies_for_register(user).filter(pk=agency).first()
    if found is None:
        raise Http404
    content, content_type, name = selectors.incoming_register_file(
        user, found, year, fmt, date_from=date_from, date_to=date_to, type_code=type
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/incoming/{pk}", summary="Một văn bản đến")
def get_incoming(request: HttpRequest, pk: int) -> Any:
    _official(request)
    return incoming_out(_document(request, pk), full=True)


@router.post("/incoming/{pk}/accept", summary="Tiếp nhận văn bản điện tử")
def accept(request: HttpRequest, pk: int, payload: AcceptIn) -> Any:
    user = _official(request)
    document = _call(
        request,
        services.accept_arrived,
        _document(request, pk),
        confirm_duplicate=payload.confirm_duplicate,
        by=user,
    )
    return incoming_out(document, full=True)


@router.post("/incoming/{pk}/refuse", summary="Từ chối tiếp nhận")
def refuse(request: HttpRequest, pk: int, payload: RefuseIn) -> Any:
    user = _official(request)
    document = _call(
        request, services.refuse_arrived, _document(request, pk), reason=payload.reason, by=user
    )
    return incoming_out(document, full=True)


def _units(ids: list[int], name: str) -> list[OrgUnit]:
    units = list(OrgUnit.objects.filter(pk__in=ids))
    if len(units) != len(set(ids)):
        raise _Invalid([{"loc": ["body", name], "msg": _("Có đơn vị không tồn tại.")}])
    return units


@router.post("/incoming/{pk}/assign", summary="Phân công xử lý")
def assign(request: HttpRequest, pk: int, payload: AssignIn) -> Any:
    user = _official(request)
    document = _document(request, pk)
    lead = _units([payload.lead_unit], "lead_unit")[0]
    document = _call(
        request,
        services.assign,
        document,
        lead_unit=lead,
        cooperating=_units(payload.cooperating, "cooperating"),
        informed=_units(payload.informed, "informed"),
        deadline=payload.deadline,
        instruction=payload.instruction,
        by=user,
    )
    return incoming_out(document, full=True)


@router.post("/incoming/{pk}/opinions", response={201: dict}, summary="Cho ý kiến")
def opinion(request: HttpRequest, pk: int, payload: TextIn) -> Any:
    user = _official(request)
    _call(request, services.add_opinion, _document(request, pk), text=payload.text, by=user)
    return Status(201, incoming_out(_document(request, pk), full=True))


@router.post("/incoming/{pk}/complete", summary="Hoàn thành xử lý")
def complete(request: HttpRequest, pk: int, payload: CompleteIn) -> Any:
    user = _official(request)
    document = _call(
        request, services.complete, _document(request, pk), result=payload.result, by=user
    )
    return incoming_out(document, full=True)


@router.post("/incoming/{pk}/follow-up", response={201: dict}, summary="Đôn đốc")
def follow_up(request: HttpRequest, pk: int, payload: TextIn) -> Any:
    user = _official(request)
    _call(request, services.follow_up, _document(request, pk), message=payload.text, by=user)
    return Status(201, incoming_out(_document(request, pk), full=True))


@router.get("/search", summary="Tìm kiếm văn bản đến và đi")
def search(request: HttpRequest, params: Query[SearchParams]) -> Any:
    user = _official(request)
    try:
        result = selectors.search_documents(
            user,
            q=params.q,
            direction=params.direction,
            year=params.year,
            type_code=params.type,
            issuer=params.issuer,
            urgency=params.urgency,
            date_from=params.date_from,
            date_to=params.date_to,
            limit=params.limit,
            offset=params.offset,
        )
    except ValidationError as exc:
        raise _Invalid(
            [
                {"loc": ["query", name], "msg": str(m)}
                for name, messages in exc.message_dict.items()
                for m in messages
            ]
        ) from None
    return result.as_json()
