"""The enterprise registry's API: permissions of every endpoint, paging and filters, 422s,
the purpose of a read, create/update with lines, status, branches, projects, import."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.registries.base.models import DataAccess
from lienthong.registries.enterprises.models import (
    Branch,
    CertificateAmendment,
    Enterprise,
    InvestmentProject,
    StatusChange,
)
from lienthong.registries.enterprises.testing import (
    World,
    make_enterprise,
    make_project,
    make_world,
    tax_code,
)

pytestmark = pytest.mark.django_db

API = "/api/registries/enterprises/"
PROJECTS = f"{API}projects/"


@pytest.fixture
def world() -> World:
    return make_world()


def body(response: Any) -> Any:
    return json.loads(response.content)


def _pair(world: World) -> tuple[Enterprise, Enterprise]:
    return make_enterprise(world.owner), make_enterprise(world.other_owner)


class TestDetailAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine, theirs = _pair(world)
        return Access(
            url=f"{API}{mine.pk}?purpose=kiem-tra-ho-so",
            outside_url=f"{API}{theirs.pk}?purpose=kiem-tra-ho-so",
            allowed=world.official,
            denied=world.outsider,
            api=True,
        )


class TestPatchAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine, theirs = _pair(world)
        return Access(
            url=f"{API}{mine.pk}",
            outside_url=f"{API}{theirs.pk}",
            allowed=world.official,
            denied=world.reader,
            method="patch",
            data={"phone": "0274 3822 999"},
            api=True,
            state=lambda: sorted(Enterprise.objects.values_list("phone", flat=True)),
        )


class TestStatusAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine, theirs = _pair(world)
        return Access(
            url=f"{API}{mine.pk}/status",
            outside_url=f"{API}{theirs.pk}/status",
            allowed=world.official,
            denied=world.reader,
            method="post",
            data={"to_status": "suspended", "effective_on": "2025-01-06", "reason": "Tạm ngừng"},
            api=True,
            state=lambda: StatusChange.objects.count(),
        )


class TestStatusHistoryAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine, theirs = _pair(world)
        return Access(
            url=f"{API}{mine.pk}/status-history",
            outside_url=f"{API}{theirs.pk}/status-history",
            allowed=world.official,
            denied=world.outsider,
            api=True,
        )


class TestBranchAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine, theirs = _pair(world)
        return Access(
            url=f"{API}{mine.pk}/branches",
            outside_url=f"{API}{theirs.pk}/branches",
            allowed=world.official,
            denied=world.reader,
            method="post",
            data={"kind": "location", "name": "Kho hàng số 1"},
            api=True,
            ok_status=201,
            state=lambda: Branch.objects.count(),
        )


class TestAmendAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_project(world.owner, investors=("Nguyễn Văn An",))
        theirs = make_project(world.other_owner, investors=("Trần Văn Bình",))
        return Access(
            url=f"{PROJECTS}{mine.pk}/amendments",
            outside_url=f"{PROJECTS}{theirs.pk}/amendments",
            allowed=world.official,
            denied=world.reader,
            method="post",
            data={"amended_on": "2024-01-02", "capital": 1},
            api=True,
            ok_status=201,
            state=lambda: CertificateAmendment.objects.count(),
        )


class TestTerminateAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_project(world.owner, investors=("Nguyễn Văn An",))
        theirs = make_project(world.other_owner, investors=("Trần Văn Bình",))
        return Access(
            url=f"{PROJECTS}{mine.pk}/terminate",
            outside_url=f"{PROJECTS}{theirs.pk}/terminate",
            allowed=world.official,
            denied=world.reader,
            method="post",
            data={"on": "2024-01-02", "reason": "Dừng"},
            api=True,
            state=lambda: sorted(InvestmentProject.objects.values_list("status", flat=True)),
        )


class TestProjectDetailAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_project(world.owner, investors=("Nguyễn Văn An",))
        theirs = make_project(world.other_owner, investors=("Trần Văn Bình",))
        return Access(
            url=f"{PROJECTS}{mine.pk}",
            outside_url=f"{PROJECTS}{theirs.pk}",
            allowed=world.official,
            denied=world.outsider,
            api=True,
        )


def test_list_pages_filters_and_q(client: Client, world: World) -> None:
    for n in range(5):
        make_enterprise(world.owner, name=f"Công ty TNHH Gỗ Đức Thành {n}", lines=("1610",))
    coop = make_enterprise(
        world.other_owner, name="Hợp tác xã Tân Hòa", enterprise_type="htx", lines=("0126",)
    )
    login(client, world.reader)

    page = body(client.get(API, {"limit": 2, "offset": 1}))
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (6, 2, 1, 2)
    assert body(client.get(API, {"q": "go duc thanh"}))["count"] == 5
    found = body(client.get(API, {"q": coop.tax_code}))["items"]
    assert [i["name"] for i in found] == ["Hợp tác xã Tân Hòa"]
    assert found[0]["main_line"] == "0126"
    assert body(client.get(API, {"type": "htx"}))["count"] == 1
    assert body(client.get(API, {"vsic": "C"}))["count"] == 5
    assert body(client.get(API, {"vsic": "0126"}))["count"] == 1
    assert body(client.get(API, {"status": "active", "commune": "25747"}))["count"] == 6

    response = client.get(API, {"limit": "500", "status": "ngủ", "vsic": "?", "commune": "x"})
    assert response.status_code == 422
    errors = body(response)["errors"]
    assert set(errors) == {"limit", "status", "vsic", "commune"}

    login(client, world.official)
    assert body(client.get(API))["count"] == 5  # only the owner's rows without a grant


def test_detail_needs_a_purpose_and_logs_the_read(client: Client, world: World) -> None:
    enterprise = make_enterprise(world.owner)
    login(client, world.reader)
    response = client.get(f"{API}{enterprise.pk}")
    assert response.status_code == 422
    assert "purpose" in body(response)["errors"]
    assert not DataAccess.objects.exists()
    data = body(client.get(f"{API}{enterprise.pk}", {"purpose": "Kiểm tra nhà đầu tư"}))
    assert data["tax_code"] == enterprise.tax_code
    assert data["address"]["commune"] == "25747"
    access = DataAccess.objects.get()
    assert (access.channel, access.subject_key) == ("api", enterprise.tax_code)


def test_create_update_status_and_branches(client: Client, world: World) -> None:
    login(client, world.official)
    code = tax_code()
    payload = {
        "owner": world.owner.pk,
        "tax_code": code,
        "name": "Công ty Cổ phần Vận tải Hải Long",
        "enterprise_type": "cp",
        "representative_name": "Ngô Văn Hải",
        "address_commune_legacy": "25753",
        "main_line": "4933",
        "other_lines": ["5210", "4933"],
    }
    for wrong, field in (
        ({"tax_code": "0100233480"}, "tax_code"),
        ({"other_lines": ["0000"]}, "lines"),
    ):
        bad = client.post(API, {**payload, **wrong}, content_type="application/json")
        assert bad.status_code == 422
        assert field in body(bad)["errors"]
    assert not Enterprise.all_objects.exists()

    created = client.post(API, payload, content_type="application/json")
    assert created.status_code == 201, created.content
    data = body(created)
    assert (data["main_line"], data["other_lines"]) == ("4933", ["5210"])
    assert data["address"]["commune"] == "25747"
    record_id = data["id"]

    patched = client.patch(
        f"{API}{record_id}", {"other_lines": []}, content_type="application/json"
    )
    assert body(patched)["other_lines"] == []
    assert list(Enterprise.objects.get().lines.values_list("code", flat=True)) == ["4933"]

    bad = client.post(
        f"{API}{record_id}/status",
        {"to_status": "bankrupt", "effective_on": "2025-01-06", "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "to_status" in body(bad)["errors"]
    done = client.post(
        f"{API}{record_id}/status",
        {
            "to_status": "suspended",
            "effective_on": "2025-01-06",
            "until": "2025-12-31",
            "reason": "Tạm ngừng",
        },
        content_type="application/json",
    )
    assert body(done)["status"] == "suspended"
    history = body(client.get(f"{API}{record_id}/status-history"))
    assert [(h["from_status"], h["to_status"], h["until"]) for h in history] == [
        ("active", "suspended", "2025-12-31")
    ]

    bad = client.post(
        f"{API}{record_id}/branches",
        {"kind": "branch", "name": "Chi nhánh", "tax_code": "0100233488-001"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "tax_code" in body(bad)["errors"]
    added = client.post(
        f"{API}{record_id}/branches",
        {"kind": "branch", "name": "Chi nhánh Dĩ An", "tax_code": f"{code}002", "commune": "25750"},
        content_type="application/json",
    )
    assert added.status_code == 201
    branches = body(client.get(f"{API}{record_id}/branches"))
    assert [(b["tax_code"], b["address"]["commune"]) for b in branches] == [
        (f"{code}-002", "25750")
    ]

    history = body(client.get(f"{API}{record_id}/history"))
    assert [v["action"] for v in history] == ["status", "update", "create"]


def test_projects_create_amend_terminate(client: Client, world: World) -> None:
    investor = make_enterprise(world.owner, name="Công ty TNHH Đầu tư Phú Thịnh")
    login(client, world.official)
    payload = {
        "owner": world.owner.pk,
        "code": "7400000555",
        "name": "Trung tâm logistics Phú Thịnh",
        "objectives": "Kho bãi, dịch vụ logistics",
        "capital": 500_000_000_000,
        "location_commune_legacy": "25741",
        "land_area": "45000.5",
        "duration_years": 50,
        "certificate_date": "2023-03-15",
        "investors": [
            {"identifier": investor.tax_code, "capital": 400_000_000_000},
            {"name": "Kim Jae Won", "identifier": "M12345678", "nationality": "Hàn Quốc"},
        ],
    }
    for wrong, field in (
        ({"code": "12"}, "code"),
        ({"investors": [{"identifier": "0100233488"}]}, "investors"),
        ({"investors": []}, "investors"),
    ):
        bad = client.post(PROJECTS, {**payload, **wrong}, content_type="application/json")
        assert bad.status_code == 422
        assert field in str(body(bad)["errors"])
    assert not InvestmentProject.all_objects.exists()

    created = client.post(PROJECTS, payload, content_type="application/json")
    assert created.status_code == 201, created.content
    project = body(created)
    assert project["investors"] == (
        f"Công ty TNHH Đầu tư Phú Thịnh ({investor.tax_code}); Kim Jae Won (M12345678)"
    )
    assert project["location"]["commune"] == "25750"
    investors = body(client.get(f"{PROJECTS}{project['id']}/investors"))
    assert [(i["kind"], i["enterprise"], i["capital"], i["nationality"]) for i in investors] == [
        ("organisation", investor.pk, 400_000_000_000, ""),
        ("organisation", None, None, "Hàn Quốc"),
    ]

    bad = client.post(
        f"{PROJECTS}{project['id']}/amendments",
        {"amended_on": "2020-01-01", "capital": 1},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "amended_on" in body(bad)["errors"]
    amended = client.post(
        f"{PROJECTS}{project['id']}/amendments",
        {"amended_on": "2024-07-01", "capital": 650_000_000_000, "summary": "Tăng vốn"},
        content_type="application/json",
    )
    assert amended.status_code == 201
    assert body(amended)["changes"] == {"capital": [500_000_000_000, 650_000_000_000]}
    listed = body(client.get(f"{PROJECTS}{project['id']}/amendments"))
    assert [a["number"] for a in listed] == [1]

    ended = client.post(
        f"{PROJECTS}{project['id']}/terminate",
        {"on": "2025-01-02", "reason": "Nhà đầu tư chấm dứt"},
        content_type="application/json",
    )
    assert body(ended)["status"] == "terminated"
    again = client.post(
        f"{PROJECTS}{project['id']}/terminate",
        {"on": "2025-01-03", "reason": "Lần hai"},
        content_type="application/json",
    )
    assert again.status_code == 422
    assert body(client.get(PROJECTS, {"investor": investor.tax_code}))["count"] == 1
    assert body(client.get(PROJECTS, {"status": "terminated"}))["count"] == 1


def test_import_through_the_api(client: Client, world: World) -> None:
    login(client, world.official)
    good = tax_code()
    content = (
        "tax_code,name,enterprise_type,representative_name,main_line\n"
        f"{good},Công ty TNHH Môi trường Xanh,tnhh1,Mai Văn Lâm,3811\n"
        "123,Công ty lỗi,tnhh1,Mai Văn Lâm,3811\n"
    ).encode()

    def upload(**extra: Any) -> Any:
        return client.post(
            f"{API}import",
            {"file": SimpleUploadedFile("dn.csv", content), "owner": world.owner.pk, **extra},
        )

    rejected = upload()
    assert rejected.status_code == 422
    assert body(rejected)["errors"][0]["row"] == 3
    assert not Enterprise.all_objects.exists()
    done = upload(valid_only="true")
    assert done.status_code == 201
    assert body(done)["imported_rows"] == 1
    assert Enterprise.objects.get().tax_code == good
    login(client, world.other_official)
    assert upload().status_code == 403
