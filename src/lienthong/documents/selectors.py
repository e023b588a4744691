"""Reads of the documents module: lists, the incoming register, and the documents search."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_real_user
from lienthong.core.text import fold
from lienthong.documents import registers
from lienthong.documents.models import (
    Direction,
    DocumentIndex,
    DocumentType,
    IncomingDocument,
    Secrecy,
    Urgency,
)
from lienthong.documents.searching import query_facets
from lienthong.documents.visibility import (
    OFFICE_ROLES,
    Reach,
    agencies_of,
    reach_of,
    visibility_condition,
)

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: Largest page of search results.
MAX_LIMIT = 100
#: Past this many matches the search says "more than" instead of counting them all.
COUNT_CAP = 1000
#: Words matching more kernel entries than this are tested row by row along the date index
#: (newest first, stopping after the page) instead of being collected and sorted.
PLAN_PROBE = 2000
#: On SQLite, words matching at most this many entries (but more than PLAN_PROBE) have their
#: rows sorted rather than walked: FTS5 tests one row in 0.2-1 ms, and a 1-in-250 match
#: (`chuyen doi so`) walked 5,000 rows for a page.
SORT_PROBE = 20000


def incoming_for(user: Any, pk: int) -> IncomingDocument:
    """One incoming document the user sees, else 404 (the same for "not yours")."""
    found = (
        IncomingDocument.objects.visible_to(user)
        .select_related("agency", "document_type", "lead_unit", "package")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    return found


def incoming_list(
    user: Any,
    *,
    year: int | None = None,
    status: str = "",
    overdue: bool = False,
    agency: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    type_code: str = "",
) -> models.QuerySet[IncomingDocument]:
    """Incoming documents the user sees, newest arrival first."""
    documents = IncomingDocument.objects.visible_to(user).select_related(
        "agency", "document_type", "lead_unit"
    )
    if year:
        documents = documents.filter(
            Q(arrival_year=year) | Q(arrival_year__isnull=True, arrived_at__year=year)
        )
    if status:
        documents = documents.filter(status=status)
    if overdue:
        documents = documents.filter(
            status=IncomingDocument.Status.ASSIGNED, deadline__lt=timezone.now()
        )
    if agency:
        documents = documents.filter(agency_id=agency)
    if date_from:
        documents = documents.filter(registered_at__date__gte=date_from)
    if date_to:
        documents = documents.filter(registered_at__date__lte=date_to)
    if type_code:
        documents = documents.filter(document_type__code=type_code)
    return documents.order_by("-arrived_at", "-pk")


def agencies_for_register(user: Any) -> models.QuerySet[OrgUnit]:
    """Agencies whose registers the user may print: their clerks and leaders."""
    return agencies_of(user, OFFICE_ROLES)


INCOMING_COLUMNS = (
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)


def incoming_register_rows(
    agency: OrgUnit,
    year: int,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    type_code: str = "",
) -> list[list[Any]]:
    """The incoming register (Decree 30/2020, Appendix IV), ten columns, by arrival number."""
    documents = (
        IncomingDocument.objects.registered()
        .filter(agency=agency, arrival_year=year)
        .select_related("document_type", "lead_unit")
        .order_by("arrival_number")
    )
    if date_from:
        documents = documents.filter(registered_at__date__gte=date_from)
    if date_to:
        documents = documents.filter(registered_at__date__lte=date_to)
    if type_code:
        documents = documents.filter(document_type__code=type_code)
    rows = []
    for d in documents:
        notes = []
        if d.urgency != Urgency.NORMAL:
            notes.append(str(d.get_urgency_display()))
        if d.secrecy != Secrecy.NORMAL:
            notes.append(str(d.get_secrecy_display()))
        if d.notes:
            notes.append(d.notes)
        recipient = d.lead_unit.name if d.lead_unit else d.recipient
        rows.append(
            [
                timezone.localtime(d.arrived_at).date(),
                d.arrival_number,
                d.issuer,
                d.number_notation,
                d.issued_date,
                f"{d.document_type.name}: {d.subject}",
                recipient,
                timezone.localtime(d.assigned_at).date() if d.assigned_at else None,
                "",
                "; ".join(notes),
            ]
        )
    return rows


def incoming_register_file(
    user: Any,
    agency: OrgUnit,
    year: int,
    fmt: str,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    type_code: str = "",
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of the register as XLSX or PDF."""
    rows = incoming_register_rows(
        agency, year, date_from=date_from, date_to=date_to, type_code=type_code
    )
    title = _("Sổ đăng ký văn bản đến năm %(year)s") % {"year": year}
    columns = [_(c) for c in INCOMING_COLUMNS]
    subtitle = agency.name
    name = f"so-van-ban-den-{agency.code or agency.pk}-{year}.{fmt}"
    if fmt == "pdf":
        return (
            registers.register_pdf(title, columns, rows, agency_name=agency.name),
            "application/pdf",
            name,
        )
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return registers.register_xlsx(title, columns, rows, subtitle=subtitle), xlsx, name


# --- Search ------------------------------------------------------------------------------------


@dataclass
class SearchResult:
    """A page of documents found, newest first, and how many there are."""

    total: int
    items: list[DocumentIndex] = field(default_factory=list)
    limit: int = 20
    offset: int = 0
    #: True when there are more than `total` (= COUNT_CAP) matches.
    more: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.total,
            "more": self.more,
            "limit": self.limit,
            "offset": self.offset,
            "items": [
                {
                    "direction": row.direction,
                    "id": row.object_id,
                    "agency": row.agency_id,
                    "year": row.year,
                    "date": row.date,
                    "type": row.document_type.code if row.document_type else "",
                    "number_notation": row.number_notation,
                    "issuer": row.issuer,
                    "subject": row.subject,
                    "urgency": row.urgency,
                    "secrecy": row.secrecy,
                    "url": row.url,
                }
                for row in self.items
            ],
        }


def _parsed_words(q: str) -> Any:
    """The kernel's parse of `q` (ValidationError on the "q" field when it is malformed)."""
    from lienthong.search import services as search

    try:
        return search.check_query(q)
    except ValidationError as exc:
        raise ValidationError({"q": exc.messages}) from None


def _few_matches(sql: str, params: list[Any]) -> list[int] | None:
    """The entry ids of the kernel match `sql` when at most PLAN_PROBE, else None.

    Reads PLAN_PROBE + 1 ids at most. The page and the count then look the rows up by these
    ids instead of running the full-text match twice more (three common words cost 30-100 ms
    per run at 1M entries on SQLite).
    """
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {PLAN_PROBE + 1}", params)
        ids = [int(entry_id) for (entry_id,) in cursor.fetchall()]
    return ids if len(ids) <= PLAN_PROBE else None


def _at_most(sql: str, params: list[Any], cap: int) -> bool:
    """Whether the kernel match `sql` has at most `cap` entries (reads cap + 1 at most)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT {int(cap) + 1}) AS probe", params)
        (count,) = cursor.fetchone()
    return int(count) <= cap


def _rows_from_matches(
    sql: str,
    params: list[Any],
    rows: models.QuerySet[DocumentIndex],
    *,
    newest_first: bool = False,
    first: int | None = None,
) -> list[int]:
    """Ids of `rows` pointing to an entry of the kernel match `sql`, at most COUNT_CAP + 1.

    Driven from the full-text side (matches in entry-id order, each joined to its row by
    `entry_id` and tested against the filters), so it stops after COUNT_CAP + 1 rows found
    instead of collecting every match. `newest_first`: every row (for a short `sql`: a list
    of ids), sorted newest first, or only the `first` of them.
    """
    table = connection.ops.quote_name(DocumentIndex._meta.db_table)
    order = ("-date", "-id") if newest_first else ()
    inner = rows.order_by(*order).extra(where=[f"{table}.entry_id = matched.id"]).values("pk")
    rows_sql, rows_params = inner.query.sql_with_params()
    head = f"FROM {table}"
    assert head in rows_sql
    join = "CROSS JOIN" if connection.vendor == "sqlite" else ","
    rows_sql = rows_sql.replace(head, f"FROM ({sql}) AS matched {join} {table}", 1)
    with connection.cursor() as cursor:
        if newest_first:
            limit = "" if first is None else f" LIMIT {int(first)}"
        else:
            limit = f" LIMIT {COUNT_CAP + 1}"
        cursor.execute(f"{rows_sql}{limit}", [*params, *rows_params])
        return [int(pk) for (pk,) in cursor.fetchall()]


def _issuers_containing(needle: str) -> list[str]:
    """The distinct folded issuer names that contain `needle`, in order.

    A loose scan of the (issuer_folded, date, id) index: one index seek per distinct name
    (a recursive `min(…) WHERE issuer_folded > previous`), not a read of every row; issuers
    are a few hundred or thousand names for a million documents.
    """
    table = connection.ops.quote_name(DocumentIndex._meta.db_table)
    sql = f"""
        WITH RECURSIVE issuers(name) AS (
            SELECT min(issuer_folded) FROM {table}
            UNION ALL
            SELECT (SELECT min(issuer_folded) FROM {table} WHERE issuer_folded > issuers.name)
            FROM issuers WHERE issuers.name IS NOT NULL
        )
        SELECT name FROM issuers WHERE name IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [name for (name,) in cursor.fetchall() if needle in name]


def _reach(user: Any) -> Reach | None:
    """The user's `visibility.reach_of`; None for a superuser (every row) or nobody."""
    if not is_real_user(user) or user.is_superuser:
        return None
    return reach_of(user)


def _visible_rows(user: Any, reach: Reach | None) -> models.QuerySet[DocumentIndex]:
    """DocumentIndex rows `user` sees, shaped for "newest first, 20 at a time".

    `reach`: `_reach(user)`.
    """
    rows = DocumentIndex.objects.all()
    if not is_real_user(user):
        return rows.none()
    if reach is None:
        return rows
    if connection.vendor == "sqlite":
        # `agency_id + 0` is no index column: SQLite then walks documents_index_date in
        # order and stops after a page, instead of reading all of an agency's rows to sort.
        rows = rows.alias(agency_plain=F("agency_id") + 0)
        return rows.filter(
            visibility_condition(
                DocumentIndex,
                user,
                agency_column="agency_plain",
                assigned_exists=True,
                reach=reach,
            )
        )
    return rows.filter(visibility_condition(DocumentIndex, user, assigned_exists=True, reach=reach))


def _without_jit(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `func` in one transaction with PostgreSQL's JIT compiler off.

    The row-by-row plan is priced as if it read the whole date index (the planner cannot know
    it stops after a page), which crosses the JIT thresholds: compiling cost 0.5 s for a query
    that runs in 1 ms.
    """

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if connection.vendor != "postgresql":
            # No transaction on SQLite: it would begin IMMEDIATE (settings) and take the
            # write lock for a read, queueing every search behind any writer.
            return func(*args, **kwargs)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
            return func(*args, **kwargs)

    return wrapper


@_without_jit
def search_documents(
    user: Any,
    *,
    q: str = "",
    direction: str = "",
    year: int | None = None,
    type_code: str = "",
    issuer: str = "",
    urgency: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    agency: int | None = None,
    limit: int = 20,
    offset: int = 0,
    with_total: bool = True,
) -> SearchResult:
    """Incoming and outgoing documents matching the words and filters that `user` sees.

    Words use the search kernel (folded Vietnamese, phrases, prefixes); results are sorted
    by date, newest first. Raises ValidationError for a bad filter or query.
    """
    errors: dict[str, str] = {}
    if direction and direction not in Direction.values:
        errors["direction"] = _("Chiều văn bản là incoming hoặc outgoing.")
    if urgency is not None and urgency not in Urgency.values:
        errors["urgency"] = _("Độ khẩn không hợp lệ.")
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = _("Đến ngày phải sau từ ngày.")
    if errors:
        raise ValidationError(errors)
    words = q.strip()
    if words and issuer.strip() and not words.count('"') % 2:
        # With words, the issuer is in the indexed text too: its words narrow the candidates
        # through the full-text index before the exact (folded) test on the issuer column.
        # Without words the issuer's own index (issuer_folded, date, id) serves it instead.
        words = f"{words} {issuer.strip()}".strip()
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    reach = _reach(user)
    rows = _visible_rows(user, reach)
    type_id: int | None = None
    if direction:
        rows = rows.filter(direction=direction)
    if year:
        rows = rows.filter(year=year)
    if type_code:
        # The type's id, not a join: the (document_type, year, date, id) index then reads a
        # type (and year) newest first.
        type_id = DocumentType.objects.filter(code=type_code).values_list("pk", flat=True).first()
        if type_id is None:
            return SearchResult(total=0, limit=limit, offset=offset)
        rows = rows.filter(document_type_id=type_id)
    if fold(issuer):
        # "Contains" on the folded issuer, as the set of issuer names containing it: an
        # equality (or IN) reaches the (issuer_folded, date, id) index, a LIKE '%…%' cannot.
        issuers = _issuers_containing(fold(issuer))
        if not issuers:
            return SearchResult(total=0, limit=limit, offset=offset)
        if len(issuers) == 1:
            rows = rows.filter(issuer_folded=issuers[0])
        else:
            rows = rows.filter(issuer_folded__in=issuers)
    if urgency is not None:
        rows = rows.filter(urgency=urgency)
    if date_from:
        rows = rows.filter(date__gte=date_from)
    if date_to:
        rows = rows.filter(date__lte=date_to)
    if agency:
        rows = rows.filter(agency_id=agency)
    counted: int | None = None
    ordered: list[int] | None = None
    if words:
        from lienthong.search import services as search

        parsed = _parsed_words(words)
        # Every scope: the documents visibility rule is applied to the DocumentIndex rows.
        # The filters and the user's reach as facets: the full-text index narrows the
        # matches to them in the same lookup (searching.py); the rows are still filtered.
        facets = query_facets(
            reach=reach,
            year=year,
            type_id=type_id,
            urgency=urgency,
            agency=agency,
        )
        match = search.matching_ids_sql(parsed, scope_paths=search.ALL_SCOPES, facets=facets)
        if match is None:
            return SearchResult(total=0, limit=limit, offset=offset)
        sql, params = match
        few = _few_matches(sql, params)
        if few is not None:
            if not few:
                return SearchResult(total=0, limit=limit, offset=offset)
            if connection.vendor == "postgresql":
                # The ids as a derived table joined to the rows by entry_id: with
                # `entry_id = ANY(%s)` PostgreSQL cannot see the array's length (a bound
                # parameter), deems it common and walks the date index testing each row
                # against the whole array (6 s at 200,000 documents).
                ordered = _rows_from_matches(
                    "SELECT unnest(%s::bigint[]) AS id", [few], rows, newest_first=True
                )
            else:
                # One pass over these rows (at most PLAN_PROBE) gives both the order and the
                # count: the page is then fetched by id, not found again by a second pass.
                ordered = list(
                    rows.filter(entry_id__in=few)
                    .order_by("-date", "-id")
                    .values_list("pk", flat=True)
                )
            counted = len(ordered)
        else:
            # Many matches (common words, a big issuer): walk the rows newest first through
            # the date index and test each one's entry, stopping after the page; collecting
            # the 100,000s of matches first and sorting them costs 0.5-1.5 s at 1M documents.
            # No facets in the row-by-row test: the rows walked are filtered already, and
            # FTS5 would seek the long doclists of the facets for every row.
            test = search.matches_row_sql(
                parsed, '"documents_documentindex"."entry_id"', scope_paths=search.ALL_SCOPES
            )
            assert test is not None
            found = _rows_from_matches(sql, params, rows)
            if len(found) <= COUNT_CAP:
                # Few rows pass the other filters (a rare type, urgency…): walking the date
                # index would read most of it; take them by id and sort these.
                rows = DocumentIndex.objects.filter(pk__in=found)
            elif connection.vendor == "sqlite" and _at_most(sql, params, SORT_PROBE):
                # Not so many matches: join them all to their rows and keep the newest
                # (offset + limit), instead of testing rows one by one along the date index.
                ordered = _rows_from_matches(
                    sql, params, rows, newest_first=True, first=offset + limit
                )
            else:
                matched = RawSQL(test[0], test[1], output_field=BooleanField())
                rows = rows.alias(matched=matched).filter(matched=True)
            counted = len(found)
    return _page(rows, counted, ordered, limit=limit, offset=offset, with_total=with_total)


def _page(
    rows: models.QuerySet[DocumentIndex],
    counted: int | None,
    ordered: list[int] | None,
    *,
    limit: int,
    offset: int,
    with_total: bool,
) -> SearchResult:
    """The page of `rows` newest first, and their count (capped; `counted` when known).

    `ordered`: the ids of every row newest first (or of the first offset + limit), when
    known: the page is taken from it.
    """
    if ordered is not None:
        wanted = ordered[offset : offset + limit]
        found = DocumentIndex.objects.select_related("document_type").in_bulk(wanted)
        page = [found[pk] for pk in wanted if pk in found]  # (unless deleted meanwhile)
    else:
        page = list(
            rows.select_related("document_type").order_by("-date", "-id")[offset : offset + limit]
        )
    more = False
    if with_total:
        total = rows.order_by()[: COUNT_CAP + 1].count() if counted is None else counted
        if total > COUNT_CAP:
            total, more = COUNT_CAP, True
    else:
        total = len(page)
    return SearchResult(total=total, items=page, limit=limit, offset=offset, more=more)


def document_types_in_use() -> Sequence[str]:
    """Codes of the active document types (for filters)."""
    return list(DocumentType.objects.filter(is_active=True).values_list("code", flat=True))
