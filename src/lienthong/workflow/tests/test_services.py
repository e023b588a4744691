"""Creating and completing tasks: validation, permission, audit."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit, make_user
from lienthong.workflow.models import Task
from lienthong.workflow.services import can_complete, complete_task, create_task
from lienthong.workflow.tests.helpers import make_task

pytestmark = pytest.mark.django_db


def test_create_task_for_a_pool_is_audited() -> None:
    unit = make_org_unit()
    due = timezone.now() + datetime.timedelta(days=2)

    task = create_task(
        title="  Thẩm định hồ sơ 000.00.06.H56-231027-0361 ",
        org_unit=unit,
        role=Role.SPECIALIST,
        due_at=due,
        module="onestop",
        url="/onestop/dossiers/1/",
        by=None,
    )

    task.refresh_from_db()
    assert (task.title, task.org_unit, task.role, task.due_at, task.status) == (
        "Thẩm định hồ sơ 000.00.06.H56-231027-0361",
        unit,
        Role.SPECIALIST,
        due,
        Task.Status.OPEN,
    )
    entry = AuditEntry.objects.get(action="workflow.task.create")
    assert (entry.object_id, entry.org_unit_id, entry.before) == (str(task.pk), unit.pk, None)
    assert entry.after is not None
    assert entry.after["title"] == "Thẩm định hồ sơ 000.00.06.H56-231027-0361"


def test_a_task_for_an_official_takes_their_unit() -> None:
    unit = make_org_unit()
    official = make_user(roles=[(Role.SPECIALIST, unit)])

    task = create_task(title="Soạn công văn", assignee=official, by=official)

    assert (task.assignee, task.org_unit) == (official, unit)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": " "}, "title"),
        ({"org_unit": None}, "assignee"),
        ({"role": ""}, "assignee"),
        ({"role": Role.CITIZEN}, "role"),
        ({"role": "janitor"}, "role"),
        ({"due_at": datetime.datetime(2025, 1, 2, 8, 0)}, "due_at"),
    ],
)
def test_bad_task_input_is_refused_and_nothing_is_written(kwargs: dict, field: str) -> None:
    unit = make_org_unit()
    arguments = {"title": "Việc", "org_unit": unit, "role": Role.SPECIALIST, **kwargs}

    with pytest.raises(ValidationError) as caught:
        create_task(by=None, **arguments)

    assert field in caught.value.message_dict
    assert Task.objects.count() == 0
    assert AuditEntry.objects.filter(action="workflow.task.create").count() == 0


def test_a_citizen_cannot_be_given_a_task() -> None:
    citizen = make_user(roles=[(Role.CITIZEN, None)])

    with pytest.raises(ValidationError) as caught:
        create_task(title="Việc", assignee=citizen, by=None)

    assert caught.value.message_dict == {"assignee": ["Chỉ giao việc cho cán bộ, công chức."]}


def test_the_assignee_completes_their_task() -> None:
    unit = make_org_unit()
    official = make_user(roles=[(Role.SPECIALIST, unit)])
    task = make_task(org_unit=unit, assignee=official)

    done = complete_task(task=task, by=official)

    task.refresh_from_db()
    assert (task.status, task.assignee, done.pk) == (Task.Status.DONE, official, task.pk)
    assert task.completed_at is not None
    entry = AuditEntry.objects.get(action="workflow.task.complete")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["status"], entry.after["status"]) == ("open", "done")
    assert entry.actor_id == official.pk


def test_a_pooled_task_becomes_the_completers() -> None:
    unit = make_org_unit()
    official = make_user(roles=[(Role.SPECIALIST, unit)])
    task = make_task(org_unit=unit, role=Role.SPECIALIST)

    complete_task(task=task, by=official)

    task.refresh_from_db()
    assert (task.status, task.assignee) == (Task.Status.DONE, official)


def test_a_leader_above_may_take_a_pooled_task_of_a_division() -> None:
    dept = make_org_unit()
    division = make_org_unit(parent=dept, is_agency=False)
    leader = make_user(roles=[(Role.LEADER, dept)])
    task = make_task(org_unit=division, role=Role.LEADER)

    assert can_complete(task, leader)


def test_someone_elses_task_cannot_be_completed() -> None:
    unit = make_org_unit()
    owner = make_user(roles=[(Role.SPECIALIST, unit)])
    colleague = make_user(roles=[(Role.SPECIALIST, unit)])
    task = make_task(org_unit=unit, assignee=owner)

    with pytest.raises(PermissionDenied):
        complete_task(task=task, by=colleague)

    task.refresh_from_db()
    assert (task.status, task.completed_at) == (Task.Status.OPEN, None)
    assert not AuditEntry.objects.filter(action="workflow.task.complete").exists()


def test_a_pooled_task_needs_the_pools_role() -> None:
    unit = make_org_unit()
    clerk = make_user(roles=[(Role.CLERK, unit)])
    task = make_task(org_unit=unit, role=Role.SPECIALIST)

    with pytest.raises(PermissionDenied):
        complete_task(task=task, by=clerk)

    task.refresh_from_db()
    assert (task.status, task.assignee) == (Task.Status.OPEN, None)


def test_a_closed_task_cannot_be_completed_again() -> None:
    unit = make_org_unit()
    official = make_user(roles=[(Role.SPECIALIST, unit)])
    task = make_task(org_unit=unit, assignee=official, status=Task.Status.CANCELLED)

    with pytest.raises(ValidationError) as caught:
        complete_task(task=task, by=official)

    assert caught.value.message_dict == {"status": ["Công việc này đã kết thúc (Đã huỷ)."]}
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED
    assert not AuditEntry.objects.filter(action="workflow.task.complete").exists()


def test_handling_url_follows_only_local_paths() -> None:
    assert make_task(url="/onestop/dossiers/7/").handling_url == "/onestop/dossiers/7/"
    outside = make_task(url="//evil.example/x")
    assert outside.handling_url == f"/inbox/{outside.pk}/"
    script = make_task(url="javascript:alert(1)")
    assert script.handling_url == f"/inbox/{script.pk}/"
