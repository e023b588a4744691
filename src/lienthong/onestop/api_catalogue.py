"""Catalogue API, under /api/onestop/: procedures and fields (public), export and import.

GET /procedures and /procedures/{code} and /fields are public, like the pages. The export is
for officials; the import for IT administrators and superusers. A bad import answers 422
with one error per row ("dòng 12 (mã 1.001193): thời hạn không hợp lệ") and writes nothing.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import json
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import django_auth

from lienthong.accounts.models import Role
from lienthong.core.models import OrgUnit
from lienthong.onestop import catalogue
from lienthong.onestop.models import Field, Procedure, ProcedureComponent, TimeUnit
from lienthong.onestop.views_catalogue import export_response
from lienthong.search.services import check_query

router = Router(tags=["onestop: danh mục thủ tục"])

LevelParam = Literal["ministry", "province", "district", "commune", "other"]
OnlineParam = Literal["full", "partial", "unknown"]


class FieldOut(Schema):
    """A field of procedures — lĩnh vực."""

    code: str
    name: str
    procedure_count: int


class FieldRef(Schema):
    code: str
    name: str


class TimeLimitOut(Schema):
    value: float | None = SchemaField(None, description="Trống: nguồn không có thông tin")
    unit: str = SchemaField("", description="working_days, days, hours; trống: nguồn không ghi")
    unit_label: str
    text: str


class FeeOut(Schema):
    amount_vnd: int | None = SchemaField(None, description="Trống: nguồn không có số tiền")
    text: str


class ProcedureSummaryOut(Schema):
    """A procedure in a list."""

    code: str
    name: str
    field: FieldRef
    levels: list[str]
    level_labels: list[str]
    time_limit: TimeLimitOut
    fee: FeeOut
    online_level: str
    is_inter_agency: bool
    missing: list[str] = SchemaField(..., description="Trường mà nguồn không cung cấp")
    url: str


class ComponentOut(Schema):
    order: int
    group: str
    name: str
    originals: int
    copies: int
    copy_type: str
    copy_type_label: str
    form_name: str
    form_file_url: str | None
    is_required: bool = SchemaField(..., description="False: dòng ghi chú, không phải giấy tờ")


class StepOut(Schema):
    order: int
    name: str
    role: str
    role_label: str
    org_unit: str | None = SchemaField(None, description="Trống: cơ quan tiếp nhận hồ sơ")
    time_share: float


class ProcessOut(Schema):
    code: str
    name: str
    steps: list[StepOut]


class AgencyOut(Schema):
    id: int
    code: str | None
    name: str


class ProcedureOut(ProcedureSummaryOut):
    """A whole procedure: components, legal basis, process, receiving agencies, source."""

    agency_text: str
    competent_authority: str
    legal_basis: list[str]
    legal_basis_text: str
    channels: list[dict[str, Any]]
    applicant_types: str
    result_text: str
    procedure_type: str
    publishing_decision: str
    missing_labels: list[str]
    components: list[ComponentOut]
    process: ProcessOut | None
    agencies: list[AgencyOut]
    source: dict[str, Any]
    is_active: bool


class ProcedureFilters(Schema):
    q: str | None = SchemaField(None, description="Tên hoặc mã; có dấu hoặc không dấu")
    field: str | None = SchemaField(None, description="Mã lĩnh vực, ví dụ ho-tich")
    level: LevelParam | None = None
    agency: int | None = SchemaField(None, description="Id cơ quan tiếp nhận")
    online_level: OnlineParam | None = SchemaField(
        None, description="full, partial, hoặc unknown (nguồn không có thông tin)"
    )


class ErrorOut(Schema):
    detail: str


class ImportErrorItem(Schema):
    loc: list[str]
    msg: str
    type: str
    row: int | None
    code: str
    sheet: str


class ImportErrorsOut(Schema):
    detail: str
    errors: list[ImportErrorItem]


class ImportReportOut(Schema):
    source: str
    summary: str
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    fields_created: list[str]
    templates_created: list[str]
    templates_updated: list[str]


def _label(choices: Any, code: str) -> str:
    for value, label in choices.choices:
        if value == code:
            return str(label)
    return ""


def _summary(procedure: Procedure) -> dict[str, Any]:
    value = procedure.time_limit_value
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": {"code": procedure.field.code, "name": procedure.field.name},
        "levels": list(procedure.levels),
        "level_labels": procedure.level_labels,
        "time_limit": {
            "value": float(value) if value is not None else None,
            "unit": procedure.time_limit_unit,
            "unit_label": _label(TimeUnit, procedure.time_limit_unit),
            "text": procedure.time_limit_text,
        },
        "fee": {"amount_vnd": procedure.fee_amount, "text": procedure.fee_text},
        "online_level": procedure.online_level,
        "is_inter_agency": procedure.is_inter_agency,
        "missing": list(procedure.missing),
        "url": catalogue.procedure_url(procedure),
    }


def _detail(procedure: Procedure) -> dict[str, Any]:
    template = procedure.process_template
    process = None
    if template is not None:
        process = {
            "code": template.code,
            "name": template.name,
            "steps": [
                {
                    "order": step.order,
                    "name": step.name,
                    "role": step.role,
                    "role_label": _label(Role, step.role),
                    "org_unit": step.org_unit.name if step.org_unit else None,
                    "time_share": float(step.time_share),
                }
                for step in template.steps.select_related("org_unit").order_by("order")
            ],
        }
    return {
        **_summary(procedure),
        "agency_text": procedure.agency_text,
        "competent_authority": procedure.competent_authority,
        "legal_basis": list(procedure.legal_basis),
        "legal_basis_text": procedure.legal_basis_text,
        "channels": procedure.channels,
        "applicant_types": procedure.applicant_types,
        "result_text": procedure.result_text,
        "procedure_type": procedure.procedure_type,
        "publishing_decision": procedure.publishing_decision,
        "missing_labels": catalogue.missing_labels(procedure),
        "components": [
            {
                "order": c.order,
                "group": c.group,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "copy_type": c.copy_type,
                "copy_type_label": _label(ProcedureComponent.CopyType, c.copy_type),
                "form_name": c.form_name,
                "form_file_url": (
                    f"{catalogue.procedure_url(procedure)}mau/{c.order}/" if c.form_file else None
                ),
                "is_required": c.is_required,
            }
            for c in procedure.components.all()
        ],
        "process": process,
        "agencies": [
            {"id": unit.pk, "code": unit.code, "name": unit.name}
            for unit in procedure.agencies.all()
        ],
        "source": procedure.source,
        "is_active": procedure.is_active,
    }


@router.get("/procedures", response=list[ProcedureSummaryOut], summary="Danh mục thủ tục")
@paginate(LimitOffsetPagination)
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilters]) -> Any:
    """Active procedures, filtered; with `q`, best matches first (folded full-text search)."""
    procedures = Procedure.objects.active().select_related("field")
    if filters.field:
        procedures = procedures.filter(field__code=filters.field)
    if filters.level:
        procedures = procedures.at_level(filters.level)
    if filters.agency is not None:
        procedures = procedures.filter(agencies=filters.agency)
    if filters.online_level == "unknown":
        procedures = procedures.filter(online_level="")
    elif filters.online_level:
        procedures = procedures.filter(online_level=filters.online_level)
    if filters.q and filters.q.strip():
        try:
            check_query(filters.q)
        except ValidationError as exc:
            raise NinjaValidationError(
                [{"loc": ["query", "q"], "msg": exc.messages[0], "type": "value_error"}]
            ) from exc
        ids = catalogue.ranked_procedure_ids(filters.q)
        rows = procedures.in_bulk(ids)
        return [_summary(rows[pk]) for pk in ids if pk in rows]
    return [_summary(p) for p in procedures.order_by("field__name", "code")]


@router.get("/fields", response=list[FieldOut], summary="Lĩnh vực thủ tục")
def list_fields(request: HttpRequest) -> Any:
    """Every field, with how many active procedures it has."""
    fields = Field.objects.annotate(
        procedure_count=Count("procedures", filter=Q(procedures__is_active=True))
    ).order_by("name")
    return [{"code": f.code, "name": f.name, "procedure_count": f.procedure_count} for f in fields]


@router.get(
    "/procedures/export",
    auth=django_auth,
    response={200: None, 403: ErrorOut},
    summary="Xuất danh mục (JSON hoặc XLSX, cho cán bộ)",
    openapi_extra={
        "responses": {
            200: {
                "description": "Tệp danh mục (tải về)",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def export(request: HttpRequest, format: Literal["json", "xlsx"] = "json") -> HttpResponse:
    """The whole catalogue in the platform's format; import it back unchanged."""
    if not catalogue.can_export_catalogue(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới xuất được danh mục."))
    return export_response(format)


@router.post(
    "/procedures/import",
    auth=django_auth,
    response={200: ImportReportOut, 403: ErrorOut, 422: ImportErrorsOut},
    summary="Nhập danh mục (quản trị CNTT)",
    openapi_extra={
        "requestBody": {
            "description": (
                "Tệp .json hoặc .xlsx trong trường `file` (multipart/form-data), hoặc nội dung "
                "JSON trực tiếp: danh sách như procedures.json, hoặc tệp xuất của Liên Thông."
            ),
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                "application/json": {"schema": {}},
            },
        }
    },
)
def import_(request: HttpRequest) -> Any:
    """Import procedures, all or nothing; 422 lists the errors by row."""
    if not catalogue.can_manage_catalogue(request.user):
        raise HttpError(403, _("Chỉ quản trị CNTT mới được nhập danh mục thủ tục."))
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            report = catalogue.import_file(upload.name or "", upload.read(), by=request.user)
        elif request.content_type == "application/json":
            try:
                data = json.loads(request.body.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise catalogue.CatalogueImportError(
                    [catalogue.RowError(_("không đọc được JSON: %(error)s") % {"error": exc})]
                ) from exc
            report = catalogue.import_procedures(data, by=request.user, source="API")
        else:
            raise catalogue.CatalogueImportError(
                [catalogue.RowError(_("hãy gửi tệp trong trường “file” hoặc nội dung JSON"))]
            )
    except catalogue.CatalogueImportError as exc:
        return Status(
            422,
            {
                "detail": _("Không nhập: có %(n)d lỗi, chưa có gì được ghi.")
                % {"n": len(exc.errors)},
                "errors": [
                    {
                        "loc": ["body", "file"],
                        "msg": str(error),
                        "type": "import_error",
                        "row": error.row,
                        "code": error.code,
                        "sheet": error.sheet,
                    }
                    for error in exc.errors
                ],
            },
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return report.as_dict()


@router.get(
    "/procedures/{code}",
    response={200: ProcedureOut, 404: ErrorOut},
    summary="Một thủ tục (đủ thành phần hồ sơ, quy trình, thông tin nguồn thiếu)",
)
def get_procedure(request: HttpRequest, code: str) -> Any:
    """A procedure with everything; `missing` names the fields the source did not give."""
    procedure = (
        Procedure.objects.active()
        .select_related("field", "process_template")
        .prefetch_related(
            Prefetch("components", queryset=ProcedureComponent.objects.order_by("order")),
            Prefetch("agencies", queryset=OrgUnit.objects.order_by("name")),
        )
        .filter(code=code)
        .first()
    )
    if procedure is None:
        return Status(
            404, {"detail": _("Không có thủ tục hành chính mã %(code)s.") % {"code": code}}
        )
    return Status(200, _detail(procedure))
