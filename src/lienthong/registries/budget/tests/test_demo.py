"""The demo seed: two years of plans and actuals for the demo agencies; once."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.seed import app_demo_seeders
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.base.models import RegistryGrant
from lienthong.registries.budget import demo
from lienthong.registries.budget.models import BudgetLine, Kind, Stage
from lienthong.registries.budget.reports import period_report


def test_the_seed_is_found_by_the_platform_seed() -> None:
    assert ("budget", demo.seed_demo) in app_demo_seeders()


def test_the_seed_adds_two_years_once(db: Any) -> None:
    ubnd = OrgUnit.Kind.PEOPLES_COMMITTEE
    province = make_org_unit("UBND tỉnh", code=demo.PROVINCE_CODE, kind=ubnd)
    finance = make_org_unit("Sở Tài chính", parent=province, code=demo.FINANCE_CODE)
    health = make_org_unit("Sở Y tế", parent=province, code="000.00.11.H99")
    city = make_org_unit("UBND thành phố", parent=province, code="000.00.21.H99", kind=ubnd)
    ward = make_org_unit("UBND phường", parent=city, code="000.03.21.H99", kind=ubnd)
    make_org_unit("Phòng Tư pháp", parent=city, is_agency=False, kind=OrgUnit.Kind.DIVISION)
    keeper = make_user(demo.EDITOR_USERNAME, roles=[(Role.SPECIALIST, finance)])
    make_user("admin", is_superuser=True, kind=User.Kind.OFFICIAL)

    first = demo.seed_demo()

    today = timezone.localdate()
    lines = BudgetLine.objects.all()
    assert first[0].startswith(f"Ngân sách: {lines.count()} số liệu thu, chi của 5 đơn vị")
    assert set(lines.values_list("year", flat=True)) == {today.year - 1, today.year}
    assert set(lines.values_list("agency", flat=True)) == {
        province.pk,
        finance.pk,
        health.pk,
        city.pk,
        ward.pk,
    }
    assert set(lines.filter(agency=health).values_list("chapter_code", flat=True)) == {"423"}
    assert set(lines.filter(agency=ward).values_list("chapter_code", flat=True)) == {"800"}
    # No actual for a month not yet over; communes report by quarter.
    current = lines.filter(year=today.year, stage=Stage.ACTUAL)
    assert not current.filter(month_to__gte=max(today.month, 2)).exists()
    assert set(lines.filter(agency=ward, stage=Stage.ACTUAL).values_list("period", flat=True)) <= {
        "Q1",
        "Q2",
        "Q3",
        "Q4",
    }
    assert lines.filter(agency=city, kind=Kind.REVENUE).exists()
    assert not lines.filter(agency=health, kind=Kind.REVENUE).exists()
    assert not lines.exclude(amount__gt=0).exists()
    for line in lines.select_related("agency", "owner")[:300]:
        line.full_clean()  # codes known and consistent; one amount per cell
    assert RegistryGrant.objects.filter(registry="budget", agency=finance).exists()
    assert keeper.has_role(Role.REGISTRY_OWNER, finance)
    report = period_report(BudgetLine.objects.visible_to(keeper), year=today.year - 1, period="Y")
    spending = report.totals[Kind.EXPENDITURE]
    assert 0 < spending.actual < spending.plan_year * 2

    assert demo.seed_demo() == []
    assert BudgetLine.objects.count() == lines.count()


def test_without_the_demo_province_nothing_happens(db: Any) -> None:
    assert demo.seed_demo() == ["Ngân sách: chưa có tổ chức mẫu của tỉnh, bỏ qua."]
    assert datetime.date.today() and not BudgetLine.objects.exists()
