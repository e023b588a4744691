"""Writing and verifying the hash-chained audit log.

Every service function records its write with `audited(...)` (a context manager that also
opens the transaction) or `record(...)`. Rows are chained: each row's hash covers its content
and the previous row's hash, and a single head row holds the count and the last hash, so an
altered, removed or truncated row is found by `verify_chain()`.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from lienthong.core.context import current
from lienthong.core.models.audit import AuditChainHead, AuditEntry

GENESIS = "0" * 64


def to_jsonable(value: Any) -> Any:
    """Convert a model field value to something `json.dumps` writes the same way every time."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    return str(value)


def _resolve_actor(actor: Any) -> Any:
    if actor is not None:
        return actor
    user = current().user
    return user.resolve() if hasattr(user, "resolve") else user


def _entry_payload(entry: AuditEntry) -> bytes:
    """The canonical bytes a row's hash is computed over."""
    body = {
        "seq": entry.seq,
        "created_at": entry.created_at.astimezone(datetime.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_repr": entry.actor_repr,
        "org_unit_id": entry.org_unit_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_entry_payload(entry)).hexdigest()


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
    """Append one entry to the chain. Call inside the transaction that makes the write."""
    ctx = current()
    actor = _resolve_actor(actor)
    if org_unit is None and actor is not None:
        org_unit = getattr(actor, "org_unit", None)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    actor_repr = str(getattr(actor, "username", "") or "") if actor is not None else ctx.via
    with transaction.atomic():
        # Locking the head row serialises writers, so the chain has one order; on SQLite the
        # IMMEDIATE transaction already holds the database write lock.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"count": 0, "last_hash": GENESIS}
        )
        entry = AuditEntry(
            seq=head.count + 1,
            created_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_repr=actor_repr[:200],
            org_unit_id=getattr(org_unit, "pk", org_unit),
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:255],
            before=to_jsonable(before),
            after=to_jsonable(after),
            request_id=ctx.request_id,
            ip=ctx.ip,
            prev_hash=head.last_hash,
        )
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(count=entry.seq, last_hash=entry.hash)
    return entry


def snapshot(obj: models.Model | None) -> dict[str, Any] | None:
    """JSON snapshot of a row (via `AuditedModel.audit_snapshot` when the model has it)."""
    if obj is None or obj.pk is None:
        return None
    if hasattr(obj, "audit_snapshot"):
        return obj.audit_snapshot()
    from django.forms.models import model_to_dict

    return {k: to_jsonable(v) for k, v in {**model_to_dict(obj), "id": obj.pk}.items()}


@contextmanager
def audited(
    action: str, obj: models.Model, *, actor: Any = None, org_unit: Any = None
) -> Iterator[models.Model]:
    """Run a write in a transaction and record it with the row's before and after state.

        with audited("orgunit.rename", unit, actor=user):
            unit.name = new_name
            unit.save()
    """
    with transaction.atomic():
        before = snapshot(obj)
        yield obj
        deleted = obj.pk is None
        record(
            action,
            obj if not deleted else None,
            actor=actor,
            org_unit=org_unit,
            before=before,
            after=None if deleted else snapshot(obj),
            object_type=obj._meta.label_lower,
            object_id=str((before or {}).get("id", obj.pk)),
            object_repr=str(obj)[:255],
        )


@dataclasses.dataclass(frozen=True)
class ChainReport:
    """Outcome of `verify_chain`."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str = ""


def _iter_entries(batch: int = 2000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain() -> ChainReport:
    """Recompute every hash and link; report the first row that does not hold."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in _iter_entries():
        if entry.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                expected_seq,
                entry.id,
                f"row seq {expected_seq} is missing (next row found has seq {entry.seq})",
            )
        if entry.prev_hash != expected_prev:
            return ChainReport(
                False, checked, entry.seq, entry.id, "prev_hash does not match the row before"
            )
        if compute_hash(entry) != entry.hash:
            return ChainReport(
                False, checked, entry.seq, entry.id, "content does not match its hash (altered)"
            )
        checked += 1
        expected_prev = entry.hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_count = head.count if head else 0
    head_hash = head.last_hash if head else GENESIS
    if head_count != checked or head_hash != expected_prev:
        return ChainReport(
            False,
            checked,
            checked + 1,
            None,
            f"chain ends at seq {checked} but the head records {head_count} rows "
            "(rows removed from the end)",
        )
    return ChainReport(True, checked)
