"""Pages of the work calendar: the published week, person and unit weeks, forms, actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.documents.calendar import services
from lienthong.documents.calendar.models import Event, EventState, Room
from lienthong.documents.calendar.tests.conftest import at

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    login(client, user)
    return client


def test_anonymous_and_citizens_are_kept_out(agency: OrgUnit, citizen: User) -> None:
    url = f"/lich-cong-tac/co-quan/{agency.pk}/"
    assert Client().get(url).status_code == 302
    assert _client(citizen).get(url).status_code == 403


def test_index_goes_to_the_officials_agency(agency: OrgUnit, specialist: User) -> None:
    response = _client(specialist).get("/lich-cong-tac/")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/lich-cong-tac/co-quan/{agency.pk}/",
    )


def test_published_week_shows_published_and_cancelled_but_not_drafts(
    make_event: Callable[..., Event],
    agency: OrgUnit,
    clerk: User,
    leader: User,
    outsider: User,
    room: Room,
) -> None:
    published = make_event("Họp giao ban", at(0, 8), room=room, chair=leader)
    afternoon = make_event("Tiếp công dân", at(3, 14))
    make_event("Dự thảo chưa duyệt", at(1, 8))
    services.publish_event(published, by=clerk)
    services.publish_event(afternoon, by=clerk)
    services.cancel_event(afternoon, by=clerk, reason="Hoãn")
    # when an official of another agency opens the published week
    response = _client(outsider).get(f"/lich-cong-tac/co-quan/{agency.pk}/", {"week": "2026-W48"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tuần 2026-W48, từ 23/11/2026 đến 29/11/2026" in html
    assert "Họp giao ban" in html and "Lê Minh Cường" in html and "Phòng họp số 1" in html
    assert "Dự thảo chưa duyệt" not in html
    assert f'lt-event lt-cancelled" id="event-{afternoon.pk}"' in html
    assert "?week=2026-W47" in html and "?week=2026-W49" in html
    assert f"/api/calendar/week.ics?agency={agency.pk}&amp;week=2026-W48" in html
    # and a bad week is a 422 with the message, showing this week instead
    bad = _client(outsider).get(f"/lich-cong-tac/co-quan/{agency.pk}/", {"week": "abc"})
    assert bad.status_code == 422
    assert "Tuần phải có dạng 2026-W48." in bad.content.decode()


def test_person_and_unit_weeks(
    make_event: Callable[..., Event], specialist: User, leader: User, division: OrgUnit
) -> None:
    make_event("Chủ trì họp", at(0, 8), chair=leader)
    make_event("Phòng chuẩn bị", at(1, 8), preparing_unit=division)
    client = _client(specialist)
    person = client.get(f"/lich-cong-tac/ca-nhan/{leader.pk}/", {"week": "2026-W48"})
    assert "Chủ trì họp" in person.content.decode()
    assert "Phòng chuẩn bị" not in person.content.decode()
    unit = client.get(f"/lich-cong-tac/don-vi/{division.pk}/", {"week": "2026-W48"})
    assert "Phòng chuẩn bị" in unit.content.decode()
    assert "Chủ trì họp" not in unit.content.decode()


def test_create_with_person_conflict_then_confirm(
    agency: OrgUnit, specialist: User, leader: User, make_event: Callable[..., Event]
) -> None:
    make_event("Tiếp công dân", at(0, 8), chair=leader)
    client = _client(specialist)
    form = {
        "agency": agency.pk,
        "title": "Họp mới",
        "starts_at": "2026-11-23T09:00",
        "ends_at": "2026-11-23T10:00",
        "chair": leader.pk,
    }
    warned = client.post("/lich-cong-tac/su-kien/moi/", form)
    assert warned.status_code == 409
    assert "Lê Minh Cường đã có lịch “Tiếp công dân”" in warned.content.decode()
    assert Event.objects.count() == 1
    saved = client.post("/lich-cong-tac/su-kien/moi/", {**form, "confirm": "on"})
    assert saved.status_code == 302
    event = Event.objects.get(title="Họp mới")
    assert saved["Location"] == f"/lich-cong-tac/su-kien/{event.pk}/"


def test_form_errors_are_422(agency: OrgUnit, specialist: User) -> None:
    response = _client(specialist).post(
        "/lich-cong-tac/su-kien/moi/",
        {
            "agency": agency.pk,
            "title": "Họp",
            "starts_at": "2026-11-23T10:00",
            "ends_at": "2026-11-23T09:00",
        },
    )
    assert response.status_code == 422
    assert "Thời gian kết thúc phải sau thời gian bắt đầu." in response.content.decode()
    assert Event.objects.count() == 0


def test_outsider_may_not_draft_for_the_agency(agency: OrgUnit, outsider: User) -> None:
    response = _client(outsider).get("/lich-cong-tac/su-kien/moi/", {"agency": agency.pk})
    assert response.status_code == 403


def test_detail_actions_submit_publish_cancel(
    make_event: Callable[..., Event], specialist: User, clerk: User
) -> None:
    event = make_event()
    page = _client(specialist).get(f"/lich-cong-tac/su-kien/{event.pk}/")
    assert "Trình duyệt" in page.content.decode()
    assert "Duyệt và công bố" not in page.content.decode()
    _client(specialist).post(f"/lich-cong-tac/su-kien/{event.pk}/trinh/")
    # a drafter pressing "publish" by hand is refused
    assert (
        _client(specialist).post(f"/lich-cong-tac/su-kien/{event.pk}/cong-bo/").status_code == 403
    )
    event.refresh_from_db()
    assert event.state == EventState.SUBMITTED
    assert (
        "Duyệt và công bố"
        in _client(clerk).get(f"/lich-cong-tac/su-kien/{event.pk}/").content.decode()
    )
    _client(clerk).post(f"/lich-cong-tac/su-kien/{event.pk}/cong-bo/")
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED
    _client(clerk).post(f"/lich-cong-tac/su-kien/{event.pk}/huy/", {"reason": "Hoãn"})
    event.refresh_from_db()
    assert (event.state, event.cancel_reason) == (EventState.CANCELLED, "Hoãn")


def test_edit_page(make_event: Callable[..., Event], specialist: User, outsider: User) -> None:
    event = make_event()
    form = _client(specialist).get(f"/lich-cong-tac/su-kien/{event.pk}/sua/")
    assert form.status_code == 200 and 'value="Họp giao ban"' in form.content.decode()
    saved = _client(specialist).post(
        f"/lich-cong-tac/su-kien/{event.pk}/sua/",
        {
            "title": "Họp giao ban tuần",
            "starts_at": "2026-11-23T08:00",
            "ends_at": "2026-11-23T09:00",
        },
    )
    assert saved.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.sequence) == ("Họp giao ban tuần", 1)
    assert _client(outsider).get(f"/lich-cong-tac/su-kien/{event.pk}/sua/").status_code == 404


def test_rooms_page(agency: OrgUnit, clerk: User, specialist: User) -> None:
    added = _client(clerk).post(
        "/lich-cong-tac/phong-hop/",
        {"agency": agency.pk, "name": "Phòng họp A", "kind": "meeting", "capacity": 20},
    )
    assert added.status_code == 302
    page = _client(specialist).get("/lich-cong-tac/phong-hop/", {"agency": agency.pk})
    assert "Phòng họp A" in page.content.decode()
    assert 'id="room-form"' not in page.content.decode()
    refused = _client(specialist).post(
        "/lich-cong-tac/phong-hop/",
        {"agency": agency.pk, "name": "B", "kind": "meeting", "capacity": 1},
    )
    assert refused.status_code == 403
    assert list(Room.objects.values_list("name", flat=True)) == ["Phòng họp A"]


def test_manage_lists_drafts_with_few_queries(
    make_event: Callable[..., Event],
    specialist: User,
    leader: User,
    division: OrgUnit,
    django_assert_max_num_queries: Any,
) -> None:
    for hour in range(8, 16):
        make_event(
            f"Họp {hour}",
            at(0, hour),
            at(0, hour, 45),
            chair=leader,
            participant_units=[division],
            confirm=True,
        )
    client = _client(specialist)
    with django_assert_max_num_queries(12):
        response = client.get("/lich-cong-tac/quan-ly/", {"week": "2026-W48"})
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="row-') == 8


def test_page_offers_the_agencys_officials_and_keeps_invited_outsiders(
    make_event: Callable[..., Event], specialist: User, leader: User, outsider: User
) -> None:
    new_form = _client(specialist).get("/lich-cong-tac/su-kien/moi/").content.decode()
    assert f'<option value="{leader.pk}">Lê Minh Cường</option>' in new_form
    assert "nguoingoai" not in new_form
    # an event that already invites an official of another agency can still be edited
    event = make_event(participants=[outsider])
    saved = _client(specialist).post(
        f"/lich-cong-tac/su-kien/{event.pk}/sua/",
        {
            "title": "Họp liên ngành",
            "starts_at": "2026-11-23T08:00",
            "ends_at": "2026-11-23T09:00",
            "participants": [outsider.pk, leader.pk],
        },
    )
    assert saved.status_code == 302
    assert sorted(event.participants.values_list("username", flat=True)) == [
        "giamdoc",
        "nguoingoai",
    ]
    # but nobody else from outside can be slipped in through the page
    event2 = make_event("Khác", at(1, 8))
    stranger = User.objects.create_user("nguoila", kind="official")
    refused = _client(specialist).post(
        f"/lich-cong-tac/su-kien/{event2.pk}/sua/",
        {
            "title": "Khác",
            "starts_at": "2026-11-24T08:00",
            "ends_at": "2026-11-24T09:00",
            "participants": [stranger.pk],
        },
    )
    assert refused.status_code == 422
    assert not event2.participants.exists()
