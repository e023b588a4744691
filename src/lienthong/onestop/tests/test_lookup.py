"""Public lookup by dossier code (page and API): status and public history, nothing personal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from ninja.responses import NinjaJSONEncoder

from lienthong.onestop import intake
from lienthong.onestop.api_intake import LookupOut
from lienthong.onestop.models import DossierHistory, DossierStatus
from lienthong.onestop.testing import (
    make_agency,
    make_citizen,
    make_dossier,
    make_officer,
    make_procedure,
)

pytestmark = pytest.mark.django_db

SECRETS = ("079185000321", "0987654321", "binh.tran@example.vn", "45 Yersin", "Trần Văn Bình")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def dossier() -> Any:
    agency = make_agency("UBND phường Phú Cường", code="000.00.05.H56")
    procedure = make_procedure(
        agencies=[agency], code="1.001193", name="Cấp bản sao trích lục hộ tịch"
    )
    citizen = make_citizen(
        full_name="Trần Văn Bình",
        personal_id="079185000321",
        phone="0987654321",
        email="binh.tran@example.vn",
    )
    new = intake.submit_online(
        procedure=procedure,
        agency=agency,
        applicant=citizen,
        components=[
            intake.ComponentUpload(c, file=_pdf(c.order))
            for c in procedure.components.all()
            if c.is_required
        ],
        contact={"address": "45 Yersin, Phú Cường"},
        by=citizen,
    )
    accepted = intake.accept(dossier=new, by=make_officer(agency))
    # An internal note must never reach the public.
    DossierHistory.objects.filter(dossier=accepted).update(internal_note="Ghi chú nội bộ kín")
    return accepted


def _pdf(order: int) -> Any:
    from django.core.files.base import ContentFile

    from lienthong.onestop.testing import TINY_PDF

    return ContentFile(TINY_PDF, name=f"tp{order}.pdf")


def test_masked_names() -> None:
    assert intake.mask_name("Nguyễn Thị Minh") == "Nguyễn T. M."
    assert intake.mask_name("  Trần   Văn  Bình ") == "Trần V. B."
    assert intake.mask_name("Ánh") == "Á."
    assert intake.mask_name("") == ""


@pytest.mark.parametrize("path", ["/tra-cuu/", "/motcua/tra-cuu/"])
def test_the_public_page_shows_status_and_history_but_nothing_personal(
    client: Client, dossier: Any, path: str
) -> None:
    # When anyone looks the code up (typed in lower case with spaces)
    response = client.get(path, {"ma": f"  {dossier.code.lower()} "})
    # Then the page shows the procedure, agency, status, dates and public history
    assert response.status_code == 200
    html = response.content.decode()
    for expected in [
        dossier.code,
        "Cấp bản sao trích lục hộ tịch",
        "UBND phường Phú Cường",
        "Đang xử lý",
        "Trần V. B.",
        dossier.due_date.strftime("%d/%m/%Y"),
        "Hồ sơ đã được nộp trực tuyến",
        "Hồ sơ được tiếp nhận",
    ]:
        assert expected in html, expected
    # and never the ID, phone, email, address, full name or internal notes
    for secret in (*SECRETS, "Ghi chú nội bộ kín"):
        assert secret not in html, secret


def test_the_public_api_shows_the_same_and_nothing_personal(client: Client, dossier: Any) -> None:
    response = client.get(f"/api/onestop/lookup/{dossier.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == dossier.code
    assert body["status"] == DossierStatus.PROCESSING
    assert body["status_label"] == "Đang xử lý"
    assert body["applicant"] == "Trần V. B."
    assert body["procedure"] == {"code": "1.001193", "name": "Cấp bản sao trích lục hộ tịch"}
    assert body["due_date"] == dossier.due_date.isoformat()
    assert [h["status"] for h in body["history"]] == [1, 2, 4]
    assert set(body["history"][0]) == {"status", "status_label", "at", "note"}
    # and it is exactly what validating the answer through the documented schema gives (the
    # endpoint renders it without validating it again)
    validated = LookupOut.model_validate(intake.public_lookup(dossier.code)).model_dump()
    assert json.loads(json.dumps(validated, cls=NinjaJSONEncoder)) == body
    text = json.dumps(body, ensure_ascii=False)
    for secret in (*SECRETS, "Ghi chú nội bộ kín"):
        assert secret not in text, secret


@pytest.mark.parametrize(
    "code",
    ["000.00.05.H56-991231-0001", "not-a-code", "' OR 1=1 --", "x" * 300],
    ids=["unknown", "malformed", "injection", "long"],
)
def test_unknown_and_malformed_codes_get_the_same_answer(
    client: Client, dossier: Any, code: str
) -> None:
    page = client.get("/tra-cuu/", {"ma": code})
    assert page.status_code == 404
    assert "Không tìm thấy hồ sơ có mã" in page.content.decode()
    api = client.get(f"/api/onestop/lookup/{code}")
    assert api.status_code == 404
    assert api.json() == {"detail": "Không tìm thấy hồ sơ có mã này."}


def test_the_empty_page_is_a_form(client: Client) -> None:
    response = client.get("/tra-cuu/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="ma"' in html
    assert "Không tìm thấy" not in html


def test_htmx_gets_the_result_alone(client: Client, dossier: Any) -> None:
    response = client.get("/tra-cuu/", {"ma": dossier.code}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="lookup-found"' in html
    assert "<html" not in html


def test_a_lookup_costs_one_query(dossier: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        result = intake.public_lookup(dossier.code)
    assert result is not None
    assert len(queries) == 1
    # the same values as the ORM reads them
    fresh = type(dossier).objects.get(pk=dossier.pk)
    assert (result["submitted_at"], result["received_at"], result["due_date"]) == (
        fresh.submitted_at,
        fresh.received_at,
        fresh.due_date,
    )
    assert [h["at"] for h in result["history"]] == [h.at for h in fresh.history.all()]
    with CaptureQueriesContext(connection) as queries:
        assert intake.public_lookup("rác") is None
    assert len(queries) == 0


def test_a_refused_dossier_shows_its_public_reasons(client: Client) -> None:
    agency = make_agency()
    new = make_dossier(
        procedure=make_procedure(agencies=[agency]), channel="online", accepted=False
    )
    intake.refuse(dossier=new, reasons=["Thiếu chữ ký"], by=make_officer(agency))
    body = client.get(f"/api/onestop/lookup/{new.code}").json()
    assert body["status_label"] == "Không được tiếp nhận"
    assert body["history"][-1]["note"] == "Hồ sơ không được tiếp nhận. Lý do: Thiếu chữ ký"
