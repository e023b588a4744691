"""Dashboard API, mounted at /api/dashboard/: the page's figures as JSON.

Leaders, IT administrators and superusers (anonymous: 401; anyone else: 403). The query is
read by the page's form (`forms.DashboardForm`): bad filters — a date that is not one, a
period ending before it starts or longer than five years, an agency the caller may not
see — are 422 with one entry per field. Definitions: docs/dashboard.md.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import datetime
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth

from lienthong.dashboard.forms import DashboardForm
from lienthong.dashboard.selectors import may_see_dashboard
from lienthong.onestop.api_stats import AgencyRef, ErrorOut, Ii06aRowOut

router = Router(tags=["dashboard: bảng điều hành"], auth=django_auth)


class TrendPointOut(Schema):
    """One month of the one-stop trend."""

    month: str = Field(..., description="MM/YYYY")
    received: int = Field(..., description="Hồ sơ mới tiếp nhận trong tháng: (3)+(4)")
    settled: int = Field(..., description="Đã giải quyết: (5)")
    on_time: int = Field(..., description="Trước hạn và đúng hạn: (6)+(7)")
    on_time_share: float | None = Field(..., description="100 × on_time / settled (%)")


class OnestopOut(Schema):
    """Form II.06a per agency for the period, its total and the 12-month trend."""

    rows: list[Ii06aRowOut]
    total: Ii06aRowOut
    trend: list[TrendPointOut]


class DueRowOut(Schema):
    """Late and nearly late items of one agency (agency_id null: the total)."""

    agency_id: int | None
    label: str
    overdue: int = Field(..., description="Quá hạn")
    due_soon: int = Field(
        ..., description="Văn bản: đến hạn trong 3 ngày làm việc; khiếu nại: có nguy cơ"
    )


class DocumentsOut(Schema):
    """Incoming documents being handled, overdue or due soon (a snapshot)."""

    due_working_days: int
    rows: list[DueRowOut]
    total: DueRowOut


class ComplaintsOut(Schema):
    """Open complaint cases, overdue or at risk (a snapshot)."""

    rows: list[DueRowOut]
    total: DueRowOut


class IndicatorOut(Schema):
    """An ICT indicator: value, target and progress."""

    code: str
    label: str
    value: float | None
    unit: str
    target: float | None
    target_due: datetime.date | None
    on_track: bool | None
    progress: float | None = Field(..., description="100 × value / target (%)")


class IctOut(Schema):
    """ICT indicators (available false: the ICT module is not installed)."""

    available: bool
    indicators: list[IndicatorOut]


class SummaryOut(Schema):
    """The leaders' dashboard for a period and a scope."""

    period_from: datetime.date
    period_to: datetime.date
    as_of: datetime.date
    agency: AgencyRef | None
    scope: str
    onestop: OnestopOut
    documents: DocumentsOut
    complaints: ComplaintsOut
    ict: IctOut
    generated_at: datetime.datetime


@router.get(
    "/summary",
    response={200: SummaryOut, 403: ErrorOut},
    summary="Bảng điều hành: số liệu tổng hợp",
)
def summary(
    request: HttpRequest,
    start: str | None = Query(None, alias="from", description="Từ ngày, vd 2025-01-01."),
    end: str | None = Query(None, alias="to", description="Đến ngày, vd 2025-12-31."),
    agency: str | None = Query(
        None, description="Mã định danh cơ quan (hoặc id); trống: mọi cơ quan được xem."
    ),
    period: str | None = Query(None, description="month (mặc định), year hoặc custom."),
) -> Any:
    """The dashboard's figures (default: this month)."""
    raw = {"from": start, "to": end, "agency": agency, "period": period}
    form = DashboardForm({k: v for k, v in raw.items() if v is not None}, user=request.user)
    if not may_see_dashboard(request.user) or not form.allowed_agencies().exists():
        raise HttpError(403, _("Bảng điều hành dành cho lãnh đạo và quản trị hệ thống."))
    if not form.is_valid():
        errors: list[dict[str, Any]] = []
        for name, messages in form.errors.get_json_data().items():
            loc = ["query"] if name == "__all__" else ["query", name]
            errors.extend({"loc": loc, "msg": m["message"], "type": m["code"]} for m in messages)
        raise ValidationError(errors)
    return cast(dict[str, Any], form.summary().as_dict())
