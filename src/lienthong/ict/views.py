"""Pages of the ICT inventory under /ha-tang-cntt/. Views parse input and call services.

An agency's officials see and edit their own agency's report; the IT department (it_admin)
sees every agency, accepts or returns reports and keeps targets; leaders read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import (
    get_visible_or_404,
    is_official_user,
    official_required,
)
from lienthong.ict import indicators, selectors, services, spreadsheet
from lienthong.ict.forms import (
    ComplianceForm,
    ImportForm,
    IncidentForm,
    ReasonForm,
    ReportForm,
    TargetForm,
)
from lienthong.ict.models import (
    ChecklistItem,
    Compliance,
    Incident,
    IndicatorTarget,
    InventoryReport,
    ReportingPeriod,
    ReportStatus,
    is_ict_admin,
)
from lienthong.ict.services import ReportFigures, WrongState

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form (unknown fields on the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _editable_agencies(user: Any) -> list[OrgUnit]:
    """The agencies whose figures the user may enter."""
    agencies = OrgUnit.objects.agencies().active().order_by("path")
    if is_ict_admin(user):
        return list(agencies)
    grants = user.role_assignments.filter(
        role__in=services.EDITOR_ROLES, org_unit__isnull=False
    ).select_related("org_unit")
    paths = [g.org_unit.path for g in grants]
    return [a for a in agencies if any(a.path.startswith(p) for p in paths)] if paths else []


def _selected_period(request: HttpRequest) -> ReportingPeriod | None:
    code = request.GET.get("period", "")
    if code:
        return ReportingPeriod.objects.filter(code=code).first()
    return selectors.reporting_period_for(request.user) or ReportingPeriod.objects.first()


# --- Reports --------------------------------------------------------------------------------


@official_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports of a period the user may see, and the agencies still to report."""
    period = _selected_period(request)
    reports = (
        InventoryReport.objects.visible_to(request.user)
        .filter(period=period)
        .select_related("agency", "period")
    )
    status = request.GET.get("status", "")
    if status:
        reports = reports.filter(status=status)
    reported = {r.agency_id for r in reports}
    missing = [a for a in _editable_agencies(request.user) if a.pk not in reported]
    return render(
        request,
        "ict/report_list.html",
        {
            "periods": ReportingPeriod.objects.all(),
            "period": period,
            "reports": reports,
            "status": status,
            "statuses": ReportStatus.choices,
            "missing": missing if period is not None and period.is_open else [],
            "is_admin": is_ict_admin(request.user),
        },
    )


@official_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report with the actions the user may take."""
    report = get_visible_or_404(
        InventoryReport.objects.select_related("agency", "period", "accepted_by"),
        request.user,
        pk=pk,
    )
    editor = services.can_edit_agency(request.user, report.agency)
    return render(
        request,
        "ict/report_detail.html",
        {
            "report": report,
            "figures": ReportForm(initial=ReportFigures.of(report).__dict__),
            "software": report.software.all(),
            "can_edit": editor and report.is_editable and report.period.is_open,
            "can_decide": is_ict_admin(request.user) and report.status == ReportStatus.SUBMITTED,
            "reason_form": ReasonForm(),
        },
    )


@official_required
def report_edit(request: HttpRequest, agency_id: int, period: str) -> HttpResponse:
    """Enter or correct an agency's report for a period."""
    agency = OrgUnit.objects.filter(pk=agency_id, is_agency=True).first()
    chosen = ReportingPeriod.objects.filter(code=period).first()
    if agency is None or chosen is None:
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    if not services.can_edit_agency(request.user, agency):
        # Seeing the report is not editing it: a reader gets 403, a stranger 404.
        if InventoryReport.objects.visible_to(request.user).filter(agency=agency).exists():
            raise PermissionDenied(_("Bạn không có quyền cập nhật số liệu của cơ quan này."))
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    existing = InventoryReport.objects.filter(agency=agency, period=chosen).first()
    initial = ReportFigures.of(existing).__dict__ if existing else ReportFigures().__dict__
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.save_report(
                agency=agency, period=chosen, figures=form.figures(), by=request.user
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except WrongState as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lưu báo cáo."))
            return redirect("ict:report", pk=report.pk)
    return render(
        request,
        "ict/report_form.html",
        {"form": form, "agency": agency, "period": chosen, "report": existing},
    )


ACTIONS: dict[str, Callable[[InventoryReport, HttpRequest], object]] = {
    "gui": lambda r, req: services.submit_report(r, by=req.user),
    "chap-nhan": lambda r, req: services.accept_report(r, by=req.user),
    "tra-lai": lambda r, req: services.return_report(
        r, reason=req.POST.get("reason", ""), by=req.user
    ),
}


@require_POST
@official_required
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, accept or return a report."""
    report = get_visible_or_404(
        InventoryReport.objects.select_related("agency", "period"), request.user, pk=pk
    )
    call = ACTIONS.get(action)
    if call is None:
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    try:
        call(report, request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except WrongState as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã cập nhật báo cáo."))
    return redirect("ict:report", pk=report.pk)


@official_required
def report_import(request: HttpRequest) -> HttpResponse:
    """Upload an XLSX file of reports for an open period: all rows or none."""
    periods = ReportingPeriod.objects.filter(is_open=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    form.fields["period"] = forms.ModelChoiceField(
        label=_("Kỳ báo cáo"),
        queryset=periods,
        to_field_name="code",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    row_errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = spreadsheet.import_reports(
                form.cleaned_data["file"],
                period=form.cleaned_data["period"],
                by=request.user,
                submit=form.cleaned_data["submit"],
            )
        except spreadsheet.ImportRejected as exc:
            row_errors = exc.errors
            form.add_error(None, _("Tệp có lỗi, chưa nhập dòng nào. Sửa các lỗi dưới đây."))
        except (WrongState, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Đã nhập %(created)s báo cáo mới, cập nhật %(updated)s báo cáo.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect(reverse("ict:reports") + f"?period={form.cleaned_data['period'].code}")
    return render(request, "ict/import.html", {"form": form, "row_errors": row_errors})


@official_required
def report_template(request: HttpRequest) -> HttpResponse:
    """The XLSX template, one row per agency the user may report for."""
    data = spreadsheet.template_xlsx(_editable_agencies(request.user))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="bao-cao-cntt.xlsx"'
    return response


# --- Indicators and targets -----------------------------------------------------------------


@official_required
def indicator_page(request: HttpRequest) -> HttpResponse:
    """The indicators of a period with targets and progress; the IT department sets targets."""
    period = _selected_period(request)
    admin = is_ict_admin(request.user)
    form = TargetForm(request.POST or None)
    if request.method == "POST":
        if not admin:
            raise PermissionDenied(_("Chỉ bộ phận quản trị CNTT của tỉnh làm được việc này."))
        if form.is_valid():
            try:
                services.set_target(**form.cleaned_data, by=request.user)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu chỉ tiêu."))
                return redirect(request.get_full_path())
    values = selectors.indicator_values(request.user, period) if period else []
    rows = [
        (v, indicators.progress(v.value, v.target), indicators.BY_CODE[v.code].formula)
        for v in values
    ]
    return render(
        request,
        "ict/indicators.html",
        {
            "periods": ReportingPeriod.objects.all(),
            "period": period,
            "rows": rows,
            "targets": IndicatorTarget.objects.all(),
            "labels": dict(indicators.CHOICES),
            "form": form if admin else None,
        },
    )


# --- Security checklist ---------------------------------------------------------------------


def _checklist_agencies(user: Any) -> list[OrgUnit]:
    visible = set(InventoryReport.objects.visible_to(user).values_list("agency", flat=True))
    visible |= set(Compliance.objects.visible_to(user).values_list("agency", flat=True))
    editable = _editable_agencies(user)
    extra = OrgUnit.objects.filter(pk__in=visible - {a.pk for a in editable})
    return sorted([*editable, *extra], key=lambda a: a.path)


@official_required
def checklist_index(request: HttpRequest) -> HttpResponse:
    """The agencies whose security checklist the user may see."""
    return render(
        request, "ict/checklist_index.html", {"agencies": _checklist_agencies(request.user)}
    )


@official_required
def checklist_page(request: HttpRequest, agency_id: int) -> HttpResponse:
    """An agency's checklist; its officials and the IT department set each item's status."""
    agency = next((a for a in _checklist_agencies(request.user) if a.pk == agency_id), None)
    if agency is None:
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    editor = services.can_edit_agency(request.user, agency)
    items = list(ChecklistItem.objects.filter(is_active=True))
    answers = {c.item_id: c for c in Compliance.objects.filter(agency=agency)}
    failed: dict[int, ComplianceForm] = {}
    if request.method == "POST":
        if not editor:
            raise PermissionDenied(_("Bạn không có quyền cập nhật số liệu của cơ quan này."))
        item = next((i for i in items if str(i.pk) == request.POST.get("item")), None)
        if item is None:
            raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
        # Each row renders its form with the prefix `i<item>`; parse it with the same one.
        form = ComplianceForm(request.POST, request.FILES, prefix=f"i{item.pk}")
        if form.is_valid():
            try:
                services.set_compliance(
                    agency=agency,
                    item=item,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    evidence=form.cleaned_data["evidence"],
                    by=request.user,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu kết quả tiêu chí."))
                return redirect("ict:checklist", agency_id=agency.pk)
        failed[item.pk] = form
    rows = []
    for item in items:
        answer = answers.get(item.pk)
        form = failed.get(item.pk) or ComplianceForm(
            initial={
                "status": answer.status if answer else "",
                "note": answer.note if answer else "",
            },
            prefix=f"i{item.pk}",
        )
        rows.append((item, answer, form))
    return render(
        request,
        "ict/checklist.html",
        {"agency": agency, "rows": rows, "can_edit": editor},
    )


def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file, only to those who may see the agency's checklist (no public URL)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_official_user(request.user):
        raise PermissionDenied(_("Trang này chỉ dành cho cán bộ, công chức."))
    answer = get_visible_or_404(Compliance.objects.all(), request.user, pk=pk)
    if not answer.evidence:
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    return selectors.evidence_response(answer)


# --- Incidents ------------------------------------------------------------------------------


@official_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents with their clocks; `?qua-han=1` only those past a clock; a form to report."""
    incidents = Incident.objects.visible_to(request.user).select_related("agency")
    overdue = request.GET.get("qua-han") == "1"
    if overdue:
        incidents = incidents.overdue()
    agencies = _editable_agencies(request.user)
    form = IncidentForm(request.POST or None)
    form.fields["agency"].choices = [(a.pk, a.name) for a in agencies]  # type: ignore[attr-defined]
    if request.method == "POST":
        if not agencies:
            raise PermissionDenied(_("Bạn không có quyền cập nhật số liệu của cơ quan này."))
        if form.is_valid():
            agency = next(a for a in agencies if str(a.pk) == form.cleaned_data["agency"])
            try:
                incident = services.report_incident(
                    agency=agency,
                    title=form.cleaned_data["title"],
                    detected_at=form.cleaned_data["detected_at"],
                    description=form.cleaned_data["description"],
                    severity=form.cleaned_data["severity"],
                    by=request.user,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi nhận sự cố."))
                return redirect("ict:incident", pk=incident.pk)
    now = timezone.now()
    rows = [(i, i.initial_overdue(now), i.full_overdue(now)) for i in incidents[:500]]
    return render(
        request,
        "ict/incident_list.html",
        {"rows": rows, "overdue": overdue, "form": form if agencies else None},
    )


STEPS = {
    "initial": gettext_lazy("Ghi nhận báo cáo ban đầu"),
    "full": gettext_lazy("Ghi nhận báo cáo đầy đủ"),
    "close": gettext_lazy("Đóng sự cố"),
}


@official_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One incident, its two clocks, and the next step."""
    incident = get_visible_or_404(Incident.objects.select_related("agency"), request.user, pk=pk)
    if request.method == "POST":
        try:
            services.advance_incident(incident, step=request.POST.get("step", ""), by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except WrongState as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã cập nhật sự cố."))
        return redirect("ict:incident", pk=incident.pk)
    now = timezone.now()
    return render(
        request,
        "ict/incident_detail.html",
        {
            "incident": incident,
            "initial_overdue": incident.initial_overdue(now),
            "full_overdue": incident.full_overdue(now),
            "can_edit": services.can_edit_agency(request.user, incident.agency),
            "steps": [(k, str(v)) for k, v in STEPS.items()],
        },
    )
