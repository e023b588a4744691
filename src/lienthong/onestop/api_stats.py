"""Statistics API, mounted at /api/onestop/stats/: form II.06a as JSON.

For officials (anonymous: 401; citizens and officials who may see no agency: 403). The query
is read by the page's form (`forms_stats.Ii06aForm`), so the rules and the Vietnamese
messages are the same: bad input — a period ending before it starts, longer than five years,
an agency that does not exist or that the caller may not see — is 422 with one entry per
field. Definitions of the columns: `onestop.stats`.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import datetime
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth

from lienthong.core.permissions import is_official_user
from lienthong.onestop.forms_stats import Ii06aForm

router = Router(tags=["onestop: thống kê"], auth=django_auth)


class Ii06aRowOut(Schema):
    """A line of form II.06a: a field or an agency (key: its id), or the total (key null)."""

    key: int | None
    label: str
    received_total: int = Field(..., description="(1) Tổng số nhận giải quyết = (2)+(3)+(4)")
    carried_over: int = Field(..., description="(2) Số kỳ trước chuyển qua")
    received_online: int = Field(..., description="(3) Mới tiếp nhận trực tuyến")
    received_direct: int = Field(..., description="(4) Mới tiếp nhận trực tiếp, bưu chính")
    settled_total: int = Field(..., description="(5) Đã giải quyết")
    settled_early: int = Field(..., description="(6) Trả trước hạn")
    settled_on_time: int = Field(..., description="(7) Trả đúng hạn")
    settled_late: int = Field(..., description="(8) Trả quá hạn")
    pending_total: int = Field(..., description="(9) Đang giải quyết = (10)+(11)")
    pending_in_time: int = Field(..., description="(10) Chưa đến hạn")
    pending_overdue: int = Field(..., description="(11) Quá hạn")
    received_new: int = Field(..., description="(3)+(4)")
    settled_unclassified: int = Field(..., description="Đã giải quyết, chưa xếp loại tiến độ")
    closed_unsettled: int = Field(..., description="Rút hồ sơ hoặc dừng xử lý trong kỳ")
    progress_score: float | None = Field(
        ..., description="Điểm tiến độ (Quyết định 766/QĐ-TTg): 20 × ((6)+(7)) / (5)"
    )


class LateUnitOut(Schema):
    """Late dossiers of the unit that wrote their apology letter (null: not determined)."""

    unit_id: int | None
    label: str
    settled_late: int
    pending_overdue: int


class AgencyRef(Schema):
    """An agency in short."""

    id: int
    code: str | None
    name: str


class Ii06aOut(Schema):
    """Form II.06a for a period and a scope."""

    form: str
    period_from: datetime.date
    period_to: datetime.date
    as_of: datetime.date = Field(..., description="Ngày tính quá hạn cho hồ sơ đang giải quyết")
    group_by: str
    agency: AgencyRef | None
    include_subunits: bool
    scope: str
    rows: list[Ii06aRowOut]
    total: Ii06aRowOut
    late_units: list[LateUnitOut]
    generated_at: datetime.datetime


class ErrorOut(Schema):
    """An error with its Vietnamese explanation."""

    detail: str


@router.get(
    "/ii06a",
    response={200: Ii06aOut, 403: ErrorOut},
    summary="Biểu II.06a: tình hình, kết quả giải quyết TTHC",
)
def ii06a(
    request: HttpRequest,
    start: str | None = Query(None, alias="from", description="Từ ngày, vd 2025-01-01."),
    end: str | None = Query(None, alias="to", description="Đến ngày, vd 2025-03-31."),
    agency: str | None = Query(
        None, description="Mã định danh cơ quan (hoặc id); trống: mọi cơ quan được xem."
    ),
    by: str | None = Query(None, description="field (theo lĩnh vực, mặc định) hoặc agency."),
    subunits: str | None = Query(None, description="1 (mặc định): gồm cơ quan trực thuộc; 0."),
    period: str | None = Query(None, description="month, quarter, year hoặc custom (from–to)."),
    year: str | None = Query(None, description="Năm, với period month/quarter/year."),
    quarter: str | None = Query(None, description="Quý 1–4, với period=quarter."),
    month: str | None = Query(None, description="Tháng 1–12, với period=month."),
) -> Any:
    """Form II.06a for the period, per field or per agency, with the progress score."""
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới xem được thống kê."))
    raw = {
        "from": start,
        "to": end,
        "agency": agency,
        "by": by,
        "subunits": subunits,
        "period": period,
        "year": year,
        "quarter": quarter,
        "month": month,
    }
    form = Ii06aForm({k: v for k, v in raw.items() if v is not None}, user=request.user)
    if not form.allowed_agencies().exists():
        raise HttpError(403, _("Bạn chưa được phân quyền xem thống kê của cơ quan nào."))
    if not form.is_valid():
        errors: list[dict[str, Any]] = []
        for name, messages in form.errors.get_json_data().items():
            loc = ["query"] if name == "__all__" else ["query", name]
            errors.extend({"loc": loc, "msg": m["message"], "type": m["code"]} for m in messages)
        raise ValidationError(errors)
    return cast(dict[str, Any], form.report().as_dict())
