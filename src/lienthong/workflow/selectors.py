"""Reads for the inbox (hộp việc): an official's open tasks, across modules, with markers.

One inbox per official: the tasks assigned to them, those of the pools (unit and role) they
hold, and — while a delegation is in force — those of the officials they stand in for, marked
"xử lý thay cho …". Markers per task: overdue (past its due moment), at risk (its case's
working time left is less than the later steps' budgets, `engine.risk_of`), paused (the case's
clock is stopped: never overdue meanwhile), due today.

Cost: one query reads a few columns of every open task of the inbox, with the later steps'
share of the budget and the principal a task is reached through computed in SQL; the markers
and counts come from that in Python (the calendar kernel is in memory); a second query loads
the page of tasks shown, with their unit, assignee and case. The number of queries does not
grow with the number of tasks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case as SqlCase
from django.db.models import (
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from lienthong.core import calendar
from lienthong.workflow import modules
from lienthong.workflow.models import Case, Delegation, ProcessStep, Task

if TYPE_CHECKING:
    from lienthong.accounts.models import User

#: The inbox page lists at most this many tasks (the counts cover all of them).
INBOX_LIMIT = 200

SHOW_ALL = "all"
SHOW_OVERDUE = "overdue"
SHOW_AT_RISK = "at_risk"
SHOW_TODAY = "today"
SHOW_PAUSED = "paused"
SHOW_CHOICES = (SHOW_ALL, SHOW_OVERDUE, SHOW_AT_RISK, SHOW_TODAY, SHOW_PAUSED)


@dataclass(frozen=True)
class Markers:
    """What the inbox says about one task."""

    overdue: bool = False
    at_risk: bool = False
    paused: bool = False
    due_today: bool = False


@dataclass(frozen=True)
class InboxRow:
    """A task as the inbox shows it."""

    task: Task
    overdue: bool
    due_today: bool
    at_risk: bool = False
    paused: bool = False
    acting_for: User | None = None

    @property
    def module_label(self) -> str:
        """The task's module by name."""
        return modules.label(self.task.module) if self.task.module else ""


@dataclass(frozen=True)
class ModuleCount:
    """A module with open tasks in the inbox."""

    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Inbox:
    """The open tasks of one official, the counts, and which filter is shown."""

    rows: list[InboxRow]
    total: int
    overdue: int
    due_today: int
    show: str
    truncated: bool
    at_risk: int = 0
    paused: int = 0
    module: str = ""
    modules: list[ModuleCount] = field(default_factory=list)
    listed: int = 0


def local_day_bounds(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of the local (Asia/Ho_Chi_Minh) day containing `now`."""
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


def _later_share() -> Subquery:
    """Per task row: the time shares (%) of its case's steps after the current one."""
    return Subquery(
        ProcessStep.objects.filter(
            template=OuterRef("case__template"), order__gt=OuterRef("case__current_step__order")
        )
        .order_by()
        .values("template")
        .annotate(total=Sum("time_share"))
        .values("total")[:1],
        output_field=DecimalField(max_digits=7, decimal_places=2),
    )


def _reached_through(user: User, on: datetime.date | None) -> SqlCase:
    """Per task row: the principal through whom the user holds it (None when it is theirs)."""
    from lienthong.accounts.models import RoleAssignment

    principals = Delegation.objects.in_force(on).filter(substitute=user).values("principal_id")
    own_pool = Exists(
        RoleAssignment.objects.filter(
            user=user, org_unit=OuterRef("org_unit"), role=OuterRef("role")
        )
    )
    principal_pool = Subquery(
        RoleAssignment.objects.filter(
            user__in=Subquery(principals), org_unit=OuterRef("org_unit"), role=OuterRef("role")
        )
        .order_by("user_id")
        .values("user_id")[:1]
    )
    return SqlCase(
        When(assignee=user, then=Value(None, output_field=IntegerField())),
        When(assignee__isnull=False, then=F("assignee_id")),
        When(own_pool, then=Value(None, output_field=IntegerField())),
        default=principal_pool,
        output_field=IntegerField(),
    )


def markers(
    *,
    due_at: datetime.datetime | None,
    case_status: str | None,
    case_due_at: datetime.datetime | None,
    budget_seconds: int | None,
    later_share: Decimal | None,
    now: datetime.datetime,
    day_end: datetime.datetime,
) -> Markers:
    """A task's markers from its due moment and its case's clock (see the module docstring)."""
    if case_status == Case.Status.PAUSED:
        return Markers(paused=True)
    overdue = due_at is not None and due_at < now
    due_today = due_at is not None and timezone.localdate(due_at) == timezone.localdate(now)
    at_risk = False
    if not overdue and case_status == Case.Status.ACTIVE and case_due_at is not None:
        if case_due_at < now:
            overdue = True
        elif later_share:
            needed = int(Decimal(budget_seconds or 0) * later_share / Decimal(100))
            at_risk = calendar.working_seconds_between(now, case_due_at) < needed
    return Markers(overdue=overdue, at_risk=at_risk, due_today=due_today and day_end > now)


def inbox_for(
    user: User,
    *,
    show: str = SHOW_ALL,
    module: str = "",
    now: datetime.datetime | None = None,
    offset: int = 0,
    limit: int = INBOX_LIMIT,
) -> Inbox:
    """The user's inbox, filtered by `show` and `module`, `limit` rows from `offset`."""
    from lienthong.accounts.models import User as UserModel

    now = now or timezone.now()
    _day_start, day_end = local_day_bounds(now)
    if show not in SHOW_CHOICES:
        show = SHOW_ALL
    light = (
        Task.objects.inbox_of(user, timezone.localdate(now))
        .annotate(later_share=_later_share(), via=_reached_through(user, timezone.localdate(now)))
        .values_list(
            "pk",
            "due_at",
            "module",
            "case__status",
            "case__due_at",
            "case__budget_seconds",
            "later_share",
            "via",
        )
    )
    counts = {"total": 0, SHOW_OVERDUE: 0, SHOW_AT_RISK: 0, SHOW_TODAY: 0, SHOW_PAUSED: 0}
    per_module: dict[str, int] = {}
    chosen: list[tuple[int, Markers, Any]] = []
    for pk, due_at, task_module, status, case_due, budget, share, via in light:
        mark = markers(
            due_at=due_at,
            case_status=status,
            case_due_at=case_due,
            budget_seconds=budget,
            later_share=share,
            now=now,
            day_end=day_end,
        )
        counts["total"] += 1
        counts[SHOW_OVERDUE] += mark.overdue
        counts[SHOW_AT_RISK] += mark.at_risk
        counts[SHOW_PAUSED] += mark.paused
        # "due today" counts what is still to do today, not what is already late
        counts[SHOW_TODAY] += mark.due_today and not mark.overdue
        per_module[task_module] = per_module.get(task_module, 0) + 1
        if module and task_module != module:
            continue
        if (
            show == SHOW_ALL
            or (show == SHOW_OVERDUE and mark.overdue)
            or (show == SHOW_AT_RISK and mark.at_risk)
            or (show == SHOW_PAUSED and mark.paused)
            or (show == SHOW_TODAY and mark.due_today and not mark.overdue)
        ):
            chosen.append((pk, mark, via))
    page = chosen[offset : offset + limit]
    tasks = Task.objects.select_related("org_unit", "assignee", "case").in_bulk(
        [pk for pk, _mark, _via in page]
    )
    principal_ids = {via for _pk, _mark, via in page if via is not None}
    principals = UserModel.objects.in_bulk(principal_ids) if principal_ids else {}
    rows = [
        InboxRow(
            task=tasks[pk],
            overdue=mark.overdue,
            due_today=mark.due_today,
            at_risk=mark.at_risk,
            paused=mark.paused,
            acting_for=principals.get(via) if via is not None else None,
        )
        for pk, mark, via in page
        if pk in tasks
    ]
    return Inbox(
        rows=rows,
        total=counts["total"],
        overdue=counts[SHOW_OVERDUE],
        due_today=counts[SHOW_TODAY],
        at_risk=counts[SHOW_AT_RISK],
        paused=counts[SHOW_PAUSED],
        show=show,
        module=module,
        modules=[
            ModuleCount(code, modules.label(code) if code else "", count)
            for code, count in sorted(per_module.items())
        ],
        truncated=len(chosen) > offset + limit,
        listed=len(chosen),
    )


def history_of(case: Case) -> list[Any]:
    """The case's transitions, oldest first, with who acted, for whom, and the steps."""
    return list(
        case.transitions.select_related("by", "acting_for", "from_step", "to_step").order_by(
            "at", "pk"
        )
    )
