"""Reads of the work calendar: ISO weeks and the weekly schedules of agencies, leaders, units.

A week is an ISO 8601 week (`2026-W48`, Monday to Sunday) in Asia/Ho_Chi_Minh. Every
schedule is a QuerySet filtered by `Event.objects.visible_to(viewer)` in the query; an event
belongs to a week when it overlaps it (a conference from Sunday to Monday shows in both).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.documents.calendar.models import Event, EventQuerySet

_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")


def parse_week(value: str) -> datetime.date:
    """The Monday of an ISO week written `2026-W48` (or `2026W48`); ValueError if bad."""
    match = _WEEK.match((value or "").strip().upper())
    if not match:
        raise ValueError(_("Tuần phải có dạng 2026-W48."))
    try:
        return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValueError(
            _("Năm %(year)s không có tuần %(week)s.") % {"year": match[1], "week": match[2]}
        ) from None


def week_label(monday: datetime.date) -> str:
    """`2026-W48` for the ISO week of a date."""
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the week a day falls in."""
    return day - datetime.timedelta(days=day.weekday())


def current_week() -> datetime.date:
    """The Monday of this week, in local time."""
    return week_of(timezone.localdate())


def week_bounds(monday: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[Monday 00:00, next Monday 00:00) in local time, as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        monday + datetime.timedelta(days=7), datetime.time.min, tzinfo=tz
    )
    return start, end


def _with_relations(events: EventQuerySet) -> EventQuerySet:
    return events.select_related("agency", "room", "chair", "preparing_unit").prefetch_related(
        Prefetch("participants", queryset=User.objects.order_by("full_name", "username")),
        Prefetch("participant_units", queryset=OrgUnit.objects.order_by("path")),
    )


def in_week(viewer: object, monday: datetime.date) -> EventQuerySet:
    """Every event the viewer may see that overlaps the week, by start time."""
    start, end = week_bounds(monday)
    return _with_relations(
        Event.objects.visible_to(viewer).overlapping(start, end).order_by("starts_at", "pk")
    )


def agency_week(
    agency: OrgUnit, monday: datetime.date, viewer: object, *, published_only: bool = True
) -> EventQuerySet:
    """The agency's week: the published schedule (with published-then-cancelled events) or,
    with `published_only=False`, every event the viewer may see (drafts too)."""
    events = in_week(viewer, monday).filter(agency=agency)
    return events.on_schedule() if published_only else events


def leader_week(
    leader: User, monday: datetime.date, viewer: object, *, published_only: bool = False
) -> EventQuerySet:
    """A leader's (or any official's) week: events they chair or attend."""
    attending = Event.participants.through.objects.filter(
        event_id=OuterRef("pk"), user_id=leader.pk
    )
    events = in_week(viewer, monday).filter(Q(chair=leader) | Q(Exists(attending)))
    return events.on_schedule() if published_only else events


def unit_week(
    unit: OrgUnit, monday: datetime.date, viewer: object, *, published_only: bool = False
) -> EventQuerySet:
    """A unit's week: events it prepares or attends, and those of the agency it is."""
    attending = Event.participant_units.through.objects.filter(
        event_id=OuterRef("pk"), orgunit_id=unit.pk
    )
    condition = Q(preparing_unit=unit) | Q(Exists(attending))
    if unit.is_agency:
        condition |= Q(agency=unit)
    events = in_week(viewer, monday).filter(condition)
    return events.on_schedule() if published_only else events


@dataclass(frozen=True)
class Day:
    """One day of a weekly view: morning and afternoon events (by local start time)."""

    date: datetime.date
    morning: list[Event]
    afternoon: list[Event]

    @property
    def is_empty(self) -> bool:
        return not (self.morning or self.afternoon)


def days_of(events: EventQuerySet | list[Event], monday: datetime.date) -> list[Day]:
    """The seven days of the week, each event on every day it covers (morning until noon)."""
    days: list[Day] = []
    events = list(events)
    for offset in range(7):
        date = monday + datetime.timedelta(days=offset)
        morning: list[Event] = []
        afternoon: list[Event] = []
        for event in events:
            start = timezone.localtime(event.starts_at)
            end = timezone.localtime(event.ends_at)
            if (
                start.date() > date
                or (end.date() < date)
                or (end.date() == date and end.time() == datetime.time.min and start.date() < date)
            ):
                continue
            first_hour = start.hour if start.date() == date else 0
            (morning if first_hour < 12 else afternoon).append(event)
        days.append(Day(date=date, morning=morning, afternoon=afternoon))
    return days
