"""Writes of the work calendar: rooms, events and their way to the published schedule.

Every function here is a `@service`: it checks permission, writes, records the audit entry
and publishes outbox events in one transaction, so a refused or failed call leaves nothing
behind. Who may do what:

- **drafting** (create, edit, submit an event of agency A): an official holding any role for
  A, a unit inside A or a unit above A; while the event is a draft or submitted;
- **the office** of agency A (role clerk or leader for A or above — văn phòng, lãnh đạo)
  approves and publishes, edits published events, cancels any event, and manages A's rooms;
- superusers may do everything.

Conflicts: an event may not share a room with another event at the same time (refused,
`RoomConflict`); a chair or participant who is already chairing or attending another event
at that time is a warning (`PersonConflict`) that the caller must confirm (`confirm=True`).
Cancelled events conflict with nothing. The room row is locked before the check so that two
clerks booking the same room at once cannot both succeed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role, User
from lienthong.core.audit import audited, service
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import grants_of, is_official_user
from lienthong.documents.calendar.events import EVENT_CANCELLED, EVENT_PUBLISHED, EVENT_UPDATED
from lienthong.documents.calendar.models import Event, EventState, Room
from lienthong.exchange.outbox import publish

#: Roles of an agency's office: they approve and publish the schedule and manage rooms.
OFFICE_ROLES = (Role.CLERK, Role.LEADER)
#: The longest event the calendar takes (a multi-day conference fits; a typo does not).
MAX_DURATION = datetime.timedelta(days=31)
TITLE_MAX = 300


class StateError(Exception):
    """The event is not in a state that allows the action (API 409)."""


class ConflictError(Exception):
    """The event clashes with others; `conflicts` says with which and why."""

    needs_confirmation = False

    def __init__(self, message: str, conflicts: Sequence[Conflict]) -> None:
        super().__init__(message)
        self.message = message
        self.conflicts = list(conflicts)


class RoomConflict(ConflictError):
    """The room is taken at that time: refused whatever the caller says."""


class PersonConflict(ConflictError):
    """A chair or participant is busy at that time: saved only when confirmed."""

    needs_confirmation = True


@dataclass(frozen=True)
class Conflict:
    """One clash: the other event, and the room or person they share."""

    kind: str  # "room" | "person"
    event: Event
    person: User | None = None

    @property
    def message(self) -> str:
        when = (
            f"{timezone.localtime(self.event.starts_at):%H:%M %d/%m/%Y}–"
            f"{timezone.localtime(self.event.ends_at):%H:%M}"
        )
        if self.kind == "room":
            return _("Phòng %(room)s đã được đặt cho “%(title)s” (%(when)s).") % {
                "room": self.event.room,
                "title": self.event.title,
                "when": when,
            }
        return _("%(person)s đã có lịch “%(title)s” (%(when)s).") % {
            "person": self.person,
            "title": self.event.title,
            "when": when,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "event_id": self.event.pk,
            "title": self.event.title,
            "starts_at": self.event.starts_at,
            "ends_at": self.event.ends_at,
            "room": self.event.room.name if self.event.room else None,
            "person_id": self.person.pk if self.person else None,
            "person": str(self.person) if self.person else None,
            "message": self.message,
        }


@dataclass
class EventData:
    """What an event says, as the forms, the API and the command give it."""

    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    content: str = ""
    room: Room | None = None
    location: str = ""
    chair: User | None = None
    participants: list[User] = field(default_factory=list)
    participant_units: list[OrgUnit] = field(default_factory=list)
    guests: str = ""
    preparing_unit: OrgUnit | None = None


# --- Permissions ------------------------------------------------------------------------------


def _ancestor_ids(unit: OrgUnit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def is_office(user: Any, agency: OrgUnit) -> bool:
    """Clerk or leader of the agency (or of a unit above it), or a superuser."""
    if not is_official_user(user):
        return False
    if user.is_superuser:
        return True
    return bool(
        grants_of(user, OFFICE_ROLES).filter(org_unit_id__in=_ancestor_ids(agency)).exists()
    )


def can_draft(user: Any, agency: OrgUnit) -> bool:
    """An official with any role for the agency, a unit inside it or a unit above it."""
    if not is_official_user(user):
        return False
    if user.is_superuser:
        return True
    grants = grants_of(user).exclude(role=Role.CITIZEN)
    return bool(
        grants.filter(
            Q(org_unit_id__in=_ancestor_ids(agency)) | Q(org_unit__path__startswith=agency.path)
        ).exists()
    )


def can_edit(user: Any, event: Event) -> bool:
    """Drafters while the event is not yet published; the office until it is cancelled."""
    if event.state == EventState.CANCELLED:
        return False
    if is_office(user, event.agency):
        return True
    return event.state in (EventState.DRAFT, EventState.SUBMITTED) and can_draft(user, event.agency)


def _refuse(message: str) -> None:
    raise PermissionDenied(message)


# --- Rooms ------------------------------------------------------------------------------------


ROOM_FIELDS = ("name", "kind", "capacity", "location", "video_link", "is_active")


def _clean_room(room: Room) -> None:
    errors: dict[str, str] = {}
    room.name = room.name.strip()
    if not room.name:
        errors["name"] = _("Hãy nhập tên phòng.")
    if room.kind not in Room.Kind.values:
        errors["kind"] = _("Loại phòng không hợp lệ.")
    if room.capacity is None or room.capacity < 0:
        errors["capacity"] = _("Sức chứa phải là số không âm.")
    if room.kind == Room.Kind.VIDEO and not room.video_link.strip():
        errors["video_link"] = _("Phòng họp trực tuyến cần đường dẫn hoặc mã điểm cầu.")
    if (
        room.name
        and Room.objects.filter(agency_id=room.agency_id, name__iexact=room.name)
        .exclude(pk=room.pk)
        .exists()
    ):
        errors["name"] = _("Cơ quan đã có phòng tên này.")
    if errors:
        raise ValidationError(errors)


@service
def create_room(
    *,
    agency: OrgUnit,
    name: str,
    kind: str = Room.Kind.MEETING,
    capacity: int = 0,
    location: str = "",
    video_link: str = "",
    by: User,
) -> Room:
    """Add a meeting room or video-conference room to an agency (its office only)."""
    if not agency.is_agency:
        raise ValidationError({"agency": _("Phòng họp thuộc một cơ quan.")})
    if not is_office(by, agency):
        _refuse(_("Chỉ văn phòng, lãnh đạo cơ quan quản lý phòng họp."))
    room = Room(
        agency=agency,
        name=name,
        kind=kind,
        capacity=capacity,
        location=location.strip(),
        video_link=video_link.strip(),
    )
    _clean_room(room)
    with audited("calendar.room.create", room):
        room.save()
    return room


@service
def update_room(room: Room, *, by: User, **changes: Any) -> Room:
    """Change a room's name, kind, capacity, location, link or whether it is in use."""
    unknown = set(changes) - set(ROOM_FIELDS)
    if unknown:
        raise ValidationError({name: _("Không sửa được trường này.") for name in sorted(unknown)})
    if not is_office(by, room.agency):
        _refuse(_("Chỉ văn phòng, lãnh đạo cơ quan quản lý phòng họp."))
    with audited("calendar.room.update", room):
        for name, value in changes.items():
            setattr(room, name, value.strip() if isinstance(value, str) else value)
        _clean_room(room)
        room.save()
    return room


# --- Conflicts --------------------------------------------------------------------------------


def find_conflicts(
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    room: Room | None = None,
    people: Iterable[User] = (),
    exclude: Event | None = None,
) -> list[Conflict]:
    """Events (not cancelled) overlapping [starts_at, ends_at) in the same room, or chaired or
    attended by one of `people`. Room clashes come first."""
    others = Event.objects.live().overlapping(starts_at, ends_at).select_related("room")
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
    conflicts: list[Conflict] = []
    if room is not None:
        conflicts += [Conflict("room", other) for other in others.filter(room_id=room.pk)]
    people_by_id = {person.pk: person for person in people if person is not None}
    if people_by_id:
        through = Event.participants.through
        attending = through.objects.filter(event_id=OuterRef("pk"), user_id__in=people_by_id)
        busy = others.filter(Q(chair_id__in=people_by_id) | Q(Exists(attending)))
        attendees: dict[int, set[int]] = {}
        for event_id, user_id in through.objects.filter(
            event__in=busy, user_id__in=people_by_id
        ).values_list("event_id", "user_id"):
            attendees.setdefault(event_id, set()).add(user_id)
        for other in busy:
            ids = set(attendees.get(other.pk, set()))
            if other.chair_id in people_by_id:
                ids.add(other.chair_id)
            conflicts += [Conflict("person", other, people_by_id[uid]) for uid in sorted(ids)]
    return conflicts


def _check_conflicts(data: EventData, *, exclude: Event | None, confirm: bool) -> None:
    if data.room is not None:
        # Serialise bookings of this room: the second of two simultaneous bookings waits here
        # and then sees the first one's event.
        Room.objects.select_for_update().filter(pk=data.room.pk).first()
    people = ([data.chair] if data.chair else []) + list(data.participants)
    conflicts = find_conflicts(
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        room=data.room,
        people=people,
        exclude=exclude,
    )
    room_conflicts = [c for c in conflicts if c.kind == "room"]
    if room_conflicts:
        raise RoomConflict(_("Phòng họp đã có lịch trùng thời gian."), room_conflicts)
    if conflicts and not confirm:
        raise PersonConflict(
            _("Có người chủ trì hoặc tham dự bị trùng lịch; hãy xác nhận nếu vẫn muốn lưu."),
            conflicts,
        )


# --- Events -----------------------------------------------------------------------------------


def _clean_event(agency: OrgUnit, data: EventData) -> None:
    errors: dict[str, str] = {}
    data.title = data.title.strip()
    data.location = data.location.strip()
    data.guests = "\n".join(line.strip() for line in data.guests.splitlines() if line.strip())
    if not data.title:
        errors["title"] = _("Hãy nhập nội dung chính.")
    elif len(data.title) > TITLE_MAX:
        errors["title"] = _("Nội dung chính tối đa %(n)d ký tự.") % {"n": TITLE_MAX}
    for name in ("starts_at", "ends_at"):
        value = getattr(data, name)
        if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
            errors[name] = _("Thời gian phải có ngày, giờ và múi giờ.")
    if not errors.get("starts_at") and not errors.get("ends_at"):
        if data.ends_at <= data.starts_at:
            errors["ends_at"] = _("Thời gian kết thúc phải sau thời gian bắt đầu.")
        elif data.ends_at - data.starts_at > MAX_DURATION:
            errors["ends_at"] = _("Một sự kiện kéo dài tối đa 31 ngày.")
    if data.room is not None:
        if data.room.agency_id != agency.pk:
            errors["room"] = _("Phòng họp không thuộc cơ quan này.")
        elif not data.room.is_active:
            errors["room"] = _("Phòng họp đã ngừng sử dụng.")
    if data.chair is not None and not data.chair.is_official:
        errors["chair"] = _("Người chủ trì phải là cán bộ, công chức.")
    if any(not person.is_official for person in data.participants):
        errors["participants"] = _("Thành phần tham dự chỉ gồm cán bộ, công chức.")
    if data.preparing_unit is not None and not data.preparing_unit.path.startswith(agency.path):
        errors["preparing_unit"] = _("Đơn vị chuẩn bị phải thuộc cơ quan.")
    if errors:
        raise ValidationError(errors)
    # One person once: the chair is not also listed as a participant.
    unique: dict[int, User] = {p.pk: p for p in data.participants}
    if data.chair is not None:
        unique.pop(data.chair.pk, None)
    data.participants = list(unique.values())
    data.participant_units = list({u.pk: u for u in data.participant_units}.values())


def _apply(event: Event, data: EventData) -> None:
    for name in ("title", "content", "starts_at", "ends_at", "room", "location", "chair"):
        setattr(event, name, getattr(data, name))
    event.guests = data.guests
    event.preparing_unit = data.preparing_unit


def event_data(event: Event) -> dict[str, Any]:
    """The `data` of the calendar's outbox events."""
    return {
        "id": event.pk,
        "uid": str(event.uid),
        "agency": event.agency.code or "",
        "agency_id": event.agency_id,
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "chair_id": event.chair_id,
        "state": event.state,
        "sequence": event.sequence,
    }


@service
def create_event(*, agency: OrgUnit, data: EventData, by: User, confirm: bool = False) -> Event:
    """Put a draft event on the agency's calendar (after the conflict check)."""
    if not agency.is_agency:
        raise ValidationError({"agency": _("Lịch công tác thuộc một cơ quan.")})
    if not can_draft(by, agency):
        _refuse(_("Bạn không lập lịch công tác cho cơ quan này."))
    _clean_event(agency, data)
    _check_conflicts(data, exclude=None, confirm=confirm)
    event = Event(agency=agency, created_by=by, state=EventState.DRAFT)
    _apply(event, data)
    with audited("calendar.event.create", event):
        event.save()
        event.participants.set(data.participants)
        event.participant_units.set(data.participant_units)
    return event


@service
def update_event(event: Event, *, data: EventData, by: User, confirm: bool = False) -> Event:
    """Change an event; SEQUENCE goes up, and a published event announces the change."""
    locked = Event.objects.select_for_update(of=("self",)).select_related("agency").get(pk=event.pk)
    if not can_edit(by, locked):
        if locked.state == EventState.CANCELLED:
            raise StateError(_("Sự kiện đã hủy, không sửa được."))
        _refuse(_("Bạn không sửa được sự kiện này."))
    _clean_event(locked.agency, data)
    _check_conflicts(data, exclude=locked, confirm=confirm)
    with audited("calendar.event.update", locked):
        _apply(locked, data)
        locked.sequence += 1
        locked.save()
        locked.participants.set(data.participants)
        locked.participant_units.set(data.participant_units)
    if locked.state == EventState.PUBLISHED:
        publish(EVENT_UPDATED, subject=str(locked.uid), data=event_data(locked))
    return locked


@service
def submit_event(event: Event, *, by: User) -> Event:
    """Send a draft to the agency's office for approval."""
    locked = Event.objects.select_for_update(of=("self",)).select_related("agency").get(pk=event.pk)
    if not can_edit(by, locked):
        if locked.state == EventState.CANCELLED:
            raise StateError(_("Sự kiện đã hủy."))
        _refuse(_("Bạn không trình được sự kiện này."))
    if locked.state != EventState.DRAFT:
        raise StateError(
            _("Chỉ trình duyệt được sự kiện dự thảo (đang: %(state)s).")
            % {"state": locked.get_state_display()}
        )
    with audited("calendar.event.submit", locked):
        locked.state = EventState.SUBMITTED
        locked.save(update_fields=["state", "updated_at"])
    return locked


@service
def publish_event(event: Event, *, by: User) -> Event:
    """Approve and publish an event on the agency's weekly schedule (office only)."""
    locked = (
        Event.objects.select_for_update(of=("self",))
        .select_related("agency", "room")
        .get(pk=event.pk)
    )
    if not is_office(by, locked.agency):
        _refuse(_("Chỉ văn phòng, lãnh đạo cơ quan duyệt và công bố lịch công tác."))
    if locked.state not in (EventState.DRAFT, EventState.SUBMITTED):
        raise StateError(
            _("Không công bố được sự kiện đang ở trạng thái “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    # Whatever was booked since the draft was saved: a room clash still refuses.
    data = EventData(
        title=locked.title,
        starts_at=locked.starts_at,
        ends_at=locked.ends_at,
        room=locked.room,
    )
    _check_conflicts(data, exclude=locked, confirm=True)
    with audited("calendar.event.publish", locked):
        locked.state = EventState.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = by
        locked.sequence += 1
        locked.save(
            update_fields=["state", "published_at", "published_by", "sequence", "updated_at"]
        )
    publish(EVENT_PUBLISHED, subject=str(locked.uid), data=event_data(locked))
    return locked


@service
def cancel_event(event: Event, *, by: User, reason: str = "") -> Event:
    """Cancel an event: the office any time, drafters before publication."""
    locked = (
        Event.objects.select_for_update(of=("self",))
        .select_related("agency", "room")
        .get(pk=event.pk)
    )
    if locked.state == EventState.CANCELLED:
        raise StateError(_("Sự kiện đã hủy trước đó."))
    if not can_edit(by, locked):
        _refuse(_("Bạn không hủy được sự kiện này."))
    reason = reason.strip()
    if len(reason) > 500:
        raise ValidationError({"reason": _("Lý do hủy tối đa 500 ký tự.")})
    was_published = locked.state == EventState.PUBLISHED
    with audited("calendar.event.cancel", locked):
        locked.state = EventState.CANCELLED
        locked.cancel_reason = reason
        locked.sequence += 1
        locked.save(update_fields=["state", "cancel_reason", "sequence", "updated_at"])
    if was_published:
        publish(EVENT_CANCELLED, subject=str(locked.uid), data=event_data(locked))
    return locked
