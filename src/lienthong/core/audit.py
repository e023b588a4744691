"""Writing and verifying the hash-chained audit log (nhật ký).

Every write done through a service function is recorded here: who (actor and org unit),
what (action, object, before/after JSON), from where (request id, IP). Rows are chained: each
row's SHA-256 hash covers its content and the previous row's hash, and one head row holds the
count and the last hash, so an altered, removed, reordered or truncated row is found by
`verify_chain()` (`lienthong audit verify`). Database triggers (migration 0003) reject UPDATE
and DELETE outright; the hashes catch whoever has the rights to drop the triggers.

How an app uses it — a service function, the `AuditedModel` mixin and `audited(...)`::

    from lienthong.core.audit import audited, service

    class Procedure(AuditedModel):                   # gives audit_snapshot()
        audit_exclude = ("body_html",)               # kept out of before/after

    @service
    def rename_procedure(procedure: Procedure, *, name: str, by: User) -> Procedure:
        \"\"\"Rename a procedure.\"\"\"
        check_permission(by, procedure)
        with audited("procedure.rename", procedure):  # before = the row as the DB has it
            procedure.name = name
            procedure.save(update_fields=["name"])
        return procedure                              # after = the row as the DB has it now

`@service` runs the function in one transaction and makes `by` the actor of every entry and
event written inside it, keeping the request id and IP set by `RequestContextMiddleware` (or
by `core.context.acting(...)` in commands). `audited(...)` handles create (the object has no
row yet: before is None), update and delete (the row is gone afterwards: after is None), and
records nothing if the block raises, because the whole transaction rolls back. Writes that do
not fit one object call `record(action, obj, before=..., after=...)` directly.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import functools
import hashlib
import ipaddress
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from django.db import connections, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core import sql
from lienthong.core.context import acting, current
from lienthong.core.models.audit import AuditChainHead, AuditEntry

GENESIS = "0" * 64
ACTION_MAX_LENGTH = 100
#: Field names never written to the log, whatever the model says.
ALWAYS_EXCLUDED = frozenset({"password"})
#: Tables whose triggers `append_only_guard_disabled` lifts; apps add theirs (`guard_tables`).
GUARDED_TABLES = ["core_auditentry", "core_auditchainhead"]
#: The triggers migration 0003 installs, per database.
GUARD_TRIGGERS = {
    "sqlite": (
        "core_auditchainhead_forward_only",
        "core_auditchainhead_no_delete",
        "core_auditentry_extends_chain",
        "core_auditentry_no_delete",
        "core_auditentry_no_update",
    ),
    "postgresql": (
        "core_auditchainhead_guard",
        "core_auditchainhead_no_truncate",
        "core_auditentry_append_only",
        "core_auditentry_no_truncate",
    ),
}

P = ParamSpec("P")
R = TypeVar("R")


# --- JSON snapshots -------------------------------------------------------------------------


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def to_jsonable(value: Any) -> Any:
    """Convert a model field value to something `json.dumps` writes the same way every time."""
    kind = type(value)
    # The common cases first, by exact type: every audited write and event comes through here.
    if kind in _PLAIN_TYPES:
        return value
    if kind is dict:
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, bytes | bytearray | memoryview):
        # Binary content is evidence by its digest; the bytes themselves would bloat the log.
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    return str(value)


def field_snapshot(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every concrete field of a row (foreign keys as `<name>_id`) and its many-to-many ids."""
    skip = ALWAYS_EXCLUDED | set(exclude)
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip or field.attname in skip:
            continue
        data[field.attname] = to_jsonable(field.value_from_object(obj))
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            if m2m.name not in skip:
                manager = getattr(obj, m2m.attname)
                data[m2m.name] = sorted(manager.values_list("pk", flat=True))
    return data


def snapshot(obj: models.Model | None) -> dict[str, Any] | None:
    """JSON snapshot of an in-memory row (via `AuditedModel.audit_snapshot` when it has one)."""
    if obj is None:
        return None
    audit_snapshot = getattr(obj, "audit_snapshot", None)
    if callable(audit_snapshot):
        result: dict[str, Any] = audit_snapshot()
        return result
    return field_snapshot(obj)


def stored_snapshot(obj: models.Model) -> dict[str, Any] | None:
    """Snapshot of the row as the database holds it now (None when there is no row).

    Reading it back rather than trusting the instance matters: `save()` may have written
    expressions (`F("n") + 1`), defaults or only some fields, and the caller may have changed
    the instance before asking for `before`. The row is locked so nobody changes it meanwhile.
    """
    if obj.pk is None:
        return None
    manager = type(obj)._base_manager
    fresh = manager.select_for_update().filter(pk=obj.pk).first()
    return snapshot(fresh) if fresh is not None else None


# --- Canonical form and hash ----------------------------------------------------------------


def _canonical_json(value: Any) -> Any:
    """JSON as it reads back from either database: integral floats become integers.

    PostgreSQL's jsonb keeps numbers as numerics, so 1e20 written from Python comes back as
    the integer 100000000000000000000; hashing the normalised form keeps both sides equal.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_json(v) for v in value]
    return value


@functools.lru_cache(maxsize=1024)
def canonical_ip(value: str | None) -> str | None:
    """One spelling per address (PostgreSQL's inet rewrites what it is given); None if bad."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


#: The columns a row's hash covers (every column but `id` and `hash` itself).
HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_repr",
    "org_unit_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "request_id",
    "ip",
    "prev_hash",
)


def _payload(values: Mapping[str, Any]) -> bytes:
    """The canonical bytes a row's hash is computed over, from its column values."""
    body = {
        "seq": values["seq"],
        "created_at": values["created_at"].astimezone(datetime.UTC).isoformat(),
        "actor_id": values["actor_id"],
        "actor_repr": values["actor_repr"],
        "org_unit_id": values["org_unit_id"],
        "action": values["action"],
        "object_type": values["object_type"],
        "object_id": values["object_id"],
        "object_repr": values["object_repr"],
        "before": _canonical_json(values["before"]),
        "after": _canonical_json(values["after"]),
        "request_id": values["request_id"],
        "ip": canonical_ip(values["ip"]),
        "prev_hash": values["prev_hash"],
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _entry_payload(entry: AuditEntry) -> bytes:
    """The canonical bytes a row's hash is computed over."""
    return _payload({name: getattr(entry, name) for name in HASHED_FIELDS})


def compute_hash(entry: AuditEntry) -> str:
    """SHA-256 of the row's canonical form, which includes the previous row's hash."""
    return hashlib.sha256(_entry_payload(entry)).hexdigest()


# --- Writing --------------------------------------------------------------------------------


def _resolve_actor(actor: Any) -> Any:
    if actor is not None:
        return actor
    user = current().user
    return user.resolve() if hasattr(user, "resolve") else user


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    actor: Any = None,
    org_unit: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry to the chain. Call inside the transaction that makes the write.

    The actor defaults to the user of the actor context, the org unit to the actor's unit.
    """
    if not action or len(action) > ACTION_MAX_LENGTH:
        raise ValueError(f"audit action must be 1–100 characters, got {action!r}")
    ctx = current()
    actor = _resolve_actor(actor)
    if org_unit is None and actor is not None:
        org_unit = getattr(actor, "org_unit_id", None)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    actor_repr = str(getattr(actor, "username", "") or "") if actor is not None else ctx.via
    # No savepoint of its own: a failure here must fail the caller's whole transaction anyway.
    # The statements are built once (`core.sql`): through the ORM, appending an entry cost
    # three times the database's own work (docs/decisions/0011-hand-built-sql-on-hot-paths.md).
    with transaction.atomic(savepoint=False), sql.session():
        # Locking the head row serialises writers, so the chain has one order; on SQLite the
        # IMMEDIATE transaction already holds the database write lock.
        count, last_hash = _locked_head()
        values: dict[str, Any] = {
            "seq": count + 1,
            "created_at": timezone.now(),
            "actor_id": getattr(actor, "pk", None),
            "actor_repr": actor_repr[:200],
            "org_unit_id": getattr(org_unit, "pk", org_unit),
            "action": action,
            "object_type": object_type[:100],
            "object_id": object_id[:64],
            "object_repr": object_repr[:255],
            "before": to_jsonable(before),
            "after": to_jsonable(after),
            "request_id": (ctx.request_id or "")[:64],
            "ip": canonical_ip(ctx.ip),
            "prev_hash": last_hash,
        }
        values["hash"] = hashlib.sha256(_payload(values)).hexdigest()
        pk = sql.insert(AuditEntry, values)
        sql.update(AuditChainHead, 1, {"count": values["seq"], "last_hash": values["hash"]})
    row = {"id": pk, **values}
    alias = sql.connection().alias
    return AuditEntry.from_db(alias, _ENTRY_ATTNAMES, [row[name] for name in _ENTRY_ATTNAMES])


_ENTRY_ATTNAMES = [field.attname for field in AuditEntry._meta.concrete_fields]
_head_statements: dict[str, tuple[str, str]] = {}


def _head_sql() -> tuple[str, str]:
    """The statements that lock the head row and, where it is missing, create it."""
    db = sql.connection()
    statements = _head_statements.get(db.vendor)
    if statements is None:
        q = sql.quote
        table = q(AuditChainHead._meta.db_table)
        select = f"SELECT {q('count')}, {q('last_hash')} FROM {table} WHERE {q('id')} = 1"
        if db.features.has_select_for_update:
            select += " FOR UPDATE"
        create = (
            f"INSERT INTO {table} ({q('id')}, {q('count')}, {q('last_hash')}) "
            f"VALUES (1, 0, %s) ON CONFLICT ({q('id')}) DO NOTHING"
        )
        statements = _head_statements[db.vendor] = (select, create)
    return statements


def _locked_head() -> tuple[int, str]:
    """The chain's length and last hash, with the head row locked until the transaction ends."""
    select, create = _head_sql()
    rows = sql.fetch(select, [])
    if not rows:
        # Migration 0003 creates the row; only a database emptied by hand lacks it.
        sql.execute(create, [GENESIS])
        rows = sql.fetch(select, [])
    count, last_hash = rows[0]
    return int(count), str(last_hash)


@contextmanager
def audited(
    action: str, obj: models.Model, *, actor: Any = None, org_unit: Any = None
) -> Iterator[models.Model]:
    """Run a write in a transaction and record it with the row's before and after state.

        with audited("orgunit.rename", unit, actor=user):
            unit.name = new_name
            unit.save()

    An object without a row before the block is a create (before is None); an object whose
    row is gone after it is a delete (after is None).
    """
    with transaction.atomic():
        before = stored_snapshot(obj)
        pk_before = obj.pk
        yield obj
        # delete() sets pk to None; a queryset delete leaves it, so look for the row itself.
        pk = obj.pk if obj.pk is not None else pk_before
        after = stored_snapshot(obj) if obj.pk is not None else None
        record(
            action,
            actor=actor,
            org_unit=org_unit,
            before=before,
            after=after,
            object_type=obj._meta.label_lower,
            object_id="" if pk is None else str(pk),
            object_repr=str(obj),
        )


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Make a function a service: one transaction, and its `by` keyword is the actor.

    Entries recorded inside take the actor from the context, so the body does not pass
    `actor=` around; the request id and IP of the enclosing request (or
    command) are kept, and one is fixed here if there was none, so every entry of the call
    shares it.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx = current()
        by = kwargs.get("by")
        user = by if by is not None else ctx.user
        with (
            acting(request_id=ctx.request_id, ip=ctx.ip, user=user, via=ctx.via),
            transaction.atomic(),
        ):
            return func(*args, **kwargs)

    return wrapper


# --- Verifying ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChainReport:
    """Outcome of `verify_chain`: `code` names the kind of damage, `reason` explains it."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    code: str = ""
    reason: str = ""


def head_state() -> tuple[int, str]:
    """The chain's length and last hash as the head row records them."""
    head = AuditChainHead.objects.filter(pk=1).values_list("count", "last_hash").first()
    return head if head is not None else (0, GENESIS)


def _iter_entries(upto: int, batch: int) -> Iterator[AuditEntry]:
    """Rows with seq <= upto in chain order, `batch` at a time (never the whole table)."""
    qs = AuditEntry.objects.filter(seq__lte=upto).order_by("seq")
    rows = list(qs[:batch])
    while rows:
        yield from rows
        if len(rows) < batch:
            return
        rows = list(qs.filter(seq__gt=rows[-1].seq)[:batch])


def verify_chain(*, anchors: Iterable[tuple[int, str]] = (), batch: int = 2000) -> ChainReport:
    """Recompute every hash and link up to the head; report the first row that does not hold.

    The head is read first, so rows appended while this runs are not mistaken for damage.
    `anchors` are (seq, hash) pairs kept somewhere else (`lienthong audit head`): they catch
    someone who rewrote the tail and the head together.
    """
    expected_at = dict(anchors)
    head_count, head_hash = head_state()
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    last_id: int | None = None
    for entry in _iter_entries(head_count, batch):
        if entry.seq > expected_seq:
            return ChainReport(
                False,
                checked,
                expected_seq,
                entry.id,
                "missing",
                _("Thiếu bản ghi số %(seq)d (bản ghi kế tiếp là số %(next)d, id %(id)d).")
                % {"seq": expected_seq, "next": entry.seq, "id": entry.id},
            )
        if entry.seq < expected_seq:
            return ChainReport(
                False,
                checked,
                entry.seq,
                entry.id,
                "inserted",
                _("Bản ghi số %(seq)d (id %(id)d) nằm ngoài chuỗi: bị chèn thêm.")
                % {"seq": entry.seq, "id": entry.id},
            )
        if compute_hash(entry) != entry.hash:
            return ChainReport(
                False,
                checked,
                entry.seq,
                entry.id,
                "altered",
                _(
                    "Bản ghi số %(seq)d (id %(id)d) không khớp mã băm của nó: "
                    "nội dung hoặc thứ tự đã bị sửa."
                )
                % {"seq": entry.seq, "id": entry.id},
            )
        if entry.prev_hash != expected_prev:
            return ChainReport(
                False,
                checked,
                entry.seq,
                entry.id,
                "relinked",
                _(
                    "Bản ghi số %(seq)d (id %(id)d) không nối với bản ghi trước nó: "
                    "chuỗi đã bị cắt ghép hoặc tính lại."
                )
                % {"seq": entry.seq, "id": entry.id},
            )
        if entry.seq in expected_at and entry.hash != expected_at[entry.seq]:
            return ChainReport(
                False,
                checked,
                entry.seq,
                entry.id,
                "anchor",
                _("Bản ghi số %(seq)d (id %(id)d) khác mã băm đã lưu giữ bên ngoài.")
                % {"seq": entry.seq, "id": entry.id},
            )
        checked += 1
        expected_prev = entry.hash
        expected_seq += 1
        last_id = entry.id
    if checked < head_count:
        return ChainReport(
            False,
            checked,
            checked + 1,
            None,
            "truncated",
            _(
                "Chuỗi dừng ở bản ghi số %(checked)d nhưng đầu chuỗi ghi %(head)d bản ghi: "
                "các bản ghi cuối đã bị xoá."
            )
            % {"checked": checked, "head": head_count},
        )
    if expected_prev != head_hash:
        return ChainReport(
            False,
            checked,
            checked,
            last_id,
            "head_mismatch",
            _(
                "Mã băm ở đầu chuỗi không khớp bản ghi cuối (số %(seq)d): "
                "bản ghi cuối hoặc đầu chuỗi đã bị thay."
            )
            % {"seq": checked},
        )
    beyond = [seq for seq in expected_at if seq > head_count]
    if beyond:
        return ChainReport(
            False,
            checked,
            head_count + 1,
            None,
            "anchor",
            _(
                "Chuỗi chỉ có %(head)d bản ghi nhưng mốc lưu giữ bên ngoài là số %(seq)d: "
                "phần cuối chuỗi đã bị cắt."
            )
            % {"head": head_count, "seq": min(beyond)},
        )
    # Rows past the head are either being written right now (then the head, read again after
    # them, covers them) or were slipped in without moving the head.
    last_row = AuditEntry.objects.order_by("-seq").values_list("seq", "id").first()
    if last_row is not None and last_row[0] > head_state()[0]:
        return ChainReport(
            False,
            checked,
            last_row[0],
            last_row[1],
            "inserted",
            _("Bản ghi số %(seq)d (id %(id)d) nằm sau đầu chuỗi: bị chèn thêm.")
            % {"seq": last_row[0], "id": last_row[1]},
        )
    return ChainReport(True, checked)


# --- Maintenance ----------------------------------------------------------------------------


def missing_guards(using: str = "default") -> list[str]:
    """Append-only triggers that are absent or disabled (empty when the log is protected).

    Worth checking after any schema change: SQLite rebuilds a table for many ALTERs, and the
    rebuilt table has no triggers until someone adds them again.
    """
    connection = connections[using]
    expected = GUARD_TRIGGERS.get(connection.vendor, ())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
        else:
            return []
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in expected if name not in present]


def guard_tables(*tables: str) -> None:
    """Have `append_only_guard_disabled` (and so `flush`) lift these tables' triggers too:
    for apps with append-only tables of their own (the exchange message log)."""
    GUARDED_TABLES.extend(table for table in tables if table not in GUARDED_TABLES)


@contextmanager
def append_only_guard_disabled(using: str = "default") -> Iterator[None]:
    """Lift the append-only triggers for one transaction (flushing a database, bulk loads).

    For whoever owns the database anyway — tests' `flush`, benchmarks. The triggers come
    back before the transaction commits; if the block fails, the rollback restores them.
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in GUARDED_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            for table in GUARDED_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            # SQLite cannot disable a trigger: drop it and recreate it from its own SQL.
            placeholders = ", ".join("%s" for _table in GUARDED_TABLES)
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                f"AND tbl_name IN ({placeholders}) ORDER BY name",
                list(GUARDED_TABLES),
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            yield
