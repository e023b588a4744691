"""The workflow engine: budgets and due moments, moves, permissions, delegation, the records
each move leaves (transition, audit entry, outbox event), and risk.

Moments are pinned to March 2025 (no holidays; office hours 07:30–11:30, 13:00–17:00, 8 working
hours a day). The case in most tests runs 12/3 07:30 → 19/3 07:30: five working days, a budget
of 144,000 working seconds; the steps' shares (10/40/20/20/10 %) are 4 h, 16 h, 8 h, 8 h, 4 h.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit, make_user
from lienthong.exchange.models import OutboxEvent
from lienthong.workflow import engine
from lienthong.workflow.engine import Risk, WrongState
from lienthong.workflow.models import Case, CaseTransition, Delegation, ProcessStep, Task
from lienthong.workflow.tests.helpers import Office, make_office, make_template, vn

pytestmark = pytest.mark.django_db

START = vn(2025, 3, 12, 7, 30)
DUE = vn(2025, 3, 19, 7, 30)


@pytest.fixture
def office() -> Office:
    return make_office()


def open_tasks(case: Case) -> list[Task]:
    return list(Task.objects.filter(case=case, status=Task.Status.OPEN))


def actions(case: Case) -> list[str]:
    return list(CaseTransition.objects.filter(case=case).values_list("action", flat=True))


def audit_actions(case: Case) -> list[str]:
    return list(AuditEntry.objects.of_object(case).values_list("action", flat=True))


def event_types(case: Case) -> list[str]:
    return list(
        OutboxEvent.objects.filter(subject=str(case.pk))
        .order_by("id")
        .values_list("type", flat=True)
    )


def forward_to(office: Office, case: Case, order: int, *, at: datetime.datetime) -> Case:
    """Forward the case from step 1 up to step `order`, each holder in turn."""
    holders = [office.officer, office.specialist, office.head, office.director, office.officer]
    while case.current_step.order < order:  # type: ignore[union-attr]
        case = engine.forward(case=case, by=holders[case.current_step.order - 1], at=at)  # type: ignore[union-attr]
        case.refresh_from_db()
    return case


# --- Starting ---------------------------------------------------------------------------------


def test_start_opens_the_first_step_with_its_share_of_the_budget(office: Office) -> None:
    case = office.start(at=START, due_at=DUE, title="Hồ sơ 000.00.06.H56-250312-0001")

    case.refresh_from_db()
    assert (case.status, case.current_step, case.budget_seconds, case.module) == (
        Case.Status.ACTIVE,
        office.step(1),
        5 * 8 * 3600,
        "test",
    )
    (task,) = open_tasks(case)
    assert (task.title, task.org_unit, task.role, task.assignee, task.step) == (
        "Hồ sơ 000.00.06.H56-250312-0001 — Tiếp nhận",
        office.agency,
        Role.ONESTOP_OFFICER,
        None,
        office.step(1),
    )
    # 10 % of five working days is four working hours: 07:30 → 11:30 the same morning
    assert task.due_at == vn(2025, 3, 12, 11, 30)
    assert task.handling_url == f"/inbox/case/{case.pk}/"
    (transition,) = CaseTransition.objects.filter(case=case)
    assert (transition.action, transition.by, transition.to_step, transition.at) == (
        "start",
        office.officer,
        office.step(1),
        START,
    )
    entry = AuditEntry.objects.get(action="workflow.case.start")
    assert (entry.object_type, entry.object_id, entry.actor_id, entry.before) == (
        "workflow.case",
        str(case.pk),
        office.officer.pk,
        None,
    )
    assert entry.after is not None and entry.after["current_step"] == office.step(1).pk
    event = OutboxEvent.objects.get(type="workflow.case.start")
    assert event.subject == str(case.pk)
    assert event.data == {
        "case": case.pk,
        "module": "test",
        "subject_type": "core.orgunit",
        "subject_id": case.subject_id,
        "agency": office.agency.pk,
        "status": "active",
        "from_step": None,
        "to_step": office.step(1).pk,
        "due_at": "2025-03-19T00:30:00+00:00",
        "at": "2025-03-12T00:30:00+00:00",
        "by": office.officer.pk,
        "acting_for": None,
    }


def test_a_step_with_its_own_unit_goes_to_that_units_pool(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)

    case = engine.forward(case=case, by=office.officer, at=vn(2025, 3, 12, 9, 0))

    (task,) = open_tasks(case)
    assert (task.org_unit, task.role, task.step) == (
        office.division,
        Role.SPECIALIST,
        office.step(2),
    )
    # 16 working hours from Wed 09:00: 6.5 h on Wed, 8 h on Thu, 1.5 h on Fri
    assert task.due_at == vn(2025, 3, 14, 9, 0)


def test_a_steps_due_moment_never_passes_the_cases(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)

    # Step 2 opens on Tue 18/3 at 13:00; its 16 hours would end on Thu 20/3
    case = engine.forward(case=case, by=office.officer, at=vn(2025, 3, 18, 13, 0))

    (task,) = open_tasks(case)
    assert task.due_at == DUE


def test_a_case_without_a_due_moment_has_tasks_without_one(office: Office) -> None:
    case = office.start(at=START, due_at=None)

    case.refresh_from_db()
    (task,) = open_tasks(case)
    assert (case.budget_seconds, case.due_at, task.due_at) == (0, None, None)
    assert engine.risk_of(case, START) == Risk.OK


def test_start_with_an_assignee_gives_the_task_to_them(office: Office) -> None:
    second = make_user(roles=[(Role.ONESTOP_OFFICER, office.agency)])

    case = office.start(at=START, due_at=DUE, assignee=second)

    assert [t.assignee for t in open_tasks(case)] == [second]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_at": START}, "due_at"),
        ({"due_at": datetime.datetime(2025, 3, 19, 7, 30)}, "due_at"),
    ],
)
def test_bad_start_is_refused_and_nothing_is_written(
    office: Office, change: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        office.start(at=START, **{"due_at": DUE, **change})

    assert field in caught.value.message_dict
    assert (Case.objects.count(), Task.objects.count(), OutboxEvent.objects.count()) == (0, 0, 0)


def test_a_division_cannot_be_the_cases_agency(office: Office) -> None:
    with pytest.raises(ValidationError) as caught:
        engine.start_case(
            template=office.template,
            subject=office.division,
            agency=office.division,
            title="x",
            due_at=DUE,
            by=None,
            at=START,
        )

    assert caught.value.message_dict == {"agency": ["Hồ sơ phải do một cơ quan giải quyết."]}
    assert not Case.objects.exists()


def test_an_assignee_without_the_steps_role_is_refused(office: Office) -> None:
    with pytest.raises(ValidationError) as caught:
        office.start(at=START, due_at=DUE, assignee=office.specialist)

    assert caught.value.message_dict == {
        "assignee": ["Nguyễn Văn An không giữ vai trò “Cán bộ một cửa” tại Sở Tư pháp."]
    }
    assert not Case.objects.exists()


def test_a_subject_has_one_case(office: Office) -> None:
    subject = make_org_unit(is_agency=False)
    office.start(at=START, due_at=DUE, subject=subject)

    with pytest.raises(WrongState):
        office.start(at=START, due_at=DUE, subject=subject)

    assert Case.objects.count() == 1


def test_an_inactive_or_empty_template_cannot_start_a_case(office: Office) -> None:
    office.template.is_active = False
    office.template.save()
    empty = make_template([])

    with pytest.raises(ValidationError) as inactive:
        office.start(at=START, due_at=DUE)
    with pytest.raises(ValidationError) as no_steps:
        engine.start_case(
            template=empty,
            subject=office.division,
            agency=office.agency,
            title="x",
            due_at=DUE,
            by=None,
            at=START,
        )

    assert inactive.value.message_dict == {
        "template": ["Quy trình “Phê duyệt 5 bước” đã ngừng áp dụng."]
    }
    assert no_steps.value.message_dict == {
        "template": [f"Quy trình “{empty.name}” chưa có bước nào."]
    }
    assert not Case.objects.exists()


# --- Forwarding -------------------------------------------------------------------------------


def test_forward_through_every_step_finishes_the_case(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    at = vn(2025, 3, 13, 8, 0)
    holders = [office.officer, office.specialist, office.head, office.director, office.officer]

    for holder in holders:
        case = engine.forward(case=case, by=holder, note="Đồng ý.", at=at)

    case.refresh_from_db()
    assert (case.status, case.finished_at, case.current_step) == (
        Case.Status.FINISHED,
        at,
        office.step(5),
    )
    assert open_tasks(case) == []
    done = Task.objects.filter(case=case).order_by("pk")
    assert [(t.status, t.completed_by) for t in done] == [
        (Task.Status.DONE, holder) for holder in holders
    ]
    assert actions(case) == ["start", "forward", "forward", "forward", "forward", "finish"]
    assert audit_actions(case) == [f"workflow.case.{a}" for a in actions(case)]
    assert event_types(case) == [f"workflow.case.{a}" for a in actions(case)]
    last = CaseTransition.objects.filter(case=case).last()
    assert last is not None
    assert (last.from_step, last.to_step, last.note) == (office.step(5), None, "Đồng ý.")


def test_the_callers_instance_follows_the_case(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    held = Case.objects.get(pk=case.pk)  # e.g. the `case` of a dossier, loaded earlier

    engine.forward(case=held, by=office.officer, at=START)
    engine.forward(case=held, by=office.specialist, at=START)

    assert held.current_step_id == office.step(3).pk
    assert Case.objects.get(pk=case.pk).current_step_id == office.step(3).pk


def test_forward_to_a_named_assignee(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)

    engine.forward(case=case, by=office.officer, assignee=office.colleague, at=START)

    assert [t.assignee for t in open_tasks(case)] == [office.colleague]


def test_an_assigned_task_is_only_its_assignees(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    engine.forward(case=case, by=office.officer, assignee=office.colleague, at=START)

    with pytest.raises(PermissionDenied):
        engine.forward(case=case, by=office.specialist, at=START)

    assert actions(case) == ["start", "forward"]


def test_someone_without_the_steps_role_cannot_forward(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(PermissionDenied) as caught:
        engine.forward(case=case, by=office.specialist, at=START)

    assert str(caught.value) == "Bạn không được giao xử lý bước này."
    case.refresh_from_db()
    assert case.current_step == office.step(1)
    assert [t.step for t in open_tasks(case)] == [office.step(1)]
    assert actions(case) == ["start"]
    assert AuditEntry.objects.count() == audit_before
    assert event_types(case) == ["workflow.case.start"]


def test_a_leader_above_the_division_may_take_its_step(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 3, at=START)

    engine.forward(case=case, by=office.director, at=START)

    case.refresh_from_db()
    assert case.current_step == office.step(4)


def test_a_citizen_or_inactive_official_cannot_forward(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    citizen = make_user(roles=[(Role.CITIZEN, None)])
    office.officer.is_active = False
    office.officer.save()

    for user in (citizen, office.officer):
        with pytest.raises(PermissionDenied):
            engine.forward(case=case, by=user, at=START)

    assert actions(case) == ["start"]


def test_forwarding_a_paused_or_finished_case_is_a_wrong_state(office: Office) -> None:
    paused = office.start(at=START, due_at=DUE)
    engine.pause(case=paused, by=office.officer, note="Chờ bổ sung.", at=START)
    finished = forward_to(office, office.start(at=START, due_at=DUE), 5, at=START)
    engine.forward(case=finished, by=office.officer, at=START)

    with pytest.raises(WrongState) as on_paused:
        engine.forward(case=paused, by=office.officer, at=START)
    with pytest.raises(WrongState) as on_finished:
        engine.forward(case=finished, by=office.officer, at=START)

    assert str(on_paused.value) == (
        "Hồ sơ đang ở trạng thái “Tạm dừng tính thời hạn”, không thực hiện được thao tác này."
    )
    assert str(on_finished.value) == (
        "Hồ sơ đang ở trạng thái “Đã hoàn thành”, không thực hiện được thao tác này."
    )


def test_acting_on_a_task_that_is_no_longer_open_is_a_wrong_state(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    seen = open_tasks(case)[0]
    engine.forward(case=case, by=office.officer, at=START)

    with pytest.raises(WrongState) as caught:
        engine.forward(case=case, by=office.specialist, task=seen, at=START)

    assert str(caught.value) == (
        "Hồ sơ đã được chuyển sang bước khác trong lúc bạn xem; hãy tải lại trang."
    )
    assert actions(case) == ["start", "forward"]


def test_acting_on_the_open_task_by_id_is_fine(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)

    engine.forward(case=case, by=office.officer, task=open_tasks(case)[0].pk, at=START)

    assert actions(case) == ["start", "forward"]


# --- Delegation -------------------------------------------------------------------------------


def test_a_substitute_acts_for_the_principal_and_it_is_recorded(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 3, at=START)
    deputy = make_user("phophong", roles=[(Role.SPECIALIST, office.division)], full_name="Đỗ Lan")
    today = datetime.date.today()
    Delegation.objects.create(
        principal=office.head, substitute=deputy, starts_on=today, ends_on=today
    )

    engine.forward(case=case, by=deputy, note="Ký thay.", at=START)

    done = Task.objects.get(case=case, step=office.step(3))
    assert (done.completed_by, done.acting_for) == (deputy, office.head)
    transition = CaseTransition.objects.filter(case=case).last()
    assert transition is not None
    assert (transition.by, transition.acting_for) == (deputy, office.head)
    entry = AuditEntry.objects.of_object(case).last()
    assert entry is not None and entry.after is not None
    assert (entry.actor_id, entry.after["acting_for"]) == (deputy.pk, office.head.pk)
    event = OutboxEvent.objects.filter(subject=str(case.pk)).order_by("id").last()
    assert event is not None
    assert (event.data["by"], event.data["acting_for"]) == (deputy.pk, office.head.pk)


def test_a_delegation_out_of_its_period_or_revoked_gives_no_rights(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 3, at=START)
    deputy = make_user(roles=[(Role.SPECIALIST, office.division)])
    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    Delegation.objects.create(
        principal=office.head, substitute=deputy, starts_on=today - 5 * day, ends_on=today - day
    )
    Delegation.objects.create(
        principal=office.head,
        substitute=deputy,
        starts_on=today,
        ends_on=today,
        revoked_at=START,
    )

    with pytest.raises(PermissionDenied):
        engine.forward(case=case, by=deputy, at=START)

    assert Task.objects.get(case=case, status=Task.Status.OPEN).step == office.step(3)


def test_one_holding_the_task_themselves_does_not_act_for_anyone(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 2, at=START)
    today = datetime.date.today()
    Delegation.objects.create(
        principal=office.colleague, substitute=office.specialist, starts_on=today, ends_on=today
    )

    engine.forward(case=case, by=office.specialist, at=START)

    transition = CaseTransition.objects.filter(case=case).last()
    assert transition is not None and transition.acting_for is None


def test_actor_for_answers_for_whom(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 3, at=START)
    deputy = make_user(roles=[(Role.SPECIALIST, office.division)])
    today = datetime.date.today()
    Delegation.objects.create(
        principal=office.head, substitute=deputy, starts_on=today, ends_on=today
    )
    task = engine.current_task(case)
    assert task is not None

    assert engine.actor_for(task, office.head) == engine.Actor(office.head)
    assert engine.actor_for(task, deputy) == engine.Actor(deputy, acting_for=office.head)
    with pytest.raises(PermissionDenied):
        engine.actor_for(task, office.specialist)


# --- Returning --------------------------------------------------------------------------------


def test_return_to_an_earlier_step_reopens_it_with_a_fresh_share(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 3, at=START)
    at = vn(2025, 3, 13, 8, 0)

    engine.return_to(case=case, step=office.step(2), by=office.head, note="Thiếu giấy tờ.", at=at)

    case.refresh_from_db()
    assert case.current_step == office.step(2)
    cancelled = Task.objects.get(case=case, step=office.step(3))
    assert (cancelled.status, cancelled.completed_by) == (Task.Status.CANCELLED, office.head)
    (task,) = open_tasks(case)
    # 16 working hours again from Thu 08:00: 8 h Thu (07:30 start counted from 08:00 → 7.5 h),
    # then 8 h Fri, 0.5 h Mon
    assert (task.step, task.org_unit, task.due_at) == (
        office.step(2),
        office.division,
        vn(2025, 3, 17, 8, 0),
    )
    transition = CaseTransition.objects.filter(case=case).last()
    assert transition is not None
    assert (transition.action, transition.from_step, transition.to_step, transition.note) == (
        "return",
        office.step(3),
        office.step(2),
        "Thiếu giấy tờ.",
    )


@pytest.mark.parametrize(("order", "note"), [(3, "Lý do"), (4, "Lý do"), (2, "  ")])
def test_return_needs_an_earlier_step_and_a_reason(office: Office, order: int, note: str) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 3, at=START)

    with pytest.raises(ValidationError) as caught:
        engine.return_to(case=case, step=office.step(order), by=office.head, note=note, at=START)

    assert list(caught.value.message_dict) == (["note"] if not note.strip() else ["step"])
    assert [t.step for t in open_tasks(case)] == [office.step(3)]
    assert actions(case)[-1] == "forward"


def test_return_to_a_step_of_another_process_is_refused(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 3, at=START)
    other = make_template([("Bước khác", Role.LEADER, None, 100)])

    with pytest.raises(ValidationError) as caught:
        engine.return_to(case=case, step=other.steps.get(), by=office.head, note="Lý do", at=START)

    assert caught.value.message_dict == {"step": ["Chỉ trả lại được một bước trước bước hiện tại."]}


# --- Handing over -----------------------------------------------------------------------------


def test_hand_over_starts_the_other_agencys_process_with_the_time_left(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 2, at=START)
    other = make_org_unit("Sở Tài nguyên và Môi trường")
    theirs = make_template(
        [("Tiếp nhận liên thông", Role.SPECIALIST, None, 50), ("Ký", Role.LEADER, None, 50)]
    )
    at = vn(2025, 3, 17, 7, 30)  # two working days left

    engine.hand_over(
        case=case,
        to_agency=other,
        template=theirs,
        by=office.specialist,
        note="Chuyển liên thông.",
        at=at,
    )

    case.refresh_from_db()
    assert (case.agency, case.template, case.current_step, case.budget_seconds, case.due_at) == (
        other,
        theirs,
        theirs.steps.get(order=1),
        2 * 8 * 3600,
        DUE,
    )
    (task,) = open_tasks(case)
    # half of the two days left
    assert (task.org_unit, task.role, task.due_at) == (
        other,
        Role.SPECIALIST,
        vn(2025, 3, 17, 17, 0),
    )
    assert actions(case)[-1] == "handover"
    assert Task.objects.get(case=case, step=office.step(2)).status == Task.Status.DONE


def test_hand_over_without_a_template_restarts_the_same_process(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 2, at=START)
    other = make_org_unit("UBND phường Phú Cường")

    engine.hand_over(case=case, to_agency=other, by=office.specialist, note="", at=START)

    case.refresh_from_db()
    assert (case.agency, case.template, case.current_step) == (
        other,
        office.template,
        office.step(1),
    )
    assert [t.org_unit for t in open_tasks(case)] == [other]


@pytest.mark.parametrize("target", ["same", "division"])
def test_hand_over_needs_another_agency(office: Office, target: str) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 2, at=START)
    to = office.agency if target == "same" else office.division

    with pytest.raises(ValidationError) as caught:
        engine.hand_over(case=case, to_agency=to, by=office.specialist, note="", at=START)

    assert caught.value.message_dict == {
        "to_agency": ["Hãy chọn một cơ quan khác để chuyển hồ sơ."]
    }
    case.refresh_from_db()
    assert case.agency == office.agency


def test_only_the_holder_hands_over(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 2, at=START)

    with pytest.raises(PermissionDenied):
        engine.hand_over(case=case, to_agency=make_org_unit(), by=office.officer, note="", at=START)

    case.refresh_from_db()
    assert case.agency == office.agency


# --- Pausing and resuming ---------------------------------------------------------------------


def test_pause_keeps_the_working_time_left_and_resume_gives_it_back(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    paused_at = vn(2025, 3, 12, 9, 0)

    engine.pause(case=case, by=office.officer, note="Yêu cầu bổ sung.", at=paused_at)

    case.refresh_from_db()
    assert (case.status, case.paused_at, case.remaining_at_pause) == (
        Case.Status.PAUSED,
        paused_at,
        144000 - 5400,
    )
    assert engine.risk_of(case, vn(2025, 3, 25, 9, 0)) == Risk.PAUSED
    (task,) = open_tasks(case)
    assert not task.is_overdue(vn(2025, 3, 25, 9, 0))

    engine.resume(case=case, by=None, note="Đã bổ sung.", at=vn(2025, 3, 17, 7, 30))

    case.refresh_from_db()
    # 138,600 s = 4 days and 6.5 h from Mon 07:30: Fri 21/3 at 15:30
    assert (case.status, case.due_at, case.budget_seconds, case.paused_at) == (
        Case.Status.ACTIVE,
        vn(2025, 3, 21, 15, 30),
        144000,
        None,
    )
    # the reception step had 2.5 of its 4 hours left: Mon 07:30 + 2.5 h
    (task,) = open_tasks(case)
    assert task.due_at == vn(2025, 3, 17, 10, 0)
    assert actions(case) == ["start", "pause", "resume"]


def test_resume_when_the_law_restarts_the_clock(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 2, at=START)
    engine.pause(case=case, by=office.specialist, note="Yêu cầu bổ sung.", at=START)
    resumed = vn(2025, 3, 17, 7, 30)
    new_due = vn(2025, 3, 24, 7, 30)

    engine.resume(case=case, by=office.officer, due_at=new_due, at=resumed)

    case.refresh_from_db()
    assert (case.due_at, case.budget_seconds) == (new_due, 144000)
    (task,) = open_tasks(case)
    # the examination gets 40 % of the new five days: Mon 07:30 + 16 h = Tue 17:00
    assert task.due_at == vn(2025, 3, 18, 17, 0)


def test_a_case_late_when_paused_stays_as_late(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    engine.pause(case=case, by=None, note="Chờ bổ sung.", at=vn(2025, 3, 20, 9, 0))

    engine.resume(case=case, by=None, at=vn(2025, 3, 24, 9, 0))

    case.refresh_from_db()
    assert case.due_at == DUE
    assert engine.risk_of(case, vn(2025, 3, 24, 9, 0)) == Risk.OVERDUE
    (task,) = open_tasks(case)
    assert task.due_at == vn(2025, 3, 12, 11, 30)


@pytest.mark.parametrize(
    "due_at", [vn(2025, 3, 17, 7, 30), vn(2025, 3, 14, 9, 0)], ids=["at", "before"]
)
def test_a_new_due_moment_must_be_later(office: Office, due_at: datetime.datetime) -> None:
    case = office.start(at=START, due_at=DUE)
    engine.pause(case=case, by=None, note="Chờ.", at=START)

    with pytest.raises(ValidationError) as caught:
        engine.resume(case=case, by=None, due_at=due_at, at=vn(2025, 3, 17, 7, 30))

    assert caught.value.message_dict == {
        "due_at": ["Hạn giải quyết mới phải sau thời điểm tiếp tục."]
    }
    case.refresh_from_db()
    assert case.status == Case.Status.PAUSED


def test_pause_and_resume_in_the_wrong_state(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)

    with pytest.raises(WrongState):
        engine.resume(case=case, by=None, at=START)
    engine.pause(case=case, by=None, note="Chờ.", at=START)
    with pytest.raises(WrongState):
        engine.pause(case=case, by=None, note="Chờ.", at=START)

    assert actions(case) == ["start", "pause"]


def test_pause_by_someone_not_holding_the_task_is_refused(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)

    with pytest.raises(PermissionDenied):
        engine.pause(case=case, by=office.specialist, note="Chờ.", at=START)

    case.refresh_from_db()
    assert case.status == Case.Status.ACTIVE


def test_resume_records_the_holder_and_can_require_one(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    engine.pause(case=case, by=office.officer, note="Chờ.", at=START)
    citizen = make_user(roles=[(Role.CITIZEN, None)])

    with pytest.raises(PermissionDenied):
        engine.resume(case=case, by=citizen, at=START, require_holder=True)
    engine.resume(case=case, by=citizen, at=vn(2025, 3, 13, 8, 0))

    transition = CaseTransition.objects.filter(case=case).last()
    assert transition is not None and (transition.action, transition.by) == ("resume", citizen)


# --- Stopping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("paused", [False, True])
def test_stop_cancels_the_open_task(office: Office, paused: bool) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 2, at=START)
    if paused:
        engine.pause(case=case, by=None, note="Chờ.", at=START)

    engine.stop(case=case, by=office.specialist, note="Công dân rút hồ sơ.", at=START)

    case.refresh_from_db()
    assert (case.status, case.finished_at) == (Case.Status.STOPPED, START)
    assert open_tasks(case) == []
    task = Task.objects.get(case=case, step=office.step(2))
    assert (task.status, task.completed_by) == (Task.Status.CANCELLED, office.specialist)
    assert actions(case)[-1] == "stop"
    assert event_types(case)[-1] == "workflow.case.stop"


def test_stop_needs_a_reason_and_a_running_case(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)

    with pytest.raises(ValidationError) as no_reason:
        engine.stop(case=case, by=None, note=" ", at=START)
    engine.stop(case=case, by=None, note="Dừng.", at=START)
    with pytest.raises(WrongState):
        engine.stop(case=case, by=None, note="Dừng lần nữa.", at=START)

    assert no_reason.value.message_dict == {"note": ["Hãy nêu lý do dừng xử lý."]}
    assert actions(case) == ["start", "stop"]


def test_stop_can_require_the_holder(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)

    with pytest.raises(PermissionDenied):
        engine.stop(case=case, by=office.specialist, note="Dừng.", at=START, require_holder=True)

    case.refresh_from_db()
    assert case.status == Case.Status.ACTIVE


# --- Risk -------------------------------------------------------------------------------------


def test_risk_follows_the_time_left_against_the_later_steps(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 2, at=START)
    case.refresh_from_db()
    # Steps 3–5 need 20 + 20 + 10 % = 72,000 s (20 working hours)

    assert engine.risk_of(case, vn(2025, 3, 13, 8, 0)) == Risk.OK
    # Mon 17/3 09:00 → Wed 19/3 07:30 leaves 14.5 working hours
    assert engine.risk_of(case, vn(2025, 3, 17, 9, 0)) == Risk.AT_RISK
    assert engine.risk_of(case, vn(2025, 3, 19, 8, 0)) == Risk.OVERDUE
    assert engine.needed_seconds(case) == 72000
    assert engine.remaining_seconds(case, vn(2025, 3, 17, 9, 0)) == 52200
    assert engine.remaining_seconds(case, vn(2025, 3, 19, 9, 0)) == -5400


def test_at_the_last_step_nothing_later_is_needed(office: Office) -> None:
    case = forward_to(office, office.start(at=START, due_at=DUE), 5, at=START)
    case.refresh_from_db()

    assert engine.needed_seconds(case) == 0
    assert engine.risk_of(case, vn(2025, 3, 18, 16, 0)) == Risk.OK


def test_a_closed_case_has_no_risk(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    engine.stop(case=case, by=None, note="Dừng.", at=START)

    assert engine.risk_of(case, vn(2025, 3, 25, 8, 0)) == Risk.CLOSED


# --- Steps kept in memory ---------------------------------------------------------------------


def test_changed_steps_are_seen_by_the_next_move(office: Office) -> None:
    case = office.start(at=START, due_at=DUE)
    ProcessStep.objects.filter(pk=office.step(2).pk).update(role=Role.CLERK)
    # A change made elsewhere moves the template's revision on; here, the signal also fires
    step = office.step(2)
    step.role = Role.LEADER
    step.save()

    engine.forward(case=case, by=office.officer, at=START)

    assert [t.role for t in open_tasks(case)] == [Role.LEADER]


def test_the_engine_keeps_one_open_task_per_case_in_the_database(office: Office) -> None:
    from django.db import IntegrityError, transaction

    case = office.start(at=START, due_at=DUE)

    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(title="x", case=case, org_unit=office.agency, role=Role.LEADER)

    assert len(open_tasks(case)) == 1
