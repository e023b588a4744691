"""Pages of the staff registry beyond the shared ones (`registries.base.views`).

The shared pages give browse, search, detail (with this app's template and context), edit,
history and revert, import and export. Here: the decisions that change a member's career
(salary, appointments, qualifications, training, rewards, discipline), the "đến hạn nâng
lương" report (screen and XLSX) and the teachers' sector list at /csdl/giao-vien/.

Who may do what is the shared rule: readers are checked like the shared pages
(`access.can_read`, then `.visible_to`), writers must be registry officials somewhere (403
otherwise) and of the member's owner agency (404 otherwise, like a missing member).
"""

from __future__ import annotations

import datetime
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import official_required
from lienthong.registries.base import access, exporting
from lienthong.registries.base import services as base
from lienthong.registries.base.models import DataAccess
from lienthong.registries.base.views import count_capped, page_of
from lienthong.registries.staff import selectors, services
from lienthong.registries.staff.choices import SchoolLevel
from lienthong.registries.staff.forms import (
    CAREER_FORMS,
    AppointmentForm,
    EndAppointmentForm,
    RegularRaiseForm,
    SalaryChangeForm,
)
from lienthong.registries.staff.models import (
    CAREER_KINDS,
    DUE_SOON_DAYS,
    Appointment,
    Rank,
    School,
    StaffMember,
    StaffQuerySet,
)
from lienthong.registries.staff.registry import STAFF

#: Tabs of the detail page: anchor → label (the career kinds use their URL segment).
TABS = (
    ("chung", _("Thông tin chung")),
    ("luong", _("Quá trình lương")),
    ("bo-nhiem", _("Bổ nhiệm")),
    ("trinh-do", _("Trình độ")),
    ("dao-tao", _("Đào tạo, bồi dưỡng")),
    ("khen-thuong", _("Khen thưởng")),
    ("ky-luat", _("Kỷ luật")),
)
MAX_REPORT_DAYS = 3660


def detail_url(member: StaffMember, tab: str = "") -> str:
    """The member's page, on a tab."""
    url = reverse("staff:staffmember_detail", args=[member.pk])
    return f"{url}#{tab}" if tab else url


def detail_context(member: StaffMember) -> dict[str, Any]:
    """What the detail page shows besides the fields: the career, the next raise, warnings."""
    today = timezone.localdate()
    return {
        "file": selectors.member_file(member),
        "due": selectors.due_raise_of(member, today),
        "recent_discipline": selectors.discipline_in_last_year(member, today),
        # The raise is offered once it is near (the decision is prepared ahead of the date).
        "raise_soon": member.next_raise_due is not None
        and member.next_raise_due <= today + datetime.timedelta(days=DUE_SOON_DAYS),
        "tabs": TABS,
        "today": today,
    }


def _require_reader(request: HttpRequest) -> None:
    if not access.can_read(request.user, STAFF):
        raise PermissionDenied(
            _("Cơ quan của bạn chưa được cấp quyền khai thác cơ sở dữ liệu này.")
        )


def _editable_member(request: HttpRequest, pk: int) -> StaffMember:
    """A live member the user may edit: 403 for non-editors, 404 outside their agencies."""
    if not base.owner_agencies(request.user).exists():
        raise PermissionDenied(_("Chỉ cán bộ quản lý cơ sở dữ liệu mới được sửa dữ liệu."))
    qs = StaffMember.objects.editable_by(request.user).select_related("rank__scale", "org_unit")
    member: StaffMember = get_object_or_404(qs, pk=pk)
    return member


def _apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _action_page(
    request: HttpRequest, member: StaffMember, form: forms.BaseForm, title: str, **extra: Any
) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    context = {"member": member, "form": form, "title": title, **extra}
    return render(request, "staff/action_form.html", context, status=status)


# --- Salary -----------------------------------------------------------------------------------


@official_required
def salary_change_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A salary decision: rank, step, beyond-scale allowance from a date (with history)."""
    member = _editable_member(request, pk)
    initial = {
        "rank": member.rank_id,
        "step": member.salary_step,
        "over_scale_percent": member.over_scale_percent,
    }
    form = SalaryChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_salary(
                member,
                rank=data["rank"],
                step=data["step"],
                over_scale_percent=data.get("over_scale_percent") or 0,
                effective_date=data["effective_date"],
                reason=data["reason"],
                decision_number=data["decision_number"],
                decision_date=data.get("decision_date"),
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi quyết định lương."))
            return redirect(detail_url(member, "luong"))
    return _action_page(request, member, form, _("Quyết định lương (xếp lương, nâng ngạch, …)"))


@official_required
def regular_raise_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The regular raise computed by the decree: the user only enters the decision."""
    member = _editable_member(request, pk)
    due = selectors.due_raise_of(member, timezone.localdate())
    form = RegularRaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.apply_regular_raise(
                member,
                decision_number=data["decision_number"],
                decision_date=data.get("decision_date"),
                effective_date=data.get("effective_date"),
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã nâng lương."))
            return redirect(detail_url(member, "luong"))
    return _action_page(request, member, form, _("Nâng lương thường xuyên"), due=due)


# --- Appointments -----------------------------------------------------------------------------


@official_required
def appoint_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An appointment decision; warns when a discipline was decided in the last 12 months."""
    member = _editable_member(request, pk)
    form = AppointmentForm(request.POST or None)
    warning = selectors.discipline_in_last_year(member, timezone.localdate())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.appoint(
                member,
                position=data["position"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                effective_date=data["effective_date"],
                term_years=data["term_years"],
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi quyết định bổ nhiệm."))
            return redirect(detail_url(member, "bo-nhiem"))
    return _action_page(request, member, form, _("Bổ nhiệm chức vụ"), warning=warning)


@official_required
def end_appointment_view(request: HttpRequest, pk: int, appointment_id: int) -> HttpResponse:
    """End a post (thôi giữ chức vụ)."""
    member = _editable_member(request, pk)
    appointment = get_object_or_404(Appointment, pk=appointment_id, member=member)
    form = EndAppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_appointment(
                appointment, ended_on=form.cleaned_data["ended_on"], by=request.user
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi thôi giữ chức vụ."))
            return redirect(detail_url(member, "bo-nhiem"))
    title = _("Thôi giữ chức vụ %(position)s") % {"position": appointment.position}
    return _action_page(request, member, form, title)


# --- Qualifications, training, rewards, discipline --------------------------------------------


@official_required
def career_add_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Add a row to one of the member's career lists (trình độ, đào tạo, khen thưởng, kỷ luật)."""
    form_class = CAREER_FORMS.get(kind)
    if form_class is None:
        raise Http404
    member = _editable_member(request, pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_career_record(member, form.save(commit=False), by=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm."))
            return redirect(detail_url(member, kind))
    title = dict(TABS)[kind]
    return _action_page(request, member, form, title)


@require_POST
@official_required
def career_delete_view(request: HttpRequest, pk: int, kind: str, record_id: int) -> HttpResponse:
    """Remove a row entered by mistake (audited)."""
    model = CAREER_KINDS.get(kind)
    member = _editable_member(request, pk)
    if model is None:
        raise Http404
    record = get_object_or_404(model, pk=record_id, member=member)
    services.delete_career_record(record, by=request.user)
    messages.success(request, _("Đã xoá."))
    return redirect(detail_url(member, kind))


# --- The raise report -------------------------------------------------------------------------


def _visible(request: HttpRequest) -> StaffQuerySet:
    qs: StaffQuerySet = StaffMember.objects.visible_to(request.user)
    return qs


def _report_params(request: HttpRequest) -> tuple[int, OrgUnit | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    days_text = (request.GET.get("days") or str(DUE_SOON_DAYS)).strip()
    days = int(days_text) if days_text.isdigit() else -1
    if not 0 <= days <= MAX_REPORT_DAYS:
        errors["days"] = [
            _("Số ngày phải là số nguyên từ 0 đến %(max)d.") % {"max": MAX_REPORT_DAYS}
        ]
        days = DUE_SOON_DAYS
    unit = None
    unit_text = (request.GET.get("unit") or "").strip()
    if unit_text:
        unit = OrgUnit.objects.filter(pk=unit_text).first() if unit_text.isdigit() else None
        if unit is None:
            errors["unit"] = [_("Không có đơn vị này.")]
    return days, unit, errors


@official_required
def due_report_view(request: HttpRequest) -> HttpResponse:
    """Staff whose regular raise is due within N days (and overdue ones), with the step or
    allowance they move to; `?format=xlsx` downloads it."""
    _require_reader(request)
    today = timezone.localdate()
    days, unit, errors = _report_params(request)
    qs = _visible(request)
    if unit is not None:
        qs = qs.within(unit)
    qs = selectors.due_for_raise(qs, on=today, days=days)
    if request.GET.get("format") == "xlsx" and not errors:
        access.log_read(
            registry=STAFF,
            object_id="*",
            subject_key="*",
            subject_repr=_("Danh sách đến hạn nâng lương"),
            by=request.user,
            purpose=_("Xét nâng lương thường xuyên"),
            channel=DataAccess.Channel.PAGE,
        )
        rows = (selectors.report_cells(line) for line in selectors.due_rows(qs, on=today))
        handle = exporting.xlsx_tempfile(
            [selectors.report_header(), *rows], title=_("Đến hạn nâng lương")
        )
        download = FileResponse(
            handle,
            as_attachment=True,
            filename=f"den-han-nang-luong-{today:%Y%m%d}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        return cast(HttpResponse, download)
    page = page_of(qs if not errors else qs.none(), request.GET.get("page"), size=50)
    lines = [selectors.due_raise_of(m, today) for m in page["rows"]]
    count, capped = count_capped(qs) if not errors else (0, False)
    params = {k: v for k, v in request.GET.items() if k not in ("page", "format") and v}
    context = {
        "lines": [line for line in lines if line is not None],
        "page": page,
        "count": count,
        "capped": capped,
        "days": days,
        "unit": unit,
        "units": OrgUnit.objects.active().values_list("pk", "name", "depth"),
        "errors": errors,
        "params": params,
        "query_string": urlencode(params),
        "today": today,
    }
    return render(request, "staff/due_report.html", context, status=422 if errors else 200)


# --- Teachers ---------------------------------------------------------------------------------


def _teacher_filters(
    request: HttpRequest, qs: StaffQuerySet
) -> tuple[StaffQuerySet, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    get = request.GET
    school = (get.get("school") or "").strip()
    if school:
        if school.isdigit():
            qs = qs.filter(school_id=int(school))
        else:
            errors["school"] = [_("Không có trường này.")]
    level = (get.get("level") or "").strip()
    if level:
        if level in SchoolLevel.values:
            qs = qs.filter(school_level=level)
        else:
            errors["level"] = [_("Cấp học “%(value)s” không hợp lệ.") % {"value": level}]
    title = (get.get("title") or "").strip()
    if title:
        qs = qs.filter(rank__code=title)
    subject = " ".join((get.get("subject") or "").split())
    if len(subject) > 100:
        errors["subject"] = [_("Tên môn dài quá 100 ký tự.")]
    elif subject:
        qs = qs.filter(subjects__icontains=subject)
    q = (get.get("q") or "").strip()
    if len(q) > 200:
        errors["q"] = [_("Từ khoá dài quá 200 ký tự.")]
    elif q:
        qs = qs.search(q)
    return qs, errors


def teachers_queryset(request: HttpRequest) -> tuple[StaffQuerySet, dict[str, list[str]]]:
    """The teachers the user may read, narrowed by the page's (and the API's) filters."""
    qs = _visible(request).teachers()
    qs = qs.select_related("school__org_unit", "org_unit", "owner", "rank__scale", "position")
    qs, errors = _teacher_filters(request, qs)
    if not (request.GET.get("q") or "").strip():
        qs = qs.order_by("search_text", "pk")
    return qs, errors


@official_required
def teachers_view(request: HttpRequest) -> HttpResponse:
    """The teachers' sector: staff working at schools, by school, level, title, subject."""
    _require_reader(request)
    qs, errors = teachers_queryset(request)
    page = page_of(qs if not errors else qs.none(), request.GET.get("page"))
    count, capped = count_capped(qs) if not errors else (0, False)
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "page": page,
        "count": count,
        "capped": capped,
        "errors": errors,
        "params": params,
        "query_string": urlencode(params),
        "schools": School.objects.select_related("org_unit").order_by("org_unit__name"),
        "levels": SchoolLevel.choices,
        "titles": Rank.objects.filter(~Q(school_level="")).order_by("code"),
        "today": datetime.date.today(),
    }
    return render(request, "staff/teacher_list.html", context, status=422 if errors else 200)
