"""Shared permission tests for pages and API endpoints (NetBox's permission test bases).

An app's test declares the URL of an object in scope, the same URL for an object outside the
allowed user's scope, a user holding the right and one lacking it; it then gets four tests:

- anonymous: a page redirects to the login page, the API answers 401;
- a user without the right: 403;
- a user with the right: 200 (or `ok_status`);
- a user with the right, for an object outside their scope: 404, the same as a missing one.

A refused request must change nothing: give `state`, a function returning what the request
would change (e.g. the task's status), and it is compared before and after.

    class TestTaskDetailAccess(PermissionContract):
        @pytest.fixture
        def access(self, db) -> Access:
            unit, other = make_org_unit(), make_org_unit()
            mine, theirs = make_task(unit), make_task(other)
            return Access(
                url=f"/inbox/{mine.pk}/",
                outside_url=f"/inbox/{theirs.pk}/",
                allowed=make_user(roles=[(Role.SPECIALIST, unit)]),
                denied=make_user(roles=[(Role.CITIZEN, None)]),
            )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user: Any) -> TOTPDevice:
    """The user's confirmed TOTP device, created if they have none (as if set up earlier)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def current_totp_code(user: Any) -> str:
    """The code the user's authenticator app shows now, for a test that types it in.

    A code is accepted once (django-otp refuses a replay); tests log the same user in several
    times a minute, so the device forgets the last code it accepted before each new one.
    """
    device = totp_device(user)
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return f"{totp(device.bin_key, t0=device.t0, step=device.step):06d}"


def login(client: Client, user: Any) -> None:
    """Log `user` in on the test client; an official also passes the second factor."""
    client.force_login(user)
    if user.needs_second_factor:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()


@dataclass(frozen=True)
class Access:
    """One endpoint under test: where it is, for whom it is meant, and how to call it."""

    url: str
    outside_url: str
    allowed: Any
    denied: Any
    method: str = "get"
    data: dict[str, Any] | None = None
    api: bool = False
    ok_status: int = 200
    state: Callable[[], object] | None = field(default=None, compare=False)


def send(client: Client, access: Access, url: str) -> HttpResponse:
    """Call the endpoint the way its kind expects (JSON for the API, a form for pages)."""
    call = getattr(client, access.method.lower())
    kwargs: dict[str, Any] = {}
    if access.data is not None:
        kwargs["data"] = access.data
        if access.api and access.method.lower() != "get":
            kwargs["content_type"] = "application/json"
    response: HttpResponse = call(url, **kwargs)
    return response


def _unchanged(access: Access, do: Callable[[], HttpResponse]) -> HttpResponse:
    before = access.state() if access.state else None
    response = do()
    if access.state:
        assert access.state() == before, "a refused request changed something"
    return response


def check_anonymous(client: Client, access: Access) -> None:
    """No login: the API says 401; a page sends the visitor to log in and come back."""
    client.logout()
    response = _unchanged(access, lambda: send(client, access, access.url))
    if access.api:
        assert response.status_code == 401, response.content
        return
    assert response.status_code == 302, response.content
    target = urlsplit(response["Location"])
    assert target.path == resolve_url(settings.LOGIN_URL)
    assert parse_qs(target.query) == {"next": [access.url]}


def check_denied(client: Client, access: Access) -> None:
    """A user without the right gets 403 and changes nothing."""
    login(client, access.denied)
    response = _unchanged(access, lambda: send(client, access, access.url))
    assert response.status_code == 403, response.content


def check_allowed(client: Client, access: Access) -> None:
    """A user with the right gets `ok_status`."""
    login(client, access.allowed)
    response = send(client, access, access.url)
    assert response.status_code == access.ok_status, response.content


def check_outside_scope(client: Client, access: Access) -> None:
    """A user with the right, for an object of another unit: 404, and nothing changes."""
    login(client, access.allowed)
    response = _unchanged(access, lambda: send(client, access, access.outside_url))
    assert response.status_code == 404, response.content


class PermissionContract:
    """Subclass in a test module (as `Test…`) and define an `access` fixture."""

    @pytest.fixture
    def access(self) -> Access:
        raise NotImplementedError("define an `access` fixture returning Access(...)")

    def test_anonymous_is_sent_to_login(self, db: None, client: Client, access: Access) -> None:
        check_anonymous(client, access)

    def test_user_without_the_right_gets_403(
        self, db: None, client: Client, access: Access
    ) -> None:
        check_denied(client, access)

    def test_user_with_the_right_gets_ok(self, db: None, client: Client, access: Access) -> None:
        check_allowed(client, access)

    def test_object_outside_scope_gets_404(self, db: None, client: Client, access: Access) -> None:
        check_outside_scope(client, access)
