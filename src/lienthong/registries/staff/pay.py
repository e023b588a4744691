"""Salary arithmetic of Decree 204/2004/NĐ-CP: coefficients, regular raises, extensions.

Pure functions over plain values, so the rules are tested against the decree's tables without
a database; the models call them with their rows. The rules and their sources are in
DOMAIN.md; the tables themselves are package data (`data/scales.json`).
"""

from __future__ import annotations

import calendar
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from lienthong.registries.staff.choices import Category, DisciplineForm

#: The first beyond-scale allowance (phụ cấp thâm niên vượt khung), then one more a year.
OVER_SCALE_FIRST_PERCENT = 5
OVER_SCALE_YEARLY_PERCENT = 1
OVER_SCALE_YEARLY_MONTHS = 12


def reference_data(name: str) -> dict[str, Any]:
    """One of the package's data files (`scales`, `ranks`, `positions`), parsed."""
    text = (
        resources.files("lienthong.registries.staff")
        .joinpath("data", f"{name}.json")
        .read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def base_salaries() -> tuple[tuple[datetime.date, int, str], ...]:
    """The base salary (lương cơ sở) steps: (valid from, amount in đồng, source), oldest first."""
    rows = reference_data("scales")["base_salary"]
    return tuple(
        sorted(
            (datetime.date.fromisoformat(r["valid_from"]), int(r["amount"]), str(r["source"]))
            for r in rows
        )
    )


def base_salary_on(day: datetime.date) -> int | None:
    """The base salary in force on `day`, or None before the first known one."""
    amount = None
    for valid_from, value, _source in base_salaries():
        if valid_from <= day:
            amount = value
    return amount


def coefficient(coefficients: Iterable[Decimal | str], step: int) -> Decimal:
    """The coefficient (hệ số lương) of `step` (1-based) in a scale; ValueError if no such step."""
    values = [Decimal(str(c)) for c in coefficients]
    if not 1 <= step <= len(values):
        raise ValueError(f"step {step} outside 1..{len(values)}")
    return values[step - 1]


def monthly_salary(coeff: Decimal, over_scale_percent: int, day: datetime.date) -> int | None:
    """Salary in đồng: coefficient × base salary, plus the beyond-scale percentage of it."""
    base = base_salary_on(day)
    if base is None:
        return None
    amount = coeff * base * (100 + over_scale_percent) / 100
    return int(amount.to_integral_value())


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def discipline_extension_months(category: str, form: str) -> int:
    """Months a discipline adds to the raise interval (Circular 03/2021/TT-BNV, Art. 1.5).

    12 months: a cán bộ dismissed; a công chức demoted or dismissed; a viên chức or contract
    worker dismissed. 6 months: cán bộ, công chức and contract workers reprimanded or warned,
    viên chức warned. 3 months: viên chức reprimanded. Other forms change no interval (a step
    down is a salary change of its own; the last two end the employment).
    """
    if form == DisciplineForm.DISMISSAL:
        return 12
    if form == DisciplineForm.DEMOTION:
        return 12 if category == Category.CIVIL_SERVANT else 0
    if form == DisciplineForm.WARNING:
        return 6
    if form == DisciplineForm.REPRIMAND:
        return 3 if category == Category.PUBLIC_EMPLOYEE else 6
    return 0


#: A year rated "không hoàn thành nhiệm vụ" during the time in the step (same article).
UNFULFILLED_DUTIES_EXTENSION_MONTHS = 6


@dataclass(frozen=True)
class RaisePlan:
    """The next regular raise: a step up, or the (next) beyond-scale percentage."""

    due: datetime.date
    to_step: int
    to_over_scale_percent: int
    extension_months: int

    @property
    def is_over_scale(self) -> bool:
        return self.to_over_scale_percent > 0


def next_raise(
    *,
    step: int,
    max_step: int,
    interval_months: int,
    over_scale_percent: int,
    last_raise_date: datetime.date,
    extension_months: int = 0,
) -> RaisePlan:
    """When the next regular raise is due and what it gives (Circular 08/2013/TT-BNV Art. 2).

    Below the last step: one step after `interval_months` (36 for A categories, 24 for B, C).
    At the last step without an allowance: 5 % beyond the scale after the same interval; with
    one: 1 % more every 12 months. Extensions for discipline (see
    `discipline_extension_months`) push the date back.
    """
    if not 1 <= step <= max_step:
        raise ValueError(f"step {step} outside 1..{max_step}")
    if step < max_step:
        months, to_step, to_percent = interval_months, step + 1, 0
    elif over_scale_percent <= 0:
        months, to_step, to_percent = interval_months, step, OVER_SCALE_FIRST_PERCENT
    else:
        months = OVER_SCALE_YEARLY_MONTHS
        to_step, to_percent = step, over_scale_percent + OVER_SCALE_YEARLY_PERCENT
    due = add_months(last_raise_date, months + extension_months)
    return RaisePlan(
        due=due,
        to_step=to_step,
        to_over_scale_percent=to_percent,
        extension_months=extension_months,
    )


def extension_for(
    category: str,
    disciplines: Iterable[tuple[datetime.date, str]],
    *,
    since: datetime.date,
    unfulfilled_years: int = 0,
) -> int:
    """Total extension for the disciplines dated on or after `since` (the time in the step).

    Point d of the article: a discipline and a "did not complete duties" rating add up.
    """
    months = sum(
        discipline_extension_months(category, form) for day, form in disciplines if day >= since
    )
    return months + unfulfilled_years * UNFULFILLED_DUTIES_EXTENSION_MONTHS
