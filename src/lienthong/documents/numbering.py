"""Register numbers and number/notation (Decree 30/2020/NĐ-CP, Art. 15 and Appendix I, III).

`next_number(agency, series, year)` hands out the next number of an agency's yearly series
(incoming arrival numbers, outgoing numbers, legal normative and secret documents have their
own series; each restarts at 1 on 1 January). It is one atomic upsert:

    INSERT ... VALUES (agency, series, year, 1)
    ON CONFLICT (agency, series, year) DO UPDATE SET last_number = last_number + 1
    RETURNING last_number

The row stays locked (PostgreSQL row lock; SQLite's write lock, taken at BEGIN since the
project opens SQLite transactions IMMEDIATE) until the caller's transaction ends, so two
clerks never get the same number, and a transaction that rolls back gives its number back:
no duplicate and no gap. It must therefore run inside the caller's transaction, the one that
saves the document with the number.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

from lienthong.core.models import OrgUnit
from lienthong.documents.models import DocumentType, NumberSeries

SERIES = frozenset(NumberSeries.Series.values)


def next_number(
    agency: OrgUnit | int, series: str, year: int, *, using: str = DEFAULT_DB_ALIAS
) -> int:
    """The next number of the agency's `series` for `year` (1 for the first of the year).

    Call it inside `transaction.atomic()` (raises RuntimeError otherwise): the number is
    only given for good when that transaction commits.
    """
    if series not in SERIES:
        raise ValueError(f"Unknown number series {series!r}; one of {sorted(SERIES)}.")
    if not 1900 <= year <= 9999:
        raise ValueError(f"Year {year} is out of range.")
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("next_number() must run inside the caller's transaction.")
    agency_id = agency.pk if isinstance(agency, OrgUnit) else int(agency)
    table = connection.ops.quote_name(NumberSeries._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (agency_id, series, year, last_number)
            VALUES (%s, %s, %s, 1)
            ON CONFLICT (agency_id, series, year)
            DO UPDATE SET last_number = {table}.last_number + 1
            RETURNING last_number
            """,
            [agency_id, series, year],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def current_number(agency: OrgUnit | int, series: str, year: int) -> int:
    """The last number given so far (0 when none): for display, never to number a document."""
    agency_id = agency.pk if isinstance(agency, OrgUnit) else int(agency)
    last = (
        NumberSeries.objects.filter(agency_id=agency_id, series=series, year=year)
        .values_list("last_number", flat=True)
        .first()
    )
    return int(last or 0)


def format_number(number: int) -> str:
    """A register number as written on a document: numbers below 10 take a leading zero."""
    if number < 1:
        raise ValueError("Document numbers start at 1.")
    return f"{number:02d}"


def format_notation(
    number: int,
    document_type: DocumentType | None,
    issuer_abbrev: str,
    unit_abbrev: str = "",
) -> str:
    """Số, ký hiệu: "123/QĐ-UBND" for a named type; "123/UBND-VP" for a công văn.

    A type with a code (Appendix III) gives number/TYPE-ISSUER; a công văn (`has_code`
    False, or no type) gives number/ISSUER-UNIT, the unit being the drafting unit (left out
    when empty).
    """
    issuer = issuer_abbrev.strip()
    if not issuer:
        raise ValueError("The issuing body's abbreviation is required.")
    prefix = format_number(number)
    if document_type is not None and document_type.has_code:
        return f"{prefix}/{document_type.code}-{issuer}"
    unit = unit_abbrev.strip()
    return f"{prefix}/{issuer}-{unit}" if unit else f"{prefix}/{issuer}"
