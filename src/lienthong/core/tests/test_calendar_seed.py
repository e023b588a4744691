"""Seeding the calendar from the holidays package and the Government's announcements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import holidays
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.core.calendar import invalidate_cache
from lienthong.core.calendar_seed import (
    PACKAGE_SOURCE,
    build_plan,
    default_year_range,
    delete_day,
    save_day,
    seed_calendar,
)
from lienthong.core.models import AuditEntry, Holiday, WorkingSaturday
from lienthong.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    invalidate_cache()
    yield
    invalidate_cache()


@pytest.fixture
def admin():
    return make_user("calendar-admin", is_superuser=True, is_staff=True)


def rows() -> tuple[list[tuple], list[tuple]]:
    fields = ("date", "name", "source", "is_confirmed")
    return (
        list(Holiday.objects.order_by("date").values_list(*fields)),
        list(WorkingSaturday.objects.order_by("date").values_list(*fields)),
    )


def test_package_version_is_the_source_label() -> None:
    assert f"holidays {holidays.__version__}" == PACKAGE_SOURCE


def test_migration_seeded_the_default_years() -> None:
    first, last = default_year_range()
    years = {d.year for d in Holiday.objects.values_list("date", flat=True)}
    assert years == set(range(first, last + 1))


def test_seeded_rows_carry_vietnamese_names_and_sources() -> None:
    reunification = Holiday.objects.get(date=date(2024, 4, 30))
    assert reunification.name == "Ngày Chiến thắng"
    assert reunification.source == f"Công văn 2450/VPCP-KGVX; {PACKAGE_SOURCE}"
    assert reunification.is_confirmed is True
    swap = Holiday.objects.get(date=date(2024, 4, 29))
    assert swap.name == "Ngày nghỉ (thay cho ngày 04/05/2024)"


def test_announced_days_the_package_does_not_know_are_seeded() -> None:
    new_year = Holiday.objects.get(date=date(2026, 1, 2))
    assert new_year.source == "Công văn 12729/VPCP-KGVX"
    assert new_year.is_confirmed is True
    saturday = WorkingSaturday.objects.get(date=date(2026, 1, 10))
    assert saturday.source == "Công văn 12729/VPCP-KGVX"
    assert saturday.is_confirmed is True


def test_unconfirmed_rows_are_marked() -> None:
    tet_saturday = WorkingSaturday.objects.get(date=date(2025, 2, 8))
    assert (tet_saturday.source, tet_saturday.is_confirmed) == ("Công văn 8726/VPCP-KGVX", False)
    assert WorkingSaturday.objects.get(date=date(2025, 4, 26)).is_confirmed is False
    assert Holiday.objects.get(date=date(2025, 5, 2)).is_confirmed is False
    # Vietnam Cultural Day: in the package from 2026, not yet in the Labor Code.
    culture = Holiday.objects.get(date=date(2026, 11, 24))
    assert culture.name == "Ngày Văn hóa Việt Nam"
    assert culture.is_confirmed is False
    assert "80-NQ/TW" in culture.source
    # Tết 2027 is the package's estimate until the Government announces it.
    assert Holiday.objects.get(date=date(2027, 2, 5)).is_confirmed is False


def test_package_swaps_give_a_holiday_and_a_working_saturday() -> None:
    saturday = WorkingSaturday.objects.get(date=date(2026, 8, 22))
    assert saturday.name == "Làm bù cho ngày nghỉ 31/08/2026"
    assert saturday.source.startswith(PACKAGE_SOURCE)
    assert saturday.is_confirmed is False
    assert Holiday.objects.get(date=date(2026, 8, 31)).name == (
        "Ngày nghỉ (thay cho ngày 22/08/2026)"
    )


def test_no_weekend_holiday_and_no_weekday_working_saturday() -> None:
    assert all(d.weekday() < 5 for d in Holiday.objects.values_list("date", flat=True))
    assert all(d.weekday() == 5 for d in WorkingSaturday.objects.values_list("date", flat=True))


def test_seeding_again_changes_nothing() -> None:
    before = rows()
    entries = AuditEntry.objects.count()
    first, last = default_year_range()
    result = seed_calendar(from_year=first, to_year=last)
    assert (result.holidays_created, result.working_saturdays_created) == ([], [])
    assert result.kept_existing == len(before[0]) + len(before[1])
    assert rows() == before
    # Nothing created, nothing logged.
    assert AuditEntry.objects.count() == entries


def test_seeding_recreates_missing_dates_and_logs_it() -> None:
    Holiday.objects.filter(date__year=2024).delete()
    WorkingSaturday.objects.filter(date__year=2024).delete()
    result = seed_calendar(from_year=2024, to_year=2024)
    assert date(2024, 2, 8) in result.holidays_created
    assert result.working_saturdays_created == [date(2024, 5, 4)]
    assert Holiday.objects.get(date=date(2024, 2, 8)).name == "29 Tết"
    entry = AuditEntry.objects.get(action="calendar.seed")
    assert entry.after is not None and entry.after["working_saturdays_created"] == ["2024-05-04"]


def test_seeding_never_overwrites_an_edited_row(admin) -> None:
    # Given an administrator who renamed and confirmed the Cultural Day row
    culture = Holiday.objects.get(date=date(2026, 11, 24))
    culture.name = "Ngày Văn hóa Việt Nam (đã có văn bản)"
    culture.source = "Văn bản thử"
    culture.is_confirmed = True
    save_day(culture, by=admin)
    # When the calendar is seeded again
    seed_calendar(from_year=2026, to_year=2026)
    # Then the row is as the administrator left it
    culture.refresh_from_db()
    assert (culture.name, culture.source, culture.is_confirmed) == (
        "Ngày Văn hóa Việt Nam (đã có văn bản)",
        "Văn bản thử",
        True,
    )


def test_seeding_does_not_bring_back_a_date_an_administrator_deleted(admin) -> None:
    # Given an administrator who deleted the Cultural Day 2026 (not a day off after all)
    delete_day(Holiday.objects.get(date=date(2026, 11, 24)), by=admin)
    # When the calendar is seeded again
    result = seed_calendar(from_year=2026, to_year=2026)
    # Then the date stays deleted, and the result says so
    assert not Holiday.objects.filter(date=date(2026, 11, 24)).exists()
    assert result.skipped_deleted == [date(2026, 11, 24)]
    assert result.holidays_created == []


def test_seeding_refuses_a_bad_year_range_and_writes_nothing() -> None:
    Holiday.objects.filter(date__year=2024).delete()
    count = Holiday.objects.count()
    with pytest.raises(ValidationError):
        seed_calendar(from_year=2025, to_year=2024)
    with pytest.raises(ValidationError):
        seed_calendar(from_year=1800, to_year=2024)
    assert Holiday.objects.count() == count


def test_seeding_by_a_user_without_the_right_is_refused() -> None:
    Holiday.objects.filter(date__year=2024).delete()
    count = Holiday.objects.count()
    clerk = make_user("clerk", is_staff=True)
    with pytest.raises(PermissionDenied):
        seed_calendar(from_year=2024, to_year=2024, by=clerk)
    assert Holiday.objects.count() == count


def test_plan_reports_no_contradiction_between_the_sources() -> None:
    assert build_plan(2020, 2031).conflicts == []


def test_admin_services_check_rights_and_rules(admin) -> None:
    clerk = make_user("clerk", is_staff=True)
    with pytest.raises(PermissionDenied):
        save_day(Holiday(date=date(2023, 10, 30), name="Thử"), by=clerk)
    with pytest.raises(ValidationError) as saturday_holiday:
        save_day(Holiday(date=date(2023, 10, 28), name="Thử"), by=admin)
    assert "thứ Hai đến thứ Sáu" in saturday_holiday.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as weekday_saturday:
        save_day(WorkingSaturday(date=date(2023, 10, 30), name="Thử"), by=admin)
    assert weekday_saturday.value.message_dict["date"] == [
        "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật."
    ]
    assert not Holiday.objects.filter(date__in=[date(2023, 10, 30), date(2023, 10, 28)]).exists()
    assert not AuditEntry.objects.filter(action__startswith="calendar.").exists()


def test_admin_edit_is_audited_with_before_and_after(admin) -> None:
    holiday = Holiday.objects.get(date=date(2024, 4, 30))
    holiday.is_confirmed = False
    save_day(holiday, by=admin)
    entry = AuditEntry.objects.get(action="calendar.holiday.update")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["is_confirmed"], entry.after["is_confirmed"]) == (True, False)
    assert entry.actor_id == admin.pk
