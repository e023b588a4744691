"""iCalendar (RFC 5545) export of work-calendar events.

Written by hand (no runtime dependency; the tests read the output back with the `icalendar`
package): CRLF line ends, content lines folded at 75 octets without splitting a UTF-8
character (§3.1), TEXT values escaped (`\\`, `;`, `,`, newlines: §3.3.11), times in UTC
(`DTSTART:20261123T013000Z`, §3.3.5 form #2) so no VTIMEZONE is needed. Each event is a
VEVENT with UID (stable: the event's UUID), DTSTAMP (the export), LAST-MODIFIED, SEQUENCE (raised on
every change after creation), STATUS (TENTATIVE before publication, CONFIRMED, CANCELLED),
the chair as ORGANIZER and the officials and units as ATTENDEE.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from lienthong import __version__
from lienthong.documents.calendar.models import Event, EventState

PRODID = f"-//Liên Thông//Lịch công tác {__version__}//VI"
UID_DOMAIN = "lienthong"

_STATUS = {
    EventState.DRAFT: "TENTATIVE",
    EventState.SUBMITTED: "TENTATIVE",
    EventState.PUBLISHED: "CONFIRMED",
    EventState.CANCELLED: "CANCELLED",
}


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _param(value: str) -> str:
    """A parameter value: quoted, with the characters a quoted string may not hold removed."""
    cleaned = "".join(ch for ch in value if ch not in '"\r\n' and (ch == "\t" or ord(ch) >= 32))
    return f'"{cleaned}"'


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (§3.1), never inside a character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            # Continuation lines start with one space, which counts towards their 75 octets.
            current, size, limit = "", 0, 74
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def utc(value: datetime.datetime) -> str:
    """A DATE-TIME in UTC form: 20261123T013000Z."""
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _user_address(user: object) -> str:
    email = getattr(user, "email", "") or ""
    if email:
        return f"mailto:{email}"
    return f"urn:{UID_DOMAIN}:user:{getattr(user, 'pk', '')}"


def event_lines(event: Event, *, stamp: datetime.datetime) -> list[str]:
    """The content lines of one VEVENT (unfolded); `stamp` is when the export was made."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}@{UID_DOMAIN}",
        f"DTSTAMP:{utc(stamp)}",
        f"CREATED:{utc(event.created_at)}",
        f"LAST-MODIFIED:{utc(event.updated_at)}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
        f"SEQUENCE:{event.sequence}",
        f"STATUS:{_STATUS[EventState(event.state)]}",
        f"SUMMARY:{escape_text(event.title)}",
    ]
    if event.place:
        lines.append(f"LOCATION:{escape_text(event.place)}")
    description = [event.content.strip()] if event.content.strip() else []
    if event.preparing_unit is not None:
        description.append(f"Đơn vị chuẩn bị: {event.preparing_unit.name}")
    if event.guests:
        description.append("Khách mời: " + "; ".join(event.guest_list))
    if event.room is not None and event.room.video_link:
        description.append(f"Trực tuyến: {event.room.video_link}")
    if event.cancel_reason:
        description.append(f"Lý do hủy: {event.cancel_reason}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(chr(10).join(description))}")
    if event.room is not None and event.room.video_link.startswith(("https://", "http://")):
        lines.append(f"URL:{event.room.video_link}")
    if event.chair is not None:
        lines.append(f"ORGANIZER;CN={_param(str(event.chair))}:{_user_address(event.chair)}")
        lines.append(
            f"ATTENDEE;CN={_param(str(event.chair))};ROLE=CHAIR;CUTYPE=INDIVIDUAL:"
            f"{_user_address(event.chair)}"
        )
    for person in event.participants.all():
        lines.append(
            f"ATTENDEE;CN={_param(str(person))};ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL:"
            f"{_user_address(person)}"
        )
    for unit in event.participant_units.all():
        lines.append(
            f"ATTENDEE;CN={_param(unit.name)};ROLE=REQ-PARTICIPANT;CUTYPE=GROUP:"
            f"urn:{UID_DOMAIN}:orgunit:{unit.pk}"
        )
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[Event], *, name: str, stamp: datetime.datetime | None = None) -> str:
    """A VCALENDAR (METHOD:PUBLISH) holding the events, as text with CRLF line ends.

    With a METHOD, DTSTAMP is when the object was made (§3.8.7.2); the last change of an
    event is in LAST-MODIFIED.
    """
    stamp = stamp or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
    ]
    for event in events:
        lines += event_lines(event, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
