"""The API under /api/complaints/: filing, transitions, errors (422, 403, 404, 409), stats,
receptions, inspections and the public lookup."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import User
from lienthong.complaints.models import Complaint, Reception, Status
from lienthong.complaints.testing import Team, file_case, make_team
from lienthong.core.testing_permissions import login
from lienthong.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _as(user: User) -> Client:
    client = Client()
    login(client, user)
    return client


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def team() -> Team:
    return make_team()


def _filing(team: Team, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "denunciation",
        "agency": team.agency.code,
        "field": "land",
        "channel": "online",
        "filer_address": "12 Lê Lợi",
        "subject": "Thu tiền trái quy định",
        "content": "Nội dung tố cáo",
        **changes,
    }


def test_a_citizen_files_online_and_reads_their_case(team: Team) -> None:
    client = _as(team.citizen)
    response = _post(client, "/api/complaints/cases", _filing(team))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == Status.RECEIVED
    assert body["filer"]["name"] == "Đỗ Thị Hoa"  # from the account
    assert body["code"].startswith(f"{team.agency.code}-TC-")
    assert client.get(f"/api/complaints/cases/{body['code']}").status_code == 200
    assert [row["code"] for row in client.get("/api/complaints/cases").json()] == [body["code"]]


def test_bad_input_is_a_422_with_field_errors_and_writes_nothing(team: Team) -> None:
    client = _as(team.citizen)
    response = _post(
        client,
        "/api/complaints/cases",
        _filing(team, kind="complaint", field="weather", subject=" ", known_on=None),
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"field", "subject", "known_on"}
    unknown = _post(client, "/api/complaints/cases", _filing(team, agency="000.00.00.X00"))
    assert unknown.status_code == 422
    assert set(unknown.json()["errors"]) == {"agency"}
    schema = _post(client, "/api/complaints/cases", {"kind": "denunciation"})
    assert schema.status_code == 422
    assert Complaint.objects.count() == 0
    assert not OutboxEvent.objects.filter(type__startswith="complaint.").exists()


def test_transitions_answer_403_404_409_as_they_should(team: Team) -> None:
    case = file_case(team)
    url = f"/api/complaints/cases/{case.code}"
    # another agency's leader cannot even see it
    assert _post(_as(make_team().leader), f"{url}/accept", {}).status_code == 404
    # a specialist of the agency sees it but may not accept it
    assert _post(_as(team.other_specialist), f"{url}/accept", {}).status_code == 403
    # the citizen sees their case but does not act on it
    assert _post(_as(team.citizen), f"{url}/accept", {}).status_code == 403
    leader = _as(team.leader)
    accepted = _post(leader, f"{url}/accept", {"complexity": "normal"})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == Status.ACCEPTED
    assert accepted.json()["actions"] == ["assign", "extend"]
    assert _post(leader, f"{url}/accept", {}).status_code == 409
    bad = _post(leader, f"{url}/assign", {"handler": team.clerk.pk})
    assert bad.status_code == 422
    assert "assignee" in bad.json()["errors"]
    assigned = _post(leader, f"{url}/assign", {"handler": team.verifier.pk})
    assert assigned.json()["status"] == Status.VERIFYING
    extended = _post(
        leader,
        f"{url}/extend",
        {"complexity": "complex", "notice_number": "7/TB-TTr", "reason": "Phức tạp"},
    )
    assert extended.status_code == 200, extended.content
    assert [e["notice_number"] for e in extended.json()["extensions"]] == ["7/TB-TTr"]
    reported = _post(_as(team.verifier), f"{url}/report", {"text": "Đúng một phần"})
    assert reported.json()["status"] == Status.REPORTED
    concluded = _post(
        leader,
        f"{url}/conclude",
        {"outcome": "partly", "conclusion": "Tố cáo đúng một phần", "number": "9/KL"},
    )
    assert concluded.json()["status"] == Status.CONCLUDED
    assert concluded.json()["outcome"] == "partly"


def test_the_public_lookup_needs_no_login_and_shows_no_identity(team: Team) -> None:
    case = file_case(team)
    response = Client().get(f"/api/complaints/lookup/{case.code}")
    assert response.status_code == 200
    assert response.json()["status"] == Status.RECEIVED
    assert "Đỗ Thị Hoa" not in response.content.decode()
    assert Client().get("/api/complaints/lookup/KHONG-CO").status_code == 404
    assert Client().get("/api/complaints/cases").status_code == 401


def test_stats_receptions_and_inspections(team: Team) -> None:
    file_case(team)
    leader = _as(team.leader)
    stats = leader.get("/api/complaints/stats", {"start": "2026-03-01", "end": "2026-03-31"})
    assert stats.status_code == 200
    assert stats.json()["total"]["received"] == 1
    assert stats.json()["rows"][0]["label"] == "Tố cáo"
    bad = leader.get(
        "/api/complaints/stats", {"start": "2026-03-31", "end": "2026-03-01", "by": "x"}
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"by", "end"}
    assert (
        _as(team.citizen)
        .get("/api/complaints/stats", {"start": "2026-03-01", "end": "2026-03-31"})
        .status_code
        == 403
    )
    created = _post(
        _as(team.verifier),
        "/api/complaints/receptions",
        {
            "agency": team.agency.code,
            "person_name": "Bà Lý",
            "address": "1 Lê Duẩn",
            "content": "Hỏi",
        },
    )
    assert created.status_code == 200, created.content
    assert [r["person_name"] for r in leader.get("/api/complaints/receptions").json()] == ["Bà Lý"]
    refused = _post(
        _as(team.citizen),
        "/api/complaints/receptions",
        {"agency": team.agency.code, "person_name": "X", "address": "Y", "content": "Z"},
    )
    assert refused.status_code == 403
    assert Reception.objects.count() == 1
    assert leader.get("/api/complaints/inspections").json() == []
