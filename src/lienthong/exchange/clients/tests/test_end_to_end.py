"""The issue's "done when", over real HTTP: a second system registered as a client is granted
a service by the owner agency, gets an OAuth2 token, calls the service, is refused what it was
not granted, and every exchange is in a log that verifies (and a tampered one does not)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lienthong.accounts.models import Role
from lienthong.core.audit import append_only_guard_disabled
from lienthong.core.testing import make_user
from lienthong.exchange.clients import services
from lienthong.exchange.clients.models import ClientSystem, Credential
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.registries.base.models import DataAccess
from lienthong.registries.population.testing import make_person, make_world

pytestmark = pytest.mark.django_db(transaction=True)

POPULATION = "api.exchange.services.population"


def _http(
    method: str, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_a_second_system_is_granted_calls_and_everything_is_logged(live_server: Any) -> None:
    world = make_world()
    owner_leader = make_user(roles=[(Role.LEADER, world.owner)])
    consumer_admin = make_user(roles=[(Role.IT_ADMIN, world.reader_agency)])
    services.set_service_owner(POPULATION, world.owner, by=None)
    person = make_person(world.owner, full_name="Trần Thị Bình")

    system = services.register_client(
        code="he-thong-b",
        name="Hệ thống B",
        agency=world.reader_agency,
        purpose="Liên thông thử",
        by=consumer_admin,
    )
    credential, secret = services.issue_credential(
        system, kind=Credential.Kind.OAUTH, by=consumer_admin
    )
    base = live_server.url
    url = (
        f"{base}/api/exchange/services/population/persons/{person.personal_id}?"
        + urllib.parse.urlencode({"purpose": "Xác minh nhân thân"})
    )

    def token() -> str:
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": credential.key_id,
                "client_secret": secret,
            }
        ).encode()
        status, _h, body = _http(
            "POST",
            f"{base}/api/exchange/token",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 200, body
        return str(body["access_token"])

    bearer = {"Authorization": f"Bearer {token()}"}
    status, _h, body = _http("GET", url, headers=bearer)
    assert status == 403 and "chưa được cấp quyền" in body["detail"]

    grant = services.request_grant(
        system, service=POPULATION, purpose="Xác minh nhân thân", by=consumer_admin
    )
    services.approve_grant(grant, by=owner_leader, note="Đồng ý")
    status, _h, body = _http("GET", url, headers=bearer)
    assert status == 200 and body["full_name"] == "Trần Thị Bình"
    assert DataAccess.objects.get().client_system_id == system.pk

    status, _h, body = _http("GET", f"{base}/api/exchange/me", headers=bearer)
    assert status == 200 and body["grants"][0]["status"] == "approved"

    services.set_client_status(system, ClientSystem.Status.SUSPENDED, by=consumer_admin)
    status, headers, _body = _http("GET", url, headers=bearer)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")

    log = list(
        MessageLogEntry.objects.filter(chain="api")
        .order_by("seq")
        .values_list("operation", "status")
    )
    assert log == [
        ("exchange_token", 200),
        ("exchange_population_person", 403),
        ("exchange_population_person", 200),
        ("exchange_me", 200),
        ("exchange_population_person", 401),
    ]
    out = StringIO()
    call_command("exchange", "verify", "--bodies", stdout=out)
    assert "Chuỗi api: 5 bản ghi toàn vẹn" in out.getvalue()

    with append_only_guard_disabled():
        MessageLogEntry.objects.filter(chain="api", seq=3).update(status=204)
    with pytest.raises(CommandError) as raised:
        call_command("exchange", "verify", stdout=StringIO(), stderr=StringIO())
    assert raised.value.returncode == 1
