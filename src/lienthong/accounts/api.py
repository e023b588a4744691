"""Accounts API: who the caller is, with their roles."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from lienthong.accounts.models import User

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    role_label: str
    org_unit_id: int | None
    org_unit_name: str | None


class MeOut(Schema):
    username: str
    full_name: str
    kind: str
    org_unit_id: int | None
    org_unit_name: str | None
    roles: list[RoleOut]


@router.get("/me", response=MeOut, auth=django_auth, summary="Tài khoản đang đăng nhập")
def me(request: HttpRequest) -> MeOut:
    """The logged-in user and the roles they hold, unit by unit."""
    user = cast(User, request.user)  # django_auth let only logged-in users through
    grants = user.role_assignments.select_related("org_unit").order_by("role", "org_unit_id")
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        kind=user.kind,
        org_unit_id=user.org_unit_id,
        org_unit_name=user.org_unit.name if user.org_unit else None,
        roles=[
            RoleOut(
                role=grant.role,
                role_label=str(grant.get_role_display()),
                org_unit_id=grant.org_unit_id,
                org_unit_name=grant.org_unit.name if grant.org_unit else None,
            )
            for grant in grants
        ],
    )
