"""Pages of the labour registry: home, the shared list and detail, the matching pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.registries.base.models import DataAccess
from lienthong.registries.labour.models import JobSeeker
from lienthong.registries.labour.testing import LabourWorld, make_seeker, make_vacancy


class TestVacancyMatchesAccess(PermissionContract):
    """The match page shows seekers' data: only who may read the seekers."""

    @pytest.fixture
    def access(self, world: LabourWorld) -> Access:
        vacancy = make_vacancy(world.centre)
        make_seeker(world.centre)
        return Access(
            url=f"/csdl/lao-dong/viec-lam/{vacancy.pk}/ket-noi/",
            outside_url="/csdl/lao-dong/viec-lam/999999/ket-noi/",
            allowed=world.official,
            denied=world.outsider,
        )


class TestSeekerMatchesAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: LabourWorld) -> Access:
        mine = make_seeker(world.centre)
        other_centre = make_org_unit("Trung tâm Dịch vụ việc làm khác")
        theirs = make_seeker(other_centre)
        return Access(
            url=f"/csdl/lao-dong/nguoi-tim-viec/{mine.pk}/ket-noi/",
            outside_url=f"/csdl/lao-dong/nguoi-tim-viec/{theirs.pk}/ket-noi/",
            allowed=world.official,
            denied=world.outsider,
            state=lambda: DataAccess.objects.count(),
        )


class TestSeekerDetailAccess(PermissionContract):
    """The shared detail page, mounted under /csdl/lao-dong/nguoi-tim-viec/."""

    @pytest.fixture
    def access(self, world: LabourWorld) -> Access:
        mine = make_seeker(world.centre)
        theirs = make_seeker(make_org_unit("Trung tâm khác"))
        # Allowed: 200 is the page asking the purpose of the read (then the record).
        return Access(
            url=f"/csdl/lao-dong/nguoi-tim-viec/{mine.pk}/",
            outside_url=f"/csdl/lao-dong/nguoi-tim-viec/{theirs.pk}/",
            allowed=world.official,
            denied=world.citizen,
        )


def test_vacancy_match_page_explains(client: Client, world: LabourWorld) -> None:
    vacancy = make_vacancy(world.centre, skill_codes="han-dien han-mig")
    make_seeker(world.centre, full_name="Lê Văn Hàn", skill_codes="han-dien")
    login(client, world.official)
    response = client.get(f"/csdl/lao-dong/viec-lam/{vacancy.pk}/ket-noi/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Lê Văn Hàn" in text
    assert "Đúng nghề 7212 – Thợ hàn, cắt kim loại" in text
    assert "Đáp ứng 1/2 kỹ năng yêu cầu: Hàn điện (hàn que); còn thiếu: Hàn MIG/MAG" in text
    assert "Cùng xã, phường: Phường Thủ Dầu Một" in text
    assert ">85<" in text  # 50 + 15 + 20
    assert "1 người đang tìm việc cùng nhóm nghề." in text


def test_vacancy_match_page_query_count(client: Client, world: LabourWorld) -> None:
    vacancy = make_vacancy(world.centre)
    for n in range(3):
        make_seeker(world.centre, full_name=f"Người {n}")
    login(client, world.official)
    url = f"/csdl/lao-dong/viec-lam/{vacancy.pk}/ket-noi/"
    client.get(url)  # warm the caches (units, session)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(3, 23):
        make_seeker(world.centre, full_name=f"Người {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)  # one page of twenty costs what a page of three does


def test_seeker_match_page_logs_the_read(client: Client, world: LabourWorld) -> None:
    seeker = make_seeker(world.centre, occupation_codes="8153")
    make_vacancy(world.centre, title="Công nhân may", occupation_code="8153")
    login(client, world.official)
    response = client.get(f"/csdl/lao-dong/nguoi-tim-viec/{seeker.pk}/ket-noi/")
    assert response.status_code == 200
    assert "Công nhân may" in response.content.decode()
    read = DataAccess.objects.get()
    assert (read.subject_key, read.registry, read.actor) == (
        seeker.personal_id,
        "labour",
        world.official,
    )
    assert read.purpose == "Tư vấn, giới thiệu việc làm cho người lao động"


def test_home_page(client: Client, world: LabourWorld) -> None:
    make_vacancy(world.centre, title="Kế toán kho")
    make_seeker(world.centre)
    login(client, world.outsider)
    response = client.get("/csdl/lao-dong/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Kế toán kho" in text and 'id="seeker-count"' not in text  # no seekers for outsiders
    login(client, world.official)
    text = client.get("/csdl/lao-dong/").content.decode()
    assert 'id="seeker-count">1<' in text
    login(client, world.citizen)
    assert client.get("/csdl/lao-dong/").status_code == 403


def test_seeker_list_and_search(client: Client, world: LabourWorld) -> None:
    make_seeker(world.centre, full_name="Đặng Thị Thu", occupation_codes="8153")
    make_seeker(world.centre, full_name="Ngô Văn Bảy", occupation_codes="7212")
    login(client, world.official)
    text = client.get("/csdl/lao-dong/nguoi-tim-viec/?q=dang thi").content.decode()
    assert "Đặng Thị Thu" in text and "Ngô Văn Bảy" not in text
    text = client.get("/csdl/lao-dong/nguoi-tim-viec/?occupation=72").content.decode()
    assert "Ngô Văn Bảy" in text and "Đặng Thị Thu" not in text
    response = client.get("/csdl/lao-dong/nguoi-tim-viec/?occupation=7")
    assert response.status_code == 422


def test_create_seeker_through_the_form(client: Client, world: LabourWorld) -> None:
    import datetime

    from lienthong.registries.labour.testing import personal_id_for

    login(client, world.official)
    pid = personal_id_for(datetime.date(2000, 4, 5), "female")
    data = {
        "owner": world.centre.pk, "personal_id": pid, "full_name": "Hồ Thị Mai",
        "birth_date": "2000-04-05", "sex": "female", "commune": "", "legacy_commune": "25741",
        "occupation_codes": ["8153", "7531"], "skill_codes": ["may-cong-nghiep"],
        "education": "intermediate", "experience_years": "3", "status": "active",
        "registered_on": "2025-09-01",
    }  # fmt: skip
    response = client.post("/csdl/lao-dong/nguoi-tim-viec/them/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    seeker = JobSeeker.objects.get(personal_id=pid)
    assert (seeker.commune, seeker.occupation_codes) == ("25747", " 8153 7531 ")
    bad = {**data, "personal_id": personal_id_for(datetime.date(2000, 4, 5), "female"),
           "occupation_codes": ["9999"]}  # fmt: skip
    response = client.post("/csdl/lao-dong/nguoi-tim-viec/them/", bad)
    assert response.status_code == 422
    assert JobSeeker.objects.count() == 1


def test_outsider_cannot_list_seekers(client: Client, world: LabourWorld) -> None:
    make_seeker(world.centre)
    login(client, world.outsider)
    assert client.get("/csdl/lao-dong/nguoi-tim-viec/").status_code == 403
    other_official = make_user(roles=[(Role.REGISTRY_OWNER, make_org_unit("Khác"))])
    login(client, other_official)
    response = client.get("/csdl/lao-dong/nguoi-tim-viec/")
    assert response.status_code == 200 and "Nguyễn Văn An" not in response.content.decode()


def test_list_pages_query_count(client: Client, world: LabourWorld) -> None:
    login(client, world.official)
    make_seeker(world.centre)
    make_vacancy(world.centre)
    for url in ("/csdl/lao-dong/nguoi-tim-viec/", "/csdl/lao-dong/viec-lam/", "/csdl/lao-dong/"):
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for n in range(15):
            make_seeker(world.centre, full_name=f"Người thứ {n}")
            make_vacancy(world.centre, title=f"Vị trí {n}")
        with CaptureQueriesContext(connection) as many:
            assert client.get(url).status_code == 200
        assert len(many) == len(few), url
