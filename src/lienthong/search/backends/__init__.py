"""Full-text backends: one interface, chosen by the database vendor.

Both index the same thing — the folded tokens of an entry's title and body (see
`lienthong.search.query.tokens`) — and answer the same query language, so results differ
only in score values, never in which entries match.

- SQLite: an FTS5 table `search_fts` (rowid = SearchEntry.id, columns title and body,
  tokenizer unicode61), ranked by `bm25()` with the title weighted above the body.
- PostgreSQL: a `tsvector` column `search_searchentry.document` (title weight A, body weight B,
  'simple' configuration) with a GIN index, ranked by the share of query terms in the title
  plus `ts_rank_cd` (see `postgresql.PostgresBackend._rank`).

The tables and columns are created by migration 0002 of this app.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from lienthong.search.query import Query


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Filters:
    """Which entries a search may return, applied in the SQL next to the full-text match.

    `scope_prefixes`: None for every entry, else public entries plus those whose scope starts
    with one of the prefixes. `content_type_ids`: None for every model, else only these.
    `facets`: groups of facet tokens (`services.index(facets=…)`); an entry matches when it
    carries one facet of every group — answered by the full-text index itself, so each
    backend adds them to its match expression (an empty group: nothing matches).
    """

    scope_prefixes: tuple[str, ...] | None = ()
    content_type_ids: tuple[int, ...] | None = None
    facets: tuple[tuple[str, ...], ...] = ()

    @property
    def impossible(self) -> bool:
        """Whether a facet group is empty, so that no entry can match."""
        return any(not group for group in self.facets)

    def sql(self, alias: str = "e") -> tuple[str, list[Any]]:
        """A WHERE fragment over the search_searchentry alias, and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.scope_prefixes is not None:
            scopes = [f"{alias}.scope = ''"]
            for prefix in self.scope_prefixes:
                scopes.append(f"{alias}.scope LIKE %s ESCAPE '\\'")
                params.append(_escape_like(prefix) + "%")
            clauses.append("(" + " OR ".join(scopes) + ")")
        if self.content_type_ids is not None:
            if not self.content_type_ids:
                clauses.append("1 = 0")
            else:
                marks = ", ".join(["%s"] * len(self.content_type_ids))
                clauses.append(f"{alias}.content_type_id IN ({marks})")
                params.extend(self.content_type_ids)
        if self.impossible:
            clauses.append("1 = 0")
        return (" AND ".join(clauses) or "1 = 1"), params


class SearchBackend(ABC):
    """The full-text side of the index for one database connection."""

    vendor: ClassVar[str]
    #: Title matches count this many times a body match (BM25 column weight on SQLite).
    TITLE_WEIGHT: ClassVar[float] = 10.0

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    @abstractmethod
    def write(self, entry_id: int, title: Sequence[str], body: Sequence[str]) -> None:
        """Index (or re-index) one entry from its folded title and body tokens."""

    @abstractmethod
    def delete(self, entry_ids: Sequence[int]) -> None:
        """Drop the full-text rows of these entries."""

    @abstractmethod
    def clear(self) -> None:
        """Drop every full-text row (before a rebuild) and re-create what keeps it in step."""

    @abstractmethod
    def search(
        self, query: Query, filters: Filters, *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        """(entry id, score) of the best matches, best first; ties by entry id."""

    @abstractmethod
    def count(self, query: Query, filters: Filters) -> int:
        """How many entries match."""

    def matching_ids_sql(self, query: Query, filters: Filters) -> tuple[str, list[Any]]:
        """A `SELECT <entry id>` of every matching entry, unordered, and its parameters.

        For a caller that filters and orders its own rows by the entries they point to
        (`row.entry_id IN (…)`) instead of taking the kernel's ranking. The query must not be
        empty.
        """
        if not query:
            raise ValueError("matching_ids_sql() needs a non-empty query.")
        where, params = self._where(query, filters)
        return f"SELECT e.id FROM {self._from} WHERE {where}", params

    def matches_row_sql(
        self, query: Query, filters: Filters, id_column: str
    ) -> tuple[str, list[Any]]:
        """A boolean SQL expression: does the entry whose id is in `id_column` match?

        For a caller that walks its own rows in its own order (a date index, newest first)
        and stops after a page: the match is tested row by row (a correlated scalar
        subquery, which neither database turns into a join that would collect every match
        first). `id_column` is trusted SQL (a quoted column of the caller's table).
        """
        if not query:
            raise ValueError("matches_row_sql() needs a non-empty query.")
        where, params = self._where(query, filters)
        sql = (
            f"COALESCE((SELECT 1 FROM {self._from}"
            f" WHERE {self._id_column} = {id_column} AND {where} LIMIT 1), 0) = 1"
        )
        return sql, params

    #: The FROM clause `_where` is written against (alias `e` for search_searchentry).
    _from: ClassVar[str] = "search_searchentry AS e"
    #: The entry id column of `_from` an equality constraint reaches the index through.
    _id_column: ClassVar[str] = "e.id"

    @abstractmethod
    def _where(self, query: Query, filters: Filters) -> tuple[str, list[Any]]:
        """The WHERE clause of a match over `_from`, and its parameters."""

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Figures about the full-text side: rows, size, rows out of step."""

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())


_BACKENDS = {
    "sqlite": "lienthong.search.backends.sqlite.SqliteBackend",
    "postgresql": "lienthong.search.backends.postgresql.PostgresBackend",
}


def get_backend(using: str = DEFAULT_DB_ALIAS) -> SearchBackend:
    """The backend for the database `using` points at (SQLite or PostgreSQL)."""
    from django.utils.module_loading import import_string

    connection = connections[using]
    path = _BACKENDS.get(connection.vendor)
    if path is None:
        raise ImproperlyConfigured(
            f"Full-text search supports SQLite and PostgreSQL, not {connection.vendor}."
        )
    backend_class: type[SearchBackend] = import_string(path)
    return backend_class(connection)
