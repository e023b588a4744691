"""Inspections: the annual plan, the decision and team, the conclusion with recommendations,
and their follow-up until done."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from lienthong.complaints import inspections
from lienthong.complaints.models import Inspection, InspectionPlan, Recommendation
from lienthong.complaints.testing import make_team
from lienthong.core.testing_permissions import login
from lienthong.workflow.engine import WrongState

pytestmark = pytest.mark.django_db


def test_an_inspection_from_plan_to_every_recommendation_done() -> None:
    team = make_team()
    plan = inspections.create_plan(
        agency=team.agency, year=2026, title="Kế hoạch thanh tra năm 2026", by=team.verifier
    )
    with pytest.raises(ValidationError):
        inspections.create_plan(agency=team.agency, year=2026, title="Trùng", by=team.leader)
    inspection = inspections.create_inspection(
        agency=team.agency,
        subject="Thanh tra việc quản lý đất công",
        target="UBND phường An Phú",
        plan=plan,
        by=team.verifier,
    )
    assert inspection.scheduled is True
    with pytest.raises(PermissionDenied):
        inspections.decide(
            inspection=inspection,
            decision_number="15/QĐ-TTr",
            decision_date=datetime.date(2026, 3, 2),
            duration_days=45,
            team_leader=team.verifier,
            members=[team.other_specialist],
            by=team.verifier,
        )
    inspections.decide(
        inspection=inspection,
        decision_number="15/QĐ-TTr",
        decision_date=datetime.date(2026, 3, 2),
        duration_days=45,
        team_leader=team.verifier,
        members=[team.other_specialist],
        by=team.leader,
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.DECIDED
    assert set(inspection.team.all()) == {team.verifier, team.other_specialist}
    inspections.conclude(
        inspection=inspection,
        conclusion="Có sai phạm trong cho thuê đất công.",
        number="20/KL-TTr",
        recommendations=[
            inspections.RecommendationSpec(
                "Thu hồi 120 triệu đồng", "UBND phường An Phú", amount_recovered=120_000_000
            ),
            inspections.RecommendationSpec("Kiểm điểm cán bộ địa chính", "UBND phường An Phú"),
        ],
        by=team.leader,
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CONCLUDED
    first, second = inspection.recommendations.order_by("pk")
    inspections.follow_up(
        recommendation=first, status="done", note="Đã nộp ngân sách", by=team.verifier
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CONCLUDED
    inspections.follow_up(
        recommendation=second, status="in_progress", note="Đang kiểm điểm", by=team.verifier
    )
    inspections.follow_up(
        recommendation=second, status="done", note="Đã kỷ luật khiển trách", by=team.verifier
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CLOSED
    second.refresh_from_db()
    assert "Đang kiểm điểm" in second.follow_up and "Đã kỷ luật khiển trách" in second.follow_up
    with pytest.raises(WrongState):
        inspections.follow_up(recommendation=second, status="done", note="lại", by=team.verifier)


def test_others_cannot_write_and_bad_conclusions_write_nothing() -> None:
    team = make_team()
    with pytest.raises(PermissionDenied):
        inspections.create_plan(agency=team.agency, year=2026, title="X", by=make_team().leader)
    assert InspectionPlan.objects.count() == 0
    inspection = inspections.create_inspection(
        agency=team.agency, subject="S", target="T", by=team.leader
    )
    with pytest.raises(WrongState):
        inspections.conclude(
            inspection=inspection, conclusion="x", number="1", recommendations=[], by=team.leader
        )
    inspections.decide(
        inspection=inspection,
        decision_number="1",
        decision_date=datetime.date(2026, 3, 2),
        duration_days=30,
        team_leader=team.verifier,
        members=[],
        by=team.leader,
    )
    with pytest.raises(ValidationError):
        inspections.conclude(
            inspection=inspection,
            conclusion="Kết luận",
            number="2",
            recommendations=[inspections.RecommendationSpec("", "")],
            by=team.leader,
        )
    inspection.refresh_from_db()
    assert (inspection.status, inspection.conclusion) == (Inspection.Status.DECIDED, "")
    assert Recommendation.objects.count() == 0


def test_the_inspection_pages() -> None:
    team = make_team()
    client = Client()
    login(client, team.leader)
    response = client.post(
        "/khieu-nai/thanh-tra/",
        {
            "form": "plan",
            "plan-agency": team.agency.pk,
            "plan-year": 2026,
            "plan-title": "Kế hoạch 2026",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/khieu-nai/thanh-tra/",
        {
            "form": "inspection",
            "inspection-agency": team.agency.pk,
            "inspection-subject": "Thanh tra thu chi",
            "inspection-target": "Trường tiểu học A",
            "inspection-plan_year": 2026,
        },
    )
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/khieu-nai/thanh-tra/{inspection.pk}/"
    assert inspection.plan == InspectionPlan.objects.get()
    client.post(
        f"/khieu-nai/thanh-tra/{inspection.pk}/",
        {
            "form": "decide",
            "decide-decision_number": "3/QĐ",
            "decide-decision_date": "2026-03-02",
            "decide-duration_days": 30,
            "decide-team_leader": team.verifier.pk,
        },
    )
    client.post(
        f"/khieu-nai/thanh-tra/{inspection.pk}/",
        {
            "form": "conclude",
            "conclude-number": "4/KL",
            "conclude-conclusion": "Thu chi đúng quy định một phần",
            "conclude-recommendations": "Hoàn trả quỹ | Trường tiểu học A | 2026-06-30",
        },
    )
    recommendation = Recommendation.objects.get()
    assert recommendation.due_date == datetime.date(2026, 6, 30)
    client.post(
        f"/khieu-nai/thanh-tra/{inspection.pk}/",
        {
            "form": "follow",
            "recommendation": recommendation.pk,
            "follow-status": "done",
            "follow-note": "Đã hoàn trả",
        },
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CLOSED
    page = client.get(f"/khieu-nai/thanh-tra/{inspection.pk}/").content.decode()
    assert "Đã hoàn trả" in page
    assert Client().get(f"/khieu-nai/thanh-tra/{inspection.pk}/").status_code == 302
    stranger = Client()
    login(stranger, make_team().leader)
    assert stranger.get(f"/khieu-nai/thanh-tra/{inspection.pk}/").status_code == 404
