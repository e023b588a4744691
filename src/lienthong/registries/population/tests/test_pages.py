"""The population registry's pages: permissions, browse and search, the purpose of a read,
edit with history and revert, delete and restore, import from the UI, export."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.registries.base.addresses import unit_index
from lienthong.registries.base.models import DataAccess, ImportJob
from lienthong.registries.population.models import Person, Sex
from lienthong.registries.population.testing import World, make_person, make_world, personal_id_for

pytestmark = pytest.mark.django_db

LIST = "/csdl/dan-cu/"


@pytest.fixture
def world() -> World:
    return make_world()


class TestListAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_person(world.owner)
        theirs = make_person(world.other_agency, full_name="Người Cơ Quan Khác")
        return Access(
            url=f"{LIST}{mine.pk}/?purpose=xac-minh-ho-so",
            outside_url=f"{LIST}{theirs.pk}/?purpose=xac-minh-ho-so",
            allowed=world.official,
            denied=world.outsider,
        )


class TestEditAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_person(world.owner)
        theirs = make_person(world.other_agency)
        return Access(
            url=f"{LIST}{mine.pk}/sua/",
            outside_url=f"{LIST}{theirs.pk}/sua/",
            allowed=world.official,
            denied=world.reader,
        )


class TestDeleteAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_person(world.owner)
        theirs = make_person(world.other_agency)
        return Access(
            url=f"{LIST}{mine.pk}/xoa/",
            outside_url=f"{LIST}{theirs.pk}/xoa/",
            allowed=world.official,
            denied=world.reader,
            method="post",
            ok_status=302,
            state=lambda: sorted(Person.objects.values_list("pk", flat=True)),
        )


def test_citizens_and_outsiders_get_403_on_the_list(client: Client, world: World) -> None:
    for user in (world.citizen, world.outsider):
        login(client, user)
        assert client.get(LIST).status_code == 403


def test_list_search_and_filters_in_constant_queries(client: Client, world: World) -> None:
    for n in range(3):
        make_person(world.owner, full_name=f"Nguyễn Văn Tư {n}")
    make_person(world.owner, full_name="Trần Thị Lan", sex=Sex.FEMALE)
    login(client, world.reader)
    unit_index()  # loaded once per process, not per page
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        response = client.get(LIST)
    for n in range(20):
        make_person(world.owner, full_name=f"Lê Văn Năm {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(many) == len(few) <= 12

    html = client.get(LIST, {"q": "nguyen van tu"}).content.decode()
    assert html.count("Nguyễn Văn Tư") == 3 and "Trần Thị Lan" not in html
    html = client.get(LIST, {"sex": "female"}).content.decode()
    assert "Trần Thị Lan" in html and "Nguyễn Văn Tư" not in html
    response = client.get(LIST, {"sex": "khác", "birth_year": "abc"})
    assert response.status_code == 422
    assert "không hợp lệ" in response.content.decode()


def test_a_personal_record_asks_for_a_purpose_and_logs_the_read(
    client: Client, world: World
) -> None:
    person = make_person(world.owner, full_name="Võ Văn Kiệt")
    login(client, world.reader)

    response = client.get(f"{LIST}{person.pk}/")
    assert response.status_code == 200
    assert 'id="purpose-form"' in response.content.decode()
    assert not DataAccess.objects.exists()

    response = client.get(f"{LIST}{person.pk}/", {"preset": "", "purpose": "x"})
    assert response.status_code == 422
    assert not DataAccess.objects.exists()

    response = client.get(f"{LIST}{person.pk}/", {"purpose": "Xác minh hồ sơ cấp phép"})
    html = response.content.decode()
    assert response.status_code == 200 and "Võ Văn Kiệt" in html
    assert "Phường Thủ Dầu Một" in html
    client.get(f"{LIST}{person.pk}/")  # the purpose is remembered for the session
    reads = list(DataAccess.objects.about(person.personal_id))
    assert len(reads) == 2
    assert {r.purpose for r in reads} == {"Xác minh hồ sơ cấp phép"}
    assert reads[0].actor == world.reader and reads[0].agency == world.reader_agency
    assert reads[0].channel == "page"


def test_edit_records_history_and_revert_restores(client: Client, world: World) -> None:
    login(client, world.official)
    birth = datetime.date(1979, 9, 2)
    data: dict[str, Any] = {
        "owner": world.owner.pk,
        "personal_id": personal_id_for(birth, Sex.MALE),
        "full_name": "Hồ Văn Minh",
        "birth_date": "1979-09-02",
        "sex": "male",
        "ethnicity": "01",
        "permanent_commune_legacy": "25741",
    }
    response = client.post(f"{LIST}them/", data)
    assert response.status_code == 302, response.content.decode()
    person = Person.objects.get()
    assert (person.permanent_commune, person.permanent_commune_legacy) == ("25750", "25741")

    bad = client.post(f"{LIST}{person.pk}/sua/", {**data, "birth_date": "1980-09-02"})
    assert bad.status_code == 422
    assert "năm sinh 1979" in bad.content.decode()
    person.refresh_from_db()
    assert person.birth_date == birth

    client.post(f"{LIST}{person.pk}/sua/", {**data, "full_name": "Hồ Văn Mạnh"})
    history = client.get(f"{LIST}{person.pk}/lich-su/").content.decode()
    assert "Hồ Văn Minh" in history and "Hồ Văn Mạnh" in history
    first = person_history_seq(person)
    response = client.post(f"{LIST}{person.pk}/lich-su/{first}/tra-ve/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Hồ Văn Minh"


def person_history_seq(person: Person) -> int:
    from lienthong.core.models import AuditEntry

    return AuditEntry.objects.of_object(person).first().seq  # type: ignore[union-attr]


def test_delete_hides_and_restore_brings_back(client: Client, world: World) -> None:
    person = make_person(world.owner, full_name="Đinh Bộ Lĩnh")
    login(client, world.official)

    client.post(f"{LIST}{person.pk}/xoa/")

    assert "Đinh Bộ Lĩnh" not in table(client.get(LIST).content.decode())
    assert "Đinh Bộ Lĩnh" not in table(client.get(LIST, {"q": "dinh bo linh"}).content.decode())
    assert client.get(f"{LIST}{person.pk}/?purpose=Kiểm+tra").status_code == 404
    assert "Đinh Bộ Lĩnh" in client.get(f"{LIST}da-xoa/").content.decode()
    client.post(f"{LIST}{person.pk}/khoi-phuc/")
    assert "Đinh Bộ Lĩnh" in table(client.get(LIST).content.decode())


def table(html: str) -> str:
    """The list's table only (not the messages above it)."""
    start = html.index('id="registry-table"')
    return html[start : html.index("</table>", start)]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["personal_id", "full_name", "birth_date", "sex", "ethnicity", "permanent_commune"]
    )
    writer.writerows(rows)
    return out.getvalue().encode()


def test_import_from_the_page_previews_then_imports(client: Client, world: World) -> None:
    good = [
        personal_id_for(datetime.date(2001, 1, 1), Sex.MALE),
        "Lý Công Uẩn",
        "01/01/2001",
        "Nam",
        "Kinh",
        "25747",
    ]
    bad = ["12345", "Trần Hưng Đạo", "01/01/2001", "Nam", "Kinh", "25747"]
    login(client, world.official)
    upload = SimpleUploadedFile("dan-cu.csv", _csv([good, bad]), content_type="text/csv")

    response = client.post(f"{LIST}nhap/", {"file": upload, "owner": world.owner.pk})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/nhap/{job.pk}/")
    page = client.get(f"{LIST}nhap/{job.pk}/").content.decode()
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số" in page
    assert not Person.all_objects.exists()

    client.post(f"{LIST}nhap/{job.pk}/", {})
    job.refresh_from_db()
    assert job.status == "rejected" and not Person.all_objects.exists()

    client.post(f"{LIST}nhap/{job.pk}/", {"valid_only": "on"})
    job.refresh_from_db()
    assert job.status == "imported"
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Lý Công Uẩn"]
    report = client.get(f"{LIST}nhap/{job.pk}/loi.csv").content.decode("utf-8-sig")
    assert report.splitlines()[1].startswith("3,Số định danh cá nhân,")


def test_import_refuses_other_file_types(client: Client, world: World) -> None:
    login(client, world.official)
    upload = SimpleUploadedFile("anh.png", b"\x89PNG", content_type="image/png")
    response = client.post(f"{LIST}nhap/", {"file": upload, "owner": world.owner.pk})
    assert response.status_code == 422
    assert "Chỉ nhận tệp CSV hoặc XLSX" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_export_streams_what_the_list_shows(client: Client, world: World) -> None:
    make_person(world.owner, full_name="Nguyễn Trãi")
    make_person(world.owner, full_name="Lê Lợi")
    login(client, world.reader)

    response = client.get(f"{LIST}xuat/", {"q": "nguyen", "format": "csv"})
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[1] for r in rows[1:]] == ["Nguyễn Trãi"]
    assert DataAccess.objects.get().purpose == "Xuất dữ liệu ra tệp"

    response = client.get(f"{LIST}xuat/", {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_citizen_sees_who_read_their_data(client: Client, world: World) -> None:
    person = make_person(
        world.owner, personal_id=world.citizen.personal_id, full_name="Nguyễn Văn An"
    )
    login(client, world.reader)
    client.get(f"{LIST}{person.pk}/", {"purpose": "Tiếp nhận hồ sơ cấp giấy phép"})

    login(client, world.citizen)
    home = client.get("/").content.decode()
    assert "/csdl/du-lieu-cua-toi/" in home
    html = client.get("/csdl/du-lieu-cua-toi/").content.decode()
    assert "Cán bộ một cửa" in html
    assert world.reader_agency.name in html
    assert "Tiếp nhận hồ sơ cấp giấy phép" in html

    login(client, world.outsider)
    assert (
        "Tiếp nhận hồ sơ cấp giấy phép" not in client.get("/csdl/du-lieu-cua-toi/").content.decode()
    )
