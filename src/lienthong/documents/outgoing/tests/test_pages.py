"""Pages under /van-ban/di/ and the `lienthong outgoing` command."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from lienthong.core.testing_permissions import login
from lienthong.documents.outgoing import signing
from lienthong.documents.outgoing.models import OutgoingDocument, OutgoingStatus, TrustedRoot
from lienthong.documents.outgoing.testing import PASSPHRASE, World, draft, issued, stored_bytes

pytestmark = pytest.mark.django_db
BASE = "/van-ban/di"


def test_list_shows_only_visible_documents(client: Client, world: World, pdf: bytes) -> None:
    mine = draft(world, pdf, subject="Kế hoạch của văn phòng")
    login(client, world.drafter)
    page = client.get(f"{BASE}/")
    assert page.status_code == 200
    assert "Kế hoạch của văn phòng" in page.content.decode()
    login(client, world.outsider)
    assert "Kế hoạch của văn phòng" not in client.get(f"{BASE}/").content.decode()
    assert client.get(f"{BASE}/{mine.pk}/").status_code == 404


def test_anonymous_goes_to_login(client: Client, world: World) -> None:
    response = client.get(f"{BASE}/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "dang-nhap" in response["Location"]


def test_new_draft_from_the_form(client: Client, world: World, pdf: bytes) -> None:
    login(client, world.drafter)
    assert client.get(f"{BASE}/moi/").status_code == 200
    response = client.post(
        f"{BASE}/moi/",
        {
            "drafting_unit": world.office.pk,
            "document_type": world.letter.pk,
            "subject": "Công văn về việc thử nghiệm",
            "urgency": 1,
            "secrecy": 0,
            "internal": [world.other.pk],
            "external": "000.00.00.G12 | Bộ Thử Nghiệm\n | Báo Tỉnh",
            "main_file": io.BytesIO(pdf),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    document = OutgoingDocument.objects.get()
    assert response["Location"] == f"{BASE}/{document.pk}/"
    assert [(r.organ_id, r.name, r.electronic) for r in document.recipients.all()] == [
        ("000.00.21.H98", "Sở Tư pháp", True),
        ("000.00.00.G12", "Bộ Thử Nghiệm", True),
        ("", "Báo Tỉnh", False),
    ]
    assert document.files.count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "Công văn về việc thử nghiệm" in detail
    assert 'id="action-submit"' in detail


def test_bad_external_line_is_a_form_error(client: Client, world: World) -> None:
    login(client, world.drafter)
    response = client.post(
        f"{BASE}/moi/",
        {
            "drafting_unit": world.office.pk,
            "document_type": world.letter.pk,
            "subject": "Công văn",
            "urgency": 0,
            "secrecy": 0,
            "external": "Bộ không có mã",
        },
    )
    assert response.status_code == 200
    assert "Dòng 1: viết “mã định danh | tên cơ quan”." in response.content.decode()
    assert OutgoingDocument.objects.count() == 0


def test_steps_from_the_page(client: Client, world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    login(client, world.drafter)
    client.post(f"{BASE}/{document.pk}/submit/", {"submit-reviewer": world.reviewer.pk})
    document.refresh_from_db()
    assert document.status == OutgoingStatus.UNDER_REVIEW
    # Someone who may not approve is refused and nothing changes
    response = client.post(f"{BASE}/{document.pk}/approve/", {"approve-signer": world.signer.pk})
    assert response.status_code == 403
    login(client, world.reviewer)
    client.post(f"{BASE}/{document.pk}/approve/", {"approve-signer": world.signer.pk})
    login(client, world.signer)
    wrong = client.post(f"{BASE}/{document.pk}/sign/", {"sign-passphrase": "sai"})
    assert wrong.status_code == 200
    assert "sai mật khẩu" in wrong.content.decode()
    document.refresh_from_db()
    assert document.status == OutgoingStatus.APPROVED
    client.post(f"{BASE}/{document.pk}/sign/", {"sign-passphrase": PASSPHRASE})
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED
    # The clerk sees the numbering button, then numbers, issues and sends from the page
    login(client, world.clerk)
    assert 'id="action-number"' in client.get(f"{BASE}/{document.pk}/").content.decode()
    client.post(f"{BASE}/{document.pk}/number/")
    client.post(f"{BASE}/{document.pk}/issue/", {"issue-copies": "3"})
    client.post(f"{BASE}/{document.pk}/send/")
    document.refresh_from_db()
    assert (document.status, document.number_notation, document.copies) == (
        OutgoingStatus.SENT,
        "01/QĐ-UBND",
        3,
    )
    page = client.get(f"{BASE}/{document.pk}/").content.decode()
    assert "Sở Tư pháp" in page and "Đã gửi" in page


def test_register_page_and_pdf(client: Client, world: World, pdf: bytes) -> None:
    issued(world, pdf)
    login(client, world.clerk)
    year = str(timezone.localdate().year)
    page = client.get(f"{BASE}/so-dang-ky/", {"agency": str(world.agency.pk), "year": year})
    assert page.status_code == 200
    text = page.content.decode()
    assert "01/QĐ-UBND" in text
    assert "Đơn vị, người nhận bản lưu" in text
    exported = client.get(
        f"{BASE}/so-dang-ky/", {"agency": str(world.agency.pk), "year": year, "format": "pdf"}
    )
    assert exported["Content-Type"] == "application/pdf"
    assert exported.content.startswith(b"%PDF-")


def test_verify_page(client: Client, world: World, pdf: bytes) -> None:
    document = issued(world, pdf)
    login(client, world.outsider)
    signed_pdf = stored_bytes(document, "signed")
    page = client.post(f"{BASE}/kiem-tra-chu-ky/", {"file": io.BytesIO(signed_pdf)})
    assert "Chữ ký số hợp lệ, nội dung nguyên vẹn" in page.content.decode()
    bad = client.post(f"{BASE}/kiem-tra-chu-ky/", {"file": io.BytesIO(b"abc")})
    assert "Tệp không phải PDF." in bad.content.decode()


def test_command_certificates_trust_and_verify(
    world: World, pdf: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # generate-test makes and trusts a test CA, and a certificate for the user
    call_command("outgoing", "cert", "generate-test", "--user", "vanthu", "--passphrase", "1234")
    assert "Đã lưu chứng thư số của Phạm Thị Văn Thư" in capsys.readouterr().out
    assert TrustedRoot.objects.filter(is_test=True).count() == 1
    # verify: a PDF signed by an unknown CA is intact but not trusted (exit 1)
    stranger = signing.make_test_authority("CA lạ")
    p12 = signing.make_test_signer(stranger, "Người Lạ", "x")
    path = tmp_path / "la.pdf"
    path.write_bytes(signing.sign_pdf(pdf, p12=p12, passphrase="x"))
    with pytest.raises(SystemExit) as caught:
        call_command("outgoing", "verify", str(path))
    assert caught.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["intact"], report["trusted"], report["signer"]) == (True, False, "Người Lạ")
    # trust add makes it trusted (exit 0)
    ca = tmp_path / "ca.pem"
    ca.write_text(stranger.pem())
    call_command("outgoing", "trust", "add", str(ca), "--name", "CA lạ")
    capsys.readouterr()
    call_command("outgoing", "verify", str(path))
    assert json.loads(capsys.readouterr().out)["trusted"] is True
    # bad input: exit 2 with a message
    with pytest.raises(SystemExit) as bad:
        call_command("outgoing", "verify", str(tmp_path / "khong-co.pdf"))
    assert bad.value.code == 2
    assert "Không đọc được tệp" in capsys.readouterr().err


def test_command_register_and_reindex(
    world: World, pdf: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issued(world, pdf)
    output = tmp_path / "so.xlsx"
    call_command(
        "outgoing", "register", "--agency", world.agency.code, "--format", "xlsx", "-o", str(output)
    )
    assert "(1 văn bản)" in capsys.readouterr().out
    assert output.read_bytes().startswith(b"PK")
    call_command("outgoing", "reindex")
    assert "Đã dựng lại chỉ mục cho 1 văn bản đi." in capsys.readouterr().out


def test_list_query_count_does_not_grow_with_documents(client: Client, world: World) -> None:
    draft(world)
    login(client, world.clerk)
    client.get(f"{BASE}/")  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{BASE}/").status_code == 200
    for _n in range(4):
        draft(world)
    with CaptureQueriesContext(connection) as five:
        page = client.get(f"{BASE}/")
    assert page.content.decode().count("Quyết định ban hành quy chế làm việc") == 5
    assert len(five.captured_queries) == len(one.captured_queries)
