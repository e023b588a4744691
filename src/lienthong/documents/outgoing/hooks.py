"""What the outgoing documents install at start-up: the edXML status listener (replies about
documents we sent) and the edXML document source `outgoing` (`lienthong edxml build`)."""

from __future__ import annotations

import logging

logger = logging.getLogger("lienthong.documents.outgoing")


def install() -> None:
    """Register with the exchange layer (idempotent; skipped if it lacks the hooks)."""
    from lienthong.documents.outgoing import services
    from lienthong.exchange.adapters import edxml_services

    register_listener = getattr(edxml_services, "register_status_listener", None)
    register_source = getattr(edxml_services, "register_document_source", None)
    if register_listener is None or register_source is None:
        logger.warning("edXML hooks are missing: outgoing documents will not track replies")
        return
    register_listener(services.on_status)
    register_source("outgoing", services.document_source)
