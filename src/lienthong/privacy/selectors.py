"""Reads of the privacy app shared by the pages and the API."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from lienthong.core import calendar
from lienthong.privacy import services
from lienthong.privacy.models import DataSubjectRequest, SensitiveAccess


def request_queue(user: Any, *, status: str = "", overdue: bool = False) -> QuerySet[Any]:
    """Requests the user may see, optionally one status or the overdue ones only."""
    rows = DataSubjectRequest.objects.visible_to(user).select_related("subject")
    if status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.overdue(timezone.now())
    return rows


def access_log(
    user: Any,
    *,
    actor: str = "",
    record: str = "",
    personal_id: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[SensitiveAccess]:
    """The access log for the data-protection unit, filtered."""
    rows: QuerySet[SensitiveAccess] = services.access_log_for(user)
    if actor:
        rows = rows.filter(actor__username=actor)
    if record:
        rows = rows.filter(record=record)
    if personal_id:
        rows = rows.filter(subject_personal_id=personal_id)
    if since:
        rows = rows.filter(
            at__gte=datetime.datetime.combine(since, datetime.time(), tzinfo=calendar.VN_TZ)
        )
    if until:
        end = until + datetime.timedelta(days=1)
        rows = rows.filter(
            at__lt=datetime.datetime.combine(end, datetime.time(), tzinfo=calendar.VN_TZ)
        )
    return rows
