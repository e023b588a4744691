"""Services of the work calendar: rooms, events, conflicts, approval and publication."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit
from lienthong.documents.calendar import services
from lienthong.documents.calendar.models import Event, EventState, Room
from lienthong.documents.calendar.tests.conftest import at
from lienthong.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Event.objects.count(),
        Room.objects.count(),
        AuditEntry.objects.filter(action__startswith="calendar.").count(),
        OutboxEvent.objects.filter(type__startswith="calendar.").count(),
    )


# --- Rooms ------------------------------------------------------------------------------------


def test_office_adds_a_video_room(agency: OrgUnit, clerk: User) -> None:
    # when the clerk adds a video-conference room
    room = services.create_room(
        agency=agency,
        name="  Điểm cầu trực tuyến  ",
        kind=Room.Kind.VIDEO,
        capacity=15,
        video_link="https://hop.example.vn/a",
        by=clerk,
    )
    # then it is stored, trimmed, and audited
    assert (room.name, room.kind, room.capacity, room.agency_id) == (
        "Điểm cầu trực tuyến",
        "video",
        15,
        agency.pk,
    )
    entry = AuditEntry.objects.get(action="calendar.room.create")
    assert (entry.actor_id, entry.object_id) == (clerk.pk, str(room.pk))


def test_drafter_may_not_add_rooms_and_bad_rooms_are_refused(
    agency: OrgUnit, specialist: User, clerk: User, room: Room
) -> None:
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.create_room(agency=agency, name="Phòng 2", by=specialist)
    with pytest.raises(ValidationError) as video:
        services.create_room(agency=agency, name="Trực tuyến", kind="video", by=clerk)
    assert set(video.value.message_dict) == {"video_link"}
    with pytest.raises(ValidationError) as duplicate:
        services.create_room(agency=agency, name="phòng họp số 1", by=clerk)
    assert set(duplicate.value.message_dict) == {"name"}
    # then nothing was written
    assert _counts() == before


def test_update_room_checks_fields(room: Room, clerk: User, specialist: User) -> None:
    services.update_room(room, capacity=50, is_active=False, by=clerk)
    room.refresh_from_db()
    assert (room.capacity, room.is_active) == (50, False)
    with pytest.raises(ValidationError) as unknown:
        services.update_room(room, agency_id=1, by=clerk)
    assert set(unknown.value.message_dict) == {"agency_id"}
    with pytest.raises(PermissionDenied):
        services.update_room(room, capacity=1, by=specialist)
    room.refresh_from_db()
    assert room.capacity == 50


# --- Drafting ---------------------------------------------------------------------------------


def test_specialist_drafts_an_event(
    make_event: Callable[..., Event],
    specialist: User,
    leader: User,
    deputy: User,
    division: OrgUnit,
    room: Room,
) -> None:
    # when a specialist drafts a meeting chaired by the leader
    event = make_event(
        "Họp triển khai kế hoạch",
        at(1, 8),
        at(1, 10),
        room=room,
        chair=leader,
        participants=[deputy, leader],
        participant_units=[division],
        guests="Đại diện Sở Nội vụ\n\n  Báo Bình Dương ",
        preparing_unit=division,
    )
    # then it is a draft with its people, the chair not repeated as participant
    event.refresh_from_db()
    assert event.state == EventState.DRAFT
    assert event.sequence == 0
    assert event.created_by_id == specialist.pk
    assert list(event.participants.values_list("username", flat=True)) == ["phogiamdoc"]
    assert list(event.participant_units.all()) == [division]
    assert event.guest_list == ["Đại diện Sở Nội vụ", "Báo Bình Dương"]
    assert event.place == "Phòng họp số 1, Tầng 2"
    entry = AuditEntry.objects.get(action="calendar.event.create")
    assert entry.after is not None and entry.after["participants"] == [deputy.pk]
    # and no event is announced before publication
    assert not OutboxEvent.objects.filter(type__startswith="calendar.").exists()


@pytest.mark.parametrize("who", ["outsider", "citizen"])
def test_outsiders_may_not_draft(
    make_event: Callable[..., Event], who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    before = _counts()
    with pytest.raises(PermissionDenied):
        make_event(by=user)
    assert _counts() == before


def test_bad_input_is_refused_field_by_field(
    make_event: Callable[..., Event], agency: OrgUnit, clerk: User, citizen: User
) -> None:
    other_room = services.create_room(
        agency=make_org_unit("Sở khác"), name="Phòng khác", by=_superuser()
    )
    outside_unit = make_org_unit("Đơn vị ngoài", is_agency=False)
    before = _counts()
    with pytest.raises(ValidationError) as errors:
        make_event(
            "  ",
            at(0, 10),
            at(0, 9),
            room=other_room,
            chair=citizen,
            participants=[citizen],
            preparing_unit=outside_unit,
        )
    assert set(errors.value.message_dict) == {
        "title",
        "ends_at",
        "room",
        "chair",
        "participants",
        "preparing_unit",
    }
    naive = datetime.datetime(2026, 11, 23, 8, 0)
    with pytest.raises(ValidationError) as naive_errors:
        make_event("Họp", naive, naive + datetime.timedelta(hours=1))
    assert set(naive_errors.value.message_dict) == {"starts_at", "ends_at"}
    with pytest.raises(ValidationError) as too_long:
        make_event("Hội nghị", at(0, 8), at(0, 8) + datetime.timedelta(days=32))
    assert set(too_long.value.message_dict) == {"ends_at"}
    assert _counts() == before


def _superuser() -> User:
    return User.objects.create_superuser("root", password="mật-khẩu-rất-dài-12", kind="official")


# --- Conflicts --------------------------------------------------------------------------------


def test_room_conflict_is_refused_even_when_confirmed(
    make_event: Callable[..., Event], room: Room, video_room: Room
) -> None:
    first = make_event("Họp A", at(0, 8), at(0, 10), room=room)
    before = _counts()
    # when another event wants the same room for an overlapping time
    with pytest.raises(services.RoomConflict) as refused:
        make_event("Họp B", at(0, 9, 30), at(0, 11), room=room, confirm=True)
    # then it is refused, naming the event that holds the room
    assert [(c.kind, c.event.pk) for c in refused.value.conflicts] == [("room", first.pk)]
    assert "Phòng họp số 1" in refused.value.conflicts[0].message
    assert _counts() == before
    # but back-to-back, or another room, is fine
    make_event("Họp C", at(0, 10), at(0, 11), room=room)
    make_event("Họp D", at(0, 9), at(0, 10), room=video_room)
    assert Event.objects.count() == 3


def test_cancelled_events_free_the_room(
    make_event: Callable[..., Event], room: Room, clerk: User
) -> None:
    first = make_event("Họp A", at(0, 8), at(0, 10), room=room)
    services.cancel_event(first, by=clerk, reason="Lãnh đạo đi công tác")
    second = make_event("Họp B", at(0, 8), at(0, 10), room=room)
    assert second.room_id == room.pk


def test_person_conflict_needs_confirmation(
    make_event: Callable[..., Event], leader: User, deputy: User
) -> None:
    first = make_event("Tiếp công dân", at(2, 8), at(2, 11), chair=leader)
    second = make_event("Họp chi bộ", at(2, 14), at(2, 16), participants=[deputy])
    before = _counts()
    # when the leader is put in a meeting at 10:00 with the deputy at 15:00
    with pytest.raises(services.PersonConflict) as warned:
        make_event("Họp kéo dài", at(2, 10), at(2, 15), participants=[leader, deputy])
    # then both clashes are reported and nothing is saved
    assert warned.value.needs_confirmation is True
    assert sorted((c.event.pk, c.person.username) for c in warned.value.conflicts if c.person) == [
        (first.pk, "giamdoc"),
        (second.pk, "phogiamdoc"),
    ]
    assert _counts() == before
    # when confirmed, it is saved
    third = make_event(
        "Họp kéo dài", at(2, 10), at(2, 15), participants=[leader, deputy], confirm=True
    )
    assert third.pk is not None and Event.objects.count() == 3


def test_updating_an_event_does_not_conflict_with_itself(
    make_event: Callable[..., Event], room: Room, leader: User, specialist: User
) -> None:
    event = make_event("Họp A", at(0, 8), at(0, 10), room=room, chair=leader)
    data = services.EventData(
        title="Họp A (dời giờ)", starts_at=at(0, 9), ends_at=at(0, 11), room=room, chair=leader
    )
    updated = services.update_event(event, data=data, by=specialist)
    assert (updated.title, updated.sequence, updated.starts_at) == ("Họp A (dời giờ)", 1, at(0, 9))


# --- Approval and publication -----------------------------------------------------------------


def test_submit_then_publish_announces_the_event(
    make_event: Callable[..., Event], specialist: User, clerk: User, room: Room
) -> None:
    event = make_event("Họp giao ban tuần", at(0, 8), at(0, 9), room=room)
    services.submit_event(event, by=specialist)
    published = services.publish_event(event, by=clerk)
    assert published.state == EventState.PUBLISHED
    assert published.published_by_id == clerk.pk
    assert published.published_at is not None
    assert published.sequence == 1
    (outbox,) = OutboxEvent.objects.filter(type__startswith="calendar.")
    assert (outbox.type, outbox.subject) == ("calendar.event_published", str(event.uid))
    assert outbox.data["title"] == "Họp giao ban tuần"
    assert outbox.data["state"] == "published"
    assert list(
        AuditEntry.objects.filter(action__startswith="calendar.event.")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["calendar.event.create", "calendar.event.submit", "calendar.event.publish"]


def test_only_the_office_publishes(
    make_event: Callable[..., Event], specialist: User, outsider: User
) -> None:
    event = make_event()
    before = _counts()
    for user in (specialist, outsider):
        with pytest.raises(PermissionDenied):
            services.publish_event(event, by=user)
    event.refresh_from_db()
    assert (event.state, event.published_at) == (EventState.DRAFT, None)
    assert _counts() == before


def test_state_rules(make_event: Callable[..., Event], specialist: User, clerk: User) -> None:
    event = make_event()
    services.submit_event(event, by=specialist)
    with pytest.raises(services.StateError):
        services.submit_event(event, by=specialist)
    services.publish_event(event, by=clerk)
    with pytest.raises(services.StateError):
        services.publish_event(event, by=clerk)
    # a drafter may no longer change or cancel a published event
    with pytest.raises(PermissionDenied):
        services.cancel_event(event, by=specialist)
    services.cancel_event(event, by=clerk, reason="Hoãn")
    with pytest.raises(services.StateError):
        services.cancel_event(event, by=clerk)
    data = services.EventData(title="Sửa", starts_at=at(0, 8), ends_at=at(0, 9))
    with pytest.raises(services.StateError):
        services.update_event(event, data=data, by=clerk)
    event.refresh_from_db()
    assert (event.state, event.title, event.cancel_reason) == ("cancelled", "Họp giao ban", "Hoãn")


def test_changes_to_a_published_event_raise_sequence_and_are_announced(
    make_event: Callable[..., Event], clerk: User, specialist: User, leader: User
) -> None:
    event = make_event()
    services.publish_event(event, by=clerk)
    data = services.EventData(title="Họp giao ban", starts_at=at(0, 14), ends_at=at(0, 16))
    with pytest.raises(PermissionDenied):
        services.update_event(event, data=data, by=specialist)
    updated = services.update_event(event, data=data, by=leader)
    cancelled = services.cancel_event(updated, by=clerk)
    assert (updated.sequence, cancelled.sequence) == (2, 3)
    assert list(
        OutboxEvent.objects.filter(type__startswith="calendar.")
        .order_by("pk")
        .values_list("type", flat=True)
    ) == ["calendar.event_published", "calendar.event_updated", "calendar.event_cancelled"]


# --- Visibility -------------------------------------------------------------------------------


def test_visibility(
    make_event: Callable[..., Event],
    clerk: User,
    specialist: User,
    leader: User,
    outsider: User,
    citizen: User,
) -> None:
    draft = make_event("Dự thảo", at(0, 8))
    published = make_event("Công bố", at(0, 14))
    services.publish_event(published, by=clerk)
    invited = make_event("Mời người ngoài", at(1, 8), participants=[outsider])

    def seen(user: User) -> list[str]:
        return list(
            Event.objects.visible_to(user).order_by("starts_at").values_list("title", flat=True)
        )

    assert seen(specialist) == ["Dự thảo", "Công bố", "Mời người ngoài"]
    assert seen(leader) == ["Dự thảo", "Công bố", "Mời người ngoài"]
    # an official of another agency sees the published schedule and what they are invited to
    assert seen(outsider) == ["Công bố", "Mời người ngoài"]
    assert seen(citizen) == []
    assert draft.pk and invited.pk
