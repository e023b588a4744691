"""Sensitive files: an official's download is logged once, the owner's is not, a refused one
logs and serves nothing; the log cannot be changed; who sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login
from lienthong.onestop.testing import (
    make_agency,
    make_citizen,
    make_dossier,
    make_officer,
    make_procedure,
)
from lienthong.privacy.models import SensitiveAccess
from lienthong.privacy.testing import make_dpo

pytestmark = pytest.mark.django_db

ID_CARD = "Bản sao Căn cước công dân"


@pytest.fixture
def world() -> dict[str, Any]:
    agency, elsewhere = make_agency(), make_agency()
    procedure = make_procedure(
        agencies=[agency],
        components=[("Tờ khai theo mẫu", True, 1, 0), (ID_CARD, True, 0, 1)],
    )
    procedure.components.filter(name=ID_CARD).update(sensitive=True)
    citizen = make_citizen()
    dossier = make_dossier(procedure=procedure, applicant=citizen, channel="online")
    files = {c.name: c for c in dossier.components.all()}
    return {
        "agency": agency,
        "citizen": citizen,
        "dossier": dossier,
        "officer": make_officer(agency),
        "stranger": make_officer(elsewhere),
        "id_url": f"/motcua/ho-so/{dossier.code}/giay-to/{files[ID_CARD].pk}/",
        "form_url": f"/motcua/ho-so/{dossier.code}/giay-to/{files['Tờ khai theo mẫu'].pk}/",
        "id_component": files[ID_CARD],
    }


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_an_officials_download_is_logged_once(client: Client, world: dict) -> None:
    login(client, world["officer"])
    response = client.get(world["id_url"])
    assert response.status_code == 200
    assert _body(response).startswith(b"%PDF")
    entry = SensitiveAccess.objects.get()
    assert (entry.actor, entry.subject, entry.record, entry.agency, entry.what) == (
        world["officer"],
        world["citizen"],
        world["dossier"].code,
        world["agency"],
        ID_CARD,
    )
    assert entry.object_ref == f"onestop.dossiercomponent:{world['id_component'].pk}"
    assert entry.purpose == f"GET {world['id_url']}"
    assert entry.subject_personal_id == world["citizen"].personal_id
    # a file that is not sensitive is not logged
    assert client.get(world["form_url"]).status_code == 200
    assert SensitiveAccess.objects.count() == 1


def test_the_owner_reading_their_own_file_is_not_logged(client: Client, world: dict) -> None:
    login(client, world["citizen"])
    response = client.get(world["id_url"])
    assert response.status_code == 200
    assert SensitiveAccess.objects.count() == 0


def test_a_refused_access_logs_nothing_and_serves_nothing(client: Client, world: dict) -> None:
    login(client, world["stranger"])
    response = client.get(world["id_url"])
    assert response.status_code == 404
    assert not getattr(response, "streaming", False)
    login(client, make_citizen())
    assert client.get(world["id_url"]).status_code == 404
    client.logout()
    assert client.get(world["id_url"]).status_code == 302
    assert SensitiveAccess.objects.count() == 0


def test_entries_cannot_be_changed_or_deleted(client: Client, world: dict) -> None:
    login(client, world["officer"])
    client.get(world["id_url"])
    entry = SensitiveAccess.objects.get()
    entry.purpose = "sửa"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    admin = make_user(is_superuser=True, is_staff=True, kind="official")
    login(client, admin)
    url = f"/admin/privacy/sensitiveaccess/{entry.pk}/"
    assert client.get("/admin/privacy/sensitiveaccess/").status_code == 200
    assert client.post(url + "change/", {"purpose": "sửa"}).status_code == 403
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.purpose == f"GET {world['id_url']}"


def test_who_sees_the_log(client: Client, world: dict) -> None:
    login(client, world["officer"])
    client.get(world["id_url"])
    # the citizen sees who accessed their data
    login(client, world["citizen"])
    page = client.get("/du-lieu-ca-nhan/").content.decode()
    assert world["dossier"].code in page
    mine = client.get("/api/privacy/accesses/mine").json()
    assert [row["record"] for row in mine] == [world["dossier"].code]
    assert client.get("/du-lieu-ca-nhan/nhat-ky-truy-cap/").status_code == 403
    assert client.get("/api/privacy/accesses").status_code == 403
    # another citizen sees nothing of it
    login(client, make_citizen())
    assert world["dossier"].code not in client.get("/du-lieu-ca-nhan/").content.decode()
    # an official outside the data-protection unit: 403
    login(client, world["officer"])
    assert client.get("/du-lieu-ca-nhan/nhat-ky-truy-cap/").status_code == 403
    # the unit (it_admin of the agency's top-level unit) sees it, with filters
    login(client, make_dpo(world["agency"]))
    page = client.get(
        "/du-lieu-ca-nhan/nhat-ky-truy-cap/", {"record": world["dossier"].code}
    ).content.decode()
    assert world["officer"].username in page
    empty = client.get("/api/privacy/accesses", {"actor": "nobody"}).json()
    assert empty == []
    rows = client.get("/api/privacy/accesses", {"record": world["dossier"].code}).json()
    assert [row["actor"] for row in rows] == [world["officer"].username]
    # it_admin of an unrelated top-level unit sees none of this agency's rows
    login(client, make_dpo())
    assert client.get("/api/privacy/accesses").json() == []
