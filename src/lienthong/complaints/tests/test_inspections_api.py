"""Inspection writes through the API (/api/complaints/inspection-plans, /inspections/…) and
`lienthong complaints inspections …`: the whole lifecycle, and the 422 / 409 / 403 / 404
answers that write nothing."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lienthong.accounts.models import User
from lienthong.complaints import inspections
from lienthong.complaints.models import Inspection, InspectionPlan, Recommendation
from lienthong.complaints.testing import Team, make_team
from lienthong.core.models import AuditEntry
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db

API = "/api/complaints"


def _as(user: User) -> Client:
    client = Client()
    login(client, user)
    return client


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(f"{API}{url}", data, content_type="application/json")


@pytest.fixture
def team() -> Team:
    return make_team()


def _decided(team: Team) -> Inspection:
    inspection = inspections.create_inspection(
        agency=team.agency, subject="Thanh tra thu chi", target="Trường A", by=team.leader
    )
    return inspections.decide(
        inspection=inspection,
        decision_number="3/QĐ-TTr",
        decision_date=datetime.date(2026, 3, 2),
        duration_days=30,
        team_leader=team.verifier,
        members=[],
        by=team.leader,
    )


def _audit_count() -> int:
    return AuditEntry.objects.filter(action__startswith="complaints.").count()


def test_the_whole_inspection_lifecycle_through_the_api(team: Team) -> None:
    specialist, leader = _as(team.verifier), _as(team.leader)
    # given a plan written by a specialist of the inspectorate
    plan = _post(
        specialist,
        "/inspection-plans",
        {"agency": team.agency.code, "year": 2026, "title": "Kế hoạch thanh tra năm 2026"},
    )
    assert plan.status_code == 200, plan.content
    assert plan.json()["year"] == 2026
    assert [p["title"] for p in leader.get(f"{API}/inspection-plans").json()] == [
        "Kế hoạch thanh tra năm 2026"
    ]
    # when an inspection is added to it, decided, concluded and followed up
    created = _post(
        specialist,
        "/inspections",
        {
            "agency": team.agency.code,
            "subject": "Thanh tra quản lý đất công",
            "target": "UBND phường An Phú",
            "plan_year": 2026,
        },
    )
    assert created.status_code == 200, created.content
    body = created.json()
    assert (body["status"], body["plan_year"], body["scheduled"]) == ("planned", 2026, True)
    pk = body["id"]
    decided = _post(
        leader,
        f"/inspections/{pk}/decide",
        {
            "decision_number": "15/QĐ-TTr",
            "decision_date": "2026-03-02",
            "duration_days": 45,
            "team_leader": team.verifier.pk,
            "members": [team.other_specialist.pk],
        },
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "decided"
    assert decided.json()["team_leader"] == team.verifier.pk
    assert decided.json()["team"] == sorted([team.verifier.pk, team.other_specialist.pk])
    concluded = _post(
        leader,
        f"/inspections/{pk}/conclude",
        {
            "conclusion": "Có sai phạm trong cho thuê đất công.",
            "number": "20/KL-TTr",
            "concluded_on": "2026-04-20",
            "recommendations": [
                {
                    "text": "Thu hồi 120 triệu đồng",
                    "responsible": "UBND phường An Phú",
                    "due_date": "2026-06-30",
                    "amount_recovered": 120000000,
                },
                {"text": "Kiểm điểm cán bộ địa chính", "responsible": "UBND phường An Phú"},
            ],
        },
    )
    assert concluded.status_code == 200, concluded.content
    out = concluded.json()
    assert (out["status"], out["conclusion_number"], out["concluded_on"]) == (
        "concluded",
        "20/KL-TTr",
        "2026-04-20",
    )
    first, second = (item["id"] for item in out["recommendations"])
    assert out["recommendations"][0]["amount_recovered"] == 120_000_000
    url = f"/inspections/{pk}/recommendations"
    step = _post(specialist, f"{url}/{first}/follow-up", {"status": "done", "note": "Đã nộp"})
    assert step.status_code == 200, step.content
    assert step.json()["status"] == "concluded"
    _post(specialist, f"{url}/{second}/follow-up", {"status": "in_progress", "note": "Đang làm"})
    last = _post(
        specialist,
        f"{url}/{second}/follow-up",
        {"status": "done", "note": "Đã kỷ luật", "done_on": "2026-05-10"},
    )
    # then the inspection closes when every recommendation is done
    assert last.status_code == 200, last.content
    assert last.json()["status"] == "closed"
    assert last.json()["recommendations"][1]["done_on"] == "2026-05-10"
    assert "Đang làm" in last.json()["recommendations"][1]["follow_up"]
    assert leader.get(f"{API}/inspections/{pk}").json() == last.json()
    assert [row["id"] for row in leader.get(f"{API}/inspections?status=closed").json()] == [pk]
    # and a done recommendation is a wrong state
    again = _post(specialist, f"{url}/{second}/follow-up", {"status": "done", "note": "lại"})
    assert again.status_code == 409
    assert again.json()["detail"] == "Kiến nghị này đã thực hiện xong."


def test_bad_plans_and_inspections_are_422_and_write_nothing(team: Team) -> None:
    specialist = _as(team.verifier)
    before = _audit_count()
    bad = _post(
        specialist, "/inspection-plans", {"agency": team.agency.code, "year": 1999, "title": " "}
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"year", "title"}
    unknown = _post(
        specialist, "/inspection-plans", {"agency": "000.00.00.X00", "year": 2026, "title": "K"}
    )
    assert unknown.status_code == 422
    assert set(unknown.json()["errors"]) == {"agency"}
    no_plan = _post(
        specialist,
        "/inspections",
        {"agency": team.agency.code, "subject": "S", "target": "T", "plan_year": 2026},
    )
    assert no_plan.status_code == 422
    assert set(no_plan.json()["errors"]) == {"plan_year"}
    empty = _post(
        specialist, "/inspections", {"agency": team.agency.code, "subject": " ", "target": ""}
    )
    assert set(empty.json()["errors"]) == {"subject", "target"}
    assert _post(specialist, "/inspections", {"agency": team.agency.code}).status_code == 422
    assert InspectionPlan.objects.count() == 0
    assert Inspection.objects.count() == 0
    assert _audit_count() == before
    # a second plan for the same year
    first = _post(
        specialist, "/inspection-plans", {"agency": team.agency.code, "year": 2026, "title": "K"}
    )
    assert first.status_code == 200
    twice = _post(
        specialist, "/inspection-plans", {"agency": team.agency.code, "year": 2026, "title": "L"}
    )
    assert twice.status_code == 422
    assert set(twice.json()["errors"]) == {"year"}
    assert list(InspectionPlan.objects.values_list("title", flat=True)) == ["K"]


def test_decide_and_conclude_answer_403_404_409_422_and_write_nothing(team: Team) -> None:
    inspection = inspections.create_inspection(
        agency=team.agency, subject="S", target="T", by=team.leader
    )
    url = f"/inspections/{inspection.pk}"
    decision = {
        "decision_number": "3/QĐ",
        "decision_date": "2026-03-02",
        "duration_days": 30,
        "team_leader": team.verifier.pk,
    }
    before = _audit_count()
    # another agency's leader cannot see it; a specialist may see it but not decide
    assert _post(_as(make_team().leader), f"{url}/decide", decision).status_code == 404
    assert _post(_as(team.citizen), f"{url}/decide", decision).status_code == 404
    assert _post(_as(team.verifier), f"{url}/decide", decision).status_code == 403
    leader = _as(team.leader)
    # concluding before the decision is a wrong state
    early = _post(leader, f"{url}/conclude", {"conclusion": "K", "number": "1"})
    assert early.status_code == 409
    bad = _post(
        leader,
        f"{url}/decide",
        {**decision, "decision_number": " ", "team_leader": team.citizen.pk, "members": [999999]},
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"members"}
    citizen_leader = _post(
        leader,
        f"{url}/decide",
        {**decision, "decision_number": " ", "team_leader": team.citizen.pk},
    )
    assert set(citizen_leader.json()["errors"]) == {"decision_number", "team_leader"}
    assert _post(leader, f"{url}/decide", {**decision, "duration_days": 0}).status_code == 422
    inspection.refresh_from_db()
    assert (inspection.status, inspection.decision_number) == ("planned", "")
    assert list(inspection.team.all()) == []
    assert _audit_count() == before
    assert _post(leader, f"{url}/decide", decision).status_code == 200
    assert _post(leader, f"{url}/decide", decision).status_code == 409
    # a conclusion with a recommendation lacking its text writes nothing
    half = _post(
        leader,
        f"{url}/conclude",
        {
            "conclusion": "Kết luận",
            "number": "2/KL",
            "recommendations": [
                {"text": "Hoàn trả quỹ", "responsible": "Trường A"},
                {"text": " ", "responsible": "Trường A"},
            ],
        },
    )
    assert half.status_code == 422
    assert set(half.json()["errors"]) == {"recommendations"}
    inspection.refresh_from_db()
    assert (inspection.status, inspection.conclusion_number) == ("decided", "")
    assert Recommendation.objects.count() == 0
    # a conclusion without recommendations closes the inspection at once
    closed = _post(leader, f"{url}/conclude", {"conclusion": "Không sai phạm", "number": "3/KL"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


def test_follow_up_refuses_strangers_and_bad_input_and_writes_nothing(team: Team) -> None:
    inspection = inspections.conclude(
        inspection=_decided(team),
        conclusion="Kết luận",
        number="4/KL",
        recommendations=[inspections.RecommendationSpec("Hoàn trả quỹ", "Trường A")],
        by=team.leader,
    )
    item = inspection.recommendations.get()
    url = f"/inspections/{inspection.pk}/recommendations/{item.pk}/follow-up"
    before = _audit_count()
    assert _post(_as(make_team().leader), url, {"status": "done", "note": "x"}).status_code == 404
    assert _post(_as(team.clerk), url, {"status": "done", "note": "x"}).status_code == 403
    specialist = _as(team.verifier)
    other = _decided(team)
    wrong_parent = f"/inspections/{other.pk}/recommendations/{item.pk}/follow-up"
    assert _post(specialist, wrong_parent, {"status": "done", "note": "x"}).status_code == 404
    bad_status = _post(specialist, url, {"status": "finished", "note": "x"})
    assert bad_status.status_code == 422
    assert set(bad_status.json()["errors"]) == {"status"}
    no_note = _post(specialist, url, {"status": "done", "note": " "})
    assert set(no_note.json()["errors"]) == {"note"}
    item.refresh_from_db()
    assert (item.status, item.follow_up, item.done_on) == ("open", "", None)
    assert AuditEntry.objects.filter(action="complaints.recommendation.follow_up").count() == 0
    assert _audit_count() == before + 2  # only the second inspection's create and decide


def test_the_inspections_command(team: Team) -> None:
    def run(*args: str) -> str:
        out = io.StringIO()
        call_command("complaints", "inspections", *args, stdout=out)
        return out.getvalue()

    # given a plan written through the command
    written = run(
        "create-plan",
        "--agency",
        str(team.agency.code),
        "--year",
        "2026",
        "--title",
        "Kế hoạch 2026",
        "--approved-on",
        "2026-01-15",
        "--as",
        team.verifier.username,
    )
    plan = InspectionPlan.objects.get()
    assert written.strip() == f"Đã thêm kế hoạch {plan.pk}: Kế hoạch 2026 (2026)"
    assert plan.approved_on == datetime.date(2026, 1, 15)
    with pytest.raises(CommandError, match="year: Cơ quan đã có kế hoạch thanh tra năm 2026"):
        run("create-plan", "--agency", str(team.agency.code), "--year", "2026", "--title", "X",
            "--as", team.verifier.username)  # fmt: skip
    with pytest.raises(CommandError, match="Bạn không thuộc cơ quan thanh tra này"):
        run("create-plan", "--agency", str(team.agency.code), "--year", "2027", "--title", "X",
            "--as", make_team().leader.username)  # fmt: skip
    assert InspectionPlan.objects.count() == 1
    inspection = inspections.conclude(
        inspection=_decided(team),
        conclusion="Kết luận",
        number="4/KL",
        recommendations=[inspections.RecommendationSpec("Hoàn trả quỹ", "Trường A")],
        by=team.leader,
    )
    item = inspection.recommendations.get()
    # when it is listed and shown
    listed = run("list", "--agency", str(team.agency.code))
    assert (
        listed
        == f"{inspection.pk}\t{team.agency.code}\tconcluded\t0/1\tThanh tra thu chi — Trường A\n"
    )
    assert run("list", "--as", make_team().leader.username) == ""
    shown = json.loads(run("show", str(inspection.pk), "--json"))
    assert shown["recommendations"][0]["id"] == item.pk
    with pytest.raises(CommandError, match="Không tìm thấy cuộc thanh tra"):
        run("show", str(inspection.pk), "--as", make_team().leader.username)
    # then a follow-up by a stranger or with a bad status changes nothing
    with pytest.raises(CommandError, match="Không tìm thấy kiến nghị"):
        run("follow-up", str(item.pk), "--status", "done", "--note", "x",
            "--as", make_team().leader.username)  # fmt: skip
    with pytest.raises(CommandError, match=r"status: Tình trạng không hợp lệ\."):
        run("follow-up", str(item.pk), "--status", "xong", "--note", "x",
            "--as", team.verifier.username)  # fmt: skip
    item.refresh_from_db()
    assert (item.status, item.follow_up) == ("open", "")
    # and a real one closes the inspection
    done = run("follow-up", str(item.pk), "--status", "done", "--note", "Đã hoàn trả",
               "--done-on", "2026-06-30", "--as", team.verifier.username)  # fmt: skip
    assert done.strip() == (
        f"Đã ghi theo dõi kiến nghị {item.pk}; cuộc thanh tra: Đã hoàn thành kiến nghị."
    )
    item.refresh_from_db()
    assert (item.status, item.done_on) == ("done", datetime.date(2026, 6, 30))
    log = AuditEntry.objects.get(action="complaints.recommendation.follow_up")
    assert log.actor_id == team.verifier.pk
