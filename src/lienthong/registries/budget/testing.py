"""Factories for tests of the budget registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.base.models import RegistryGrant
from lienthong.registries.budget.models import BudgetLine, Kind, Stage


@dataclass
class BudgetWorld:
    """A province with its finance department, a department with a sub-unit, and users:
    the department's budget official and leader, a finance official (the department has a
    read grant for the budget registry), an official of another department, a citizen."""

    province: OrgUnit
    finance: OrgUnit
    health: OrgUnit
    hospital: OrgUnit
    other: OrgUnit
    health_official: User
    health_leader: User
    finance_official: User
    finance_reader: User
    outsider: User
    citizen: User


def make_world() -> BudgetWorld:
    province = make_org_unit("UBND tỉnh", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    finance = make_org_unit("Sở Tài chính", parent=province)
    health = make_org_unit("Sở Y tế", parent=province)
    hospital = make_org_unit("Bệnh viện Đa khoa tỉnh", parent=health)
    other = make_org_unit("Sở Tư pháp", parent=province)
    RegistryGrant.objects.create(registry="budget", agency=finance, purpose="Quản lý ngân sách")
    return BudgetWorld(
        province=province,
        finance=finance,
        health=health,
        hospital=hospital,
        other=other,
        health_official=make_user(roles=[(Role.REGISTRY_OWNER, health)]),
        health_leader=make_user(roles=[(Role.LEADER, health)]),
        finance_official=make_user(roles=[(Role.REGISTRY_OWNER, finance)]),
        finance_reader=make_user(roles=[(Role.SPECIALIST, finance)]),
        outsider=make_user(roles=[(Role.REGISTRY_OWNER, other)]),
        citizen=make_user(roles=[(Role.CITIZEN, None)]),
    )


def make_line(agency: OrgUnit, **fields: Any) -> BudgetLine:
    """A budget line saved directly (no service, no audit); defaults: a 2025 salary plan."""
    line = BudgetLine(
        owner=fields.pop("owner", agency),
        agency=agency,
        year=fields.pop("year", 2025),
        period=fields.pop("period", "Y"),
        kind=fields.pop("kind", Kind.EXPENDITURE),
        stage=fields.pop("stage", Stage.PLAN),
        chapter_code=fields.pop("chapter_code", "423"),
        sub_item_code=fields.pop("sub_item_code", "6001"),
        amount=fields.pop("amount", 1_000_000),
        **fields,
    )
    line.save()
    return line
