"""Work-calendar API, under /api/calendar/ (an official's session; 401 without, 403 for others).

- GET /rooms (`agency`), POST /rooms, PATCH /rooms/{id} — the office of the room's agency;
- GET /events — the events the caller may see overlapping a week (`week=2026-W48`, default
  this week), narrowed by `agency`, `leader` (chairs or attends), `unit`, `state`,
  `published_only`;
- POST /events (201), PUT /events/{id}: 422 with field errors for bad input; 409 with
  `conflicts` when the room is taken (never saved) or a person is busy (saved when sent again
  with `"confirm": true`); POST /events/check answers the conflicts without saving;
- POST /events/{id}/submit | publish | cancel: 409 when the state does not allow it;
- GET /events/{id}, GET /events/{id}/ics, GET /week.ics (`agency` | `leader` | `unit`,
  `week`): iCalendar (RFC 5545).

Events the caller may not see answer 404, like those that do not exist. Times without a zone
are read as Asia/Ho_Chi_Minh.
"""

import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.documents.calendar import ics, selectors, services
from lienthong.documents.calendar.forms import EventForm
from lienthong.documents.calendar.models import Event, EventState, Room

router = Router(tags=["lịch công tác"], auth=django_auth)


class Ref(Schema):
    id: int
    name: str


class RoomOut(Schema):
    id: int
    agency: Ref
    name: str
    kind: str
    kind_label: str
    capacity: int
    location: str
    video_link: str
    is_active: bool


class RoomIn(Schema):
    agency: int = Field(..., description="Id của cơ quan")
    name: str
    kind: str = Room.Kind.MEETING
    capacity: int = 0
    location: str = ""
    video_link: str = ""


class RoomPatch(Schema):
    name: str | None = None
    kind: str | None = None
    capacity: int | None = None
    location: str | None = None
    video_link: str | None = None
    is_active: bool | None = None


class ConflictOut(Schema):
    kind: str = Field(..., description="room: trùng phòng (không lưu); person: trùng người")
    event_id: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room: str | None
    person_id: int | None
    person: str | None
    message: str


class ConflictsOut(Schema):
    detail: str
    needs_confirmation: bool
    conflicts: list[ConflictOut]


class EventOut(Schema):
    id: int
    uid: str
    agency: Ref
    title: str
    content: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room: RoomOut | None
    location: str
    place: str
    chair: Ref | None
    participants: list[Ref]
    participant_units: list[Ref]
    guests: list[str]
    preparing_unit: Ref | None
    state: str
    state_label: str
    sequence: int
    published_at: datetime.datetime | None
    cancel_reason: str
    url: str
    ics_url: str


class EventIn(Schema):
    """An event. People and units by id; `confirm` saves despite busy people (not rooms)."""

    title: str
    content: str = ""
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room: int | None = None
    location: str = ""
    chair: int | None = None
    participants: list[int] = []
    participant_units: list[int] = []
    guests: str = ""
    preparing_unit: int | None = None
    confirm: bool = False


class NewEventIn(EventIn):
    agency: int = Field(..., description="Id của cơ quan có lịch")


class CancelIn(Schema):
    reason: str = ""


class EventFilters(Schema):
    week: str = Field("", description="Tuần ISO, ví dụ 2026-W48; trống: tuần này")
    agency: int | None = None
    leader: int | None = None
    unit: int | None = None
    state: str = ""
    published_only: bool = False


class IcsFilters(Schema):
    week: str = ""
    agency: int | None = None
    leader: int | None = None
    unit: int | None = None


# --- Helpers ----------------------------------------------------------------------------------


def _official(request: HttpRequest) -> User:
    if not is_official_user(request.user):
        raise HttpError(403, _("Lịch công tác chỉ dành cho cán bộ, công chức."))
    return cast(User, request.user)


def _invalid(exc: ValidationError) -> Status[dict[str, Any]]:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _form_invalid(form: EventForm) -> Status[dict[str, Any]]:
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _conflicts(exc: services.ConflictError) -> Status[dict[str, Any]]:
    return Status(
        409,
        {
            "detail": exc.message,
            "needs_confirmation": exc.needs_confirmation,
            "conflicts": [conflict.as_dict() for conflict in exc.conflicts],
        },
    )


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def room_out(room: Room) -> dict[str, Any]:
    return {
        "id": room.pk,
        "agency": _ref(room.agency),
        "name": room.name,
        "kind": room.kind,
        "kind_label": room.get_kind_display(),
        "capacity": room.capacity,
        "location": room.location,
        "video_link": room.video_link,
        "is_active": room.is_active,
    }


def event_out(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "uid": str(event.uid),
        "agency": _ref(event.agency),
        "title": event.title,
        "content": event.content,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "room": room_out(event.room) if event.room is not None else None,
        "location": event.location,
        "place": event.place,
        "chair": _ref(event.chair),
        "participants": [_ref(p) for p in event.participants.all()],
        "participant_units": [_ref(u) for u in event.participant_units.all()],
        "guests": event.guest_list,
        "preparing_unit": _ref(event.preparing_unit),
        "state": event.state,
        "state_label": event.get_state_display(),
        "sequence": event.sequence,
        "published_at": event.published_at,
        "cancel_reason": event.cancel_reason,
        "url": reverse("calendar:event", args=[event.pk]),
        "ics_url": reverse("api:calendar_event_ics", args=[event.pk]),
    }


def _week(raw: str) -> datetime.date:
    if not raw:
        return selectors.current_week()
    try:
        return selectors.parse_week(raw)
    except ValueError as exc:
        raise _WeekError(str(exc)) from exc


class _WeekError(Exception):
    pass


def _agency(pk: int) -> OrgUnit:
    return get_object_or_404(OrgUnit, pk=pk, is_agency=True)


def _event(request: HttpRequest, pk: int) -> Event:
    user = _official(request)
    events = Event.objects.select_related("agency", "room__agency", "chair", "preparing_unit")
    return get_visible_or_404(events, user, pk=pk)


def _bind(payload: EventIn, agency: OrgUnit) -> EventForm:
    data = payload.dict(exclude={"confirm", "agency"})
    return EventForm(data={k: v for k, v in data.items() if v is not None}, agency=None)


# --- Rooms ------------------------------------------------------------------------------------


@router.get("/rooms", response={200: list[RoomOut]})
def list_rooms(request: HttpRequest, agency: int | None = None) -> Any:
    """Rooms of every agency (or of one), active ones first."""
    user = _official(request)
    rooms = Room.objects.visible_to(user).select_related("agency")
    if agency is not None:
        rooms = rooms.filter(agency_id=agency)
    return [room_out(r) for r in rooms.order_by("-is_active", "agency__path", "name")]


@router.post("/rooms", response={201: RoomOut, 403: dict, 404: dict, 422: dict})
def add_room(request: HttpRequest, payload: RoomIn) -> Any:
    """Add a room to an agency (its office)."""
    user = _official(request)
    try:
        room = services.create_room(
            agency=_agency(payload.agency),
            name=payload.name,
            kind=payload.kind,
            capacity=payload.capacity,
            location=payload.location,
            video_link=payload.video_link,
            by=user,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, room_out(room))


@router.patch("/rooms/{room_id}", response={200: RoomOut, 403: dict, 404: dict, 422: dict})
def change_room(request: HttpRequest, room_id: int, payload: RoomPatch) -> Any:
    """Change a room (its agency's office)."""
    user = _official(request)
    room = get_object_or_404(Room.objects.select_related("agency"), pk=room_id)
    try:
        services.update_room(room, by=user, **payload.dict(exclude_unset=True))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)
    return room_out(room)


# --- Events -----------------------------------------------------------------------------------


@router.get("/events", response={200: list[EventOut], 404: dict, 422: dict})
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> Any:
    """The events of a week the caller may see, narrowed by agency, leader, unit, state."""
    user = _official(request)
    try:
        monday = _week(filters.week)
    except _WeekError as exc:
        return Status(422, {"detail": str(exc), "errors": {"week": [str(exc)]}})
    if filters.state and filters.state not in EventState.values:
        message = _("Trạng thái không hợp lệ.")
        return Status(422, {"detail": message, "errors": {"state": [message]}})
    if filters.leader is not None:
        leader = get_object_or_404(User, pk=filters.leader, kind=User.Kind.OFFICIAL)
        events = selectors.leader_week(leader, monday, user)
    elif filters.unit is not None:
        events = selectors.unit_week(get_object_or_404(OrgUnit, pk=filters.unit), monday, user)
    else:
        events = selectors.in_week(user, monday)
    if filters.agency is not None:
        events = events.filter(agency_id=filters.agency)
    if filters.state:
        events = events.filter(state=filters.state)
    if filters.published_only:
        events = events.on_schedule()
    return [event_out(e) for e in events]


@router.post(
    "/events", response={201: EventOut, 403: dict, 404: dict, 409: ConflictsOut, 422: dict}
)
def add_event(request: HttpRequest, payload: NewEventIn) -> Any:
    """Draft an event on an agency's calendar."""
    user = _official(request)
    agency = _agency(payload.agency)
    form = _bind(payload, agency)
    if not form.is_valid():
        return _form_invalid(form)
    try:
        event = services.create_event(
            agency=agency, data=form.to_data(), by=user, confirm=payload.confirm
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)
    except services.ConflictError as exc:
        return _conflicts(exc)
    return Status(201, event_out(event))


@router.post("/events/check", response={200: ConflictsOut, 422: dict})
def check_event(request: HttpRequest, payload: EventIn) -> Any:
    """The conflicts an event would have (nothing is saved). Send `id` of… none: new event."""
    _official(request)
    form = EventForm(
        data={k: v for k, v in payload.dict(exclude={"confirm"}).items() if v is not None}
    )
    if not form.is_valid():
        return _form_invalid(form)
    data = form.to_data()
    if data.ends_at <= data.starts_at:
        message = _("Thời gian kết thúc phải sau thời gian bắt đầu.")
        return Status(422, {"detail": message, "errors": {"ends_at": [message]}})
    conflicts = services.find_conflicts(
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        room=data.room,
        people=([data.chair] if data.chair else []) + data.participants,
    )
    rooms = any(c.kind == "room" for c in conflicts)
    return {
        "detail": _("Có %(n)d trùng lịch.") % {"n": len(conflicts)}
        if conflicts
        else _("Không có trùng lịch."),
        "needs_confirmation": bool(conflicts) and not rooms,
        "conflicts": [c.as_dict() for c in conflicts],
    }


@router.get("/events/{event_id}", response={200: EventOut, 404: dict})
def get_event(request: HttpRequest, event_id: int) -> Any:
    """One event."""
    return event_out(_event(request, event_id))


@router.put(
    "/events/{event_id}",
    response={200: EventOut, 403: dict, 404: dict, 409: dict, 422: dict},
)
def change_event(request: HttpRequest, event_id: int, payload: EventIn) -> Any:
    """Replace an event's fields (SEQUENCE goes up)."""
    user = _official(request)
    event = _event(request, event_id)
    form = _bind(payload, event.agency)
    if not form.is_valid():
        return _form_invalid(form)
    try:
        event = services.update_event(event, data=form.to_data(), by=user, confirm=payload.confirm)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.StateError as exc:
        raise HttpError(409, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)
    except services.ConflictError as exc:
        return _conflicts(exc)
    return event_out(event)


def _act(request: HttpRequest, event_id: int, action: str, **kwargs: Any) -> Any:
    user = _official(request)
    event = _event(request, event_id)
    try:
        event = getattr(services, f"{action}_event")(event, by=user, **kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.StateError as exc:
        raise HttpError(409, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)
    except services.ConflictError as exc:
        return _conflicts(exc)
    return event_out(event)


@router.post("/events/{event_id}/submit", response={200: EventOut, 403: dict, 404: dict, 409: dict})
def submit_event(request: HttpRequest, event_id: int) -> Any:
    """Send a draft to the office for approval."""
    return _act(request, event_id, "submit")


@router.post(
    "/events/{event_id}/publish", response={200: EventOut, 403: dict, 404: dict, 409: dict}
)
def publish_event(request: HttpRequest, event_id: int) -> Any:
    """Approve and publish (the agency's office)."""
    return _act(request, event_id, "publish")


@router.post(
    "/events/{event_id}/cancel",
    response={200: EventOut, 403: dict, 404: dict, 409: dict, 422: dict},
)
def cancel_event(request: HttpRequest, event_id: int, payload: CancelIn) -> Any:
    """Cancel an event, with a reason."""
    return _act(request, event_id, "cancel", reason=payload.reason)


# --- iCalendar --------------------------------------------------------------------------------


def ics_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/events/{event_id}/ics", url_name="calendar_event_ics")
def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    """One event as an iCalendar file."""
    event = _event(request, event_id)
    return ics_response(ics.calendar([event], name=event.title), f"su-kien-{event.pk}.ics")


@router.get("/week.ics", response={200: None, 404: dict, 422: dict}, url_name="week_ics")
def week_ics(request: HttpRequest, filters: Query[IcsFilters]) -> Any:
    """A week of an agency (its published schedule), a leader or a unit, as iCalendar."""
    user = _official(request)
    try:
        monday = _week(filters.week)
    except _WeekError as exc:
        return Status(422, {"detail": str(exc), "errors": {"week": [str(exc)]}})
    label = selectors.week_label(monday)
    if filters.leader is not None:
        leader = get_object_or_404(User, pk=filters.leader, kind=User.Kind.OFFICIAL)
        events = selectors.leader_week(leader, monday, user)
        name = _("Lịch công tác %(who)s, tuần %(week)s") % {"who": leader, "week": label}
    elif filters.unit is not None:
        unit = get_object_or_404(OrgUnit, pk=filters.unit)
        events = selectors.unit_week(unit, monday, user)
        name = _("Lịch công tác %(who)s, tuần %(week)s") % {"who": unit.name, "week": label}
    elif filters.agency is not None:
        agency = _agency(filters.agency)
        events = selectors.agency_week(agency, monday, user)
        name = _("Lịch công tác %(who)s, tuần %(week)s") % {"who": agency.name, "week": label}
    else:
        message = _("Hãy chọn cơ quan, lãnh đạo hoặc đơn vị.")
        return Status(422, {"detail": message, "errors": {"agency": [message]}})
    return ics_response(ics.calendar(events, name=name), f"lich-cong-tac-{label}.ics")
