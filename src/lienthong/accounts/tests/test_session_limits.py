"""Session limits: 12 hours in all; 15 minutes idle for officials, 30 for citizens. An ended
session is logged out — the page sends to the login form with the reason, the API answers 401 —
and activity keeps a session alive, its stamp rewritten at most once a minute."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lienthong.accounts.middleware import SEEN_KEY, STARTED_KEY
from lienthong.accounts.models import Role, User
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db

MINUTE = 60


@pytest.fixture
def official() -> User:
    return make_user("chuyenvien-phien", roles=[(Role.SPECIALIST, make_org_unit())])


@pytest.fixture
def citizen() -> User:
    return make_user("congdan-phien", roles=[(Role.CITIZEN, None)])


def logged_in(user: User, *, started_ago: int, seen_ago: int) -> Client:
    """A client whose session began `started_ago` seconds ago, last seen `seen_ago` ago."""
    client = Client()
    login(client, user)
    session = client.session
    now = int(time.time())
    session[STARTED_KEY], session[SEEN_KEY] = now - started_ago, now - seen_ago
    session.save()
    return client


def stamps(client: Client) -> tuple[Any, Any]:
    session = client.session
    return session.get(STARTED_KEY), session.get(SEEN_KEY)


def test_an_official_idle_for_more_than_15_minutes_is_logged_out_with_the_reason(
    official: User,
) -> None:
    # Given an official's session last seen 15 minutes and 5 seconds ago
    client = logged_in(official, started_ago=60 * MINUTE, seen_ago=15 * MINUTE + 5)
    # When they open a page
    response = client.get("/inbox/")
    # Then they are sent to the login form, logged out, and told why
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Finbox%2F"
    assert "_auth_user_id" not in client.session
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Phiên làm việc đã hết hạn sau 15 phút không thao tác; vui lòng đăng nhập lại."
    ]
    assert client.get("/inbox/").status_code == 302


def test_the_api_answers_401_for_an_idle_session(official: User) -> None:
    client = logged_in(official, started_ago=20 * MINUTE, seen_ago=16 * MINUTE)
    response = client.get("/api/inbox/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Phiên làm việc đã hết hạn sau 15 phút không thao tác; vui lòng đăng nhập lại.",
        "code": "session_expired",
    }
    assert "_auth_user_id" not in client.session


def test_a_citizen_may_stay_idle_for_30_minutes_but_not_more(citizen: User, official: User) -> None:
    # Given a citizen idle for 20 minutes (an official would be logged out by now)
    client = logged_in(citizen, started_ago=25 * MINUTE, seen_ago=20 * MINUTE)
    # When they come back, they are still logged in
    response = client.get("/accounts/otp/")
    assert response.wsgi_request.user == citizen
    assert "_auth_user_id" in client.session
    # But after 31 minutes idle they are not
    client = logged_in(citizen, started_ago=40 * MINUTE, seen_ago=31 * MINUTE)
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_twelve_hours_after_login_the_session_ends_however_active(official: User) -> None:
    client = logged_in(official, started_ago=12 * 3600 + 1, seen_ago=10)
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Phiên làm việc đã quá 12 giờ; vui lòng đăng nhập lại."
    ]


def test_activity_keeps_the_session_and_rewrites_the_stamp_at_most_once_a_minute(
    official: User,
) -> None:
    # Given an official seen 30 seconds ago
    client = logged_in(official, started_ago=2 * 3600, seen_ago=30)
    started, seen = stamps(client)
    # When they open a page, the session lives and the stamp is not rewritten yet
    assert client.get("/inbox/").status_code == 200
    assert stamps(client) == (started, seen)
    # And 14 minutes after the last stamp a request renews it to now
    client = logged_in(official, started_ago=2 * 3600, seen_ago=14 * MINUTE)
    before = int(time.time())
    assert client.get("/inbox/").status_code == 200
    started_after, seen_after = stamps(client)
    assert seen_after >= before
    assert started_after <= before - 2 * 3600 + 1


def test_a_new_login_starts_both_clocks_without_a_write_on_the_next_request(
    official: User,
) -> None:
    before = int(time.time())
    client = Client()
    login(client, official)
    started, seen = stamps(client)
    assert started == seen and started >= before
    # The first request after the login reads the session and writes nothing back
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/inbox/").status_code == 200
    assert not [
        q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]
    ]
    assert stamps(client) == (started, seen)
