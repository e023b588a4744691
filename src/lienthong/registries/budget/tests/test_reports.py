"""Period reports: plan against actual by item, exact sums in Decimal, rates, XLSX."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lienthong.registries.budget.models import BudgetLine, Kind, Stage
from lienthong.registries.budget.reports import (
    PeriodReport,
    ReportRow,
    period_report,
    rate,
    report_xlsx,
)
from lienthong.registries.budget.testing import BudgetWorld, make_line

PLAN, ACTUAL = Stage.PLAN, Stage.ACTUAL
# Amounts that a float would get wrong when added (0.1 + 0.2 style at the đồng scale).
BIG = 9_007_199_254_740_993  # 2**53 + 1: a float cannot hold it


@pytest.fixture
def lines(world: BudgetWorld) -> BudgetWorld:
    h, hosp = world.health, world.hospital
    # Salaries: annual plan per quarter (Q1, Q2), actual per month.
    make_line(h, period="Q1", stage=PLAN, sub_item_code="6001", amount=300_000_000)
    make_line(h, period="Q2", stage=PLAN, sub_item_code="6001", amount=330_000_000)
    make_line(h, period="M01", stage=ACTUAL, sub_item_code="6001", amount=100_000_001)
    make_line(h, period="M02", stage=ACTUAL, sub_item_code="6001", amount=99_999_999)
    make_line(h, period="M04", stage=ACTUAL, sub_item_code="6001", amount=111_111_111)
    # Allowances: one line for the year's plan, one actual in March.
    make_line(h, period="Y", stage=PLAN, sub_item_code="6101", amount=120_000_000)
    make_line(h, period="M03", stage=ACTUAL, sub_item_code="6101", amount=10_000_000)
    # The hospital below: electricity.
    make_line(hosp, period="Q1", stage=PLAN, chapter_code="423", sub_item_code="6501", amount=BIG)
    make_line(hosp, period="M02", stage=ACTUAL, chapter_code="423", sub_item_code="6501", amount=1)
    # Revenue: fees.
    make_line(
        h,
        period="Y",
        kind=Kind.REVENUE,
        stage=PLAN,
        chapter_code="423",
        item_code="4900",
        sub_item_code="4949",
        amount=50_000_000,
    )
    make_line(
        h,
        period="M02",
        kind=Kind.REVENUE,
        stage=ACTUAL,
        chapter_code="423",
        item_code="4900",
        sub_item_code="4949",
        amount=12_500_000,
    )
    # Another year and another agency: never in the report.
    make_line(h, year=2024, period="M01", stage=ACTUAL, sub_item_code="6001", amount=7)
    make_line(
        world.other, period="M01", stage=ACTUAL, chapter_code="414", sub_item_code="6001", amount=7
    )
    return world


def _row(report: PeriodReport, code: str) -> ReportRow:
    return next(r for r in report.rows if r.code == code and r.level != "kind")


def test_quarter_report_of_an_agency_with_its_units(lines: BudgetWorld) -> None:
    report = period_report(
        BudgetLine.objects.all(), year=2025, period="Q1", agency=lines.health, include_units=True
    )
    salaries = _row(report, "6001")
    assert (salaries.plan, salaries.actual) == (Decimal(300_000_000), Decimal(200_000_000))
    assert salaries.plan_year == Decimal(630_000_000)
    assert salaries.actual_to_date == Decimal(200_000_000)  # April is after Q1
    assert salaries.rate == Decimal("66.67")
    assert salaries.rate_year == Decimal("31.75")
    allowances = _row(report, "6101")
    assert allowances.plan == 0 and allowances.rate is None  # the plan is for the year only
    assert allowances.rate_year == Decimal("8.33")
    electricity = _row(report, "6501")
    assert electricity.plan == Decimal(BIG) and electricity.actual == 1
    item_6000 = next(r for r in report.rows if r.level == "item" and r.code == "6000")
    assert item_6000.actual == salaries.actual
    item_6100 = next(r for r in report.rows if r.level == "item" and r.code == "6100")
    assert item_6100.plan_year == 120_000_000
    spending = report.totals[Kind.EXPENDITURE]
    assert spending.plan == Decimal(300_000_000) + Decimal(BIG)
    assert spending.actual == Decimal(210_000_001)
    assert spending.plan_year == Decimal(750_000_000) + Decimal(BIG)
    income = report.totals[Kind.REVENUE]
    assert (income.plan, income.actual, income.plan_year) == (0, 12_500_000, 50_000_000)
    assert income.rate_year == Decimal("25.00")
    # Every amount is a Decimal, and each total is exactly the sum of its rows.
    for row in report.rows:
        assert all(isinstance(getattr(row, n), Decimal) for n in ("plan", "actual"))
    items = [r for r in report.rows if r.level == "item" and r.kind == Kind.EXPENDITURE]
    assert sum((r.plan for r in items), Decimal(0)) == spending.plan
    # Order: revenue total, its item, its sub-item; then spending.
    assert [(r.level, r.code) for r in report.rows[:3]] == [
        ("kind", ""),
        ("item", "4900"),
        ("sub_item", "4949"),
    ]


def test_agency_alone_leaves_out_its_units(lines: BudgetWorld) -> None:
    report = period_report(
        BudgetLine.objects.all(), year=2025, period="Y", agency=lines.health, include_units=False
    )
    assert report.title == "Tình hình thực hiện dự toán năm 2025 — Sở Y tế"
    assert "6501" not in [r.code for r in report.rows]
    assert report.totals[Kind.EXPENDITURE].actual == Decimal(321_111_111)


def test_month_report(lines: BudgetWorld) -> None:
    report = period_report(BudgetLine.objects.all(), year=2025, period="M02", agency=lines.health)
    assert _row(report, "6001").actual == Decimal(99_999_999)
    assert _row(report, "6001").actual_to_date == Decimal(200_000_000)
    assert _row(report, "6001").plan == 0  # quarterly plans are not split into months


def test_chapter_filter_and_empty_report(lines: BudgetWorld) -> None:
    report = period_report(BudgetLine.objects.all(), year=2025, period="Y", chapter="414")
    assert report.totals[Kind.EXPENDITURE].actual == 7
    empty = period_report(BudgetLine.objects.all(), year=2030, period="Y")
    assert empty.rows == [] and empty.totals == {}


def test_report_reads_only_what_the_reader_sees(lines: BudgetWorld) -> None:
    mine = BudgetLine.objects.visible_to(lines.outsider)
    report = period_report(mine, year=2025, period="Y")
    assert report.totals[Kind.EXPENDITURE].actual == 7  # only Sở Tư pháp's line


def test_rate_rounding() -> None:
    assert rate(Decimal(1), Decimal(3)) == Decimal("33.33")
    assert rate(Decimal(2), Decimal(3)) == Decimal("66.67")
    assert rate(Decimal(1), Decimal(8)) == Decimal("12.50")
    assert rate(Decimal(5), Decimal(0)) is None


def test_xlsx_export(lines: BudgetWorld) -> None:
    report = period_report(BudgetLine.objects.all(), year=2025, period="Q1", agency=lines.health)
    sheet = load_workbook(io.BytesIO(report_xlsx(report))).active
    assert sheet is not None
    assert "quý 1 năm 2025" in sheet["A1"].value
    assert [c.value for c in sheet[4]][:4] == ["Mã", "Nội dung", "Dự toán kỳ", "Thực hiện kỳ"]
    by_code = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert by_code["6001"][2:4] == (300_000_000, 200_000_000)
    # Beyond 2**53 a spreadsheet number would round: the cell holds the exact digits as text.
    assert by_code["6501"][2] == str(BIG)
    assert by_code["6000"][3] == 200_000_000
    assert by_code["6001"][4] == pytest.approx(0.6667)
