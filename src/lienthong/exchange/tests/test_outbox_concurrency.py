"""Committed outbox work: concurrent relays, the in-process relay, the worker's signals."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from lienthong.core.audit import record
from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent, ProcessedEvent
from lienthong.exchange.outbox import in_process_relay, publish, relay_pending
from lienthong.exchange.registry import CloudEvent, HandlerRegistry, registry

pytestmark = pytest.mark.django_db(transaction=True)


def notify(event: CloudEvent) -> None:
    """A consumer whose side effect is a row in a real table (an audit entry)."""
    record("test.notified", object_type="exchange.outboxevent", object_id=event.id)


def publish_committed(n: int, event_type: str = "dossier.received") -> list[OutboxEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(publish(event_type, f"H01-{i:04d}", {"i": i}))
    return events


def wait_for(condition: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_two_concurrent_relays_never_take_the_same_event() -> None:
    # Given 30 committed events and a consumer that notes every call
    events = publish_committed(30)
    calls: list[str] = []
    lock = threading.Lock()

    def consumer(event: CloudEvent) -> None:
        with lock:
            calls.append(event.id)
        notify(event)

    reg = HandlerRegistry()
    reg.register("dossier.*", consumer, consumer="test.concurrent")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def relay() -> None:
        try:
            start.wait(timeout=30)
            while relay_pending(handlers=reg, limit=5).claimed:
                pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    # When two relays, each on its own connection, drain the outbox at once
    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # Then every event was claimed once and handled once
    assert errors == []
    assert sorted(calls) == sorted(str(e.event_id) for e in events)
    assert list(OutboxEvent.objects.values_list("status", "attempts").distinct()) == [
        ("delivered", 1)
    ]
    assert ProcessedEvent.objects.count() == 30
    assert AuditEntry.objects.filter(action="test.notified").count() == 30


@pytest.fixture
def global_consumer() -> Iterator[None]:
    registry.register("dossier.*", notify, consumer="test.global_notify")
    yield
    registry.unregister("test.global_notify")


@pytest.fixture
def relay_thread(settings: Any) -> Iterator[None]:
    # A long poll, so that only the wake-up on commit can explain a prompt delivery.
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "OUTBOX_RELAY_IN_PROCESS": True,
        "OUTBOX_POLL_SECONDS": 600,
    }
    yield
    in_process_relay.stop()


def test_the_in_process_relay_delivers_soon_after_commit(
    global_consumer: None, relay_thread: None
) -> None:
    # Given a first commit that starts the relay thread, which then goes back to waiting
    passes = in_process_relay.passes
    (first,) = publish_committed(1)
    assert wait_for(lambda: OutboxEvent.objects.get(pk=first.pk).status == "delivered")
    assert wait_for(lambda: in_process_relay.passes == passes + 1)
    passes += 1
    # When a later transaction publishes and commits
    with transaction.atomic():
        event = publish("dossier.received", "H01-0002", {"i": 2})
        time.sleep(0.3)
        # Then nothing is relayed before the commit
        assert in_process_relay.passes == passes
    # And the woken thread delivers it well before its next poll
    assert wait_for(lambda: OutboxEvent.objects.get(pk=event.pk).status == "delivered", 10)
    assert (
        AuditEntry.objects.filter(action="test.notified", object_id=str(event.event_id)).count()
        == 1
    )
    assert in_process_relay.running


def test_a_stopping_worker_finishes_the_event_in_hand_and_takes_no_other(
    global_consumer: None,
) -> None:
    # Given three events, and a consumer during whose work the worker is told to stop
    events = publish_committed(3)
    seen: list[str] = []

    def stop_midway(event: CloudEvent) -> None:
        seen.append(event.id)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)  # the signal arrives while this event is being handled
        notify(event)

    registry.register("dossier.*", stop_midway, consumer="test.stop_midway")
    handler_before = signal.getsignal(signal.SIGTERM)
    try:
        # When the worker runs (no --once: only the signal can end it)
        out = io.StringIO()
        call_command("worker", "--interval", "0.1", stdout=out)
    finally:
        registry.unregister("test.stop_midway")
    # Then the first event was handled completely and delivered, and the others wait
    assert seen == [str(events[0].event_id)]
    assert list(OutboxEvent.objects.order_by("id").values_list("status", flat=True)) == [
        "delivered",
        "pending",
        "pending",
    ]
    assert out.getvalue() == "Đã xử lý 1 sự kiện: 1 đã chuyển, 0 chờ thử lại, 0 lỗi.\n"
    # And the process's own SIGTERM handling is back as it was
    assert signal.getsignal(signal.SIGTERM) == handler_before


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"


def test_the_worker_process_relays_and_stops_cleanly_on_sigterm() -> None:
    # Given a committed event and `lienthong worker` running as its own process
    (event,) = publish_committed(1, "test.ping")
    script = Path(sys.executable).with_name("lienthong")
    env = {**os.environ, "DATABASE_URL": database_url(), "LOG_LEVEL": "INFO"}
    process = subprocess.Popen(
        [str(script), "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # When it has had time to relay
        delivered = wait_for(lambda: OutboxEvent.objects.get(pk=event.pk).status == "delivered")
        # And it is sent SIGTERM
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    # Then it relayed the event, exited 0 and said what it did
    assert delivered, stderr
    assert process.returncode == 0, stderr
    assert stdout == "Đã xử lý 1 sự kiện: 1 đã chuyển, 0 chờ thử lại, 0 lỗi.\n"
    assert "SIGTERM received, stopping after the current event" in stderr
