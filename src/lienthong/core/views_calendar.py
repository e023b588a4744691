"""The calendar page (holidays and working Saturdays of a year, a due-date calculator) and the
forms that read calendar input for the page, the API and the `lienthong calendar` command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.calendar import (
    CalendarRangeError,
    get_calendar,
    hours_to_microseconds,
    parse_moment,
    to_local,
)
from lienthong.core.models import Holiday, WorkingSaturday

MAX_DAYS = 3660  # ten years: no statutory time limit comes near it
MAX_HOURS = Decimal(MAX_DAYS * 8)
MIN_YEAR, MAX_YEAR = 1995, 2100

WEEKDAY_NAMES = (
    _("Thứ Hai"),
    _("Thứ Ba"),
    _("Thứ Tư"),
    _("Thứ Năm"),
    _("Thứ Sáu"),
    _("Thứ Bảy"),
    _("Chủ nhật"),
)


def weekday_name(day: date) -> str:
    """The Vietnamese name of the day of the week (Thứ Hai … Chủ nhật)."""
    return str(WEEKDAY_NAMES[day.weekday()])


class MomentField(forms.Field):
    """A moment typed as ISO 8601 or `dd/mm/yyyy hh:mm`; without an offset, Vietnam time."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60})
    default_error_messages = {
        "required": _("Chưa nhập thời điểm."),
        "invalid": _(
            "Thời điểm “%(value)s” không hợp lệ. Hãy nhập theo dạng 2023-10-27T09:32 "
            "(giờ Việt Nam) hoặc 27/10/2023 09:32."
        ),
        "year": _("Thời điểm phải trong khoảng năm %(low)s–%(high)s."),
    }

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return to_local(value)
        try:
            return parse_moment(str(value))
        except ValueError as exc:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from exc

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise forms.ValidationError(
                self.error_messages["year"],
                code="year",
                params={"low": MIN_YEAR, "high": MAX_YEAR},
            )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return to_local(value).strftime("%Y-%m-%dT%H:%M")
        return value


def _count_field(label: Any, what: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_DAYS,
        error_messages={
            "invalid": _("%(what)s phải là một số nguyên.") % {"what": what},
            "min_value": _("%(what)s không được âm.") % {"what": what},
            "max_value": _("%(what)s tối đa là %(limit)s.") % {"what": what, "limit": MAX_DAYS},
        },
    )


@dataclass(frozen=True)
class DueResult:
    """A computed due date: the start, the rule and amount applied, the date and moment."""

    start: datetime
    rule: str
    amount: Decimal
    due_date: date
    due_at: datetime | None
    years_without_data: tuple[int, ...] = ()


class DueDateForm(forms.Form):
    """When a period of working days, plain days or office hours ends."""

    working_days = _count_field(_("Số ngày làm việc"), _("Số ngày làm việc"))
    days = _count_field(_("Số ngày theo lịch"), _("Số ngày theo lịch"))
    hours = forms.DecimalField(
        label=_("Số giờ làm việc"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_HOURS,
        max_digits=9,
        decimal_places=4,
        error_messages={
            "invalid": _("Số giờ làm việc phải là một số, ví dụ 4 hoặc 1.5."),
            "min_value": _("Số giờ làm việc không được âm."),
            "max_value": _("Số giờ làm việc tối đa là %(limit)s.") % {"limit": MAX_HOURS},
            "max_digits": _("Số giờ làm việc quá lớn."),
            "max_decimal_places": _("Số giờ làm việc có tối đa 4 chữ số thập phân."),
            "max_whole_digits": _("Số giờ làm việc quá lớn."),
        },
    )

    RULES = ("working_days", "days", "hours")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so it cannot be a declared field; it is the name the
        # command line, the API and the page all use.
        self.fields = {
            "from": MomentField(label=_("Thời điểm tiếp nhận")),
            **self.fields,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(name in self.errors for name in self.RULES):
            return cleaned
        given = [name for name in self.RULES if cleaned.get(name) is not None]
        if len(given) != 1:
            raise forms.ValidationError(
                _(
                    "Nhập đúng một trong ba: số ngày làm việc, số ngày theo lịch "
                    "hoặc số giờ làm việc."
                ),
                code="one_rule",
            )
        return cleaned

    def result(self) -> DueResult:
        """The due date of a valid form (call after `is_valid()`)."""
        data = self.cleaned_data
        start: datetime = data["from"]
        calendar = get_calendar()
        due_at: datetime | None = None
        try:
            if data.get("hours") is not None:
                rule, amount = "hours", Decimal(data["hours"])
                due_at = calendar.add_working_microseconds(start, hours_to_microseconds(amount))
                due = due_at.date()
            elif data.get("days") is not None:
                rule, amount = "days", Decimal(data["days"])
                due = calendar.add_calendar_days(start, data["days"])
            else:
                rule, amount = "working_days", Decimal(data["working_days"])
                due = calendar.add_working_days(start, data["working_days"])
        except (CalendarRangeError, OverflowError) as exc:
            raise forms.ValidationError(
                _("Thời hạn vượt quá phạm vi của lịch."), code="range"
            ) from exc
        missing = tuple(calendar.missing_years(start.date(), due))
        return DueResult(start, rule, amount, due, due_at, missing)


@dataclass(frozen=True)
class CountResult:
    """Working time between two moments."""

    start: datetime
    end: datetime
    working_days: int
    working_seconds: int
    years_without_data: tuple[int, ...] = ()


class CountForm(forms.Form):
    """Working days and office time between two moments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "from": MomentField(label=_("Từ thời điểm")),
            "to": MomentField(label=_("Đến thời điểm")),
        }

    def result(self) -> CountResult:
        """The counts of a valid form (call after `is_valid()`)."""
        start, end = self.cleaned_data["from"], self.cleaned_data["to"]
        calendar = get_calendar()
        try:
            return CountResult(
                start,
                end,
                calendar.working_days_between(start, end),
                calendar.working_seconds_between(start, end),
                tuple(calendar.missing_years(start.date(), end.date())),
            )
        except CalendarRangeError as exc:
            raise forms.ValidationError(
                _("Khoảng thời gian vượt quá phạm vi của lịch."), code="range"
            ) from exc


class YearForm(forms.Form):
    """A calendar year to list."""

    year = forms.IntegerField(
        label=_("Năm"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "required": _("Chưa nhập năm."),
            "invalid": _("Năm phải là một số nguyên, ví dụ 2025."),
            "min_value": _("Năm phải từ %(low)s đến %(high)s.")
            % {"low": MIN_YEAR, "high": MAX_YEAR},
            "max_value": _("Năm phải từ %(low)s đến %(high)s.")
            % {"low": MIN_YEAR, "high": MAX_YEAR},
        },
    )


@dataclass(frozen=True)
class YearDays:
    """The holidays and working Saturdays of one year, as rows to show."""

    year: int
    holidays: list[Holiday]
    working_saturdays: list[WorkingSaturday]

    @property
    def has_data(self) -> bool:
        return bool(self.holidays or self.working_saturdays)


def year_days(year: int) -> YearDays:
    """The rows of both tables for `year`, in date order."""
    return YearDays(
        year,
        list(Holiday.objects.filter(date__year=year).order_by("date")),
        list(WorkingSaturday.objects.filter(date__year=year).order_by("date")),
    )


def calendar_page(request: HttpRequest) -> HttpResponse:
    """The year's holidays and working Saturdays with their sources, and a calculator."""
    today = timezone.localdate()
    year_form = YearForm(request.GET if "year" in request.GET else {"year": today.year})
    year = year_form.cleaned_data["year"] if year_form.is_valid() else today.year
    due_form = DueDateForm(request.GET) if "from" in request.GET else DueDateForm()
    due = None
    if due_form.is_bound and due_form.is_valid():
        try:
            due = due_form.result()
        except forms.ValidationError as exc:
            due_form.add_error(None, exc)
    days = year_days(year)
    context = {
        "year": year,
        "year_form": year_form,
        "previous_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
        "days": days,
        "holiday_rows": [(day, weekday_name(day.date)) for day in days.holidays],
        "saturday_rows": [(day, weekday_name(day.date)) for day in days.working_saturdays],
        "due_form": due_form,
        "due": due,
        "due_weekday": weekday_name(due.due_date) if due else "",
        "can_edit": request.user.has_perm("core.change_holiday"),
    }
    return render(request, "core/calendar_page.html", context)
