"""The dashboard's figures agree with the rules of the modules they come from."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from lienthong.complaints.alerts import risk_of
from lienthong.complaints.models import Alert, Complaint
from lienthong.complaints.testing import file_case, make_team
from lienthong.core.calendar import VN_TZ, add_working_days, local_date
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit
from lienthong.dashboard import selectors
from lienthong.dashboard.selectors import months_back, summary
from lienthong.dashboard.tests.conftest import JAN_FROM, JAN_TO, World, make_incoming
from lienthong.documents.models import IncomingDocument
from lienthong.onestop.stats import ii06a

pytestmark = pytest.mark.django_db


def _rows(user: object, agency: OrgUnit | None = None) -> dict[str, dict[str, object]]:
    result = summary(user, JAN_FROM, JAN_TO, agency)
    return {row.label: row.as_dict() for row in result.onestop_rows}


def test_onestop_rows_are_form_ii06a_per_agency(world: World) -> None:
    # Given the dossiers of January; when the province's leader opens the dashboard
    result = summary(world.province_leader, JAN_FROM, JAN_TO)
    # Then its rows are form II.06a per agency, number for number
    report = ii06a(JAN_FROM, JAN_TO, group_by="agency")
    assert [r.as_dict() for r in result.onestop_rows] == [r.as_dict() for r in report.rows]
    assert result.onestop_total.as_dict() == report.total.as_dict()
    rows = {row.label: row for row in result.onestop_rows}
    justice = rows["Sở Tư pháp thử"]
    assert (justice.received_total, justice.received_online, justice.received_direct) == (4, 1, 3)
    assert (justice.settled_early, justice.settled_on_time, justice.settled_late) == (1, 1, 1)
    assert (justice.pending_in_time, justice.pending_overdue) == (0, 1)
    assert str(justice.progress_score) == "13.33"
    health = rows["Sở Y tế thử"]
    assert (health.carried_over, health.received_new, health.settled_on_time) == (1, 2, 1)
    assert (health.settled_early, health.pending_in_time) == (1, 1)
    assert result.onestop_total.received_total == 7


def test_a_department_leader_sees_only_their_agency(world: World) -> None:
    # When the leader of Sở Tư pháp opens it
    result = summary(world.justice_leader, JAN_FROM, JAN_TO)
    # Then only their agency is counted; Sở Y tế's dossiers appear nowhere
    assert [row.label for row in result.onestop_rows] == ["Sở Tư pháp thử"]
    assert result.onestop_total.received_total == 4
    assert set(result.scope.agency_ids) == {world.justice.pk}
    assert sum(point.received for point in result.trend) == 4
    # And the choice of agencies offered to them is theirs only
    assert list(selectors.dashboard_agencies(world.justice_leader)) == [world.justice]


def test_an_it_admin_and_a_province_leader_see_every_agency(world: World) -> None:
    assert set(_rows(world.it_admin)) == {"Sở Tư pháp thử", "Sở Y tế thử"}
    assert set(_rows(world.province_leader)) == {"Sở Tư pháp thử", "Sở Y tế thử"}
    # and can narrow it to one agency
    assert set(_rows(world.province_leader, world.health)) == {"Sở Y tế thử"}


def test_who_may_see_the_dashboard(world: World) -> None:
    assert selectors.may_see_dashboard(world.justice_leader)
    assert selectors.may_see_dashboard(world.it_admin)
    assert not selectors.may_see_dashboard(world.specialist)
    assert not selectors.may_see_dashboard(world.citizen)
    assert not selectors.dashboard_agencies(world.specialist).exists()


def test_trend_is_twelve_months_of_ii06a(world: World) -> None:
    result = summary(world.province_leader, JAN_FROM, JAN_TO)
    assert [p.month for p in result.trend][-3:] == ["11/2025", "12/2025", "01/2026"]
    assert len(result.trend) == 12
    january = result.trend[-1]
    report = ii06a(JAN_FROM, JAN_TO, group_by="agency").total
    assert january.received == report.received_new == 6
    assert january.settled == report.settled_total == 5
    assert january.on_time == 4
    assert january.on_time_share == 80.0
    december = result.trend[-2]
    assert (december.received, december.settled, december.on_time_share) == (1, 0, None)
    # Every month agrees with the form computed for that month alone.
    for point, (first, last) in zip(result.trend, months_back(JAN_TO, 12), strict=True):
        month = ii06a(first, last, group_by="agency").total
        assert (point.received, point.settled, point.on_time) == (
            month.received_new,
            month.settled_total,
            month.settled_early + month.settled_on_time,
        ), point.month


def test_months_back_crosses_the_year() -> None:
    months = months_back(datetime.date(2026, 2, 10), 3)
    assert months == [
        (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)),
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
    ]


def test_documents_overdue_and_due_within_three_working_days(world: World) -> None:
    now = datetime.datetime(2026, 3, 4, 10, tzinfo=VN_TZ)  # a Wednesday
    third = add_working_days(local_date(now), 3)
    end_of_third = datetime.datetime.combine(third, datetime.time(17), tzinfo=VN_TZ)
    after_third = datetime.datetime.combine(
        add_working_days(local_date(now), 4), datetime.time(9), tzinfo=VN_TZ
    )
    make_incoming(world.justice, now - datetime.timedelta(hours=1))  # overdue
    make_incoming(world.justice, now - datetime.timedelta(days=9))  # overdue
    make_incoming(world.justice, end_of_third)  # due soon
    make_incoming(world.justice, after_third)  # later: not counted
    make_incoming(world.justice, None)  # no deadline
    make_incoming(  # done: not counted
        world.justice, now - datetime.timedelta(days=2), status=IncomingDocument.Status.DONE
    )
    make_incoming(world.health, now - datetime.timedelta(days=1))

    rows, total = selectors.documents_due(
        world.province_leader,
        selectors.make_scope(world.province_leader, JAN_FROM, JAN_TO, None),
        now,
    )
    assert [(r.label, r.overdue, r.due_soon) for r in rows] == [
        ("Sở Tư pháp thử", 2, 1),
        ("Sở Y tế thử", 1, 0),
    ]
    assert (total.overdue, total.due_soon) == (3, 1)

    # The department's leader: only their agency
    scope = selectors.make_scope(world.justice_leader, JAN_FROM, JAN_TO, None)
    rows, _total = selectors.documents_due(world.justice_leader, scope, now)
    assert [(r.label, r.overdue, r.due_soon) for r in rows] == [("Sở Tư pháp thử", 2, 1)]


def test_complaints_follow_the_alert_rule(world: World) -> None:
    # Given an inspectorate with three open cases filed at different times
    team = make_team("Thanh tra tỉnh thử")
    now = timezone.now()
    old = file_case(team, at=now - datetime.timedelta(days=60))
    file_case(team, at=now - datetime.timedelta(days=8))
    file_case(team, at=now - datetime.timedelta(minutes=5))
    # When the IT administrator (every agency) opens the dashboard
    rows, total = selectors.complaints_due(
        world.it_admin, selectors.make_scope(world.it_admin, JAN_FROM, JAN_TO, None), now
    )
    # Then the counts are those of complaints.alerts.risk_of, case by case
    kinds = [risk_of(c, now) for c in Complaint.objects.open().filter(agency=team.agency)]
    assert risk_of(old, now) == Alert.Kind.OVERDUE
    assert total.overdue == kinds.count(Alert.Kind.OVERDUE) >= 1
    assert total.due_soon == kinds.count(Alert.Kind.AT_RISK)
    assert [r.label for r in rows] == ["Thanh tra tỉnh thử"]
    # And a department's leader never sees the inspectorate's cases
    scope = selectors.make_scope(world.justice_leader, JAN_FROM, JAN_TO, None)
    assert selectors.complaints_due(world.justice_leader, scope, now)[0] == []


def test_an_agency_outside_the_tree_is_not_in_a_leaders_scope(world: World) -> None:
    elsewhere = make_org_unit("Sở ngoài tỉnh")
    scope = selectors.make_scope(world.province_leader, JAN_FROM, JAN_TO, None)
    assert elsewhere.pk not in scope.agency_ids
    assert world.justice.pk in scope.agency_ids


def test_ict_panel_is_the_ict_modules_or_nothing(world: World) -> None:
    result = summary(world.province_leader, JAN_FROM, JAN_TO)
    data = result.as_dict()["ict"]
    if result.ict is None:
        assert data == {"available": False, "indicators": []}
    else:
        assert data["available"] is True
        assert [i["code"] for i in data["indicators"]] == [i.code for i in result.ict]
