"""Overdue alerts for data-subject requests (cảnh báo quá hạn), at most one per request and day.

`scan` finds the open requests past their acknowledgement date (2 working days) or their
response deadline, writes a `RequestAlert` row and publishes `privacy.request.overdue`; the
worker then emails the data-protection unit (`notify`). `lienthong privacy alerts` runs it
(cron, every morning).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from lienthong.core import calendar
from lienthong.exchange.outbox import publish
from lienthong.privacy import events
from lienthong.privacy.models import DataSubjectRequest, RequestAlert
from lienthong.privacy.services import request_data


def scan(now: datetime.datetime | None = None) -> list[int]:
    """Write today's alerts and publish their events; the ids of the requests alerted."""
    now = now or timezone.now()
    today = calendar.local_date(now)
    alerted: list[int] = []
    for request in DataSubjectRequest.objects.overdue(now).order_by("pk").iterator():
        try:
            with transaction.atomic():
                RequestAlert.objects.create(request=request, day=today, created_at=now)
                publish(
                    events.REQUEST_OVERDUE,
                    subject=str(request.pk),
                    data={**request_data(request), "day": today},
                )
        except IntegrityError:
            continue  # already alerted today
        alerted.append(request.pk)
    return alerted
