"""The NATS JetStream bridge against the real nats-server on 127.0.0.1:4222."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from django.db import transaction

from lienthong.core.models import AuditEntry
from lienthong.exchange.delivery.deliverer import Deliverer
from lienthong.exchange.delivery.models import DeliveryCursor
from lienthong.exchange.delivery.nats_bridge import NatsBridge, handle_once
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import verify
from lienthong.exchange.models import ProcessedEvent
from lienthong.exchange.outbox import publish
from lienthong.exchange.registry import CloudEvent

NATS_URL = "nats://127.0.0.1:4222"

pytestmark = pytest.mark.django_db(transaction=True)


async def _stream_messages(url: str, stream: str, subject: str) -> list[Any]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        sub = await js.pull_subscribe(subject, stream=stream)
        messages: list[Any] = []
        while len(messages) < info.state.messages:
            batch = await sub.fetch(min(500, info.state.messages - len(messages)), timeout=5)
            for message in batch:
                await message.ack()
            messages += batch
        return messages
    finally:
        await nc.close()


def stream_messages(url: str, stream: str, prefix: str) -> list[Any]:
    """Every message of the stream, in stream order."""
    return asyncio.run(_stream_messages(url, stream, f"{prefix}.>"))


async def _delete_stream(url: str, stream: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(stream)
    except Exception:
        pass
    finally:
        await nc.close()


@pytest.fixture
def stream(settings: Any, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A stream and subject prefix of this test's own on the shared server."""
    tag = uuid.uuid4().hex[:10]
    name, prefix = f"LT_TEST_{tag}", f"lttest{tag}"
    settings.NATS_URL = NATS_URL
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "EXCHANGE_BODY_DIR": str(tmp_path / "bodies"),
        "NATS_STREAM": name,
        "NATS_SUBJECT_PREFIX": prefix,
    }
    yield name, prefix
    asyncio.run(_delete_stream(NATS_URL, name))


def test_every_event_is_published_once_in_order_with_its_id(stream: tuple[str, str]) -> None:
    name, prefix = stream
    with transaction.atomic():
        events = [
            publish("dossier.submitted" if i % 2 else "dossier.received", f"H{i:03d}", {"i": i})
            for i in range(120)
        ]
    deliverer = Deliverer(batch=50)
    while deliverer.run_once().busy:
        pass
    cursor = DeliveryCursor.objects.get(name=f"nats:{name}")
    assert cursor.position == events[-1].pk
    # A crash before the cursor moved: the bridge publishes the last batches again
    DeliveryCursor.objects.filter(pk=cursor.pk).update(position=events[40].pk)
    again = Deliverer(batch=50)
    total = again.run_once()
    total += again.run_once()
    assert (total.published, total.duplicates) == (79, 79)
    deliverer.close()
    again.close()

    messages = stream_messages(NATS_URL, name, prefix)
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [str(e.event_id) for e in events]
    first = json.loads(messages[0].data)
    assert (first["id"], first["type"], first["subject"], first["data"]) == (
        str(events[0].event_id),
        "dossier.received",
        "H000",
        {"i": 0},
    )
    assert messages[1].subject == f"{prefix}.dossier.submitted"
    # One log entry per published batch, its request body holding the batch's events
    log = list(MessageLogEntry.objects.filter(chain="nats").order_by("seq"))
    assert [e.subject for e in log][:3] == [
        f"{events[0].pk}-{events[49].pk}",
        f"{events[50].pk}-{events[99].pk}",
        f"{events[100].pk}-{events[119].pk}",
    ]
    assert all(e.outcome == "ok" for e in log)
    assert all(check.ok for check in verify(bodies_too=True))


def test_an_unreachable_server_leaves_the_cursor_and_logs_the_failure(
    stream: tuple[str, str], settings: Any
) -> None:
    with transaction.atomic():
        publish("dossier.submitted", "H1", {})
    bridge = NatsBridge("nats://127.0.0.1:1", timeout=0.5)
    deliverer = Deliverer(bridge=bridge)
    result = deliverer.run_once()
    deliverer.close()
    assert result.published == 0
    assert DeliveryCursor.objects.get().position == 0
    entry = MessageLogEntry.objects.get(chain="nats")
    assert entry.outcome == "error" and entry.error


def test_a_platform_nats_consumer_applies_an_event_once(stream: tuple[str, str]) -> None:
    name, prefix = stream
    with transaction.atomic():
        publish("dossier.submitted", "H1", {"code": "H1"})
    deliverer = Deliverer()
    deliverer.run_once()
    deliverer.close()
    (message,) = stream_messages(NATS_URL, name, prefix)
    applied: list[str] = []

    def effect(event: CloudEvent) -> None:
        applied.append(event.id)
        AuditEntry.objects.count()  # inside the consumer's transaction

    # JetStream redelivers a message whose ack was lost: the second time has no effect
    assert handle_once("test.nats_consumer", message.data, effect) is True
    assert handle_once("test.nats_consumer", message.data, effect) is False
    assert applied == [json.loads(message.data)["id"]]
    assert ProcessedEvent.objects.filter(consumer="test.nats_consumer").count() == 1
