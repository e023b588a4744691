"""Outgoing documents API: the journey, and 422 / 409 / 403 / 404 with nothing written."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from lienthong.core.testing_permissions import login
from lienthong.documents.outgoing.models import OutgoingDocument, OutgoingStatus
from lienthong.documents.outgoing.testing import PASSPHRASE, World, draft, issued

pytestmark = pytest.mark.django_db
BASE = "/api/documents/outgoing"


def as_user(client: Client, user: object) -> Client:
    login(client, user)
    return client


def test_journey_through_the_api(client: Client, world: World, pdf: bytes) -> None:
    # Draft with its PDF
    as_user(client, world.drafter)
    created = client.post(
        f"{BASE}/",
        {
            "drafting_unit": world.office.pk,
            "document_type": "QĐ",
            "subject": "Quyết định thử qua API",
            "recipients": [{"agency": world.other.code}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    uploaded = client.post(
        f"{BASE}/{pk}/files",
        {"file": io.BytesIO(pdf), "kind": "main"},
    )
    assert uploaded.status_code == 201, uploaded.content
    assert [f["kind"] for f in uploaded.json()["files"]] == ["main"]
    submitted = client.post(
        f"{BASE}/{pk}/submit", {"reviewer": world.reviewer.pk}, content_type="application/json"
    )
    assert submitted.json()["status"] == "under_review"
    # Review and sign
    as_user(client, world.reviewer)
    approved = client.post(
        f"{BASE}/{pk}/approve", {"signer": world.signer.pk}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    as_user(client, world.signer)
    body = client.post(
        f"{BASE}/{pk}/sign", {"passphrase": PASSPHRASE}, content_type="application/json"
    ).json()
    assert (body["status"], body["signer"]) == ("signed", "Nguyễn Văn Ký")
    # Number, issue, send
    as_user(client, world.clerk)
    assert client.post(f"{BASE}/{pk}/number").json()["number_notation"] == "01/QĐ-UBND"
    issued_body = client.post(f"{BASE}/{pk}/issue", {}, content_type="application/json").json()
    assert issued_body["status"] == "issued"
    sent = client.post(f"{BASE}/{pk}/send").json()
    assert sent["status"] == "sent"
    assert sent["recipients"][0]["state"] in ("delivered", "accepted")
    # The signed file downloads and verifies
    signed_file = next(f for f in sent["files"] if f["kind"] == "signed")
    download = client.get(signed_file["url"])
    assert download.status_code == 200
    data = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    check = client.post("/api/documents/verify-pdf", {"file": io.BytesIO(data)})
    assert check.status_code == 200
    assert check.json()["trusted"] is True
    assert check.json()["signer"] == "Nguyễn Văn Ký"


def test_bad_draft_is_422_per_field_and_nothing_written(client: Client, world: World) -> None:
    as_user(client, world.drafter)
    response = client.post(
        f"{BASE}/",
        {"drafting_unit": world.office.pk, "document_type": "QĐ", "subject": ""},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["body", "subject"], "msg": "Hãy nhập trích yếu nội dung.", "type": "invalid"}
    ]
    unknown = client.post(
        f"{BASE}/",
        {"drafting_unit": world.office.pk, "document_type": "XX", "subject": "A"},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["body", "document_type"]
    assert OutgoingDocument.objects.count() == 0


def test_wrong_state_is_409(client: Client, world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    as_user(client, world.clerk)
    response = client.post(f"{BASE}/{document.pk}/number")
    assert response.status_code == 409
    document.refresh_from_db()
    assert document.number is None


def test_wrong_person_is_403(client: Client, world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    as_user(client, world.reviewer)  # sees it (office leader) but is not the drafter
    response = client.post(
        f"{BASE}/{document.pk}/submit",
        {"reviewer": world.reviewer.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.status == OutgoingStatus.DRAFT


def test_wrong_passphrase_is_422(client: Client, world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    from lienthong.documents.outgoing import services

    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    services.approve(document, signer=world.signer, by=world.reviewer)
    as_user(client, world.signer)
    response = client.post(
        f"{BASE}/{document.pk}/sign", {"passphrase": "sai"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "passphrase"]
    document.refresh_from_db()
    assert document.status == OutgoingStatus.APPROVED


def test_other_agency_gets_404_and_anonymous_401(client: Client, world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    assert client.get(f"{BASE}/{document.pk}").status_code == 401
    as_user(client, world.outsider)
    assert client.get(f"{BASE}/{document.pk}").status_code == 404
    assert client.post(f"{BASE}/{document.pk}/send").status_code == 404
    assert client.get(f"{BASE}/").json() == []


def test_register_json_and_xlsx(client: Client, world: World, pdf: bytes) -> None:
    document = issued(world, pdf)
    as_user(client, world.clerk)
    year = str(timezone.localdate().year)
    code = world.agency.code or ""
    body = client.get(f"{BASE}/register", {"agency": code, "year": year}).json()
    assert len(body["columns"]) == 10
    assert body["columns"][0] == "Số, ký hiệu văn bản"
    assert [row[0] for row in body["rows"]] == [document.number_notation]
    assert body["rows"][0][3] == "Nguyễn Văn Ký"
    assert body["rows"][0][4] == "Sở Tư pháp"
    xlsx = client.get(f"{BASE}/register", {"agency": code, "year": year, "format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "01/QĐ-UBND" in cells
    bad = client.get(f"{BASE}/register", {"agency": code, "year": year, "format": "x"})
    assert bad.status_code == 422


def test_verify_pdf_refuses_what_is_not_a_pdf(client: Client, world: World) -> None:
    as_user(client, world.clerk)
    response = client.post("/api/documents/verify-pdf", {"file": io.BytesIO(b"hello")})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["body", "file"], "msg": "Tệp không phải PDF.", "type": "invalid"}
    ]
