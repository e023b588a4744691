"""Legal registry API, under /api/registries/legal/.

Reading is public: GET /documents (paged; `q` folded full text or a number, filters `type`,
`issuer`, `year`, `status`), GET /documents/{ref} and /documents/{ref}/relations, where
`ref` is the id, the slug (`02-2011-qh13`) or the number itself (`02/2011/QH13`). Bad
parameters answer 422 with one Vietnamese message per field, like the search API.

Writes need a session (401 without) and the registry-owner role for the document's agency
(403 without): POST /documents, PATCH and DELETE (soft) /documents/{ref}, POST
/documents/{ref}/restore, POST /documents/{ref}/relations, DELETE
/documents/{ref}/relations/{id}, POST /documents/import (a CSV/XLSX file, answered as every
registry's import: 201 with counts, 422 with the row report). Deleted documents answer 404
to every read. GET /documents/export streams what GET /documents finds (public).

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.security import django_auth

from lienthong.core.models import OrgUnit
from lienthong.registries.base import importing
from lienthong.registries.base.api import ImportOut, ImportRejectedOut, import_upload
from lienthong.registries.base.services import can_edit_for
from lienthong.registries.base.views import export_response
from lienthong.registries.legal import files, selectors, services
from lienthong.registries.legal.forms import SearchForm
from lienthong.registries.legal.models import DocumentRelation, LegalDocument
from lienthong.registries.legal.parsing import DocumentData, document_type

router = Router(tags=["registries: văn bản quy phạm pháp luật"])


class ErrorOut(Schema):
    detail: str


class DocumentOut(Schema):
    """A document in a list; with a query, also why it matched."""

    id: int
    number: str
    slug: str
    type: str
    type_label: str
    issuer: str
    issued_date: datetime.date | None
    effective_date: datetime.date | None
    expiry_date: datetime.date | None
    status: str
    status_label: str
    title: str
    url: str
    score: float | None = SchemaField(None, description="Chỉ khi có q; cao hơn là khớp hơn")
    snippet: str = ""
    snippet_html: str = ""


class DocumentPageOut(Schema):
    """A page of documents: ranked by `q` if given, else newest first."""

    q: str
    parsed: str
    total: int
    limit: int
    offset: int
    items: list[DocumentOut]


class RelationOut(Schema):
    """A relation, read "<source_number> <kind_label> <target_number>"."""

    id: int
    kind: str
    kind_label: str
    inverse_label: str
    source_id: int
    source_number: str
    target_id: int | None = SchemaField(None, description="Trống: chưa có trong cơ sở dữ liệu")
    target_number: str
    note: str
    origin: str


class RelationsOut(Schema):
    outgoing: list[RelationOut]
    incoming: list[RelationOut]


class OwnerOut(Schema):
    id: int
    code: str | None
    name: str


class DocumentDetailOut(DocumentOut):
    """The whole document, with its relations both ways."""

    effective_note: str
    status_locked: bool
    source: str
    source_url: str
    text_form: str
    owner: OwnerOut | None
    text: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    relations: RelationsOut


class DocumentIn(Schema):
    """A new document. `type`: law, decree, … or the official name (Luật, Nghị định, …)."""

    number: str
    type: str
    issuer: str
    title: str
    text: str = ""
    issued_date: datetime.date | None = None
    effective_date: datetime.date | None = None
    expiry_date: datetime.date | None = None
    effective_note: str = ""
    source: str = ""
    source_url: str = ""
    status: str = SchemaField("", description="Trống: tự tính; có giá trị: giữ cố định")
    owner: str = SchemaField("", description="Mã cơ quan hoặc id đơn vị quản lý bản ghi")


class DocumentPatch(Schema):
    """Fields to change; those left out stay. `status_locked: false` lets status be computed."""

    number: str | None = None
    type: str | None = None
    issuer: str | None = None
    title: str | None = None
    text: str | None = None
    issued_date: datetime.date | None = None
    effective_date: datetime.date | None = None
    expiry_date: datetime.date | None = None
    effective_note: str | None = None
    source: str | None = None
    source_url: str | None = None
    status: str | None = None
    status_locked: bool | None = None
    owner: str | None = None


class RelationIn(Schema):
    kind: str = SchemaField(..., description="amends, replaces, partly_replaces, guides, based_on")
    target_number: str
    note: str = ""


def _document_out(document: LegalDocument, **extra: Any) -> dict[str, Any]:
    return {
        "id": document.pk,
        "number": document.number,
        "slug": document.slug,
        "type": document.doc_type,
        "type_label": document.get_doc_type_display(),
        "issuer": document.issuer,
        "issued_date": document.issued_date,
        "effective_date": document.effective_date,
        "expiry_date": document.expiry_date,
        "status": document.status,
        "status_label": document.get_status_display(),
        "title": document.title,
        "url": document.get_absolute_url(),
        **extra,
    }


def _relation_out(relation: DocumentRelation) -> dict[str, Any]:
    return {
        "id": relation.pk,
        "kind": relation.kind,
        "kind_label": relation.get_kind_display(),
        "inverse_label": relation.inverse_label,
        "source_id": relation.source_id,
        "source_number": relation.source.number,
        "target_id": relation.target_id,
        "target_number": relation.target_number,
        "note": relation.note,
        "origin": relation.origin,
    }


def _relations(document: LegalDocument) -> dict[str, Any]:
    outgoing = (
        document.relations.filter(rejected=False)
        .select_related("source", "target")
        .order_by("kind", "target_number")
    )
    incoming = document.incoming.shown().select_related("source").order_by("kind", "source__number")
    return {
        # A relation to a deleted document is not shown (it comes back with the document).
        "outgoing": [
            _relation_out(r) for r in outgoing if r.target is None or not r.target.is_deleted
        ],
        "incoming": [_relation_out(r) for r in incoming],
    }


def _get(ref: str) -> LegalDocument:
    document = LegalDocument.objects.alive().by_ref(ref).select_related("owner").first()
    if document is None:
        raise Http404
    return document


def _get_editable(request: HttpRequest, ref: str, *, deleted: bool = False) -> LegalDocument:
    documents = LegalDocument.objects.deleted() if deleted else LegalDocument.objects.alive()
    document = documents.by_ref(ref).select_related("owner").first()
    if document is None:
        raise Http404
    if not services.can_edit(request.user, document):
        raise HttpError(403, _("Bạn không có quyền sửa văn bản này."))
    return document


def _errors(exc: ValidationError, where: str = "body") -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": [where, "type" if name == "doc_type" else name], "msg": msg, "type": "invalid"}
            for name, messages in exc.message_dict.items()
            for msg in messages
        ]
    return [{"loc": [where], "msg": msg, "type": "invalid"} for msg in exc.messages]


def _owner(ref: str) -> OrgUnit | None:
    if not ref:
        return None
    owner = OrgUnit.objects.filter(code=ref).first()
    if owner is None and ref.isdigit():
        owner = OrgUnit.objects.filter(pk=int(ref)).first()
    if owner is None:
        raise NinjaValidationError(
            [
                {
                    "loc": ["body", "owner"],
                    "msg": _("Không có cơ quan, đơn vị này."),
                    "type": "invalid",
                }
            ]
        )
    return owner


def _type_code(name: str) -> str:
    code = document_type(name)
    if code is None:
        raise NinjaValidationError(
            [{"loc": ["body", "type"], "msg": _("Loại văn bản không hợp lệ."), "type": "invalid"}]
        )
    return code


def _require_editor(request: HttpRequest) -> None:
    if not services.can_edit_registry(request.user):
        raise HttpError(403, _("Bạn không có quyền cập nhật cơ sở dữ liệu văn bản."))


def _search_form(data: dict[str, Any]) -> SearchForm:
    """The search parameters checked; 422 with one message per bad parameter."""
    form = SearchForm(data)
    if not form.is_valid():
        raise NinjaValidationError(
            [
                {"loc": ["query", name], "msg": m["message"], "type": m["code"]}
                for name, messages in form.errors.get_json_data().items()
                for m in messages
            ]
        )
    return form


@router.get("/documents", response=DocumentPageOut, summary="Tra cứu văn bản")
def list_documents(
    request: HttpRequest,
    q: str = Query("", description="Từ khóa (không cần dấu) hoặc số hiệu, vd 02/2011/QH13"),
    type: str = Query("", description="law, decree, circular, decision, …"),
    issuer: str = Query("", description="Cơ quan ban hành, đúng như ghi trên văn bản"),
    year: str = Query("", description="Năm ban hành"),
    status: str = Query("", description="in_force, partly_amended, expired, not_yet_in_force"),
    limit: str | None = Query(None, description="Số kết quả, 1–100 (mặc định 20)"),
    offset: str | None = Query(None, description="Bỏ qua bấy nhiêu kết quả đầu"),
) -> dict[str, Any]:
    """Documents matching `q` (title matches first; a number finds its document first)."""
    form = _search_form(
        {
            "q": q,
            "type": type,
            "issuer": issuer,
            "year": year,
            "status": status,
            "limit": limit,
            "offset": offset,
        }
    )
    page = selectors.search_documents(
        form.cleaned_data["q"],
        form.filters(),
        limit=form.cleaned_data["limit"],
        offset=form.cleaned_data["offset"],
    )
    return {
        "q": q,
        "parsed": str(page.query) if page.query else "",
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "items": [
            _document_out(
                hit.document,
                score=hit.score,
                snippet=hit.snippet,
                snippet_html=str(hit.snippet_html),
            )
            for hit in page.hits
        ],
    }


@router.post(
    "/documents",
    auth=django_auth,
    response={201: DocumentDetailOut, 403: ErrorOut},
    summary="Thêm văn bản",
)
def create_document(request: HttpRequest, payload: DocumentIn) -> Status[dict[str, Any]]:
    """Add a document; its relations are read from its text."""
    _require_editor(request)
    data = DocumentData(
        number=payload.number,
        doc_type=_type_code(payload.type),
        issuer=payload.issuer.strip(),
        title=" ".join(payload.title.split()),
        text=payload.text,
        issued_date=payload.issued_date,
        effective_date=payload.effective_date,
        expiry_date=payload.expiry_date,
        effective_note=payload.effective_note.strip(),
        source=payload.source.strip(),
        source_url=payload.source_url.strip(),
        status=payload.status,
    )
    owner = _owner(payload.owner)
    try:
        document = services.create_document(data, owner=owner, by=request.user)
    except ValidationError as exc:
        raise NinjaValidationError(_errors(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(201, _detail(document))


@router.post(
    "/documents/import",
    auth=django_auth,
    response={201: ImportOut, 401: ErrorOut, 403: ErrorOut, 422: ImportRejectedOut},
    summary="Nhập văn bản từ tệp CSV/XLSX",
    description=(
        "Tệp có dòng lỗi không nhập văn bản nào (422 kèm báo cáo theo dòng), trừ khi "
        "`valid_only=true`: khi đó nhập các dòng hợp lệ. `owner`: mã cơ quan hoặc id đơn vị."
    ),
)
def import_documents(
    request: HttpRequest,
    file: File[UploadedFile],
    owner: Form[str],
    valid_only: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """Check a file row by row and, if it has no error (or `valid_only`), add its documents."""
    _require_editor(request)
    unit = _owner(owner.strip())
    if unit is None:
        raise NinjaValidationError(
            [
                {
                    "loc": ["form", "owner"],
                    "msg": _("Hãy cho biết cơ quan quản lý."),
                    "type": "missing",
                }
            ]
        )
    if not can_edit_for(request.user, unit):
        raise HttpError(403, _("Bạn không có quyền nhập dữ liệu cho cơ quan này."))
    return import_upload(files.DOCUMENTS, file, owner=unit, by=request.user, valid_only=valid_only)


@router.get(
    "/documents/export",
    response={200: None, 422: ErrorOut},
    summary="Xuất văn bản (CSV/XLSX)",
    description=(
        "Các văn bản mà danh sách trả về với cùng `q` và bộ lọc, theo các cột tệp nhập đọc; "
        "`text=true` thêm cột toàn văn."
    ),
)
def export_documents(
    request: HttpRequest,
    format: str = Query("csv", description="csv hoặc xlsx"),
    text: bool = Query(False, description="Kèm toàn văn"),
    q: str = "",
    type: str = "",
    issuer: str = "",
    year: str = "",
    status: str = "",
) -> HttpResponseBase:
    """What GET /documents finds, streamed as a file the import reads back."""
    form = _search_form({"q": q, "type": type, "issuer": issuer, "year": year, "status": status})
    if format not in importing.FORMATS:
        raise NinjaValidationError(
            [
                {
                    "loc": ["query", "format"],
                    "msg": _("Định dạng phải là csv hoặc xlsx."),
                    "type": "invalid",
                }
            ]
        )
    documents = files.export_queryset(form.cleaned_data["q"], form.filters(), text=text)
    problem = files.too_long_for_xlsx(documents) if text and format == "xlsx" else ""
    if problem:
        raise NinjaValidationError([{"loc": ["query", "text"], "msg": problem, "type": "invalid"}])
    return export_response(files.export_type(text=text), documents, format, request.user)


def _detail(document: LegalDocument) -> dict[str, Any]:
    document = LegalDocument.objects.select_related("owner").get(pk=document.pk)
    owner = document.owner
    return _document_out(
        document,
        effective_note=document.effective_note,
        status_locked=document.status_locked,
        source=document.source,
        source_url=document.source_url,
        text_form=document.text_form,
        owner={"id": owner.pk, "code": owner.code, "name": owner.name} if owner else None,
        text=document.text,
        created_at=document.created_at,
        updated_at=document.updated_at,
        relations=_relations(document),
    )


@router.get(
    "/documents/{path:ref}/relations",
    response={200: RelationsOut, 404: ErrorOut},
    summary="Quan hệ của văn bản",
)
def document_relations(request: HttpRequest, ref: str) -> dict[str, Any]:
    """What the document acts on, and what acts on it."""
    return _relations(_get(ref))


@router.post(
    "/documents/{path:ref}/relations",
    auth=django_auth,
    response={201: RelationOut, 403: ErrorOut, 404: ErrorOut},
    summary="Thêm quan hệ văn bản",
)
def add_relation(request: HttpRequest, ref: str, payload: RelationIn) -> Status[dict[str, Any]]:
    """Record that the document acts on another (by its number, in the registry or not)."""
    document = _get_editable(request, ref)
    try:
        relation = services.add_relation(
            document,
            kind=payload.kind,
            target_number=payload.target_number,
            note=payload.note.strip(),
            by=request.user,
        )
    except ValidationError as exc:
        raise NinjaValidationError(_errors(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(201, _relation_out(relation))


@router.delete(
    "/documents/{path:ref}/relations/{int:relation_id}",
    auth=django_auth,
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    summary="Gỡ quan hệ văn bản",
)
def remove_relation(request: HttpRequest, ref: str, relation_id: int) -> Status[None]:
    """Remove a relation of the document."""
    document = _get_editable(request, ref)
    relation = document.relations.filter(pk=relation_id, rejected=False).first()
    if relation is None:
        raise Http404
    try:
        services.remove_relation(relation, by=request.user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(204, None)


@router.post(
    "/documents/{path:ref}/restore",
    auth=django_auth,
    response={200: DocumentDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="Khôi phục văn bản đã xóa",
)
def restore_document(request: HttpRequest, ref: str) -> dict[str, Any]:
    """Bring a soft-deleted document back."""
    document = _get_editable(request, ref, deleted=True)
    try:
        document = services.restore_document(document, by=request.user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _detail(document)


@router.get(
    "/documents/{path:ref}",
    response={200: DocumentDetailOut, 404: ErrorOut},
    summary="Một văn bản (id, slug hoặc số hiệu)",
)
def get_document(request: HttpRequest, ref: str) -> dict[str, Any]:
    """The whole document with its relations; 404 if unknown or deleted."""
    return _detail(_get(ref))


@router.patch(
    "/documents/{path:ref}",
    auth=django_auth,
    response={200: DocumentDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="Sửa văn bản",
)
def update_document(request: HttpRequest, ref: str, payload: DocumentPatch) -> dict[str, Any]:
    """Change the fields given; a new text is read again for relations."""
    document = _get_editable(request, ref)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "type" in changes:
        changes["doc_type"] = _type_code(changes.pop("type") or "")
    if "owner" in changes:
        changes["owner"] = _owner(changes["owner"] or "")
    for name in ("number", "issuer", "title", "effective_note", "source", "source_url", "text"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    if changes.get("status") == "":
        changes.pop("status")
        changes["status_locked"] = False
    try:
        document = services.update_document(document, by=request.user, **changes)
    except ValidationError as exc:
        raise NinjaValidationError(_errors(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _detail(document)


@router.delete(
    "/documents/{path:ref}",
    auth=django_auth,
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    summary="Xóa văn bản (xóa mềm)",
)
def delete_document(request: HttpRequest, ref: str) -> Status[None]:
    """Hide the document from lists, search and reads; it can be restored."""
    document = _get_editable(request, ref)
    try:
        services.delete_document(document, by=request.user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(204, None)
