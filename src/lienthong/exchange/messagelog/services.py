"""Writing and verifying the message log.

    from lienthong.exchange.messagelog.services import Exchange, record, record_many

    record(Exchange(chain="api", direction="in", kind="api", service="registry.population.read",
                    client=system, request=body_bytes, response=answer_bytes, status=200))

`record` appends one entry in the caller's transaction (or its own); `record_many` appends a
batch to one chain under one lock of its head (a relay logging a batch of deliveries).
`verify()` walks every chain from its checkpoint and reports the first broken link.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from lienthong.core.context import current
from lienthong.exchange.messagelog import bodies
from lienthong.exchange.messagelog.models import LogChainHead, LogCheckpoint, MessageLogEntry

GENESIS = "0" * 64

#: The columns a hash covers, in this order (all but `id` and `hash`).
HASHED_FIELDS = (
    "chain",
    "seq",
    "created_at",
    "direction",
    "kind",
    "service",
    "operation",
    "client_id",
    "client_repr",
    "agency_id",
    "actor_repr",
    "subject",
    "correlation_id",
    "status",
    "outcome",
    "error",
    "duration_ms",
    "request_digest",
    "request_size",
    "response_digest",
    "response_size",
    "prev_hash",
)


@dataclass
class Exchange:
    """What one exchange was; `record` turns it into a chained entry.

    `request` and `response` are the bodies (bytes, str, or a JSON-ready object), stored out
    of line; `client` is a ClientSystem (or None), `agency` an OrgUnit or its id.
    """

    service: str
    chain: str = "api"
    direction: str = MessageLogEntry.Direction.INBOUND
    kind: str = "api"
    operation: str = ""
    client: Any = None
    agency: Any = None
    actor_repr: str = ""
    subject: str = ""
    correlation_id: str = ""
    status: int | None = None
    outcome: str = MessageLogEntry.Outcome.OK
    error: str = ""
    duration_ms: int | None = None
    request: Any = None
    response: Any = None
    at: datetime.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _body_bytes(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes | str):
        return body.encode() if isinstance(body, str) else body
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode()


def payload(values: dict[str, Any]) -> bytes:
    """The canonical bytes an entry's hash is computed over."""
    body = {name: values[name] for name in HASHED_FIELDS}
    body["created_at"] = values["created_at"].astimezone(datetime.UTC).isoformat()
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(payload(values)).hexdigest()


def _values(exchange: Exchange) -> dict[str, Any]:
    request_digest, request_size = bodies.store(_body_bytes(exchange.request))
    response_digest, response_size = bodies.store(_body_bytes(exchange.response))
    client = exchange.client
    agency = exchange.agency
    if agency is None and client is not None:
        agency = getattr(client, "agency_id", None)
    actor = exchange.actor_repr or current().via or ""
    return {
        "chain": exchange.chain,
        "created_at": exchange.at or timezone.now(),
        "direction": exchange.direction,
        "kind": exchange.kind[:20],
        "service": exchange.service[:200],
        "operation": exchange.operation[:200],
        "client_id": getattr(client, "pk", client),
        "client_repr": str(client)[:200] if client is not None else "",
        "agency_id": getattr(agency, "pk", agency),
        "actor_repr": actor[:200],
        "subject": exchange.subject[:200],
        "correlation_id": exchange.correlation_id[:100],
        "status": exchange.status,
        "outcome": exchange.outcome,
        "error": exchange.error[:500],
        "duration_ms": exchange.duration_ms,
        "request_digest": request_digest,
        "request_size": request_size,
        "response_digest": response_digest,
        "response_size": response_size,
    }


def record(exchange: Exchange) -> MessageLogEntry:
    """Append one entry to its chain. Call inside the transaction of the exchange's effect
    when it has one, so the entry and the effect commit (or vanish) together."""
    return record_many([exchange])[0]


def record_many(exchanges: Sequence[Exchange]) -> list[MessageLogEntry]:
    """Append entries, each to its chain, in the given order; one lock per chain."""
    prepared = [_values(exchange) for exchange in exchanges]
    entries: list[MessageLogEntry] = []
    with transaction.atomic():
        heads: dict[str, LogChainHead] = {}
        for values in prepared:
            chain = values["chain"]
            head = heads.get(chain)
            if head is None:
                head = _locked_head(chain)
                heads[chain] = head
            values["seq"] = head.count + 1
            values["prev_hash"] = head.last_hash
            values["hash"] = compute_hash(values)
            head.count, head.last_hash = values["seq"], values["hash"]
            entries.append(MessageLogEntry(**values))
        MessageLogEntry.objects.bulk_create(entries)
        for head in heads.values():
            head.save(update_fields=["count", "last_hash"])
    return entries


def _locked_head(chain: str) -> LogChainHead:
    head = LogChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        LogChainHead.objects.get_or_create(chain=chain, defaults={"last_hash": GENESIS})
        head = LogChainHead.objects.select_for_update().get(chain=chain)
    return head


# --- Verifying ------------------------------------------------------------------------------


@dataclass
class ChainCheck:
    """The result of walking one chain."""

    chain: str
    checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    problem: str = ""
    broken_at: int | None = None
    missing_bodies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem


def _entries(chain: str, batch: int) -> Iterator[MessageLogEntry]:
    last = 0
    while True:
        rows = list(
            MessageLogEntry.objects.filter(chain=chain, seq__gt=last).order_by("seq")[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain(chain: str, *, bodies_too: bool = False, batch: int = 2000) -> ChainCheck:
    """Walk one chain: every entry's hash recomputed, every link and seq in order, and the
    last entry equal to the head row. With `bodies_too`, every stored body re-hashed."""
    check = ChainCheck(chain=chain)
    checkpoint = LogCheckpoint.objects.filter(chain=chain).first()
    expected_seq = checkpoint.seq if checkpoint else 1
    expected_prev = checkpoint.prev_hash if checkpoint else GENESIS
    for entry in _entries(chain, batch):
        values = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry.seq != expected_seq:
            check.problem = f"entry {expected_seq} is missing (found {entry.seq})"
            check.broken_at = expected_seq
            return check
        if entry.prev_hash != expected_prev:
            check.problem = f"entry {entry.seq} does not link to the entry before it"
            check.broken_at = entry.seq
            return check
        if compute_hash(values) != entry.hash:
            check.problem = f"entry {entry.seq} was changed after it was written"
            check.broken_at = entry.seq
            return check
        if bodies_too:
            for digest in (entry.request_digest, entry.response_digest):
                data = bodies.load(digest)
                if data is None or (digest and bodies.digest_of(data) != digest):
                    check.missing_bodies.append(digest)
        check.first_seq = check.first_seq or entry.seq
        check.last_seq = entry.seq
        check.checked += 1
        expected_seq, expected_prev = entry.seq + 1, entry.hash
    head = LogChainHead.objects.filter(chain=chain).first()
    head_count = head.count if head else 0
    head_hash = head.last_hash if head else GENESIS
    if (expected_seq - 1, expected_prev) != (head_count, head_hash) and (
        head_count or check.checked
    ):
        check.problem = (
            f"the chain ends at entry {expected_seq - 1} but its head says {head_count}: "
            "entries were removed from the end"
        )
        check.broken_at = expected_seq
    elif check.missing_bodies:
        check.problem = f"{len(check.missing_bodies)} stored bodies are missing or changed"
    return check


def chains() -> list[str]:
    """Every chain that has a head row."""
    return list(LogChainHead.objects.order_by("chain").values_list("chain", flat=True))


def verify(*, only: Iterable[str] = (), bodies_too: bool = False) -> list[ChainCheck]:
    """Verify every chain (or those named)."""
    return [verify_chain(c, bodies_too=bodies_too) for c in (list(only) or chains())]


# --- Reading bodies -------------------------------------------------------------------------


def read_body(entry: MessageLogEntry, which: str, *, by: Any) -> bytes | None:
    """A stored body of an entry ("request" or "response"), the read audited (bodies can
    hold personal data). The caller has checked the permission (`access.can_read_bodies`)."""
    from lienthong.core.audit import record as audit_record
    from lienthong.core.audit import service

    if which not in ("request", "response"):
        raise ValueError(which)
    digest = entry.request_digest if which == "request" else entry.response_digest

    @service
    def _audit(*, by: Any) -> None:
        audit_record(
            "exchange.log.body_read",
            entry,
            after={"chain": entry.chain, "seq": entry.seq, "body": which, "digest": digest},
        )

    _audit(by=by)
    return bodies.load(digest)
