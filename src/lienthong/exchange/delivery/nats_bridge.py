"""The NATS JetStream bridge: every outbox event published to a stream, once.

Active when `NATS_URL` is set. On start it creates the stream (`NATS_STREAM`, subjects
`<NATS_SUBJECT_PREFIX>.>`, file storage, a duplicate window of `NATS_DUPLICATE_WINDOW_SECONDS`)
or updates its subjects and window. Each event goes to `<prefix>.<event type>` with the
CloudEvent JSON as payload and the event id as `Nats-Msg-Id`: the bridge advances its cursor
only after JetStream acknowledged the whole batch, so after a crash or a lost connection it
publishes the batch again and JetStream drops what it already stored.

The platform's own NATS consumers are idempotent through `handle_once` (the outbox's
`ProcessedEvent` table, one row per consumer and event id).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from lienthong.core.context import acting
from lienthong.exchange.delivery.conf import setting
from lienthong.exchange.models import ProcessedEvent
from lienthong.exchange.registry import CloudEvent

logger = logging.getLogger("lienthong.exchange.delivery.nats")


class NatsUnavailable(Exception):
    """The bridge could not publish (no connection, no acknowledgement in time)."""


class NatsBridge:
    """A JetStream publisher driven from synchronous code through its own event loop."""

    def __init__(
        self,
        url: str,
        *,
        stream: str | None = None,
        prefix: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url
        self.stream = stream or str(setting("NATS_STREAM"))
        self.prefix = prefix or str(setting("NATS_SUBJECT_PREFIX"))
        self.timeout = float(timeout or setting("NATS_TIMEOUT"))
        self._loop = asyncio.new_event_loop()
        self._nc: Any = None
        self._js: Any = None

    # --- connection -------------------------------------------------------------------------

    def _run(self, coro: Any) -> Any:
        return self._loop.run_until_complete(coro)

    async def _quiet(self, *args: Any) -> None:
        """Connection errors are reported by the caller's failures; no log line per retry."""

    async def _connect(self) -> None:
        import nats
        from nats.js.api import StorageType, StreamConfig

        self._nc = await nats.connect(
            servers=[s.strip() for s in self.url.split(",") if s.strip()],
            connect_timeout=self.timeout,
            # No reconnecting inside the client: a lost connection fails the batch in hand,
            # and the next pass connects anew and publishes it again (deduplicated).
            allow_reconnect=False,
            # How often the first connect tries each server before giving up.
            max_reconnect_attempts=1,
            reconnect_time_wait=0.2,
            error_cb=self._quiet,
            disconnected_cb=self._quiet,
            reconnected_cb=self._quiet,
            name="lienthong-deliver",
        )
        self._js = self._nc.jetstream(timeout=self.timeout)
        config = StreamConfig(
            name=self.stream,
            subjects=[f"{self.prefix}.>"],
            storage=StorageType.FILE,
            duplicate_window=float(setting("NATS_DUPLICATE_WINDOW_SECONDS")),
        )
        try:
            await self._js.add_stream(config)
        except Exception:
            # It exists with another configuration: bring subjects and window up to date.
            await self._js.update_stream(config)

    def connect(self) -> None:
        """Connect and make sure the stream exists; NatsUnavailable if the server is down."""
        if self._js is not None and self._nc is not None and not self._nc.is_closed:
            return
        try:
            self._run(self._connect())
        except Exception as exc:
            self.close()
            raise NatsUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            try:
                self._run(self._nc.close())
            except Exception:
                logger.debug("closing the NATS connection failed", exc_info=True)
        self._nc = None
        self._js = None

    def shutdown(self) -> None:
        self.close()
        self._loop.close()

    # --- publishing -------------------------------------------------------------------------

    def subject_of(self, event_type: str) -> str:
        return f"{self.prefix}.{event_type}"

    async def _publish(self, messages: Sequence[tuple[str, str, bytes]]) -> int:
        futures = []
        for subject, msg_id, body in messages:
            # Sent in order on one connection: the stream keeps the outbox order.
            futures.append(
                await self._js.publish_async(
                    subject, body, headers={"Nats-Msg-Id": msg_id}, wait_stall=self.timeout
                )
            )
        acks = await asyncio.wait_for(asyncio.gather(*futures), timeout=self.timeout)
        return sum(1 for ack in acks if getattr(ack, "duplicate", False))

    def publish(self, messages: Sequence[tuple[str, str, bytes]]) -> int:
        """Publish (subject, msg id, body) in order and wait for every acknowledgement;
        returns how many JetStream recognised as duplicates. NatsUnavailable on failure."""
        self.connect()
        try:
            return int(self._run(self._publish(messages)))
        except Exception as exc:
            self.close()
            raise NatsUnavailable(f"{type(exc).__name__}: {exc}") from exc


# --- idempotent consumers -------------------------------------------------------------------


def handle_once(consumer: str, data: bytes, func: Callable[[CloudEvent], None]) -> bool:
    """Run `func` on the CloudEvent in a NATS message unless `consumer` already handled it.

    The record of the handling and the handler's own writes commit together, so a message
    redelivered by JetStream (or published twice) has no second effect. False: already done.
    """
    raw = json.loads(data)
    from django.utils.dateparse import parse_datetime

    event = CloudEvent(
        id=raw["id"],
        type=raw["type"],
        source=raw["source"],
        subject=raw.get("subject", ""),
        time=parse_datetime(raw["time"]) or parse_datetime("1970-01-01T00:00:00Z"),  # type: ignore[arg-type]
        data=dict(raw.get("data") or {}),
    )
    with acting(request_id=event.id.replace("-", ""), via=f"nats:{consumer}"), transaction.atomic():
        try:
            with transaction.atomic():
                ProcessedEvent.objects.create(consumer=consumer, event_id=event.id)
        except IntegrityError:
            return False
        func(event)
        return True
