"""Evidence files through the API: the same checks and permission as the checklist page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lienthong.core.clamd_testing import infected_pdf
from lienthong.core.models import AuditEntry
from lienthong.core.testing_permissions import login
from lienthong.ict.models import Compliance
from lienthong.ict.tests.conftest import Province

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _url(province: Province, item: str = "sao-luu") -> str:
    return f"/api/ict/agencies/{province.commune.code}/checklist/{item}/evidence"


def _stored_files() -> set[Path]:
    root = Path(django_settings.MEDIA_ROOT) / "ict"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _nothing_written(before: set[Path], audit: int) -> None:
    assert not Compliance.objects.exists()
    assert _stored_files() == before
    assert AuditEntry.objects.count() == audit


def test_upload_then_list_and_download(client: Client, province: Province, clamd: str) -> None:
    login(client, province.commune_clerk)
    upload = SimpleUploadedFile("Biên bản sao lưu.pdf", PDF, content_type="application/pdf")
    response = client.post(_url(province), {"file": upload, "status": "met", "note": "Hằng tuần"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["has_evidence"] is True and body["status"] == "met"
    assert body["evidence_name"] == "Biên bản sao lưu.pdf"
    answer = Compliance.objects.get()
    assert (answer.evidence.name or "").startswith("ict/evidence/") and answer.note == "Hằng tuần"

    # A second file without status or note keeps both and replaces the file.
    second = SimpleUploadedFile("lan-2.pdf", PDF + b"%2\n", content_type="application/pdf")
    assert client.post(_url(province), {"file": second}).status_code == 200
    answer.refresh_from_db()
    assert (answer.status, answer.note, answer.evidence_name) == ("met", "Hằng tuần", "lan-2.pdf")

    rows = client.get(f"/api/ict/agencies/{province.commune.code}/checklist").json()
    row = next(r for r in rows if r["item"] == "sao-luu")
    assert row["has_evidence"] is True and row["evidence_name"] == "lan-2.pdf"
    download = client.get(_url(province))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content == PDF + b"%2\n"
    assert "lan-2.pdf" in download["Content-Disposition"]
    assert client.get(_url(province, "nhat-ky")).status_code == 404  # no file on that item


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.pdf", infected_pdf(), "mã độc"),
        ("chuong-trinh.pdf", b"MZ\x90\x00 not a pdf", "chỉ nhận tệp"),
        ("rong.pdf", b"", "tệp rỗng"),
    ],
)
def test_a_bad_file_is_422_and_stores_nothing(
    client: Client, province: Province, clamd: str, name: str, data: bytes, message: str
) -> None:
    login(client, province.commune_clerk)
    before, audit = _stored_files(), AuditEntry.objects.count()
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    response = client.post(_url(province), {"file": upload, "status": "met"})
    assert response.status_code == 422, response.content
    assert message in " ".join(response.json()["errors"]["file"])
    _nothing_written(before, audit)


def test_a_file_too_big_is_422(client: Client, province: Province, settings: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "UPLOAD_MAX_BYTES": 1024}
    login(client, province.commune_clerk)
    before, audit = _stored_files(), AuditEntry.objects.count()
    upload = SimpleUploadedFile("lon.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client.post(_url(province), {"file": upload, "status": "met"})
    assert response.status_code == 422
    assert "vượt quá giới hạn" in " ".join(response.json()["errors"]["file"])
    _nothing_written(before, audit)


def test_missing_file_status_or_item(client: Client, province: Province) -> None:
    login(client, province.commune_clerk)
    before, audit = _stored_files(), AuditEntry.objects.count()
    response = client.post(_url(province), {"status": "met"})
    assert response.status_code == 422 and "file" in response.json()["errors"]
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = client.post(_url(province), {"file": upload})  # a new answer needs a status
    assert response.status_code == 422 and "status" in response.json()["errors"]
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    assert client.post(_url(province, "khong-co"), {"file": upload}).status_code == 404
    _nothing_written(before, audit)


def test_not_allowed_stores_nothing(client: Client, province: Province) -> None:
    before, audit = _stored_files(), AuditEntry.objects.count()
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    assert client.post(_url(province), {"file": upload, "status": "met"}).status_code == 401
    # A leader above the commune sees its checklist but may not write it: 403.
    login(client, province.leader)
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    assert client.post(_url(province), {"file": upload, "status": "met"}).status_code == 403
    # An official of another agency does not see it at all: 404.
    login(client, province.department_specialist)
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    assert client.post(_url(province), {"file": upload, "status": "met"}).status_code == 404
    _nothing_written(before, audit)
