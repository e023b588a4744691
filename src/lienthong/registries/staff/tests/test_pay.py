"""The salary arithmetic against the tables of Decree 204/2004/NĐ-CP and Circular 03/2021."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest

from lienthong.registries.staff import pay
from lienthong.registries.staff.choices import Category, DisciplineForm

D = datetime.date


def scale(code: str) -> list[str]:
    return next(
        s["coefficients"] for s in pay.reference_data("scales")["scales"] if s["code"] == code
    )


@pytest.mark.parametrize(
    ("code", "steps", "first", "last"),
    [
        ("A3.1", 6, "6.20", "8.00"),
        ("A3.2", 6, "5.75", "7.55"),
        ("A2.1", 8, "4.40", "6.78"),
        ("A2.2", 8, "4.00", "6.38"),
        ("A1", 9, "2.34", "4.98"),
        ("A0", 10, "2.10", "4.89"),
        ("B", 12, "1.86", "4.06"),
        ("C1", 12, "1.65", "3.63"),
    ],
)
def test_the_package_tables_are_the_decree_tables(
    code: str, steps: int, first: str, last: str
) -> None:
    values = scale(code)
    assert len(values) == steps
    assert (values[0], values[-1]) == (first, last)
    # Every step of a scale adds the same amount (0.36, 0.34, 0.33, 0.31, 0.20, 0.18).
    gaps = {Decimal(b) - Decimal(a) for a, b in itertools.pairwise(values)}
    assert len(gaps) == 1


def test_coefficient_of_a_step() -> None:
    # Chuyên viên (A1) bậc 3 = 3,00; chuyên viên chính (A2.1) bậc 8 = 6,78.
    assert pay.coefficient(scale("A1"), 3) == Decimal("3.00")
    assert pay.coefficient(scale("A2.1"), 8) == Decimal("6.78")
    assert pay.coefficient(scale("B"), 12) == Decimal("4.06")


@pytest.mark.parametrize("step", [0, 10, -1])
def test_a_step_outside_the_scale_is_refused(step: int) -> None:
    with pytest.raises(ValueError):
        pay.coefficient(scale("A1"), step)


def test_a_categories_rise_every_36_months_b_and_c_every_24() -> None:
    a1 = pay.next_raise(
        step=3, max_step=9, interval_months=36, over_scale_percent=0, last_raise_date=D(2022, 4, 1)
    )
    assert (a1.due, a1.to_step, a1.to_over_scale_percent) == (D(2025, 4, 1), 4, 0)
    b = pay.next_raise(
        step=3, max_step=12, interval_months=24, over_scale_percent=0, last_raise_date=D(2022, 4, 1)
    )
    assert (b.due, b.to_step) == (D(2024, 4, 1), 4)


def test_at_the_last_step_the_next_raise_is_the_allowance_beyond_the_scale() -> None:
    first = pay.next_raise(
        step=9, max_step=9, interval_months=36, over_scale_percent=0, last_raise_date=D(2020, 1, 1)
    )
    assert (first.due, first.to_step, first.to_over_scale_percent) == (D(2023, 1, 1), 9, 5)
    assert first.is_over_scale
    later = pay.next_raise(
        step=9, max_step=9, interval_months=36, over_scale_percent=7, last_raise_date=D(2024, 1, 1)
    )
    assert (later.due, later.to_over_scale_percent) == (D(2025, 1, 1), 8)


@pytest.mark.parametrize(
    ("category", "form", "months"),
    [
        (Category.OFFICIAL, DisciplineForm.DISMISSAL, 12),
        (Category.CIVIL_SERVANT, DisciplineForm.DEMOTION, 12),
        (Category.CIVIL_SERVANT, DisciplineForm.DISMISSAL, 12),
        (Category.PUBLIC_EMPLOYEE, DisciplineForm.DISMISSAL, 12),
        (Category.CONTRACT, DisciplineForm.DISMISSAL, 12),
        (Category.OFFICIAL, DisciplineForm.REPRIMAND, 6),
        (Category.CIVIL_SERVANT, DisciplineForm.WARNING, 6),
        (Category.CONTRACT, DisciplineForm.REPRIMAND, 6),
        (Category.PUBLIC_EMPLOYEE, DisciplineForm.WARNING, 6),
        (Category.PUBLIC_EMPLOYEE, DisciplineForm.REPRIMAND, 3),
        (Category.CIVIL_SERVANT, DisciplineForm.STEP_DOWN, 0),
        (Category.CIVIL_SERVANT, DisciplineForm.FORCED_RESIGNATION, 0),
    ],
)
def test_discipline_extensions_of_circular_03_2021(category: str, form: str, months: int) -> None:
    assert pay.discipline_extension_months(category, form) == months


def test_extensions_count_only_the_time_in_the_step_and_add_up() -> None:
    disciplines = [
        (D(2020, 5, 1), DisciplineForm.WARNING),
        (D(2023, 2, 1), DisciplineForm.REPRIMAND),
    ]
    months = pay.extension_for(
        Category.PUBLIC_EMPLOYEE, disciplines, since=D(2022, 9, 1), unfulfilled_years=1
    )
    assert months == 3 + 6  # the 2020 warning was in an earlier step
    plan = pay.next_raise(
        step=2,
        max_step=9,
        interval_months=36,
        over_scale_percent=0,
        last_raise_date=D(2022, 9, 1),
        extension_months=months,
    )
    assert plan.due == D(2026, 6, 1)
    assert plan.extension_months == 9


def test_add_months_keeps_the_end_of_month() -> None:
    assert pay.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert pay.add_months(D(2024, 2, 29), 36) == D(2027, 2, 28)
    assert pay.add_months(D(2024, 11, 15), 14) == D(2026, 1, 15)


def test_monthly_salary_uses_the_base_salary_in_force() -> None:
    # 2,34 × 2.340.000 đ from 1/7/2024; 2,34 × 1.800.000 đ the day before.
    assert pay.monthly_salary(Decimal("2.34"), 0, D(2024, 7, 1)) == 5_475_600
    assert pay.monthly_salary(Decimal("2.34"), 0, D(2024, 6, 30)) == 4_212_000
    # 5 % beyond the scale is 5 % of the coefficient's salary.
    assert pay.monthly_salary(Decimal("4.98"), 5, D(2025, 1, 1)) == 12_235_860
    assert pay.monthly_salary(Decimal("2.34"), 0, D(2000, 1, 1)) is None
