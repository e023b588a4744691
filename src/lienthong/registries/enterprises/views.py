"""This app's own pages, beside the shared registry pages (`registries.base.views`):
the status change of an enterprise, its dependent units, the amendment and termination of
an investment project, and the investment dossiers the one-stop hook could not apply.

Each parses its form and calls a service; a record the user may not edit is a 404, whether
it exists or not (`editable_by`), and someone who edits no registry at all gets a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.core.permissions import official_required
from lienthong.registries.base import registry as registries
from lienthong.registries.base.services import owner_agencies
from lienthong.registries.enterprises import forms, services, vsic
from lienthong.registries.enterprises.models import (
    Branch,
    DossierSyncProblem,
    Enterprise,
    InvestmentProject,
)
from lienthong.registries.enterprises.registry import ENTERPRISES, PROJECTS


def _require_editor(request: HttpRequest) -> None:
    if not owner_agencies(request.user).exists():
        raise PermissionDenied(_("Chỉ cán bộ quản lý cơ sở dữ liệu mới được sửa dữ liệu."))


def _enterprise(request: HttpRequest, pk: int) -> Enterprise:
    _require_editor(request)
    obj: Enterprise = get_object_or_404(Enterprise.objects.editable_by(request.user), pk=pk)
    return obj


def _project(request: HttpRequest, pk: int) -> InvestmentProject:
    _require_editor(request)
    obj: InvestmentProject = get_object_or_404(
        InvestmentProject.objects.editable_by(request.user), pk=pk
    )
    return obj


def _form_errors(form: Form, exc: ValidationError) -> None:
    """A service's ValidationError on the form, field by field where the field exists."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _page(
    request: HttpRequest,
    template: str,
    obj: Any,
    form: Form,
    title: str,
    registry: str,
) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    context = {"obj": obj, "form": form, "title": title, "rt": registries.get(registry)}
    return render(request, template, context, status=status)


# --- Enterprises ----------------------------------------------------------------------------


@official_required
def status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend, resume or dissolve an enterprise (a row of its status history)."""
    enterprise = _enterprise(request, pk)
    form = forms.StatusForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_status(
                enterprise,
                to_status=data["to_status"],
                effective_on=data["effective_on"],
                until=data.get("until"),
                reason=data["reason"],
                decision=data.get("decision", ""),
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận thay đổi tình trạng."))
            return redirect(enterprise.get_absolute_url())
    return _page(
        request,
        "enterprises/action_form.html",
        enterprise,
        form,
        _("Thay đổi tình trạng"),
        ENTERPRISES,
    )


@official_required
def branch_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a branch, representative office or business location."""
    enterprise = _enterprise(request, pk)
    form = forms.BranchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_branch(enterprise, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                # The service names address errors after the model's field.
                errors = exc.message_dict
                if "address_commune" in errors:
                    errors["commune"] = errors.pop("address_commune")
                exc = ValidationError(errors)
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm đơn vị phụ thuộc."))
            return redirect(enterprise.get_absolute_url())
    return _page(
        request,
        "enterprises/action_form.html",
        enterprise,
        form,
        _("Thêm chi nhánh, văn phòng đại diện, địa điểm kinh doanh"),
        ENTERPRISES,
    )


@require_POST
@official_required
def branch_close_view(request: HttpRequest, pk: int, branch: int) -> HttpResponse:
    """Record that a dependent unit stopped operating today (or on the date posted)."""
    enterprise = _enterprise(request, pk)
    unit = get_object_or_404(Branch, pk=branch, enterprise=enterprise)
    try:
        services.close_branch(unit, closed_on=services.today(), by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Đã ghi nhận chấm dứt hoạt động của %(name)s.") % {"name": unit.name}
        )
    return redirect(enterprise.get_absolute_url())


# --- Investment projects --------------------------------------------------------------------


@official_required
def amend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Amend a project's investment registration certificate."""
    project = _project(request, pk)
    form = forms.AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.amend_project(
                project,
                form.project_data(),
                amended_on=form.cleaned_data["amended_on"],
                summary=form.cleaned_data.get("summary", ""),
                certificate_number=form.cleaned_data.get("certificate_number", ""),
                by=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "investors" in exc.message_dict:
                exc = ValidationError({"investors_text": exc.message_dict["investors"]})
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận điều chỉnh giấy chứng nhận."))
            return redirect(project.get_absolute_url())
    return _page(
        request,
        "enterprises/action_form.html",
        project,
        form,
        _("Điều chỉnh giấy chứng nhận đăng ký đầu tư"),
        PROJECTS,
    )


@official_required
def terminate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Terminate a project."""
    project = _project(request, pk)
    form = forms.TerminationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.terminate_project(
                project,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận chấm dứt hoạt động dự án."))
            return redirect(project.get_absolute_url())
    return _page(
        request,
        "enterprises/action_form.html",
        project,
        form,
        _("Chấm dứt hoạt động dự án"),
        PROJECTS,
    )


@official_required
def sync_problems_view(request: HttpRequest) -> HttpResponse:
    """Approved investment dossiers the registry could not be updated from (for the owners)."""
    _require_editor(request)
    problems = (
        DossierSyncProblem.objects.filter(
            resolved_at__isnull=True, agency__in=owner_agencies(request.user)
        )
        .select_related("agency")
        .order_by("-at")[:200]
    )
    return render(
        request,
        "enterprises/sync_problems.html",
        {"problems": problems, "rt": registries.get(PROJECTS)},
    )


# --- Detail pages ---------------------------------------------------------------------------


def enterprise_context(enterprise: Enterprise) -> dict[str, Any]:
    """What the enterprise page shows beside its fields (one query each)."""
    return {
        "lines": [
            (line, vsic.section_of(line.code))
            for line in enterprise.lines.order_by("-is_main", "code")
        ],
        "status_history": list(
            enterprise.status_history.select_related("recorded_by").order_by("effective_on", "pk")
        ),
        "branches": list(enterprise.branches.order_by("kind", "tax_code", "pk")),
        "investments": list(
            InvestmentProject.objects.filter(investors__enterprise=enterprise)
            .distinct()
            .order_by("code")[:50]
        ),
    }


def project_context(project: InvestmentProject) -> dict[str, Any]:
    """What the project page shows beside its fields."""
    return {
        "investors": list(project.investors.select_related("enterprise").order_by("order", "pk")),
        "amendments": list(project.amendments.order_by("number")),
    }
