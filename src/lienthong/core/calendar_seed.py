"""Keeping the calendar tables: seeding them, and administrators' edits (audited services).

Seeding merges two sources into one plan of weekday holidays and working Saturdays:

1. The `holidays` package (VN, Vietnamese names): Labor Code Art. 112 holidays, lunar Tết and
   Hùng Kings, and the days taken in lieu when a holiday falls on a rest day (Art. 111: the
   package's "(nghỉ bù)" days). Weekend dates are left out: a holiday on a rest day matters
   only through its day in lieu, which the package lists. A "Ngày nghỉ (thay cho ngày
   dd/mm/yyyy)" entry is a swap: the weekday is a holiday and the named date a working
   Saturday; both are recorded, unconfirmed until checked against the dispatch.
2. `data/civil_service_days_off.json`: the Government's announcements of civil servants'
   days off (DOMAIN.md), each with its dispatch as source. An announcement decides whether its
   dates are confirmed and adds the days the package does not know (2/1/2026, the working
   Saturdays 8/2/2025 and 10/1/2026).

Package days the Prime Minister fixes each year (the Tết days, the day next to 2/9) are
seeded unconfirmed ("dự kiến") for years with no announcement in the data file, and so is
Vietnam Cultural Day (24/11, from 2026: decided in principle by Resolution 80-NQ/TW, not yet
found in the Labor Code). Unconfirmed days still count in deadlines — they are the best
knowledge at hand — and are shown as such so an administrator checks them.

Idempotent and respectful of administrators: seeding only creates dates missing from a
table. It never changes an existing row (an administrator may have renamed it, confirmed it
or corrected its source), and it does not re-create a date an administrator deleted (found in
the audit log), so a correction is not undone by the next `lienthong calendar seed`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import holidays
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from lienthong.core.audit import record, snapshot
from lienthong.core.calendar import invalidate_cache
from lienthong.core.models import AuditEntry, Holiday, WorkingSaturday

DATA_FILE = Path(__file__).resolve().parent / "data" / "civil_service_days_off.json"
PACKAGE_SOURCE = f"holidays {holidays.__version__}"
FIRST_SEED_YEAR = 2020
YEARS_AHEAD = 5
MIN_YEAR, MAX_YEAR = 1995, 2100  # the package computes Vietnam's days off from 1995

_SUBSTITUTED = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")
_DELETE_ACTIONS = {
    Holiday: "calendar.holiday.delete",
    WorkingSaturday: "calendar.working_saturday.delete",
}


def default_year_range(today: date | None = None) -> tuple[int, int]:
    """The years seeded when none are given: 2020 to five years after the current one."""
    today = today or date.today()
    return FIRST_SEED_YEAR, today.year + YEARS_AHEAD


@dataclass
class PlannedDay:
    """A row seeding would create: date, name, sources and whether it is confirmed."""

    date: date
    name: str
    sources: list[str]
    is_confirmed: bool
    notes: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """Sources then notes, as stored in the `source` column (at most 255 characters)."""
        text = "; ".join(self.sources)
        if self.notes:
            text += f" ({'; '.join(self.notes)})"
        return text[:255]


@dataclass
class SeedPlan:
    """Weekday holidays and working Saturdays by date, with the contradictions found."""

    holidays: dict[date, PlannedDay] = field(default_factory=dict)
    working_saturdays: dict[date, PlannedDay] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)


@cache
def announcements_data() -> dict[str, Any]:
    """The parsed data file of announced days off (read once per process)."""
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def _days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _announced_years(data: dict[str, Any]) -> dict[str, set[int]]:
    years: dict[str, set[int]] = {}
    for item in data["announcements"]:
        years.setdefault(item["kind"], set()).add(int(item["year"]))
    return years


def _kind_of(day: date, names: list[str], data: dict[str, Any]) -> dict[str, Any] | None:
    """The estimated-days group (Tết, 2/9) a package day belongs to, if any."""
    for group in data["estimated_unless_announced"]:
        if f"{day:%m-%d}" in group["except_month_days"]:
            continue
        if any(pattern in name for pattern in group["name_contains"] for name in names):
            return dict(group)
    return None


def package_plan(from_year: int, to_year: int) -> SeedPlan:
    """What the `holidays` package says for the years, before the announcements are applied."""
    data = announcements_data()
    announced = _announced_years(data)
    package_days = holidays.country_holidays(
        "VN", years=range(from_year, to_year + 1), language="vi"
    )
    plan = SeedPlan()
    for day in sorted(package_days):
        names = package_days.get_list(day)
        for name in names:
            match = _SUBSTITUTED.search(name)
            if match:
                worked = date(int(match[3]), int(match[2]), int(match[1]))
                plan.working_saturdays[worked] = PlannedDay(
                    date=worked,
                    name=f"Làm bù cho ngày nghỉ {day:%d/%m/%Y}",
                    sources=[PACKAGE_SOURCE],
                    is_confirmed=False,
                    notes=[data["substituted_note"]],
                )
        if day.weekday() >= 5:
            continue
        planned = PlannedDay(day, "; ".join(names), [PACKAGE_SOURCE], is_confirmed=True)
        if any(_SUBSTITUTED.search(name) for name in names):
            planned.is_confirmed = False
            planned.notes.append(data["substituted_note"])
        group = _kind_of(day, names, data)
        if group and day.year not in announced.get(group["kind"], set()):
            planned.is_confirmed = False
            planned.notes.append(group["note"])
        for rule in data["unconfirmed_package_days"]:
            if any(rule["name_contains"] in name for name in names):
                planned.is_confirmed = False
                planned.notes.append(rule["note"])
        plan.holidays[day] = planned
    return plan


def build_plan(from_year: int, to_year: int) -> SeedPlan:
    """The merged plan for the years: package days, then the Government's announcements."""
    data = announcements_data()
    plan = package_plan(from_year, to_year)
    announced_dates: dict[tuple[str, int], set[date]] = {}
    for item in data["announcements"]:
        unconfirmed = {date.fromisoformat(d) for d in item.get("unconfirmed_days", [])}
        days_off = [
            d for d in _days(item["days_off"]["from"], item["days_off"]["to"]) if d.weekday() < 5
        ]
        announced_dates.setdefault((item["kind"], int(item["year"])), set()).update(days_off)
        for day in days_off:
            confirmed = bool(item["is_confirmed"]) and day not in unconfirmed
            _merge(plan.holidays, day, item["name"], item["source"], confirmed)
        for saturday in item["working_saturdays"]:
            day = date.fromisoformat(saturday["date"])
            _merge(
                plan.working_saturdays,
                day,
                saturday["name"],
                item["source"],
                bool(saturday["is_confirmed"]),
            )
    # A package Tết or 2/9 day that the year's announcement does not list is a contradiction
    # between the sources: it is kept (closing is the safer error) and reported.
    for day, planned in plan.holidays.items():
        group = _kind_of(day, [planned.name], data)
        listed = announced_dates.get((group["kind"], day.year)) if group else None
        if listed is not None and day not in listed:
            plan.conflicts.append(
                _(
                    "%(day)s “%(name)s” có trong thư viện holidays nhưng không có trong thông báo "
                    "nghỉ của Chính phủ năm %(year)s."
                )
                % {"day": f"{day:%d/%m/%Y}", "name": planned.name, "year": day.year}
            )
    in_range = range(from_year, to_year + 1)
    plan.holidays = {d: p for d, p in sorted(plan.holidays.items()) if d.year in in_range}
    plan.working_saturdays = {
        d: p for d, p in sorted(plan.working_saturdays.items()) if d.year in in_range
    }
    return plan


def _merge(
    days: dict[date, PlannedDay], day: date, name: str, source: str, confirmed: bool
) -> None:
    """Apply an announcement to one date: it decides confirmation and leads the sources."""
    planned = days.get(day)
    if planned is None:
        days[day] = PlannedDay(day, name, [source], confirmed)
        return
    planned.sources = [source, *[s for s in planned.sources if s != source]]
    planned.is_confirmed = confirmed
    planned.notes = []


# --- Seeding --------------------------------------------------------------------------------


@dataclass
class SeedResult:
    """What a seeding run did."""

    from_year: int
    to_year: int
    holidays_created: list[date]
    working_saturdays_created: list[date]
    kept_existing: int
    skipped_deleted: list[date]
    conflicts: list[str]


def deleted_by_administrators(model: type[models.Model]) -> set[date]:
    """Dates of rows of `model` an administrator deleted, read from the audit log."""
    dates = set()
    for before in AuditEntry.objects.filter(action=_DELETE_ACTIONS[model]).values_list(
        "before", flat=True
    ):
        if isinstance(before, dict) and before.get("date"):
            dates.add(date.fromisoformat(before["date"]))
    return dates


def check_year_range(from_year: int, to_year: int) -> None:
    """Refuse a year range seeding cannot cover, with a message for the person who typed it."""
    if not MIN_YEAR <= from_year <= MAX_YEAR or not MIN_YEAR <= to_year <= MAX_YEAR:
        raise ValidationError(
            _("Năm phải trong khoảng %(low)s–%(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
        )
    if from_year > to_year:
        raise ValidationError(_("Năm bắt đầu phải không lớn hơn năm kết thúc."))


def seed_calendar(
    *,
    from_year: int,
    to_year: int,
    by: Any = None,
    holiday_model: Any = Holiday,
    saturday_model: Any = WorkingSaturday,
    audit: bool = True,
) -> SeedResult:
    """Create the missing holidays and working Saturdays of the years; change nothing else.

    `by` is the user who asked (None for the command line and migrations). Migrations pass
    their historical models and `audit=False`: the audit tables may not match the code then.
    """
    check_year_range(from_year, to_year)
    if by is not None and not (
        by.has_perm("core.add_holiday") and by.has_perm("core.add_workingsaturday")
    ):
        raise PermissionDenied(_("Bạn không có quyền cập nhật lịch ngày nghỉ."))
    plan = build_plan(from_year, to_year)
    deleted_holidays = deleted_by_administrators(Holiday) if audit else set()
    deleted_saturdays = deleted_by_administrators(WorkingSaturday) if audit else set()
    with transaction.atomic():
        years = {"date__year__gte": from_year, "date__year__lte": to_year}
        existing_holidays = set(
            holiday_model.objects.filter(**years).values_list("date", flat=True)
        )
        existing_saturdays = set(
            saturday_model.objects.filter(**years).values_list("date", flat=True)
        )
        new_holidays = [
            p
            for d, p in plan.holidays.items()
            if d not in existing_holidays and d not in deleted_holidays
        ]
        new_saturdays = [
            p
            for d, p in plan.working_saturdays.items()
            if d not in existing_saturdays and d not in deleted_saturdays
        ]
        # ignore_conflicts: a seed running at the same time may have created the same date.
        holiday_model.objects.bulk_create(
            [
                holiday_model(
                    date=p.date, name=p.name[:200], source=p.source, is_confirmed=p.is_confirmed
                )
                for p in new_holidays
            ],
            ignore_conflicts=True,
        )
        saturday_model.objects.bulk_create(
            [
                saturday_model(
                    date=p.date, name=p.name[:200], source=p.source, is_confirmed=p.is_confirmed
                )
                for p in new_saturdays
            ],
            ignore_conflicts=True,
        )
        result = SeedResult(
            from_year=from_year,
            to_year=to_year,
            holidays_created=[p.date for p in new_holidays],
            working_saturdays_created=[p.date for p in new_saturdays],
            kept_existing=len(plan.holidays.keys() & existing_holidays)
            + len(plan.working_saturdays.keys() & existing_saturdays),
            skipped_deleted=sorted(
                (deleted_holidays & plan.holidays.keys() - existing_holidays)
                | (deleted_saturdays & plan.working_saturdays.keys() - existing_saturdays)
            ),
            conflicts=plan.conflicts,
        )
        if audit and (new_holidays or new_saturdays):
            record(
                "calendar.seed",
                None,
                actor=by,
                object_type="core.holiday",
                object_repr=f"{from_year}–{to_year}",
                after={
                    "source": PACKAGE_SOURCE,
                    "holidays_created": result.holidays_created,
                    "working_saturdays_created": result.working_saturdays_created,
                },
            )
        # bulk_create sends no signals: the cache is cleared here, and again once committed.
        invalidate_cache()
        transaction.on_commit(invalidate_cache)
    return result


# --- Administrators' edits ------------------------------------------------------------------


def check_holiday(holiday: Holiday) -> None:
    """Rules on a holiday beyond the model's: a weekday (a holiday on a rest day is entered
    as its day in lieu, Labor Code Art. 111)."""
    if holiday.date is None:
        return
    if holiday.date.weekday() >= 5:
        raise ValidationError(
            {
                "date": _(
                    "Ngày nghỉ phải là một ngày từ thứ Hai đến thứ Sáu. Ngày lễ trùng ngày nghỉ "
                    "hằng tuần thì nhập ngày nghỉ bù (Điều 111 Bộ luật Lao động)."
                )
            }
        )


def check_working_saturday(saturday: WorkingSaturday) -> None:
    """Rules on a working Saturday beyond the model's: a weekend day."""
    if saturday.date is None:
        return
    if saturday.date.weekday() < 5:
        raise ValidationError({"date": _("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.")})


_ACTION_PREFIX = {Holiday: "calendar.holiday", WorkingSaturday: "calendar.working_saturday"}


def _require(by: Any, action: str, model: type[models.Model]) -> None:
    codename = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    if by is None or not by.has_perm(codename):
        raise PermissionDenied(_("Bạn không có quyền sửa lịch ngày nghỉ."))


def save_day(day: Holiday | WorkingSaturday, *, by: Any) -> Holiday | WorkingSaturday:
    """Create or change a holiday or a working Saturday as an administrator, audited."""
    model = type(day)
    creating = day.pk is None
    _require(by, "add" if creating else "change", model)
    if isinstance(day, Holiday):
        check_holiday(day)
    else:
        check_working_saturday(day)
    day.full_clean()
    with transaction.atomic():
        before = None if creating else snapshot(model.objects.select_for_update().get(pk=day.pk))
        day.save()
        record(
            f"{_ACTION_PREFIX[model]}.{'create' if creating else 'update'}",
            day,
            actor=by,
            before=before,
            after=snapshot(day),
        )
    return day


def delete_day(day: Holiday | WorkingSaturday, *, by: Any) -> None:
    """Delete a holiday or a working Saturday as an administrator, audited.

    The audit entry also keeps seeding from bringing the date back.
    """
    model = type(day)
    _require(by, "delete", model)
    with transaction.atomic():
        before = snapshot(day)
        object_id, object_repr = str(day.pk), str(day)
        day.delete()
        record(
            f"{_ACTION_PREFIX[model]}.delete",
            None,
            actor=by,
            before=before,
            object_type=model._meta.label_lower,
            object_id=object_id,
            object_repr=object_repr,
        )
