"""The budget registry's API, under /api/registries/budget/.

`lines/` are the shared registry endpoints (`registries.base.api`: paging with
`limit`/`offset`, filters `year`, `period`, `agency` (id or code; the unit and those below
it), `kind`, `stage`, `chapter`, `item` (item or sub-item code), create, update, soft delete,
restore, history, CSV/XLSX import with the row-level report, export). Added here:

    GET /report        the period report: plan against actual by item, totals, rates
    GET /report.xlsx   the same as an XLSX workbook

Amounts are integer đồng (JSON integers, exact); rates are percentages as decimal strings
("66.67") or null when the plan is zero. The report reads only the lines the caller may
see; bad parameters answer 422 with one Vietnamese message per parameter.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user
from lienthong.registries.base import registry as registries
from lienthong.registries.base.api import ErrorOut, FieldErrorsOut, build_router
from lienthong.registries.budget import codes
from lienthong.registries.budget.models import PERIODS, BudgetLine
from lienthong.registries.budget.registration import LINES
from lienthong.registries.budget.reports import AMOUNTS, PeriodReport, period_report, report_xlsx
from lienthong.registries.budget.views import XLSX, can_read_budget

TAGS = ["registries: thu chi ngân sách"]


def line_out(line: BudgetLine) -> dict[str, Any]:
    """The JSON of a budget line."""
    return {
        "id": line.pk,
        "agency": line.agency_id,
        "agency_code": line.agency.code,
        "agency_name": line.agency.name,
        "year": line.year,
        "period": line.period,
        "kind": line.kind,
        "stage": line.stage,
        "chapter_code": line.chapter_code,
        "item_code": line.item_code,
        "sub_item_code": line.sub_item_code,
        "code_name": line.code_name,
        "amount": line.amount,
        "description": line.description,
        "owner": line.owner_id,
        "created_at": line.created_at.isoformat(),
        "updated_at": line.updated_at.isoformat(),
    }


class LinePatch(Schema):
    """Fields of a budget line to change (only those given are changed)."""

    owner: int | None = None
    agency: int | str | None = Field(None, description="id hoặc mã định danh cơ quan")
    year: int | None = Field(None, ge=2000, le=2100)
    period: str | None = Field(None, description="Y, Q1–Q4, M01–M12")
    kind: str | None = Field(None, pattern="^(revenue|expenditure)$")
    stage: str | None = Field(None, pattern="^(plan|actual)$")
    chapter_code: str | None = Field(None, max_length=3)
    item_code: str | None = Field(None, max_length=4)
    sub_item_code: str | None = Field(None, max_length=4)
    amount: int | None = Field(None, description="đồng, số nguyên")
    description: str | None = Field(None, max_length=300)


class LineIn(LinePatch):
    """A new budget line."""

    owner: int
    agency: int | str
    year: int = Field(ge=2000, le=2100)
    period: str
    kind: str = Field(pattern="^(revenue|expenditure)$")
    stage: str = Field(pattern="^(plan|actual)$")
    chapter_code: str = Field(max_length=3)
    amount: int


def _unit(value: int | str) -> OrgUnit | None:
    text = str(value).strip()
    lookup = {"pk": int(text)} if text.isdigit() else {"code": text}
    return OrgUnit.objects.filter(**lookup).first()


def _apply(obj: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    """Copy input onto a line; unknown owner or agency are field errors."""
    errors: dict[str, list[str]] = {}
    for name in ("owner", "agency"):
        if name in data:
            value = data.pop(name)
            unit = _unit(value) if value is not None else None
            if unit is None:
                errors[name] = [_("Không có cơ quan “%(value)s”.") % {"value": value}]
            else:
                setattr(obj, name, unit)
    for name, value in data.items():
        # null leaves a field as it is (its default on create); "" clears a code.
        if value is not None:
            setattr(obj, name, value)
    return errors


class ReportRowOut(Schema):
    level: str = Field(description="kind (tổng thu/chi), item (mục), sub_item (tiểu mục)")
    kind: str
    code: str
    name: str
    plan: int
    actual: int
    plan_year: int
    actual_to_date: int
    rate: str | None = Field(description="Thực hiện kỳ / dự toán kỳ, %")
    rate_year: str | None = Field(description="Lũy kế / dự toán năm, %")


class ReportOut(Schema):
    title: str
    year: int
    period: str
    agency: int | None
    include_units: bool
    chapter: str
    line_count: int
    rows: list[ReportRowOut]
    totals: dict[str, ReportRowOut]


def _row_out(row: Any) -> dict[str, Any]:
    data = row.as_dict()
    for name in AMOUNTS:
        data[name] = int(data[name])
    for name in ("rate", "rate_year"):
        data[name] = str(data[name]) if data[name] is not None else None
    return data


def _report(
    request: HttpRequest,
    year: str | None,
    period: str,
    agency: str,
    include_units: bool,
    chapter: str,
) -> PeriodReport | Status[dict[str, Any]]:
    user = request.user
    if not is_official_user(user) or not can_read_budget(user):
        raise HttpError(403, _("Bạn không có quyền xem số liệu ngân sách."))
    errors: dict[str, list[str]] = {}
    year_value = int(year) if year and year.isdigit() else 0
    if not 2000 <= year_value <= 2100:
        errors["year"] = [_("Năm phải là số từ 2000 đến 2100.")]
    if period not in PERIODS:
        errors["period"] = [_("Kỳ phải là Y, Q1–Q4 hoặc M01–M12.")]
    unit = _unit(agency) if agency else None
    if agency and unit is None:
        errors["agency"] = [_("Không có cơ quan “%(value)s”.") % {"value": agency}]
    if chapter and chapter not in codes.chapters():
        errors["chapter"] = [_("Mã chương “%(code)s” không có trong mục lục.") % {"code": chapter}]
    if errors:
        return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})
    return period_report(
        BudgetLine.objects.visible_to(user),
        year=year_value,
        period=period,
        agency=unit,
        include_units=include_units,
        chapter=chapter,
    )


lines_router = build_router(
    registries.get(LINES),
    out=line_out,
    create_schema=LineIn,
    update_schema=LinePatch,
    apply=_apply,
    tags=TAGS,
)

router = Router(tags=TAGS, auth=django_auth)


@router.get(
    "/report",
    response={200: ReportOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Báo cáo thực hiện dự toán theo kỳ",
    description=(
        "`year` (bắt buộc), `period` (Y, Q1–Q4, M01–M12; mặc định Y), `agency` (id hoặc mã "
        "định danh; trống: mọi đơn vị bạn được xem), `include_units` (gồm đơn vị trực thuộc, "
        "mặc định có), `chapter` (mã chương)."
    ),
)
def report(
    request: HttpRequest,
    year: str | None = None,
    period: str = "Y",
    agency: str = "",
    include_units: bool = True,
    chapter: str = "",
) -> Any:
    result = _report(request, year, period, agency, include_units, chapter)
    if isinstance(result, Status):
        return result
    return {
        "title": result.title,
        "year": result.year,
        "period": result.period,
        "agency": result.agency.pk if result.agency else None,
        "include_units": result.include_units,
        "chapter": result.chapter,
        "line_count": result.line_count,
        "rows": [_row_out(row) for row in result.rows],
        "totals": {kind: _row_out(row) for kind, row in result.totals.items()},
    }


@router.get(
    "/report.xlsx",
    response={200: None, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Báo cáo thực hiện dự toán theo kỳ (XLSX)",
)
def report_file(
    request: HttpRequest,
    year: str | None = None,
    period: str = "Y",
    agency: str = "",
    include_units: bool = True,
    chapter: str = "",
) -> Any:
    result = _report(request, year, period, agency, include_units, chapter)
    if isinstance(result, Status):
        return result
    response = HttpResponse(report_xlsx(result), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-ngan-sach-{result.year}-{result.period}.xlsx"'
    )
    return response


router.add_router("/lines/", lines_router)
