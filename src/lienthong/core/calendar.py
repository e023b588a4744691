"""The working-day calendar — lịch ngày làm việc: the single place deadlines are computed.

Rules, with their legal basis:

* A working day is Monday–Friday that is not a `Holiday`, or a `WorkingSaturday` (a Saturday
  — or Sunday — worked in exchange for a day off). A date present in both tables is closed:
  the holiday wins, because closing an office is the safer reading of contradictory data.
* Periods in days (Civil Code 2015, Art. 147(2)): the day of the event (receipt) is not
  counted; counting starts on the next day. `add_working_days(start, n)` is therefore the n-th
  working day *after* the day of `start`, whatever the hour of receipt and whether or not that
  day was itself a working day: 09:32 Friday 27/10/2023 + 5 working days → Friday 03/11/2023.
* End on a non-working day (Art. 148(5)): the period ends on the next working day. Counting
  working days always ends on one; `add_calendar_days` (periods in plain days, e.g. the Law on
  Complaints) applies the rule explicitly.
* Periods in hours (Art. 147(1)): the period starts at the stated moment. Administrative
  hour limits ("trong 8 giờ làm việc") are office hours, so only time inside the office periods
  of `settings.LIENTHONG["OFFICE_HOURS"]` on working days is counted. A moment outside them
  (before opening, at lunch, after closing, on a day off) starts the count when the next
  office period opens: nothing can be done on the case while the office is closed, and that
  is also how the counter's appointment slips are read. A period that is used up exactly at
  a closing time ends at that closing time (11:30, 17:00), not at the next opening.

Time: inputs may be timezone-aware (converted to Vietnam time) or naive (read as Vietnam
time, Asia/Ho_Chi_Minh — the legal time of every Vietnamese deadline, whatever the server's
`TIME_ZONE`). Outputs are dates, or aware datetimes in Asia/Ho_Chi_Minh.

Data: `WorkingCalendar` holds the dates of both tables. `get_calendar()` keeps one per
process, reloaded when a row is saved or deleted in this process (signal receivers below,
limited to cache invalidation) and at most `LIENTHONG["CALENDAR_CACHE_SECONDS"]` (60) seconds
after a change made by another process. A year with no row in either table (not yet seeded)
falls back to what `lienthong calendar seed` would write for it, computed in memory from the
`holidays` package, with a logged warning — a deadline is never computed as if that year had
no holidays.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from lienthong.core.models import Holiday, WorkingSaturday

logger = logging.getLogger(__name__)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
US_PER_SECOND = 1_000_000
_US_PER_MINUTE = 60 * US_PER_SECOND
_DEFAULT_CACHE_SECONDS = 60.0
# Years a computation may reach; beyond them `date` itself overflows.
_MIN_YEAR, _MAX_YEAR = 1900, 9998


class CalendarRangeError(ValueError):
    """A computation would leave the range of dates the calendar can represent."""


# --- Time helpers ---------------------------------------------------------------------------


def to_local(moment: datetime) -> datetime:
    """The moment in Vietnam time; a naive moment is taken to be Vietnam time already."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def local_date(moment: datetime | date) -> date:
    """The calendar day of a moment in Vietnam (a plain date is returned as it is)."""
    if isinstance(moment, datetime):
        return to_local(moment).date()
    return moment


_VN_DATE = re.compile(
    r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
)
# "2023-10-27T09:32+07:00" in an unencoded query string arrives with a space for the "+".
_OFFSET_AS_SPACE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_moment(text: str) -> datetime:
    """Read a moment typed by a person or a system, as an aware datetime in Vietnam time.

    Accepts ISO 8601 (`2023-10-27T09:32`, `2023-10-27 09:32:00+07:00`, `2023-10-27`,
    `...Z`) and the Vietnamese day-first form (`27/10/2023 09:32`, `27/10/2023`). A date alone
    means the start of that day; a moment without an offset is Vietnam time.
    Raises `ValueError` when the text is not such a moment.
    """
    value = text.strip()
    if not value:
        raise ValueError("empty")
    match = _VN_DATE.match(value)
    if match:
        day, month, year, hour, minute, second = match.groups()
        parsed = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    else:
        parsed = datetime.fromisoformat(_OFFSET_AS_SPACE.sub(r"\1+\2", value))
    return to_local(parsed)


def hours_to_microseconds(hours: float | Decimal | int) -> int:
    """An hour count as whole microseconds, rounded half up (1.5 h → 5 400 000 000 µs)."""
    try:
        amount = Decimal(str(hours))
    except InvalidOperation as exc:
        raise ValueError(f"not a number of hours: {hours!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a number of hours: {hours!r}")
    return int((amount * 3600 * US_PER_SECOND).to_integral_value(rounding=ROUND_HALF_UP))


# --- Office hours ---------------------------------------------------------------------------


def _clock_to_us(text: str) -> int:
    hour, _, minute = text.partition(":")
    value = int(hour) * 60 + int(minute or 0)
    if not 0 <= value <= 24 * 60:
        raise ValueError(text)
    return value * _US_PER_MINUTE


@dataclass(frozen=True)
class OfficeHours:
    """The office periods of a working day, as microseconds after midnight."""

    periods: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, value: Sequence[Sequence[str]]) -> OfficeHours:
        """Build from `[("07:30", "11:30"), ("13:00", "17:00")]`; periods ascending, disjoint."""
        try:
            periods = tuple((_clock_to_us(start), _clock_to_us(end)) for start, end in value)
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"LIENTHONG['OFFICE_HOURS'] is malformed: {value!r}"
            ) from exc
        previous_end = 0
        for start, end in periods:
            if not previous_end <= start < end:
                raise ImproperlyConfigured(
                    "LIENTHONG['OFFICE_HOURS'] periods must be ascending and not overlap: "
                    f"{value!r}"
                )
            previous_end = end
        if not periods:
            raise ImproperlyConfigured("LIENTHONG['OFFICE_HOURS'] has no period")
        return cls(periods)

    @classmethod
    def from_settings(cls) -> OfficeHours:
        """The office hours configured in `settings.LIENTHONG["OFFICE_HOURS"]`."""
        return cls.parse(cast(Sequence[Sequence[str]], settings.LIENTHONG["OFFICE_HOURS"]))

    @property
    def daily(self) -> int:
        """Office time in one working day, in microseconds (8 h with the default periods)."""
        return sum(end - start for start, end in self.periods)

    def elapsed(self, clock: int) -> int:
        """Office time of a working day that has passed at `clock` (µs after midnight)."""
        return sum(max(0, min(clock, end) - start) for start, end in self.periods)


def _clock_of(moment: datetime) -> int:
    return (
        (moment.hour * 60 + moment.minute) * _US_PER_MINUTE
        + moment.second * US_PER_SECOND
        + moment.microsecond
    )


def _at(day: date, clock: int) -> datetime:
    """The aware moment `clock` µs after midnight of `day`, Vietnam time."""
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ) + timedelta(microseconds=clock)


# --- The calendar ---------------------------------------------------------------------------


class WorkingCalendar:
    """Holidays and working Saturdays held in memory, with the deadline arithmetic over them.

    Build one with `WorkingCalendar.from_database()` (or use the per-process `get_calendar()`),
    or directly from dates. Instances are immutable apart from per-year indexes built lazily
    (the sorted ordinals of each year's working days), which make every computation a few
    binary searches instead of a walk day by day.
    """

    def __init__(
        self,
        holidays: Iterable[date],
        working_saturdays: Iterable[date],
        *,
        office_hours: OfficeHours | None = None,
        fallback_to_package: bool = True,
    ) -> None:
        self.holidays: frozenset[date] = frozenset(holidays)
        self.working_saturdays: frozenset[date] = frozenset(working_saturdays)
        self.years_with_data: frozenset[int] = frozenset(
            day.year for day in self.holidays | self.working_saturdays
        )
        self.office_hours = office_hours or OfficeHours.from_settings()
        self._fallback_to_package = fallback_to_package
        self._fallback_days: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        self._working_ordinals: dict[int, list[int]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_database(cls) -> WorkingCalendar:
        """Load every row of both tables (a few hundred rows: one small query each)."""
        return cls(
            Holiday.objects.order_by().values_list("date", flat=True),
            WorkingSaturday.objects.order_by().values_list("date", flat=True),
        )

    # -- data per year --

    def missing_years(self, start: date, end: date) -> list[int]:
        """Years between two days (inclusive) with no row in either table."""
        low, high = sorted((start.year, end.year))
        return [year for year in range(low, high + 1) if year not in self.years_with_data]

    def _days_off(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        if year in self.years_with_data or not self._fallback_to_package:
            return self.holidays, self.working_saturdays
        cached = self._fallback_days.get(year)
        if cached is None:
            from lienthong.core.calendar_seed import build_plan

            logger.warning(
                "The calendar has no holiday rows for %s; using the holidays package's days "
                "for it. Run `lienthong calendar seed --to-year %s`.",
                year,
                year,
            )
            plan = build_plan(year, year)
            cached = (frozenset(plan.holidays), frozenset(plan.working_saturdays))
            self._fallback_days[year] = cached
        return cached

    def _ordinals(self, year: int) -> list[int]:
        """Sorted ordinals of the working days of `year`."""
        cached = self._working_ordinals.get(year)
        if cached is not None:
            return cached
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise CalendarRangeError(f"year {year} is outside the calendar's range")
        with self._lock:
            holidays, saturdays = self._days_off(year)
            first = date(year, 1, 1).toordinal()
            last = date(year, 12, 31).toordinal()
            ordinals = []
            for ordinal in range(first, last + 1):
                day = date.fromordinal(ordinal)
                if day in holidays:
                    continue
                if day.weekday() < 5 or day in saturdays:
                    ordinals.append(ordinal)
            self._working_ordinals[year] = ordinals
        return ordinals

    # -- days --

    def is_working_day(self, day: date) -> bool:
        """Whether offices open on `day` (Mon–Fri not a holiday, or a working Saturday)."""
        day = local_date(day)
        ordinals = self._ordinals(day.year)
        index = bisect.bisect_left(ordinals, day.toordinal())
        return index < len(ordinals) and ordinals[index] == day.toordinal()

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n ≥ 1); `day` itself is never counted."""
        if n < 1:
            raise ValueError("n must be at least 1")
        year = day.year
        ordinals = self._ordinals(year)
        index = bisect.bisect_right(ordinals, day.toordinal()) + n - 1
        while index >= len(ordinals):
            index -= len(ordinals)
            year += 1
            ordinals = self._ordinals(year)
        return date.fromordinal(ordinals[index])

    def next_working_day(self, day: date, *, include_day: bool = False) -> date:
        """The first working day after `day` — or `day` itself when it is one and included."""
        day = local_date(day)
        if include_day and self.is_working_day(day):
            return day
        return self.nth_working_day_after(day, 1)

    def add_working_days(self, start: datetime | date, n: int) -> date:
        """Due date of a period of `n` working days starting at `start` (Art. 147–148).

        The day of `start` is not counted; the result is the n-th working day after it.
        With n = 0 (settled the same day) the result is the day of `start` when it is a working
        day, else the next working day.
        """
        _check_non_negative(n)
        day = local_date(start)
        if n == 0:
            return self.next_working_day(day, include_day=True)
        return self.nth_working_day_after(day, n)

    def add_calendar_days(self, start: datetime | date, n: int) -> date:
        """Due date of a period of `n` plain days (Art. 147(2), 148(5)).

        The day of `start` is not counted; an end on a weekend or holiday moves to the next
        working day.
        """
        _check_non_negative(n)
        try:
            end = local_date(start) + timedelta(days=n)
        except OverflowError as exc:
            raise CalendarRangeError("the period ends beyond the calendar's range") from exc
        return self.next_working_day(end, include_day=True)

    def working_days_between(self, start: datetime | date, end: datetime | date) -> int:
        """Working days in (day of start, day of end] — negative when `end` is before `start`.

        The same count as `add_working_days`: `working_days_between(s, add_working_days(s, n))`
        is n for every n ≥ 1, and a due date today leaves 0 working days.
        """
        first, last = local_date(start), local_date(end)
        if last < first:
            return -self._count_after(last, first)
        return self._count_after(first, last)

    def _count_after(self, first: date, last: date) -> int:
        """Working days d with first < d ≤ last (first ≤ last)."""
        low, high = first.toordinal(), last.toordinal()
        if first.year == last.year:
            ordinals = self._ordinals(first.year)
            return bisect.bisect_right(ordinals, high) - bisect.bisect_right(ordinals, low)
        head = self._ordinals(first.year)
        count = len(head) - bisect.bisect_right(head, low)
        for year in range(first.year + 1, last.year):
            count += len(self._ordinals(year))
        return count + bisect.bisect_right(self._ordinals(last.year), high)

    # -- office time --

    def add_working_microseconds(self, start: datetime, amount: int) -> datetime:
        """The moment when `amount` µs of office time, counted from `start`, are used up."""
        if amount < 0:
            raise ValueError("amount must not be negative")
        hours = self.office_hours
        moment = to_local(start)
        day, clock = moment.date(), _clock_of(moment)
        remaining = amount
        if self.is_working_day(day):
            for open_at, close_at in hours.periods:
                if clock >= close_at:
                    continue
                begin = max(clock, open_at)
                if remaining <= close_at - begin:
                    return _at(day, begin + remaining)
                remaining -= close_at - begin
        # Whole working days first, keeping an exact multiple for the last day, so a budget
        # used up at closing time ends at 17:00 rather than at the next morning's opening.
        full_days = max(remaining - 1, 0) // hours.daily
        remaining -= full_days * hours.daily
        day = self.nth_working_day_after(day, full_days + 1)
        for open_at, close_at in hours.periods:
            if remaining <= close_at - open_at:
                return _at(day, open_at + remaining)
            remaining -= close_at - open_at
        raise AssertionError("unreachable: a working day holds `daily` microseconds")

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """The moment when `seconds` of office time, counted from `start`, are used up."""
        return self.add_working_microseconds(start, seconds * US_PER_SECOND)

    def add_working_hours(self, start: datetime, hours: float | Decimal | int) -> datetime:
        """Due moment of a period of office hours starting at `start` (see the module rules)."""
        amount = hours_to_microseconds(hours)
        if amount < 0:
            raise ValueError("hours must not be negative")
        return self.add_working_microseconds(start, amount)

    def working_microseconds_between(self, start: datetime, end: datetime) -> int:
        """Office time in [start, end), in µs; negative when `end` is before `start`."""
        first, last = to_local(start), to_local(end)
        if last < first:
            return -self.working_microseconds_between(end, start)
        hours = self.office_hours
        first_day, last_day = first.date(), last.date()
        first_open = self.is_working_day(first_day)
        last_open = self.is_working_day(last_day)
        # Working days in [first_day, last_day) from the count over (first_day, last_day].
        whole_days = self._count_after(first_day, last_day) + first_open - last_open
        total = whole_days * hours.daily
        if last_open:
            total += hours.elapsed(_clock_of(last))
        if first_open:
            total -= hours.elapsed(_clock_of(first))
        return total

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Office time in [start, end), in whole seconds (toward zero); negative if reversed.

        With `add_working_seconds` this pauses and resumes a clock: remaining =
        working_seconds_between(now, due); later, due = add_working_seconds(resumed, remaining).
        """
        amount = self.working_microseconds_between(start, end)
        whole = abs(amount) // US_PER_SECOND
        return whole if amount >= 0 else -whole


def _check_non_negative(n: int) -> None:
    if n < 0:
        raise ValueError("the number of days must not be negative")


# --- The per-process calendar ---------------------------------------------------------------

_cache_lock = threading.Lock()
_cached: WorkingCalendar | None = None
_cached_until = 0.0
_generation = 0


def _cache_seconds() -> float:
    value = cast(float, settings.LIENTHONG.get("CALENDAR_CACHE_SECONDS", _DEFAULT_CACHE_SECONDS))
    return float(value)


def get_calendar() -> WorkingCalendar:
    """The calendar of this process, loaded from the database at most once per change/TTL."""
    global _cached, _cached_until
    calendar = _cached
    if calendar is not None and time.monotonic() < _cached_until:
        return calendar
    with _cache_lock:
        if _cached is not None and time.monotonic() < _cached_until:
            return _cached
        generation = _generation
    calendar = WorkingCalendar.from_database()
    with _cache_lock:
        # A change that landed while we were reading makes this load stale: use it for this
        # call only, and let the next call load again.
        if generation == _generation:
            _cached = calendar
            _cached_until = time.monotonic() + _cache_seconds()
    return calendar


def invalidate_cache() -> None:
    """Forget the loaded calendar; the next computation reads the tables again."""
    global _cached, _generation
    with _cache_lock:
        _generation += 1
        _cached = None


def _calendar_rows_changed(**kwargs: Any) -> None:
    # Now, so this thread's next computation (even inside the transaction) sees the change;
    # and after commit, so other threads that loaded meanwhile do not keep the old rows.
    invalidate_cache()
    transaction.on_commit(invalidate_cache)


def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "LIENTHONG":
        invalidate_cache()


for _model in (Holiday, WorkingSaturday):
    post_save.connect(_calendar_rows_changed, sender=_model, dispatch_uid=f"calendar-{_model}-s")
    post_delete.connect(_calendar_rows_changed, sender=_model, dispatch_uid=f"calendar-{_model}-d")
setting_changed.connect(_settings_changed, dispatch_uid="calendar-settings")


# --- The functions the rest of the platform calls -------------------------------------------


def is_working_day(day: date) -> bool:
    """Whether offices open on `day` (Mon–Fri not a holiday, or a working Saturday)."""
    return get_calendar().is_working_day(day)


def next_working_day(day: date, *, include_day: bool = False) -> date:
    """The first working day after `day` — or `day` itself when it is one and included."""
    return get_calendar().next_working_day(day, include_day=include_day)


def add_working_days(start: datetime | date, n: int) -> date:
    """Due date of `n` working days from `start`; the day of `start` is not counted."""
    return get_calendar().add_working_days(start, n)


def add_calendar_days(start: datetime | date, n: int) -> date:
    """Due date of `n` plain days from `start`, moved to the next working day if need be."""
    return get_calendar().add_calendar_days(start, n)


def add_working_hours(start: datetime, hours: float | Decimal | int) -> datetime:
    """Due moment of `hours` office hours from `start` (Vietnam time, aware)."""
    return get_calendar().add_working_hours(start, hours)


def add_working_seconds(start: datetime, seconds: int) -> datetime:
    """Due moment of `seconds` of office time from `start` (to resume a paused clock)."""
    return get_calendar().add_working_seconds(start, seconds)


def working_days_between(start: datetime | date, end: datetime | date) -> int:
    """Working days in (day of start, day of end]; negative when `end` is earlier."""
    return get_calendar().working_days_between(start, end)


def working_seconds_between(start: datetime, end: datetime) -> int:
    """Office seconds in [start, end); negative when `end` is earlier."""
    return get_calendar().working_seconds_between(start, end)
