"""A citizen's export of their own data: their dossier and files, their complaints without
the identity of others, never another citizen's data; only by themself; audit-logged."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client

from lienthong.complaints.testing import file_case, make_team
from lienthong.core.models import AuditEntry
from lienthong.core.testing_permissions import login
from lienthong.onestop.testing import make_citizen, make_dossier, make_procedure
from lienthong.privacy import services
from lienthong.privacy.testing import make_dpo

pytestmark = pytest.mark.django_db


def _zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def test_export_holds_my_dossier_and_not_another_citizens(client: Client) -> None:
    procedure = make_procedure()
    me, other = make_citizen(), make_citizen()
    mine = make_dossier(procedure=procedure, applicant=me, channel="online")
    theirs = make_dossier(procedure=procedure, applicant=other, channel="online")
    services.give_consents(subject=me, purposes=["dossier_handling"], by=me)
    login(client, me)
    response = client.get("/du-lieu-ca-nhan/tai-ve/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = _zip(response.content)
    names = archive.namelist()
    assert {"account.json", "onestop.json", "privacy.json", "README.txt"} <= set(names)
    onestop = json.loads(archive.read("onestop.json"))
    assert [d["code"] for d in onestop["dossiers"]] == [mine.code]
    everything = b"".join(archive.read(name) for name in names).decode("utf-8", "replace")
    assert theirs.code not in everything
    assert str(other.personal_id) not in everything
    assert other.email not in everything
    # the uploaded files come along
    uploaded = [n for n in names if n.startswith("files/onestop/")]
    assert len(uploaded) == mine.components.exclude(file="").count() == 2
    account = json.loads(archive.read("account.json"))
    assert account["personal_id"] == me.personal_id
    assert "password" not in account
    privacy = json.loads(archive.read("privacy.json"))
    assert [c["purpose"] for c in privacy["consents"]] == ["dossier_handling"]
    assert AuditEntry.objects.filter(action="privacy.export", actor_id=me.pk).count() == 1


def test_export_includes_my_complaints_without_the_respondent() -> None:
    team = make_team()
    case = file_case(team, respondent="Ông Trần Văn Bảo, cán bộ địa chính")
    content = services_export(team.citizen)
    complaints = json.loads(_zip(content).read("complaints.json"))
    assert [c["code"] for c in complaints["cases"]] == [case.code]
    assert "Trần Văn Bảo" not in json.dumps(complaints, ensure_ascii=False)


def services_export(user: object) -> bytes:
    from lienthong.privacy import exports

    return exports.export_own_data(user=user, by=user)  # type: ignore[arg-type]


def test_only_the_citizen_themself_exports(client: Client) -> None:
    me = make_citizen()
    dpo = make_dpo()
    assert client.get("/du-lieu-ca-nhan/tai-ve/").status_code == 302
    assert client.get("/api/privacy/export").status_code == 401
    login(client, dpo)
    assert client.get("/du-lieu-ca-nhan/tai-ve/").status_code == 403
    assert client.get("/api/privacy/export").status_code == 403
    with pytest.raises(Exception, match="Chỉ chủ thể dữ liệu"):
        from lienthong.privacy import exports

        exports.export_own_data(user=me, by=make_citizen())
    assert AuditEntry.objects.filter(action="privacy.export").count() == 0
    login(client, me)
    response = client.get("/api/privacy/export")
    assert response.status_code == 200
    assert "account.json" in _zip(response.content).namelist()
