"""Fixed statements for the hottest write paths, built once from the models' metadata.

Why not the ORM there: a workflow transition, an audit entry and an outbox event are a dozen
statements whose shape never changes, and building each one through the QuerySet machinery
costs several times what the database then spends running it (`bench/bench_workflow.py`: on
SQLite a one-row ORM query spends about 85 % of its time in Python, compiling the query and
building the instance). So those paths (`workflow.engine`, `core.audit.record`,
`exchange.outbox.publish`) read and write their rows through these helpers: the SQL text comes
from `Model._meta` (table and column names, quoted by the backend), values go through the
fields' own `get_db_prep_save` (time zones, JSON, UUIDs, IP addresses) on the way in and the
backend's and fields' converters on the way out — what the ORM does, minus the compiling.
Everything else (pages, the API, the admin) reads and writes through QuerySets as usual.
Decision record: docs/decisions/0011-hand-built-sql-on-hot-paths.md.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

M = TypeVar("M", bound=models.Model)

_Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]

_Prepare = Callable[[Any, BaseDatabaseWrapper], Any]

_statements: dict[tuple[Any, ...], tuple[str, list[_Prepare]]] = {}

#: Column types whose plain values (str, int, None) reach the driver unchanged through the ORM
#: too; preparing them through the field's method chain only costs time.
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "CharField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


_local = threading.local()
_raw_texts: dict[str, str] = {}


class _Session:
    """The cursor a block's statements run on, and whether it is the driver's own."""

    def __init__(self, db: BaseDatabaseWrapper) -> None:
        # Django's cursor wrapper logs and counts each statement when someone is looking
        # (DEBUG, `CaptureQueriesContext`, an execute wrapper); otherwise its per-statement
        # work (a regex over the SQL on SQLite, the wrappers) is skipped and the driver's
        # cursor used directly, with the backend's error translation kept.
        self.db = db
        self.raw = not (db.queries_logged or db.execute_wrappers)
        self.cursor: Any
        if not self.raw:
            self.cursor = db.cursor()
        elif db.vendor == "postgresql":
            import psycopg

            db.ensure_connection()
            # Server-side binding, unlike Django's own cursors: the values travel apart from
            # the text (no quoting them into it), and psycopg prepares a statement the
            # connection has run five times, so PostgreSQL stops parsing and planning it.
            self.cursor = psycopg.Cursor(db.connection)
        else:
            db.ensure_connection()
            self.cursor = db.connection.cursor()

    def execute(self, sql: str, params: Sequence[Any]) -> Any:
        if not self.raw:
            self.cursor.execute(sql, params)
            return self.cursor
        # What Django's cursor checks first: no statement in a transaction already doomed.
        self.db.validate_no_broken_transaction()
        if self.db.vendor == "sqlite":
            text = _raw_texts.get(sql)
            if text is None:
                # The statements here hold no literal "%": only placeholders to rewrite.
                text = _raw_texts[sql] = sql.replace("%s", "?")
            sql = text
        with self.db.wrap_database_errors:
            self.cursor.execute(sql, params)
        return self.cursor

    def close(self) -> None:
        self.cursor.close()


@contextmanager
def session() -> Iterator[None]:
    """Run the block's statements on one cursor (a workflow move opens one, not one per
    statement); nested blocks share the outer one."""
    if getattr(_local, "session", None) is not None:
        yield
        return
    current = _Session(connection())
    _local.session = current
    try:
        yield
    finally:
        _local.session = None
        current.close()


def _execute(sql: str, params: Sequence[Any]) -> Any:
    """Execute on the session's cursor (or a Django cursor of its own); returns the cursor."""
    current = getattr(_local, "session", None)
    if current is not None:
        return current.execute(sql, params)
    cursor = connection().cursor()
    cursor.execute(sql, params)
    return cursor


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run a statement that returns no rows; how many rows it changed."""
    return int(_execute(sql, list(params)).rowcount)


def connection() -> BaseDatabaseWrapper:
    """The connection these statements run on: the platform has one database."""
    # Inside a session, its own: `connections[...]` is a thread-local lookup through asgiref,
    # a few microseconds each, and a transition asks for it dozens of times.
    current = getattr(_local, "session", None)
    return current.db if current is not None else connections[DEFAULT_DB_ALIAS]


def quote(name: str | None) -> str:
    """A table or column name quoted for the backend."""
    assert name is not None
    return connection().ops.quote_name(name)


def literal(value: str) -> str:
    """A constant of the code (a status, never input) as an SQL string literal.

    Why not a parameter: when a condition on a bound value decides whether an index can be
    used (the partial index of open tasks, `WHERE status = 'open'`), SQLite compiles the
    statement again at every execution, to check; with the constant in the text it compiles
    once. Measured on the engine's lock query: 63 µs with `status = ?`, 12.5 µs without.
    """
    if not value.replace("_", "").isalnum():
        raise ValueError(f"not a plain constant: {value!r}")
    return f"'{value}'"


def _fields(model: type[models.Model], attnames: Sequence[str]) -> list[models.Field[Any, Any]]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


def _preparer(field: models.Field[Any, Any]) -> _Prepare:
    """How a value of this field is handed to the driver (as `get_db_prep_save` would)."""
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    prep: _Prepare = field.get_db_prep_save
    internal = target.get_internal_type()
    if internal == "DateTimeField" and type(target) is models.DateTimeField:

        def moment(value: Any, db: BaseDatabaseWrapper) -> Any:
            # An aware datetime passes `get_prep_value` unchanged, and the backend's
            # adaptation is then, on SQLite, the naive time in the connection's zone as text
            # (`str(timezone.make_naive(value, db.timezone))`), on PostgreSQL the value itself.
            if type(value) is datetime.datetime and value.tzinfo is not None:
                if db.vendor == "sqlite" and settings.USE_TZ:
                    return str(value.astimezone(db.timezone).replace(tzinfo=None))
                return db.ops.adapt_datetimefield_value(value)
            return prep(value, db)

        return moment
    if internal not in _PLAIN:
        return prep
    kind = int if ("Integer" in internal or "Auto" in internal) else str

    def plain(value: Any, db: BaseDatabaseWrapper) -> Any:
        if value is None or (isinstance(value, kind) and not isinstance(value, bool)):
            return value
        return prep(value, db)

    return plain


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    return pk.column


def insert(model: type[models.Model], values: dict[str, Any]) -> Any:
    """INSERT one row from {attname: Python value}; returns the new primary key."""
    db = connection()
    names = tuple(values)
    key = ("insert", db.vendor, model, names)
    statement = _statements.get(key)
    if statement is None:
        fields = _fields(model, names)
        sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
            quote(_pk_column(model)),
        )
        statement = _statements[key] = (sql, [_preparer(f) for f in fields])
    sql, preparers = statement
    params = [prep(value, db) for prep, value in zip(preparers, values.values(), strict=True)]
    row = _execute(sql, params).fetchone()
    return row[0]


def save_new(obj: models.Model) -> None:
    """INSERT a new instance built in Python, as `save(force_insert=True)` would store it.

    Each field's `pre_save` gives its value (a file not yet stored is stored, `auto_now`
    stamps), then one hand-built INSERT; the instance gets its key and is marked saved. No
    model signals are sent: keep this for models nothing listens to.
    """
    fields = [f for f in obj._meta.concrete_fields if not (f.primary_key and obj.pk is None)]
    values = {f.attname: f.pre_save(obj, True) for f in fields}
    pk = insert(type(obj), values)
    if obj.pk is None:
        obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection().alias


def update(
    model: type[models.Model],
    pk: Any,
    values: dict[str, Any],
    *,
    where: str = "",
    params: Sequence[Any] = (),
) -> int:
    """UPDATE row `pk` from {attname: Python value}, if the extra SQL `where` holds too;
    returns how many rows changed (0 or 1)."""
    db = connection()
    names = tuple(values)
    key = ("update", db.vendor, model, names, where)
    statement = _statements.get(key)
    if statement is None:
        fields = _fields(model, names)
        sql = "UPDATE {} SET {} WHERE {} = %s{}".format(
            quote(model._meta.db_table),
            ", ".join(f"{quote(f.column)} = %s" for f in fields),
            quote(_pk_column(model)),
            f" AND ({where})" if where else "",
        )
        statement = _statements[key] = (sql, [_preparer(f) for f in fields])
    sql, preparers = statement
    prepared = [prep(value, db) for prep, value in zip(preparers, values.values(), strict=True)]
    return int(_execute(sql, [*prepared, pk, *params]).rowcount)


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run a SELECT and return its rows as the driver gives them."""
    return list(_execute(sql, list(params)).fetchall())


class Reader(Generic[M]):
    """Turns the columns of one model in a result row into an instance, as the ORM would.

    `columns(alias)` is the SELECT list for that model's concrete fields; `build(values)`
    applies the backend's and the fields' converters (SQLite returns naive UTC datetimes,
    for one) and `Model.from_db`.
    """

    def __init__(self, model: type[M], attnames: Sequence[str] | None = None) -> None:
        self.model = model
        self.fields = (
            _fields(model, attnames) if attnames is not None else list(model._meta.concrete_fields)
        )
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._converters: dict[str, list[tuple[Any, list[_Converter]]]] = {}

    def columns(self, alias: str) -> str:
        """`alias."col1", alias."col2", …` in field order."""
        return ", ".join(f"{alias}.{quote(f.column)}" for f in self.fields)

    def _converters_for(self, db: BaseDatabaseWrapper) -> list[tuple[Any, list[_Converter]]]:
        converters = self._converters.get(db.vendor)
        if converters is None:
            converters = []
            for field in self.fields:
                column = field.get_col(self.model._meta.db_table)
                funcs = db.ops.get_db_converters(column) + field.get_db_converters(db)
                converters.append((column, funcs))
            self._converters[db.vendor] = converters
        return converters

    def convert(self, values: Sequence[Any]) -> list[Any]:
        """This model's slice of a row, as the field values the ORM would give."""
        db = connection()
        converted = []
        for value, (expression, funcs) in zip(values, self._converters_for(db), strict=True):
            for func in funcs:
                value = func(value, expression, db)
            converted.append(value)
        return converted

    def build(self, values: Sequence[Any]) -> M:
        """An instance from this model's slice of a row (all its fields)."""
        return self.model.from_db(connection().alias, self.attnames, self.convert(values))
