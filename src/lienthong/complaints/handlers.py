"""Outbox consumers of the complaints app (see `complaints.notify`).

Consumer names are stored with each handled event id (`ProcessedEvent`): never rename them.
"""

from __future__ import annotations

from lienthong.complaints import events, notify
from lienthong.exchange.registry import CloudEvent, handler


@handler(events.FILER_EVENTS, consumer="complaints.notify_filer")
def notify_filer(event: CloudEvent) -> None:
    """Email the filer what happened to their case."""
    notify.send_for_event(event)


@handler(events.ALERT_EVENTS, consumer="complaints.alert_officials")
def alert_officials(event: CloudEvent) -> None:
    """Email the verifier (or the agency's leaders) that a case is late or close to it."""
    notify.send_for_event(event)
