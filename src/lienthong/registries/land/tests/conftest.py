"""Fixtures of the land registry tests: units, the keeping agency and its users."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.accounts.models import Role, User
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.base.models import RegistryGrant
from lienthong.registries.land.testing import make_units


@pytest.fixture
def units(db: Any) -> dict[str, AdminUnit]:
    """Four real 2025 communes of the former Bình Dương and their legacy predecessors."""
    return make_units()


@pytest.fixture
def owner(units: dict[str, AdminUnit]) -> OrgUnit:
    """The agency keeping the land registry (a Sở Nông nghiệp và Môi trường)."""
    return make_org_unit("Sở Nông nghiệp và Môi trường")


@pytest.fixture
def editor(owner: OrgUnit) -> User:
    """A registry official of the keeping agency."""
    return make_user("quanlydat", roles=[(Role.REGISTRY_OWNER, owner)])


@pytest.fixture
def other_editor(db: Any) -> User:
    """A registry official of another agency: edits its own parcels only."""
    return make_user("quanlykhac", roles=[(Role.REGISTRY_OWNER, make_org_unit("Sở khác"))])


@pytest.fixture
def reader(db: Any) -> User:
    """An official of an agency granted to read the land registry."""
    agency = make_org_unit("UBND phường Thủ Dầu Một")
    RegistryGrant.objects.create(
        registry="land", agency=agency, purpose="Giải quyết thủ tục đất đai"
    )
    return make_user("docdat", roles=[(Role.SPECIALIST, agency)])


@pytest.fixture
def outsider(db: Any) -> User:
    """An official with no right on the land registry."""
    return make_user("ngoaicuoc", roles=[(Role.SPECIALIST, make_org_unit("Sở Y tế"))])
