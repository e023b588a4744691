"""Outbox consumers of the one-stop shop: telling the applicant (see `onestop.notify`).

Consumer names are stored with each handled event id (`ProcessedEvent`): never rename them.
"""

from __future__ import annotations

from lienthong.exchange.registry import CloudEvent, handler
from lienthong.onestop import notify


@handler(notify.NOTIFY_EVENTS, consumer="onestop.notify_applicant")
def notify_applicant(event: CloudEvent) -> None:
    """Queue the email and SMS that a dossier event calls for."""
    notify.queue_for_event(event)


@handler(notify.DELIVERY_EVENT, consumer="onestop.deliver_notification")
def deliver_notification(event: CloudEvent) -> None:
    """Send one queued notification (a failure is recorded and retried later)."""
    notify.deliver(int(event.data["notification"]))
