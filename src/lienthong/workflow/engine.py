"""The workflow engine: start a case and move it through its steps.

Every function here is a service in the house sense: one transaction, a permission check
(`by` must hold the current task, directly or as a delegate), a `CaseTransition`, an audit
entry and an outbox event `workflow.case.<action>` (start, forward, return, handover, pause,
resume, stop, finish), and the case's task kept in step with it. Domain apps (one-stop,
documents, complaints) call these from their own services and publish their own domain events
as well.

Permission: `forward`, `return_to` and `hand_over` need `by` to hold the open task — as its
assignee, through its pool (the step's role for the step's unit or a unit above it), or as the
substitute of an official who does (`Delegation`; then "acting for" is recorded on the task,
the transition and the audit entry). `pause` checks the same when `by` is given; `resume` and
`stop` leave the check to the domain app (a citizen supplies the missing papers, a citizen
withdraws), unless asked with `require_holder=True`.

Concurrency: each function locks the case row first (`SELECT … FOR UPDATE`; SQLite's
IMMEDIATE transactions serialise writers anyway) and reads the open task after the lock, so
two officials acting at once are applied one after the other, and at most one task is ever
open per case (a partial unique index guarantees it as well). A caller that passes `task=`
(the open task it showed the official) gets `WrongState` when the case has moved on
meanwhile, rather than acting on the next step by accident.

Time: a case has a due moment and a budget in working seconds (office hours of working days,
from the calendar kernel). Each step gets `time_share` percent of the budget, counted from
the moment its task opens and never past the case's due moment. Pausing stores the working
time left; resuming either continues from it (the case and its task get back exactly the
working time they had) or, where the law restarts the clock (Decree 61/2018 Art. 19(4): the
time limit counts again once the complete dossier is received), takes a new due moment from
the caller, which becomes the new budget.

Speed: a move is one SELECT (the case locked, its template's revision, its open task and
whether `by` holds that task's pool, together), the writes, the audit entry and the event —
11 statements on SQLite with BEGIN and COMMIT. The engine's own statements are built once from
the models' metadata and run on one cursor per move (`workflow.sql`), and each process's steps
are kept in memory under the template's `revision` (`cached_steps`); `bench/bench_workflow.py`
measures it, `bench/bench_spiff.py` against SpiffWorkflow.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core import calendar
from lienthong.core.audit import record
from lienthong.exchange.outbox import publish
from lienthong.workflow import modules, sql
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


P = ParamSpec("P")
R = TypeVar("R")


def _move(func: Callable[P, R]) -> Callable[P, R]:
    """A move: one transaction, its statements on one cursor."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(), sql.session():
            return func(*args, **kwargs)

    return wrapper


class WrongState(Exception):
    """The case is not in a state that allows the move (the API answers 409)."""


@dataclass(frozen=True)
class Actor:
    """Who acts on a task: the user, and the official they stand in for, if any."""

    user: User | None
    acting_for: User | None = None


class StepLike(Protocol):
    """What time computations need of a step (a `ProcessStep` or a cached `StepInfo`)."""

    @property
    def id(self) -> int: ...
    @property
    def order(self) -> int: ...
    @property
    def time_share(self) -> Decimal: ...


@dataclass(frozen=True)
class StepInfo:
    """A process step as the engine keeps it in memory (ids only, never stale relations)."""

    id: int
    order: int
    name: str
    role: str
    org_unit_id: int | None
    time_share: Decimal


# --- Steps, kept per template revision ------------------------------------------------------

_steps_lock = threading.Lock()
_steps_cache: dict[tuple[int, str], tuple[StepInfo, ...]] = {}
_STEPS_CACHE_MAX = 1024


def cached_steps(template_id: int, revision: str) -> tuple[StepInfo, ...]:
    """The steps of a template at a revision, in order (one query the first time)."""
    key = (template_id, revision)
    steps = _steps_cache.get(key)
    if steps is None:
        rows = (
            ProcessStep.objects.filter(template_id=template_id)
            .order_by("order")
            .values_list("id", "order", "name", "role", "org_unit_id", "time_share")
        )
        steps = tuple(StepInfo(*row) for row in rows)
        with _steps_lock:
            if len(_steps_cache) >= _STEPS_CACHE_MAX:
                _steps_cache.clear()
            _steps_cache[key] = steps
    return steps


def forget_steps(template_id: int | None = None) -> None:
    """Drop the cached steps of one template (or all): done when steps change here."""
    with _steps_lock:
        if template_id is None:
            _steps_cache.clear()
        else:
            for key in [key for key in _steps_cache if key[0] == template_id]:
                del _steps_cache[key]


def _steps_changed(instance: ProcessStep, **kwargs: Any) -> None:
    # Cache invalidation only: another process learns of a change from the revision, which
    # `save_template` and the admin move on.
    forget_steps(instance.template_id)


post_save.connect(_steps_changed, sender=ProcessStep, dispatch_uid="workflow-steps-saved")
post_delete.connect(_steps_changed, sender=ProcessStep, dispatch_uid="workflow-steps-deleted")


def steps_of(template: ProcessTemplate) -> list[ProcessStep]:
    """The template's steps in order, as rows (one query)."""
    return list(template.steps.order_by("order"))


def step_owner(step: ProcessStep, case: Case) -> OrgUnit:
    """The unit that owns a step for this case: the step's unit, or the case's agency."""
    return step.org_unit if step.org_unit_id is not None else case.agency  # type: ignore[return-value]


def step_budget_seconds(step: StepLike, case: Case) -> int:
    """The step's share of the case's working-time budget."""
    return int(Decimal(case.budget_seconds) * step.time_share / Decimal(100))


# --- Reading under the lock -------------------------------------------------------------------

_CASE = sql.Reader(Case)
_OPEN_TASK = sql.Reader(Task, ["id", "assignee_id", "org_unit_id", "role", "step_id", "due_at"])
_TEMPLATE = sql.Reader(ProcessTemplate)
_lock_statements: dict[str, str] = {}


def _lock_sql() -> str:
    """The case row (locked), its template's revision, its open task, and whether the user
    (first parameter) holds that task's role for its unit or a unit above it — the same test
    as `User.has_role`, on the materialised paths. One statement."""
    db = sql.connection()
    statement = _lock_statements.get(db.vendor)
    if statement is None:
        q = sql.quote
        holds_pool = (
            f"EXISTS (SELECT 1 FROM {q('accounts_roleassignment')} ra "
            f"INNER JOIN {q('core_orgunit')} gu ON gu.{q('id')} = ra.{q('org_unit_id')} "
            f"INNER JOIN {q('core_orgunit')} tu ON tu.{q('id')} = k.{q('org_unit_id')} "
            f"WHERE ra.{q('user_id')} = %s AND ra.{q('role')} = k.{q('role')} "
            f"AND substr(tu.{q('path')}, 1, length(gu.{q('path')})) = gu.{q('path')})"
        )
        revision = (
            f"(SELECT p.{q('revision')} FROM {q(ProcessTemplate._meta.db_table)} p "
            f"WHERE p.{q('id')} = m.{q('template_id')})"
        )
        # The status is written into the text, not bound: see `sql.literal`.
        statement = (
            f"SELECT {_CASE.columns('m')}, {revision}, {_OPEN_TASK.columns('k')}, {holds_pool} "
            f"FROM {q(Case._meta.db_table)} m "
            f"LEFT JOIN {q(Task._meta.db_table)} k "
            f"ON k.{q('case_id')} = m.{q('id')} "
            f"AND k.{q('status')} = {sql.literal(Task.Status.OPEN)} "
            f"WHERE m.{q('id')} = %s ORDER BY k.{q('id')} DESC"
        )
        if db.features.has_select_for_update:
            # Only the case row: the open task is re-checked when it is closed (see
            # `_close_task`), and locking it would not see a task opened meanwhile anyway.
            of = " OF m" if db.features.has_select_for_update_of else ""
            statement += f" FOR UPDATE{of}"
        _lock_statements[db.vendor] = statement
    return statement


@dataclass
class OpenTask:
    """The open task of a locked case, as much of it as a move reads."""

    pk: int
    assignee_id: int | None
    org_unit_id: int | None
    role: str
    step_id: int | None
    due_at: datetime.datetime | None

    def row(self) -> Task:
        """The task itself (for the slower checks: delegation, named assignees)."""
        return Task.objects.select_related("org_unit").get(pk=self.pk)


@dataclass
class Locked:
    """A case read under its row lock, with what the move needs to know about it."""

    case: Case
    revision: str
    task: OpenTask | None
    pooled: bool


_CASE_ATTNAMES = _CASE.attnames


def _lock(case: Case, user: User | None) -> Locked:
    """The case as committed now (its row locked until the transaction ends) and its open task.

    The caller's instance is refreshed in place and returned, so code holding it (a dossier's
    `case`) sees the move.
    """
    rows = sql.fetch(_lock_sql(), [getattr(user, "pk", None), case.pk])
    if not rows:
        raise Case.DoesNotExist(f"case {case.pk} does not exist")
    row = rows[0]
    width = _CASE.width
    values = case.__dict__
    for attname, value in zip(_CASE_ATTNAMES, _CASE.convert(row[:width]), strict=True):
        values[attname] = value
    # Related objects cached on the instance may be stale now: they load again when used.
    case._state.fields_cache = {}
    case._state.adding = False
    case._state.db = sql.connection().alias
    revision = row[width]
    task_values = row[width + 1 : width + 1 + _OPEN_TASK.width]
    task = OpenTask(*_OPEN_TASK.convert(task_values)) if task_values[0] is not None else None
    if task is not None and task.step_id is not None and task.step_id != case.current_step_id:
        # A snapshot older than the lock (PostgreSQL re-reads only the locked row): the task
        # we see has been closed since.
        raise WrongState(
            _("Hồ sơ đã được chuyển sang bước khác trong lúc bạn xem; hãy tải lại trang.")
        )
    return Locked(case, revision, task, bool(row[-1]) if task is not None else False)


def current_task(case: Case) -> Task | None:
    """The case's open task, if any."""
    return case.tasks.filter(status=Task.Status.OPEN).order_by("-pk").first()


def _steps_of_case(case: Case) -> tuple[StepInfo, ...]:
    template = case.template  # loaded along with the lock
    return cached_steps(template.pk, template.revision)


def _index(steps: Sequence[StepInfo], step_id: int | None) -> int:
    for index, step in enumerate(steps):
        if step.id == step_id:
            return index
    raise WrongState(_("Bước hiện tại của hồ sơ không còn trong quy trình."))


# --- Who may act ------------------------------------------------------------------------------


def principals_of(user: User, on: datetime.date | None = None) -> list[User]:
    """Officials who have named `user` their substitute for `on` (today by default)."""
    from lienthong.accounts.models import User as UserModel

    ids = Delegation.objects.in_force(on).filter(substitute=user).values("principal_id")
    return list(UserModel.objects.filter(pk__in=ids, is_active=True))


def _may_hold(task: Task, user: User) -> bool:
    if not (user.is_active and user.is_official):
        return False
    if task.assignee_id is not None:
        return bool(task.assignee_id == user.pk)
    return bool(task.role) and task.org_unit is not None and user.has_role(task.role, task.org_unit)


def _holds(task: OpenTask, user: User, pooled: bool) -> bool:
    """`_may_hold` with the pool test already answered by the task's query."""
    if not (user.is_active and user.is_official):
        return False
    if task.assignee_id is not None:
        return bool(task.assignee_id == user.pk)
    return bool(task.role) and task.org_unit_id is not None and pooled


def actor_for(task: Task, user: User) -> Actor:
    """Whether `user` may act on `task`, and for whom; raises PermissionDenied if not."""
    if _may_hold(task, user):
        return Actor(user)
    return _delegate_actor(task, user)


def _delegate_actor(task: Task, user: User) -> Actor:
    if user.is_active and user.is_official:
        for principal in principals_of(user):
            if _may_hold(task, principal):
                return Actor(user, acting_for=principal)
    raise PermissionDenied(_("Bạn không được giao xử lý bước này."))


def _actor(task: OpenTask, user: User, pooled: bool) -> Actor:
    if _holds(task, user, pooled):
        return Actor(user)
    return _delegate_actor(task.row(), user)


def _optional_actor(
    task: OpenTask | None, user: User | None, pooled: bool, required: bool
) -> Actor:
    """The actor of a move the domain app authorises: recorded as a holder when they are one."""
    if user is None or task is None:
        if required:
            raise PermissionDenied(_("Bạn không được giao xử lý bước này."))
        return Actor(user)
    try:
        return _actor(task, user, pooled)
    except PermissionDenied:
        if required:
            raise
        return Actor(user)


def _check_assignee(assignee: User | None, step: StepInfo, case: Case) -> None:
    """An assignee must be an active official holding the step's role for its unit."""
    if assignee is None:
        return
    from lienthong.core.models import OrgUnit

    unit = OrgUnit.objects.get(pk=step.org_unit_id or case.agency_id)
    if not (assignee.is_active and assignee.is_official and assignee.has_role(step.role, unit)):
        raise ValidationError(
            {
                "assignee": _("%(name)s không giữ vai trò “%(role)s” tại %(unit)s.")
                % {"name": assignee, "role": _role_label(step.role), "unit": unit}
            }
        )


def _role_label(role: str) -> str:
    from lienthong.accounts.models import Role

    return str(Role(role).label) if role in Role.values else role


# --- Checks -----------------------------------------------------------------------------------


def _check_active(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise WrongState(
            _("Hồ sơ đang ở trạng thái “%(status)s”, không thực hiện được thao tác này.")
            % {"status": case.get_status_display()}
        )


def _check_seen(open_task: OpenTask | None, seen: Task | int | None) -> None:
    """The caller acted on the task it saw; if the case moved on since, say so."""
    if seen is None:
        return
    seen_id = seen if isinstance(seen, int) else seen.pk
    if open_task is None or open_task.pk != seen_id:
        raise WrongState(
            _("Hồ sơ đã được chuyển sang bước khác trong lúc bạn xem; hãy tải lại trang.")
        )


def _require_open(open_task: OpenTask | None) -> OpenTask:
    if open_task is None:
        raise WrongState(_("Hồ sơ không có bước đang xử lý."))
    return open_task


def _check_moment(value: datetime.datetime | None, field: str) -> None:
    if value is not None and timezone.is_naive(value):
        raise ValidationError({field: _("Thời điểm phải kèm múi giờ.")})


# --- Writing ----------------------------------------------------------------------------------


def _insert(obj: models.Model) -> None:
    """Insert a new row built in Python and mark the instance saved."""
    values = {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key
    }
    obj.pk = sql.insert(type(obj), values)
    obj._state.adding = False
    obj._state.db = sql.connection().alias


def _update(obj: models.Model, *attnames: str) -> None:
    sql.update(type(obj), obj.pk, {name: getattr(obj, name) for name in attnames})


def _case_snapshot(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "template": case.template_id,
        "current_step": case.current_step_id,
        "agency": case.agency_id,
        "due_at": case.due_at,
        "budget_seconds": case.budget_seconds,
        "remaining_at_pause": case.remaining_at_pause,
    }


def _open_task(
    case: Case,
    step: StepInfo,
    *,
    at: datetime.datetime,
    assignee: User | None = None,
) -> int:
    """Open the step's task: due when its share of the budget is used, never after the case.
    Returns the task's id."""
    due = None
    if case.due_at is not None:
        due = min(calendar.add_working_seconds(at, step_budget_seconds(step, case)), case.due_at)
    return sql.insert(
        Task,
        {
            "title": f"{case.title} — {step.name}"[:255],
            "module": case.module,
            "url": modules.task_url(case),
            "assignee_id": getattr(assignee, "pk", None),
            "org_unit_id": step.org_unit_id or case.agency_id,
            "role": step.role,
            "status": Task.Status.OPEN,
            "due_at": due,
            "created_at": at,
            "completed_at": None,
            "case_id": case.pk,
            "step_id": step.id,
            "completed_by_id": None,
            "acting_for_id": None,
        },
    )


def _close_task(task: OpenTask | None, *, actor: Actor, at: datetime.datetime, status: str) -> None:
    """Close the open task; if it was closed meanwhile, the case has moved on: WrongState."""
    if task is None:
        return
    changed = sql.update(
        Task,
        task.pk,
        {
            "status": status,
            "completed_at": at,
            "completed_by_id": getattr(actor.user, "pk", None),
            "acting_for_id": getattr(actor.acting_for, "pk", None),
        },
        where=f"{sql.quote('status')} = {sql.literal(Task.Status.OPEN)}",
    )
    if changed != 1:
        raise WrongState(
            _("Hồ sơ đã được chuyển sang bước khác trong lúc bạn xem; hãy tải lại trang.")
        )


def _transition(
    case: Case,
    action: str,
    *,
    actor: Actor,
    from_step: int | None,
    to_step: int | None,
    note: str,
    at: datetime.datetime,
    before: dict[str, Any] | None,
) -> int:
    """Record the move three times over: the case history, the audit log, the outbox."""
    transition_id = sql.insert(
        CaseTransition,
        {
            "case_id": case.pk,
            "action": action,
            "from_step_id": from_step,
            "to_step_id": to_step,
            "by_id": getattr(actor.user, "pk", None),
            "acting_for_id": getattr(actor.acting_for, "pk", None),
            "note": note,
            "at": at,
        },
    )
    after = _case_snapshot(case)
    if actor.acting_for is not None:
        after["acting_for"] = actor.acting_for.pk
    if note:
        after["note"] = note
    record(f"workflow.case.{action}", case, actor=actor.user, before=before, after=after)
    subject_type = ContentType.objects.get_for_id(case.subject_type_id)
    publish(
        f"workflow.case.{action}",
        subject=str(case.pk),
        data={
            "case": case.pk,
            "module": case.module,
            "subject_type": f"{subject_type.app_label}.{subject_type.model}",
            "subject_id": case.subject_id,
            "agency": case.agency_id,
            "status": case.status,
            "from_step": from_step,
            "to_step": to_step,
            "due_at": case.due_at,
            "at": at,
            "by": getattr(actor.user, "pk", None),
            "acting_for": getattr(actor.acting_for, "pk", None),
        },
    )
    return transition_id


# --- The moves --------------------------------------------------------------------------------


def _fresh_template(template: ProcessTemplate) -> ProcessTemplate:
    """The template as committed now (its revision names the steps to use)."""
    q = sql.quote
    rows = sql.fetch(
        f"SELECT {_TEMPLATE.columns('m')} FROM {q(ProcessTemplate._meta.db_table)} m "
        f"WHERE m.{q('id')} = %s",
        [template.pk],
    )
    if not rows:
        raise ValidationError({"template": _("Quy trình không tồn tại.")})
    fresh = _TEMPLATE.build(rows[0])
    if not fresh.is_active:
        raise ValidationError(
            {"template": _("Quy trình “%(name)s” đã ngừng áp dụng.") % {"name": fresh}}
        )
    return fresh


@_move
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
    _check_moment(due_at, "due_at")
    _check_moment(at, "at")
    fresh = _fresh_template(template)
    steps = cached_steps(fresh.pk, fresh.revision)
    if not steps:
        raise ValidationError(
            {"template": _("Quy trình “%(name)s” chưa có bước nào.") % {"name": fresh}}
        )
    if not agency.is_agency:
        raise ValidationError({"agency": _("Hồ sơ phải do một cơ quan giải quyết.")})
    if due_at is not None and due_at <= at:
        raise ValidationError({"due_at": _("Hạn giải quyết phải sau thời điểm bắt đầu.")})
    subject_type = ContentType.objects.get_for_model(subject)
    case = Case(
        template=fresh,
        module=fresh.module,
        subject_type=subject_type,
        subject_id=str(subject.pk),
        title=title[:255],
        agency=agency,
        status=Case.Status.ACTIVE,
        current_step_id=steps[0].id,
        started_at=at,
        due_at=due_at,
        budget_seconds=(calendar.working_seconds_between(at, due_at) if due_at is not None else 0),
    )
    _check_assignee(assignee, steps[0], case)
    q = sql.quote
    taken = sql.fetch(
        f"SELECT 1 FROM {q(Case._meta.db_table)} WHERE {q('subject_type_id')} = %s "
        f"AND {q('subject_id')} = %s",
        [subject_type.pk, case.subject_id],
    )
    if taken:
        raise WrongState(_("Đối tượng này đã có hồ sơ công việc."))
    _insert(case)
    _open_task(case, steps[0], at=at, assignee=assignee)
    _transition(
        case,
        CaseTransition.Action.START,
        actor=Actor(by),
        from_step=None,
        to_step=steps[0].id,
        note="",
        at=at,
        before=None,
    )
    return case


@_move
def forward(
    *,
    case: Case,
    by: User,
    note: str = "",
    assignee: User | None = None,
    at: datetime.datetime | None = None,
    task: Task | int | None = None,
) -> Case:
    """Complete the current step and open the next; the last step finishes the case."""
    at = at or timezone.now()
    locked = _lock(case, by)
    case = locked.case
    _check_active(case, Case.Status.ACTIVE)
    _check_seen(locked.task, task)
    open_task = _require_open(locked.task)
    actor = _actor(open_task, by, locked.pooled)
    steps = cached_steps(case.template_id, locked.revision)
    index = _index(steps, case.current_step_id)
    next_step = steps[index + 1] if index + 1 < len(steps) else None
    if next_step is not None:
        _check_assignee(assignee, next_step, case)
    before = _case_snapshot(case)
    from_step = case.current_step_id
    _close_task(open_task, actor=actor, at=at, status=Task.Status.DONE)
    if next_step is not None:
        case.current_step_id = next_step.id
        _update(case, "current_step_id")
        _open_task(case, next_step, at=at, assignee=assignee)
        action = CaseTransition.Action.FORWARD
    else:
        case.status = Case.Status.FINISHED
        case.finished_at = at
        _update(case, "status", "finished_at")
        action = CaseTransition.Action.FINISH
    _transition(
        case,
        action,
        actor=actor,
        from_step=from_step,
        to_step=next_step.id if next_step else None,
        note=note,
        at=at,
        before=before,
    )
    return case


@_move
def return_to(
    *,
    case: Case,
    step: ProcessStep,
    by: User,
    note: str,
    at: datetime.datetime | None = None,
    assignee: User | None = None,
    task: Task | int | None = None,
) -> Case:
    """Send the case back to an earlier step (with a reason); that step starts afresh."""
    at = at or timezone.now()
    locked = _lock(case, by)
    case = locked.case
    _check_active(case, Case.Status.ACTIVE)
    _check_seen(locked.task, task)
    if not note.strip():
        raise ValidationError({"note": _("Hãy nêu lý do trả lại.")})
    steps = cached_steps(case.template_id, locked.revision)
    current = steps[_index(steps, case.current_step_id)]
    target = next((s for s in steps if s.id == step.pk), None)
    if target is None or target.order >= current.order:
        raise ValidationError({"step": _("Chỉ trả lại được một bước trước bước hiện tại.")})
    open_task = _require_open(locked.task)
    actor = _actor(open_task, by, locked.pooled)
    _check_assignee(assignee, target, case)
    before = _case_snapshot(case)
    _close_task(open_task, actor=actor, at=at, status=Task.Status.CANCELLED)
    case.current_step_id = target.id
    _update(case, "current_step_id")
    _open_task(case, target, at=at, assignee=assignee)
    _transition(
        case,
        CaseTransition.Action.RETURN,
        actor=actor,
        from_step=current.id,
        to_step=target.id,
        note=note,
        at=at,
        before=before,
    )
    return case


@_move
def hand_over(
    *,
    case: Case,
    to_agency: OrgUnit,
    by: User,
    note: str,
    template: ProcessTemplate | None = None,
    at: datetime.datetime | None = None,
    assignee: User | None = None,
    task: Task | int | None = None,
) -> Case:
    """Hand the case to another agency (một cửa liên thông): it starts there at step one.

    The due moment stays: the receiving agency's steps — of its process `template`, or of the
    same one — share the working time that is left.
    """
    at = at or timezone.now()
    locked = _lock(case, by)
    case = locked.case
    _check_active(case, Case.Status.ACTIVE)
    _check_seen(locked.task, task)
    if not to_agency.is_agency or to_agency.pk == case.agency_id:
        raise ValidationError({"to_agency": _("Hãy chọn một cơ quan khác để chuyển hồ sơ.")})
    if template is not None:
        fresh = _fresh_template(template)
        template_id, revision = fresh.pk, fresh.revision
    else:
        template_id, revision = case.template_id, locked.revision
    steps = cached_steps(template_id, revision)
    if not steps:
        raise ValidationError({"template": _("Quy trình này chưa có bước nào.")})
    open_task = _require_open(locked.task)
    actor = _actor(open_task, by, locked.pooled)
    before = _case_snapshot(case)
    from_step = case.current_step_id
    case.agency = to_agency
    case.template_id = template_id
    case.current_step_id = steps[0].id
    if case.due_at is not None:
        case.budget_seconds = max(0, calendar.working_seconds_between(at, case.due_at))
    _check_assignee(assignee, steps[0], case)
    _close_task(open_task, actor=actor, at=at, status=Task.Status.DONE)
    _update(case, "agency_id", "template_id", "current_step_id", "budget_seconds")
    _open_task(case, steps[0], at=at, assignee=assignee)
    _transition(
        case,
        CaseTransition.Action.HANDOVER,
        actor=actor,
        from_step=from_step,
        to_step=steps[0].id,
        note=note,
        at=at,
        before=before,
    )
    return case


@_move
def pause(
    *,
    case: Case,
    by: User | None,
    note: str,
    at: datetime.datetime | None = None,
    task: Task | int | None = None,
) -> Case:
    """Stop the clock (waiting on the applicant); the working time left is kept.

    `by` must hold the open task when given; None is the platform itself.
    """
    at = at or timezone.now()
    locked = _lock(case, by)
    case = locked.case
    _check_active(case, Case.Status.ACTIVE)
    _check_seen(locked.task, task)
    open_task = locked.task
    actor = _actor(open_task, by, locked.pooled) if (open_task and by is not None) else Actor(by)
    before = _case_snapshot(case)
    case.status = Case.Status.PAUSED
    case.paused_at = at
    case.remaining_at_pause = (
        calendar.working_seconds_between(at, case.due_at) if case.due_at else None
    )
    _update(case, "status", "paused_at", "remaining_at_pause")
    _transition(
        case,
        CaseTransition.Action.PAUSE,
        actor=actor,
        from_step=case.current_step_id,
        to_step=case.current_step_id,
        note=note,
        at=at,
        before=before,
    )
    return case


def _resumed_task_due(
    task: OpenTask,
    case: Case,
    step: StepInfo,
    *,
    paused_at: datetime.datetime,
    at: datetime.datetime,
    restarted: bool,
) -> datetime.datetime | None:
    """The open task's due moment after the clock restarts."""
    if case.due_at is None:
        return None
    if restarted:
        # The law restarts the time limit: the step gets its share of the new budget.
        due = calendar.add_working_seconds(at, step_budget_seconds(step, case))
    elif task.due_at is None:
        due = case.due_at
    else:
        left = calendar.working_seconds_between(paused_at, task.due_at)
        # A step already late when the clock stopped stays exactly as late.
        due = calendar.add_working_seconds(at, left) if left > 0 else task.due_at
    return min(due, case.due_at)


@_move
def resume(
    *,
    case: Case,
    by: User | None,
    note: str = "",
    at: datetime.datetime | None = None,
    due_at: datetime.datetime | None = None,
    task: Task | int | None = None,
    require_holder: bool = False,
) -> Case:
    """Restart the clock: from the time left, or at `due_at` when the law restarts it.

    Without `due_at` the case and its open task get back the working time they had left when
    paused (one already late then stays late by as much). With `due_at`, that is the new due
    moment and the working time until it the new budget, shared again by the steps.
    """
    at = at or timezone.now()
    _check_moment(due_at, "due_at")
    locked = _lock(case, by)
    case = locked.case
    _check_active(case, Case.Status.PAUSED)
    _check_seen(locked.task, task)
    open_task = locked.task
    actor = _optional_actor(open_task, by, locked.pooled, require_holder)
    before = _case_snapshot(case)
    paused_at = case.paused_at or at
    restarted = due_at is not None
    if due_at is not None:
        if due_at <= at:
            raise ValidationError({"due_at": _("Hạn giải quyết mới phải sau thời điểm tiếp tục.")})
        case.budget_seconds = calendar.working_seconds_between(at, due_at)
        case.due_at = due_at
    elif case.due_at is not None and case.remaining_at_pause is not None:
        left = case.remaining_at_pause
        case.due_at = calendar.add_working_seconds(at, left) if left > 0 else case.due_at
    case.status = Case.Status.ACTIVE
    case.paused_at = None
    case.remaining_at_pause = None
    _update(case, "status", "due_at", "budget_seconds", "paused_at", "remaining_at_pause")
    if open_task is not None:
        steps = cached_steps(case.template_id, locked.revision)
        step = steps[_index(steps, case.current_step_id)]
        due = _resumed_task_due(
            open_task, case, step, paused_at=paused_at, at=at, restarted=restarted
        )
        sql.update(Task, open_task.pk, {"due_at": due})
    _transition(
        case,
        CaseTransition.Action.RESUME,
        actor=actor,
        from_step=case.current_step_id,
        to_step=case.current_step_id,
        note=note,
        at=at,
        before=before,
    )
    return case


@_move
def stop(
    *,
    case: Case,
    by: User | None,
    note: str,
    at: datetime.datetime | None = None,
    task: Task | int | None = None,
    require_holder: bool = False,
) -> Case:
    """Stop the case for good (dừng xử lý, or withdrawn by the applicant); tasks are cancelled."""
    at = at or timezone.now()
    locked = _lock(case, by)
    case = locked.case
    _check_active(case, Case.Status.ACTIVE, Case.Status.PAUSED)
    _check_seen(locked.task, task)
    if not note.strip():
        raise ValidationError({"note": _("Hãy nêu lý do dừng xử lý.")})
    open_task = locked.task
    actor = _optional_actor(open_task, by, locked.pooled, require_holder)
    before = _case_snapshot(case)
    _close_task(open_task, actor=actor, at=at, status=Task.Status.CANCELLED)
    case.status = Case.Status.STOPPED
    case.finished_at = at
    _update(case, "status", "finished_at")
    _transition(
        case,
        CaseTransition.Action.STOP,
        actor=actor,
        from_step=case.current_step_id,
        to_step=None,
        note=note,
        at=at,
        before=before,
    )
    return case


# --- Time left and risk -----------------------------------------------------------------------


def remaining_seconds(case: Case, at: datetime.datetime | None = None) -> int | None:
    """Working seconds left before the case's due moment (negative when overdue)."""
    if case.status == Case.Status.PAUSED:
        return case.remaining_at_pause
    if case.due_at is None:
        return None
    return calendar.working_seconds_between(at or timezone.now(), case.due_at)


def needed_seconds(case: Case, steps: Sequence[StepLike] | None = None) -> int:
    """Working time budgeted for the steps after the current one (their shares together)."""
    if case.current_step_id is None:
        return 0
    if steps is None:
        steps = _steps_of_case(case)
    current = next((s.order for s in steps if s.id == case.current_step_id), None)
    if current is None:
        return 0
    share = sum((step.time_share for step in steps if step.order > current), Decimal(0))
    return int(Decimal(case.budget_seconds) * share / Decimal(100))


class Risk:
    """Inbox markers."""

    OVERDUE = "overdue"
    AT_RISK = "at_risk"
    OK = "ok"
    PAUSED = "paused"
    CLOSED = "closed"


def risk_of(
    case: Case,
    at: datetime.datetime | None = None,
    *,
    steps: Sequence[StepLike] | None = None,
) -> str:
    """Overdue; at risk when the time left is less than the later steps' budgets (the current
    step has eaten into their time); paused; or ok. `steps` saves reading the template."""
    if case.status == Case.Status.PAUSED:
        return Risk.PAUSED
    if case.status != Case.Status.ACTIVE:
        return Risk.CLOSED
    at = at or timezone.now()
    if case.due_at is None:
        return Risk.OK
    if case.due_at < at:
        return Risk.OVERDUE
    left = calendar.working_seconds_between(at, case.due_at)
    return Risk.AT_RISK if left < needed_seconds(case, steps) else Risk.OK
