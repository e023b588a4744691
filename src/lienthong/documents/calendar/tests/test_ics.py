"""iCalendar export: RFC 5545 folding, escaping, UTC times, and a real parser reading it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import icalendar
import pytest

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.documents.calendar import ics, services
from lienthong.documents.calendar.models import Event, Room
from lienthong.documents.calendar.tests.conftest import at


def test_fold_keeps_lines_within_75_octets_and_characters_whole() -> None:
    line = "SUMMARY:" + "Hội nghị trực tuyến triển khai Đề án 06 của Ủy ban nhân dân tỉnh " * 3
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line
    assert ics.fold("SHORT:ok") == "SHORT:ok"


def test_escape_text() -> None:
    assert ics.escape_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def _vevents(text: str) -> list[Any]:
    """The VEVENTs of an iCalendar text, read by the `icalendar` package."""
    return list(icalendar.Calendar.from_ical(text).walk("VEVENT"))


@pytest.mark.django_db
def test_event_round_trips_through_an_icalendar_parser(
    make_event: Callable[..., Event],
    clerk: User,
    leader: User,
    deputy: User,
    division: OrgUnit,
    video_room: Room,
) -> None:
    # given a published video meeting with people, units, guests and text needing escapes
    event = make_event(
        "Hội nghị; tổng kết, năm 2026",
        at(1, 8, 30),
        at(1, 11),
        room=video_room,
        chair=leader,
        participants=[deputy],
        participant_units=[division],
        guests="Sở Nội vụ\nBáo Bình Dương",
        content="Dòng 1\nDòng 2 \\ kết thúc",
        preparing_unit=division,
    )
    deputy.email = "hai@example.vn"
    deputy.save()
    services.publish_event(event, by=clerk)
    event = Event.objects.get(pk=event.pk)
    stamp = datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC)
    # when it is exported
    text = ics.calendar([event], name="Lịch công tác, tuần 2026-W48", stamp=stamp)
    # then the lines are CRLF, folded within 75 octets
    assert text.endswith("\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\n" not in text.replace("\r\n", "")
    # and a real parser reads back every field
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    (vevent,) = _vevents(text)
    assert str(vevent["UID"]) == f"{event.uid}@lienthong"
    assert vevent["DTSTART"].dt == datetime.datetime(2026, 11, 24, 1, 30, tzinfo=datetime.UTC)
    assert vevent["DTEND"].dt == datetime.datetime(2026, 11, 24, 4, 0, tzinfo=datetime.UTC)
    assert vevent["DTSTAMP"].dt == stamp
    assert str(vevent["SUMMARY"]) == "Hội nghị; tổng kết, năm 2026"
    assert str(vevent["LOCATION"]) == "Phòng họp trực tuyến"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert int(vevent["SEQUENCE"]) == 1
    assert str(vevent["URL"]) == "https://hop.binhduong.gov.vn/so-tu-phap"
    assert str(vevent["DESCRIPTION"]) == (
        "Dòng 1\nDòng 2 \\ kết thúc\nĐơn vị chuẩn bị: Phòng Hành chính tư pháp\n"
        "Khách mời: Sở Nội vụ; Báo Bình Dương\n"
        "Trực tuyến: https://hop.binhduong.gov.vn/so-tu-phap"
    )
    attendees = vevent["ATTENDEE"]
    assert [(str(a), a.params["CN"], a.params["ROLE"]) for a in attendees] == [
        (f"urn:lienthong:user:{leader.pk}", "Lê Minh Cường", "CHAIR"),
        ("mailto:hai@example.vn", "Ngô Văn Hải", "REQ-PARTICIPANT"),
        (f"urn:lienthong:orgunit:{division.pk}", "Phòng Hành chính tư pháp", "REQ-PARTICIPANT"),
    ]
    assert attendees[2].params["CUTYPE"] == "GROUP"
    assert str(vevent["ORGANIZER"]) == f"urn:lienthong:user:{leader.pk}"


@pytest.mark.django_db
def test_cancelled_event_exports_status_cancelled_with_a_higher_sequence(
    make_event: Callable[..., Event], clerk: User
) -> None:
    event = make_event()
    services.publish_event(event, by=clerk)
    services.cancel_event(event, by=clerk, reason="Hoãn; chưa định ngày")
    event = Event.objects.get(pk=event.pk)
    (vevent,) = _vevents(ics.calendar([event], name="x"))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 2
    assert str(vevent["DESCRIPTION"]) == "Lý do hủy: Hoãn; chưa định ngày"
    assert "LOCATION" not in vevent


@pytest.mark.django_db
def test_draft_is_tentative(make_event: Callable[..., Event]) -> None:
    event = make_event()
    (vevent,) = _vevents(ics.calendar([event], name="x"))
    assert (str(vevent["STATUS"]), int(vevent["SEQUENCE"])) == ("TENTATIVE", 0)
