"""Folded search over a registry table, fast at millions of rows on SQLite and PostgreSQL.

Every `RegistryRecord` keeps `search_text`: its names folded by `core.text.fold` ("Nguyễn Văn
An" → "nguyen van an"). Two indexes answer the two kinds of question:

- a B-tree on `search_text` (`models.registry_indexes`): name order for browsing, and
  prefix ranges (`prefix_filter`);
- a word index, installed by the migration operation `FoldedSearchIndex` — SQLite: an FTS5
  table with external content (`<table>_fts`) kept in step by triggers, so even bulk inserts
  are indexed; PostgreSQL: a GIN index on `to_tsvector('simple', search_text)`.

`search(qs, q)`: a query of digits is a prefix of the registry's `identifier_field` (a
personal ID, a tax code); anything else is folded and split into words, and a row matches
when it holds every word — the last one as a prefix, so typing "nguyen van a" already finds
"Nguyễn Văn An". Matches come in the word index's order (row id on SQLite, physical order
on PostgreSQL), never sorted: sorting a million "nguyen" to show twenty costs seconds,
reading the first twenty from the index costs milliseconds (measured in
bench/bench_population.py). On PostgreSQL the GIN index keeps a short pending list
(`GIN_PENDING_LIST_KB`) and an import merges it (`clean_pending_list`).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar, cast

from django.db import connection, models
from django.db.migrations.operations.base import Operation
from django.db.models import Q

from lienthong.core.text import fold

_Q = TypeVar("_Q", bound=models.QuerySet[Any])

_WORDS = re.compile(r"[0-9a-z]+")
_IDENTIFIER_QUERY = re.compile(r"^[0-9][0-9\-. ]*\Z")
#: Above every character a folded text holds: the exclusive end of a prefix range.
_PREFIX_END = "\U0010ffff"
#: Words beyond this many are ignored (a name has fewer; a pasted paragraph is not a query).
MAX_WORDS = 8


def words_of(q: str | None) -> list[str]:
    """The folded words of a query, at most `MAX_WORDS`."""
    return _WORDS.findall(fold(q))[:MAX_WORDS]


def fts_table(model: type[models.Model]) -> str:
    """The FTS5 table of a registry model on SQLite."""
    return f"{model._meta.db_table}_fts"


#: The most a GIN index keeps in its pending list (kB). New rows go to that unsorted list
#: until vacuum or the limit merges it into the index, and every search reads all of it: at
#: PostgreSQL's default of 4 MB (50,000 names) that cost 30 ms per query on 3.2 million
#: persons; 256 kB bounds it to a couple of milliseconds at a small cost per insert.
GIN_PENDING_LIST_KB = 256


def clean_pending_list(model: type[models.Model]) -> None:
    """Merge the GIN pending list of `model` into the index (PostgreSQL; after a bulk load)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [gin_index(model)])


def gin_index(model: type[models.Model]) -> str:
    """The GIN index name of a registry model on PostgreSQL."""
    return f"{model._meta.db_table}_words"


def install_statements(model: type[models.Model], vendor: str) -> list[str]:
    """SQL creating the word index of `model` (and, on SQLite, its triggers)."""
    table = model._meta.db_table
    if vendor == "sqlite":
        fts = fts_table(model)
        return [
            # unicode61 splits on anything but letters and digits; the text is folded already.
            # Prefix indexes of 1 and 2 characters keep "a*", "ng*" from scanning every term.
            f'CREATE VIRTUAL TABLE IF NOT EXISTS "{fts}" USING fts5(search_text, '
            f"content='{table}', content_rowid='id', tokenize='unicode61', prefix='1 2')",
            *trigger_statements(model),
        ]
    if vendor == "postgresql":
        return [
            f'CREATE INDEX IF NOT EXISTS "{gin_index(model)}" ON "{table}" '
            f"USING gin (to_tsvector('simple'::regconfig, search_text)) "
            f"WITH (gin_pending_list_limit = {GIN_PENDING_LIST_KB})",
            # For indexes made before the setting existed (CREATE … IF NOT EXISTS kept them).
            f'ALTER INDEX "{gin_index(model)}" '
            f"SET (gin_pending_list_limit = {GIN_PENDING_LIST_KB})",
        ]
    raise RuntimeError(f"Registry search supports SQLite and PostgreSQL, not {vendor}.")


def trigger_statements(model: type[models.Model]) -> list[str]:
    """SQLite triggers that keep the FTS5 table in step with the registry table.

    Django rebuilds a SQLite table for many schema changes and the triggers go with it:
    `lienthong registry reindex <registry>` puts them back and rebuilds the index.
    """
    table, fts = model._meta.db_table, fts_table(model)
    delete_old = (
        f'INSERT INTO "{fts}"("{fts}", rowid, search_text) '
        "VALUES ('delete', old.id, old.search_text);"
    )
    insert_new = f'INSERT INTO "{fts}"(rowid, search_text) VALUES (new.id, new.search_text);'
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{table}_fts_ai" AFTER INSERT ON "{table}" '
        f"BEGIN {insert_new} END",
        f'CREATE TRIGGER IF NOT EXISTS "{table}_fts_ad" AFTER DELETE ON "{table}" '
        f"BEGIN {delete_old} END",
        f'CREATE TRIGGER IF NOT EXISTS "{table}_fts_au" AFTER UPDATE OF search_text '
        f'ON "{table}" BEGIN {delete_old} {insert_new} END',
    ]


def remove_statements(model: type[models.Model], vendor: str) -> list[str]:
    """SQL dropping what `install_statements` created."""
    table = model._meta.db_table
    if vendor == "sqlite":
        return [
            *(f'DROP TRIGGER IF EXISTS "{table}_fts_{s}"' for s in ("ai", "ad", "au")),
            f'DROP TABLE IF EXISTS "{fts_table(model)}"',
        ]
    return [f'DROP INDEX IF EXISTS "{gin_index(model)}"']


def rebuild(model: type[models.Model]) -> None:
    """Re-create the word index of `model` from its rows (and SQLite's triggers)."""
    with connection.cursor() as cursor:
        for statement in install_statements(model, connection.vendor):
            cursor.execute(statement)
        if connection.vendor == "sqlite":
            fts = fts_table(model)
            cursor.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')
        else:
            cursor.execute(f'REINDEX INDEX "{gin_index(model)}"')


class FoldedSearchIndex(Operation):
    """Migration operation installing the word index of a registry model.

    Put it in the registry's 0001_initial after the model is created::

        FoldedSearchIndex("person"),

    It changes no model state, so `makemigrations` neither needs nor writes it: keep it when
    regenerating the migration.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.model_name], {})

    def state_forwards(self, app_label: str, state: Any) -> None:
        """No state: the index lives outside Django's model of the table."""

    def _run(self, app_label: str, schema_editor: Any, to_state: Any, install: bool) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        vendor = schema_editor.connection.vendor
        statements = install_statements if install else remove_statements
        for statement in statements(model, vendor):
            schema_editor.execute(statement, params=None)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._run(app_label, schema_editor, to_state, install=True)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._run(app_label, schema_editor, from_state, install=False)

    def describe(self) -> str:
        return f"Word index (FTS5 / GIN) on {self.model_name}.search_text"


# --- Querying -------------------------------------------------------------------------------


def prefix_filter(field: str, prefix: str) -> Q:
    """Rows whose `field` starts with `prefix`, answerable by a plain B-tree on both databases.

    The range makes the index usable whatever the collation (SQLite's LIKE is not, and
    PostgreSQL's needs a pattern operator class); `startswith` keeps the answer exact under
    a collation that does not order by code point.
    """
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _PREFIX_END}) & Q(
        **{f"{field}__startswith": prefix}
    )


def is_identifier_query(q: str) -> bool:
    """Whether `q` reads as (the start of) a numeric code rather than words."""
    return bool(_IDENTIFIER_QUERY.fullmatch(q.strip())) and sum(c.isdigit() for c in q) >= 3


def word_filter(qs: _Q, words: list[str]) -> _Q:
    """`qs` limited to rows whose search text holds every word (the last as a prefix)."""
    if not words:
        return qs
    model = qs.model
    table = model._meta.db_table
    if connection.vendor == "sqlite":
        fts = fts_table(model)
        # Words hold only [0-9a-z]: inside double quotes nothing can break out of the string.
        expression = " AND ".join(
            f'"{word}"' + ("*" if i == len(words) - 1 else "") for i, word in enumerate(words)
        )
        # A join with the FTS table, not `id IN (SELECT rowid …)`: SQLite then walks the FTS
        # match in rowid order and stops at the LIMIT, where the IN form first collects every
        # match (a million for "nguyen").
        return cast(
            _Q,
            qs.extra(
                tables=[fts],
                where=[f'"{fts}".rowid = "{table}"."id"', f'"{fts}" MATCH %s'],
                params=[expression],
            ),
        )
    # Every word through the GIN index, the last as a prefix ('an:*'): the index intersects
    # the lists, skipping through the long ones ("nguyen") by the short ones. Measured on 3.2
    # million persons against matching the last word on the heap instead: p95 43 against
    # 102 ms, the page with its capped count 102 against 660 ms (bench_population.py).
    condition = (
        f"to_tsvector('simple'::regconfig, \"{table}\".search_text) @@ to_tsquery('simple', %s)"
    )
    terms = [*words[:-1], words[-1] + ":*"]
    return cast(_Q, qs.extra(where=[condition], params=[" & ".join(terms)]))


def search(qs: _Q, q: str | None) -> _Q:
    """Rows of `qs` matching `q` (see the module notes); `qs` unchanged for an empty query."""
    q = (q or "").strip()
    if not q:
        return qs
    identifier = getattr(qs.model, "identifier_field", "")
    if identifier and is_identifier_query(q):
        digits = re.sub(r"[^0-9\-]", "", q)
        return qs.filter(prefix_filter(identifier, digits)).order_by(identifier)
    words = words_of(q)
    if not words:
        return qs.none()
    return word_filter(qs, words).order_by()
