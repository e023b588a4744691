"""The documents pages: register by form (duplicate warning), the register and its files,
a document's actions, the search page; 404 for what the user may not see."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lienthong.core.testing_permissions import login
from lienthong.documents import services
from lienthong.documents.models import DocumentType, IncomingDocument
from lienthong.documents.tests.conftest import World, data

pytestmark = pytest.mark.django_db


def _form(world: World, **extra: object) -> dict[str, object]:
    return {
        "agency": world.agency.pk,
        "issuer": "Ủy ban nhân dân tỉnh",
        "code_number": "88",
        "code_notation": "UBND-KT",
        "issued_date": str(timezone.localdate()),
        "document_type": DocumentType.objects.get(code="CV").pk,
        "subject": "Về việc báo cáo tình hình kinh tế - xã hội",
        "urgency": "0",
        "secrecy": "0",
        **extra,
    }


def test_the_clerk_registers_by_form_and_is_warned_of_a_duplicate(
    client: Client, world: World
) -> None:
    login(client, world.clerk)
    assert client.get("/van-ban/den/them/").status_code == 200
    answer = client.post("/van-ban/den/them/", _form(world))
    document = IncomingDocument.objects.get()
    assert answer.status_code == 302 and answer["Location"] == document.get_absolute_url()
    again = client.post("/van-ban/den/them/", _form(world))
    assert again.status_code == 200
    page = again.content.decode()
    assert "đã vào sổ (số đến 1)" in page and 'name="confirm_duplicate"' in page
    assert IncomingDocument.objects.count() == 1
    confirmed = client.post("/van-ban/den/them/", _form(world, confirm_duplicate="on"))
    assert confirmed.status_code == 302 and IncomingDocument.objects.count() == 2
    login(client, world.specialist_a)
    assert client.get("/van-ban/den/them/").status_code == 403


def test_register_page_detail_actions_and_files(client: Client, world: World) -> None:
    document = services.register_incoming(
        agency=world.agency,
        data=data(),
        files=[
            services.NewFile(name="scan.pdf", data=b"%PDF-1.4 scan", content_type="application/pdf")
        ],
        by=world.clerk,
    )
    login(client, world.clerk)
    page = client.get("/van-ban/den/").content.decode()
    assert "123/UBND-VP" in page and 'id="register-xlsx"' in page
    year = timezone.localdate().year
    xlsx = client.get("/van-ban/den/so.xlsx", {"agency": world.agency.pk, "year": year})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/van-ban/den/so.doc", {"agency": world.agency.pk}).status_code == 404
    login(client, world.leader)
    detail = client.get(document.get_absolute_url()).content.decode()
    assert 'id="incoming-assign"' in detail
    deadline = str(timezone.localdate() + datetime.timedelta(days=3))
    answer = client.post(
        f"{document.get_absolute_url()}phan-cong/",
        {"lead_unit": world.division_a.pk, "deadline": deadline, "instruction": "Xử lý gấp."},
    )
    assert answer.status_code == 302
    document.refresh_from_db()
    assert document.status == IncomingDocument.Status.ASSIGNED
    login(client, world.specialist_a)
    detail = client.get(document.get_absolute_url()).content.decode()
    assert 'id="incoming-complete"' in detail and "scan.pdf" in detail
    file_pk = document.files.get().pk
    download = client.get(f"{document.get_absolute_url()}tep/{file_pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 scan"  # type: ignore[attr-defined]
    client.post(f"{document.get_absolute_url()}hoan-thanh/", {"text": "Đã báo cáo."})
    document.refresh_from_db()
    assert document.status == IncomingDocument.Status.DONE
    login(client, world.specialist_b)
    assert client.get(document.get_absolute_url()).status_code == 404
    assert client.get(f"{document.get_absolute_url()}tep/{file_pk}/").status_code == 404
    assert client.get("/van-ban/den/so.xlsx", {"agency": world.agency.pk}).status_code == 404


def test_search_page(client: Client, world: World) -> None:
    services.register_incoming(agency=world.agency, data=data(), by=world.clerk)
    login(client, world.clerk)
    page = client.get("/van-ban/tim-kiem/", {"q": "cai cach hanh chinh"}).content.decode()
    assert "Tìm thấy 1 văn bản" in page and "123/UBND-VP" in page
    page = client.get(
        "/van-ban/tim-kiem/", {"q": "cai cach", "direction": "outgoing"}
    ).content.decode()
    assert "Không tìm thấy văn bản nào." in page
    page = client.get("/van-ban/tim-kiem/", {"q": "!!!"}).content.decode()
    assert "Hãy nhập từ khóa" in page
    login(client, world.outsider)
    page = client.get("/van-ban/tim-kiem/", {"q": "cai cach"}).content.decode()
    assert "Không tìm thấy văn bản nào." in page
    assert client.get("/van-ban/").status_code == 200


def test_admin_lists_types_and_documents_read_only(
    client: Client, world: World, django_user_model: Any
) -> None:
    services.register_incoming(agency=world.agency, data=data(), by=world.clerk)
    admin = django_user_model.objects.create_superuser(
        "quantri-vb", password="x-admin-12345", kind="official"
    )
    login(client, admin)
    assert client.get("/admin/documents/documenttype/").status_code == 200
    listing = client.get("/admin/documents/incomingdocument/")
    assert listing.status_code == 200 and "Về việc triển khai" in listing.content.decode()
    assert client.get("/admin/documents/incomingdocument/add/").status_code == 403
