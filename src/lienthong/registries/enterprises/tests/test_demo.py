"""The demo seeder: realistic rows through the shared import, once; the generator's rows."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.base.models import ImportJob, RegistryGrant
from lienthong.registries.enterprises import demo, fakedata, taxcodes, vsic
from lienthong.registries.enterprises.models import (
    BusinessLine,
    Enterprise,
    InvestmentProject,
    ProjectInvestor,
    StatusChange,
)
from lienthong.registries.enterprises.testing import make_units

pytestmark = pytest.mark.django_db


def _demo_tree() -> None:
    planning = make_org_unit("Sở Kế hoạch và Đầu tư", code=demo.PLANNING_DEPARTMENT)
    make_org_unit(demo.REGISTRATION_OFFICE, parent=planning, is_agency=False)
    make_org_unit("Ban Quản lý các khu công nghiệp", code=demo.INDUSTRIAL_ZONES)
    make_user("admin", is_superuser=True)


def test_seed_demo_loads_once(monkeypatch: Any) -> None:
    make_units()
    _demo_tree()
    monkeypatch.setattr(demo, "DEMO_ENTERPRISES", 120)
    monkeypatch.setattr(demo, "DEMO_PROJECTS", 15)

    lines = demo.seed_demo()

    assert lines[0].startswith("Doanh nghiệp: 120 bản ghi")
    office = OrgUnit.objects.get(name=demo.REGISTRATION_OFFICE)
    assert Enterprise.objects.filter(owner=office).count() == 120
    assert InvestmentProject.objects.count() == 15
    assert ProjectInvestor.objects.count() >= 15
    assert BusinessLine.objects.filter(is_main=True).count() == 120
    assert ImportJob.objects.filter(status="imported").count() == 2
    assert StatusChange.objects.count() == sum(
        1 for e in Enterprise.objects.all() if e.status != "active"
    )
    assert RegistryGrant.objects.filter(registry="investment_projects").exists()
    for enterprise in Enterprise.objects.all():
        assert taxcodes.normalise(enterprise.tax_code) == enterprise.tax_code
        assert enterprise.address_commune in ("25747", "25750")
    assert demo.seed_demo() == ["Doanh nghiệp: đã có dữ liệu, bỏ qua."]
    assert Enterprise.objects.count() == 120


def test_generator_rows_are_deterministic_and_valid() -> None:
    places = fakedata.Places(["25753"], ["25747"], {"25753": "Phường Phú Thọ, TP Thủ Dầu Một"})
    first = list(fakedata.Generator(7, places, text_share=0.5).enterprises(50))
    again = list(fakedata.Generator(7, places, text_share=0.5).enterprises(50))
    assert first == again
    assert len({row["tax_code"] for row in first}) == 50
    for row in first:
        assert taxcodes.normalise(row["tax_code"]) == row["tax_code"]
        assert vsic.clean(row["main_line"]) == row["main_line"]
        assert row["address_commune"] or row["address_commune_legacy"] or row["address_address"]
    project = fakedata.Generator(7, places).project(3, [("3700000001", "Công ty A Minh Phát")])
    assert project["code"] == "7400000003"
    assert project["investors"] == "3700000001"
