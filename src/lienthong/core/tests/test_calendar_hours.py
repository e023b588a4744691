"""Hour-based limits: office hours 07:30–11:30 and 13:00–17:00 on working days only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from lienthong.core.calendar import (
    VN_TZ,
    OfficeHours,
    add_working_hours,
    add_working_seconds,
    get_calendar,
    invalidate_cache,
    working_seconds_between,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    invalidate_cache()
    yield
    invalidate_cache()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # DOMAIN example moment + one working day of hours: Monday at the same time.
        ("2023-10-27 09:32", 8, "2023-10-30 09:32"),
        # Crossing lunch: 1 h before 11:30, 1 h after 13:00.
        ("2023-10-30 10:30", 2, "2023-10-30 14:00"),
        # Used up exactly at closing time: ends at 11:30 / 17:00, not at the next opening.
        ("2023-10-30 07:30", 4, "2023-10-30 11:30"),
        ("2023-10-30 07:30", 8, "2023-10-30 17:00"),
        ("2023-10-30 07:30", 24, "2023-11-01 17:00"),
        # Starting at lunch, before opening, in the evening: the count starts at the next period.
        ("2023-10-30 12:00", 1, "2023-10-30 14:00"),
        ("2023-10-30 06:00", 1, "2023-10-30 08:30"),
        ("2023-10-30 18:00", 1, "2023-10-31 08:30"),
        ("2023-10-30 17:00", 8, "2023-10-31 17:00"),
        # Over the weekend.
        ("2023-10-27 16:00", 2, "2023-10-30 08:30"),
        ("2023-10-28 10:00", 1, "2023-10-30 08:30"),
        # Over Tết 2024 (Thu 8/2 – Wed 14/2 off).
        ("2024-02-07 16:00", 2, "2024-02-15 08:30"),
        ("2024-02-10 09:00", 4, "2024-02-15 11:30"),
        # Onto the working Saturday 4/5/2024 after the 30/4–1/5 days off.
        ("2024-05-03 16:30", 1, "2024-05-04 08:00"),
        ("2024-04-26 16:00", 2, "2024-05-02 08:30"),
        # Over 2/9/2025 (Mon 1/9 – Tue 2/9 off).
        ("2025-08-29 15:00", 4, "2025-09-03 09:30"),
        # Over 1/1/2026 (Thu 1/1 – Fri 2/1 off) and onto the working Saturday 10/1/2026.
        ("2025-12-31 13:00", 8, "2026-01-05 11:30"),
        ("2026-01-09 15:00", 4, "2026-01-10 09:30"),
    ],
)
def test_due_moment(start: str, hours: int, due: str) -> None:
    assert add_working_hours(at(start), hours) == at(due)


def test_fractional_hours_as_decimal_and_float() -> None:
    # 11:00 + 1.5 h: 30 min before lunch, 1 h after → 14:00.
    assert add_working_hours(at("2023-10-30 11:00"), Decimal("1.5")) == at("2023-10-30 14:00")
    assert add_working_hours(at("2023-10-30 11:00"), 1.5) == at("2023-10-30 14:00")
    assert add_working_hours(at("2023-10-30 11:00"), Decimal("0.25")) == at("2023-10-30 11:15")


def test_zero_hours_outside_office_hours_is_the_next_opening() -> None:
    assert add_working_hours(at("2023-10-30 12:00"), 0) == at("2023-10-30 13:00")
    assert add_working_hours(at("2023-10-30 09:00"), 0) == at("2023-10-30 09:00")


def test_result_is_aware_in_vietnam_time_whatever_the_input_zone() -> None:
    # 02:32 UTC is 09:32 in Vietnam.
    due = add_working_hours(datetime(2023, 10, 27, 2, 32, tzinfo=UTC), 8)
    assert due.isoformat() == "2023-10-30T09:32:00+07:00"


def test_negative_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_hours(at("2023-10-30 09:00"), -1)


def test_working_seconds_between() -> None:
    assert working_seconds_between(at("2023-10-27 09:32"), at("2023-10-30 09:32")) == 8 * 3600
    assert working_seconds_between(at("2023-10-30 09:32"), at("2023-10-27 09:32")) == -8 * 3600
    # Lunch, evening, weekend and the Tết days count nothing.
    assert working_seconds_between(at("2023-10-30 11:00"), at("2023-10-30 14:00")) == 90 * 60
    assert working_seconds_between(at("2023-10-30 17:30"), at("2023-10-31 07:00")) == 0
    assert working_seconds_between(at("2024-02-07 16:00"), at("2024-02-15 08:30")) == 2 * 3600
    # A working Saturday counts.
    assert working_seconds_between(at("2024-05-03 16:30"), at("2024-05-04 08:00")) == 3600


def test_pause_and_resume_keeps_the_remaining_office_time() -> None:
    # Given a 16-hour limit started Friday 27/10/2023 09:32 (due Tue 31/10 09:32)
    start = at("2023-10-27 09:32")
    due = add_working_hours(start, 16)
    assert due == at("2023-10-31 09:32")
    # When the clock pauses on Monday 30/10 at 10:00 (a supplement is requested)
    paused = at("2023-10-30 10:00")
    remaining = working_seconds_between(paused, due)
    assert remaining == 8 * 3600 - 28 * 60
    # And resumes on Thursday 2/11 at 14:00
    resumed_due = add_working_seconds(at("2023-11-02 14:00"), remaining)
    # Then the remaining 7 h 32 min run from there: 3 h that day, 4 h 32 min on Friday
    assert resumed_due == at("2023-11-03 13:32")


def test_round_trip_over_many_starts() -> None:
    starts = [at("2024-02-07 16:00"), at("2023-10-28 10:00"), at("2025-12-31 11:45")]
    for start in starts:
        for hours in (1, 3, 8, 13, 40):
            due = add_working_hours(start, hours)
            # Everything between a start outside office hours and its next opening counts 0.
            assert working_seconds_between(start, due) == hours * 3600


def test_office_hours_come_from_settings() -> None:
    # Given a province that opens 08:00–12:00 and 13:30–17:30
    lienthong = {**settings.LIENTHONG, "OFFICE_HOURS": [("08:00", "12:00"), ("13:30", "17:30")]}
    with override_settings(LIENTHONG=lienthong):
        # Then a start at 07:00 begins at 08:00, and lunch ends at 13:30
        assert add_working_hours(at("2023-10-30 07:00"), 5) == at("2023-10-30 14:30")
    # And the default hours are back once the setting is restored
    assert add_working_hours(at("2023-10-30 07:00"), 5) == at("2023-10-30 14:00")


@pytest.mark.parametrize(
    "value",
    [[], [("11:30", "07:30")], [("07:30", "11:30"), ("11:00", "17:00")], [("7h", "11h")]],
)
def test_malformed_office_hours_are_refused(value: list[tuple[str, str]]) -> None:
    with pytest.raises(ImproperlyConfigured):
        OfficeHours.parse(value)


def test_daily_office_time_is_eight_hours() -> None:
    assert get_calendar().office_hours.daily == 8 * 3600 * 1_000_000
