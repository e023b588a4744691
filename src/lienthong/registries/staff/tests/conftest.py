"""Fixtures of the staff registry tests: a department with a division, a district committee
with a school, and one user per way of reaching the records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.staff.choices import SchoolLevel
from lienthong.registries.staff.models import School
from lienthong.registries.staff.testing import make_school


@dataclass
class Org:
    """The test organisation."""

    department: OrgUnit
    division: OrgUnit
    district: OrgUnit
    school: School
    other: OrgUnit


@pytest.fixture
def org(db: Any) -> Org:
    department = make_org_unit("Sở Tài chính thử")
    division = make_org_unit(
        "Phòng Ngân sách", parent=department, kind=OrgUnit.Kind.DIVISION, is_agency=False
    )
    district = make_org_unit("Ủy ban nhân dân huyện Thử", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    school = make_school(district, level=SchoolLevel.PRIMARY, name="Trường Tiểu học Thử")
    other = make_org_unit("Sở khác")
    return Org(department, division, district, school, other)


@pytest.fixture
def editor(org: Org) -> User:
    """A registry official of the department (edits its staff)."""
    return make_user("canbotccb", roles=[(Role.REGISTRY_OWNER, org.department)])


@pytest.fixture
def district_editor(org: Org) -> User:
    """A registry official of the district committee (edits its schools' teachers)."""
    return make_user("tccbhuyen", roles=[(Role.REGISTRY_OWNER, org.district)])


@pytest.fixture
def leader(org: Org) -> User:
    """A leader of the department (reads its staff, does not edit)."""
    return make_user("giamdoc", roles=[(Role.LEADER, org.department)])


@pytest.fixture
def outsider(org: Org) -> User:
    """A specialist of the department and a registry official of another agency: neither
    reads the department's staff."""
    return make_user(
        "nguoingoai",
        roles=[(Role.SPECIALIST, org.department), (Role.REGISTRY_OWNER, org.other)],
    )
