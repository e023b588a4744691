"""Intake pages through the test client: counter, queue, accept/refuse, online, my dossiers,
slips and files — with the permission contract on each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lienthong.accounts.models import Role
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


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world() -> dict[str, Any]:
    """Two agencies, each with a procedure and an officer; a citizen."""
    here = make_agency("UBND phường Phú Hòa", code="000.00.06.H56")
    there = make_agency("UBND phường Hiệp Thành", code="000.00.07.H56")
    procedure = make_procedure(
        agencies=[here], code="1.001193", name="Cấp bản sao trích lục hộ tịch"
    )
    elsewhere = make_procedure(agencies=[there], code="1.004222", name="Đăng ký khai tử")
    return {
        "here": here,
        "there": there,
        "procedure": procedure,
        "elsewhere": elsewhere,
        "officer": make_officer(here, "motcua"),
        "other_officer": make_officer(there, "motcua2"),
        "citizen": make_citizen("congdan", full_name="Nguyễn Thị Minh", phone="0912345678"),
    }


def _counter_post(procedure: Any, agency: Any, *, tick: tuple[int, ...] = (1, 2)) -> dict:
    data: dict[str, Any] = {
        "agency": agency.pk,
        "applicant_kind": "person",
        "applicant_name": "Trần Văn An",
        "applicant_personal_id": "074085000123",
        "applicant_address": "12 Đường 30/4",
        "applicant_phone": "0274 3822 123",
        "applicant_email": "an@example.vn",
        "note": "Xin 2 bản sao",
    }
    for component in procedure.components.all():
        prefix = f"c{component.pk}"
        if component.order in tick:
            data[f"{prefix}_received"] = "on"
        data[f"{prefix}_originals"] = "1"
        data[f"{prefix}_copies"] = "0"
    return data


# --- Counter --------------------------------------------------------------------------------


def test_the_officer_finds_a_procedure_without_accents(client: Client, world: dict) -> None:
    login(client, world["officer"])
    response = client.get("/motcua/tiep-nhan/", {"q": "cap ban sao"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cấp bản sao trích lục hộ tịch" in html
    assert "/motcua/tiep-nhan/1.001193/" in html
    # another agency's procedure is not offered
    assert "Đăng ký khai tử" not in html
    partial = client.get("/motcua/tiep-nhan/", {"q": "1.001193"}, HTTP_HX_REQUEST="true")
    assert 'id="procedure-list"' in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_counter_intake_through_the_page(client: Client, world: dict) -> None:
    procedure, here = world["procedure"], world["here"]
    login(client, world["officer"])
    form = client.get("/motcua/tiep-nhan/1.001193/")
    assert form.status_code == 200
    assert "Giấy tờ chứng minh nơi cư trú" in form.content.decode()
    # When the officer ticks the required components and submits
    response = client.post("/motcua/tiep-nhan/1.001193/", _counter_post(procedure, here))
    # Then the dossier is received and the page offers its receipt
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/motcua/tiep-nhan/da-nhan/{dossier.code}/"
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.form_data == {"noi_dung": "Xin 2 bản sao"}
    assert dossier.components.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert dossier.code in page
    assert f"/motcua/ho-so/{dossier.code}/giay-tiep-nhan.pdf" in page
    assert f"{dossier.due_date:%d/%m/%Y}" in page
    # and leads on to the dossier's own page
    assert f'href="/motcua/ho-so/{dossier.code}/" id="open-dossier"' in page
    assert client.get(f"/motcua/ho-so/{dossier.code}/").status_code == 200


def test_counter_form_errors_name_the_missing_component(client: Client, world: dict) -> None:
    login(client, world["officer"])
    data = _counter_post(world["procedure"], world["here"], tick=(1,))
    data["applicant_personal_id"] = "123"
    response = client.post("/motcua/tiep-nhan/1.001193/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert (
        "Thiếu thành phần hồ sơ bắt buộc: Thành phần số 2 “Giấy tờ chứng minh nơi cư trú”." in html
    )
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số" in html
    assert Dossier.objects.count() == 0
    assert DossierCounter.objects.count() == 0


# --- Queue, accept, refuse ------------------------------------------------------------------


def test_the_queue_lists_only_the_officers_agencies(client: Client, world: dict) -> None:
    mine = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
    theirs = make_dossier(procedure=world["elsewhere"], channel="online", accepted=False)
    make_dossier(procedure=world["procedure"])  # already received: not waiting
    login(client, world["officer"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/motcua/cho-tiep-nhan/")
    html = response.content.decode()
    assert mine.code in html
    assert theirs.code not in html
    assert html.count("/motcua/cho-tiep-nhan/000.") == 1
    assert len(queries) <= 10


def test_accept_and_refuse_through_the_page(client: Client, world: dict) -> None:
    first = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
    second = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
    login(client, world["officer"])
    review = client.get(f"/motcua/cho-tiep-nhan/{first.code}/").content.decode()
    assert "Tiếp nhận hồ sơ" in review
    assert f"/motcua/ho-so/{first.code}/giay-to/" in review
    # accept
    response = client.post(f"/motcua/cho-tiep-nhan/{first.code}/tiep-nhan/")
    assert response["Location"] == f"/motcua/tiep-nhan/da-nhan/{first.code}/"
    assert Dossier.objects.get(pk=first.pk).status == DossierStatus.PROCESSING
    # accepting twice is refused with a message, nothing changes
    again = client.post(f"/motcua/cho-tiep-nhan/{first.code}/tiep-nhan/", follow=True)
    assert "không còn chờ tiếp nhận" in again.content.decode()
    # refuse without a reason: the form says so
    empty = client.post(f"/motcua/cho-tiep-nhan/{second.code}/tu-choi/", {"reasons": " "})
    assert empty.status_code == 422
    assert Dossier.objects.get(pk=second.pk).status == DossierStatus.NEW
    # refuse with reasons
    response = client.post(
        f"/motcua/cho-tiep-nhan/{second.code}/tu-choi/", {"reasons": "Tờ khai chưa ký"}
    )
    assert response.status_code == 302
    refused = Dossier.objects.get(pk=second.pk)
    assert (refused.status, refused.refusal_reason) == (DossierStatus.REFUSED, "Tờ khai chưa ký")
    page = client.get(response["Location"]).content.decode()
    assert f"/motcua/ho-so/{second.code}/phieu-tu-choi.pdf" in page


# --- Online and "my dossiers" ---------------------------------------------------------------


def test_online_submission_through_the_page(client: Client, world: dict) -> None:
    citizen = world["citizen"]
    document = make_citizen_document(citizen, "Giấy xác nhận cư trú")
    components = list(world["procedure"].components.order_by("order"))
    login(client, citizen)
    form = client.get("/motcua/nop-ho-so/1.001193/").content.decode()
    # pre-filled from the account; the proven ID cannot be edited
    assert 'value="0912345678"' in form
    assert 'value="Nguyễn Thị Minh"' in form
    assert "Giấy xác nhận cư trú" in form
    response = client.post(
        "/motcua/nop-ho-so/1.001193/",
        {
            "agency": world["here"].pk,
            "applicant_phone": "0900000001",
            "content": "Xin 1 bản sao",
            "consent": "on",
            f"c{components[0].pk}_file": SimpleUploadedFile("tờ khai.pdf", TINY_PDF),
            f"c{components[1].pk}_reuse": str(document.pk),
        },
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/motcua/ho-so-cua-toi/{dossier.code}/"
    assert (dossier.status, dossier.applicant, dossier.applicant_phone) == (
        DossierStatus.NEW,
        citizen,
        "0900000001",
    )
    assert dossier.components.get(component=components[1]).reused_document == document
    detail = client.get(response["Location"]).content.decode()
    assert dossier.code in detail
    assert "Mới đăng ký" in detail


def test_online_form_reports_a_bad_file(client: Client, world: dict) -> None:
    components = list(world["procedure"].components.order_by("order"))
    login(client, world["citizen"])
    response = client.post(
        "/motcua/nop-ho-so/1.001193/",
        {
            "agency": world["here"].pk,
            "consent": "on",
            f"c{components[0].pk}_file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00"),
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "chỉ nhận tệp PDF" in html
    assert "Giấy tờ chứng minh nơi cư trú" in html
    assert Dossier.objects.count() == 0


def test_my_dossiers_lists_only_mine(client: Client, world: dict) -> None:
    citizen = world["citizen"]
    mine = [
        make_dossier(procedure=world["procedure"], applicant=citizen, channel="online")
        for _ in range(3)
    ]
    other = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
    login(client, citizen)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/motcua/ho-so-cua-toi/").content.decode()
    assert all(d.code in html for d in mine)
    assert other.code not in html
    assert len(queries) <= 8
    assert client.get(f"/motcua/ho-so-cua-toi/{other.code}/").status_code == 404


# --- Slips and files ------------------------------------------------------------------------


def test_slips_and_files_for_the_applicant_and_officials_in_scope(
    client: Client, world: dict
) -> None:
    citizen = world["citizen"]
    dossier = make_dossier(procedure=world["procedure"], applicant=citizen, channel="online")
    component = dossier.components.order_by("pk").first()
    assert component is not None
    receipt = f"/motcua/ho-so/{dossier.code}/giay-tiep-nhan.pdf"
    download = f"/motcua/ho-so/{dossier.code}/giay-to/{component.pk}/"
    specialist = make_user(roles=[(Role.SPECIALIST, world["here"])])
    for user in (citizen, world["officer"], specialist):
        login(client, user)
        response = client.get(receipt)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        file = client.get(download)
        assert file.status_code == 200
        assert b"".join(file.streaming_content) == TINY_PDF  # type: ignore[attr-defined]
        assert file["Content-Disposition"].startswith("attachment;")
        assert file["Cache-Control"] == "private, no-store"
    for stranger in (make_citizen(), world["other_officer"]):
        login(client, stranger)
        assert client.get(receipt).status_code == 404
        assert client.get(download).status_code == 404
    client.logout()
    for url in (receipt, download):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    # a dossier still awaiting acceptance has no receipt; only a refused one a refusal slip
    new = make_dossier(
        procedure=world["procedure"], applicant=citizen, channel="online", accepted=False
    )
    login(client, citizen)
    assert client.get(f"/motcua/ho-so/{new.code}/giay-tiep-nhan.pdf").status_code == 404
    assert client.get(f"/motcua/ho-so/{new.code}/phieu-tu-choi.pdf").status_code == 404
    intake.refuse(dossier=new, reasons=["Thiếu chữ ký"], by=world["officer"])
    refusal = client.get(f"/motcua/ho-so/{new.code}/phieu-tu-choi.pdf")
    assert refusal.status_code == 200 and refusal.content.startswith(b"%PDF-")


def test_files_have_no_public_url(world: dict) -> None:
    from django.conf import settings

    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"
    dossier = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
    name = dossier.components.order_by("pk").first().file.name  # type: ignore[union-attr]
    assert Client().get(f"/media/{name}").status_code == 404
    assert Client().get(f"/{name}").status_code == 404


# --- Permission contract --------------------------------------------------------------------


class TestCounterFormAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        return Access(
            url="/motcua/tiep-nhan/1.001193/",
            outside_url="/motcua/tiep-nhan/1.004222/",
            allowed=world["officer"],
            denied=make_user(roles=[(Role.SPECIALIST, world["here"])]),
        )


class TestCounterPostAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        return Access(
            url="/motcua/tiep-nhan/1.001193/",
            outside_url="/motcua/tiep-nhan/1.004222/",
            allowed=world["officer"],
            denied=world["citizen"],
            method="post",
            data=_counter_post(world["procedure"], world["here"]),
            ok_status=302,
            state=lambda: Dossier.objects.count(),
        )


class TestQueueAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        theirs = make_dossier(procedure=world["elsewhere"], channel="online", accepted=False)
        return Access(
            url="/motcua/cho-tiep-nhan/",
            outside_url=f"/motcua/cho-tiep-nhan/{theirs.code}/",
            allowed=world["officer"],
            denied=world["citizen"],
        )


class TestReviewAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        mine = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
        theirs = make_dossier(procedure=world["elsewhere"], channel="online", accepted=False)
        return Access(
            url=f"/motcua/cho-tiep-nhan/{mine.code}/",
            outside_url=f"/motcua/cho-tiep-nhan/{theirs.code}/",
            allowed=world["officer"],
            denied=make_user(roles=[(Role.LEADER, world["here"])]),
        )


class TestAcceptAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        mine = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
        theirs = make_dossier(procedure=world["elsewhere"], channel="online", accepted=False)
        return Access(
            url=f"/motcua/cho-tiep-nhan/{mine.code}/tiep-nhan/",
            outside_url=f"/motcua/cho-tiep-nhan/{theirs.code}/tiep-nhan/",
            allowed=world["officer"],
            denied=make_user(roles=[(Role.SPECIALIST, world["here"])]),
            method="post",
            ok_status=302,
            state=lambda: sorted(Dossier.objects.values_list("code", "status")),
        )


class TestRefuseAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        mine = make_dossier(procedure=world["procedure"], channel="online", accepted=False)
        theirs = make_dossier(procedure=world["elsewhere"], channel="online", accepted=False)
        return Access(
            url=f"/motcua/cho-tiep-nhan/{mine.code}/tu-choi/",
            outside_url=f"/motcua/cho-tiep-nhan/{theirs.code}/tu-choi/",
            allowed=world["officer"],
            denied=world["citizen"],
            method="post",
            data={"reasons": "Thiếu chữ ký"},
            ok_status=302,
            state=lambda: sorted(Dossier.objects.values_list("code", "status")),
        )


class TestOnlineFormAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        orphan = make_procedure(agencies=[], code="2.000001")
        return Access(
            url="/motcua/nop-ho-so/1.001193/",
            outside_url=f"/motcua/nop-ho-so/{orphan.code}/",
            allowed=world["citizen"],
            denied=world["officer"],
        )


class TestMyDossierAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: dict) -> Access:
        mine = make_dossier(
            procedure=world["procedure"], applicant=world["citizen"], channel="online"
        )
        theirs = make_dossier(procedure=world["procedure"], channel="online")
        return Access(
            url=f"/motcua/ho-so-cua-toi/{mine.code}/",
            outside_url=f"/motcua/ho-so-cua-toi/{theirs.code}/",
            allowed=world["citizen"],
            denied=world["officer"],
        )


# --- Admin ----------------------------------------------------------------------------------


def test_the_admin_shows_dossiers_read_only(client: Client, world: dict) -> None:
    dossier = make_dossier(procedure=world["procedure"])
    admin = make_user("quantri", is_staff=True, is_superuser=True)
    login(client, admin)
    listing = client.get("/admin/onestop/dossier/")
    assert listing.status_code == 200
    assert dossier.code in listing.content.decode()
    page = client.get(f"/admin/onestop/dossier/{dossier.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hồ sơ được tiếp nhận" in html  # the history inline
    assert 'name="_save"' not in html
    assert client.get("/admin/onestop/dossier/add/").status_code == 403
    before = Dossier.objects.get(pk=dossier.pk).status
    response = client.post(f"/admin/onestop/dossier/{dossier.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).status == before
