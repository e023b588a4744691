"""The documents search index: one `DocumentIndex` row per incoming or outgoing document.

The incoming and outgoing modules call `index_document(...)` from their service functions,
in the same transaction as the write (registration, assignment, numbering…), and
`remove_document(...)` before deleting. The row holds what the search page filters on
(direction, agency, year, date, type, issuer, urgency, secrecy, the assigned units that
`visibility` uses) and its text goes to the search kernel (`lienthong.search`), so the
words are matched with the same folding and query language as everywhere else.

In the kernel, a non-secret document is scoped to its agency (the platform's search page
shows it to the agency's officials); a secret one is scoped under `/0/`, a path no org unit
has, so only the documents search — which applies the documents visibility rule — and
superusers find it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from lienthong.core.models import OrgUnit
from lienthong.core.text import fold
from lienthong.documents.models import Direction, DocumentIndex, DocumentType, Secrecy, Urgency
from lienthong.search import services as search

#: Kernel scope prefix of secret documents (no org unit has id 0).
SECRET_SCOPE_PREFIX = "/0"


def kernel_scope(agency: OrgUnit, secrecy: int) -> str:
    """The search-kernel scope of a document of `agency` with that secrecy."""
    if secrecy != Secrecy.NORMAL:
        return SECRET_SCOPE_PREFIX + agency.path
    return agency.path


def index_document(
    obj_id: int,
    *,
    direction: str,
    subject: str,
    agency: OrgUnit,
    date: date,
    units: Iterable[OrgUnit] = (),
    secrecy: int = Secrecy.NORMAL,
    urgency: int = Urgency.NORMAL,
    year: int | None = None,
    document_type: DocumentType | None = None,
    number_notation: str = "",
    issuer: str = "",
    url: str = "",
    body: str = "",
) -> DocumentIndex:
    """Add or update the index row of document `obj_id` of `direction` (idempotent).

    `subject` is the summary (trích yếu); the kernel entry's title is "number/notation —
    subject", its body the issuer and `body` (more searchable text: content, file names…).
    `units` replaces the assigned units (see `visibility`). `date` is the register date (the
    arrival date of an incoming document, the issue date of an outgoing one); `year` — the
    register year — defaults to `date.year`. `url` is the document's page.
    """
    if direction not in Direction.values:
        raise ValueError(f"Unknown direction {direction!r}.")
    with transaction.atomic():
        row, _created = DocumentIndex.objects.update_or_create(
            direction=direction,
            object_id=obj_id,
            defaults={
                "agency": agency,
                "year": year if year is not None else date.year,
                "date": date,
                "document_type": document_type,
                "number_notation": number_notation[:100],
                "issuer": issuer[:255],
                "issuer_folded": fold(issuer)[:255],
                "subject": subject,
                "urgency": int(urgency),
                "secrecy": int(secrecy),
                "url": url,
            },
        )
        row.access_units.set(list(units))
        title = f"{number_notation} — {subject}" if number_notation else subject
        searchable = "\n".join(part for part in (issuer, body) if part)
        entry = search.index(
            row, title=title, body=searchable, url=url, scope=kernel_scope(agency, secrecy)
        )
        if row.entry_id != entry.pk:
            row.entry = entry
        row.save()
    return row


def remove_document(obj_id: int, *, direction: str) -> bool:
    """Drop the index row (and kernel entry) of a document; False when it had none."""
    with transaction.atomic():
        row = DocumentIndex.objects.filter(direction=direction, object_id=obj_id).first()
        if row is None:
            return False
        search.remove(row)
        row.delete()
    return True
