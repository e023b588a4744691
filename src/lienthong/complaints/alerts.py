"""Overdue and at-risk alerts (cảnh báo quá hạn, sắp đến hạn), at most one per case, kind and day.

The inbox shows the markers on its own (the intake task and the case's task carry their due
moments, `workflow.selectors`). `scan` adds the email: for each open case it finds the deadline
that runs now — the acceptance limit before acceptance, the resolution limit after — and, when
the case is past it or within `AT_RISK_WORKING_DAYS` working days of it (or the engine says the
case is at risk), writes an `Alert` row and publishes `complaint.overdue` / `complaint.at_risk`;
the worker then emails the officials (`notify`). `lienthong complaints alerts` runs it (cron,
e.g. every morning).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from lienthong.complaints import events
from lienthong.complaints.models import OPEN_STATUSES, Alert, Complaint, Status
from lienthong.complaints.rules import end_of_office_day
from lienthong.complaints.services import event_data
from lienthong.core import calendar
from lienthong.exchange.outbox import publish
from lienthong.workflow import engine

#: A case with this many working days or fewer left is at risk.
AT_RISK_WORKING_DAYS = 2


@dataclass(frozen=True)
class Found:
    """What `scan` did: the alerts it wrote, by kind."""

    overdue: list[str]
    at_risk: list[str]


def risk_of(complaint: Complaint, now: datetime.datetime) -> str | None:
    """Alert.Kind for the case now, or None when it is on time."""
    received = complaint.status == Status.RECEIVED
    due = complaint.accept_due_date if received else complaint.due_date
    if due is None:
        return None
    if end_of_office_day(due) < now:
        return Alert.Kind.OVERDUE
    if calendar.working_days_between(now, due) <= AT_RISK_WORKING_DAYS:
        return Alert.Kind.AT_RISK
    if complaint.case is not None and engine.risk_of(complaint.case, now) == engine.Risk.AT_RISK:
        return Alert.Kind.AT_RISK
    return None


def scan(now: datetime.datetime | None = None) -> Found:
    """Write today's alerts and publish their events (each case, kind and day once)."""
    now = now or timezone.now()
    today = calendar.local_date(now)
    found = Found([], [])
    cases = Complaint.objects.filter(status__in=OPEN_STATUSES).select_related("agency", "case")
    for complaint in cases.iterator():
        kind = risk_of(complaint, now)
        if kind is None:
            continue
        try:
            with transaction.atomic():
                Alert.objects.create(complaint=complaint, kind=kind, day=today, created_at=now)
                publish(
                    events.OVERDUE if kind == Alert.Kind.OVERDUE else events.AT_RISK,
                    subject=complaint.code,
                    data={**event_data(complaint), "day": today},
                )
        except IntegrityError:
            continue  # already alerted today
        (found.overdue if kind == Alert.Kind.OVERDUE else found.at_risk).append(complaint.code)
    return found
