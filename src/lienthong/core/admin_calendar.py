"""Admin for the working-day calendar: holidays and working Saturdays, edited through the
audited services of `calendar_seed` so an edit is logged and invalidates cached calendars."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lienthong.core.calendar_seed import (
    check_holiday,
    check_working_saturday,
    delete_day,
    save_day,
)
from lienthong.core.models import Holiday, WorkingSaturday
from lienthong.core.views_calendar import weekday_name


class YearFilter(admin.SimpleListFilter):
    """Filter rows by calendar year (the years present, newest first)."""

    title = _("năm")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = model_admin.model.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


class HolidayForm(forms.ModelForm):
    """Holiday form with the calendar's rule: a weekday."""

    class Meta:
        model = Holiday
        fields = ["date", "name", "source", "is_confirmed"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if isinstance(cleaned.get("date"), date):
            try:
                check_holiday(Holiday(date=cleaned["date"]))
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class WorkingSaturdayForm(forms.ModelForm):
    """Working-Saturday form with the calendar's rule: a weekend day."""

    class Meta:
        model = WorkingSaturday
        fields = ["date", "name", "source", "is_confirmed"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if isinstance(cleaned.get("date"), date):
            try:
                check_working_saturday(WorkingSaturday(date=cleaned["date"]))
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class CalendarDayAdmin(admin.ModelAdmin):
    """Shared admin of both tables: list by year, search, sources shown, audited writes."""

    list_display = ["date", "weekday", "name", "source", "is_confirmed"]
    list_filter = [YearFilter, "is_confirmed"]
    search_fields = ["name", "source"]
    date_hierarchy = "date"
    ordering = ["-date"]
    list_per_page = 100

    @admin.display(description=_("thứ"))
    def weekday(self, obj: Holiday | WorkingSaturday) -> str:
        return weekday_name(obj.date)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        save_day(obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_day(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # One audited delete per row, so every removed date is logged and not re-seeded; all
        # or none of them.
        with transaction.atomic():
            for obj in queryset:
                delete_day(obj, by=request.user)


@admin.register(Holiday)
class HolidayAdmin(CalendarDayAdmin):
    """Holidays (ngày nghỉ): weekdays on which offices are closed."""

    form = HolidayForm


@admin.register(WorkingSaturday)
class WorkingSaturdayAdmin(CalendarDayAdmin):
    """Working Saturdays (ngày làm bù)."""

    form = WorkingSaturdayForm
