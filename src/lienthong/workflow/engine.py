"""The workflow engine: start a case and move it through its steps.

Every function here is a service in the house sense: one transaction, a permission check
(`by` must hold the current task, directly or as a delegate), an audit entry, and the case's
tasks kept in step with it. Domain apps (one-stop, documents, complaints) call these from
their own services and publish their own events; the engine publishes none.

Time: a case has a due moment and a budget in working seconds (office hours of working days,
from the calendar kernel). Each step gets `time_share` percent of the budget; its task is due
when the steps so far have used their shares. Pausing stores the working time left; resuming
either continues from it or, where the law restarts the clock (Decree 61/2018 Art. 19(4): the
time limit counts again from the start once the complete dossier is received), takes a new
due moment from the caller.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core import calendar
from lienthong.core.audit import record
from lienthong.workflow.models import (
    Case,
    CaseTransition,
    Delegation,
    ProcessStep,
    ProcessTemplate,
    Task,
)

if TYPE_CHECKING:
    from lienthong.accounts.models import User
    from lienthong.core.models import OrgUnit


class WrongState(Exception):
    """The case is not in a state that allows the move (the API answers 409)."""


@dataclass(frozen=True)
class Actor:
    """Who acts on a task: the user, and the official they stand in for, if any."""

    user: User | None
    acting_for: User | None = None


def _case_snapshot(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "current_step": case.current_step_id,
        "agency": case.agency_id,
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "remaining_at_pause": case.remaining_at_pause,
    }


def steps_of(template: ProcessTemplate) -> list[ProcessStep]:
    """The template's steps in order (one query)."""
    return list(template.steps.order_by("order"))


def step_owner(step: ProcessStep, case: Case) -> OrgUnit:
    """The unit that owns a step for this case: the step's unit, or the case's agency."""
    return step.org_unit if step.org_unit_id is not None else case.agency  # type: ignore[return-value]


def step_budget_seconds(step: ProcessStep, case: Case) -> int:
    """The step's share of the case's working-time budget."""
    return int(Decimal(case.budget_seconds) * step.time_share / Decimal(100))


def _open_task(
    case: Case, step: ProcessStep, *, at: datetime.datetime, assignee: User | None = None
) -> Task:
    budget = step_budget_seconds(step, case)
    due = calendar.add_working_seconds(at, budget) if case.due_at else None
    if due is not None and case.due_at is not None:
        due = min(due, case.due_at)
    return Task.objects.create(
        title=f"{case.title} — {step.name}",
        module=case.module,
        url="",
        assignee=assignee,
        org_unit=step_owner(step, case),
        role=step.role,
        due_at=due,
        created_at=at,
        case=case,
        step=step,
    )


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("current_step", "agency").get(pk=case.pk)


def current_task(case: Case) -> Task | None:
    """The case's open task, if any."""
    return case.tasks.filter(status=Task.Status.OPEN).order_by("-pk").first()


def principals_of(user: User, on: datetime.date | None = None) -> list[User]:
    """Officials who have named `user` their substitute for `on` (today by default)."""
    from lienthong.accounts.models import User as UserModel

    ids = Delegation.objects.in_force(on).filter(substitute=user).values("principal_id")
    return list(UserModel.objects.filter(pk__in=ids, is_active=True))


def _may_hold(task: Task, user: User) -> bool:
    if not (user.is_active and user.is_official):
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.pk
    return bool(task.role) and task.org_unit is not None and user.has_role(task.role, task.org_unit)


def actor_for(task: Task, user: User) -> Actor:
    """Whether `user` may act on `task`, and for whom; raises PermissionDenied if not."""
    if _may_hold(task, user):
        return Actor(user)
    for principal in principals_of(user):
        if _may_hold(task, principal):
            return Actor(user, acting_for=principal)
    raise PermissionDenied(_("Bạn không được giao xử lý bước này."))


def _transition(
    case: Case,
    action: str,
    *,
    actor: Actor,
    from_step: ProcessStep | None,
    to_step: ProcessStep | None,
    note: str,
    at: datetime.datetime,
    before: dict[str, Any] | None,
) -> CaseTransition:
    transition = CaseTransition.objects.create(
        case=case,
        action=action,
        from_step=from_step,
        to_step=to_step,
        by=actor.user,
        acting_for=actor.acting_for,
        note=note,
        at=at,
    )
    after = _case_snapshot(case)
    if actor.acting_for is not None:
        after["acting_for"] = actor.acting_for.pk
    record(f"workflow.case.{action}", case, actor=actor.user, before=before, after=after)
    return transition


def _close_task(task: Task | None, *, actor: Actor, at: datetime.datetime, status: str) -> None:
    if task is None:
        return
    task.status = status
    task.completed_at = at
    task.completed_by = actor.user
    task.acting_for = actor.acting_for
    task.save(update_fields=["status", "completed_at", "completed_by", "acting_for"])


def _check_active(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise WrongState(
            _("Hồ sơ đang ở trạng thái “%(status)s”, không thực hiện được thao tác này.")
            % {"status": case.get_status_display()}
        )


@transaction.atomic
def start_case(
    *,
    template: ProcessTemplate,
    subject: models.Model,
    agency: OrgUnit,
    title: str,
    due_at: datetime.datetime | None,
    by: User | None,
    at: datetime.datetime | None = None,
    assignee: User | None = None,
) -> Case:
    """Start a case for `subject` at its first step; its task lands in the owner's inbox."""
    at = at or timezone.now()
    steps = steps_of(template)
    if not steps:
        raise ValidationError(_("Quy trình “%(name)s” chưa có bước nào.") % {"name": template})
    if due_at is not None and due_at <= at:
        raise ValidationError({"due_at": _("Hạn giải quyết phải sau thời điểm bắt đầu.")})
    budget = calendar.working_seconds_between(at, due_at) if due_at is not None else 0
    case = Case.objects.create(
        template=template,
        module=template.module,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        title=title[:255],
        agency=agency,
        current_step=steps[0],
        started_at=at,
        due_at=due_at,
        budget_seconds=budget,
    )
    _open_task(case, steps[0], at=at, assignee=assignee)
    _transition(
        case,
        CaseTransition.Action.START,
        actor=Actor(by),
        from_step=None,
        to_step=steps[0],
        note="",
        at=at,
        before=None,
    )
    return case


@transaction.atomic
def forward(
    *,
    case: Case,
    by: User,
    note: str = "",
    assignee: User | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """Complete the current step and open the next; the last step finishes the case."""
    at = at or timezone.now()
    case = _lock(case)
    _check_active(case, Case.Status.ACTIVE)
    task = current_task(case)
    if task is None:
        raise WrongState(_("Hồ sơ không có bước đang xử lý."))
    actor = actor_for(task, by)
    before = _case_snapshot(case)
    steps = steps_of(case.template)
    index = next(i for i, step in enumerate(steps) if step.pk == case.current_step_id)
    _close_task(task, actor=actor, at=at, status=Task.Status.DONE)
    from_step = case.current_step
    if index + 1 < len(steps):
        next_step = steps[index + 1]
        case.current_step = next_step
        case.save(update_fields=["current_step"])
        _open_task(case, next_step, at=at, assignee=assignee)
        action = CaseTransition.Action.FORWARD
    else:
        next_step = None
        case.status = Case.Status.FINISHED
        case.finished_at = at
        case.save(update_fields=["status", "finished_at"])
        action = CaseTransition.Action.FINISH
    _transition(
        case,
        action,
        actor=actor,
        from_step=from_step,
        to_step=next_step,
        note=note,
        at=at,
        before=before,
    )
    return case


@transaction.atomic
def return_to(
    *,
    case: Case,
    step: ProcessStep,
    by: User,
    note: str,
    at: datetime.datetime | None = None,
) -> Case:
    """Send the case back to an earlier step (with a reason)."""
    at = at or timezone.now()
    case = _lock(case)
    _check_active(case, Case.Status.ACTIVE)
    if not note.strip():
        raise ValidationError({"note": _("Hãy nêu lý do trả lại.")})
    if step.template_id != case.template_id or (
        case.current_step is not None and step.order >= case.current_step.order
    ):
        raise ValidationError({"step": _("Chỉ trả lại được một bước trước bước hiện tại.")})
    task = current_task(case)
    if task is None:
        raise WrongState(_("Hồ sơ không có bước đang xử lý."))
    actor = actor_for(task, by)
    before = _case_snapshot(case)
    _close_task(task, actor=actor, at=at, status=Task.Status.CANCELLED)
    from_step = case.current_step
    case.current_step = step
    case.save(update_fields=["current_step"])
    _open_task(case, step, at=at)
    _transition(
        case,
        CaseTransition.Action.RETURN,
        actor=actor,
        from_step=from_step,
        to_step=step,
        note=note,
        at=at,
        before=before,
    )
    return case


@transaction.atomic
def hand_over(
    *,
    case: Case,
    to_agency: OrgUnit,
    by: User,
    note: str,
    template: ProcessTemplate | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """Hand the case to another agency (một cửa liên thông): it starts there at step one."""
    at = at or timezone.now()
    case = _lock(case)
    _check_active(case, Case.Status.ACTIVE)
    if not to_agency.is_agency or to_agency.pk == case.agency_id:
        raise ValidationError({"to_agency": _("Hãy chọn một cơ quan khác để chuyển hồ sơ.")})
    task = current_task(case)
    if task is None:
        raise WrongState(_("Hồ sơ không có bước đang xử lý."))
    actor = actor_for(task, by)
    before = _case_snapshot(case)
    _close_task(task, actor=actor, at=at, status=Task.Status.DONE)
    new_template = template or case.template
    steps = steps_of(new_template)
    if not steps:
        raise ValidationError(_("Quy trình “%(name)s” chưa có bước nào.") % {"name": new_template})
    from_step = case.current_step
    case.agency = to_agency
    case.template = new_template
    case.current_step = steps[0]
    case.save(update_fields=["agency", "template", "current_step"])
    _open_task(case, steps[0], at=at)
    _transition(
        case,
        CaseTransition.Action.HANDOVER,
        actor=actor,
        from_step=from_step,
        to_step=steps[0],
        note=note,
        at=at,
        before=before,
    )
    return case


@transaction.atomic
def pause(*, case: Case, by: User | None, note: str, at: datetime.datetime | None = None) -> Case:
    """Stop the clock (waiting on the applicant); the working time left is kept."""
    at = at or timezone.now()
    case = _lock(case)
    _check_active(case, Case.Status.ACTIVE)
    task = current_task(case)
    actor = actor_for(task, by) if (task is not None and by is not None) else Actor(by)
    before = _case_snapshot(case)
    case.status = Case.Status.PAUSED
    case.paused_at = at
    case.remaining_at_pause = (
        calendar.working_seconds_between(at, case.due_at) if case.due_at else None
    )
    case.save(update_fields=["status", "paused_at", "remaining_at_pause"])
    _transition(
        case,
        CaseTransition.Action.PAUSE,
        actor=actor,
        from_step=case.current_step,
        to_step=case.current_step,
        note=note,
        at=at,
        before=before,
    )
    return case


@transaction.atomic
def resume(
    *,
    case: Case,
    by: User | None,
    note: str = "",
    at: datetime.datetime | None = None,
    due_at: datetime.datetime | None = None,
) -> Case:
    """Restart the clock: from the time left, or at `due_at` when the law restarts it."""
    at = at or timezone.now()
    case = _lock(case)
    _check_active(case, Case.Status.PAUSED)
    before = _case_snapshot(case)
    if due_at is None and case.remaining_at_pause is not None:
        due_at = calendar.add_working_seconds(at, case.remaining_at_pause)
    if due_at is not None:
        if due_at <= at:
            raise ValidationError({"due_at": _("Hạn giải quyết mới phải sau thời điểm tiếp tục.")})
        case.budget_seconds = calendar.working_seconds_between(at, due_at)
    case.status = Case.Status.ACTIVE
    case.due_at = due_at
    case.paused_at = None
    case.remaining_at_pause = None
    case.save(
        update_fields=["status", "due_at", "budget_seconds", "paused_at", "remaining_at_pause"]
    )
    task = current_task(case)
    if task is not None and case.current_step is not None and due_at is not None:
        task.due_at = min(
            calendar.add_working_seconds(at, step_budget_seconds(case.current_step, case)), due_at
        )
        task.save(update_fields=["due_at"])
    _transition(
        case,
        CaseTransition.Action.RESUME,
        actor=Actor(by),
        from_step=case.current_step,
        to_step=case.current_step,
        note=note,
        at=at,
        before=before,
    )
    return case


@transaction.atomic
def stop(*, case: Case, by: User | None, note: str, at: datetime.datetime | None = None) -> Case:
    """Stop the case for good (dừng xử lý, or withdrawn by the applicant); tasks are cancelled."""
    at = at or timezone.now()
    case = _lock(case)
    _check_active(case, Case.Status.ACTIVE, Case.Status.PAUSED)
    if not note.strip():
        raise ValidationError({"note": _("Hãy nêu lý do dừng xử lý.")})
    before = _case_snapshot(case)
    actor = Actor(by)
    for task in case.tasks.filter(status=Task.Status.OPEN):
        _close_task(task, actor=actor, at=at, status=Task.Status.CANCELLED)
    case.status = Case.Status.STOPPED
    case.finished_at = at
    case.save(update_fields=["status", "finished_at"])
    _transition(
        case,
        CaseTransition.Action.STOP,
        actor=actor,
        from_step=case.current_step,
        to_step=None,
        note=note,
        at=at,
        before=before,
    )
    return case


def remaining_seconds(case: Case, at: datetime.datetime | None = None) -> int | None:
    """Working seconds left before the case's due moment (negative when overdue)."""
    if case.status == Case.Status.PAUSED:
        return case.remaining_at_pause
    if case.due_at is None:
        return None
    at = at or timezone.now()
    if at <= case.due_at:
        return calendar.working_seconds_between(at, case.due_at)
    return -calendar.working_seconds_between(case.due_at, at)


def needed_seconds(case: Case, steps: list[ProcessStep] | None = None) -> int:
    """Working time budgeted for the steps after the current one."""
    steps = steps if steps is not None else steps_of(case.template)
    if case.current_step is None:
        return 0
    return sum(
        step_budget_seconds(step, case) for step in steps if step.order > case.current_step.order
    )


class Risk:
    """Inbox markers."""

    OVERDUE = "overdue"
    AT_RISK = "at_risk"
    OK = "ok"
    PAUSED = "paused"
    CLOSED = "closed"


def risk_of(case: Case, at: datetime.datetime | None = None) -> str:
    """Overdue; at risk when the time left is less than the later steps' budgets (the current
    step has eaten into their time); paused; or ok."""
    if case.status == Case.Status.PAUSED:
        return Risk.PAUSED
    if case.status != Case.Status.ACTIVE:
        return Risk.CLOSED
    left = remaining_seconds(case, at)
    if left is None:
        return Risk.OK
    if left < 0:
        return Risk.OVERDUE
    return Risk.AT_RISK if left < needed_seconds(case) else Risk.OK
