"""Reads of the legal registry: search with filters, one page at a time, with snippets.

The page, the API and `lienthong legal search` all come here, so a query finds the same
documents in the same order everywhere. Soft-deleted documents are never returned.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from lienthong.registries.legal import fulltext
from lienthong.registries.legal.models import LegalDocument, LegalText, SearchRow
from lienthong.search import highlight
from lienthong.search.query import Query, parse

#: Characters of a document's text read for its snippet (kept on its index row). A match
#: further in is looked for in the whole text, for the hits shown only.
HEAD_LENGTH = fulltext.HEAD_LENGTH
#: Largest page any caller gets.
MAX_LIMIT = 100


@dataclass(frozen=True)
class Filters:
    """Narrowing a search: type, issuer (exact), year of issue, status; all optional."""

    doc_type: str = ""
    issuer: str = ""
    year: int | None = None
    status: str = ""

    def sql(self) -> tuple[str, list[Any]]:
        """A WHERE fragment over the documents' alias `d` (soft-deleted rows always out)."""
        clauses = ["d.deleted_at IS NULL"]
        params: list[Any] = []
        if self.doc_type:
            clauses.append("d.doc_type = %s")
            params.append(self.doc_type)
        if self.issuer:
            clauses.append("d.issuer = %s")
            params.append(self.issuer)
        if self.year is not None:
            clauses.append("d.issued_date >= %s AND d.issued_date < %s")
            params += [datetime.date(self.year, 1, 1), datetime.date(self.year + 1, 1, 1)]
        if self.status:
            clauses.append("d.status = %s")
            params.append(self.status)
        return " AND ".join(clauses), params

    def apply(self, documents: QuerySet[LegalDocument]) -> QuerySet[LegalDocument]:
        """The same filters on a QuerySet."""
        documents = documents.alive()  # type: ignore[attr-defined]
        if self.doc_type:
            documents = documents.filter(doc_type=self.doc_type)
        if self.issuer:
            documents = documents.filter(issuer=self.issuer)
        if self.year is not None:
            documents = documents.issued_in(self.year)  # type: ignore[attr-defined]
        if self.status:
            documents = documents.filter(status=self.status)
        return documents

    @property
    def active(self) -> bool:
        return bool(self.doc_type or self.issuer or self.year is not None or self.status)


@dataclass(frozen=True)
class DocumentHit:
    """One document of a page of results, with why it matched (empty without a query)."""

    document: LegalDocument
    score: float | None = None
    number_match: bool = False
    title_html: SafeString | str = ""
    snippet: str = ""
    snippet_html: SafeString | str = ""


@dataclass(frozen=True)
class SearchPage:
    """A page of results: the parsed query (None: browsing), the total and the hits."""

    query: Query | None
    total: int
    limit: int
    offset: int
    hits: list[DocumentHit] = field(default_factory=list)


def _list_columns(documents: QuerySet[LegalDocument]) -> QuerySet[LegalDocument]:
    # Lists never read the text (a law runs to 460 KB): it is in LegalText.
    return documents.select_related("owner")


def _heads(ids: list[int]) -> dict[int, str]:
    rows = SearchRow.objects.filter(document_id__in=ids).values_list("document_id", "head")
    return {pk: head or "" for pk, head in rows}


def _snippets(ids: list[int], found: highlight.Matcher | None) -> dict[int, highlight.Marked]:
    """Snippets around each document's best spot: from the head, else from the whole text."""
    heads = _heads(ids)
    snippets = {}
    deeper = []
    for pk in ids:
        head = heads.get(pk, "")
        snippet = highlight.snippet(head, found, continues=len(head) >= HEAD_LENGTH)
        if (
            found is not None
            and len(head) >= HEAD_LENGTH
            and not any(hit for _piece, hit in snippet.pieces)
        ):
            deeper.append(pk)
        snippets[pk] = snippet
    if deeper:
        texts = LegalText.objects.filter(document_id__in=deeper).values_list("document_id", "body")
        for pk, text in texts:
            snippets[pk] = highlight.snippet(text, found)
    return snippets


def search_documents(
    q: str | Query | None,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    snippets: bool = True,
) -> SearchPage:
    """A page of documents: ranked by the query if there is one, else newest first."""
    filters = filters or Filters()
    limit = max(0, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    query = q if isinstance(q, Query) else parse(q) if q else None
    if not query:
        documents = _list_columns(filters.apply(LegalDocument.objects.all())).order_by(
            "-issued_date", "number_key"
        )
        total = documents.count()
        rows = list(documents[offset : offset + limit]) if limit else []
        return SearchPage(
            query=None,
            total=total,
            limit=limit,
            offset=offset,
            hits=[DocumentHit(document=d, title_html=d.title) for d in rows],
        )
    where, params = filters.sql()
    ranked = fulltext.search(query, where, params, limit=limit, offset=offset)
    # The total rides on the rows; only a page past the end needs its own count.
    total = ranked[0].total if ranked else fulltext.count(query, where, params) if offset else 0
    if not ranked:
        return SearchPage(query=query, total=total, limit=limit, offset=offset)
    ids = [r.document_id for r in ranked]
    by_id = _list_columns(LegalDocument.objects.filter(pk__in=ids)).in_bulk(ids)
    found = highlight.matcher(query)
    marked = _snippets(ids, found) if snippets else {}
    hits = []
    for r in ranked:
        document = by_id.get(r.document_id)
        if document is None:  # deleted between the two queries
            continue
        snippet = marked.get(r.document_id)
        hits.append(
            DocumentHit(
                document=document,
                score=r.score,
                number_match=r.number_match,
                title_html=highlight.mark(document.title, found).html,
                snippet=snippet.text if snippet else "",
                snippet_html=snippet.html if snippet else "",
            )
        )
    return SearchPage(query=query, total=total, limit=limit, offset=offset, hits=hits)


def issuers() -> list[str]:
    """Issuers of documents not deleted, for the filter's choices."""
    return sorted(
        set(LegalDocument.objects.alive().values_list("issuer", flat=True).distinct()),
        key=lambda name: name.lower(),
    )


def years() -> list[int]:
    """Years in which documents not deleted were issued, newest first."""
    dates = LegalDocument.objects.alive().dates("issued_date", "year", order="DESC")
    return [d.year for d in dates]
