"""The transactional outbox: `publish` in the writer's transaction, `relay_pending` after commit.

A service writes its change and its event in one transaction::

    @service
    def receive_dossier(..., by: User) -> Dossier:
        with audited("dossier.receive", dossier):
            dossier.save()
        publish("dossier.received", subject=dossier.code, data={"id": dossier.pk})

If the transaction rolls back, the event never existed. After commit the relay hands it to
every matching consumer (`registry.handler`), at least once: a crash between a handler's work
and the event being marked delivered means it is offered again. Each handler runs in its own
transaction together with inserting `ProcessedEvent(consumer, event_id)`, so a consumer that
already handled the event is skipped, and a failed handler does not re-run the ones that
succeeded. A failed event is retried with exponential backoff and marked DEAD after
`OUTBOX_MAX_ATTEMPTS`; `lienthong outbox replay` puts it back.

Claiming takes a lease (the event's `next_attempt_at` is pushed `OUTBOX_LEASE_SECONDS` ahead,
with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, under SQLite's write lock otherwise), so
two workers never take the same event while the lease runs, and a worker that dies mid-event
only delays it. `lienthong worker` is the guaranteed path; with `OUTBOX_RELAY_IN_PROCESS` the
web process also wakes a relay thread on commit, so events go out without waiting for a poll.

Settings (in `settings.LIENTHONG`): OUTBOX_BATCH, OUTBOX_MAX_ATTEMPTS, OUTBOX_RETRY_BASE_SECONDS,
OUTBOX_RETRY_MAX_SECONDS, OUTBOX_LEASE_SECONDS, OUTBOX_POLL_SECONDS, OUTBOX_RELAY_IN_PROCESS,
EVENT_SOURCE.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from lienthong.core import sql
from lienthong.core.audit import to_jsonable
from lienthong.core.context import acting
from lienthong.exchange.models import OutboxEvent, ProcessedEvent, new_event_id
from lienthong.exchange.registry import CloudEvent, Handler, HandlerRegistry, registry

logger = logging.getLogger("lienthong.exchange.outbox")

_EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

DEFAULTS: dict[str, Any] = {
    "OUTBOX_BATCH": 200,
    "OUTBOX_MAX_ATTEMPTS": 10,
    "OUTBOX_RETRY_BASE_SECONDS": 30,
    "OUTBOX_RETRY_MAX_SECONDS": 6 * 3600,
    "OUTBOX_LEASE_SECONDS": 300,
    "OUTBOX_POLL_SECONDS": 1.0,
    "OUTBOX_RELAY_IN_PROCESS": False,
    "EVENT_SOURCE": "/lienthong",
}


def setting(name: str) -> Any:
    """An outbox setting from `settings.LIENTHONG`, else its default."""
    return getattr(settings, "LIENTHONG", {}).get(name, DEFAULTS[name])


class TransactionRequired(RuntimeError):
    """`publish` was called outside a transaction, where it could not be atomic with a write."""


def in_transaction(using: str = "default") -> bool:
    """Whether code runs inside an atomic block of its own (not only a test case's wrapper).

    Test cases wrap each test in a transaction; ignoring those keeps a service that forgot
    its transaction failing in tests exactly as it would in production.
    """
    blocks = connections[using].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


# --- Publishing -----------------------------------------------------------------------------


def publish(
    event_type: str,
    subject: str = "",
    data: Mapping[str, Any] | None = None,
    *,
    source: str | None = None,
) -> OutboxEvent:
    """Write an event (CloudEvents 1.0 shape) in the caller's transaction.

    Must run inside `transaction.atomic()` (a `@service` provides one): a bare call would
    commit the event on its own, and then it could outlive a write that rolls back.
    """
    if not in_transaction():
        raise TransactionRequired(
            "publish() must run inside transaction.atomic() (or a @service) so the event "
            "commits or rolls back with the change it announces"
        )
    if not _EVENT_TYPE.match(event_type) or len(event_type) > 120:
        raise ValueError(f"event type {event_type!r} must look like 'dossier.received'")
    if len(subject) > 200:
        raise ValueError("event subject must be at most 200 characters")
    payload = to_jsonable(dict(data or {}))
    # Fail here, in the writer, rather than in the relay or a consumer in another system.
    json.dumps(payload, allow_nan=False)
    now = timezone.now()
    values: dict[str, Any] = {
        "event_id": new_event_id(),
        "type": event_type,
        "source": source or setting("EVENT_SOURCE"),
        "subject": subject,
        "time": now,
        "data": payload,
        "status": OutboxEvent.Status.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "delivered_at": None,
        "last_error": "",
    }
    # A statement built once (`core.sql`): every service publishes, and the ORM's create cost
    # twice the insert itself (docs/decisions/0011-hand-built-sql-on-hot-paths.md).
    values["id"] = sql.insert(OutboxEvent, values)
    if setting("OUTBOX_RELAY_IN_PROCESS"):
        transaction.on_commit(in_process_relay.wake)
    return OutboxEvent.from_db(
        sql.connection().alias, _EVENT_ATTNAMES, [values[name] for name in _EVENT_ATTNAMES]
    )


_EVENT_ATTNAMES = [field.attname for field in OutboxEvent._meta.concrete_fields]


# --- Relaying -------------------------------------------------------------------------------


@dataclass
class RelayResult:
    """What one relay pass did."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0

    def __iadd__(self, other: RelayResult) -> RelayResult:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        return self


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before the next attempt after `attempts` failures: base·2^(n-1), capped."""
    base = float(setting("OUTBOX_RETRY_BASE_SECONDS"))
    cap = float(setting("OUTBOX_RETRY_MAX_SECONDS"))
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _claim_next(now: datetime.datetime) -> OutboxEvent | None:
    """Take the oldest due event under a lease; kill one whose last attempt never finished."""
    max_attempts = int(setting("OUTBOX_MAX_ATTEMPTS"))
    lease = datetime.timedelta(seconds=float(setting("OUTBOX_LEASE_SECONDS")))
    with transaction.atomic():
        while True:
            # SKIP LOCKED lets a second worker take the next event instead of queueing on
            # this one; SQLite ignores it and serialises claims on its write lock instead.
            event = OutboxEvent.objects.pending(at=now).select_for_update(skip_locked=True).first()
            if event is None:
                return None
            event.attempts += 1
            if event.attempts > max_attempts:
                # Its last lease ran out without a result: the worker died on it.
                event.status = OutboxEvent.Status.DEAD
                event.last_error = (event.last_error + "\n" if event.last_error else "") + (
                    "lease expired: the relay stopped while handling this event"
                )
                event.save(update_fields=["attempts", "status", "last_error"])
                logger.error("outbox event %s died with its lease", event.event_id)
                continue
            event.next_attempt_at = now + lease
            event.save(update_fields=["attempts", "next_attempt_at"])
            return event


def _run_handler(handler: Handler, event: CloudEvent, event_id: Any) -> bool:
    """Run one consumer in its own transaction; False if it had already handled the event."""
    with (
        acting(request_id=str(event_id).replace("-", ""), via=f"outbox:{handler.consumer}"),
        transaction.atomic(),
    ):
        try:
            with transaction.atomic():
                ProcessedEvent.objects.create(consumer=handler.consumer, event_id=event_id)
        except IntegrityError:
            return False
        handler.func(event)
        return True


def _deliver(event: OutboxEvent, handlers: HandlerRegistry, now: datetime.datetime) -> str:
    """Offer a claimed event to its consumers and record the outcome; returns the status."""
    cloud = CloudEvent.from_outbox(event)
    errors: list[str] = []
    for handler in handlers.matching(event.type):
        try:
            _run_handler(handler, cloud, event.event_id)
        except Exception as exc:
            logger.exception("consumer %s failed on event %s", handler.consumer, event.event_id)
            errors.append(f"{handler.consumer}: {type(exc).__name__}: {exc}")
    # Only the holder of this attempt finishes it: if the lease ran out and another worker
    # claimed the event meanwhile, `attempts` moved on and this update matches nothing.
    mine = OutboxEvent.objects.filter(
        pk=event.pk, attempts=event.attempts, status=OutboxEvent.Status.PENDING
    )
    if not errors:
        mine.update(status=OutboxEvent.Status.DELIVERED, delivered_at=now, last_error="")
        return OutboxEvent.Status.DELIVERED
    message = "\n".join(errors)[:4000]
    if event.attempts >= int(setting("OUTBOX_MAX_ATTEMPTS")):
        mine.update(status=OutboxEvent.Status.DEAD, last_error=message)
        logger.error("outbox event %s is dead after %d attempts", event.event_id, event.attempts)
        return OutboxEvent.Status.DEAD
    mine.update(next_attempt_at=now + backoff(event.attempts), last_error=message)
    return OutboxEvent.Status.PENDING


def relay_pending(
    *,
    limit: int | None = None,
    now: datetime.datetime | None = None,
    handlers: HandlerRegistry | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> RelayResult:
    """Relay up to `limit` due events, one at a time; call outside any transaction.

    `now` pins the clock (tests); `should_stop` is asked between events, so a stopping worker
    finishes the event in hand and no more.
    """
    limit = limit or int(setting("OUTBOX_BATCH"))
    handlers = handlers if handlers is not None else registry
    result = RelayResult()
    while result.claimed < limit and not should_stop():
        moment = now or timezone.now()
        event = _claim_next(moment)
        if event is None:
            break
        result.claimed += 1
        status = _deliver(event, handlers, moment)
        if status == OutboxEvent.Status.DELIVERED:
            result.delivered += 1
        elif status == OutboxEvent.Status.DEAD:
            result.dead += 1
        else:
            result.retried += 1
    return result


# --- In-process relay -----------------------------------------------------------------------


class InProcessRelay:
    """A daemon thread in the web process that relays soon after each commit that publishes.

    A convenience for one-machine deployments: the worker stays the guaranteed path, and
    this thread also polls so that retries come due without a new commit.
    """

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.passes = 0

    def wake(self) -> None:
        """Start the thread if needed and make it relay now."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="lienthong-outbox-relay", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after the event in hand (tests, shutdown)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            self._wake.set()
            thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.wait(timeout=float(setting("OUTBOX_POLL_SECONDS")))
                self._wake.clear()
                if self._stop.is_set():
                    break
                try:
                    while relay_pending(should_stop=self._stop.is_set).claimed:
                        pass
                except Exception:
                    logger.exception("in-process outbox relay pass failed")
                finally:
                    self.passes += 1
                    # This thread's connection; idle threads should not pin one open.
                    connection.close()
        finally:
            connection.close()


in_process_relay = InProcessRelay()
