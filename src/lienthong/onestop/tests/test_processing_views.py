"""The processing pages: the officials' dossier page and its actions, the applicant's actions,
slips and files — who sees what, and nothing written when an action is refused."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lienthong.core.testing_permissions import login
from lienthong.onestop import processing, results
from lienthong.onestop.models import Channel, Dossier, DossierStatus
from lienthong.onestop.testing import TINY_PDF, make_citizen, make_citizen_document
from lienthong.onestop.testing_processing import Team, footprint, make_team, moment

pytestmark = pytest.mark.django_db


def _as(user: Any) -> Client:
    client = Client()
    login(client, user)
    return client


def _page(code: str) -> str:
    return f"/motcua/ho-so/{code}/"


def _processed(team: Team, **kwargs: Any) -> Dossier:
    dossier = team.dossier(**kwargs)
    processing.forward_dossier(dossier, by=team.specialist)
    processing.forward_dossier(dossier, by=team.leader)
    return dossier


def _pdf_text(content: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_the_specialist_sees_the_dossier_and_their_actions() -> None:
    team = make_team()
    dossier = team.dossier()

    response = _as(team.specialist).get(_page(dossier.code))

    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.applicant_name in html
    assert "Hoàn thành bước “Thụ lý, thẩm định hồ sơ” và chuyển tiếp" in html
    assert 'id="action-forward"' in html and 'id="action-supplement"' in html
    assert 'id="action-stop"' in html
    assert 'id="action-upload_result"' not in html
    assert dossier.due_date is not None
    assert dossier.due_date.strftime("%d/%m/%Y") in html  # the appointment
    assert response.context["actions"] == frozenset(
        {"forward", "handover", "obligation", "supplement", "stop"}
    )


def test_the_page_takes_a_bounded_number_of_queries() -> None:
    team = make_team()
    dossier = team.dossier()
    client = _as(team.specialist)
    client.get(_page(dossier.code))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(_page(dossier.code)).status_code == 200

    assert len(queries) <= 35


def test_who_may_open_the_page() -> None:
    team = make_team()
    dossier = team.dossier()
    url = _page(dossier.code)

    anonymous = Client().get(url)
    assert (anonymous.status_code, anonymous["Location"].startswith("/accounts/login/")) == (
        302,
        True,
    )
    assert _as(make_team().specialist).get(url).status_code == 404
    assert _as(make_citizen()).get(url).status_code == 403
    assert _as(team.officer).get("/motcua/ho-so/000.00.00.H00-000000-0000/").status_code == 404


def test_forwarding_from_the_page() -> None:
    team = make_team()
    dossier = team.dossier()

    response = _as(team.specialist).post(
        f"{_page(dossier.code)}chuyen-buoc/", {"forward-note": "Hồ sơ hợp lệ."}
    )

    assert (response.status_code, response["Location"]) == (302, _page(dossier.code))
    dossier.refresh_from_db()
    assert dossier.history.order_by("-pk")[0].internal_note.endswith("Hồ sơ hợp lệ.")


def test_a_second_click_on_a_stale_page_is_409_not_a_second_forward() -> None:
    team = make_team()
    team.specialist.role_assignments.create(role="leader", org_unit=team.agency)
    dossier = team.dossier()
    client = _as(team.specialist)
    shown = client.get(_page(dossier.code)).context["task"]
    assert (
        client.post(f"{_page(dossier.code)}chuyen-buoc/", {"forward-task": shown.pk}).status_code
        == 302
    )
    before = footprint(dossier)

    # the same form sent again: the specialist also leads, so without the check the leader's
    # step would be approved by accident
    response = client.post(f"{_page(dossier.code)}chuyen-buoc/", {"forward-task": shown.pk})

    assert response.status_code == 409
    assert "Hồ sơ đã được chuyển sang bước khác trong lúc bạn xem" in response.content.decode()
    assert footprint(dossier) == before


def test_a_refused_forward_is_403_and_writes_nothing() -> None:
    team = make_team()
    dossier = team.dossier()
    before = footprint(dossier)

    response = _as(team.leader).post(f"{_page(dossier.code)}chuyen-buoc/", {"forward-note": ""})

    assert response.status_code == 403
    assert footprint(dossier) == before


def test_a_forward_in_the_wrong_state_is_409_with_the_reason() -> None:
    team = make_team()
    dossier = _processed(team)
    before = footprint(dossier)

    response = _as(team.officer).post(f"{_page(dossier.code)}chuyen-buoc/", {})

    assert response.status_code == 409
    assert "đang ở trạng thái “Đã xử lý xong”, không thực hiện được thao tác này." in (
        response.content.decode()
    )
    assert footprint(dossier) == before


def test_an_empty_supplement_request_shows_the_errors_and_writes_nothing() -> None:
    team = make_team()
    dossier = team.dossier()
    before = footprint(dossier)

    response = _as(team.specialist).post(
        f"{_page(dossier.code)}yeu-cau-bo-sung/", {"supplement-items": "", "supplement-reason": ""}
    )

    assert response.status_code == 422
    form = response.context["forms"]["supplement"]
    assert set(form.errors) == {"items", "reason"}
    assert response.context["open_action"] == "supplement"
    assert footprint(dossier) == before


def test_supplement_request_and_its_slip() -> None:
    team = make_team()
    dossier = team.dossier()
    client = _as(team.specialist)

    response = client.post(
        f"{_page(dossier.code)}yeu-cau-bo-sung/",
        {"supplement-items": "Sơ đồ thửa đất\nBản sao CCCD", "supplement-reason": "Thiếu"},
    )

    assert response.status_code == 302
    supplement = dossier.supplements.get()
    assert supplement.items == ["Sơ đồ thửa đất", "Bản sao CCCD"]
    slip = client.get(f"{_page(dossier.code)}phieu-bo-sung/{supplement.pk}.pdf")
    assert (slip.status_code, slip["Content-Type"]) == (200, "application/pdf")
    text = _pdf_text(slip.content)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "1. Sơ đồ thửa đất" in text and "2. Bản sao CCCD" in text
    assert "Lý do: Thiếu" in text
    assert "Thời hạn giải quyết được tính lại từ đầu sau khi nhận đủ hồ sơ" in text


def test_the_other_agency_acts_after_a_hand_over() -> None:
    team = make_team()
    other = make_team("Sở Xây dựng thử")
    dossier = team.dossier()
    page = _page(dossier.code)
    assert _as(other.specialist).get(page).status_code == 404

    response = _as(team.specialist).post(
        f"{page}chuyen-co-quan/",
        {"handover-agency": other.agency.pk, "handover-note": "Đề nghị thẩm định"},
    )

    assert response.status_code == 302
    seen = _as(other.specialist).get(page)
    assert seen.status_code == 200
    assert "Sở Xây dựng thử" in seen.content.decode()
    assert "forward" in seen.context["actions"]


def test_the_apology_form_appears_only_when_late_and_gives_a_pdf() -> None:
    team = make_team()
    dossier = team.dossier(at=moment("2026-02-02 09:00"))
    client = _as(team.specialist)
    # the dossier is long overdue today
    assert "apology" in client.get(_page(dossier.code)).context["actions"]

    response = client.post(
        f"{_page(dossier.code)}xin-loi/",
        {"apology-reason": "Chờ ý kiến phối hợp", "apology-days": "2"},
    )

    assert response.status_code == 302
    letter = dossier.apologies.get()
    pdf = client.get(f"{_page(dossier.code)}phieu-xin-loi/{letter.pk}.pdf")
    assert pdf.status_code == 200
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in _pdf_text(pdf.content)
    assert "apology" not in client.get(_page(dossier.code)).context["actions"]


def test_no_apology_form_for_a_dossier_on_time() -> None:
    team = make_team(time_limit=200)
    dossier = team.dossier()

    response = _as(team.specialist).get(_page(dossier.code))

    assert "apology" not in response.context["actions"]
    assert "còn trong hạn và không có nguy cơ trễ hạn" in response.content.decode()


def test_result_upload_return_and_download() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = _processed(team, channel="online", applicant=citizen)
    page = _page(dossier.code)

    uploaded = _as(team.leader).post(
        f"{page}ket-qua/",
        {
            "upload_result-title": "Giấy phép",
            "upload_result-number": "",
            "upload_result-file": SimpleUploadedFile("gp.pdf", TINY_PDF),
        },
    )
    assert uploaded.status_code == 302
    # the applicant cannot take it before it is returned
    mine = f"/motcua/ho-so-cua-toi/{dossier.code}/ket-qua/"
    assert _as(citizen).get(mine).status_code == 404
    assert _as(team.officer).get(f"{page}tep-ket-qua/").status_code == 200

    returned = _as(team.officer).post(
        f"{page}tra-ket-qua/", {"return_result-channel": Channel.ONLINE}
    )
    assert returned.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    download = _as(citizen).get(mine)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == TINY_PDF  # type: ignore[attr-defined]
    assert download["Cache-Control"] == "private, no-store"
    assert _as(make_citizen()).get(mine).status_code == 404


def test_a_bad_result_file_is_refused_on_the_form() -> None:
    team = make_team()
    dossier = _processed(team)
    before = footprint(dossier)

    response = _as(team.leader).post(
        f"{_page(dossier.code)}ket-qua/",
        {
            "upload_result-title": "KQ",
            "upload_result-file": SimpleUploadedFile("kq.pdf", b"not a pdf"),
        },
    )

    assert response.status_code == 422
    assert "chỉ nhận tệp" in str(response.context["forms"]["upload_result"].errors["file"])
    assert footprint(dossier) == before


def test_the_applicant_page_supplement_upload_and_withdraw() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen)
    processing.request_supplement(
        dossier, items=["Sơ đồ thửa đất"], reason="Thiếu sơ đồ", by=team.specialist
    )
    client = _as(citizen)
    url = f"/motcua/ho-so-cua-toi/{dossier.code}/thao-tac/"

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sơ đồ thửa đất" in html and "Lý do: Thiếu sơ đồ" in html
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "onestop/processing_applicant_panel.html"

    sent = client.post(
        f"/motcua/ho-so-cua-toi/{dossier.code}/bo-sung/",
        {"submit-file_0": SimpleUploadedFile("so-do.pdf", TINY_PDF), "submit-note": "Đã gửi"},
    )
    assert sent.status_code == 302
    assert dossier.supplements.get().components.count() == 1

    withdrawn = client.post(
        f"/motcua/ho-so-cua-toi/{dossier.code}/rut-ho-so/", {"withdraw-reason": "Đổi ý"}
    )
    assert withdrawn.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.WITHDRAWN


def test_the_applicant_pages_are_theirs_only() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen)
    before = footprint(dossier)
    intruder = _as(make_citizen())

    assert intruder.get(f"/motcua/ho-so-cua-toi/{dossier.code}/thao-tac/").status_code == 404
    assert (
        intruder.post(
            f"/motcua/ho-so-cua-toi/{dossier.code}/rut-ho-so/", {"withdraw-reason": "x"}
        ).status_code
        == 404
    )
    assert footprint(dossier) == before


def test_an_empty_withdrawal_reason_is_refused() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen)
    before = footprint(dossier)

    response = _as(citizen).post(
        f"/motcua/ho-so-cua-toi/{dossier.code}/rut-ho-so/", {"withdraw-reason": ""}
    )

    assert response.status_code == 422
    assert footprint(dossier) == before


def test_the_data_store_page_and_files() -> None:
    citizen = make_citizen()
    document = make_citizen_document(citizen, "Giấy khai sinh")
    other = make_citizen_document(make_citizen(), "Không phải của tôi")
    client = _as(citizen)

    page = client.get("/motcua/kho-du-lieu/")
    assert page.status_code == 200
    assert "Giấy khai sinh" in page.content.decode()
    assert "Không phải của tôi" not in page.content.decode()
    assert client.get(f"/motcua/kho-du-lieu/{document.pk}/").status_code == 200
    assert client.get(f"/motcua/kho-du-lieu/{other.pk}/").status_code == 404


def test_a_task_link_leads_to_the_dossier_page() -> None:
    team = make_team()
    dossier = team.dossier()
    case = processing.case_of(dossier)

    url = processing.task_url(case)

    response = _as(team.specialist).get(url)
    assert (response.status_code, response["Location"]) == (302, _page(dossier.code))
    assert _as(make_team().specialist).get(url).status_code == 404


def test_the_result_is_not_offered_as_a_file_before_upload() -> None:
    team = make_team()
    dossier = _processed(team)
    assert _as(team.officer).get(f"{_page(dossier.code)}tep-ket-qua/").status_code == 404
    results.upload_result(
        dossier, title="KQ", file=ContentFile(TINY_PDF, name="kq.pdf"), by=team.leader
    )
    assert _as(team.officer).get(f"{_page(dossier.code)}tep-ket-qua/").status_code == 200
