"""Managing client systems through /api/exchange/: officials only, scoped, 422 with nothing
written, secrets shown once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.clients import services
from lienthong.exchange.clients.models import ClientSystem, Credential, Grant

pytestmark = pytest.mark.django_db

POPULATION = "api.exchange.services.population"


@pytest.fixture
def world() -> dict[str, Any]:
    root = make_org_unit("UBND tỉnh thử")
    owner = make_org_unit("Công an tỉnh thử", parent=root)
    consumer = make_org_unit("Sở Y tế thử", parent=root)
    other = make_org_unit("Sở Xây dựng thử", parent=root)
    services.set_service_owner(POPULATION, owner, by=None)
    return {
        "consumer": consumer,
        "owner_leader": make_user(roles=[(Role.LEADER, owner)]),
        "admin": make_user(roles=[(Role.IT_ADMIN, consumer)]),
        "other_admin": make_user(roles=[(Role.IT_ADMIN, other)]),
        "citizen": make_user(),
    }


def _create(client: Client, world: dict[str, Any], **extra: Any) -> Any:
    data = {
        "code": "he-thong-y-te",
        "name": "Hệ thống y tế",
        "agency_id": world["consumer"].pk,
        "purpose": "Tra cứu",
        **extra,
    }
    return client.post("/api/exchange/clients", data, content_type="application/json")


def test_anonymous_and_citizens_are_refused(client: Client, world: dict[str, Any]) -> None:
    assert _create(client, world).status_code == 401
    login(client, world["citizen"])
    assert _create(client, world).status_code == 403
    assert client.get("/api/exchange/clients").status_code == 403
    assert not ClientSystem.objects.exists()


def test_register_issue_request_approve(client: Client, world: dict[str, Any]) -> None:
    login(client, world["admin"])
    created = _create(client, world)
    assert created.status_code == 201, created.content
    key = client.post(
        "/api/exchange/clients/he-thong-y-te/credentials",
        {"kind": "oauth"},
        content_type="application/json",
    ).json()
    credential = Credential.objects.get(key_id=key["key_id"])
    assert key["kind"] == "oauth" and credential.secret_hash == services.hash_secret(key["secret"])
    detail = client.get("/api/exchange/clients/he-thong-y-te").json()
    assert "secret" not in str(detail["credentials"]) and detail["credentials"][0]["usable"]
    asked = client.post(
        "/api/exchange/clients/he-thong-y-te/grants",
        {"service": POPULATION, "purpose": "Khám bệnh"},
        content_type="application/json",
    )
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    grant_id = asked.json()["id"]
    # The requester cannot approve; the owner agency's leader can.
    assert (
        client.post(
            f"/api/exchange/grants/{grant_id}/approve", {}, content_type="application/json"
        ).status_code
        == 403
    )
    login(client, world["owner_leader"])
    assert [
        g["id"] for g in client.get("/api/exchange/grants", {"status": "requested"}).json()
    ] == [grant_id]
    approved = client.post(
        f"/api/exchange/grants/{grant_id}/approve",
        {"note": "Đồng ý"},
        content_type="application/json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert Grant.objects.get().status == Grant.Status.APPROVED


def test_bad_input_is_422_and_nothing_is_written(client: Client, world: dict[str, Any]) -> None:
    login(client, world["admin"])
    response = _create(client, world, code="CÓ DẤU")
    assert response.status_code == 422 and "code" in response.json()["errors"]
    response = _create(client, world, agency_id=999_999)
    assert response.status_code == 422 and "agency_id" in response.json()["errors"]
    assert not ClientSystem.objects.exists()


def test_another_agency_sees_nothing(client: Client, world: dict[str, Any]) -> None:
    services.register_client(
        code="he-thong-y-te", name="x", agency=world["consumer"], purpose="y", by=None
    )
    login(client, world["other_admin"])
    assert client.get("/api/exchange/clients").json() == []
    assert client.get("/api/exchange/clients/he-thong-y-te").status_code == 404
    response = client.post(
        "/api/exchange/clients/he-thong-y-te/credentials", {}, content_type="application/json"
    )
    assert response.status_code == 404 and not Credential.objects.exists()


def test_rotate_and_revoke_by_api(client: Client, world: dict[str, Any]) -> None:
    system = services.register_client(
        code="he-thong-y-te", name="x", agency=world["consumer"], purpose="y", by=None
    )
    credential, key = services.issue_credential(system, by=None)
    login(client, world["admin"])
    rotated = client.post(
        f"/api/exchange/credentials/{credential.key_id}/rotate",
        {"grace_hours": 0},
        content_type="application/json",
    )
    assert rotated.status_code == 201
    assert services.authenticate_api_key(key) is None
    assert services.authenticate_api_key(rotated.json()["secret"]) is not None
    revoked = client.post(f"/api/exchange/credentials/{rotated.json()['key_id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert services.authenticate_api_key(rotated.json()["secret"]) is None
