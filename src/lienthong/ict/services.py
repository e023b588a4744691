"""Writes of the ICT inventory: reports, targets, the security checklist and incidents.

Every function is a `@service`: it checks permission, writes, records the audit entry and
publishes the outbox event in one transaction. Errors: `PermissionDenied` (403),
`ValidationError` with field errors (422), `WrongState` (409).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, service
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user
from lienthong.exchange.outbox import publish
from lienthong.ict import events
from lienthong.ict.indicators import BY_CODE
from lienthong.ict.models import (
    EDITOR_ROLES,
    Category,
    ChecklistItem,
    Compliance,
    ComplianceStatus,
    Incident,
    IncidentStatus,
    IndicatorTarget,
    InventoryReport,
    Level,
    ReportingPeriod,
    ReportStatus,
    Software,
    is_ict_admin,
)
from lienthong.workflow.engine import WrongState

__all__ = ["WrongState"]


# --- Who may do what ------------------------------------------------------------------------


def can_edit_agency(user: Any, agency: OrgUnit) -> bool:
    """The IT department, or an official holding an editing role for the agency (or above)."""
    if is_ict_admin(user):
        return True
    if not is_official_user(user):
        return False
    ancestor_ids = [int(p) for p in agency.path.strip("/").split("/") if p]
    return bool(
        user.role_assignments.filter(role__in=EDITOR_ROLES, org_unit_id__in=ancestor_ids).exists()
    )


def can_see_agency(user: Any, agency: OrgUnit) -> bool:
    """The IT department, or an official holding any role for the agency (or above)."""
    if is_ict_admin(user):
        return True
    if not is_official_user(user):
        return False
    ancestor_ids = [int(p) for p in agency.path.strip("/").split("/") if p]
    return bool(user.role_assignments.filter(org_unit_id__in=ancestor_ids).exists())


def _require_editor(user: Any, agency: OrgUnit) -> None:
    if not can_edit_agency(user, agency):
        raise PermissionDenied(_("Bạn không có quyền cập nhật số liệu của cơ quan này."))


def _require_admin(user: Any) -> None:
    if not is_ict_admin(user):
        raise PermissionDenied(_("Chỉ bộ phận quản trị CNTT của tỉnh làm được việc này."))


# --- Levels ---------------------------------------------------------------------------------


def classify(agency: OrgUnit) -> tuple[str, str]:
    """The level (tỉnh / huyện / xã) and the group an agency's report counts in.

    The level is the administrative unit's where the agency (or its nearest ancestor) has one;
    otherwise it is counted from the People's Committees above: the first is the province's,
    the second a district's, the third a commune's.
    """
    chain = list(agency.ancestors().select_related("admin_unit"))
    level = ""
    for unit in reversed(chain):
        if unit.admin_unit_id and unit.admin_unit and unit.admin_unit.level in Level.values:
            level = unit.admin_unit.level
            break
    if not level:
        committees = sum(1 for u in chain if u.kind == OrgUnit.Kind.PEOPLES_COMMITTEE)
        level = [Level.PROVINCE, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE][min(committees, 3)]
    if agency.kind == OrgUnit.Kind.PEOPLES_COMMITTEE:
        category = {
            Level.PROVINCE: Category.PROVINCE_COMMITTEE,
            Level.DISTRICT: Category.DISTRICT_COMMITTEE,
            Level.COMMUNE: Category.COMMUNE_COMMITTEE,
        }[Level(level)]
    elif level == Level.PROVINCE and agency.kind in (
        OrgUnit.Kind.DEPARTMENT,
        OrgUnit.Kind.OFFICE,
    ):
        category = Category.DEPARTMENT
    else:
        category = Category.OTHER
    return str(level), str(category)


# --- Periods and reports --------------------------------------------------------------------


@service
def create_period(
    *, code: str, name: str, start: datetime.date, end: datetime.date, by: Any
) -> ReportingPeriod:
    """Open a reporting period (IT department)."""
    _require_admin(by)
    if end < start:
        raise ValidationError({"end": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    if ReportingPeriod.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Đã có kỳ báo cáo mã %(code)s.") % {"code": code}})
    period = ReportingPeriod(code=code, name=name, start=start, end=end, is_open=True)
    with audited("ict.period.create", period):
        period.save()
    return period


@service
def set_period_open(period: ReportingPeriod, *, is_open: bool, by: Any) -> ReportingPeriod:
    """Open or close a period: a closed period's reports can no longer change."""
    _require_admin(by)
    with audited("ict.period.open" if is_open else "ict.period.close", period):
        period.is_open = is_open
        period.save(update_fields=["is_open"])
    return period


@dataclass
class ReportFigures:
    """The figures of one inventory report, as entered (form, API or a spreadsheet row)."""

    staff: int = 0
    staff_with_computer: int = 0
    computers: int = 0
    computers_with_antivirus: int = 0
    servers: int = 0
    has_lan: bool = False
    has_fibre: bool = False
    has_wireless: bool = False
    dedicated_network: bool = False
    dedicated_network_points: int = 0
    lans: int = 0
    lans_protected: int = 0
    it_staff: int = 0
    software: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, report: InventoryReport) -> ReportFigures:
        """The figures a report holds now."""
        values = {f.name: getattr(report, f.name) for f in fields(cls) if f.name != "software"}
        codes = list(report.software.order_by("order").values_list("code", flat=True))
        return cls(**values, software=codes)


COUNT_FIELDS = tuple(
    f.name for f in fields(ReportFigures) if f.type in ("int", int) and f.name != "software"
)


def validate_figures(figures: ReportFigures) -> list[Software]:
    """The software rows named, or a ValidationError with a Vietnamese message per field."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in COUNT_FIELDS:
        value = getattr(figures, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            add(name, _("Phải là số nguyên không âm."))
    if not errors:
        if figures.staff_with_computer > figures.staff:
            add(
                "staff_with_computer",
                _("Số cán bộ có máy tính không được lớn hơn số cán bộ, công chức."),
            )
        if figures.computers_with_antivirus > figures.computers:
            add(
                "computers_with_antivirus",
                _("Số máy tính có phần mềm diệt virus không được lớn hơn số máy tính."),
            )
        if figures.lans_protected > figures.lans:
            add("lans_protected", _("Số mạng LAN được bảo vệ không được lớn hơn số mạng LAN."))
        if figures.dedicated_network and figures.dedicated_network_points < 1:
            add(
                "dedicated_network_points",
                _("Đã kết nối mạng chuyên dùng thì phải có ít nhất 1 điểm kết nối."),
            )
        if not figures.dedicated_network and figures.dedicated_network_points > 0:
            add(
                "dedicated_network_points",
                _("Chưa kết nối mạng chuyên dùng thì không thể có điểm kết nối."),
            )
    codes = list(dict.fromkeys(c.strip() for c in figures.software if c.strip()))
    software = list(Software.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in software})
    if unknown:
        add("software", _("Không có phần mềm mã: %(codes)s.") % {"codes": ", ".join(unknown)})
    if errors:
        raise ValidationError(errors)
    return software


def _check_open(report: InventoryReport) -> None:
    if not report.period.is_open:
        raise WrongState(_("Kỳ báo cáo %(period)s đã đóng.") % {"period": report.period})


def _write_figures(
    report: InventoryReport, figures: ReportFigures, software: list[Software]
) -> None:
    for name, value in asdict(figures).items():
        if name != "software":
            setattr(report, name, value)
    report.save()
    report.software.set(software)


@service
def save_report(
    *, agency: OrgUnit, period: ReportingPeriod, figures: ReportFigures, by: Any
) -> InventoryReport:
    """Enter or correct an agency's draft (or returned) report for a period."""
    _require_editor(by, agency)
    if not agency.is_agency:
        raise ValidationError({"agency": _("Chỉ cơ quan (không phải phòng, ban) mới báo cáo.")})
    software = validate_figures(figures)
    report = (
        InventoryReport.objects.select_for_update().filter(agency=agency, period=period).first()
    )
    if report is None:
        level, category = classify(agency)
        report = InventoryReport(agency=agency, period=period, level=level, category=category)
    _check_open(report)
    if report.pk and not report.is_editable:
        raise WrongState(
            _("Báo cáo đang ở trạng thái “%(status)s”, không sửa được.")
            % {"status": report.get_status_display()}
        )
    with audited("ict.report.save", report):
        _write_figures(report, figures, software)
    return report


def event_data(report: InventoryReport) -> dict[str, Any]:
    """What events say about a report: identifiers and status, no figures."""
    return {
        "id": report.pk,
        "period": report.period.code,
        "agency": report.agency.code or "",
        "status": report.status,
    }


def _locked(report: InventoryReport) -> InventoryReport:
    return (
        InventoryReport.objects.select_for_update()
        .select_related("period", "agency")
        .get(pk=report.pk)
    )


@service
def submit_report(report: InventoryReport, *, by: Any) -> InventoryReport:
    """The agency sends its report to the IT department (draft or returned → submitted)."""
    report = _locked(report)
    _require_editor(by, report.agency)
    _check_open(report)
    if not report.is_editable:
        raise WrongState(_("Chỉ gửi được báo cáo đang soạn hoặc bị trả lại."))
    with audited("ict.report.submit", report):
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
        report.save(update_fields=["status", "submitted_at", "updated_at"])
    publish(events.REPORT_SUBMITTED, f"ict/report/{report.pk}", event_data(report))
    return report


@service
def accept_report(report: InventoryReport, *, by: Any) -> InventoryReport:
    """The IT department accepts a submitted report; its figures then count."""
    report = _locked(report)
    _require_admin(by)
    if report.status != ReportStatus.SUBMITTED:
        raise WrongState(_("Chỉ chấp nhận được báo cáo đã gửi."))
    with audited("ict.report.accept", report):
        report.status = ReportStatus.ACCEPTED
        report.accepted_at = timezone.now()
        report.accepted_by = by
        report.return_reason = ""
        report.save(
            update_fields=["status", "accepted_at", "accepted_by", "return_reason", "updated_at"]
        )
    publish(events.REPORT_ACCEPTED, f"ict/report/{report.pk}", event_data(report))
    return report


@service
def return_report(report: InventoryReport, *, reason: str, by: Any) -> InventoryReport:
    """The IT department returns a submitted (or accepted) report to its agency, with why."""
    report = _locked(report)
    _require_admin(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do trả lại.")})
    if report.status not in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        raise WrongState(_("Chỉ trả lại được báo cáo đã gửi hoặc đã chấp nhận."))
    _check_open(report)
    with audited("ict.report.return", report):
        report.status = ReportStatus.RETURNED
        report.return_reason = reason
        report.accepted_at = None
        report.accepted_by = None
        report.save(
            update_fields=["status", "return_reason", "accepted_at", "accepted_by", "updated_at"]
        )
    publish(
        events.REPORT_RETURNED, f"ict/report/{report.pk}", {**event_data(report), "reason": reason}
    )
    return report


# --- Targets and the checklist --------------------------------------------------------------


@service
def set_target(
    *, indicator: str, value: Decimal, due: datetime.date, note: str = "", by: Any
) -> IndicatorTarget:
    """Set (or change) an indicator's target for a due date (IT department)."""
    _require_admin(by)
    if indicator not in BY_CODE:
        raise ValidationError({"indicator": _("Không có chỉ số này.")})
    if value < 0:
        raise ValidationError({"value": _("Giá trị mục tiêu không được âm.")})
    if BY_CODE[indicator].unit == "%" and value > 100:
        raise ValidationError({"value": _("Tỷ lệ không vượt quá 100%.")})
    target = IndicatorTarget.objects.filter(indicator=indicator, due=due).first() or (
        IndicatorTarget(indicator=indicator, due=due, value=value)
    )
    with audited("ict.target.set", target):
        target.value = value
        target.note = note
        target.save()
    return target


@service
def set_compliance(
    *,
    agency: OrgUnit,
    item: ChecklistItem,
    status: str | None,
    note: str | None = "",
    evidence: Any = None,
    by: Any,
) -> Compliance:
    """Record an agency's status on a checklist item and/or attach its evidence file.

    The one write behind the checklist page and the API (status, and evidence upload). `status`
    or `note` None keeps what the answer has (a new answer needs a status). The file goes
    through `core.uploads.check_upload` (size, type by content, malware scan by
    `core.scanning`) before anything is written: a refused file stores nothing.
    """
    _require_editor(by, agency)
    if not item.is_active:
        raise ValidationError({"item": _("Tiêu chí này không còn áp dụng.")})
    answer = Compliance.objects.select_for_update().filter(
        agency=agency, item=item
    ).first() or Compliance(agency=agency, item=item)
    status = answer.status if status is None else status
    if status not in ComplianceStatus.values:
        raise ValidationError(
            {
                "status": _("Cần chọn kết quả của tiêu chí.")
                if not status
                else _("Kết quả không hợp lệ.")
            }
        )
    checked = None
    if evidence is not None:
        from lienthong.core.uploads import check_upload  # size, type by content, malware

        try:
            checked = check_upload(evidence, label=_("Tệp minh chứng"))
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from exc
    with audited("ict.compliance.set", answer):
        answer.status = status
        if note is not None:
            answer.note = note.strip()
        if checked is not None:
            answer.evidence.save(checked.stored_name, checked.file, save=False)
            answer.evidence_name = str(getattr(evidence, "name", "") or "")[:255]
        answer.save()
    publish(
        events.COMPLIANCE_CHANGED,
        f"ict/compliance/{answer.pk}",
        {"agency": agency.code or "", "item": item.code, "status": status},
    )
    return answer


# --- Incidents ------------------------------------------------------------------------------


@service
def report_incident(
    *,
    agency: OrgUnit,
    title: str,
    detected_at: datetime.datetime,
    description: str = "",
    severity: str = Incident.Severity.MEDIUM,
    by: Any,
) -> Incident:
    """Report an information-security incident; its 24 h and 72 h clocks run from detection."""
    _require_editor(by, agency)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Cần tóm tắt sự cố.")]
    if timezone.is_naive(detected_at):
        errors["detected_at"] = [_("Thời điểm phát hiện phải có múi giờ.")]
    elif detected_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["detected_at"] = [_("Thời điểm phát hiện không thể ở tương lai.")]
    if severity not in Incident.Severity.values:
        errors["severity"] = [_("Mức độ không hợp lệ.")]
    if errors:
        raise ValidationError(errors)
    incident = Incident(
        agency=agency,
        title=title.strip(),
        description=description.strip(),
        severity=severity,
        detected_at=detected_at,
        reported_by=by,
    )
    with audited("ict.incident.report", incident):
        incident.save()
    publish(
        events.INCIDENT_REPORTED,
        f"ict/incident/{incident.pk}",
        {"id": incident.pk, "agency": agency.code or "", "severity": severity},
    )
    return incident


NOTICE_STEPS = {
    "initial": ("initial_notice_at", IncidentStatus.NOTIFIED),
    "full": ("full_report_at", IncidentStatus.REPORTED),
    "close": ("closed_at", IncidentStatus.CLOSED),
}


@service
def advance_incident(
    incident: Incident, *, step: str, at: datetime.datetime | None = None, by: Any
) -> Incident:
    """Record the initial notice, the full report, or the closing of an incident."""
    incident = Incident.objects.select_for_update().select_related("agency").get(pk=incident.pk)
    _require_editor(by, incident.agency)
    if step not in NOTICE_STEPS:
        raise ValidationError({"step": _("Bước không hợp lệ.")})
    at = at or timezone.now()
    if at < incident.detected_at:
        raise ValidationError({"at": _("Không thể trước thời điểm phát hiện.")})
    attr, status = NOTICE_STEPS[step]
    if getattr(incident, attr) is not None:
        raise WrongState(_("Bước này đã được ghi nhận."))
    if step == "full" and incident.initial_notice_at is None:
        raise WrongState(_("Cần báo cáo ban đầu trước khi báo cáo đầy đủ."))
    if step == "close" and incident.full_report_at is None:
        raise WrongState(_("Cần báo cáo đầy đủ trước khi đóng sự cố."))
    with audited(f"ict.incident.{step}", incident):
        setattr(incident, attr, at)
        incident.status = status
        incident.save(update_fields=[attr, "status"])
    return incident
