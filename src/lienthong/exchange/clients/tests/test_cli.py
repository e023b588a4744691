"""`lienthong clients …` from register to an approved grant; errors exit 2, nothing written."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit
from lienthong.exchange.clients import services
from lienthong.exchange.clients.grants import is_granted
from lienthong.exchange.clients.models import ClientSystem, Credential, Grant, ServiceOwner

pytestmark = pytest.mark.django_db

POPULATION = "api.exchange.services.population"


def run(*args: str) -> str:
    out = StringIO()
    call_command("clients", *args, stdout=out)
    return out.getvalue()


def test_the_whole_life_of_a_system_from_the_command_line() -> None:
    agency = make_org_unit("Sở Y tế thử")
    owner = make_org_unit("Công an tỉnh thử")
    assert agency.code and owner.code
    run("owner", POPULATION, owner.code)
    assert ServiceOwner.objects.get(service=POPULATION).agency == owner
    run(
        "register",
        "--code",
        "he-thong-y-te",
        "--name",
        "Hệ thống y tế",
        "--agency",
        agency.code,
        "--purpose",
        "Tra cứu",
        "--rate-limit",
        "100",
    )
    system = ClientSystem.objects.get(code="he-thong-y-te")
    assert system.rate_limit == 100
    printed = run("key", "he-thong-y-te")
    key = printed.split("X-API-Key: ")[1].strip()
    assert services.authenticate_api_key(key) is not None
    printed = run("key", "he-thong-y-te", "--oauth")
    client_id = printed.split("client_id: ")[1].split()[0]
    secret = printed.split("client_secret: ")[1].strip()
    assert services.issue_token(client_id, secret) is not None

    run("grant", "he-thong-y-te", POPULATION, "--purpose", "Khám bệnh")
    grant = Grant.objects.get()
    assert f"{grant.pk}\the-thong-y-te\t{POPULATION}\t*\trequested" in run("grants")
    run("approve", str(grant.pk), "--note", "Đồng ý")
    assert is_granted(system, POPULATION)
    assert "approved" in run("show", "he-thong-y-te")

    key_id = key.split(".")[0]
    rotated = run("rotate", key_id, "--grace-hours", "0")
    assert services.authenticate_api_key(key) is None
    assert services.authenticate_api_key(rotated.split("X-API-Key: ")[1].strip()) is not None
    run("revoke", str(grant.pk))
    assert not is_granted(system, POPULATION)
    run("status", "he-thong-y-te", "suspended")
    assert ClientSystem.objects.get().status == "suspended"
    assert AuditEntry.objects.filter(actor_repr="lienthong clients").exists()


def test_errors_exit_2_and_write_nothing() -> None:
    agency = make_org_unit("Sở Y tế thử")
    assert agency.code
    before = (ClientSystem.objects.count(), Credential.objects.count(), AuditEntry.objects.count())
    with pytest.raises(CommandError) as raised:
        run("register", "--code", "X Y", "--name", "n", "--agency", agency.code, "--purpose", "p")
    assert raised.value.returncode == 2 and "code" in str(raised.value)
    with pytest.raises(CommandError) as raised:
        run("register", "--code", "abc", "--name", "n", "--agency", "nope", "--purpose", "p")
    assert raised.value.returncode == 2
    with pytest.raises(CommandError):
        run("key", "khong-co")
    assert (
        ClientSystem.objects.count(),
        Credential.objects.count(),
        AuditEntry.objects.count(),
    ) == before
