"""Pages of the complaints app: officials' pages under /khieu-nai/, and the public filing and
lookup pages (`complaints:file`, `complaints:lookup`). Views parse input and call services."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.accounts.models import User
from lienthong.complaints import inspections, selectors, services
from lienthong.complaints.forms import (
    AcceptForm,
    AssignForm,
    CaseForm,
    ConcludeForm,
    DecideForm,
    ExtendForm,
    FollowUpForm,
    ForwardForm,
    InspectionConclusionForm,
    InspectionForm,
    PlanForm,
    ReasonForm,
    ReceptionForm,
    ReportForm,
    StatsForm,
)
from lienthong.complaints.models import (
    Channel,
    Complaint,
    Inspection,
    InspectionPlan,
    Kind,
    Reception,
    Recommendation,
    Status,
)
from lienthong.core.permissions import get_visible_or_404, official_required
from lienthong.workflow.engine import WrongState

PAGE_SIZE = 50


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form (unknown fields on the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Cases (officials) ----------------------------------------------------------------------


def available_actions(complaint: Complaint, user: Any, *, leader: bool | None = None) -> list[str]:
    """The actions the user may take on the case now (the services check again); `leader`:
    whether the user leads the case's agency, when the caller already knows it."""
    if leader is None:
        leader = services.is_leader(user, complaint.agency)
    status = complaint.status
    found: list[str] = []
    if status == Status.RECEIVED and leader:
        found += ["accept", "refuse", "forward"]
    if status == Status.ACCEPTED and leader:
        found.append("assign")
    if status == Status.VERIFYING and complaint.handler_id == user.pk:
        found.append("report")
    if status == Status.REPORTED and leader:
        found.append("conclude")
    if (
        complaint.kind == Kind.DENUNCIATION
        and leader
        and status in (Status.ACCEPTED, Status.VERIFYING, Status.REPORTED)
    ):
        found.append("extend")
    return found


ACTION_FORMS: dict[str, tuple[str, type[forms.Form]]] = {
    "accept": ("Thụ lý", AcceptForm),
    "refuse": ("Không thụ lý", ReasonForm),
    "forward": ("Chuyển đơn", ForwardForm),
    "assign": ("Giao xác minh", AssignForm),
    "extend": ("Gia hạn giải quyết", ExtendForm),
    "report": ("Báo cáo kết quả xác minh", ReportForm),
    "conclude": ("Kết luận, quyết định", ConcludeForm),
}


def _action_form(name: str, complaint: Complaint, data: Any = None) -> forms.Form:
    form_class = ACTION_FORMS[name][1]
    if form_class is AssignForm:
        return AssignForm(data, agency=complaint.agency, prefix=name)
    return form_class(data, prefix=name)


def _run(form: forms.Form, complaint: Complaint, name: str, user: User) -> None:
    data = form.cleaned_data
    if name == "accept":
        services.accept(
            complaint=complaint, by=user, complexity=data["complexity"], remote=data["remote"]
        )
    elif name == "refuse":
        services.refuse(complaint=complaint, by=user, reason=data["reason"])
    elif name == "forward":
        services.forward_to(
            complaint=complaint, to_agency=data["to_agency"], by=user, reason=data["reason"]
        )
    elif name == "assign":
        services.assign(complaint=complaint, handler=data["handler"], by=user, note=data["note"])
    elif name == "extend":
        services.extend(
            complaint=complaint,
            by=user,
            complexity=data["complexity"],
            days=data["days"],
            notice_number=data["notice_number"],
            reason=data["reason"],
        )
    elif name == "report":
        services.report(complaint=complaint, by=user, text=data["text"])
    elif name == "conclude":
        services.conclude(
            complaint=complaint,
            by=user,
            outcome=data["outcome"],
            conclusion=data["conclusion"],
            number=data["number"],
        )


@official_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the official may see, newest first, filtered by kind and status."""
    user = cast(User, request.user)
    cases = Complaint.objects.visible_to(user).select_related("agency", "handler")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind in Kind.values:
        cases = cases.filter(kind=kind)
    if status in Status.values:
        cases = cases.filter(status=status)
    rows = [(case, case.filer_for(user)) for case in cases[:PAGE_SIZE]]
    return render(
        request,
        "complaints/case_list.html",
        {
            "rows": rows,
            "kinds": Kind.choices,
            "statuses": Status.choices,
            "kind": kind,
            "status": status,
        },
    )


@official_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Register a case received at the desk or by post (optionally from a reception)."""
    user = cast(User, request.user)
    reception = None
    if request.GET.get("reception") or request.POST.get("reception"):
        reception = get_visible_or_404(
            Reception.objects,
            user,
            pk=request.GET.get("reception") or request.POST.get("reception"),
        )
    initial: dict[str, Any] = {"channel": Channel.RECEPTION}
    if reception is not None:
        initial.update(
            agency=reception.agency,
            filer_name=reception.person_name,
            filer_personal_id=reception.person_personal_id,
            filer_address=reception.address,
            content=reception.content,
        )
    form = CaseForm(request.POST or None, official=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.file_case(
                kind=data["kind"],
                stage=data["stage"] or "first",
                agency=data["agency"],
                field=data["field"],
                channel=data["channel"],
                filer=services.Filer(
                    name=data["filer_name"],
                    address=data["filer_address"],
                    personal_id=data["filer_personal_id"],
                    phone=data["filer_phone"],
                    email=data["filer_email"],
                ),
                subject=data["subject"],
                content=data["content"],
                respondent=data["respondent"],
                known_on=data["known_on"],
                late_reason=data["late_reason"],
                remote=data["remote"],
                reception=reception,
                by=user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã tiếp nhận đơn %(code)s.") % {"code": complaint.code})
            return redirect(complaint)
    return render(request, "complaints/case_form.html", {"form": form, "reception": reception})


@official_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One case: its data (the filer masked where the user may not see them), history,
    extensions, and the forms of the actions the user may take."""
    user = cast(User, request.user)
    complaint = get_visible_or_404(
        Complaint.objects.select_related(
            "agency", "handler", "case", "forwarded_to"
        ).prefetch_related(
            Prefetch("history", queryset=services.History.objects.order_by("at", "pk"))
        ),
        user,
        pk=pk,
    )
    return _render_detail(request, complaint, user)


def _render_detail(
    request: HttpRequest,
    complaint: Complaint,
    user: User,
    failed: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = []
    for name in available_actions(complaint, user):
        form = failed[1] if failed and failed[0] == name else _action_form(name, complaint)
        actions.append({"name": name, "title": _(ACTION_FORMS[name][0]), "form": form})
    return render(
        request,
        "complaints/case_detail.html",
        {
            "complaint": complaint,
            "filer": complaint.filer_for(user),
            "identity_visible": complaint.identity_visible_to(user),
            "history": complaint.history.order_by("at", "pk"),
            "extensions": complaint.extensions.order_by("number"),
            "actions": actions,
            "open_action": failed[0] if failed else "",
            "on_time": services.on_time(complaint),
        },
        status=status,
    )


@official_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one action on a case; a bad form comes back on the case page."""
    user = cast(User, request.user)
    complaint = get_visible_or_404(Complaint.objects.select_related("agency"), user, pk=pk)
    if action not in ACTION_FORMS:
        raise PermissionDenied(_("Thao tác không hợp lệ."))
    form = _action_form(action, complaint, request.POST)
    if form.is_valid():
        try:
            _run(form, complaint, action, user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except WrongState as exc:
            messages.error(request, str(exc))
            return redirect(complaint)
        else:
            messages.success(
                request, _("Đã thực hiện: %(action)s.") % {"action": _(ACTION_FORMS[action][0])}
            )
            return redirect(complaint)
    complaint.refresh_from_db()
    return _render_detail(request, complaint, user, failed=(action, form), status=422)


# --- Citizen reception ----------------------------------------------------------------------


@official_required
def reception_list(request: HttpRequest) -> HttpResponse:
    """The reception register of the user's agencies, and the form for a new row."""
    user = cast(User, request.user)
    form = ReceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reception = services.record_reception(by=user, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi sổ tiếp công dân."))
            return redirect("complaints:reception", pk=reception.pk)
    rows = (
        Reception.objects.visible_to(user)
        .select_related("agency")
        .prefetch_related("cases")[:PAGE_SIZE]
    )
    return render(
        request,
        "complaints/reception_list.html",
        {"form": form, "rows": [(row, row.person_for(user)) for row in rows]},
    )


@official_required
def reception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One reception, the cases opened from it, and the link to open one."""
    user = cast(User, request.user)
    reception = get_visible_or_404(Reception.objects.select_related("agency"), user, pk=pk)
    return render(
        request,
        "complaints/reception_detail.html",
        {
            "reception": reception,
            "person": reception.person_for(user),
            "cases": reception.cases.visible_to(user),
        },
    )


# --- Statistics -----------------------------------------------------------------------------


@official_required
def stats(request: HttpRequest) -> HttpResponse:
    """Statistics of a period by kind, field, agency or outcome; `?xlsx=1` downloads them."""
    user = cast(User, request.user)
    today = timezone.localdate()
    data = request.GET if "start" in request.GET else None
    form = StatsForm(
        data,
        initial={"start": today.replace(month=1, day=1), "end": today, "by": "kind"},
    )
    report = None
    if data is None:
        report = selectors.report(
            Complaint.objects.visible_to(user),
            start=today.replace(month=1, day=1),
            end=today,
            by="kind",
        )
    elif form.is_valid():
        report = selectors.report(
            Complaint.objects.visible_to(user),
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            by=form.cleaned_data["by"],
        )
        if request.GET.get("xlsx"):
            response = HttpResponse(
                selectors.render_xlsx(report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            name = f"khieu-nai-to-cao-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    labels = selectors.column_labels()
    return render(
        request,
        "complaints/stats.html",
        {
            "form": form,
            "report": report,
            "columns": [(c, labels[c]) for c in selectors.COLUMNS],
            "query": request.GET.urlencode(),
        },
        status=200 if data is None or form.is_valid() else 422,
    )


# --- Inspections ----------------------------------------------------------------------------


@official_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    """Plans and inspections of the user's agencies, with the forms to add them."""
    user = cast(User, request.user)
    plan_form = PlanForm(
        request.POST if request.POST.get("form") == "plan" else None, prefix="plan"
    )
    inspection_form = InspectionForm(
        request.POST if request.POST.get("form") == "inspection" else None, prefix="inspection"
    )
    if request.method == "POST":
        try:
            if request.POST.get("form") == "plan" and plan_form.is_valid():
                inspections.create_plan(by=user, **plan_form.cleaned_data)
                messages.success(request, _("Đã thêm kế hoạch thanh tra."))
                return redirect("complaints:inspections")
            if request.POST.get("form") == "inspection" and inspection_form.is_valid():
                data = inspection_form.cleaned_data
                plan = None
                if data["plan_year"]:
                    plan = InspectionPlan.objects.filter(
                        agency=data["agency"], year=data["plan_year"]
                    ).first()
                    if plan is None:
                        raise ValidationError({"plan_year": _("Chưa có kế hoạch năm này.")})
                inspection = inspections.create_inspection(
                    agency=data["agency"],
                    subject=data["subject"],
                    target=data["target"],
                    plan=plan,
                    by=user,
                )
                return redirect(inspection)
        except ValidationError as exc:
            _apply_errors(plan_form if request.POST.get("form") == "plan" else inspection_form, exc)
    return render(
        request,
        "complaints/inspection_list.html",
        {
            "plans": InspectionPlan.objects.visible_to(user).select_related("agency"),
            "inspections": Inspection.objects.visible_to(user)
            .select_related("agency", "plan")
            .distinct()[:PAGE_SIZE],
            "plan_form": plan_form,
            "inspection_form": inspection_form,
        },
    )


def _recommendations(text: str) -> list[inspections.RecommendationSpec]:
    specs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        due = None
        if len(parts) > 2 and parts[2]:
            try:
                due = datetime.date.fromisoformat(parts[2])
            except ValueError:
                raise ValidationError(
                    {
                        "recommendations": _("Hạn “%(value)s” không phải ngày yyyy-mm-dd.")
                        % {"value": parts[2]}
                    }
                ) from None
        specs.append(
            inspections.RecommendationSpec(
                text=parts[0], responsible=parts[1] if len(parts) > 1 else "", due_date=due
            )
        )
    return specs


@official_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One inspection: decision, team, conclusion, recommendations and their follow-up."""
    user = cast(User, request.user)
    inspection = get_visible_or_404(
        Inspection.objects.select_related("agency", "plan", "team_leader").distinct(), user, pk=pk
    )
    which = request.POST.get("form", "")
    decide_form = DecideForm(request.POST if which == "decide" else None, prefix="decide")
    conclude_form = InspectionConclusionForm(
        request.POST if which == "conclude" else None, prefix="conclude"
    )
    follow_form = FollowUpForm(request.POST if which == "follow" else None, prefix="follow")
    calls: dict[str, tuple[forms.Form, Callable[[], object]]] = {
        "decide": (
            decide_form,
            lambda: inspections.decide(
                inspection=inspection,
                by=user,
                decision_number=decide_form.cleaned_data["decision_number"],
                decision_date=decide_form.cleaned_data["decision_date"],
                duration_days=decide_form.cleaned_data["duration_days"],
                team_leader=decide_form.cleaned_data["team_leader"],
                members=list(decide_form.cleaned_data["members"]),
            ),
        ),
        "conclude": (
            conclude_form,
            lambda: inspections.conclude(
                inspection=inspection,
                by=user,
                number=conclude_form.cleaned_data["number"],
                conclusion=conclude_form.cleaned_data["conclusion"],
                recommendations=_recommendations(conclude_form.cleaned_data["recommendations"]),
            ),
        ),
        "follow": (
            follow_form,
            lambda: inspections.follow_up(
                recommendation=get_recommendation(inspection, request.POST.get("recommendation")),
                by=user,
                status=follow_form.cleaned_data["status"],
                note=follow_form.cleaned_data["note"],
            ),
        ),
    }
    if request.method == "POST" and which in calls:
        form, call = calls[which]
        if form.is_valid():
            try:
                call()
            except ValidationError as exc:
                _apply_errors(form, exc)
            except WrongState as exc:
                messages.error(request, str(exc))
                return redirect(inspection)
            else:
                messages.success(request, _("Đã lưu."))
                return redirect(inspection)
    return render(
        request,
        "complaints/inspection_detail.html",
        {
            "inspection": inspection,
            "team": inspection.team.order_by("full_name"),
            "recommendations": inspection.recommendations.order_by("pk"),
            "decide_form": decide_form,
            "conclude_form": conclude_form,
            "follow_form": follow_form,
            "may_lead": services.is_leader(user, inspection.agency),
            "may_work": services.may_work(user, inspection.agency),
        },
    )


def get_recommendation(inspection: Inspection, pk: str | None) -> Recommendation:
    """A recommendation of this inspection (a form error otherwise)."""
    found = None
    if pk is not None and pk.isdigit():
        found = inspection.recommendations.filter(pk=int(pk)).first()
    if found is None:
        raise ValidationError({"status": _("Không tìm thấy kiến nghị.")})
    return found


# --- Public pages ---------------------------------------------------------------------------


def file_online(request: HttpRequest) -> HttpResponse:
    """Online filing by a logged-in citizen (the account is the filer)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = cast(User, request.user)
    if not user.is_citizen:
        raise PermissionDenied(_("Trang này dành cho công dân gửi đơn trực tuyến."))
    initial = {
        "filer_name": user.full_name,
        "filer_personal_id": user.personal_id or "",
        "filer_phone": user.phone,
        "filer_email": user.email,
    }
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.file_case(
                kind=data["kind"],
                stage=data["stage"] or "first",
                agency=data["agency"],
                field=data["field"],
                channel=Channel.ONLINE,
                filer=services.Filer(
                    name=data["filer_name"],
                    address=data["filer_address"],
                    personal_id=data["filer_personal_id"],
                    phone=data["filer_phone"],
                    email=data["filer_email"],
                ),
                subject=data["subject"],
                content=data["content"],
                respondent=data["respondent"],
                known_on=data["known_on"],
                late_reason=data["late_reason"],
                remote=data["remote"],
                by=user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đơn đã được gửi. Mã đơn của bạn: %(code)s — hãy giữ mã để tra cứu.")
                % {"code": complaint.code},
            )
            return redirect(reverse("complaints:lookup") + f"?ma={complaint.code}")
    return render(request, "complaints/file.html", {"form": form})


def lookup(request: HttpRequest) -> HttpResponse:
    """Anyone with the code sees the status, public notes and outcome (no identity)."""
    code = (request.GET.get("ma") or "").strip()
    found = selectors.public_lookup(code) if code else None
    return render(
        request,
        "complaints/lookup.html",
        {"code": code, "found": found},
        status=404 if code and found is None else 200,
    )
