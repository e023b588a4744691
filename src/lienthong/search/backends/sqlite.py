"""SQLite backend: an FTS5 table ranked with bm25(), title weighted above body."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lienthong.search.backends import Filters, SearchBackend
from lienthong.search.query import Query, Term

#: Deleting an entry by any path (a queryset, a cascade from its content type) drops its
#: FTS row too. A migration that rebuilds search_searchentry on SQLite drops the trigger with
#: the old table; `lienthong search rebuild` (via `clear`) puts it back.
TRIGGER_SQL = """
CREATE TRIGGER IF NOT EXISTS search_fts_entry_deleted
AFTER DELETE ON search_searchentry
BEGIN
    DELETE FROM search_fts WHERE rowid = old.id;
END
"""


def _fts_term(term: Term) -> str:
    # Tokens hold only letters and digits, so a double-quoted FTS5 string cannot be broken
    # out of, and AND/OR/NOT/NEAR inside quotes are plain words.
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def match_expression(query: Query, facets: tuple[tuple[str, ...], ...] = ()) -> str:
    """The FTS5 MATCH string of a parsed query (and facet groups: [a-z0-9] tokens)."""
    parts = [_fts_term(term) for term in query.terms]
    parts += ["(" + " OR ".join(f'"{facet}"' for facet in group) + ")" for group in facets if group]
    return " AND ".join(parts)


class SqliteBackend(SearchBackend):
    """FTS5 table `search_fts(title, body)`, rowid = SearchEntry.id."""

    vendor = "sqlite"

    def write(self, entry_id: int, title: Sequence[str], body: Sequence[str]) -> None:
        with self.connection.cursor() as cursor:
            # Delete first: an FTS5 rowid is not unique by constraint, and a rebuilt
            # search_searchentry table may hand out the id of a row deleted long ago.
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [entry_id])
            cursor.execute(
                "INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [entry_id, " ".join(title), " ".join(body)],
            )

    def delete(self, entry_ids: Sequence[int]) -> None:
        with self.connection.cursor() as cursor:
            for entry_id in entry_ids:
                cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [entry_id])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")
            cursor.execute(TRIGGER_SQL)

    _from = "search_fts JOIN search_searchentry AS e ON e.id = search_fts.rowid"
    # FTS5 answers `rowid = ? AND search_fts MATCH ?` by seeking its doclists to that rowid.
    _id_column = "search_fts.rowid"

    def _where(self, query: Query, filters: Filters) -> tuple[str, list[Any]]:
        where, params = filters.sql("e")
        return f"search_fts MATCH %s AND {where}", [
            match_expression(query, filters.facets),
            *params,
        ]

    def matching_ids_sql(self, query: Query, filters: Filters) -> tuple[str, list[Any]]:
        if (
            query
            and filters.scope_prefixes is None
            and filters.content_type_ids is None
            and not filters.impossible
        ):
            # No filter on the entry: the FTS5 rowids alone. Joining search_searchentry to
            # test "1 = 1" doubled the time of a common three-word match (a seek per match
            # into the wide entries table). The delete trigger keeps no rowid without entry.
            return (
                "SELECT search_fts.rowid AS id FROM search_fts WHERE search_fts MATCH %s",
                [match_expression(query, filters.facets)],
            )
        return super().matching_ids_sql(query, filters)

    def matches_row_sql(
        self, query: Query, filters: Filters, id_column: str
    ) -> tuple[str, list[Any]]:
        if not any(term.prefix for term in query.terms):
            return super().matches_row_sql(query, filters, id_column)
        # FTS5 answers a prefix term by merging the doclists of every word with that prefix,
        # on each call: 3-5 ms per row at 1M entries. Read the row's stored tokens instead
        # (space-separated, see `write`) and look for the term at a token boundary, in the
        # title or in the body like FTS5 (no phrase spans the two columns).
        if not query:
            raise ValueError("matches_row_sql() needs a non-empty query.")
        clauses: list[str] = []
        params: list[Any] = []
        for term in query.terms:
            pattern = "% " + " ".join(term.words) + ("%" if term.prefix else " %")
            clauses.append(
                "(' ' || search_fts.title || ' ' LIKE %s ESCAPE '\\'"
                " OR ' ' || search_fts.body || ' ' LIKE %s ESCAPE '\\')"
            )
            params.extend([pattern, pattern])
        for group in filters.facets:  # facets are indexed at the head of the body column
            facet_test = " OR ".join(["' ' || search_fts.body || ' ' LIKE %s"] * len(group))
            clauses.append(f"({facet_test or '1 = 0'})")
            params.extend(f"% {facet} %" for facet in group)
        where, filter_params = filters.sql("e")
        sql = (
            f"COALESCE((SELECT 1 FROM {self._from} WHERE search_fts.rowid = {id_column}"
            f" AND {' AND '.join(clauses)} AND {where} LIMIT 1), 0) = 1"
        )
        return sql, [*params, *filter_params]

    def search(
        self, query: Query, filters: Filters, *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        if not query:
            return []
        where, params = self._where(query, filters)
        # bm25() is lower for better matches; the score returned is its negation.
        rows = self._fetch(
            f"""
            SELECT e.id, bm25(search_fts, %s, 1.0) AS score
            FROM search_fts JOIN search_searchentry AS e ON e.id = search_fts.rowid
            WHERE {where}
            ORDER BY score, e.id
            LIMIT %s OFFSET %s
            """,
            [self.TITLE_WEIGHT, *params, limit, offset],
        )
        return [(int(entry_id), -float(score)) for entry_id, score in rows]

    def count(self, query: Query, filters: Filters) -> int:
        if not query:
            return 0
        where, params = self._where(query, filters)
        rows = self._fetch(
            f"""
            SELECT count(*)
            FROM search_fts JOIN search_searchentry AS e ON e.id = search_fts.rowid
            WHERE {where}
            """,
            params,
        )
        return int(rows[0][0])

    def stats(self) -> dict[str, Any]:
        rows = self._fetch(
            """
            SELECT
                (SELECT count(*) FROM search_fts),
                (SELECT coalesce(sum(length(block)), 0) FROM search_fts_data),
                (SELECT count(*) FROM search_searchentry AS e
                 WHERE NOT EXISTS (SELECT 1 FROM search_fts WHERE rowid = e.id)),
                (SELECT count(*) FROM search_fts AS f
                 WHERE NOT EXISTS (SELECT 1 FROM search_searchentry WHERE id = f.rowid)),
                (SELECT count(*) FROM sqlite_master
                 WHERE type = 'trigger' AND name = 'search_fts_entry_deleted')
            """,
            [],
        )
        indexed, size, missing, orphans, trigger = rows[0]
        return {
            "backend": "SQLite FTS5",
            "indexed": int(indexed),
            "index_bytes": int(size),
            "missing": int(missing),
            "orphans": int(orphans),
            "delete_trigger": bool(trigger),
        }
