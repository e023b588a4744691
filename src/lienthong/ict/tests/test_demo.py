"""The demo inventory shows the 2012 Bình Dương report's figures, computed from the records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from lienthong.core.audit import verify_chain
from lienthong.core.models import OrgUnit
from lienthong.core.seed import demo_data
from lienthong.core.testing import make_user
from lienthong.ict import demo
from lienthong.ict.models import InventoryReport, ReportStatus
from lienthong.ict.selectors import dashboard_indicators

pytestmark = pytest.mark.django_db


def _demo_org_chart() -> None:
    """The demo agencies (without their administrative units: levels follow the tree)."""
    by_ref: dict[str, OrgUnit] = {}
    for entry in demo_data()["org_units"]:
        by_ref[entry["ref"]] = OrgUnit.objects.create(
            name=entry["name"],
            kind=entry["kind"],
            is_agency=entry["is_agency"],
            code=entry["code"],
            parent=by_ref.get(entry["parent"] or ""),
        )


def test_the_demo_shows_the_2012_report(django_user_model: Any) -> None:
    # Given the demo org chart and its superuser
    _demo_org_chart()
    django_user_model.objects.create_superuser("admin", password="x-demo-12345", kind="official")
    # When the demo is seeded twice
    first = demo.seed_demo()
    second = demo.seed_demo()
    # Then all 117 agencies have an accepted 2012 report, written once
    assert InventoryReport.objects.count() == 117
    assert InventoryReport.objects.filter(status=ReportStatus.ACCEPTED).count() == 117
    assert len(first) == 1 and "117 báo cáo" in first[0]
    assert second == []
    # And the indicators computed from the records are the report's figures
    leader = make_user(roles=[("leader", OrgUnit.objects.get(parent=None))])
    values = {v.code: v for v in dashboard_indicators(leader)}
    assert values["officials_with_computer"].value == Decimal("95.0")
    assert values["servers_total"].value == 145
    assert values["network_points"].value == 94
    assert values["lans_protected"].value == Decimal("66.0")
    assert values["computers_with_antivirus"].value == Decimal("92.0")
    # 24 of the 25 departments and district committees (95 % cannot be hit with 25)
    assert values["document_management"].value == Decimal("96.0")
    communes = values["communes_connected"]
    assert (communes.value, communes.target, communes.on_track) == (52, 91, False)
    assert communes.target_due is not None and communes.target_due.isoformat() == "2012-12-31"
    assert verify_chain().ok


def test_demo_figures_vary_per_agency_and_repeat_exactly() -> None:
    categories = (
        ["province_committee"]
        + ["department"] * 16
        + ["district_committee"] * 9
        + ["commune_committee"] * 91
    )
    once, again = demo.demo_figures(categories), demo.demo_figures(categories)
    assert once == again
    assert len({f.staff for f in once}) > 10


def test_allot_respects_caps_and_total() -> None:
    assert demo.allot(10, [1, 1, 8], [5, 5, 3]) == [4, 3, 3]
    with pytest.raises(ValueError):
        demo.allot(10, [1], [5])


def test_without_agencies_nothing_is_written() -> None:
    assert demo.seed_demo() == [
        "Hạ tầng CNTT: thiếu cơ quan hoặc tài khoản quản trị demo, bỏ qua số liệu mẫu."
    ]
    assert not InventoryReport.objects.exists()
