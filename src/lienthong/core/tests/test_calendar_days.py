"""Working-day deadlines on the seeded calendar: real cases across Tết, 30/4–1/5 and 2/9.

The test database is built by the migrations, so these tests run on the calendar a fresh
installation has (seeded from the `holidays` package and the Government's announcements).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from lienthong.core import calendar
from lienthong.core.calendar import (
    VN_TZ,
    WorkingCalendar,
    add_calendar_days,
    add_working_days,
    invalidate_cache,
    is_working_day,
    next_working_day,
    parse_moment,
    working_days_between,
)
from lienthong.core.calendar_seed import delete_day
from lienthong.core.models import AuditEntry, Holiday, WorkingSaturday
from lienthong.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    # The per-process calendar must not carry rows from another test's rolled-back transaction.
    invalidate_cache()
    yield
    invalidate_cache()


def at(text: str) -> datetime:
    """A Vietnam-time moment from `2023-10-27 09:32`."""
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def test_domain_example_friday_receipt_five_working_days_is_next_friday() -> None:
    # Given a dossier received at 09:32 on Friday 27/10/2023 with a 5-working-day limit
    received = at("2023-10-27 09:32")
    # When the return date is computed
    due = add_working_days(received, 5)
    # Then it is Friday 03/11/2023 (DOMAIN.md's receipt slip), the day of receipt not counted
    assert due == date(2023, 11, 3)


@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        # Tết 2024: Thu 8/2 – Wed 14/2 off.
        ("2024-02-07 10:00", 1, date(2024, 2, 15)),
        ("2024-02-07 10:00", 3, date(2024, 2, 19)),
        ("2024-02-02 08:00", 5, date(2024, 2, 16)),
        # Tết 2025: Mon 27/1 – Fri 31/1 off, Saturday 8/2/2025 worked (entered as data).
        ("2025-01-24 15:00", 5, date(2025, 2, 7)),
        ("2025-01-24 15:00", 6, date(2025, 2, 8)),
        ("2025-01-24 15:00", 7, date(2025, 2, 10)),
        # Tết 2026: Mon 16/2 – Fri 20/2 off.
        ("2026-02-13 16:00", 1, date(2026, 2, 23)),
        ("2026-02-13 16:00", 5, date(2026, 2, 27)),
        # 30/4–1/5/2024: Mon 29/4 – Wed 1/5 off, Saturday 4/5/2024 worked.
        ("2024-04-26 09:00", 1, date(2024, 5, 2)),
        ("2024-04-26 09:00", 3, date(2024, 5, 4)),
        ("2024-04-26 09:00", 4, date(2024, 5, 6)),
        # 30/4–1/5/2025: Wed 30/4 – Fri 2/5 off, Saturday 26/4/2025 worked.
        ("2025-04-25 09:00", 1, date(2025, 4, 26)),
        ("2025-04-25 09:00", 3, date(2025, 4, 29)),
        ("2025-04-25 09:00", 4, date(2025, 5, 5)),
        # 2/9/2024: Mon 2/9 – Tue 3/9 off; 2/9/2025: Mon 1/9 – Tue 2/9 off.
        ("2024-08-30 09:00", 1, date(2024, 9, 4)),
        ("2025-08-29 09:00", 1, date(2025, 9, 3)),
        # 1/1/2026: Thu 1/1 – Fri 2/1 off, Saturday 10/1/2026 worked.
        ("2025-12-31 09:00", 1, date(2026, 1, 5)),
        ("2025-12-31 09:00", 5, date(2026, 1, 9)),
        ("2025-12-31 09:00", 6, date(2026, 1, 10)),
        ("2025-12-31 09:00", 7, date(2026, 1, 12)),
    ],
)
def test_real_cases_across_holidays(received: str, n: int, due: date) -> None:
    assert add_working_days(at(received), n) == due


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 2, 8), False),  # 29 Tết
        (date(2024, 2, 10), False),  # Tết on a Saturday
        (date(2024, 5, 4), True),  # working Saturday
        (date(2024, 5, 11), False),  # an ordinary Saturday
        (date(2025, 2, 8), True),  # working Saturday after Tết 2025
        (date(2026, 1, 2), False),  # day off swapped for Saturday 10/1/2026
        (date(2026, 1, 10), True),
        (date(2023, 10, 27), True),
        (date(2023, 10, 29), False),  # Sunday
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_receipt_on_saturday_counts_from_the_next_working_day() -> None:
    # Given receipt on Saturday 28/10/2023 (online), When 5 working days are added
    # Then the due date is the same as for a Friday receipt: the Saturday is not counted
    assert add_working_days(at("2023-10-28 10:00"), 5) == date(2023, 11, 3)


def test_receipt_on_a_holiday_counts_from_the_next_working_day() -> None:
    # Mon 12/2/2024 is Tết: day 1 is Thursday 15/2/2024.
    assert add_working_days(at("2024-02-12 10:00"), 1) == date(2024, 2, 15)


def test_zero_days_is_the_same_day_or_the_next_working_day() -> None:
    assert add_working_days(at("2023-10-27 16:00"), 0) == date(2023, 10, 27)
    assert add_working_days(at("2023-10-29 16:00"), 0) == date(2023, 10, 30)
    assert add_working_days(at("2024-02-09 16:00"), 0) == date(2024, 2, 15)


def test_late_evening_receipt_is_still_that_day() -> None:
    assert add_working_days(at("2023-10-27 23:59"), 1) == date(2023, 10, 30)


def test_aware_input_is_read_in_vietnam_time_and_naive_input_as_vietnam_time() -> None:
    # 18:00 UTC on Thursday 26/10/2023 is 01:00 on Friday 27/10 in Vietnam.
    aware = datetime(2023, 10, 26, 18, 0, tzinfo=UTC)
    naive = datetime(2023, 10, 26, 18, 0)
    assert add_working_days(aware, 1) == date(2023, 10, 30)
    assert add_working_days(naive, 1) == date(2023, 10, 27)


def test_plain_days_ending_on_a_sunday_move_to_monday() -> None:
    # 27/10/2023 + 30 days = Sunday 26/11/2023 → Monday 27/11/2023 (Art. 148(5)).
    assert add_calendar_days(at("2023-10-27 09:32"), 30) == date(2023, 11, 27)


def test_plain_days_ending_in_tet_move_past_tet() -> None:
    # 8/1/2024 + 31 days = Thursday 8/2/2024 (29 Tết) → Thursday 15/2/2024.
    assert add_calendar_days(at("2024-01-08 09:00"), 31) == date(2024, 2, 15)


def test_plain_days_ending_on_a_working_day_stay() -> None:
    assert add_calendar_days(at("2023-10-27 09:32"), 3) == date(2023, 10, 30)


def test_next_working_day() -> None:
    assert next_working_day(date(2024, 2, 7)) == date(2024, 2, 15)
    assert next_working_day(date(2024, 2, 7), include_day=True) == date(2024, 2, 7)
    assert next_working_day(date(2024, 5, 3)) == date(2024, 5, 4)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(at("2023-10-27 09:32"), -1)
    with pytest.raises(ValueError, match="negative"):
        add_calendar_days(at("2023-10-27 09:32"), -1)


def test_count_between_matches_the_receipt_slip() -> None:
    received, due = at("2023-10-27 09:32"), date(2023, 11, 3)
    assert working_days_between(received, due) == 5
    assert working_days_between(due, received) == -5
    assert working_days_between(received, at("2023-10-27 17:00")) == 0


def test_count_between_across_tet_and_a_working_saturday() -> None:
    assert working_days_between(date(2024, 2, 7), date(2024, 2, 15)) == 1
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 10)) == 7
    assert working_days_between(date(2025, 12, 31), date(2026, 1, 12)) == 7


def test_count_between_years() -> None:
    # 2024 has 366 days, 104 weekend days, the seeded weekday holidays and one working Saturday.
    weekday_holidays = Holiday.objects.filter(date__year=2024).count()
    saturdays = WorkingSaturday.objects.filter(date__year=2024).count()
    expected = 366 - 104 - weekday_holidays + saturdays
    assert working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == expected


@pytest.mark.parametrize("start", ["2023-10-27 09:32", "2024-02-07 08:00", "2025-01-24 15:00"])
def test_count_is_the_inverse_of_adding(start: str) -> None:
    for n in range(1, 80):
        assert working_days_between(at(start), add_working_days(at(start), n)) == n


def test_removing_the_working_saturday_moves_the_due_date() -> None:
    # Given the seeded working Saturday 8/2/2025, 6 working days from Fri 24/1/2025 end on it
    received = at("2025-01-24 15:00")
    assert add_working_days(received, 6) == date(2025, 2, 8)
    # When an administrator deletes that Saturday
    admin = make_user("calendar-admin", is_superuser=True, is_staff=True)
    delete_day(WorkingSaturday.objects.get(date=date(2025, 2, 8)), by=admin)
    # Then the next computation ends on Monday 10/2/2025, and the deletion is in the audit log
    assert add_working_days(received, 6) == date(2025, 2, 10)
    entry = AuditEntry.objects.get(action="calendar.working_saturday.delete")
    assert entry.before is not None and entry.before["date"] == "2025-02-08"


def test_parse_moment_forms() -> None:
    assert parse_moment("2023-10-27T09:32") == at("2023-10-27 09:32")
    assert parse_moment("27/10/2023 09:32") == at("2023-10-27 09:32")
    assert parse_moment("27/10/2023") == at("2023-10-27 00:00")
    assert parse_moment("2023-10-27T02:32Z") == at("2023-10-27 09:32")
    # A "+" that arrived as a space from an unencoded query string.
    assert parse_moment("2023-10-27T09:32 07:00") == at("2023-10-27 09:32")
    for bad in ["", "abc", "31/02/2024", "2023-13-01T00:00"]:
        with pytest.raises(ValueError):
            parse_moment(bad)


def test_calendar_built_from_dates_needs_no_database() -> None:
    # A calendar of plain data: one holiday on Monday, a working Saturday, no package fallback.
    cal = WorkingCalendar([date(2030, 1, 7)], [date(2030, 1, 12)], fallback_to_package=False)
    assert cal.add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 8)
    assert cal.add_working_days(date(2030, 1, 11), 1) == date(2030, 1, 12)
    assert cal.is_working_day(date(2030, 1, 1)) is True  # no fallback: no New Year holiday


def test_module_functions_use_the_shared_calendar() -> None:
    assert calendar.get_calendar() is calendar.get_calendar()
