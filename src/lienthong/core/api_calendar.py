"""Calendar API (mounted at /api/core/calendar/): due dates, working-day counts, holidays.

Public and read-only: the holiday calendar and the arithmetic over it are public information
that citizens' portals and other agencies' systems need without an account. Input is read by
the same forms as the page and the command line, so the rules and the Vietnamese messages are
the same everywhere; bad input gets 422 with one entry per field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import ValidationError

from lienthong.core.views_calendar import (
    CountForm,
    DueDateForm,
    YearForm,
    weekday_name,
    year_days,
)

router = Router(tags=["calendar"])


class DueOut(Schema):
    """A due date; `due_at` (the moment, Vietnam time) only for office-hour periods."""

    start: datetime
    rule: str
    amount: Decimal
    due_date: date
    due_at: datetime | None
    years_without_data: list[int]


class CountOut(Schema):
    """Working days in (day of start, day of end] and office time in [start, end)."""

    start: datetime
    end: datetime
    working_days: int
    working_seconds: int
    working_hours: Decimal
    years_without_data: list[int]


class DayOut(Schema):
    """A holiday or a working Saturday, with where it comes from."""

    date: date
    weekday: str
    name: str
    source: str
    is_confirmed: bool


class YearOut(Schema):
    """The holidays and working Saturdays of a year."""

    year: int
    has_data: bool
    holidays: list[DayOut]
    working_saturdays: list[DayOut]


def _errors(form: forms.Form) -> ValidationError:
    """The form's errors in the API's 422 shape (one entry per field, `query` location)."""
    errors: list[dict[str, Any]] = []
    for name, messages in form.errors.get_json_data().items():
        loc = ["query"] if name == "__all__" else ["query", name]
        errors.extend({"loc": loc, "msg": m["message"], "type": m["code"]} for m in messages)
    return ValidationError(errors)


def _range_error(exc: forms.ValidationError) -> ValidationError:
    return ValidationError(
        [{"loc": ["query"], "msg": message, "type": "range"} for message in exc.messages]
    )


@router.get("/due", response=DueOut, summary="Tính hạn giải quyết")
def due(
    request: HttpRequest,
    start: str | None = Query(
        None, alias="from", description="Thời điểm tiếp nhận, vd 2023-10-27T09:32 (giờ VN)."
    ),
    working_days: str | None = Query(None, description="Số ngày làm việc (số nguyên ≥ 0)."),
    days: str | None = Query(None, description="Số ngày theo lịch (Điều 148 BLDS)."),
    hours: str | None = Query(None, description="Số giờ làm việc, vd 4 hoặc 1.5."),
) -> dict[str, Any]:
    """Due date of a period starting at `from`: give exactly one of working_days, days, hours.

    Working days: the day of `from` is not counted (Civil Code Art. 147). Plain days: an end
    on a day off moves to the next working day (Art. 148). Hours: office hours only.
    """
    form = DueDateForm({"from": start, "working_days": working_days, "days": days, "hours": hours})
    if not form.is_valid():
        raise _errors(form)
    try:
        result = form.result()
    except forms.ValidationError as exc:
        raise _range_error(exc) from exc
    return {
        "start": result.start,
        "rule": result.rule,
        "amount": result.amount,
        "due_date": result.due_date,
        "due_at": result.due_at,
        "years_without_data": list(result.years_without_data),
    }


@router.get("/count", response=CountOut, summary="Đếm ngày làm việc")
def count(
    request: HttpRequest,
    start: str | None = Query(None, alias="from", description="Từ thời điểm."),
    end: str | None = Query(None, alias="to", description="Đến thời điểm."),
) -> dict[str, Any]:
    """Working days and office time between two moments (negative when `to` is earlier)."""
    form = CountForm({"from": start, "to": end})
    if not form.is_valid():
        raise _errors(form)
    try:
        result = form.result()
    except forms.ValidationError as exc:
        raise _range_error(exc) from exc
    return {
        "start": result.start,
        "end": result.end,
        "working_days": result.working_days,
        "working_seconds": result.working_seconds,
        "working_hours": (Decimal(result.working_seconds) / 3600).quantize(Decimal("0.0001")),
        "years_without_data": list(result.years_without_data),
    }


@router.get("/holidays", response=YearOut, summary="Ngày nghỉ và ngày làm bù của một năm")
def holidays_of_year(
    request: HttpRequest,
    year: str | None = Query(None, description="Năm, vd 2025."),
) -> dict[str, Any]:
    """The holidays and working Saturdays of `year`, with sources and confirmation."""
    form = YearForm({"year": year})
    if not form.is_valid():
        raise _errors(form)
    days = year_days(form.cleaned_data["year"])

    def rows(items: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "date": item.date,
                "weekday": weekday_name(item.date),
                "name": item.name,
                "source": item.source,
                "is_confirmed": item.is_confirmed,
            }
            for item in items
        ]

    return {
        "year": days.year,
        "has_data": days.has_data,
        "holidays": rows(days.holidays),
        "working_saturdays": rows(days.working_saturdays),
    }
