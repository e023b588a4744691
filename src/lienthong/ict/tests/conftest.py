"""Fixtures of the ICT tests: a small province, a period, and the people who use them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from lienthong.accounts.models import Role
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.ict.models import ReportingPeriod
from lienthong.ict.seed import ensure_catalogue


@dataclass
class Province:
    """UBND tỉnh with one department, one district and one commune under it, and users."""

    province: OrgUnit
    department: OrgUnit
    district: OrgUnit
    commune: OrgUnit
    period: ReportingPeriod
    it_admin: Any
    leader: Any
    department_specialist: Any
    commune_clerk: Any
    department_leader: Any


@pytest.fixture
def province(db: None) -> Province:
    ensure_catalogue()
    root = make_org_unit("UBND tỉnh thử", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    department = make_org_unit("Sở thử", parent=root)
    district = make_org_unit("UBND huyện thử", parent=root, kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    commune = make_org_unit("UBND xã thử", parent=district, kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    period = ReportingPeriod.objects.create(
        code="2024",
        name="Năm 2024",
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
    )
    it_department = make_org_unit("Sở TT&TT thử", parent=root)
    return Province(
        province=root,
        department=department,
        district=district,
        commune=commune,
        period=period,
        it_admin=make_user(roles=[(Role.IT_ADMIN, it_department)]),
        leader=make_user(roles=[(Role.LEADER, root)]),
        department_specialist=make_user(roles=[(Role.SPECIALIST, department)]),
        commune_clerk=make_user(roles=[(Role.CLERK, commune)]),
        department_leader=make_user(roles=[(Role.LEADER, department)]),
    )
