"""The work-calendar API: status codes, field errors, conflicts, states, scope, iCalendar."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.documents.calendar import services
from lienthong.documents.calendar.models import Event, EventState, Room
from lienthong.documents.calendar.tests.conftest import at
from lienthong.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        login(client, user)
    return client


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _body(agency: OrgUnit, **extra: Any) -> dict[str, Any]:
    return {
        "agency": agency.pk,
        "title": "Họp giao ban",
        "starts_at": "2026-11-23T08:00:00+07:00",
        "ends_at": "2026-11-23T10:00:00+07:00",
        **extra,
    }


def test_needs_a_session_and_an_official(agency: OrgUnit, citizen: User) -> None:
    assert Client().get("/api/calendar/events").status_code == 401
    assert _client(citizen).get("/api/calendar/events").status_code == 403
    assert _post(_client(citizen), "/api/calendar/events", _body(agency)).status_code == 403
    assert Event.objects.count() == 0


def test_create_event_then_publish(
    agency: OrgUnit, specialist: User, clerk: User, leader: User, room: Room, division: OrgUnit
) -> None:
    # when a specialist posts a draft with the room and people by id
    response = _post(
        _client(specialist),
        "/api/calendar/events",
        _body(
            agency,
            room=room.pk,
            chair=leader.pk,
            participant_units=[division.pk],
            guests="Sở Nội vụ",
        ),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["state"], data["place"], data["chair"]["name"], data["guests"]) == (
        "draft",
        "Phòng họp số 1, Tầng 2",
        "Lê Minh Cường",
        ["Sở Nội vụ"],
    )
    assert datetime.datetime.fromisoformat(data["starts_at"]) == at(0, 8)
    event_id = data["id"]
    # the specialist may not publish; the clerk may
    refused = _client(specialist).post(f"/api/calendar/events/{event_id}/publish")
    assert refused.status_code == 403
    published = _client(clerk).post(f"/api/calendar/events/{event_id}/publish")
    assert published.status_code == 200
    assert (published.json()["state"], published.json()["sequence"]) == ("published", 1)
    again = _client(clerk).post(f"/api/calendar/events/{event_id}/publish")
    assert again.status_code == 409
    assert OutboxEvent.objects.filter(type="calendar.event_published").count() == 1


def test_bad_input_is_422_with_field_errors_and_writes_nothing(
    agency: OrgUnit, specialist: User, citizen: User
) -> None:
    client = _client(specialist)
    missing = _post(client, "/api/calendar/events", {"agency": agency.pk, "title": "x"})
    assert missing.status_code == 422
    bad_ids = _post(client, "/api/calendar/events", _body(agency, room=999999, chair=citizen.pk))
    assert bad_ids.status_code == 422
    assert set(bad_ids.json()["errors"]) == {"room", "chair"}
    backwards = _post(
        client,
        "/api/calendar/events",
        _body(agency, title="", ends_at="2026-11-23T07:00:00+07:00"),
    )
    assert backwards.status_code == 422
    assert set(backwards.json()["errors"]) == {"title"}  # the form stops at the empty title
    backwards = _post(client, "/api/calendar/events", _body(agency, ends_at="2026-11-23T07:00"))
    assert backwards.status_code == 422
    assert set(backwards.json()["errors"]) == {"ends_at"}
    assert Event.objects.count() == 0


def test_conflicts_answer_409_and_confirm_saves_only_person_conflicts(
    agency: OrgUnit, specialist: User, leader: User, room: Room, video_room: Room
) -> None:
    client = _client(specialist)
    first = _post(client, "/api/calendar/events", _body(agency, room=room.pk, chair=leader.pk))
    assert first.status_code == 201
    room_clash = _post(
        client, "/api/calendar/events", _body(agency, room=room.pk, title="B", confirm=True)
    )
    assert room_clash.status_code == 409
    assert room_clash.json()["needs_confirmation"] is False
    assert [c["kind"] for c in room_clash.json()["conflicts"]] == ["room"]
    person_clash = _post(
        client, "/api/calendar/events", _body(agency, room=video_room.pk, chair=leader.pk)
    )
    assert person_clash.status_code == 409
    body = person_clash.json()
    assert body["needs_confirmation"] is True
    assert [(c["kind"], c["event_id"], c["person_id"]) for c in body["conflicts"]] == [
        ("person", first.json()["id"], leader.pk)
    ]
    assert Event.objects.count() == 1
    # the check endpoint says the same without saving
    check = _post(client, "/api/calendar/events/check", _body(agency, chair=leader.pk))
    assert check.status_code == 200
    assert [c["kind"] for c in check.json()["conflicts"]] == ["person"]
    confirmed = _post(
        client,
        "/api/calendar/events",
        _body(agency, room=video_room.pk, chair=leader.pk, confirm=True),
    )
    assert confirmed.status_code == 201
    assert Event.objects.count() == 2


def test_events_of_other_scopes_are_404(
    make_event: Callable[..., Event], outsider: User, clerk: User
) -> None:
    draft = make_event()
    client = _client(outsider)
    assert client.get(f"/api/calendar/events/{draft.pk}").status_code == 404
    assert (
        client.post(f"/api/calendar/events/{draft.pk}/cancel", "{}", "application/json").status_code
        == 404
    )
    assert client.get(f"/api/calendar/events/{draft.pk}/ics").status_code == 404
    services.publish_event(draft, by=clerk)
    # once published it is on the staff-wide schedule, but still not theirs to change
    assert client.get(f"/api/calendar/events/{draft.pk}").status_code == 200
    assert (
        client.post(f"/api/calendar/events/{draft.pk}/cancel", "{}", "application/json").status_code
        == 403
    )
    draft.refresh_from_db()
    assert draft.state == EventState.PUBLISHED


def test_update_and_cancel(make_event: Callable[..., Event], specialist: User, clerk: User) -> None:
    event = make_event()
    client = _client(specialist)
    changed = client.put(
        f"/api/calendar/events/{event.pk}",
        json.dumps(
            {
                "title": "Họp giao ban (dời)",
                "starts_at": "2026-11-23T09:00",
                "ends_at": "2026-11-23T10:00",
            }
        ),
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["sequence"]) == ("Họp giao ban (dời)", 1)
    # a time without a zone is Vietnam time
    assert datetime.datetime.fromisoformat(changed.json()["starts_at"]) == at(0, 9)
    cancelled = _post(client, f"/api/calendar/events/{event.pk}/cancel", {"reason": "Hoãn"})
    assert cancelled.status_code == 200
    assert (cancelled.json()["state"], cancelled.json()["cancel_reason"]) == ("cancelled", "Hoãn")
    again = _post(client, f"/api/calendar/events/{event.pk}/cancel", {})
    assert again.status_code == 409


def test_week_listing_and_filters(
    make_event: Callable[..., Event], specialist: User, clerk: User, leader: User, agency: OrgUnit
) -> None:
    chaired = make_event("Chủ trì", at(0, 8), chair=leader)
    other = make_event("Khác", at(2, 14))
    services.publish_event(other, by=clerk)
    make_event("Tuần sau", at(7, 8))
    client = _client(specialist)
    week = client.get("/api/calendar/events", {"week": "2026-W48"})
    assert [e["title"] for e in week.json()] == ["Chủ trì", "Khác"]
    by_leader = client.get("/api/calendar/events", {"week": "2026-W48", "leader": str(leader.pk)})
    assert [e["id"] for e in by_leader.json()] == [chaired.pk]
    published = client.get("/api/calendar/events", {"week": "2026-W48", "published_only": "true"})
    assert [e["id"] for e in published.json()] == [other.pk]
    bad = client.get("/api/calendar/events", {"week": "2026-W54"})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"week"}
    assert client.get("/api/calendar/events", {"state": "nope"}).status_code == 422


def test_week_ics_of_an_agency_holds_its_published_events(
    make_event: Callable[..., Event], specialist: User, clerk: User, agency: OrgUnit
) -> None:
    published = make_event("Công bố", at(0, 8))
    services.publish_event(published, by=clerk)
    make_event("Dự thảo", at(0, 14))
    response = _client(specialist).get(
        "/api/calendar/week.ics", {"agency": str(agency.pk), "week": "2026-W48"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert [str(v["SUMMARY"]) for v in cal.walk("VEVENT")] == ["Công bố"]
    assert _client(specialist).get("/api/calendar/week.ics").status_code == 422


def test_rooms_api(agency: OrgUnit, clerk: User, specialist: User) -> None:
    created = _post(
        _client(clerk),
        "/api/calendar/rooms",
        {"agency": agency.pk, "name": "Phòng trực tuyến", "kind": "video", "video_link": "vc-01"},
    )
    assert created.status_code == 201
    room_id = created.json()["id"]
    refused = _post(_client(specialist), "/api/calendar/rooms", {"agency": agency.pk, "name": "X"})
    assert refused.status_code == 403
    invalid = _post(
        _client(clerk), "/api/calendar/rooms", {"agency": agency.pk, "name": "Y", "kind": "video"}
    )
    assert invalid.status_code == 422 and set(invalid.json()["errors"]) == {"video_link"}
    patched = _client(clerk).patch(
        f"/api/calendar/rooms/{room_id}", json.dumps({"capacity": 12}), "application/json"
    )
    assert (patched.status_code, patched.json()["capacity"]) == (200, 12)
    listed = _client(specialist).get("/api/calendar/rooms", {"agency": agency.pk})
    assert [r["name"] for r in listed.json()] == ["Phòng trực tuyến"]
    assert Room.objects.count() == 1


def test_openapi_and_catalogue_know_the_calendar() -> None:
    from lienthong.exchange.clients import catalogue

    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/calendar/events" in paths and "/api/calendar/week.ics" in paths
    declared = catalogue.declared_events()
    assert {name for name in declared if name.startswith("calendar.")} == {
        "calendar.event_published",
        "calendar.event_updated",
        "calendar.event_cancelled",
    }
