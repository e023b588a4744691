"""GET /api/accounts/me: the caller and their roles; anonymous callers get 401."""

from __future__ import annotations

import pytest
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db


def test_me_lists_the_callers_roles_by_unit(client: Client) -> None:
    # given a leader of a department who is also a specialist of one of its divisions
    department = make_org_unit("Sở Tư pháp")
    division = make_org_unit("Phòng Hành chính tư pháp", parent=department, is_agency=False)
    user = make_user(
        "lanhdao",
        roles=[(Role.LEADER, department), (Role.SPECIALIST, division)],
        full_name="Trần Văn Bình",
    )
    login(client, user)
    # when they ask who they are
    response = client.get("/api/accounts/me")
    # then they get their account and both grants
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "lanhdao"
    assert body["full_name"] == "Trần Văn Bình"
    assert body["kind"] == "official"
    assert body["org_unit_name"] == "Sở Tư pháp"
    assert {(r["role"], r["org_unit_name"]) for r in body["roles"]} == {
        ("leader", "Sở Tư pháp"),
        ("specialist", "Phòng Hành chính tư pháp"),
    }
    assert {r["role_label"] for r in body["roles"]} == {"Lãnh đạo", "Chuyên viên"}


def test_me_refuses_anonymous_callers(client: Client) -> None:
    assert client.get("/api/accounts/me").status_code == 401
