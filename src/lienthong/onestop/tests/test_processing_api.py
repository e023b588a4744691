"""The processing API: one endpoint per transition, 401/403/404/409/422 as documented."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lienthong.core.testing_permissions import login
from lienthong.onestop import processing
from lienthong.onestop.models import CitizenDocument, Dossier, DossierStatus
from lienthong.onestop.testing import TINY_PDF, make_citizen
from lienthong.onestop.testing_processing import Team, footprint, make_team

pytestmark = pytest.mark.django_db

BASE = "/api/onestop/dossiers"


def _post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def _as(user: Any) -> Client:
    client = Client()
    login(client, user)
    return client


def _processed(team: Team, **kwargs: Any) -> Dossier:
    dossier = team.dossier(**kwargs)
    processing.forward_dossier(dossier, by=team.specialist)
    processing.forward_dossier(dossier, by=team.leader)
    return dossier


def test_forward_answers_the_new_state() -> None:
    team = make_team()
    dossier = team.dossier()

    response = _post(_as(team.specialist), f"{BASE}/{dossier.code}/forward", {"note": "Đạt"})

    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["status"], body["status_label"]) == (
        dossier.code,
        DossierStatus.PROCESSING,
        "Đang xử lý",
    )
    assert body["case"]["step"]["name"] == "Phê duyệt kết quả"
    assert body["history"][-1]["internal_note"].endswith("Đạt")
    # the specialist no longer holds the dossier: nothing left to do but read
    assert body["actions"] == []


def test_the_leader_approves_and_the_officer_returns_the_result() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen)
    processing.forward_dossier(dossier, by=team.specialist)
    leader = _as(team.leader)

    approved = _post(leader, f"{BASE}/{dossier.code}/forward")
    assert (approved.status_code, approved.json()["status"]) == (200, DossierStatus.PROCESSED)
    assert approved.json()["timeliness"] == "early"

    uploaded = leader.post(
        f"{BASE}/{dossier.code}/result",
        {
            "title": "Giấy chứng nhận",
            "number": "01/GCN",
            "file": SimpleUploadedFile("gcn.pdf", TINY_PDF, content_type="application/pdf"),
        },
    )
    assert uploaded.status_code == 200, uploaded.content

    returned = _post(
        _as(team.officer), f"{BASE}/{dossier.code}/return-result", {"channel": "online"}
    )
    assert (returned.status_code, returned.json()["status"]) == (200, DossierStatus.RETURNED)

    documents = _as(citizen).get("/api/onestop/documents")
    assert documents.status_code == 200
    assert [(d["title"], d["number"], d["source_dossier"]) for d in documents.json()] == [
        ("Giấy chứng nhận", "01/GCN", dossier.code)
    ]


def test_a_result_of_the_wrong_type_is_422_and_nothing_is_written() -> None:
    team = make_team()
    dossier = _processed(team)
    before = footprint(dossier)

    response = _as(team.leader).post(
        f"{BASE}/{dossier.code}/result",
        {
            "title": "KQ",
            "file": SimpleUploadedFile("kq.pdf", b"<script>", content_type="text/html"),
        },
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["file"]
    assert footprint(dossier) == before


def test_supplement_then_supply_through_the_api() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen)

    asked = _post(
        _as(team.specialist),
        f"{BASE}/{dossier.code}/supplement",
        {"items": ["Sơ đồ thửa đất"], "reason": "Thiếu sơ đồ"},
    )
    assert (asked.status_code, asked.json()["status"]) == (200, DossierStatus.SUPPLEMENT_REQUESTED)
    assert asked.json()["case"]["risk"] == "paused"

    sent = _as(citizen).post(
        f"{BASE}/{dossier.code}/supplement/files",
        {
            "files": [SimpleUploadedFile("so-do.pdf", TINY_PDF)],
            "names": ["Sơ đồ thửa đất"],
            "note": "Gửi bổ sung",
        },
    )
    assert sent.status_code == 200, sent.content
    assert sent.json()["history"][-1]["internal_note"] is None  # the applicant's view

    again = _post(
        _as(team.specialist),
        f"{BASE}/{dossier.code}/supplement",
        {"items": ["Tờ khai"], "reason": "Thiếu"},
    )
    assert again.status_code == 409

    supplied = _post(_as(team.officer), f"{BASE}/{dossier.code}/supply", {"note": ""})
    assert (supplied.status_code, supplied.json()["status"]) == (200, DossierStatus.PROCESSING)


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("supplement", {"items": [], "reason": "Thiếu"}),
        ("supplement", {"items": ["  "], "reason": "Thiếu"}),
        ("obligation", {"amount": 0, "description": "Lệ phí"}),
        ("stop", {"reason": "  "}),
        ("return", {"step": 1, "note": "Trả lại"}),
        ("handover", {"agency": "000.00.00.X00", "note": "Chuyển"}),
        ("apology", {"reason": "Chậm"}),
    ],
)
def test_bad_input_is_422_and_nothing_is_written(path: str, payload: dict[str, Any]) -> None:
    team = make_team()
    dossier = team.dossier()
    before = footprint(dossier)

    response = _post(_as(team.specialist), f"{BASE}/{dossier.code}/{path}", payload)

    assert response.status_code == 422, response.content
    assert response.json()["errors"]
    assert footprint(dossier) == before


STOPPED = "đang ở trạng thái “Dừng xử lý”, không thực hiện được thao tác này."


@pytest.mark.parametrize(
    ("path", "payload", "message"),
    [
        ("forward", {}, STOPPED),
        ("supply", {}, STOPPED),
        ("obligation/paid", {}, STOPPED),
        ("return-result", {"channel": "counter"}, STOPPED),
        ("apology", {"reason": "Chậm", "days": 2}, "Chỉ lập phiếu xin lỗi cho hồ sơ đang xử lý."),
    ],
)
def test_a_wrong_state_is_409_and_nothing_is_written(
    path: str, payload: dict[str, Any], message: str
) -> None:
    team = make_team()
    dossier = team.dossier()
    processing.stop_dossier(dossier, reason="Dừng", by=team.leader)
    before = footprint(dossier)

    response = _post(_as(team.officer), f"{BASE}/{dossier.code}/{path}", payload)

    assert response.status_code == 409, response.content
    assert response.json()["detail"].endswith(message)
    assert footprint(dossier) == before


def test_who_may_call_what() -> None:
    team = make_team()
    other = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen)
    url = f"{BASE}/{dossier.code}/forward"
    before = footprint(dossier)

    assert _post(Client(), url).status_code == 401
    # an official of another agency: the dossier does not exist for them
    assert _post(_as(other.specialist), url).status_code == 404
    # an official in scope not holding the step: 403
    forbidden = _post(_as(team.leader), url)
    assert forbidden.status_code == 403
    assert forbidden.json()["detail"] == "Bạn không được giao xử lý bước này."
    # a citizen, even the applicant, may not forward
    assert _post(_as(citizen), url).status_code == 403
    # another citizen may not even see it
    assert _as(make_citizen()).get(f"{BASE}/{dossier.code}/processing").status_code == 404
    assert (
        _post(_as(make_citizen()), f"{BASE}/{dossier.code}/withdraw", {"reason": "x"}).status_code
        == 404
    )
    assert footprint(dossier) == before


def test_the_applicant_withdraws_through_the_api() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen)

    response = _post(_as(citizen), f"{BASE}/{dossier.code}/withdraw", {"reason": "Không cần nữa"})

    assert (response.status_code, response.json()["status"]) == (200, DossierStatus.WITHDRAWN)


def test_hand_over_by_agency_code_and_the_other_agency_reads_it() -> None:
    team = make_team()
    other = make_team()
    dossier = team.dossier()

    response = _post(
        _as(team.specialist),
        f"{BASE}/{dossier.code}/handover",
        {"agency": other.agency.code, "note": "Đề nghị phối hợp"},
    )

    assert response.status_code == 200
    assert response.json()["case"]["agency_code"] == other.agency.code
    seen = _as(other.specialist).get(f"{BASE}/{dossier.code}/processing")
    assert seen.status_code == 200
    assert seen.json()["actions"] == ["forward", "handover", "obligation", "stop", "supplement"]


def test_documents_of_nobody_else() -> None:
    citizen = make_citizen()
    CitizenDocument.objects.create(owner=make_citizen(), title="Của người khác", file="x.pdf")

    assert _as(citizen).get("/api/onestop/documents").json() == []
    assert Client().get("/api/onestop/documents").status_code == 401
