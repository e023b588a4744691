"""The labour API: the shared endpoints mounted, the matching endpoints, paging and 422."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from lienthong.core.testing import make_org_unit
from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.registries.base.models import DataAccess
from lienthong.registries.labour.models import JobSeeker, Vacancy
from lienthong.registries.labour.testing import (
    TAX_CODE,
    LabourWorld,
    make_seeker,
    make_vacancy,
    personal_id_for,
)

API = "/api/registries/labour"


class TestVacancyMatchesApi(PermissionContract):
    @pytest.fixture
    def access(self, world: LabourWorld) -> Access:
        vacancy = make_vacancy(world.centre)
        return Access(
            url=f"{API}/vacancies/{vacancy.pk}/matches",
            outside_url=f"{API}/vacancies/999999/matches",
            allowed=world.official,
            denied=world.outsider,
            api=True,
        )


class TestSeekerMatchesApi(PermissionContract):
    @pytest.fixture
    def access(self, world: LabourWorld) -> Access:
        mine = make_seeker(world.centre)
        theirs = make_seeker(make_org_unit("Trung tâm khác"))
        return Access(
            url=f"{API}/seekers/{mine.pk}/matches",
            outside_url=f"{API}/seekers/{theirs.pk}/matches",
            allowed=world.official,
            denied=world.outsider,
            api=True,
            state=lambda: DataAccess.objects.count(),
        )


class TestSeekerListApi(PermissionContract):
    @pytest.fixture
    def access(self, world: LabourWorld) -> Access:
        theirs = make_seeker(make_org_unit("Trung tâm khác"))
        return Access(
            url=f"{API}/seekers/",
            outside_url=f"{API}/seekers/{theirs.pk}?purpose=Kiểm tra dữ liệu",
            allowed=world.official,
            denied=world.outsider,
            api=True,
        )


def test_vacancy_matches_ranked_and_explained(client: Client, world: LabourWorld) -> None:
    vacancy = make_vacancy(world.centre, skill_codes="han-dien han-mig")
    best = make_seeker(world.centre, full_name="Giỏi", skill_codes="han-dien han-mig")
    make_seeker(world.centre, full_name="Cùng nhóm", occupation_codes="7233", commune="26068")
    make_seeker(world.centre, full_name="Khác nghề", occupation_codes="2512")
    login(client, world.official)
    body = client.get(f"{API}/vacancies/{vacancy.pk}/matches").json()
    assert body["total"] == 2 and body["limit"] == 20 and body["offset"] == 0
    assert [(i["full_name"], i["score"]) for i in body["items"]] == [
        ("Giỏi", 100),
        ("Cùng nhóm", 25),
    ]
    assert body["items"][0]["id"] == best.pk
    assert body["items"][0]["reasons"][0] == {
        "kind": "occupation",
        "points": 50,
        "text": "Đúng nghề 7212 – Thợ hàn, cắt kim loại",
        "matched": True,
    }
    assert body["items"][1]["missing_skills"] == ["han-dien", "han-mig"]
    page = client.get(f"{API}/vacancies/{vacancy.pk}/matches?limit=1&offset=1").json()
    assert [i["full_name"] for i in page["items"]] == ["Cùng nhóm"]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "limit=abc"])
def test_bad_paging_is_422(client: Client, world: LabourWorld, query: str) -> None:
    vacancy = make_vacancy(world.centre)
    login(client, world.official)
    response = client.get(f"{API}/vacancies/{vacancy.pk}/matches?{query}")
    assert response.status_code == 422
    name = query.split("=")[0]
    assert response.json()["errors"][name][0].startswith(f"{name} phải là số nguyên")
    response = client.get(f"{API}/seekers/?{query}")
    assert response.status_code == 422


def test_seeker_matches_log_the_read(client: Client, world: LabourWorld) -> None:
    seeker = make_seeker(world.centre, occupation_codes="8153")
    make_vacancy(world.centre, title="May", occupation_code="8153")
    login(client, world.official)
    body = client.get(f"{API}/seekers/{seeker.pk}/matches?purpose=Giới thiệu việc làm").json()
    assert body["total"] == 1 and body["items"][0]["vacancy"]["title"] == "May"
    assert body["items"][0]["score"] == 70
    read = DataAccess.objects.get()
    assert (read.purpose, read.channel) == ("Giới thiệu việc làm", "api")


def test_list_paging_filters_and_search(client: Client, world: LabourWorld) -> None:
    for n in range(5):
        make_seeker(
            world.centre, full_name=f"Trần Văn {n}", occupation_codes="8153" if n % 2 else "7212"
        )
    login(client, world.official)
    body = client.get(f"{API}/seekers/?limit=2&offset=2").json()
    assert (body["count"], body["limit"], body["offset"], len(body["items"])) == (5, 2, 2, 2)
    body = client.get(f"{API}/seekers/?occupation=81").json()
    assert body["count"] == 2
    assert all(item["occupation_codes"] == ["8153"] for item in body["items"])
    assert client.get(f"{API}/seekers/?q=tran van 3").json()["count"] == 1
    response = client.get(f"{API}/seekers/?skill=bay-luon")
    assert response.status_code == 422 and "skill" in response.json()["errors"]


def test_create_seeker_and_vacancy(client: Client, world: LabourWorld) -> None:
    login(client, world.official)
    payload = {
        "owner": world.centre.pk,
        "personal_id": personal_id_for(datetime.date(1999, 9, 9), "male"),
        "full_name": "Lý Văn Tâm",
        "birth_date": "1999-09-09",
        "sex": "male",
        "commune": "25750",
        "occupation_codes": ["7212", "7233"],
        "skill_codes": ["han-dien"],
    }
    response = client.post(f"{API}/seekers/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["occupation_codes"] == ["7212", "7233"]
    assert JobSeeker.objects.get().occupation_groups == " 72 "
    bad = {**payload, "personal_id": personal_id_for(datetime.date(1999, 9, 9), "male"),
           "occupation_codes": ["0000"], "commune": "99999"}  # fmt: skip
    response = client.post(f"{API}/seekers/", bad, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"occupation_codes", "commune"}
    assert JobSeeker.objects.count() == 1
    vacancy = {
        "owner": world.centre.pk, "employer_tax_code": TAX_CODE, "employer_name": "Công ty A",
        "title": "Thợ hàn", "occupation_code": "7212", "commune": "25747",
        "deadline": "2030-01-01", "wage_min": 10_000_000, "wage_max": 9_000_000,
    }  # fmt: skip
    response = client.post(f"{API}/vacancies/", vacancy, content_type="application/json")
    assert response.status_code == 422 and "wage_max" in response.json()["errors"]
    vacancy["wage_max"] = 15_000_000
    response = client.post(f"{API}/vacancies/", vacancy, content_type="application/json")
    assert response.status_code == 201
    assert Vacancy.objects.get().occupation_group == "72"


def test_outsider_cannot_write(client: Client, world: LabourWorld) -> None:
    vacancy = make_vacancy(world.centre)
    login(client, world.outsider)
    response = client.patch(
        f"{API}/vacancies/{vacancy.pk}", {"quantity": 9}, content_type="application/json"
    )
    assert response.status_code == 403
    vacancy.refresh_from_db()
    assert vacancy.quantity == 1
