"""The gateway's pages: the menu, registering a system, a key shown once, deciding grants,
and the message log with bodies for authorised officials only (each download audited)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.clients import services
from lienthong.exchange.clients.models import ClientSystem, Credential, Grant, ServiceOwner
from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.messagelog.models import MessageLogEntry

pytestmark = pytest.mark.django_db

POPULATION = "api.exchange.services.population"
DOSSIERS = "api.exchange.services.dossiers"


@pytest.fixture
def world() -> dict[str, Any]:
    root = make_org_unit("UBND tỉnh thử")
    owner = make_org_unit("Công an tỉnh thử", parent=root)
    consumer = make_org_unit("Sở Y tế thử", parent=root)
    other = make_org_unit("Sở Xây dựng thử", parent=root)
    services.set_service_owner(POPULATION, owner, by=None)
    return {
        "root": root,
        "consumer": consumer,
        "other": other,
        "platform_admin": make_user(roles=[(Role.IT_ADMIN, root)]),
        "owner_leader": make_user(roles=[(Role.LEADER, owner)]),
        "admin": make_user(roles=[(Role.IT_ADMIN, consumer)]),
        "leader": make_user(roles=[(Role.LEADER, consumer)]),
        "other_admin": make_user(roles=[(Role.IT_ADMIN, other)]),
        "specialist": make_user(roles=[(Role.SPECIALIST, consumer)]),
        "citizen": make_user(),
    }


def test_the_menu_has_lien_thong_for_officials_only(client: Client, world: dict[str, Any]) -> None:
    menu = '<a class="nav-link" href="/lien-thong/"'
    login(client, world["specialist"])
    assert menu in client.get("/").content.decode()
    login(client, world["citizen"])
    assert menu not in client.get("/").content.decode()
    assert client.get("/lien-thong/he-thong/").status_code == 403


def test_register_a_system_then_a_key_shown_once(client: Client, world: dict[str, Any]) -> None:
    login(client, world["admin"])
    page = client.get("/lien-thong/he-thong/dang-ky/").content.decode()
    assert world["consumer"].name in page and world["other"].name not in page
    bad = client.post(
        "/lien-thong/he-thong/dang-ky/",
        {"code": "x", "name": "y", "agency": world["consumer"].pk, "purpose": "z"},
    )
    assert bad.status_code == 200 and "Mã hệ thống gồm" in bad.content.decode()
    assert not ClientSystem.objects.exists()
    response = client.post(
        "/lien-thong/he-thong/dang-ky/",
        {
            "code": "he-thong-y-te",
            "name": "Hệ thống y tế",
            "agency": world["consumer"].pk,
            "purpose": "Tra cứu",
        },
    )
    assert (
        response.status_code == 302
        and response["Location"] == "/lien-thong/he-thong/he-thong-y-te/"
    )
    client.post("/lien-thong/he-thong/he-thong-y-te/khoa/", {"kind": "api_key", "label": "chính"})
    credential = Credential.objects.get()
    first = client.get("/lien-thong/he-thong/he-thong-y-te/").content.decode()
    assert "chỉ hiện một lần" in first and f"{credential.key_id}." in first
    second = client.get("/lien-thong/he-thong/he-thong-y-te/").content.decode()
    assert "chỉ hiện một lần" not in second and credential.key_id in second

    client.post(f"/lien-thong/he-thong/he-thong-y-te/khoa/{credential.key_id}/thu-hoi/")
    credential.refresh_from_db()
    assert credential.revoked_at is not None


def test_another_agency_cannot_touch_the_system(client: Client, world: dict[str, Any]) -> None:
    system, _key = make_client(world["consumer"], code="he-thong-y-te")
    login(client, world["other_admin"])
    assert client.get("/lien-thong/he-thong/he-thong-y-te/").status_code == 404
    assert (
        client.post("/lien-thong/he-thong/he-thong-y-te/khoa/", {"kind": "api_key"}).status_code
        == 404
    )
    assert Credential.objects.filter(client=system).count() == 1


def test_request_and_decide_a_grant_on_the_pages(client: Client, world: dict[str, Any]) -> None:
    make_client(world["consumer"], code="he-thong-y-te")
    login(client, world["admin"])
    client.post(
        "/lien-thong/he-thong/he-thong-y-te/quyen/",
        {"service": POPULATION, "operation": "", "purpose": "Khám bệnh"},
    )
    grant = Grant.objects.get(service=POPULATION)
    assert grant.status == Grant.Status.REQUESTED
    login(client, world["owner_leader"])
    page = client.get("/lien-thong/quyen/").content.decode()
    assert "he-thong-y-te" in page and "Khám bệnh" in page
    client.post(f"/lien-thong/quyen/{grant.pk}/tu-choi/", {"note": ""})
    grant.refresh_from_db()
    assert grant.status == Grant.Status.REQUESTED  # a refusal needs a reason
    client.post(f"/lien-thong/quyen/{grant.pk}/duyet/", {"note": "Đồng ý"})
    grant.refresh_from_db()
    assert grant.status == Grant.Status.APPROVED and grant.decided_by == world["owner_leader"]
    # Someone of neither agency cannot decide.
    login(client, world["other_admin"])
    assert client.post(f"/lien-thong/quyen/{grant.pk}/thu-hoi/").status_code == 404
    grant.refresh_from_db()
    assert grant.status == Grant.Status.APPROVED


def test_the_message_log_pages_and_bodies(client: Client, world: dict[str, Any]) -> None:
    system, key = make_client(world["consumer"], grants=[DOSSIERS], code="he-thong-y-te")
    theirs, their_key = make_client(world["other"], grants=[DOSSIERS])
    client.get("/api/exchange/services/dossiers/KHONG-CO", HTTP_X_API_KEY=key)
    client.get("/api/exchange/services/dossiers/CUA-HO", HTTP_X_API_KEY=their_key)
    mine = MessageLogEntry.objects.get(client_id=system.pk)

    login(client, world["specialist"])
    assert client.get("/lien-thong/nhat-ky/").status_code == 403

    login(client, world["leader"])
    html = client.get("/lien-thong/nhat-ky/").content.decode()
    assert "KHONG-CO" not in html and str(system) in html and str(theirs) not in html
    detail = client.get(f"/lien-thong/nhat-ky/{mine.pk}/").content.decode()
    assert mine.hash in detail and "Tải nội dung" not in detail
    assert client.get(f"/lien-thong/nhat-ky/{mine.pk}/request/").status_code == 403
    other_entry = MessageLogEntry.objects.exclude(pk=mine.pk).get()
    assert client.get(f"/lien-thong/nhat-ky/{other_entry.pk}/").status_code == 404

    login(client, world["admin"])
    before = AuditEntry.objects.filter(action="exchange.log.body_read").count()
    body = client.get(f"/lien-thong/nhat-ky/{mine.pk}/request/")
    assert (
        body.status_code == 200 and b"GET /api/exchange/services/dossiers/KHONG-CO" in body.content
    )
    response = client.get(f"/lien-thong/nhat-ky/{mine.pk}/response/")
    assert response["X-Content-SHA256"] == mine.response_digest
    assert AuditEntry.objects.filter(action="exchange.log.body_read").count() == before + 2

    login(client, world["platform_admin"])
    html = client.get("/lien-thong/nhat-ky/", {"client": theirs.code}).content.decode()
    assert str(theirs) in html and str(system) not in html
    html = client.get("/lien-thong/nhat-ky/", {"outcome": "ok"}).content.decode()
    assert "Không có bản ghi nào" in html  # both calls were 404s


def test_the_home_page(client: Client, world: dict[str, Any]) -> None:
    assert "Danh mục dịch vụ" in client.get("/lien-thong/").content.decode()
    login(client, world["admin"])
    html = client.get("/lien-thong/").content.decode()
    assert "/lien-thong/he-thong/" in html and "/lien-thong/nhat-ky/" in html


def test_the_platform_names_an_owner_on_the_service_page(
    client: Client, world: dict[str, Any]
) -> None:
    url = f"/lien-thong/danh-muc/{DOSSIERS}/"
    login(client, world["admin"])
    assert 'id="owner-form"' not in client.get(url).content.decode()
    assert client.post(url + "chu-quan/", {"agency": world["consumer"].pk}).status_code == 403
    login(client, world["platform_admin"])
    assert 'id="owner-form"' in client.get(url).content.decode()
    client.post(url + "chu-quan/", {"agency": world["consumer"].pk})
    assert ServiceOwner.objects.get(service=DOSSIERS).agency == world["consumer"]
    assert world["consumer"].name in client.get(url).content.decode()


def test_list_pages_take_a_fixed_number_of_queries(
    client: Client, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        system, key = make_client(world["consumer"], grants=[DOSSIERS], code=f"he-thong-{n}")
        services.request_grant(system, service=POPULATION, purpose="p", by=None)
        client.get("/api/exchange/services/dossiers/X", HTTP_X_API_KEY=key)
    login(client, world["platform_admin"])
    for url in ("/lien-thong/he-thong/", "/lien-thong/nhat-ky/", "/lien-thong/quyen/"):
        client.get(url)
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
