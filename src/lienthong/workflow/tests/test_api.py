"""The inbox API at /api/inbox/."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.workflow.models import Task
from lienthong.workflow.tests.helpers import make_task

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def unit() -> OrgUnit:
    return make_org_unit("Sở Nội vụ")


@pytest.fixture
def specialist(unit: OrgUnit) -> User:
    return make_user(roles=[(Role.SPECIALIST, unit)])


def test_list_my_open_tasks_soonest_first(client: Client, unit: OrgUnit, specialist: User) -> None:
    later = make_task("later", assignee=specialist, org_unit=unit, due_in=4 * DAY)
    overdue = make_task("overdue", org_unit=unit, role=Role.SPECIALIST, due_in=-DAY)
    make_task("done", assignee=specialist, org_unit=unit, status=Task.Status.DONE)
    login(client, specialist)

    body = client.get("/api/inbox/").json()

    assert body["count"] == 2
    assert [(item["id"], item["overdue"]) for item in body["items"]] == [
        (overdue.pk, True),
        (later.pk, False),
    ]
    first = body["items"][0]
    assert first["org_unit"] == {"id": unit.pk, "name": "Sở Nội vụ"}
    assert (first["role"], first["status"], first["url"]) == (
        "specialist",
        "open",
        f"/inbox/{overdue.pk}/",
    )


def test_list_is_paginated(client: Client, unit: OrgUnit, specialist: User) -> None:
    for n in range(3):
        make_task(f"t{n}", assignee=specialist, org_unit=unit, due_in=(n + 1) * DAY)
    login(client, specialist)

    body = client.get("/api/inbox/?limit=2&offset=2").json()

    assert (body["count"], [item["title"] for item in body["items"]]) == (3, ["t2"])


def test_list_for_a_citizen_is_403(client: Client) -> None:
    login(client, make_user(roles=[(Role.CITIZEN, None)]))

    response = client.get("/api/inbox/")

    assert response.status_code == 403
    assert response.json() == {"detail": "Chỉ cán bộ, công chức mới dùng được hộp việc."}


def test_complete_by_api(client: Client, unit: OrgUnit, specialist: User) -> None:
    task = make_task(org_unit=unit, role=Role.SPECIALIST)
    login(client, specialist)

    response = client.post(f"/api/inbox/{task.pk}/complete")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assignee_id"]) == ("done", specialist.pk)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE


def test_completing_a_closed_task_is_422(client: Client, unit: OrgUnit, specialist: User) -> None:
    task = make_task(assignee=specialist, org_unit=unit, status=Task.Status.DONE)
    login(client, specialist)

    response = client.post(f"/api/inbox/{task.pk}/complete")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Dữ liệu không hợp lệ.",
        "errors": {"status": ["Công việc này đã kết thúc (Đã xong)."]},
    }


def test_completing_a_colleagues_task_is_403(
    client: Client, unit: OrgUnit, specialist: User
) -> None:
    colleague = make_user(roles=[(Role.SPECIALIST, unit)])
    task = make_task(assignee=colleague, org_unit=unit)
    login(client, specialist)

    response = client.post(f"/api/inbox/{task.pk}/complete")

    assert response.status_code == 403
    assert response.json() == {"detail": "Bạn không được giao công việc này."}
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_unverified_official_gets_403_json_not_a_redirect(client: Client, unit: OrgUnit) -> None:
    official = make_user(roles=[(Role.SPECIALIST, unit)])
    client.force_login(official)  # the password only: no second factor yet

    response = client.get("/api/inbox/")

    assert response.status_code == 403
    assert response.json() == {"detail": "Tài khoản cán bộ phải xác thực hai lớp (TOTP) trước."}
