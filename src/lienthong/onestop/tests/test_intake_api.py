"""Intake API (/api/onestop/): submit, upload, mine, detail, counter, accept, refuse —
status codes (201, 401, 403, 404, 409, 422) and the permission contract."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core.clamd_testing import infected_pdf
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.onestop import intake
from lienthong.onestop.models import Dossier, DossierCounter, DossierStatus
from lienthong.onestop.testing import (
    TINY_PDF,
    make_agency,
    make_citizen,
    make_citizen_document,
    make_dossier,
    make_officer,
    make_procedure,
)

pytestmark = pytest.mark.django_db
API = "/api/onestop"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Procedures are kept per process by code; a rolled-back test's must not leak.
    intake.invalidate_catalogue_cache()
    yield
    intake.invalidate_catalogue_cache()


@pytest.fixture
def world() -> dict[str, Any]:
    here = make_agency("UBND phường Phú Hòa", code="000.00.06.H56")
    there = make_agency("UBND phường Hiệp Thành", code="000.00.07.H56")
    procedure = make_procedure(agencies=[here], code="1.001193")
    return {
        "here": here,
        "there": there,
        "procedure": procedure,
        "components": list(procedure.components.order_by("order")),
        "elsewhere": make_procedure(agencies=[there], code="1.004222"),
        "officer": make_officer(here),
        "other_officer": make_officer(there),
        "citizen": make_citizen(full_name="Nguyễn Thị Minh", personal_id="074185000123"),
    }


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def _submission(world: dict, **changes: Any) -> dict[str, Any]:
    first, second = world["components"][:2]
    payload: dict[str, Any] = {
        "procedure": "1.001193",
        "agency": "000.00.06.H56",
        "form_data": {"noi_dung": "Xin bản sao"},
        "components": [
            {
                "component_id": first.pk,
                "file": {"name": "to-khai.pdf", "content_base64": _b64(TINY_PDF)},
            },
            {
                "component_id": second.pk,
                "file": {"name": "cu-tru.pdf", "content_base64": _b64(TINY_PDF)},
            },
        ],
        "contact": {"phone": "0900000001"},
    }
    payload.update(changes)
    return payload


def _post(client: Client, url: str, payload: Any) -> Any:
    return client.post(url, payload, content_type="application/json")


def test_submit_online_as_json(client: Client, world: dict) -> None:
    citizen = world["citizen"]
    document = make_citizen_document(citizen)
    payload = _submission(world)
    payload["components"][1] = {
        "component_id": world["components"][1].pk,
        "reuse_document_id": document.pk,
    }
    login(client, citizen)
    response = _post(client, f"{API}/dossiers", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    dossier = Dossier.objects.get()
    assert body["code"] == dossier.code
    assert body["status"] == DossierStatus.NEW
    assert body["status_label"] == "Mới đăng ký"
    assert body["applicant"]["name"] == "Nguyễn Thị Minh"
    assert body["applicant"]["phone"] == "0900000001"
    assert body["form_data"] == {"noi_dung": "Xin bản sao"}
    assert [(c["has_file"], c["reused_document_id"]) for c in body["components"]] == [
        (True, None),
        (False, document.pk),
    ]
    assert body["lookup_url"].endswith(f"/tra-cuu/?ma={dossier.code}")
    assert [h["status"] for h in body["history"]] == [1]


def test_submit_errors_are_422_by_field_and_write_nothing(client: Client, world: dict) -> None:
    login(client, world["citizen"])
    first = world["components"][0]
    payload = _submission(
        world,
        agency="000.00.07.H56",
        components=[
            {"component_id": first.pk, "file": {"name": "x.pdf", "content_base64": "%%%"}},
            {"component_id": 999999},
        ],
    )
    response = _post(client, f"{API}/dossiers", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Dữ liệu không hợp lệ."
    assert body["errors"] == {
        "components": [
            "Thành phần số 1 “Tờ khai theo mẫu”: nội dung tệp không phải base64 hợp lệ.",
            "Thủ tục không có thành phần số 999999.",
        ]
    }
    # a well-formed request for the wrong agency, missing a component
    payload = _submission(world, agency="000.00.07.H56")
    payload["components"] = payload["components"][:1]
    body = _post(client, f"{API}/dossiers", payload).json()
    assert body["errors"] == {
        "agency": ["UBND phường Hiệp Thành không tiếp nhận thủ tục “1.001193”."],
        "components": [
            "Thiếu thành phần hồ sơ bắt buộc: Thành phần số 2 “Giấy tờ chứng minh nơi cư trú”."
        ],
    }
    unknown = _post(client, f"{API}/dossiers", _submission(world, procedure="9.999", agency="x"))
    assert unknown.json()["errors"] == {
        "procedure": ["Không có thủ tục mã “9.999”."],
        "agency": ["Không có cơ quan mã “x”."],
    }
    # a body that does not match the schema is 422 too
    assert _post(client, f"{API}/dossiers", {"procedure": 1}).status_code == 422
    assert Dossier.objects.count() == 0
    assert DossierCounter.objects.count() == 0


def test_submit_is_for_citizens(client: Client, world: dict) -> None:
    assert _post(client, f"{API}/dossiers", _submission(world)).status_code == 401
    login(client, world["officer"])
    response = _post(client, f"{API}/dossiers", _submission(world))
    assert response.status_code == 403
    assert Dossier.objects.count() == 0


def test_submit_with_files_as_multipart(client: Client, world: dict) -> None:
    # Given a citizen sending a scan too large to inline, as multipart form data
    citizen = world["citizen"]
    first, second = world["components"][:2]
    big_scan = TINY_PDF + b"%" * (3 * 1024 * 1024)
    payload = {
        "procedure": "1.001193",
        "agency": "000.00.06.H56",
        "components": [
            {"component_id": first.pk, "file_index": 0},
            {"component_id": second.pk, "file_index": 1},
        ],
    }
    login(client, citizen)
    response = client.post(
        f"{API}/dossiers/multipart",
        {
            "payload": json.dumps(payload),
            "files": [
                SimpleUploadedFile("to-khai.pdf", big_scan),
                SimpleUploadedFile("cu-tru.pdf", TINY_PDF),
            ],
        },
    )
    # Then the dossier is submitted with both files stored
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(code=response.json()["code"])
    stored = {c.component_id: c.file.size for c in dossier.components.all()}
    assert stored == {first.pk: len(big_scan), second.pk: len(TINY_PDF)}
    # and a missing file or a malformed payload is a 422 that writes nothing
    payload["components"][1]["file_index"] = 5  # type: ignore[index]
    bad = client.post(
        f"{API}/dossiers/multipart",
        {"payload": json.dumps(payload), "files": [SimpleUploadedFile("a.pdf", TINY_PDF)]},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "components": [
            "Thành phần số 2 “Giấy tờ chứng minh nơi cư trú”: không có tệp số 5 trong yêu cầu."
        ]
    }
    broken = client.post(
        f"{API}/dossiers/multipart",
        {"payload": "{not json", "files": [SimpleUploadedFile("a.pdf", TINY_PDF)]},
    )
    assert broken.status_code == 422
    assert list(broken.json()["errors"]) == ["payload"]
    assert Dossier.objects.count() == 1


def test_upload_a_component_as_multipart(client: Client, world: dict) -> None:
    citizen = world["citizen"]
    dossier = make_dossier(
        procedure=world["procedure"], applicant=citizen, channel="online", accepted=False
    )
    optional = world["components"][2]
    url = f"{API}/dossiers/{dossier.code}/components"
    login(client, citizen)
    response = client.post(
        url, {"component_id": optional.pk, "file": SimpleUploadedFile("uy-quyen.pdf", TINY_PDF)}
    )
    assert response.status_code == 201, response.content
    assert response.json()["component_id"] == optional.pk
    assert dossier.components.filter(component=optional).get().file
    bad = client.post(url, {"component_id": optional.pk, "file": SimpleUploadedFile("a.pdf", b"x")})
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["file"]

    # anonymous: 401; an official: 403; someone else's dossier: 404; after acceptance: 409
    def again() -> Any:
        data = {"component_id": optional.pk, "file": SimpleUploadedFile("a.pdf", TINY_PDF)}
        return client.post(url, data)

    client.logout()
    assert again().status_code == 401
    login(client, world["officer"])
    assert again().status_code == 403
    login(client, make_citizen())
    assert again().status_code == 404
    intake.accept(dossier=dossier, by=world["officer"])
    login(client, citizen)
    assert again().status_code == 409
    assert dossier.components.filter(component=optional).count() == 1


def test_the_catalogue_cache_follows_edits(client: Client, world: dict) -> None:
    # Given a procedure the API has read (and keeps)
    procedure = world["procedure"]
    assert intake.procedure_for_intake("1.001193") is intake.procedure_for_intake("1.001193")
    # When an administrator withdraws it, then the next submission is refused
    procedure.is_active = False
    procedure.save()
    login(client, world["citizen"])
    response = _post(client, f"{API}/dossiers", _submission(world))
    assert response.json()["errors"]["procedure"] == ["Thủ tục “1.001193” không còn áp dụng."]
    # and when another receiving agency is added, it is known at once
    procedure.is_active = True
    procedure.save()
    procedure.agencies.add(world["there"])
    cached = intake.procedure_for_intake("1.001193")
    assert cached is not None
    assert {a.code for a in cached.agencies.all()} == {"000.00.06.H56", "000.00.07.H56"}


def test_my_dossiers_and_one_dossier(client: Client, world: dict) -> None:
    citizen = world["citizen"]
    mine = make_dossier(procedure=world["procedure"], applicant=citizen, channel="online")
    other = make_dossier(procedure=world["procedure"], channel="online")
    login(client, citizen)
    listing = client.get(f"{API}/dossiers/mine")
    assert listing.status_code == 200
    assert [d["code"] for d in listing.json()["items"]] == [mine.code]
    assert client.get(f"{API}/dossiers/{mine.code}").json()["status"] == 4
    assert client.get(f"{API}/dossiers/{other.code}").status_code == 404
    assert client.get(f"{API}/dossiers/000.00.06.H56-000000-0000").status_code == 404
    login(client, world["officer"])
    assert client.get(f"{API}/dossiers/{other.code}").status_code == 200
    assert client.get(f"{API}/dossiers/mine").status_code == 403
    login(client, world["other_officer"])
    assert client.get(f"{API}/dossiers/{other.code}").status_code == 404
    receipt = client.get(f"{API}/dossiers/{other.code}/receipt")
    assert receipt.status_code == 404
    login(client, citizen)
    pdf = client.get(f"{API}/dossiers/{mine.code}/receipt")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")


def test_counter_intake_by_api(client: Client, world: dict) -> None:
    first, second = world["components"][:2]
    payload = {
        "procedure": "1.001193",
        "agency": "000.00.06.H56",
        "applicant": {"name": "Trần Văn An", "personal_id": "074085000123"},
        "components": [
            {"component_id": first.pk, "originals": 1, "copies": 0},
            {"component_id": second.pk, "originals": 0, "copies": 1},
        ],
    }
    login(client, world["officer"])
    response = _post(client, f"{API}/dossiers/counter", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == DossierStatus.PROCESSING
    assert body["channel"] == "counter"
    assert body["due_date"] is not None
    assert [h["status"] for h in body["history"]] == [2, 4]
    one = [payload["components"][0]]  # type: ignore[index]
    bad = _post(client, f"{API}/dossiers/counter", {**payload, "components": one})
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["components"]
    login(client, world["other_officer"])
    assert _post(client, f"{API}/dossiers/counter", payload).status_code == 403
    login(client, world["citizen"])
    assert _post(client, f"{API}/dossiers/counter", payload).status_code == 403
    assert Dossier.objects.count() == 1


def test_accept_and_refuse_by_api(client: Client, world: dict) -> None:
    first = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
    second = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
    login(client, world["officer"])
    accepted = client.post(f"{API}/dossiers/{first.code}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == DossierStatus.PROCESSING
    again = client.post(f"{API}/dossiers/{first.code}/accept")
    assert again.status_code == 409
    assert "không còn chờ tiếp nhận" in again.json()["detail"]
    empty = _post(client, f"{API}/dossiers/{second.code}/refuse", {"reasons": []})
    assert empty.status_code == 422
    assert empty.json()["errors"] == {"reasons": ["Hãy nêu lý do không tiếp nhận hồ sơ."]}
    refused = _post(client, f"{API}/dossiers/{second.code}/refuse", {"reasons": ["Thiếu ký"]})
    assert refused.status_code == 200
    assert refused.json()["refusal_reason"] == "Thiếu ký"
    late = _post(client, f"{API}/dossiers/{second.code}/refuse", {"reasons": "x"})
    assert late.status_code == 409


# --- Permission contract --------------------------------------------------------------------


class TestAcceptApiAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        mine = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
        theirs = make_dossier(procedure=world["elsewhere"], channel="online", accepted=False)
        return Access(
            url=f"{API}/dossiers/{mine.code}/accept",
            outside_url=f"{API}/dossiers/{theirs.code}/accept",
            allowed=world["officer"],
            denied=make_user(roles=[(Role.SPECIALIST, world["here"])]),
            method="post",
            data={},
            api=True,
            state=lambda: sorted(Dossier.objects.values_list("code", "status")),
        )


class TestRefuseApiAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        mine = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
        theirs = make_dossier(procedure=world["elsewhere"], channel="online", accepted=False)
        return Access(
            url=f"{API}/dossiers/{mine.code}/refuse",
            outside_url=f"{API}/dossiers/{theirs.code}/refuse",
            allowed=world["officer"],
            denied=make_user(roles=[(Role.LEADER, world["here"])]),
            method="post",
            data={"reasons": ["Thiếu chữ ký"]},
            api=True,
            state=lambda: sorted(Dossier.objects.values_list("code", "status")),
        )


def test_an_infected_component_is_refused_and_nothing_is_written(
    client: Client, world: dict, clamd: str, settings: Any
) -> None:
    # Given uploads scanned by a real clamd, and a submission whose second file is infected
    payload = _submission(world)
    payload["components"][1]["file"]["content_base64"] = _b64(infected_pdf())
    login(client, world["citizen"])
    # When it is sent
    response = _post(client, f"{API}/dossiers", payload)
    # Then it is a 422 naming the component and the signature, and nothing was stored
    assert response.status_code == 422
    (message,) = response.json()["errors"]["components"]
    assert "tệp có mã độc (LienThong.Test.Marker.UNOFFICIAL), không nhận." in message
    assert Dossier.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]
    # And the same submission with clean files goes through
    assert _post(client, f"{API}/dossiers", _submission(world)).status_code == 201
