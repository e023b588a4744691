"""Completing an incoming document ends every unit's work on it: the lead task is done, the
co-operating and for-information tasks still open are closed as no longer needed (audited)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit, make_user
from lienthong.documents import services
from lienthong.documents.models import IncomingDocument
from lienthong.documents.tests.conftest import World, data
from lienthong.workflow import services as workflow
from lienthong.workflow.models import Task


def _assigned(world: World, by: object = None) -> tuple[IncomingDocument, object]:
    informed = make_org_unit(
        "Phòng Kiểm soát thủ tục", parent=world.agency, is_agency=False, kind="division"
    )
    document = services.register_incoming(agency=world.agency, data=data(), by=world.clerk)
    services.assign(
        document,
        lead_unit=world.division_a,
        cooperating=[world.division_b],
        informed=[informed],
        by=by or world.leader,  # type: ignore[arg-type]
    )
    return document, informed


def _task(document: IncomingDocument, part: str) -> Task:
    task = document.assignments.get(part=part).task
    assert task is not None
    task.refresh_from_db()
    return task


def test_completion_closes_cooperating_and_informed_tasks_as_no_longer_needed(
    world: World,
) -> None:
    # given an assigned document whose co-operating and informed units have not answered
    document, _informed = _assigned(world)
    assert _task(document, "cooperate").status == Task.Status.OPEN
    assert _task(document, "inform").status == Task.Status.OPEN
    # when the lead unit completes it
    services.complete(document, result="Đã tham mưu văn bản trả lời.", by=world.specialist_a)
    # then the lead task is done and the two others are cancelled, each with an audit entry
    lead = _task(document, "lead")
    assert (lead.status, lead.completed_by) == (Task.Status.DONE, world.specialist_a)
    for part in ("cooperate", "inform"):
        task = _task(document, part)
        assert (task.status, task.completed_by) == (Task.Status.CANCELLED, world.specialist_a)
        assert task.completed_at is not None
        entry = AuditEntry.objects.get(action="workflow.task.cancel", object_id=str(task.pk))
        assert entry.actor_id == world.specialist_a.pk
        assert entry.before is not None and entry.after is not None
        assert entry.before["status"] == "open"
        assert entry.after["status"] == "cancelled"
        assert entry.after["reason"] == (
            "Không còn cần thiết: đơn vị chủ trì đã hoàn thành xử lý văn bản."
        )
    # and an opinion after completion is still recorded, the closed tasks stay closed
    services.add_opinion(document, text="Phòng BTTP thống nhất.", by=world.specialist_b)
    assert _task(document, "cooperate").status == Task.Status.CANCELLED


def test_a_unit_that_answered_keeps_its_done_task(world: World) -> None:
    # given the co-operating unit answered before completion
    document, _informed = _assigned(world)
    services.add_opinion(document, text="Thống nhất.", by=world.specialist_b)
    # when the lead unit completes
    services.complete(document, result="Xong.", by=world.specialist_a)
    # then its task stays done (by its specialist), only the informed one is cancelled
    coop = _task(document, "cooperate")
    assert (coop.status, coop.completed_by) == (Task.Status.DONE, world.specialist_b)
    assert _task(document, "inform").status == Task.Status.CANCELLED
    assert AuditEntry.objects.filter(action="workflow.task.cancel").count() == 1


def test_a_failed_completion_cancels_nothing(world: World) -> None:
    # given an assigned document
    document, _informed = _assigned(world)
    entries = AuditEntry.objects.count()
    # when the completion is refused (no result)
    with pytest.raises(ValidationError):
        services.complete(document, result="  ", by=world.specialist_a)
    # then every task is still open and nothing was recorded
    assert {_task(document, p).status for p in ("lead", "cooperate", "inform")} == {
        Task.Status.OPEN
    }
    assert AuditEntry.objects.count() == entries


def test_a_superuser_acting_as_leader_leaves_no_pool_task_open(world: World) -> None:
    # given a superuser who holds no role in the agency
    root = make_user("quantri", is_superuser=True, is_staff=True)
    # when they assign and complete the document
    document, _informed = _assigned(world, by=root)
    # then the leaders' presentation task is closed (cancelled: not theirs to do)
    assert document.presentation_task is not None
    document.presentation_task.refresh_from_db()
    assert document.presentation_task.status == Task.Status.CANCELLED
    services.complete(document, result="Xong.", by=root)
    assert {_task(document, p).status for p in ("lead", "cooperate", "inform")} == {
        Task.Status.CANCELLED
    }
    document.refresh_from_db()
    assert document.status == IncomingDocument.Status.DONE
    assert not Task.objects.filter(status=Task.Status.OPEN, module="documents").exists()


def test_cancel_task_refuses_closed_tasks_and_empty_reasons(world: World) -> None:
    # given a loose task in a pool
    task = workflow.create_task(
        title="Xem xét", by=world.leader, org_unit=world.division_a, role=Role.SPECIALIST
    )
    # when cancelled without a reason, then nothing changes
    with pytest.raises(ValidationError) as caught:
        workflow.cancel_task(task=task, by=world.leader, reason=" ")
    assert set(caught.value.message_dict) == {"reason"}
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    assert not AuditEntry.objects.filter(action="workflow.task.cancel").exists()
    # when cancelled with one, then it is closed; a second cancel is refused
    workflow.cancel_task(task=task, by=world.leader, reason="Không còn cần thiết.")
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED
    with pytest.raises(ValidationError) as caught:
        workflow.cancel_task(task=task, by=world.leader, reason="Lần nữa.")
    assert set(caught.value.message_dict) == {"status"}
    assert AuditEntry.objects.filter(action="workflow.task.cancel").count() == 1
