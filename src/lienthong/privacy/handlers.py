"""Outbox consumers of the privacy app. Consumer names are stored: never rename them."""

from __future__ import annotations

from lienthong.exchange.registry import CloudEvent, handler
from lienthong.privacy import events, notify


@handler((events.REQUEST_OVERDUE,), consumer="privacy.alert_officials")
def alert_officials(event: CloudEvent) -> None:
    """Email the data-protection unit that a request is past its deadline."""
    notify.send_overdue(event)
