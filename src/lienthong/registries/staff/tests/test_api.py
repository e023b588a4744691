"""The staff API: permissions (401/403/404), paging and filters, 422s, the decisions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.registries.base.models import DataAccess
from lienthong.registries.staff.choices import Category, SchoolLevel
from lienthong.registries.staff.models import (
    Appointment,
    Discipline,
    Qualification,
    SalaryChange,
    StaffMember,
)
from lienthong.registries.staff.testing import make_member, personal_id

pytestmark = pytest.mark.django_db
API = "/api/registries/staff"
D = datetime.date


@pytest.fixture
def members(org: Any, editor: Any, district_editor: Any) -> dict[str, StaffMember]:
    mine = make_member(org.division, by=editor, full_name="Nguyễn Văn Bình")
    theirs = make_member(
        org.school.org_unit,
        by=district_editor,
        full_name="Trần Thị Lan",
        birth_year=1990,
        sex="female",
        category=Category.PUBLIC_EMPLOYEE,
        rank="V.07.03.29",
        step=2,
        school=org.school,
        school_level=SchoolLevel.PRIMARY,
        subjects="Toán",
    )
    return {"mine": mine, "theirs": theirs}


def _denied(org: Any) -> Any:
    return make_user("lanhdao", roles=[(Role.LEADER, org.department)])


class TestMemberDetail(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        return Access(
            url=f"{API}/members/{members['mine'].pk}?purpose=Xet+nang+luong",
            outside_url=f"{API}/members/{members['theirs'].pk}?purpose=Xet+nang+luong",
            allowed=editor,
            denied=_denied(org),
            api=True,
        )


class TestMemberFile(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        return Access(
            url=f"{API}/members/{members['mine'].pk}/file?purpose=Xet+nang+luong",
            outside_url=f"{API}/members/{members['theirs'].pk}/file?purpose=Xet+nang+luong",
            allowed=editor,
            denied=_denied(org),
            api=True,
        )


class TestSalaryChange(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        data = {
            "rank": "01.002",
            "step": 1,
            "effective_date": "2025-03-01",
            "reason": "promotion",
            "decision_number": "45/QĐ-UBND",
        }
        return Access(
            url=f"{API}/members/{members['mine'].pk}/salary-changes",
            outside_url=f"{API}/members/{members['theirs'].pk}/salary-changes",
            allowed=editor,
            denied=_denied(org),
            method="post",
            data=data,
            api=True,
            ok_status=201,
            state=lambda: SalaryChange.objects.count(),
        )


class TestDisciplineAdd(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        return Access(
            url=f"{API}/members/{members['mine'].pk}/disciplines",
            outside_url=f"{API}/members/{members['theirs'].pk}/disciplines",
            allowed=editor,
            denied=_denied(org),
            method="post",
            data={"form": "warning", "decision_number": "1/QĐ-KL", "decision_date": "2024-02-01"},
            api=True,
            ok_status=201,
            state=lambda: Discipline.objects.count(),
        )


class TestMemberPatch(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        return Access(
            url=f"{API}/members/{members['mine'].pk}",
            outside_url=f"{API}/members/{members['theirs'].pk}",
            allowed=editor,
            denied=_denied(org),
            method="patch",
            data={"phone": "0912345678"},
            api=True,
            state=lambda: list(StaffMember.objects.values_list("phone", flat=True)),
        )


def test_list_filters_paging_and_search(
    client: Client, org: Any, editor: Any, members: Any
) -> None:
    for n in range(3):
        make_member(org.department, by=editor, full_name=f"Lê Văn Ba {n}", rank="01.004", step=2)
    login(client, editor)
    page = client.get(f"{API}/members/?limit=2").json()
    assert (page["count"], len(page["items"]), page["limit"]) == (4, 2, 2)
    assert "Trần Thị Lan" not in {
        i["full_name"] for i in client.get(f"{API}/members/?limit=50").json()["items"]
    }
    by_unit = client.get(f"{API}/members/?unit={org.division.pk}").json()
    assert [i["full_name"] for i in by_unit["items"]] == ["Nguyễn Văn Bình"]
    by_rank = client.get(f"{API}/members/?rank=01.004").json()
    assert by_rank["count"] == 3 and by_rank["items"][0]["scale"] == "B"
    found = client.get(f"{API}/members/?q=nguyen+van+b").json()
    assert [i["full_name"] for i in found["items"]] == ["Nguyễn Văn Bình"]
    by_id = client.get(f"{API}/members/?q={members['mine'].personal_id[:8]}").json()
    assert by_id["count"] >= 1
    due = client.get(f"{API}/members/?due_days=3660&category=civil_servant").json()
    assert due["count"] == 4
    item = next(i for i in found["items"])
    assert (item["coefficient"], item["next_raise_due"]) == ("3.00", "2026-01-01")


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=500", "unit=abc", "due_days=-1", "category=ceo", f"q={'x' * 201}"],
)
def test_bad_list_parameters_are_422(client: Client, editor: Any, members: Any, query: str) -> None:
    login(client, editor)
    response = client.get(f"{API}/members/?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["errors"]


def test_detail_needs_a_purpose_and_logs_the_read(
    client: Client, editor: Any, members: Any
) -> None:
    login(client, editor)
    member = members["mine"]
    assert client.get(f"{API}/members/{member.pk}").status_code == 422
    assert not DataAccess.objects.exists()
    body = client.get(f"{API}/members/{member.pk}?purpose=Xet+nang+luong").json()
    assert body["rank"] == "01.003" and body["coefficient"] == "3.00"
    assert DataAccess.objects.get().channel == DataAccess.Channel.API


def test_create_through_the_api_derives_the_owner(client: Client, org: Any, editor: Any) -> None:
    login(client, editor)
    payload = {
        "personal_id": personal_id(birth_year=1988, sex="female"),
        "full_name": "Phạm Thị Mai",
        "birth_date": "1988-04-02",
        "sex": "female",
        "org_unit": org.division.pk,
        "category": "civil_servant",
    }
    response = client.post(f"{API}/members/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == org.department.pk
    # Another agency's unit: not the caller's to create in.
    payload["personal_id"] = personal_id(birth_year=1988, sex="female")
    payload["org_unit"] = org.district.pk
    assert (
        client.post(f"{API}/members/", payload, content_type="application/json").status_code == 403
    )
    # The ID does not match the birth year: 422 with the field.
    payload["org_unit"] = org.division.pk
    payload["birth_date"] = "1989-04-02"
    response = client.post(f"{API}/members/", payload, content_type="application/json")
    assert response.status_code == 422 and "birth_date" in response.json()["errors"]
    assert StaffMember.objects.count() == 1


def test_placement_is_not_patchable(client: Client, editor: Any, members: Any) -> None:
    login(client, editor)
    member = members["mine"]
    response = client.patch(
        f"{API}/members/{member.pk}", {"salary_step": 9}, content_type="application/json"
    )
    member.refresh_from_db()
    assert member.salary_step == 3
    assert response.status_code in (200, 422)


def test_decisions_write_history(client: Client, editor: Any, members: Any) -> None:
    login(client, editor)
    member = members["mine"]
    raised = client.post(
        f"{API}/members/{member.pk}/regular-raise",
        {"decision_number": "9/QĐ"},
        content_type="application/json",
    )
    assert raised.status_code == 201 and raised.json()["step"] == 4
    appointed = client.post(
        f"{API}/members/{member.pk}/appointments",
        {
            "position": "pho-truong-phong",
            "decision_number": "10/QĐ",
            "decision_date": "2025-01-02",
            "effective_date": "2025-01-15",
        },
        content_type="application/json",
    )
    assert appointed.status_code == 201 and appointed.json()["term_ends"] == "2030-01-15"
    ended = client.post(
        f"{API}/appointments/{appointed.json()['id']}/end",
        {"ended_on": "2025-06-01"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2025-06-01"
    added = client.post(
        f"{API}/members/{member.pk}/qualifications",
        {"kind": "professional", "level": "master", "major": "Luật", "year": 2015},
        content_type="application/json",
    )
    assert added.status_code == 201
    file = client.get(f"{API}/members/{member.pk}/file?purpose=Kiem+tra+ho+so").json()
    assert [c["step"] for c in file["salary"]] == [4, 3]
    assert file["qualifications"][0]["level"] == "master"
    removed = client.delete(f"{API}/members/{member.pk}/qualifications/{added.json()['id']}")
    assert removed.status_code == 204 and not Qualification.objects.exists()
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        (
            "salary-changes",
            {"rank": "99.999", "step": 1, "effective_date": "2025-01-01", "reason": "promotion"},
            "rank",
        ),
        (
            "salary-changes",
            {"rank": "01.001", "step": 7, "effective_date": "2025-01-01", "reason": "promotion"},
            "step",
        ),
        (
            "appointments",
            {
                "position": "vua",
                "decision_number": "1",
                "decision_date": "2025-01-01",
                "effective_date": "2025-01-01",
            },
            "position",
        ),
        (
            "disciplines",
            {"form": "demotion", "decision_number": "1", "decision_date": "2025-01-01"},
            "form",
        ),
    ],
)
def test_bad_decisions_are_422_and_write_nothing(
    client: Client, editor: Any, members: Any, path: str, payload: dict[str, Any], field: str
) -> None:
    login(client, editor)
    member = members["mine"]
    if field == "form":
        # A public employee: the law gives no demotion for them.
        StaffMember.objects.filter(pk=member.pk).update(category=Category.PUBLIC_EMPLOYEE)
    before = (SalaryChange.objects.count(), Appointment.objects.count(), Discipline.objects.count())
    response = client.post(
        f"{API}/members/{member.pk}/{path}", payload, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert (
        SalaryChange.objects.count(),
        Appointment.objects.count(),
        Discipline.objects.count(),
    ) == before


def test_due_for_raise_and_teachers(
    client: Client, org: Any, district_editor: Any, members: Any
) -> None:
    login(client, district_editor)
    due = client.get(f"{API}/due-for-raise?days=3660").json()
    assert [i["full_name"] for i in due["items"]] == ["Trần Thị Lan"]
    assert due["items"][0]["to_coefficient"] == "3.00"  # V.07.03.29 (A1) step 2 → 3
    assert client.get(f"{API}/due-for-raise?days=99999").status_code == 422
    assert client.get(f"{API}/due-for-raise?days=abc").status_code == 422
    teachers = client.get(f"{API}/teachers?level=primary&subject=To%C3%A1n").json()
    assert [t["school_name"] for t in teachers["items"]] == ["Trường Tiểu học Thử"]
    assert client.get(f"{API}/teachers?level=x").status_code == 422


def test_citizens_and_anonymous_get_nothing(client: Client, members: Any) -> None:
    assert client.get(f"{API}/members/").status_code == 401
    assert client.get(f"{API}/due-for-raise").status_code == 401
    login(client, make_user("dan", roles=[(Role.CITIZEN, None)]))
    for path in (
        "members/",
        "due-for-raise",
        "teachers",
        "ranks",
        f"members/{members['mine'].pk}/file?purpose=abcdef",
    ):
        assert client.get(f"{API}/{path}").status_code == 403, path


def test_reference_tables(client: Client, editor: Any) -> None:
    login(client, editor)
    scales = {s["code"]: s for s in client.get(f"{API}/scales").json()}
    assert scales["A1"]["coefficients"][2] == "3.00" and scales["B"]["raise_interval_months"] == 24
    ranks = {r["code"]: r for r in client.get(f"{API}/ranks").json()}
    assert ranks["V.07.05.15"]["scale"] == "A1"
