"""Inserting many registry rows fast: plain values straight to the database.

The ORM's `bulk_create` spends most of an import's time building model instances and SQL
(measured: three quarters of 100,000 rows' import time). Rows here are dicts of column values
(`attname → value`); PostgreSQL receives them through COPY, SQLite through one prepared
INSERT run with `executemany`. Only plain columns are supported (text, numbers, dates,
foreign keys as ids): what registry rows hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

_Adapter = Callable[[Any], Any]


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _sqlite_adapter(field: models.Field[Any, Any]) -> _Adapter | None:
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.DecimalField | models.JSONField | models.TimeField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


#: SQLite page cache for a bulk load (KiB): the indexes of millions of rows are written at
#: random places, and SQLite's default 2 MB cache turned each insert into page reads.
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


def prepare_connection() -> None:
    """Give this connection what a bulk load needs (SQLite: a large page cache)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (attname → value; missing columns take the field's default)."""
    if not rows:
        return
    fields = _columns(model)
    names = [f.attname for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    if connection.vendor == "postgresql":
        json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    values = [row.get(n, defaults[n]) for n in names]
                    if json_fields:
                        values = [
                            f.get_db_prep_save(v, connection) if f.attname in json_fields else v
                            for f, v in zip(fields, values, strict=True)
                        ]
                    copy.write_row(values)
        return
    adapters = [(i, a) for i, f in enumerate(fields) if (a := _sqlite_adapter(f)) is not None]
    # Rows of a batch share their stamps: adapt each distinct value once, not once per row.
    last: dict[int, tuple[Any, Any]] = {}
    placeholders = ", ".join(["%s"] * len(fields))
    params = []
    for row in rows:
        values = [row.get(n, defaults[n]) for n in names]
        for i, adapt in adapters:
            value = values[i]
            if value is None:
                continue
            seen = last.get(i)
            if seen is not None and seen[0] is value:
                values[i] = seen[1]
            else:
                values[i] = adapt(value)
                last[i] = (value, values[i])
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)


@contextmanager
def deferred_word_index(*registry_models: type[models.Model]) -> Iterator[None]:
    """Fill the SQLite word index of `registry_models` once, after a bulk insert.

    Run inside the transaction of the insert. The insert trigger is dropped for the block and
    the FTS5 rows of every row added meanwhile (ids above the previous maximum: SQLite has
    one writer, and it is this transaction) are written by one INSERT … SELECT — measured
    seven times less work than the trigger firing per row. The trigger comes back before the
    transaction ends; if the block fails, the rollback brings it back too. On PostgreSQL the
    block runs as it is and the GIN index's pending list is merged after it: left there, the
    last rows of a large import would be read in full by every search until vacuum.
    """
    from lienthong.registries.base.fulltext import (
        clean_pending_list,
        fts_table,
        trigger_statements,
    )

    if connection.vendor != "sqlite" or not registry_models:
        yield
        for model in registry_models:
            clean_pending_list(model)
        return
    marks: dict[type[models.Model], int] = {}
    with connection.cursor() as cursor:
        for model in registry_models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            marks[model] = int(cursor.fetchone()[0])
            cursor.execute(f'DROP TRIGGER IF EXISTS "{model._meta.db_table}_fts_ai"')
    yield
    with connection.cursor() as cursor:
        for model, mark in marks.items():
            table = connection.ops.quote_name(model._meta.db_table)
            fts = connection.ops.quote_name(fts_table(model))
            cursor.execute(
                f"INSERT INTO {fts}(rowid, search_text) "
                f"SELECT id, search_text FROM {table} WHERE id > %s ORDER BY id",
                [mark],
            )
            for statement in trigger_statements(model):
                cursor.execute(statement)
