"""Hooks the documents app installs at start-up: edXML local delivery of incoming documents.

`lienthong.exchange.adapters.edxml_services` sits below this app and offers registries; an
envelope that arrives for one of this deployment's agencies (`OrgUnit.code` is the edXML
OrganId) becomes an ARRIVED incoming document of that agency, waiting for its clerk.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("lienthong.documents")


def on_envelope(envelope: Any, package: Any, agency_organ_id: str) -> None:
    """edXML receiver: keep the arrived document for the agency's clerk."""
    from lienthong.core.models import OrgUnit
    from lienthong.documents.services import receive_envelope

    agency = OrgUnit.objects.filter(code=agency_organ_id, is_agency=True).first()
    if agency is None:
        logger.warning("edXML envelope for %s: no agency with that code", agency_organ_id)
        return
    receive_envelope(envelope, agency, package)


def install() -> None:
    """Register the documents app with the layers below it (idempotent)."""
    from lienthong.exchange.adapters import edxml_services

    register = getattr(edxml_services, "register_receiver", None)
    if register is not None:
        register(on_envelope)
