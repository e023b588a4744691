"""The population API: permissions, paging and filters, 422s, the purpose of a read,
create/update/delete/restore/history, import."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.registries.base.models import DataAccess
from lienthong.registries.population.models import Person, Sex
from lienthong.registries.population.testing import World, make_person, make_world, personal_id_for

pytestmark = pytest.mark.django_db

API = "/api/registries/population/persons/"


@pytest.fixture
def world() -> World:
    return make_world()


def body(response: Any) -> Any:
    return json.loads(response.content)


class TestDetailAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_person(world.owner)
        theirs = make_person(world.other_agency)
        return Access(
            url=f"{API}{mine.pk}?purpose=kiem-tra",
            outside_url=f"{API}{theirs.pk}?purpose=kiem-tra",
            allowed=world.official,
            denied=world.outsider,
            api=True,
        )


class TestPatchAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_person(world.owner)
        theirs = make_person(world.other_agency)
        return Access(
            url=f"{API}{mine.pk}",
            outside_url=f"{API}{theirs.pk}",
            allowed=world.official,
            denied=world.reader,
            method="patch",
            data={"hometown": "Huế"},
            api=True,
            state=lambda: sorted(Person.objects.values_list("hometown", flat=True)),
        )


def test_list_pages_filters_and_searches(client: Client, world: World) -> None:
    for n in range(5):
        make_person(world.owner, full_name=f"Nguyễn Văn Sáu {n}")
    make_person(
        world.owner, full_name="Phạm Thị Bảy", sex=Sex.FEMALE, birth_date=datetime.date(2001, 2, 3)
    )
    login(client, world.reader)

    page = body(client.get(API, {"limit": 2, "offset": 1}))
    assert (page["count"], page["count_capped"], page["limit"], page["offset"]) == (6, False, 2, 1)
    assert len(page["items"]) == 2
    assert page["items"][0]["permanent"]["text"] == "Phường Thủ Dầu Một, Thành phố Hồ Chí Minh"

    assert body(client.get(API, {"q": "nguyen van sau"}))["count"] == 5
    assert body(client.get(API, {"q": "pham thi bay"}))["items"][0]["birth_date"] == "2001-02-03"
    assert body(client.get(API, {"sex": "female"}))["count"] == 1
    assert body(client.get(API, {"birth_year": "2001"}))["count"] == 1
    # Lists are not logged (no person's detail is read), details are.
    assert not DataAccess.objects.exists()


def test_bad_paging_and_filters_are_422(client: Client, world: World) -> None:
    login(client, world.reader)
    response = client.get(API, {"limit": "0", "offset": "x", "sex": "other"})
    assert response.status_code == 422
    errors = body(response)["errors"]
    assert set(errors) == {"limit", "offset", "sex"}
    assert "từ 1 đến 100" in errors["limit"][0]


def test_anonymous_401_and_outsider_403_on_the_list(client: Client, world: World) -> None:
    assert client.get(API).status_code == 401
    login(client, world.outsider)
    assert client.get(API).status_code == 403
    login(client, world.citizen)
    assert client.get(API).status_code == 403


def test_detail_needs_a_purpose_and_logs_the_read(client: Client, world: World) -> None:
    person = make_person(world.owner)
    login(client, world.reader)

    response = client.get(f"{API}{person.pk}")
    assert response.status_code == 422
    assert "purpose" in body(response)["errors"]
    assert not DataAccess.objects.exists()

    response = client.get(f"{API}{person.pk}", {"purpose": "Đối chiếu hồ sơ đất đai"})
    assert response.status_code == 200
    assert body(response)["personal_id"] == person.personal_id
    read = DataAccess.objects.get()
    assert (read.channel, read.purpose, read.agency) == (
        "api",
        "Đối chiếu hồ sơ đất đai",
        world.reader_agency,
    )


def test_create_update_delete_restore_history(client: Client, world: World) -> None:
    login(client, world.official)
    birth = datetime.date(1990, 1, 1)
    payload = {
        "owner": world.owner.pk,
        "personal_id": personal_id_for(birth, Sex.FEMALE),
        "full_name": "Bùi Thị Xuân",
        "birth_date": "1990-01-01",
        "sex": "female",
        "permanent_commune_legacy": "25753",
    }
    response = client.post(API, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    created = body(response)
    assert created["permanent"]["commune"] == "25747"
    assert created["permanent"]["commune_legacy"] == "25753"
    pk = created["id"]

    response = client.patch(f"{API}{pk}", {"sex": "male"}, content_type="application/json")
    assert response.status_code == 422
    assert "giới tính" in body(response)["errors"]["personal_id"][0]
    response = client.patch(
        f"{API}{pk}", {"hometown": "Bình Định"}, content_type="application/json"
    )
    assert response.status_code == 200 and body(response)["hometown"] == "Bình Định"

    assert client.delete(f"{API}{pk}").status_code == 204
    assert body(client.get(API))["count"] == 0
    assert client.get(f"{API}{pk}", {"purpose": "kiểm tra lại"}).status_code == 404
    assert client.post(f"{API}{pk}/restore").status_code == 200
    assert body(client.get(API))["count"] == 1

    history = body(client.get(f"{API}{pk}/history"))
    assert [v["action"] for v in history] == ["restore", "delete", "update", "create"]
    assert history[2]["changes"][0]["field"] == "hometown"


def test_create_with_bad_input_is_422_and_writes_nothing(client: Client, world: World) -> None:
    login(client, world.official)
    response = client.post(
        API,
        {
            "owner": world.owner.pk,
            "personal_id": "1",
            "full_name": "",
            "birth_date": "x",
            "sex": "?",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    response = client.post(
        API,
        {
            "owner": 999999,
            "personal_id": "074090000001",
            "full_name": "A",
            "birth_date": "1990-01-01",
            "sex": "male",
            "household_code": "KHONG-CO",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(body(response)["errors"]) == {"owner", "household_code"}
    assert not Person.all_objects.exists()


def test_create_for_another_agency_is_403(client: Client, world: World) -> None:
    login(client, world.official)
    response = client.post(
        API,
        {
            "owner": world.other_agency.pk,
            "personal_id": personal_id_for(datetime.date(1990, 1, 1), Sex.MALE),
            "full_name": "Người Khác",
            "birth_date": "1990-01-01",
            "sex": "male",
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Person.all_objects.exists()


def test_import_through_the_api(client: Client, world: World) -> None:
    new_id = personal_id_for(datetime.date(1990, 1, 1), Sex.MALE)
    good = f"{new_id},Mạc Đĩnh Chi,01/01/1990,Nam,Kinh,25747"
    bad = "074090,Chu Văn An,01/01/1990,Nam,Kinh,25747"
    content = (
        "personal_id,full_name,birth_date,sex,ethnicity,permanent_commune\n"
        + good
        + "\n"
        + bad
        + "\n"
    )
    login(client, world.official)

    def send(**extra: Any) -> Any:
        upload = SimpleUploadedFile("a.csv", content.encode(), content_type="text/csv")
        return client.post(f"{API}import", {"file": upload, "owner": world.owner.pk, **extra})

    response = send()
    assert response.status_code == 422
    report = body(response)
    assert report["status"] == "rejected" and report["errors"][0]["row"] == 3
    assert not Person.all_objects.exists()

    response = send(valid_only="true")
    assert response.status_code == 201, response.content
    assert body(response)["imported_rows"] == 1
    assert Person.objects.get().full_name == "Mạc Đĩnh Chi"

    login(client, world.reader)
    upload = SimpleUploadedFile("a.csv", content.encode(), content_type="text/csv")
    assert client.post(f"{API}import", {"file": upload, "owner": world.owner.pk}).status_code == 403


def test_export_through_the_api(client: Client, world: World) -> None:
    make_person(world.owner, full_name="Yết Kiêu")
    login(client, world.reader)
    response = client.get(f"{API}export", {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "Yết Kiêu" in text
    assert client.get(f"{API}export", {"format": "pdf"}).status_code == 422
