"""The documents search index: one `DocumentIndex` row per incoming or outgoing document.

The incoming and outgoing modules call `index_document(...)` from their service functions,
in the same transaction as the write (registration, assignment, numbering…), and
`remove_document(...)` before deleting. The row holds what the search page filters on
(direction, agency, year, date, type, issuer, urgency, secrecy, the assigned units that
`visibility` uses) and its text goes to the search kernel (`lienthong.search`), so the
words are matched with the same folding and query language as everywhere else.

The entry carries facets (`document_facets`): its year, direction, type, urgency, agency and
assigned units as tokens, so the search narrows the full-text matches to the filters and to
what the user may see in the same index lookup (a common word matches a fifth of a million
documents; a division sees a tenth of them). They only narrow: the search still applies
every filter and the visibility rule to the DocumentIndex rows.

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
from lienthong.documents.visibility import Reach
from lienthong.search import services as search

#: Kernel scope prefix of secret documents (no org unit has id 0).
SECRET_SCOPE_PREFIX = "/0"


def kernel_scope(agency: OrgUnit, secrecy: int) -> str:
    """The search-kernel scope of a document of `agency` with that secrecy."""
    if secrecy != Secrecy.NORMAL:
        return SECRET_SCOPE_PREFIX + agency.path
    return agency.path


def document_facets(
    *,
    year: int,
    agency_id: int,
    urgency: int,
    type_id: int | None,
    unit_ids: Iterable[int],
) -> list[str]:
    """The kernel facets of a document (see `query_facets` for the other side)."""
    facets = [
        f"zdy{int(year)}",
        f"zdu{int(urgency)}",
        f"zdg{int(agency_id)}",
        *(f"zda{int(unit)}" for unit in unit_ids),
    ]
    if type_id is not None:
        facets.append(f"zdt{int(type_id)}")
    return facets


def query_facets(
    *,
    reach: Reach | None,
    year: int | None = None,
    type_id: int | None = None,
    urgency: int | None = None,
    agency: int | None = None,
) -> list[list[str]]:
    """Facet groups narrowing a search to these filters and to `reach` (None: everything).

    Only selective ones: a group whose facets most documents carry (a direction, normal
    urgency, the agencies a clerk or a leader sees in full) would make the full-text index
    merge long lists for nothing; the rows' own filters apply anyway.
    """
    groups: list[list[str]] = []
    if year:
        groups.append([f"zdy{int(year)}"])
    if type_id is not None:
        groups.append([f"zdt{int(type_id)}"])
    if urgency:  # most documents are of normal urgency (0)
        groups.append([f"zdu{int(urgency)}"])
    if agency:
        groups.append([f"zdg{int(agency)}"])
    if reach is not None and not (reach.office or reach.staff):
        # Someone who sees only what is assigned to their units (a division's officials).
        groups.append([f"zda{pk}" for pk in reach.member_of])
    return groups


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
        units = list(units)
        row.access_units.set(units)
        title = f"{number_notation} — {subject}" if number_notation else subject
        searchable = "\n".join(part for part in (issuer, body) if part)
        facets = document_facets(
            year=row.year,
            agency_id=agency.pk,
            urgency=int(urgency),
            type_id=document_type.pk if document_type else None,
            unit_ids=[unit.pk for unit in units],
        )
        entry = search.index(
            row,
            title=title,
            body=searchable,
            url=url,
            scope=kernel_scope(agency, secrecy),
            facets=facets,
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
