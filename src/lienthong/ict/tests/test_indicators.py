"""Each indicator's formula on hand-made reports, targets and progress."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from lienthong.core.testing import make_org_unit
from lienthong.ict import indicators
from lienthong.ict.models import (
    Category,
    IndicatorTarget,
    InventoryReport,
    Level,
    ReportStatus,
    Software,
)
from lienthong.ict.selectors import dashboard_indicators, indicator_values
from lienthong.ict.tests.conftest import Province

pytestmark = pytest.mark.django_db


def _report(province: Province, level: str, category: str, **figures: Any) -> InventoryReport:
    software = figures.pop("software", [])
    report = InventoryReport.objects.create(
        agency=make_org_unit(parent=province.province),
        period=province.period,
        level=level,
        category=category,
        status=figures.pop("status", ReportStatus.ACCEPTED),
        **figures,
    )
    report.software.set(Software.objects.filter(code__in=software))
    return report


@pytest.fixture
def reports(province: Province) -> list[InventoryReport]:
    return [
        _report(
            province,
            Level.PROVINCE,
            Category.DEPARTMENT,
            staff=100,
            staff_with_computer=90,
            computers=100,
            computers_with_antivirus=95,
            servers=5,
            dedicated_network=True,
            dedicated_network_points=3,
            lans=3,
            lans_protected=2,
            it_staff=2,
            software=["qlvb", "email"],
        ),
        _report(
            province,
            Level.DISTRICT,
            Category.DISTRICT_COMMITTEE,
            staff=200,
            staff_with_computer=195,
            computers=200,
            computers_with_antivirus=170,
            servers=4,
            dedicated_network=True,
            dedicated_network_points=2,
            lans=1,
            lans_protected=1,
            it_staff=0,
            software=["email"],
        ),
        _report(
            province,
            Level.COMMUNE,
            Category.COMMUNE_COMMITTEE,
            staff=25,
            staff_with_computer=5,
            computers=10,
            computers_with_antivirus=5,
            dedicated_network=True,
            dedicated_network_points=1,
            lans=1,
            it_staff=1,
            software=["qlvb"],
        ),
        _report(
            province,
            Level.COMMUNE,
            Category.COMMUNE_COMMITTEE,
            staff=20,
            staff_with_computer=4,
            computers=5,
            lans=0,
        ),
        # Not yet accepted: leaves the accepted figures alone.
        _report(
            province,
            Level.PROVINCE,
            Category.DEPARTMENT,
            status=ReportStatus.SUBMITTED,
            staff=1000,
            servers=1000,
        ),
    ]


def test_each_formula_on_hand_made_reports(
    province: Province, reports: list[InventoryReport]
) -> None:
    values = {v.code: v.value for v in dashboard_indicators(province.it_admin)}
    assert values == {
        # (90 + 195) / (100 + 200): communes are not counted
        "officials_with_computer": Decimal("95.0"),
        "servers_total": 9,
        "network_points": 6,
        "communes_connected": 1,
        # (2 + 1 + 0) / (3 + 1 + 1 + 0)
        "lans_protected": Decimal("60.0"),
        # (95 + 170 + 5 + 0) / (100 + 200 + 10 + 5)
        "computers_with_antivirus": Decimal("85.7"),
        # the department uses qlvb, the district does not; the commune does not count
        "document_management": Decimal("50.0"),
        # the department and the first commune: 2 of the 4 agencies
        "agencies_with_it_staff": Decimal("50.0"),
    }


def test_only_submitted_reports_count_when_none_is_accepted(province: Province) -> None:
    _report(province, Level.PROVINCE, Category.DEPARTMENT, status=ReportStatus.SUBMITTED, servers=7)
    _report(province, Level.PROVINCE, Category.DEPARTMENT, status=ReportStatus.DRAFT, servers=50)
    values = {v.code: v.value for v in dashboard_indicators(province.leader)}
    assert values["servers_total"] == 7


def test_no_report_means_no_value(province: Province) -> None:
    values = dashboard_indicators(province.leader)
    assert [v.code for v in values] == [i.code for i in indicators.INDICATORS]
    assert all(v.value is None and v.target is None for v in values)


def test_a_department_leader_sees_only_their_agency(
    province: Province, reports: list[InventoryReport]
) -> None:
    # Given a report of the leader's own department
    _report_for = InventoryReport.objects.create(
        agency=province.department,
        period=province.period,
        level=Level.PROVINCE,
        category=Category.DEPARTMENT,
        status=ReportStatus.ACCEPTED,
        servers=3,
    )
    assert _report_for.pk
    values = {v.code: v.value for v in dashboard_indicators(province.department_leader)}
    assert values["servers_total"] == 3


def test_targets_with_due_dates_and_progress(
    province: Province, reports: list[InventoryReport]
) -> None:
    IndicatorTarget.objects.create(
        indicator="communes_connected", value=Decimal(2), due=datetime.date(2024, 12, 31)
    )
    IndicatorTarget.objects.create(
        indicator="servers_total", value=Decimal(8), due=datetime.date(2024, 12, 31)
    )
    # An earlier period's target is not this one's
    IndicatorTarget.objects.create(
        indicator="network_points", value=Decimal(100), due=datetime.date(2023, 12, 31)
    )
    values = {v.code: v for v in indicator_values(province.it_admin, province.period)}
    communes = values["communes_connected"]
    assert (communes.target, communes.target_due, communes.on_track) == (
        2,
        datetime.date(2024, 12, 31),
        False,
    )
    assert values["servers_total"].on_track is True
    assert values["network_points"].target is None
    assert indicators.progress(1, 2) == Decimal("50.0")


def test_on_track_follows_the_time_elapsed() -> None:
    start, due = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    halfway = datetime.date(2024, 7, 1)
    assert indicators.is_on_track(50, 91, start=start, due=due, as_of=halfway) is True
    assert indicators.is_on_track(40, 91, start=start, due=due, as_of=halfway) is False
    assert indicators.is_on_track(91, 91, start=start, due=due, as_of=due) is True
    assert indicators.is_on_track(None, 91, start=start, due=due, as_of=due) is None


def test_every_indicator_documents_its_formula() -> None:
    for indicator in indicators.INDICATORS:
        assert indicator.formula, indicator.code
        assert indicator.unit in ("%", "")
