"""The legal registry's full-text index: folded tokens on SQLite FTS5 or a PostgreSQL tsvector.

It follows the search kernel (docs/decisions/0009-search-tokenised-in-python.md) and reuses
its pieces, so that a query means the same here as in the site search: text is folded and
cut into tokens in Python (`lienthong.search.query.tokens`), queries are parsed by the
kernel's language (`parse`: words ANDed, "phrases", prefix*), and the FTS5 MATCH string and
the tsqueries come from the kernel's backends. What it adds is what a legal registry needs
and the kernel's shared index cannot give:

- **filters in the same SQL** (type, issuer, year, status, not deleted): the index is joined
  to `legal_legaldocument`, so a page of 20 filtered hits is one query, not a scan of every
  hit;
- **the number first**: the indexed title is the document's number followed by its title,
  and a query term that is a number or its start ("02/2011/QH13", "02/2011") ranks the
  document of that number above everything else (`number_key` equal or prefix);
- **title matches above body-only matches**, on both databases: rank = (number match, share
  of the query's terms found in the title, relevance). Relevance is BM25 over the whole text
  on SQLite (title weighted 10); on PostgreSQL it is `ts_rank_cd` (title A, text B,
  length-normalised) over the title and the opening `RANK_TOKENS` tokens of the text, so
  that ranking reads a few KB per match instead of a law's whole vector. The documents
  found are the same on both; only the order among body-only matches may differ.
- **one query per page**: the total comes with the rows (`count(*) OVER ()`).

SQLite: FTS5 table `legal_fts(title, body)`, rowid = document id. PostgreSQL: columns on
`legal_searchrow` — `vector` (tsvector of title A and text B, 'simple' configuration, GIN
index) for matching, `title_vector` and `rank_vector` (small) for ranking, and, as in the
kernel, `phrase_text` for phrases in texts whose tsvector lost positions (past 16,383 or 256
per word), checked with strpos.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from lienthong.registries.legal.models import LegalDocument, SearchRow
from lienthong.registries.legal.numbers import key_of
from lienthong.search.backends.postgresql import (
    RANK_WEIGHTS,
    _exact_positions,
    _fit,
    exact_tsquery,
    loose_tsquery,
    phrase_needle,
)
from lienthong.search.backends.sqlite import match_expression
from lienthong.search.query import Query, Term, tokens

#: A title token counts this many body tokens in SQLite's BM25 (the kernel's weight).
TITLE_WEIGHT = 10.0
#: PostgreSQL ranks by the title and this many first tokens of the text (scope, definitions,
#: the first articles): ts_rank_cd must decompress the vector it reads, and reading every
#: matching law's whole vector cost 50–150 ms per query on 760 laws.
RANK_TOKENS = 1000
#: Characters of the text kept on the index row for snippets (as the search kernel does).
HEAD_LENGTH = 32_000


@dataclass(frozen=True)
class Ranked:
    """One matching document and the parts of its rank, best first by (number, title, rel)."""

    document_id: int
    number_match: bool
    title_share: float
    relevance: float
    terms: int = 1
    #: How many documents match in all (the same on every row of a page).
    total: int = 0

    @property
    def score(self) -> float:
        """One number for the API, ordered as the ranking is: a number match adds 2, the
        title share (in steps of 1/terms) up to 1, the relevance less than one step."""
        return 2.0 * self.number_match + self.title_share + self.relevance / self.terms


def index_tokens(document: LegalDocument) -> tuple[list[str], list[str]]:
    """(title tokens, body tokens): the number (also without the serial's leading zeros, so
    "2/2011/QH13" finds "02/2011/QH13") and the title, then the full text."""
    number = tokens(document.number)
    short = document.number_key.split()
    title = number + (short if short != number else []) + tokens(document.title)
    return title, tokens(document.text)


def _digest(document: LegalDocument) -> str:
    content = f"{document.number}\x00{document.title}\x00{document.text}"
    return hashlib.sha256(content.encode()).hexdigest()


def index_document(document: LegalDocument) -> bool:
    """Index (or re-index) one document in the caller's transaction; False if unchanged."""
    digest = _digest(document)
    row = SearchRow.objects.filter(document_id=document.pk).first()
    if row is not None and row.digest == digest:
        return False
    head = document.text[:HEAD_LENGTH]
    if row is None:
        SearchRow.objects.create(document_id=document.pk, digest=digest, head=head)
    else:
        SearchRow.objects.filter(document_id=document.pk).update(digest=digest, head=head)
    title, body = index_tokens(document)
    _backend().write(document.pk, title, body)
    return True


def remove_document(document_id: int) -> None:
    """Drop a document from the index (soft delete); restoring re-indexes it."""
    _backend().delete(document_id)
    SearchRow.objects.filter(document_id=document_id).delete()


def is_indexed(document_id: int) -> bool:
    """Whether the document has an index row."""
    return SearchRow.objects.filter(document_id=document_id).exists()


def number_needles(query: Query) -> list[str]:
    """Number keys a query may name: terms of two words or more led by digits ("2 2011")."""
    needles = []
    for term in query.terms:
        if len(term.words) >= 2 and term.words[0].isdigit():
            needles.append(key_of(term.words))
    return needles


def _number_sql(query: Query) -> tuple[str, list[Any]]:
    needles = number_needles(query)
    if not needles:
        return "0", []
    clauses, params = [], []
    for needle in needles:
        clauses.append("d.number_key = %s OR d.number_key LIKE %s")
        # Tokens hold only letters and digits: no LIKE wildcard can come from the needle.
        params += [needle, needle + " %"]
    return "(CASE WHEN " + " OR ".join(clauses) + " THEN 1 ELSE 0 END)", params


class _Backend:
    """What differs between the databases: writing tokens, matching and ranking."""

    def write(self, document_id: int, title: Sequence[str], body: Sequence[str]) -> None:
        raise NotImplementedError

    def delete(self, document_id: int) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def search(
        self, query: Query, where: str, params: list[Any], *, limit: int, offset: int
    ) -> list[Ranked]:
        """The page of matches, best first, each row carrying the total (`count(*) OVER ()`):
        the matching, the most expensive part, is done once for both."""
        raise NotImplementedError

    def count(self, query: Query, where: str, params: list[Any]) -> int:
        raise NotImplementedError

    @staticmethod
    def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())


def _fts_title_term(term: Term) -> str:
    # Tokens hold only letters and digits: the quoted string cannot be broken out of.
    return 'title : "' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


class _Sqlite(_Backend):
    # CROSS JOIN makes SQLite drive the join from the full-text match: with a filter on the
    # documents (type, status) its planner otherwise scans those by index and re-runs the
    # MATCH for each row, 10–40 times slower on a few hundred laws.

    def write(self, document_id: int, title: Sequence[str], body: Sequence[str]) -> None:
        with connection.cursor() as cursor:
            # Delete first: an FTS5 rowid is not unique by constraint.
            cursor.execute("DELETE FROM legal_fts WHERE rowid = %s", [document_id])
            cursor.execute(
                "INSERT INTO legal_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [document_id, " ".join(title), " ".join(body)],
            )

    def delete(self, document_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM legal_fts WHERE rowid = %s", [document_id])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM legal_fts")

    def search(
        self, query: Query, where: str, params: list[Any], *, limit: int, offset: int
    ) -> list[Ranked]:
        number, number_params = _number_sql(query)
        # One uncorrelated subquery per term: SQLite runs each once and probes the result.
        in_title = " + ".join(
            ["(legal_fts.rowid IN (SELECT rowid FROM legal_fts WHERE legal_fts MATCH %s))"]
            * len(query.terms)
        )
        rows = self._fetch(
            f"""
            SELECT id, number_match, in_title, rank, count(*) OVER () AS total
            FROM (
                -- bm25() works only in the query that scans the FTS table, not beside a
                -- window function: the match is ranked inside, counted outside.
                SELECT d.id, d.issued_date, {number} AS number_match,
                       ({in_title}) AS in_title, bm25(legal_fts, %s, 1.0) AS rank
                FROM legal_fts CROSS JOIN legal_legaldocument AS d ON d.id = legal_fts.rowid
                WHERE legal_fts MATCH %s AND {where}
            )
            ORDER BY number_match DESC, in_title DESC, rank, issued_date DESC NULLS LAST, id
            LIMIT %s OFFSET %s
            """,
            [
                *number_params,
                *[_fts_title_term(term) for term in query.terms],
                TITLE_WEIGHT,
                match_expression(query),
                *params,
                limit,
                offset,
            ],
        )
        terms = len(query.terms)
        return [
            Ranked(
                document_id=int(pk),
                number_match=bool(number_match),
                title_share=int(in_title) / terms,
                # bm25() is lower for better matches and unbounded: map -bm25 into [0, 1).
                relevance=max(0.0, -float(rank)) / (1.0 + max(0.0, -float(rank))),
                terms=terms,
                total=int(total),
            )
            for pk, number_match, in_title, rank, total in rows
        ]

    def count(self, query: Query, where: str, params: list[Any]) -> int:
        rows = self._fetch(
            f"""
            SELECT count(*)
            FROM legal_fts CROSS JOIN legal_legaldocument AS d ON d.id = legal_fts.rowid
            WHERE legal_fts MATCH %s AND {where}
            """,
            [match_expression(query), *params],
        )
        return int(rows[0][0])


class _Postgres(_Backend):
    def write(self, document_id: int, title: Sequence[str], body: Sequence[str]) -> None:
        phrase_text = None
        if not _exact_positions(title, body):
            # "." is never a token, so no phrase can match across the title/body seam.
            phrase_text = " " + " ".join(title) + " . " + " ".join(body) + " "
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE legal_searchrow SET
                    vector = setweight(to_tsvector('simple', %(title)s), 'A')
                        || setweight(to_tsvector('simple', %(body)s), 'B'),
                    title_vector = to_tsvector('simple', %(title)s),
                    rank_vector = setweight(to_tsvector('simple', %(title)s), 'A')
                        || setweight(to_tsvector('simple', %(opening)s), 'B'),
                    phrase_text = %(phrase_text)s
                WHERE document_id = %(id)s
                """,
                {
                    "title": " ".join(title),
                    "body": " ".join(_fit(body)),
                    "opening": " ".join(body[:RANK_TOKENS]),
                    "phrase_text": phrase_text,
                    "id": document_id,
                },
            )

    def delete(self, document_id: int) -> None:
        pass  # the columns live on the index row, which the caller deletes

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE legal_searchrow SET vector = NULL, title_vector = NULL,"
                " rank_vector = NULL, phrase_text = NULL"
            )

    @staticmethod
    def _match(query: Query) -> tuple[str, list[Any]]:
        """(FROM … WHERE part, its parameters): documents holding every word, through the
        GIN index alone (a CTE of ids), then phrases checked on those rows only."""
        sql = """
            WITH matched AS MATERIALIZED (
                SELECT document_id FROM legal_searchrow
                WHERE vector @@ to_tsquery('simple', %s)
            )
            SELECT {columns}
            FROM matched
            JOIN legal_searchrow AS s ON s.document_id = matched.document_id
            JOIN legal_legaldocument AS d ON d.id = s.document_id
            WHERE {phrases}"""
        params: list[Any] = [loose_tsquery(query)]
        phrases = [term for term in query.terms if term.is_phrase]
        condition = "TRUE"
        if phrases:
            in_text = " AND ".join(["strpos(s.phrase_text, %s) > 0"] * len(phrases))
            condition = (
                "((s.phrase_text IS NULL AND s.vector @@ to_tsquery('simple', %s))"
                f" OR (s.phrase_text IS NOT NULL AND {in_text}))"
            )
            params.append(exact_tsquery(query))
            params.extend(phrase_needle(term) for term in phrases)
        return sql.replace("{phrases}", condition), params

    @staticmethod
    def _title_terms(query: Query) -> list[str]:
        # Matched against the title's own small vector (never the 30 KB one of the text);
        # titles are short, so their positions are exact and phrases can be read from them.
        terms = []
        for term in query.terms:
            last = len(term.words) - 1
            words = [
                f"'{word}'" + (":*" if term.prefix and i == last else "")
                for i, word in enumerate(term.words)
            ]
            terms.append(" <-> ".join(words))
        return terms

    @staticmethod
    def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        # Matching through the GIN index never opens a vector; a scan with the same filter
        # decompresses every law's 30 KB vector (10–30 ms on 760 laws, the whole budget).
        # The planner picks the scan whenever most rows match, not knowing that cost, so
        # for this statement only it is told not to (the CTE of `_match` then takes the
        # bitmap index scan).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'),"
                " set_config('enable_seqscan', 'off', true)"
            )
            (previous, _off) = cursor.fetchone()
            cursor.execute(sql, params)
            rows = list(cursor.fetchall())
            # Put it back: inside a caller's transaction the setting would outlive this call.
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
            return rows

    def search(
        self, query: Query, where: str, params: list[Any], *, limit: int, offset: int
    ) -> list[Ranked]:
        number, number_params = _number_sql(query)
        match, match_params = self._match(query)
        titles = self._title_terms(query)
        in_title = " + ".join(["(s.title_vector @@ to_tsquery('simple', %s))::int"] * len(titles))
        columns = f"""
            d.id, {number} AS number_match, ({in_title}) AS in_title,
            ts_rank_cd('{RANK_WEIGHTS}', s.rank_vector, to_tsquery('simple', %s), 33) AS rel,
            count(*) OVER () AS total"""
        # The columns' parameters come after the CTE's in the statement.
        rows = self._fetch(
            match.replace("{columns}", columns)
            + f"""
              AND {where}
            ORDER BY number_match DESC, in_title DESC, rel DESC,
                     d.issued_date DESC NULLS LAST, d.id
            LIMIT %s OFFSET %s
            """,
            [
                match_params[0],
                *number_params,
                *titles,
                loose_tsquery(query),
                *match_params[1:],
                *params,
                limit,
                offset,
            ],
        )
        terms = len(query.terms)
        return [
            Ranked(
                document_id=int(pk),
                number_match=bool(number_match),
                title_share=int(in_title) / terms,
                relevance=min(float(rel), 0.999999),
                terms=terms,
                total=int(total),
            )
            for pk, number_match, in_title, rel, total in rows
        ]

    def count(self, query: Query, where: str, params: list[Any]) -> int:
        match, match_params = self._match(query)
        rows = self._fetch(
            match.replace("{columns}", "count(*)") + f" AND {where}", [*match_params, *params]
        )
        return int(rows[0][0])


def _backend() -> _Backend:
    if connection.vendor == "postgresql":
        return _Postgres()
    if connection.vendor == "sqlite":
        return _Sqlite()
    raise RuntimeError(f"Full-text search supports SQLite and PostgreSQL, not {connection.vendor}.")


def search(query: Query, where: str, params: list[Any], *, limit: int, offset: int) -> list[Ranked]:
    """Documents matching `query` and the SQL condition `where` (over alias `d`), best first."""
    if not query or limit <= 0:
        return []
    return _backend().search(query, where, params, limit=limit, offset=max(0, offset))


def count(query: Query, where: str, params: list[Any]) -> int:
    """How many documents `search` could return for the same arguments."""
    if not query:
        return 0
    return _backend().count(query, where, params)


def rebuild() -> int:
    """Re-index every document that is not deleted, from its stored text; returns how many."""
    backend = _backend()
    backend.clear()
    SearchRow.objects.all().delete()
    done = 0
    for document in LegalDocument.objects.alive().order_by("pk").iterator(chunk_size=50):
        index_document(document)
        done += 1
    return done
