"""Small factories shared by the test suites of every app."""

from __future__ import annotations

import itertools
from typing import Any

from lienthong.accounts.models import Role, RoleAssignment, User
from lienthong.core.models import OrgUnit

_seq = itertools.count(1)


def make_org_unit(
    name: str | None = None,
    *,
    parent: OrgUnit | None = None,
    kind: str = OrgUnit.Kind.DEPARTMENT,
    is_agency: bool = True,
    code: str | None = None,
    **extra: Any,
) -> OrgUnit:
    """An org unit; agencies get a unique well-formed demo code unless one is given."""
    n = next(_seq)
    if is_agency and code is None:
        code = f"000.{n // 100:02d}.{n % 100:02d}.H99"
    return OrgUnit.objects.create(
        name=name or f"Đơn vị thử {n}",
        parent=parent,
        kind=kind,
        is_agency=is_agency,
        code=code,
        code_is_demo=code is not None,
        **extra,
    )


def make_user(
    username: str | None = None,
    *,
    roles: list[tuple[str, OrgUnit | None]] | None = None,
    kind: str | None = None,
    org_unit: OrgUnit | None = None,
    password: str = "mật-khẩu-thử-nghiệm-12",
    **extra: Any,
) -> User:
    """A user holding `roles` [(role, org unit)]; a citizen unless an official role is given."""
    roles = roles or []
    if kind is None:
        official = any(role != Role.CITIZEN for role, _ in roles)
        kind = User.Kind.OFFICIAL if official else User.Kind.CITIZEN
    username = username or f"user{next(_seq)}"
    if org_unit is None and roles:
        org_unit = roles[0][1]
    user = User.objects.create_user(
        username=username,
        password=password,
        kind=kind,
        org_unit=org_unit,
        full_name=extra.pop("full_name", username),
        **extra,
    )
    for role, unit in roles:
        RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
    return user


#: The smallest well-formed PDF, for upload tests.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
