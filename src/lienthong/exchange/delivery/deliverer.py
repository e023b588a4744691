"""The delivery loop (`lienthong deliver`): outbox → webhooks and NATS JetStream.

Not the per-event relay of `exchange.outbox` (one transaction per event): each destination
keeps a cursor over `OutboxEvent.id` — a subscription its `position`, the NATS bridge a
`DeliveryCursor` row — reads a batch in id order up to the safe horizon (`horizon.py`),
sends, then advances the cursor and logs the batch in the message log in one transaction.

At least once: a crash after a send and before the cursor moved sends the same events again,
with the same CloudEvent `id` (webhook receivers dedupe by it; JetStream drops a re-publish
by `Nats-Msg-Id`). In order per subscription: a subscription's events go one after another
in outbox order; a failing event holds up only its subscription, retried with exponential
backoff, and after `DELIVERY_MAX_ATTEMPTS` goes to the dead letters so the rest flow.

Run one `lienthong deliver` per database: two would each send every event.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.db.models import F, Min
from django.utils import timezone

from lienthong.exchange.delivery.conf import nats_url, setting
from lienthong.exchange.delivery.horizon import Horizon
from lienthong.exchange.delivery.models import DeadLetter, DeliveryCursor, Subscription
from lienthong.exchange.delivery.nats_bridge import NatsBridge, NatsUnavailable
from lienthong.exchange.delivery.services import granted
from lienthong.exchange.delivery.webhook import Outcome, WebhookSender, event_body
from lienthong.exchange.messagelog.services import Exchange, record_many
from lienthong.exchange.models import OutboxEvent

logger = logging.getLogger("lienthong.exchange.delivery")

_FIELDS = ("id", "event_id", "type", "source", "subject", "time", "data")


def cloudevent(row: tuple[Any, ...]) -> dict[str, Any]:
    """An outbox row (`_FIELDS`) as a CloudEvents 1.0 JSON object.

    `sequence` (the CloudEvents sequence extension) is the outbox id: it grows with every
    event, so a receiver can order what it got, a replayed dead letter included.
    """
    id_, event_id, type_, source, subject, at, data = row
    return {
        "specversion": "1.0",
        "id": str(event_id),
        "type": type_,
        "source": source,
        "subject": subject,
        "time": at.isoformat(),
        "datacontenttype": "application/json",
        "sequence": str(id_),
        "data": data,
    }


def backoff(attempts: int) -> datetime.timedelta:
    """Wait after `attempts` failures: base·2^(n-1), capped."""
    base = float(setting("DELIVERY_RETRY_BASE_SECONDS"))
    cap = float(setting("DELIVERY_RETRY_MAX_SECONDS"))
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


@dataclass
class PassResult:
    """What one pass of the loop did."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    published: int = 0
    duplicates: int = 0
    replayed: int = 0
    #: Some destination stopped at its batch limit: there is more to do right away.
    more: bool = False

    def __iadd__(self, other: PassResult) -> PassResult:
        for name in ("delivered", "failed", "dead", "published", "duplicates", "replayed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def busy(self) -> bool:
        return self.more or bool(self.delivered or self.published or self.replayed)


def _webhook_entry(sub: Subscription, event: dict[str, Any], body: bytes, out: Outcome) -> Exchange:
    return Exchange(
        chain="webhook",
        direction="out",
        kind="webhook",
        service=f"event.{event['type']}",
        operation=sub.url[:200],
        client=sub.client,
        subject=event.get("subject", ""),
        correlation_id=event["id"],
        status=out.status,
        outcome="ok" if out.ok else "error",
        error=out.error,
        duration_ms=out.duration_ms,
        request=body,
        response=out.response,
    )


class Deliverer:
    """One delivery process: the horizon, a connection per receiver, the NATS bridge."""

    def __init__(
        self,
        *,
        batch: int | None = None,
        bridge: NatsBridge | None = None,
        use_nats: bool = True,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.batch = int(batch or setting("DELIVERY_BATCH"))
        self.sender = WebhookSender(float(setting("DELIVERY_HTTP_TIMEOUT")))
        url = nats_url()
        self.bridge = bridge or (NatsBridge(url) if use_nats and url else None)
        self.should_stop = should_stop
        self.horizon: Horizon | None = None
        self._nats_failures = 0
        self._nats_next_try = 0.0
        self._granted: dict[tuple[int, str], bool] = {}

    # --- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event, interval: float | None = None) -> PassResult:
        """Pass after pass until `stop` is set; sleeps `interval` when there was nothing."""
        interval = float(interval or setting("DELIVERY_POLL_SECONDS"))
        self.should_stop = stop.is_set
        total = PassResult()
        try:
            while not stop.is_set():
                if not connection.in_atomic_block:
                    close_old_connections()
                try:
                    result = self.run_once()
                except Exception:
                    # A lost database or a receiver's odd answer must not end a loop that
                    # runs for months: nothing moved, so the next pass starts over.
                    logger.exception("deliver: a pass failed; trying again")
                    connection.close()
                    self.horizon = None
                    stop.wait(interval)
                    continue
                total += result
                if not result.busy:
                    stop.wait(interval)
        finally:
            self.close()
        return total

    def close(self) -> None:
        self.sender.close()
        if self.bridge is not None:
            self.bridge.shutdown()

    def _start_horizon(self) -> Horizon:
        positions = [
            Subscription.objects.active().aggregate(low=Min("position"))["low"],
            DeliveryCursor.objects.aggregate(low=Min("position"))["low"],
        ]
        known = [p for p in positions if p is not None]
        return Horizon(start=min(known) if known else 0)

    def run_once(self) -> PassResult:
        """One pass: NATS, queued replays, then every due subscription."""
        if self.horizon is None:
            self.horizon = self._start_horizon()
        safe = self.horizon.advance()
        self._granted.clear()
        result = PassResult()
        if self.bridge is not None and time.monotonic() >= self._nats_next_try:
            self._pump_nats(safe, result)
        self._replays(result)
        now = timezone.now()
        due = (
            Subscription.objects.active()
            .filter(next_attempt_at__lte=now, position__lt=safe)
            .select_related("client")
        )
        for sub in due:
            if self.should_stop():
                break
            self._deliver(sub, safe, result)
        return result

    # --- webhooks ---------------------------------------------------------------------------

    def _allowed(self, sub: Subscription, event_type: str) -> bool:
        """The subscription takes the type and its client still holds the grant."""
        key = (sub.pk, event_type)
        allowed = self._granted.get(key)
        if allowed is None:
            allowed = granted(sub.client, event_type) or any(
                "*" in pattern and fnmatchcase(event_type, pattern) and granted(sub.client, pattern)
                for pattern in sub.types
            )
            self._granted[key] = allowed
        return allowed

    def _deliver(self, sub: Subscription, safe: int, result: PassResult) -> None:
        rows = list(
            OutboxEvent.objects.filter(id__gt=sub.position, id__lte=safe)
            .order_by("id")
            .values_list(*_FIELDS)[: self.batch]
        )
        position, attempts, error = sub.position, sub.attempts, ""
        entries: list[Exchange] = []
        dead: list[DeadLetter] = []
        delivered = 0
        failed = False
        for row in rows:
            if self.should_stop():
                break
            if not sub.matches(row[2]) or not self._allowed(sub, row[2]):
                position = row[0]
                continue
            event = cloudevent(row)
            body = event_body(event)
            outcome = self.sender.post(sub.url, body, sub.secret, event["id"])
            entries.append(_webhook_entry(sub, event, body, outcome))
            if outcome.ok:
                position, attempts, delivered = row[0], 0, delivered + 1
                continue
            attempts += 1
            error = outcome.error
            if attempts >= int(setting("DELIVERY_MAX_ATTEMPTS")):
                dead.append(
                    DeadLetter(
                        subscription=sub,
                        outbox_id=row[0],
                        event_id=row[1],
                        type=row[2],
                        subject=row[4],
                        event=event,
                        attempts=attempts,
                        last_error=error,
                    )
                )
                position, attempts = row[0], 0
            else:
                failed = True
            # After a failure the receiver gets a rest, whatever became of the event.
            break
        now = timezone.now()
        changes: dict[str, Any] = {
            "position": position,
            "attempts": attempts,
            "last_error": error,
            "next_attempt_at": now + backoff(attempts) if failed else now,
        }
        if delivered:
            changes["delivered_count"] = F("delivered_count") + delivered
            changes["last_delivered_at"] = now
        with transaction.atomic():
            if entries:
                record_many(entries)
            if dead:
                DeadLetter.objects.bulk_create(dead, ignore_conflicts=True)
            Subscription.objects.filter(pk=sub.pk).update(**changes)
        if dead:
            logger.error(
                "subscription %s: event %s is dead after %d attempts: %s",
                sub.pk,
                dead[0].event_id,
                dead[0].attempts,
                error,
            )
        result.delivered += delivered
        result.failed += int(failed)
        result.dead += len(dead)
        if len(rows) == self.batch and position == rows[-1][0]:
            result.more = True

    def _replays(self, result: PassResult) -> None:
        letters = list(
            DeadLetter.objects.filter(status=DeadLetter.Status.QUEUED)
            .select_related("subscription__client")
            .order_by("id")[: self.batch]
        )
        for letter in letters:
            if self.should_stop():
                break
            sub = letter.subscription
            body = event_body(letter.event)
            outcome = self.sender.post(sub.url, body, sub.secret, str(letter.event_id))
            with transaction.atomic():
                record_many([_webhook_entry(sub, letter.event, body, outcome)])
                if outcome.ok:
                    letter.status = DeadLetter.Status.DELIVERED
                    letter.delivered_at = timezone.now()
                    result.replayed += 1
                else:
                    letter.status = DeadLetter.Status.DEAD
                    letter.last_error = outcome.error
                    result.failed += 1
                letter.attempts += 1
                letter.save(update_fields=["status", "delivered_at", "attempts", "last_error"])

    # --- NATS -------------------------------------------------------------------------------

    def _nats_cursor(self) -> DeliveryCursor:
        assert self.bridge is not None
        cursor, _created = DeliveryCursor.objects.get_or_create(name=f"nats:{self.bridge.stream}")
        return cursor

    def _pump_nats(self, safe: int, result: PassResult) -> None:
        assert self.bridge is not None
        cursor = self._nats_cursor()
        if cursor.position >= safe:
            return
        rows = list(
            OutboxEvent.objects.filter(id__gt=cursor.position, id__lte=safe)
            .order_by("id")
            .values_list(*_FIELDS)[: self.batch]
        )
        if not rows:
            return
        events = [cloudevent(row) for row in rows]
        bodies = [event_body(event) for event in events]
        messages = [
            (self.bridge.subject_of(event["type"]), event["id"], body)
            for event, body in zip(events, bodies, strict=True)
        ]
        started = time.perf_counter()
        try:
            duplicates = self.bridge.publish(messages)
        except NatsUnavailable as exc:
            self._nats_failures += 1
            wait = min(30.0, 0.5 * 2 ** (self._nats_failures - 1))
            self._nats_next_try = time.monotonic() + wait
            logger.warning("NATS publish failed (retry in %.1fs): %s", wait, exc)
            record_many([self._nats_entry(events, bodies, started, error=str(exc))])
            return
        self._nats_failures = 0
        with transaction.atomic():
            record_many([self._nats_entry(events, bodies, started, duplicates=duplicates)])
            DeliveryCursor.objects.filter(pk=cursor.pk).update(
                position=rows[-1][0], updated_at=timezone.now()
            )
        result.published += len(rows)
        result.duplicates += duplicates
        if len(rows) == self.batch:
            result.more = True

    def _nats_entry(
        self,
        events: list[dict[str, Any]],
        bodies: list[bytes],
        started: float,
        *,
        duplicates: int = 0,
        error: str = "",
    ) -> Exchange:
        """One message-log entry per published batch; the request body holds every event."""
        assert self.bridge is not None
        answer = {"stream": self.bridge.stream, "count": len(events), "duplicates": duplicates}
        return Exchange(
            chain="nats",
            direction="out",
            kind="nats",
            service="event.*",
            operation=f"publish {self.bridge.stream}",
            subject=f"{events[0]['sequence']}-{events[-1]['sequence']}",
            correlation_id=events[0]["id"],
            outcome="error" if error else "ok",
            error=error[:500],
            duration_ms=int((time.perf_counter() - started) * 1000),
            request=b"\n".join(bodies),
            response=None if error else json.dumps(answer).encode(),
        )
