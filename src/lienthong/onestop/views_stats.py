"""Statistics pages under /motcua/thong-ke/: form II.06a as a table and as a spreadsheet.

For officials only; each sees the agencies `stats.agencies_visible_to` gives them (their own
agencies; a leader also those below; a superuser all). The request is read by
`forms_stats.Ii06aForm`, as in the API and the command line.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lienthong.core.permissions import official_required
from lienthong.onestop.forms_stats import Ii06aForm, default_data
from lienthong.onestop.stats import COLUMNS, HEADERS, notes, render_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request: HttpRequest) -> Ii06aForm:
    """The request's form — or the default one (this quarter) when nothing was asked;
    403 for an official who may see no agency's statistics."""
    asked = any(name in request.GET for name in ("period", "from", "to", "year", "agency", "by"))
    form = Ii06aForm(request.GET if asked else default_data(), user=request.user)
    if not form.allowed_agencies().exists():
        raise PermissionDenied(_("Bạn chưa được phân quyền xem thống kê của cơ quan nào."))
    return form


@official_required
@require_GET
def ii06a_page(request: HttpRequest) -> HttpResponse:
    """GET /motcua/thong-ke/: form II.06a for a period, an agency, per field or per agency."""
    form = _form(request)
    report = form.report() if form.is_valid() else None
    query = request.GET.urlencode() if request.GET else ""
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "headers": HEADERS,
        "columns": COLUMNS,
        "notes": notes(report) if report else [],
        "agency_choices": form.agency_choices(),
        "selected_agency": (form.data.get("agency") or "").strip(),
        "xlsx_url": f"{reverse('onestop:stats_xlsx')}?{query or _default_query()}",
    }
    return render(request, "onestop/stats_ii06a.html", context, status=200 if report else 422)


def _default_query() -> str:
    params = QueryDict(mutable=True)
    params.update(default_data())
    return params.urlencode()


@official_required
@require_GET
def ii06a_xlsx(request: HttpRequest) -> HttpResponse:
    """GET /motcua/thong-ke/ii06a.xlsx: the same report as a spreadsheet laid out like the form
    (bad input: the page again, with the errors, status 422)."""
    form = _form(request)
    if not form.is_valid():
        return ii06a_page(request)
    report = form.report()
    response = HttpResponse(render_xlsx(report), content_type=XLSX_TYPE)
    name = f"II06a_{report.period_from:%Y%m%d}_{report.period_to:%Y%m%d}_{report.group_by}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
