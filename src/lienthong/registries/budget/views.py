"""Pages of the budget registry under /csdl/ngan-sach/: the period report and its XLSX.

Browsing, editing, history, import and export of the lines are the shared registry pages
(`registries.base.views`, mounted in `urls.py`). The report reads only the lines the user
may see (`BudgetLine.objects.visible_to`): the finance department every agency's, an
agency's leaders and registry officials their own subtree's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lienthong.core.permissions import grants_of, is_real_user, official_required
from lienthong.registries.base import access
from lienthong.registries.budget.forms import ReportForm
from lienthong.registries.budget.models import (
    AGENCY_READ_ROLES,
    REGISTRY_KEY,
    BudgetLine,
    current_year,
)
from lienthong.registries.budget.reports import PeriodReport, period_report, report_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_read_budget(user: Any) -> bool:
    """Grantees and registry officials (the base rule), and agency leaders (their own)."""
    if not is_real_user(user):
        return False
    return access.can_read(user, REGISTRY_KEY) or grants_of(user, AGENCY_READ_ROLES).exists()


def _report(request: HttpRequest) -> tuple[ReportForm, PeriodReport | None]:
    if not can_read_budget(request.user):
        raise PermissionDenied(_("Bạn không có quyền xem số liệu ngân sách."))
    data = request.GET if "year" in request.GET else None
    form = ReportForm(data, initial={"year": current_year(), "period": "Y", "include_units": True})
    if data is None or not form.is_valid():
        return form, None
    cleaned = form.cleaned_data
    report = period_report(
        BudgetLine.objects.visible_to(request.user),
        year=cleaned["year"],
        period=cleaned["period"],
        agency=cleaned["agency"],
        include_units=cleaned["include_units"],
        chapter=cleaned["chapter"] or "",
    )
    return form, report


@official_required
def report_view(request: HttpRequest) -> HttpResponse:
    """Plan against actual by item for an agency and a period, with totals and rates."""
    form, report = _report(request)
    status = 422 if form.is_bound and not form.is_valid() else 200
    query = request.GET.urlencode()
    return render(
        request,
        "budget/report.html",
        {"form": form, "report": report, "query": query},
        status=status,
    )


@official_required
def report_xlsx_view(request: HttpRequest) -> HttpResponse:
    """The same report as an XLSX workbook."""
    form, report = _report(request)
    if report is None:
        errors = " ".join(str(m) for ms in form.errors.values() for m in ms) or _(
            "Hãy chọn năm và kỳ báo cáo."
        )
        return HttpResponse(errors, status=422, content_type="text/plain; charset=utf-8")
    response = HttpResponse(report_xlsx(report), content_type=XLSX)
    name = f"bao-cao-ngan-sach-{report.year}-{report.period}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
