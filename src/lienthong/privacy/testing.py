"""Test factories of the privacy app."""

from __future__ import annotations

from typing import Any

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user


def make_dpo(unit: OrgUnit | None = None, **extra: Any) -> User:
    """An official of the data-protection unit: `it_admin` of a top-level unit."""
    unit = unit or make_org_unit("Sở Khoa học và Công nghệ")
    return make_user(roles=[(Role.IT_ADMIN, unit)], **extra)
