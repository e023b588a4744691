"""Outbox consumers of the adapters: the national portal's synchronisation (see `portal`).

Consumer names are stored with each handled event id (`ProcessedEvent`): never rename them.
"""

from __future__ import annotations

from lienthong.exchange.adapters import edxml_services, portal
from lienthong.exchange.registry import CloudEvent, handler


@handler("dossier.status_changed", consumer="exchange_adapters.portal_enqueue")
def queue_portal_update(event: CloudEvent) -> None:
    """Queue the dossier's new status for the national portal (when the portal is set up)."""
    portal.enqueue(event)


@handler(portal.SYNC_EVENT, consumer="exchange_adapters.portal_push")
def push_portal_updates(event: CloudEvent) -> None:
    """Send the dossier's pending updates to the portal; a failure schedules a retry."""
    portal.push_pending(
        str(event.data.get("dossier") or event.subject), retry=bool(event.data.get("retry"))
    )


@handler(edxml_services.SEND_EVENT, consumer="exchange_adapters.edxml_deliver")
def deliver_edxml_package(event: CloudEvent) -> None:
    """Send a queued edXML package to its peer after commit; the next attempt is scheduled
    first, so a failure (or a crash) is retried after the backoff."""
    edxml_services.schedule_delivery(int(event.data["package"]))
