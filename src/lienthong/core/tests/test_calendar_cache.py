"""The per-process calendar: loaded once, reloaded when a holiday row changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from django.conf import settings
from django.test import override_settings

from lienthong.core.calendar import (
    VN_TZ,
    add_working_days,
    add_working_hours,
    get_calendar,
    invalidate_cache,
    is_working_day,
)
from lienthong.core.calendar_seed import save_day
from lienthong.core.models import Holiday, WorkingSaturday
from lienthong.core.testing import make_user

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2023, 10, 27, 9, 32, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    invalidate_cache()
    yield
    invalidate_cache()


def test_warm_calendar_does_not_query_the_database(django_assert_num_queries) -> None:
    # Given a calendar loaded once
    add_working_days(RECEIVED, 5)
    # When a thousand due dates are computed
    with django_assert_num_queries(0):
        for n in range(1000):
            add_working_days(RECEIVED, n % 60)
            add_working_hours(RECEIVED, n % 40)
    # Then no query was made, and the loaded calendar is the same object
    assert get_calendar() is get_calendar()


def test_cold_calendar_loads_both_tables_in_two_queries(django_assert_num_queries) -> None:
    with django_assert_num_queries(2):
        add_working_days(RECEIVED, 5)


def test_an_administrator_adding_a_holiday_changes_the_next_computation() -> None:
    # Given the due date of the DOMAIN example, computed (and cached)
    assert add_working_days(RECEIVED, 5) == date(2023, 11, 3)
    # When an administrator adds an extraordinary day off on Monday 30/10/2023
    admin = make_user("calendar-admin", is_superuser=True, is_staff=True)
    save_day(Holiday(date=date(2023, 10, 30), name="Nghỉ đột xuất", source="Thử"), by=admin)
    # Then the next computation skips it without any explicit reload
    assert add_working_days(RECEIVED, 5) == date(2023, 11, 6)


def test_moving_and_deleting_rows_through_the_orm_also_reload() -> None:
    assert is_working_day(date(2023, 10, 30)) is True
    holiday = Holiday.objects.create(date=date(2023, 10, 30), name="Nghỉ đột xuất")
    assert is_working_day(date(2023, 10, 30)) is False
    holiday.date = date(2023, 10, 31)
    holiday.save()
    assert is_working_day(date(2023, 10, 30)) is True
    assert is_working_day(date(2023, 10, 31)) is False
    holiday.delete()
    assert is_working_day(date(2023, 10, 31)) is True


def test_adding_a_working_saturday_changes_the_next_computation() -> None:
    assert add_working_days(RECEIVED, 1) == date(2023, 10, 30)
    WorkingSaturday.objects.create(date=date(2023, 10, 28), name="Làm bù thử")
    assert add_working_days(RECEIVED, 1) == date(2023, 10, 28)


def test_a_change_without_signals_is_seen_after_the_cache_lifetime() -> None:
    # Given a calendar loaded in this process
    assert is_working_day(date(2023, 10, 30)) is True
    # When another process changes a row (here: a bulk update that sends no signal)
    Holiday.objects.filter(date=date(2023, 1, 2)).update(date=date(2023, 10, 30))
    # Then this process still uses what it loaded while the cache lives
    assert is_working_day(date(2023, 10, 30)) is True
    # And reloads once the cache lifetime has passed (0 seconds here)
    lienthong = {**settings.LIENTHONG, "CALENDAR_CACHE_SECONDS": 0}
    with override_settings(LIENTHONG=lienthong):
        assert is_working_day(date(2023, 10, 30)) is False


def test_a_year_without_rows_falls_back_to_the_package(caplog) -> None:
    # Given a year an administrator emptied (or never seeded)
    Holiday.objects.filter(date__year=2029).delete()
    WorkingSaturday.objects.filter(date__year=2029).delete()
    cal = get_calendar()
    # Then its days come from the holidays package, with a warning, not from nothing
    assert cal.missing_years(date(2028, 12, 1), date(2029, 2, 1)) == [2029]
    assert cal.is_working_day(date(2029, 2, 13)) is False  # Tết Nguyên Đán 2029
    assert cal.is_working_day(date(2029, 2, 19)) is True
    assert "no holiday rows for 2029" in caplog.text
    # And a year with rows does not
    assert cal.missing_years(date(2024, 1, 1), date(2024, 12, 31)) == []
