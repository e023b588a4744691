"""Reads for the inbox (hộp việc): an official's open tasks with their due markers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils import timezone

from lienthong.workflow.models import Task

if TYPE_CHECKING:
    from lienthong.accounts.models import User

#: The inbox page lists at most this many tasks (the counts cover all of them).
INBOX_LIMIT = 200

SHOW_ALL = "all"
SHOW_OVERDUE = "overdue"
SHOW_TODAY = "today"
SHOW_CHOICES = (SHOW_ALL, SHOW_OVERDUE, SHOW_TODAY)


@dataclass(frozen=True)
class InboxRow:
    """A task as the inbox shows it."""

    task: Task
    overdue: bool
    due_today: bool


@dataclass(frozen=True)
class Inbox:
    """The open tasks of one official, the counts, and which filter is shown."""

    rows: list[InboxRow]
    total: int
    overdue: int
    due_today: int
    show: str
    truncated: bool


def local_day_bounds(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of the local (Asia/Ho_Chi_Minh) day containing `now`."""
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


def inbox_for(user: User, *, show: str = SHOW_ALL, now: datetime.datetime | None = None) -> Inbox:
    """The user's inbox: counts in one query, the (filtered) list in another."""
    now = now or timezone.now()
    day_start, day_end = local_day_bounds(now)
    tasks = Task.objects.inbox_of(user)
    overdue_q = Q(due_at__lt=now)
    today_q = Q(due_at__gte=now, due_at__lt=day_end)
    counts = tasks.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q),
        due_today=Count("pk", filter=today_q),
    )
    if show == SHOW_OVERDUE:
        tasks = tasks.filter(overdue_q)
    elif show == SHOW_TODAY:
        tasks = tasks.filter(today_q)
    else:
        show = SHOW_ALL
    listed = list(tasks.select_related("org_unit", "assignee")[: INBOX_LIMIT + 1])
    today = day_start.date()
    rows = [
        InboxRow(task=task, overdue=task.is_overdue(now), due_today=task.is_due_on(today))
        for task in listed[:INBOX_LIMIT]
    ]
    return Inbox(
        rows=rows,
        total=counts["total"],
        overdue=counts["overdue"],
        due_today=counts["due_today"],
        show=show,
        truncated=len(listed) > INBOX_LIMIT,
    )
