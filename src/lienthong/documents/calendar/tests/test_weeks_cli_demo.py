"""ISO weeks, the day grid, the `lienthong workcalendar` command and the demo data."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest
from django.core.management import CommandError, call_command

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.documents.calendar import selectors, services
from lienthong.documents.calendar.models import Event, EventState
from lienthong.documents.calendar.tests.conftest import MONDAY, at


def test_parse_week() -> None:
    assert selectors.parse_week("2026-W48") == MONDAY
    assert selectors.parse_week("2026w01") == datetime.date(2025, 12, 29)
    assert selectors.parse_week("2026-W53") == datetime.date(2026, 12, 28)
    assert selectors.week_label(datetime.date(2027, 1, 3)) == "2026-W53"
    for bad in ("2025-W53", "2026-48", "", "2026-W00"):
        with pytest.raises(ValueError):
            selectors.parse_week(bad)


@pytest.mark.django_db
def test_days_split_morning_afternoon_and_span_days(make_event: Callable[..., Event]) -> None:
    morning = make_event("Sáng", at(0, 8), confirm=True)
    afternoon = make_event("Chiều", at(0, 13, 30), confirm=True)
    conference = make_event("Hội nghị hai ngày", at(2, 14), at(3, 11), confirm=True)
    until_midnight = make_event("Đến nửa đêm", at(4, 20), at(5, 0), confirm=True)
    days = selectors.days_of(Event.objects.all(), MONDAY)
    assert [len(days[i].morning) + len(days[i].afternoon) for i in range(7)] == [
        2,
        0,
        1,
        1,
        1,
        0,
        0,
    ]
    assert (days[0].morning, days[0].afternoon) == ([morning], [afternoon])
    assert (days[2].afternoon, days[3].morning) == ([conference], [conference])
    assert days[4].afternoon == [until_midnight] and days[5].is_empty


@pytest.mark.django_db
def test_week_bounds_keep_events_of_the_week_only(
    make_event: Callable[..., Event], specialist: User
) -> None:
    make_event("Chủ nhật tuần trước", at(-1, 22), at(-1, 23, 59))
    inside = make_event("Thứ hai", at(0, 0), at(0, 1))
    make_event("Thứ hai tuần sau", at(7, 0), at(7, 1))
    assert list(selectors.in_week(specialist, MONDAY)) == [inside]


@pytest.mark.django_db
def test_command_prints_the_published_week_and_ics(
    make_event: Callable[..., Event], agency: OrgUnit, clerk: User, leader: User, tmp_path: Path
) -> None:
    event = make_event("Họp giao ban", at(0, 8), chair=leader)
    make_event("Dự thảo", at(1, 14))
    services.publish_event(event, by=clerk)
    out = io.StringIO()
    call_command("workcalendar", "week", "--agency", agency.code, "--week", "2026-W48", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "Lịch công tác Sở Tư pháp, tuần 2026-W48"
    assert "23/11/2026 (Thứ Hai)" in text
    assert "  Sáng 08:00–10:00 Họp giao ban — chủ trì: Lê Minh Cường" in text
    assert "Dự thảo" not in text
    target = tmp_path / "tuan.ics"
    call_command(
        "workcalendar",
        "week",
        "--leader",
        "giamdoc",
        "--week",
        "2026-W48",
        "--ics",
        "-o",
        str(target),
        stderr=io.StringIO(),
    )
    (vevent,) = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Họp giao ban"
    with pytest.raises(CommandError):
        call_command("workcalendar", "week", "--agency", "999.99.99.H99")
    with pytest.raises(CommandError):
        call_command("workcalendar", "week", "--agency", agency.code, "--week", "2026-W99")


@pytest.mark.django_db
def test_demo_seeds_two_weeks_once(db: None) -> None:
    from lienthong.documents.calendar import demo

    # given the demo agency and leader (the kernel's demo data is not loaded in this test)
    justice = OrgUnit.objects.create(
        name="Sở Tư pháp tỉnh Bình Dương", kind="department", is_agency=True, code="000.00.05.H99"
    )
    leader = User.objects.create_user(
        "lanhdao", kind="official", org_unit=justice, full_name="Lê Minh Cường"
    )
    User.objects.create_superuser("admin", password="mật-khẩu-rất-dài-12", kind="official")
    lines = demo.seed_demo()
    assert lines == ["Lịch công tác: 9 sự kiện, 2 phòng họp cho Sở Tư pháp tỉnh Bình Dương."]
    events = Event.objects.filter(agency=justice)
    assert sorted(events.values_list("state", flat=True)) == sorted(
        ["published"] * 7 + ["cancelled", "draft"]
    )
    assert set(events.values_list("chair", flat=True)) == {leader.pk}
    # idempotent
    assert demo.seed_demo() == ["Lịch công tác: đã có dữ liệu demo."]
    assert Event.objects.count() == 9
    assert Event.objects.filter(state=EventState.PUBLISHED).count() == 7
