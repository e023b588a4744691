"""Inbox API, mounted at /api/inbox/: my tasks with their markers, one task, completing it;
process templates; cases, their history and the generic transitions; delegations.

Answers: anonymous 401; a citizen 403; a case or task outside the official's scope 404 (the
same as one that does not exist); a move the official may not make 403; a move the case's
state does not allow 409; bad input 422 with the messages per field.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lienthong.accounts.models import User
from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.workflow import engine
from lienthong.workflow.models import Case, CaseTransition, Delegation, ProcessTemplate, Task
from lienthong.workflow.selectors import (
    INBOX_LIMIT,
    SHOW_ALL,
    SHOW_CHOICES,
    InboxRow,
    history_of,
    inbox_for,
)
from lienthong.workflow.services import (
    act_on_case,
    complete_task,
    create_delegation,
    revoke_delegation,
)

router = Router(tags=["inbox"], auth=django_auth)


# --- Schemas ----------------------------------------------------------------------------------


class OrgUnitRef(Schema):
    """An org unit as a reference."""

    id: int
    name: str


class UserRef(Schema):
    """An official as a reference."""

    id: int
    name: str


class TaskFields(Schema):
    """The fields of a task (công việc)."""

    id: int
    title: str
    module: str
    url: str
    status: str
    role: str
    org_unit: OrgUnitRef | None
    assignee_id: int | None
    case_id: int | None
    due_at: datetime.datetime | None
    created_at: datetime.datetime
    completed_at: datetime.datetime | None
    overdue: bool


class TaskOut(TaskFields):
    """A task as the inbox API returns it; `url` is where it is handled."""

    @staticmethod
    def resolve_url(task: Task) -> str:
        return task.handling_url

    @staticmethod
    def resolve_overdue(task: Task) -> bool:
        return task.is_overdue()


class InboxItemOut(TaskFields):
    """A task of my inbox, with its markers and for whom I would act on it."""

    at_risk: bool
    paused: bool
    due_today: bool
    acting_for: UserRef | None


class InboxOut(Schema):
    """A page of my inbox and the counts over all of it."""

    count: int
    items: list[InboxItemOut]
    total: int
    overdue: int
    at_risk: int
    paused: int
    due_today: int


class ErrorOut(Schema):
    """An error with its Vietnamese explanation."""

    detail: str


class FieldErrorsOut(Schema):
    """Bad input: a summary and the messages per field."""

    detail: str
    errors: dict[str, list[str]]


class StepOut(Schema):
    """A step of a process."""

    id: int
    order: int
    name: str
    role: str
    org_unit: OrgUnitRef | None
    time_share: str


class TemplateOut(Schema):
    """A process template (quy trình nội bộ) with its steps."""

    id: int
    code: str
    name: str
    module: str
    description: str
    is_active: bool
    steps: list[StepOut]


class TransitionOut(Schema):
    """One move of a case."""

    action: str
    at: datetime.datetime
    by: UserRef | None
    acting_for: UserRef | None
    from_step: str | None
    to_step: str | None
    note: str


class CaseOut(Schema):
    """A case (hồ sơ công việc) with its clock and its history."""

    id: int
    title: str
    module: str
    status: str
    agency: OrgUnitRef
    template: str
    current_step: StepOut | None
    started_at: datetime.datetime
    due_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    risk: str
    history: list[TransitionOut]


class NoteIn(Schema):
    """A move with an optional note; `task_id` is the open task the caller saw."""

    note: str = Field("", max_length=2000)
    task_id: int | None = None


class ForwardIn(NoteIn):
    """Forward, optionally to a named official."""

    assignee_id: int | None = None


class ReturnIn(NoteIn):
    """Return to an earlier step (its id), with a reason."""

    step_id: int


class ResumeIn(NoteIn):
    """Resume; a new due moment when the law restarts the clock."""

    due_at: datetime.datetime | None = None


class DelegationIn(Schema):
    """A new delegation; the principal is the caller unless named."""

    substitute_id: int
    starts_on: datetime.date
    ends_on: datetime.date
    reason: str = Field("", max_length=255)
    principal_id: int | None = None


class DelegationOut(Schema):
    """A delegation (ủy quyền)."""

    id: int
    principal: UserRef
    substitute: UserRef
    starts_on: datetime.date
    ends_on: datetime.date
    reason: str
    in_force: bool
    revoked_at: datetime.datetime | None


# --- Helpers ----------------------------------------------------------------------------------


def _official(request: HttpRequest) -> User:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được hộp việc."))
    return cast(User, request.user)


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _unit_ref(unit: Any) -> dict[str, Any] | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def _invalid(exc: ValidationError) -> Status[dict[str, object]]:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _item(row: InboxRow) -> dict[str, Any]:
    task = row.task
    return {
        "id": task.pk,
        "title": task.title,
        "module": task.module,
        "url": task.handling_url,
        "status": task.status,
        "role": task.role,
        "org_unit": _unit_ref(task.org_unit),
        "assignee_id": task.assignee_id,
        "case_id": task.case_id,
        "due_at": task.due_at,
        "created_at": task.created_at,
        "completed_at": task.completed_at,
        "overdue": row.overdue,
        "at_risk": row.at_risk,
        "paused": row.paused,
        "due_today": row.due_today,
        "acting_for": _user_ref(row.acting_for),
    }


def _step(step: Any) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "id": step.pk,
        "order": step.order,
        "name": step.name,
        "role": step.role,
        "org_unit": _unit_ref(step.org_unit),
        "time_share": str(step.time_share),
    }


def _case(case: Case) -> dict[str, Any]:
    def transition(t: CaseTransition) -> dict[str, Any]:
        return {
            "action": t.action,
            "at": t.at,
            "by": _user_ref(t.by),
            "acting_for": _user_ref(t.acting_for),
            "from_step": t.from_step.name if t.from_step else None,
            "to_step": t.to_step.name if t.to_step else None,
            "note": t.note,
        }

    fresh = Case.objects.select_related("agency", "template", "current_step__org_unit").get(
        pk=case.pk
    )
    return {
        "id": fresh.pk,
        "title": fresh.title,
        "module": fresh.module,
        "status": fresh.status,
        "agency": _unit_ref(fresh.agency),
        "template": fresh.template.code,
        "current_step": _step(fresh.current_step),
        "started_at": fresh.started_at,
        "due_at": fresh.due_at,
        "finished_at": fresh.finished_at,
        "risk": engine.risk_of(fresh),
        "history": [transition(t) for t in history_of(fresh)],
    }


def _delegation(delegation: Delegation) -> dict[str, Any]:
    return {
        "id": delegation.pk,
        "principal": _user_ref(delegation.principal),
        "substitute": _user_ref(delegation.substitute),
        "starts_on": delegation.starts_on,
        "ends_on": delegation.ends_on,
        "reason": delegation.reason,
        "in_force": delegation.is_in_force(),
        "revoked_at": delegation.revoked_at,
    }


class InboxQuery(Schema):
    """Filters and paging of the inbox."""

    show: str = Field(SHOW_ALL, description="all, overdue, at_risk, today, paused")
    module: str = ""
    limit: int = Field(INBOX_LIMIT, ge=1, le=INBOX_LIMIT)
    offset: int = Field(0, ge=0)


# --- My tasks ---------------------------------------------------------------------------------


@router.get(
    "/", response={200: InboxOut, 403: ErrorOut, 422: FieldErrorsOut}, summary="Hộp việc của tôi"
)
def list_tasks(request: HttpRequest, filters: Query[InboxQuery]) -> Any:
    """My open tasks — mine, my pools', and those of officials I stand in for — soonest due
    first, with markers; `show` filters (all, overdue, at_risk, today, paused), `module` too."""
    user = _official(request)
    if filters.show not in SHOW_CHOICES:
        return Status(
            422,
            {
                "detail": _("Dữ liệu không hợp lệ."),
                "errors": {"show": [_("Bộ lọc không hợp lệ.")]},
            },
        )
    inbox = inbox_for(
        user, show=filters.show, module=filters.module, offset=filters.offset, limit=filters.limit
    )
    return {
        "count": inbox.listed,
        "items": [_item(row) for row in inbox.rows],
        "total": inbox.total,
        "overdue": inbox.overdue,
        "at_risk": inbox.at_risk,
        "paused": inbox.paused,
        "due_today": inbox.due_today,
    }


# --- Process templates ------------------------------------------------------------------------


@router.get(
    "/templates", response={200: list[TemplateOut], 403: ErrorOut}, summary="Quy trình nội bộ"
)
def list_templates(request: HttpRequest, module: str = "") -> Any:
    """Every process (active and not) with its steps, by module and code."""
    _official(request)
    templates = ProcessTemplate.objects.prefetch_related("steps__org_unit").order_by(
        "module", "code"
    )
    if module:
        templates = templates.filter(module=module)
    return [
        {
            "id": t.pk,
            "code": t.code,
            "name": t.name,
            "module": t.module,
            "description": t.description,
            "is_active": t.is_active,
            "steps": [_step(step) for step in sorted(t.steps.all(), key=lambda s: s.order)],
        }
        for t in templates
    ]


# --- Delegations ------------------------------------------------------------------------------


@router.get(
    "/delegations",
    response={200: list[DelegationOut], 403: ErrorOut},
    summary="Ủy quyền tôi đã giao và được nhận",
)
def list_delegations(request: HttpRequest) -> Any:
    """Delegations I gave or received, newest first (revoked and past ones included)."""
    user = _official(request)
    delegations = (
        Delegation.objects.involving(user)
        .select_related("principal", "substitute")
        .order_by("-starts_on", "-pk")
    )
    return [_delegation(d) for d in delegations]


@router.post(
    "/delegations",
    response={201: DelegationOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="Ủy quyền xử lý thay",
)
def add_delegation(request: HttpRequest, payload: DelegationIn) -> Any:
    """Name a substitute for myself (or, as a leader, for an official of my unit)."""
    user = _official(request)
    principal = get_object_or_404(User, pk=payload.principal_id) if payload.principal_id else user
    substitute = get_object_or_404(User, pk=payload.substitute_id, kind=User.Kind.OFFICIAL)
    try:
        delegation = create_delegation(
            principal=principal,
            substitute=substitute,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            reason=payload.reason,
            by=user,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _delegation(delegation))


@router.post(
    "/delegations/{delegation_id}/revoke",
    response={200: DelegationOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="Thu hồi ủy quyền",
)
def revoke(request: HttpRequest, delegation_id: int) -> Any:
    """Revoke a delegation I gave (or one of my unit's, as its leader); 404 for one I cannot
    see."""
    user = _official(request)
    delegation = Delegation.objects.filter(pk=delegation_id).select_related("principal").first()
    if delegation is None or not (
        user.pk in (delegation.principal_id, delegation.substitute_id)
        or user.is_superuser
        or _leads(user, delegation.principal)
    ):
        raise HttpError(404, _("Không tìm thấy."))
    try:
        return _delegation(revoke_delegation(delegation=delegation, by=user))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)


def _leads(user: User, principal: User) -> bool:
    from lienthong.workflow.services import can_delegate_for

    return can_delegate_for(user, principal)


# --- Cases ------------------------------------------------------------------------------------


def _visible_case(user: User, case_id: int) -> Case:
    return get_visible_or_404(Case.objects.all(), user, pk=case_id)


@router.get(
    "/cases/{case_id}",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut},
    summary="Một hồ sơ công việc và lịch sử chuyển bước",
)
def get_case(request: HttpRequest, case_id: int) -> Any:
    """A case of my units (its agency's or a step's), or one with a task of mine."""
    user = _official(request)
    return _case(_visible_case(user, case_id))


def _move(request: HttpRequest, case_id: int, action: str, **kwargs: Any) -> Any:
    user = _official(request)
    case = _visible_case(user, case_id)
    try:
        moved = act_on_case(case=case, action=action, by=user, **kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except engine.WrongState as exc:
        raise HttpError(409, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)
    return _case(moved)


MOVE_RESPONSES: dict[int, Any] = {
    200: CaseOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: FieldErrorsOut,
}


@router.post("/cases/{case_id}/forward", response=MOVE_RESPONSES, summary="Chuyển bước tiếp")
def forward(request: HttpRequest, case_id: int, payload: ForwardIn) -> Any:
    """Finish my step of the case and send it to the next (the last step finishes it)."""
    assignee = None
    if payload.assignee_id is not None:
        assignee = User.objects.filter(pk=payload.assignee_id).first()
        if assignee is None:
            return Status(
                422,
                {
                    "detail": _("Dữ liệu không hợp lệ."),
                    "errors": {"assignee_id": [_("Không có cán bộ này.")]},
                },
            )
    return _move(
        request,
        case_id,
        "forward",
        note=payload.note,
        assignee=assignee,
        task=payload.task_id or _seen(case_id),
    )


def _seen(case_id: int) -> int | None:
    """The open task as this request found it, so a move made meanwhile is not repeated."""
    if not 0 < case_id < 2**63:  # no such case; SQLite cannot even compare the number
        return None
    return (
        Task.objects.filter(case_id=case_id, status=Task.Status.OPEN)
        .values_list("pk", flat=True)
        .first()
    )


@router.post("/cases/{case_id}/return", response=MOVE_RESPONSES, summary="Trả lại bước trước")
def return_case(request: HttpRequest, case_id: int, payload: ReturnIn) -> Any:
    """Send the case back to an earlier step, with the reason."""
    from lienthong.workflow.models import ProcessStep

    step = ProcessStep.objects.filter(pk=payload.step_id).first()
    if step is None:
        return Status(
            422,
            {
                "detail": _("Dữ liệu không hợp lệ."),
                "errors": {"step_id": [_("Không có bước này.")]},
            },
        )
    return _move(
        request,
        case_id,
        "return",
        note=payload.note,
        step=step,
        task=payload.task_id or _seen(case_id),
    )


@router.post("/cases/{case_id}/pause", response=MOVE_RESPONSES, summary="Tạm dừng thời hạn")
def pause(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    """Stop the case's clock, with the reason (waiting on someone outside)."""
    return _move(request, case_id, "pause", note=payload.note, task=payload.task_id)


@router.post("/cases/{case_id}/resume", response=MOVE_RESPONSES, summary="Tiếp tục tính thời hạn")
def resume(request: HttpRequest, case_id: int, payload: ResumeIn) -> Any:
    """Restart the clock: with the time left, or to a new due moment."""
    return _move(
        request, case_id, "resume", note=payload.note, due_at=payload.due_at, task=payload.task_id
    )


@router.post("/cases/{case_id}/stop", response=MOVE_RESPONSES, summary="Dừng xử lý")
def stop(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    """Stop the case for good, with the reason."""
    return _move(request, case_id, "stop", note=payload.note, task=payload.task_id)


# --- One task ---------------------------------------------------------------------------------


@router.get(
    "/{task_id}",
    response={200: TaskOut, 403: ErrorOut, 404: ErrorOut},
    summary="Một công việc",
)
def get_task(request: HttpRequest, task_id: int) -> Task:
    """A task of my units, or one assigned to me; 404 for any other."""
    user = _official(request)
    return get_visible_or_404(Task.objects.select_related("org_unit", "case"), user, pk=task_id)


@router.post(
    "/{task_id}/complete",
    response={200: TaskOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="Đánh dấu công việc đã xong",
)
def complete(request: HttpRequest, task_id: int) -> Any:
    """Complete a task assigned to me or pooled for my role; 422 if it is already closed or is
    a step of a case (cases move through their transitions)."""
    user = _official(request)
    task = get_visible_or_404(Task.objects.all(), user, pk=task_id)
    try:
        done = complete_task(task=task, by=user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)
    return done
