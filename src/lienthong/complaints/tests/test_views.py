"""The pages: officials' list, case page and its action forms, reception register, statistics,
inspections; the public filing and lookup pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lienthong.complaints.models import Complaint, Reception, Status
from lienthong.complaints.testing import Team, file_case, make_team
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def team() -> Team:
    return make_team()


def _as(user: object) -> Client:
    client = Client()
    login(client, user)
    return client


def test_the_public_url_names_are_stable() -> None:
    assert reverse("complaints:file") == "/khieu-nai/gui/"
    assert reverse("complaints:lookup") == "/khieu-nai/tra-cuu/"


def test_a_citizen_files_through_the_form_and_lands_on_the_lookup(team: Team) -> None:
    client = _as(team.citizen)
    page = client.get("/khieu-nai/gui/")
    assert page.status_code == 200
    assert "Đỗ Thị Hoa" in page.content.decode()  # pre-filled from the account
    response = client.post(
        "/khieu-nai/gui/",
        {
            "kind": "petition",
            "agency": team.agency.pk,
            "field": "social",
            "filer_name": "Đỗ Thị Hoa",
            "filer_address": "12 Lê Lợi",
            "subject": "Đề nghị sửa đường",
            "content": "Đường hư hỏng",
        },
    )
    case = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/khieu-nai/tra-cuu/?ma={case.code}"
    lookup = Client().get(response["Location"])
    assert case.code in lookup.content.decode()
    assert "Đã tiếp nhận, chờ thụ lý" in lookup.content.decode()


def test_a_bad_online_filing_shows_the_errors_and_writes_nothing(team: Team) -> None:
    response = _as(team.citizen).post(
        "/khieu-nai/gui/",
        {
            "kind": "complaint",
            "agency": team.agency.pk,
            "field": "land",
            "filer_name": "Đỗ Thị Hoa",
            "filer_address": "12 Lê Lợi",
            "subject": "Khiếu nại",
            "content": "Nội dung",
            "known_on": "2020-01-01",
        },
    )
    assert response.status_code == 200
    assert "quá thời hiệu 90 ngày" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_the_public_pages_refuse_officials_and_send_visitors_to_log_in(team: Team) -> None:
    assert Client().get("/khieu-nai/gui/").status_code == 302
    assert _as(team.leader).get("/khieu-nai/gui/").status_code == 403
    assert Client().get("/khieu-nai/tra-cuu/", {"ma": "KHONG-CO"}).status_code == 404
    assert Client().get("/khieu-nai/").status_code == 302
    assert _as(team.citizen).get("/khieu-nai/").status_code == 403


def test_the_leader_accepts_on_the_case_page_and_a_bad_form_changes_nothing(team: Team) -> None:
    case = file_case(team)
    client = _as(team.leader)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'aria-label="Thụ lý"' in page
    refused = client.post(f"/khieu-nai/{case.pk}/refuse/", {"refuse-reason": ""})
    assert refused.status_code == 422
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
    response = client.post(f"/khieu-nai/{case.pk}/accept/", {"accept-complexity": "normal"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    # a specialist gets no action forms, and posting one is refused
    page = _as(team.other_specialist).get(case.get_absolute_url()).content.decode()
    assert 'aria-label="Giao xác minh"' not in page
    denied = _as(team.other_specialist).post(
        f"/khieu-nai/{case.pk}/assign/", {"assign-handler": team.verifier.pk}
    )
    assert denied.status_code == 403
    case.refresh_from_db()
    assert case.handler is None


def test_the_list_shows_only_visible_cases_in_few_queries(
    team: Team, django_assert_max_num_queries: Any
) -> None:
    mine = [file_case(team) for _ in range(3)]
    other = file_case(make_team())
    client = _as(team.leader)
    client.get("/khieu-nai/")  # warm the session and the caches
    with django_assert_max_num_queries(12):
        page = client.get("/khieu-nai/").content.decode()
    assert all(case.code in page for case in mine)
    assert other.code not in page


def test_a_reception_opens_a_case(team: Team) -> None:
    client = _as(team.verifier)
    response = client.post(
        "/khieu-nai/tiep-cong-dan/",
        {
            "agency": team.agency.pk,
            "person_name": "Bà Nguyễn Thị Tư",
            "address": "3 Trần Phú",
            "people_count": 2,
            "content": "Khiếu nại quyết định thu hồi đất",
            "earlier_handling": "UBND phường đã trả lời",
            "requests": "Bồi thường đúng giá",
            "result": "Hướng dẫn viết đơn",
        },
    )
    reception = Reception.objects.get()
    assert response.status_code == 302
    form = client.get(f"/khieu-nai/moi/?reception={reception.pk}").content.decode()
    assert "Bà Nguyễn Thị Tư" in form
    created = client.post(
        "/khieu-nai/moi/",
        {
            "reception": reception.pk,
            "channel": "reception",
            "kind": "complaint",
            "stage": "first",
            "agency": team.agency.pk,
            "field": "land",
            "filer_name": "Bà Nguyễn Thị Tư",
            "filer_address": "3 Trần Phú",
            "subject": "Thu hồi đất",
            "content": "Khiếu nại quyết định thu hồi đất",
            "known_on": "2026-11-01",
        },
    )
    assert created.status_code == 302, created.content.decode()[-2000:]
    case = Complaint.objects.get()
    assert (case.reception, case.channel) == (reception, "reception")
    page = client.get(f"/khieu-nai/tiep-cong-dan/{reception.pk}/").content.decode()
    assert case.code in page


def test_stats_page_and_xlsx(team: Team) -> None:
    file_case(team)
    client = _as(team.leader)
    page = client.get(
        "/khieu-nai/thong-ke/", {"start": "2026-03-01", "end": "2026-03-31", "by": "field"}
    )
    assert page.status_code == 200
    assert "Đất đai" in page.content.decode()
    bad = client.get(
        "/khieu-nai/thong-ke/", {"start": "2026-03-31", "end": "2026-03-01", "by": "kind"}
    )
    assert bad.status_code == 422
    xlsx = client.get(
        "/khieu-nai/thong-ke/",
        {"start": "2026-03-01", "end": "2026-03-31", "by": "kind", "xlsx": "1"},
    )
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
