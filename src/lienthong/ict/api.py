"""ICT inventory API under /api/ict/.

    GET  /periods                      reporting periods
    GET  /reports                      the reports the caller may see (?period=&status=)
    POST /agencies/{agency}/reports/{period}   enter or correct an agency's draft
    GET  /reports/template             the XLSX template
    POST /reports/import               XLSX upload (?period=, multipart `file`), all or nothing
    GET  /reports/{id}                 one report
    POST /reports/{id}/submit          the agency sends it
    POST /reports/{id}/accept          the IT department accepts it
    POST /reports/{id}/return          the IT department returns it, with the reason
    GET  /indicators                   the indicators of a period (?period=) with targets
    GET  /targets, POST /targets       dated targets (POST: IT department)
    GET  /agencies/{agency}/checklist  checklist items with the agency's status on each
    POST /agencies/{agency}/checklist  set the agency's status on an item
    POST /agencies/{agency}/checklist/{item}/evidence   attach an evidence file (multipart)
    GET  /agencies/{agency}/checklist/{item}/evidence   download it
    GET  /incidents                    incidents (?overdue=true for those past a clock)
    POST /agencies/{agency}/incidents  report one
    GET  /incidents/{id}               one incident with its clocks
    POST /incidents/{id}/{step}        initial | full | close

Errors: 401 not logged in, 403 not an official or not allowed, 404 what the caller may not see,
409 the report or incident is not in a state that allows it, 422 bad input with field errors
(for an import: `errors.rows`, one "row N, column: message" per problem).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import MISSING
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth
from pydantic import Field, create_model

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.ict import selectors, services, spreadsheet
from lienthong.ict.models import (
    ChecklistItem,
    Compliance,
    Incident,
    IndicatorTarget,
    InventoryReport,
    ReportingPeriod,
)
from lienthong.ict.services import ReportFigures, WrongState

router = Router(tags=["ict: hạ tầng CNTT, an toàn thông tin"], auth=django_auth)
T = TypeVar("T")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ErrorOut(Schema):
    """An error with its Vietnamese explanation."""

    detail: str


class FieldErrorsOut(Schema):
    """Bad input: a summary and the messages per field."""

    detail: str
    errors: dict[str, list[str]]


class PeriodOut(Schema):
    code: str
    name: str
    start: datetime.date
    end: datetime.date
    is_open: bool


def _figures_schema() -> type[Schema]:
    """The request schema of a report's figures, built from `services.ReportFigures` so that
    the fields, types and defaults are defined once."""
    hints = get_type_hints(ReportFigures)
    definitions: dict[str, Any] = {}
    for spec in dataclass_fields(ReportFigures):
        if spec.default_factory is not MISSING:
            definitions[spec.name] = (hints[spec.name], Field(default_factory=spec.default_factory))
        else:
            definitions[spec.name] = (hints[spec.name], spec.default)
    schema: type[Schema] = create_model(
        "FiguresIn", __base__=Schema, __doc__="The figures of a report.", **definitions
    )
    return schema


if TYPE_CHECKING:
    FiguresIn = Schema
else:
    FiguresIn = _figures_schema()


class ReportOut(FiguresIn):
    id: int
    agency: str
    agency_name: str
    period: str
    level: str
    category: str
    status: str
    status_label: str
    return_reason: str
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None


class ReasonIn(Schema):
    reason: str


class ImportOut(Schema):
    created: int
    updated: int


class IndicatorOut(Schema):
    code: str
    label: str
    value: Decimal | int | None
    unit: str
    target: Decimal | int | None
    target_due: datetime.date | None
    on_track: bool | None


class TargetIn(Schema):
    indicator: str
    value: Decimal
    due: datetime.date
    note: str = ""


class TargetOut(TargetIn):
    id: int


class ChecklistOut(Schema):
    item: str
    title: str
    source: str
    source_confirmed: bool
    status: str | None
    note: str
    has_evidence: bool
    evidence_name: str


class ComplianceIn(Schema):
    item: str
    status: str
    note: str = ""


class IncidentIn(Schema):
    title: str
    detected_at: datetime.datetime
    description: str = ""
    severity: str = "medium"


class IncidentOut(Schema):
    id: int
    agency: str
    agency_name: str
    title: str
    severity: str
    status: str
    detected_at: datetime.datetime
    initial_due: datetime.datetime
    full_due: datetime.datetime
    initial_notice_at: datetime.datetime | None
    full_report_at: datetime.datetime | None
    initial_overdue: bool
    full_overdue: bool


class StepIn(Schema):
    at: datetime.datetime | None = None


WRITE: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _official(request: HttpRequest) -> Any:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    return request.user


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: list(messages) for key, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


def _invalid(errors: dict[str, list[str]]) -> Any:
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _run(call: Callable[[], T]) -> T | Any:
    """Run a service: its errors as 422 / 403 / 409."""
    try:
        return call()
    except ValidationError as exc:
        return _invalid(_errors(exc))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không có quyền thực hiện thao tác này.")) from exc
    except WrongState as exc:
        raise HttpError(409, str(exc)) from exc


def _period(code: str, field: str = "period") -> ReportingPeriod:
    period = ReportingPeriod.objects.filter(code=code).first()
    if period is None:
        raise ValidationError({field: _("Không có kỳ báo cáo “%(code)s”.") % {"code": code}})
    return period


def _agency(user: Any, code: str) -> OrgUnit:
    """The agency of the path: 404 when it does not exist or lies outside the caller's units
    (the same answer); the services then refuse a reader with 403."""
    agency = OrgUnit.objects.filter(code=code.strip(), is_agency=True).first()
    if agency is None or not services.can_see_agency(user, agency):
        raise HttpError(404, _("Không tìm thấy."))
    return agency


def report_out(report: InventoryReport) -> dict[str, Any]:
    figures = ReportFigures.of(report)
    return {
        **figures.__dict__,
        "id": report.pk,
        "agency": report.agency.code or "",
        "agency_name": report.agency.name,
        "period": report.period.code,
        "level": report.level,
        "category": report.category,
        "status": report.status,
        "status_label": report.get_status_display(),
        "return_reason": report.return_reason,
        "submitted_at": report.submitted_at,
        "accepted_at": report.accepted_at,
    }


def incident_out(incident: Incident) -> dict[str, Any]:
    now = timezone.now()
    return {
        "id": incident.pk,
        "agency": incident.agency.code or "",
        "agency_name": incident.agency.name,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "detected_at": incident.detected_at,
        "initial_due": incident.initial_due,
        "full_due": incident.full_due,
        "initial_notice_at": incident.initial_notice_at,
        "full_report_at": incident.full_report_at,
        "initial_overdue": incident.initial_overdue(now),
        "full_overdue": incident.full_overdue(now),
    }


def _reports() -> Any:
    return InventoryReport.objects.select_related("agency", "period").prefetch_related("software")


# --- Periods and reports --------------------------------------------------------------------


@router.get("/periods", response={200: list[PeriodOut], 401: ErrorOut, 403: ErrorOut})
def list_periods(request: HttpRequest) -> Any:
    """Every reporting period, newest first."""
    _official(request)
    return list(ReportingPeriod.objects.order_by("-start"))


@router.get("/reports", response={200: list[ReportOut], 401: ErrorOut, 403: ErrorOut})
def list_reports(
    request: HttpRequest, period: str = "", status: str = "", limit: int = 200, offset: int = 0
) -> Any:
    """The reports the caller may see."""
    user = _official(request)
    reports = _reports().visible_to(user)
    if period:
        reports = reports.filter(period__code=period)
    if status:
        reports = reports.filter(status=status)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [report_out(r) for r in reports[offset : offset + limit]]


@router.post(
    "/agencies/{agency}/reports/{period}",
    response={200: ReportOut, 422: FieldErrorsOut, **WRITE},
)
def save_report(request: HttpRequest, agency: str, period: str, payload: FiguresIn) -> Any:
    """Enter or correct an agency's report for a period (draft or returned)."""
    user = _official(request)
    unit = _agency(user, agency)

    def call() -> Any:
        report = services.save_report(
            agency=unit, period=_period(period), figures=ReportFigures(**payload.dict()), by=user
        )
        return report_out(_reports().get(pk=report.pk))

    return _run(call)


@router.get("/reports/template", response={200: None, 401: ErrorOut, 403: ErrorOut})
def report_template(request: HttpRequest) -> HttpResponse:
    """The XLSX template, prefilled with the agencies the caller may edit."""
    user = _official(request)
    agencies = [a for a in OrgUnit.objects.agencies() if services.can_edit_agency(user, a)]
    response = HttpResponse(spreadsheet.template_xlsx(agencies), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="bao-cao-cntt.xlsx"'
    return response


@router.post(
    "/reports/import",
    response={200: ImportOut, 422: FieldErrorsOut, **WRITE},
    summary="Nhập báo cáo từ tệp XLSX",
)
def import_reports(
    request: HttpRequest, period: str = "", file: File[UploadedFile | None] = None
) -> Any:
    """All rows written, or none, with every row's error (multipart: `file`; ?period=)."""
    user = _official(request)
    if file is None:
        return _invalid({"file": [_("Cần chọn tệp XLSX.")]})
    upload = file
    try:
        result = _run(
            lambda: spreadsheet.import_reports(upload.read(), period=_period(period), by=user)
        )
    except spreadsheet.ImportRejected as exc:
        rows = [
            _("Dòng %(row)s, %(column)s: %(message)s")
            % {"row": e.row, "column": e.column, "message": e.message}
            for e in exc.errors
        ]
        return _invalid({"rows": rows})
    if isinstance(result, spreadsheet.ImportResult):
        return {"created": result.created, "updated": result.updated}
    return result


@router.get("/reports/{report_id}", response={200: ReportOut, 401: ErrorOut, 404: ErrorOut})
def get_report(request: HttpRequest, report_id: int) -> Any:
    """One report the caller may see."""
    user = _official(request)
    return report_out(get_visible_or_404(_reports(), user, pk=report_id))


def _transition(request: HttpRequest, report_id: int, call: Callable[[Any, Any], Any]) -> Any:
    user = _official(request)
    report = get_visible_or_404(_reports(), user, pk=report_id)
    result = _run(lambda: call(report, user))
    if isinstance(result, InventoryReport):
        return report_out(_reports().get(pk=report.pk))
    return result


@router.post("/reports/{report_id}/submit", response={200: ReportOut, **WRITE})
def submit_report(request: HttpRequest, report_id: int) -> Any:
    """The agency sends its report."""
    return _transition(request, report_id, lambda r, u: services.submit_report(r, by=u))


@router.post("/reports/{report_id}/accept", response={200: ReportOut, **WRITE})
def accept_report(request: HttpRequest, report_id: int) -> Any:
    """The IT department accepts a submitted report."""
    return _transition(request, report_id, lambda r, u: services.accept_report(r, by=u))


@router.post("/reports/{report_id}/return", response={200: ReportOut, 422: FieldErrorsOut, **WRITE})
def return_report(request: HttpRequest, report_id: int, payload: ReasonIn) -> Any:
    """The IT department returns a report to its agency, with the reason."""
    return _transition(
        request,
        report_id,
        lambda r, u: services.return_report(r, reason=payload.reason, by=u),
    )


# --- Indicators and targets -----------------------------------------------------------------


@router.get(
    "/indicators",
    response={200: list[IndicatorOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def list_indicators(request: HttpRequest, period: str = "") -> Any:
    """The indicators over the agencies the caller may see (latest reported period by
    default)."""
    user = _official(request)
    if period and not ReportingPeriod.objects.filter(code=period).exists():
        raise HttpError(404, _("Không có kỳ báo cáo này."))
    return selectors.dashboard_indicators(user, period or None)


@router.get("/targets", response={200: list[TargetOut], 401: ErrorOut, 403: ErrorOut})
def list_targets(request: HttpRequest) -> Any:
    """Every dated target."""
    _official(request)
    return list(IndicatorTarget.objects.order_by("indicator", "due"))


@router.post("/targets", response={200: TargetOut, 422: FieldErrorsOut, **WRITE})
def set_target(request: HttpRequest, payload: TargetIn) -> Any:
    """Set a target (IT department)."""
    user = _official(request)
    return _run(lambda: services.set_target(**payload.dict(), by=user))


# --- Checklist ------------------------------------------------------------------------------


def _checklist_row(item: ChecklistItem, answer: Compliance | None) -> dict[str, Any]:
    return {
        "item": item.code,
        "title": item.title,
        "source": item.source,
        "source_confirmed": item.source_confirmed,
        "status": answer.status if answer else None,
        "note": answer.note if answer else "",
        "has_evidence": bool(answer and answer.evidence),
        "evidence_name": answer.evidence_name if answer and answer.evidence else "",
    }


@router.get(
    "/agencies/{agency}/checklist",
    response={200: list[ChecklistOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def checklist(request: HttpRequest, agency: str) -> Any:
    """The active checklist items with the agency's status on each."""
    unit = _agency(_official(request), agency)
    answers = {c.item_id: c for c in Compliance.objects.filter(agency=unit)}
    return [
        _checklist_row(item, answers.get(item.pk))
        for item in ChecklistItem.objects.filter(is_active=True)
    ]


@router.post(
    "/agencies/{agency}/checklist", response={200: ChecklistOut, 422: FieldErrorsOut, **WRITE}
)
def set_compliance(request: HttpRequest, agency: str, payload: ComplianceIn) -> Any:
    """Set the agency's status on one item (the evidence file: `POST …/{item}/evidence`)."""
    user = _official(request)
    unit = _agency(user, agency)

    def call() -> Any:
        item = ChecklistItem.objects.filter(code=payload.item).first()
        if item is None:
            raise ValidationError({"item": _("Không có tiêu chí này.")})
        answer = services.set_compliance(
            agency=unit, item=item, status=payload.status, note=payload.note, by=user
        )
        return _checklist_row(item, answer)

    return _run(call)


def _item(code: str) -> ChecklistItem:
    item = ChecklistItem.objects.filter(code=code, is_active=True).first()
    if item is None:
        raise HttpError(404, _("Không có tiêu chí này."))
    return item


@router.post(
    "/agencies/{agency}/checklist/{item}/evidence",
    response={200: ChecklistOut, 422: FieldErrorsOut, **WRITE},
    summary="Tải lên tệp minh chứng của một tiêu chí (multipart)",
)
def upload_evidence(
    request: HttpRequest,
    agency: str,
    item: str,
    file: File[UploadedFile | None] = None,
    status: Form[str] = "",
    note: Form[str | None] = None,
) -> Any:
    """Attach an evidence file to the agency's answer on one item (multipart `file`; optional
    `status` and `note`, kept as they are when left out; a new answer needs `status`). The file
    is checked like the page's: size, type by content, malware scan; a refused file (422)
    stores nothing. It replaces the answer's previous file."""
    user = _official(request)
    unit = _agency(user, agency)
    if not services.can_edit_agency(user, unit):
        raise HttpError(403, _("Bạn không có quyền cập nhật số liệu của cơ quan này."))
    checklist_item = _item(item)
    if file is None:
        return _invalid({"file": [_("Cần chọn tệp minh chứng.")]})
    upload = file

    def call() -> Any:
        answer = services.set_compliance(
            agency=unit,
            item=checklist_item,
            status=status or None,
            note=note,
            evidence=upload,
            by=user,
        )
        return _checklist_row(checklist_item, answer)

    result = _run(call)
    if isinstance(result, Status) and result.status_code == 422:
        errors = result.value["errors"]
        if "evidence" in errors:  # the service names the page's field; here it is `file`
            errors["file"] = errors.pop("evidence")
    return result


@router.get(
    "/agencies/{agency}/checklist/{item}/evidence",
    response={200: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Tải về tệp minh chứng của một tiêu chí",
)
def download_evidence(request: HttpRequest, agency: str, item: str) -> HttpResponse:
    """The evidence file of the agency's answer on one item (404 when there is none)."""
    user = _official(request)
    unit = _agency(user, agency)
    answer = get_visible_or_404(Compliance.objects.filter(agency=unit, item=_item(item)), user)
    if not answer.evidence:
        raise HttpError(404, _("Chưa có tệp minh chứng."))
    return selectors.evidence_response(answer)


# --- Incidents ------------------------------------------------------------------------------


@router.get("/incidents", response={200: list[IncidentOut], 401: ErrorOut, 403: ErrorOut})
def list_incidents(request: HttpRequest, overdue: bool = False) -> Any:
    """Incidents the caller may see, newest first."""
    user = _official(request)
    incidents = Incident.objects.visible_to(user).select_related("agency")
    if overdue:
        incidents = incidents.overdue()
    return [incident_out(i) for i in incidents[:500]]


@router.post(
    "/agencies/{agency}/incidents", response={200: IncidentOut, 422: FieldErrorsOut, **WRITE}
)
def report_incident(request: HttpRequest, agency: str, payload: IncidentIn) -> Any:
    """Report an incident of the agency; its clocks start at `detected_at`."""
    user = _official(request)
    unit = _agency(user, agency)
    return _run(
        lambda: incident_out(services.report_incident(agency=unit, **payload.dict(), by=user))
    )


@router.get("/incidents/{incident_id}", response={200: IncidentOut, 401: ErrorOut, 404: ErrorOut})
def get_incident(request: HttpRequest, incident_id: int) -> Any:
    """One incident with its clocks."""
    user = _official(request)
    return incident_out(
        get_visible_or_404(Incident.objects.select_related("agency"), user, pk=incident_id)
    )


@router.post(
    "/incidents/{incident_id}/{step}", response={200: IncidentOut, 422: FieldErrorsOut, **WRITE}
)
def advance_incident(request: HttpRequest, incident_id: int, step: str, payload: StepIn) -> Any:
    """Record the initial notice, the full report or the closing."""
    user = _official(request)
    incident = get_visible_or_404(Incident.objects.select_related("agency"), user, pk=incident_id)

    def call() -> Any:
        done = services.advance_incident(incident, step=step, at=payload.at, by=user)
        return incident_out(done)

    return _run(call)
