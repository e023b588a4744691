"""Outgoing documents in the documents search (`lienthong.documents.searching`).

A document enters the search once it has a number (an official document of the register);
drafts stay out. Called by the services in their transaction, and by `lienthong outgoing
reindex`.
"""

from __future__ import annotations

from django.utils import timezone

from lienthong.documents import searching
from lienthong.documents.models import Direction
from lienthong.documents.outgoing.models import OutgoingDocument


def index(document: OutgoingDocument) -> None:
    """Add or update the search row of a numbered outgoing document."""
    if document.number is None:
        return
    day = document.issued_date or timezone.localdate(document.numbered_at or timezone.now())
    body = "\n".join(
        part
        for part in (
            document.content,
            document.signer_name,
            document.recipients_text,
            " ".join(document.recipients.values_list("name", flat=True)),
        )
        if part
    )
    searching.index_document(
        document.pk,
        direction=Direction.OUTGOING,
        subject=document.subject,
        agency=document.agency,
        date=day,
        units=[document.drafting_unit],
        secrecy=document.secrecy,
        urgency=document.urgency,
        year=document.year,
        document_type=document.document_type,
        number_notation=document.number_notation,
        issuer=document.agency.name,
        url=document.get_absolute_url(),
        body=body,
    )


def reindex_all() -> int:
    """Index every numbered outgoing document again; the count done."""
    done = 0
    documents = OutgoingDocument.objects.in_register().select_related(
        "agency", "drafting_unit", "document_type"
    )
    for document in documents.iterator(chunk_size=500):
        index(document)
        done += 1
    return done
