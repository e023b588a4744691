"""The request's session and user, read by fixed statements (accounts.sessions,
accounts.backends): the same answers as Django's database sessions and ModelBackend — expired,
deleted and logged-out sessions and disabled accounts are anonymous — and the user's org-unit
roles come with the user, so the nav's dashboard link costs no query of its own."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lienthong.accounts.backends import SessionUserBackend, unit_roles
from lienthong.accounts.models import Role, RoleAssignment, User
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db

DASHBOARD_LINK = 'href="/bang-dieu-hanh/"'


@pytest.fixture
def leader() -> User:
    unit = make_org_unit()
    return make_user("lanhdao-phien", roles=[(Role.LEADER, unit), (Role.SPECIALIST, unit)])


@pytest.fixture
def citizen() -> User:
    return make_user("congdan-yeucau", roles=[(Role.CITIZEN, None)])


def me(client: Client) -> int:
    return client.get("/api/accounts/me", HTTP_ACCEPT="application/json").status_code


def test_the_user_is_loaded_with_the_roles_of_their_unit_grants(leader: User) -> None:
    # Given a leader with two unit grants, and a citizen grant (no unit) added
    RoleAssignment.objects.create(user=leader, role=Role.CITIZEN, org_unit=None)
    # When the backend loads them
    user = SessionUserBackend().get_user(leader.pk)
    # Then it is the same account, with exactly the roles that carry a unit
    assert user is not None
    assert (user.pk, user.username, user.password) == (leader.pk, leader.username, leader.password)
    assert unit_roles(user) == frozenset({Role.LEADER, Role.SPECIALIST})
    # And a user with no grant has no roles; an unknown id is nobody
    bare = make_user("khong-vai-tro")
    loaded = SessionUserBackend().get_user(bare.pk)
    assert loaded is not None and unit_roles(loaded) == frozenset()
    assert SessionUserBackend().get_user(10**9) is None


def test_a_disabled_account_is_not_loaded(citizen: User) -> None:
    # Given a logged-in citizen whose account is then disabled
    client = Client()
    login(client, citizen)
    assert me(client) == 200
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    # When they call the API again, then they are anonymous
    assert SessionUserBackend().get_user(citizen.pk) is None
    assert me(client) == 401


def test_deleted_expired_and_logged_out_sessions_are_anonymous(citizen: User) -> None:
    # Given three logged-in clients of the same citizen
    revoked, expired, leaving = Client(), Client(), Client()
    for client in (revoked, expired, leaving):
        login(client, citizen)
        assert me(client) == 200
    # When one session row is deleted (revocation), one has expired, one logs out
    Session.objects.filter(session_key=revoked.session.session_key).delete()
    Session.objects.filter(session_key=expired.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    leaving.post("/accounts/logout/")
    # Then each of them is anonymous on its next request
    assert [me(client) for client in (revoked, expired, leaving)] == [401, 401, 401]


def test_the_dashboard_link_follows_the_roles_of_each_request_without_a_query(
    leader: User,
) -> None:
    # Given a logged-in leader
    client = Client()
    login(client, leader)
    # When they open a page, the nav shows the dashboard link, and no query asks for roles
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/inbox/")
    assert page.status_code == 200
    assert DASHBOARD_LINK in page.content.decode()
    # (the dashboard's own roles query names both of its roles; no statement does here)
    dashboard_role_queries = [
        q["sql"]
        for q in queries.captured_queries
        if "accounts_roleassignment" in q["sql"] and "'it_admin'" in q["sql"]
    ]
    assert dashboard_role_queries == []
    # When the leader grant is withdrawn, the very next page has no link
    RoleAssignment.objects.filter(user=leader, role=Role.LEADER).delete()
    page = client.get("/inbox/")
    assert page.status_code == 200
    assert DASHBOARD_LINK not in page.content.decode()
