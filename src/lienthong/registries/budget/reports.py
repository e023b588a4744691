"""Period reports: plan against actual, by item, for an agency and a period.

For a fiscal year, a period (the whole year, a quarter or a month) and an agency (alone or
with the units below it), each sub-item (tiểu mục) gets four amounts:

- plan of the period (dự toán kỳ): plan lines whose period lies inside the report's;
- actual of the period (thực hiện kỳ): actual lines whose period lies inside it;
- plan of the year (dự toán năm): every plan line of the year;
- actual to date (lũy kế từ đầu năm): actual lines from January to the end of the period;

with two rates, actual / plan of the period and to date / plan of the year, in percent.
Items (mục) and the two kinds (thu, chi) get totals. Everything is summed by the database in
one query over integer đồng and carried as `Decimal`: no float ever touches an amount, so
totals are exact and equal the sum of their rows. A rate is None when its plan is zero.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db.models import BigIntegerField, Case, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from lienthong.core.models import OrgUnit
from lienthong.registries.budget import codes
from lienthong.registries.budget.models import BudgetLine, Kind, Stage, period_label, period_months

AMOUNTS = ("plan", "actual", "plan_year", "actual_to_date")
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def rate(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole in percent, two decimals, half up; None when `whole` is zero."""
    if not whole:
        return None
    return (part * _HUNDRED / whole).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass
class ReportRow:
    """One row of the report: a sub-item, an item's total, or a kind's total."""

    level: str  # "sub_item", "item", "kind"
    kind: str
    code: str
    name: str
    plan: Decimal = Decimal(0)
    actual: Decimal = Decimal(0)
    plan_year: Decimal = Decimal(0)
    actual_to_date: Decimal = Decimal(0)

    @property
    def rate(self) -> Decimal | None:
        """Actual of the period against its plan (%)."""
        return rate(self.actual, self.plan)

    @property
    def rate_year(self) -> Decimal | None:
        """Actual to date against the year's plan (%)."""
        return rate(self.actual_to_date, self.plan_year)

    def add(self, other: ReportRow) -> None:
        for name in AMOUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            **{name: getattr(self, name) for name in AMOUNTS},
            "rate": self.rate,
            "rate_year": self.rate_year,
        }


@dataclass
class PeriodReport:
    """The report: its parameters, its rows (kind, then items with their sub-items), totals."""

    agency: OrgUnit | None
    include_units: bool
    year: int
    period: str
    chapter: str
    rows: list[ReportRow] = field(default_factory=list)
    totals: dict[str, ReportRow] = field(default_factory=dict)
    line_count: int = 0

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def title(self) -> str:
        who = self.agency.name if self.agency else _("Tất cả đơn vị được xem")
        if self.period == "Y":
            return _("Tình hình thực hiện dự toán năm %(year)s — %(who)s") % {
                "year": self.year,
                "who": who,
            }
        return _("Tình hình thực hiện dự toán %(period)s năm %(year)s — %(who)s") % {
            "period": self.period_label.lower(),
            "year": self.year,
            "who": who,
        }


def _amount(stage: str, condition: Q) -> Sum:
    return Sum(
        Case(
            When(Q(stage=stage) & condition, then="amount"),
            default=Value(0),
            output_field=BigIntegerField(),
        )
    )


def _decimal(value: Any) -> Decimal:
    # SQLite sums to int, PostgreSQL to numeric (Decimal); both exact.
    return Decimal(int(value or 0))


def period_report(
    lines: QuerySet[BudgetLine],
    *,
    year: int,
    period: str,
    agency: OrgUnit | None = None,
    include_units: bool = True,
    chapter: str = "",
) -> PeriodReport:
    """The report over `lines` (already filtered by the reader's permission)."""
    first, last = period_months(period)
    lines = lines.filter(year=year)
    if agency is not None:
        lines = lines.within(agency) if include_units else lines.filter(agency=agency)  # type: ignore[attr-defined]
    if chapter:
        lines = lines.filter(chapter_code=chapter)
    in_period = Q(month_from__gte=first, month_to__lte=last)
    grouped = (
        lines.order_by()
        .values("kind", "item_code", "sub_item_code")
        .annotate(
            plan=_amount(Stage.PLAN, in_period),
            actual=_amount(Stage.ACTUAL, in_period),
            plan_year=_amount(Stage.PLAN, Q()),
            actual_to_date=_amount(Stage.ACTUAL, Q(month_to__lte=last)),
        )
    )
    report = PeriodReport(agency, include_units, year, period, chapter)
    by_item: dict[tuple[str, str], list[ReportRow]] = {}
    for values in grouped:
        row = cast(dict[str, Any], values)
        sub = row["sub_item_code"]
        item = row["item_code"]
        name = codes.sub_item_name(sub) if sub else codes.item_name(item)
        entry = ReportRow(
            "sub_item",
            row["kind"],
            sub or item,
            name if sub else _("%(name)s (không chi tiết tiểu mục)") % {"name": name},
            **{amount: _decimal(row[amount]) for amount in AMOUNTS},
        )
        by_item.setdefault((row["kind"], item), []).append(entry)
    report.line_count = lines.count()
    for kind in (Kind.REVENUE, Kind.EXPENDITURE):
        total = ReportRow(
            "kind", kind, "", _("Tổng thu") if kind == Kind.REVENUE else _("Tổng chi")
        )
        items = sorted(item for k, item in by_item if k == kind)
        if not items:
            continue
        report.rows.append(total)
        for item in items:
            subtotal = ReportRow("item", kind, item, codes.item_name(item))
            children = sorted(by_item[(kind, item)], key=lambda r: r.code)
            for child in children:
                subtotal.add(child)
            total.add(subtotal)
            report.rows.append(subtotal)
            report.rows.extend(children)
        report.totals[kind] = total
    return report


# --- XLSX -----------------------------------------------------------------------------------


def report_xlsx(report: PeriodReport) -> bytes:
    """The report as an XLSX workbook: amounts as whole numbers, rates as percentages."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Báo cáo")[:31]
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=13)
    subtitle = [
        _("Năm %(year)s, %(period)s") % {"year": report.year, "period": report.period_label},
    ]
    if report.chapter:
        subtitle.append(_("Chương %(code)s") % {"code": report.chapter})
    subtitle.append(_("Đơn vị tính: đồng"))
    sheet.append(["; ".join(subtitle)])
    sheet.append([])
    headers = [
        _("Mã"),
        _("Nội dung"),
        _("Dự toán kỳ"),
        _("Thực hiện kỳ"),
        _("% thực hiện kỳ"),
        _("Dự toán năm"),
        _("Lũy kế từ đầu năm"),
        _("% so với dự toán năm"),
    ]
    sheet.append(headers)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in report.rows:
        sheet.append(
            [
                row.code,
                row.name,
                _cell(row.plan),
                _cell(row.actual),
                _percent(row.rate),
                _cell(row.plan_year),
                _cell(row.actual_to_date),
                _percent(row.rate_year),
            ]
        )
        current = sheet.max_row
        if row.level != "sub_item":
            for cell in sheet[current]:
                cell.font = Font(bold=True)
        for column in ("C", "D", "F", "G"):
            sheet[f"{column}{current}"].number_format = "#,##0"
        for column in ("E", "H"):
            sheet[f"{column}{current}"].number_format = "0.00%"
    for column, width in zip("ABCDEFGH", (10, 60, 18, 18, 12, 18, 18, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


#: Spreadsheet numbers are doubles: whole numbers are exact only up to 2**53.
_EXACT_IN_XLSX = 2**53


def _cell(amount: Decimal) -> int | str:
    """An amount as an integer cell, or as text when a spreadsheet number would round it
    (above 9 million billion đồng: no provincial budget, but never silently wrong)."""
    value = int(amount)
    return value if abs(value) <= _EXACT_IN_XLSX else str(value)


def _percent(value: Decimal | None) -> Decimal | str:
    # A percent cell holds the fraction (12.5 % is 0.125); an empty plan leaves it blank.
    return value / _HUNDRED if value is not None else ""
