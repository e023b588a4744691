"""Pages of the leaders' dashboard under /bang-dieu-hanh/: the page with its charts and the
PDF export. Leaders, IT administrators and superusers only (others 403); the filters are read
by `forms.DashboardForm`, as in the API and the command line."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lienthong.dashboard.exports import (
    chart_data,
    labels,
    pdf_filename,
    render_dashboard_pdf,
)
from lienthong.dashboard.forms import DashboardForm
from lienthong.dashboard.selectors import may_see_dashboard


def _form(request: HttpRequest) -> DashboardForm:
    """The request's filters; 403 for anyone who may not open the dashboard."""
    form = DashboardForm(request.GET, user=request.user)
    if not may_see_dashboard(request.user) or not form.allowed_agencies().exists():
        raise PermissionDenied(_("Bảng điều hành dành cho lãnh đạo và quản trị hệ thống."))
    return form


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """GET /bang-dieu-hanh/: figures, charts and their tables; bad filters: 422 with the
    form's messages."""
    form = _form(request)
    summary = form.summary() if form.is_valid() else None
    context: dict[str, Any] = {
        "form": form,
        "s": summary,
        "names": labels(),
        "agency_choices": form.agency_choices(),
        "selected_agency": (request.GET.get("agency") or "").strip(),
        "chart": chart_data(summary) if summary else None,
        "pdf_query": form.query() if summary else "",
    }
    return render(request, "dashboard/page.html", context, status=200 if summary else 422)


@login_required
@require_GET
def dashboard_pdf(request: HttpRequest) -> HttpResponse:
    """GET /bang-dieu-hanh/pdf/: the same dashboard as a PDF (bad filters: the page, 422)."""
    form = _form(request)
    if not form.is_valid():
        return dashboard_page(request)
    summary = form.summary()
    response = HttpResponse(render_dashboard_pdf(summary), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(summary)}"'
    return response
