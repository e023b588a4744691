"""The outbox: publishing with the caller's transaction, relaying to idempotent consumers."""

from __future__ import annotations

import datetime
import decimal
import io
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from lienthong.core.audit import record
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user
from lienthong.exchange.models import OutboxEvent, ProcessedEvent, new_event_id
from lienthong.exchange.outbox import (
    TransactionRequired,
    backoff,
    publish,
    relay_pending,
)
from lienthong.exchange.registry import CloudEvent, HandlerRegistry, registry
from lienthong.exchange.services import purge_delivered

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def notify(event: CloudEvent) -> None:
    """A consumer whose side effect is a row in a real table (an audit entry)."""
    record("test.notified", object_type="exchange.outboxevent", object_id=event.id)


def notified(event: OutboxEvent) -> int:
    """How many times `notify` had its effect for this event."""
    return AuditEntry.objects.filter(action="test.notified", object_id=str(event.event_id)).count()


def published(
    event_type: str = "dossier.received", subject: str = "H01.1-250303-0001", **data: Any
) -> OutboxEvent:
    with transaction.atomic():
        return publish(event_type, subject, data or {"id": 1})


@pytest.fixture
def T0() -> datetime.datetime:
    """A pinned clock a little after the events published by the test are due."""
    return timezone.now() + datetime.timedelta(seconds=5)


@pytest.fixture
def handlers() -> HandlerRegistry:
    reg = HandlerRegistry()
    reg.register("dossier.received", notify, consumer="test.notify")
    return reg


@pytest.fixture
def limits(settings: Any) -> Iterator[None]:
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "OUTBOX_MAX_ATTEMPTS": 3,
        "OUTBOX_RETRY_BASE_SECONDS": 30,
        "OUTBOX_RETRY_MAX_SECONDS": 3600,
        "OUTBOX_LEASE_SECONDS": 300,
    }
    yield


# --- Publishing -----------------------------------------------------------------------------


def test_a_published_event_is_pending_in_cloudevents_shape() -> None:
    # When a service publishes inside its transaction
    with transaction.atomic():
        event = publish(
            "dossier.received",
            "H01.1-250303-0001",
            {"fee": decimal.Decimal("50000"), "due": datetime.date(2025, 3, 10), "id": 7},
            source="/onestop",
        )
    # Then the event waits, and reads as a CloudEvent with every required attribute
    stored = OutboxEvent.objects.get()
    assert (stored.status, stored.attempts, stored.last_error) == ("pending", 0, "")
    assert stored.as_cloudevent() == {
        "specversion": "1.0",
        "id": str(event.event_id),
        "type": "dossier.received",
        "source": "/onestop",
        "subject": "H01.1-250303-0001",
        "time": stored.time.isoformat(),
        "datacontenttype": "application/json",
        "data": {"fee": "50000", "due": "2025-03-10", "id": 7},
    }
    # a time-ordered id (decision 0012), with the RFC 9562 variant bits
    event_uuid = uuid.UUID(str(event.event_id))
    assert (event_uuid.version, event_uuid.variant) == (7, uuid.RFC_4122)
    assert stored.time is not None and stored.next_attempt_at <= timezone.now()


def test_event_ids_are_time_ordered_and_unique() -> None:
    # Given ids made over a few milliseconds
    ids: list[uuid.UUID] = []
    for _ in range(5):
        ids.extend(new_event_id() for _ in range(200))
        time.sleep(0.002)
    # Then they never repeat, and an id made later sorts after one made a millisecond earlier
    assert len(set(ids)) == len(ids)
    millis = [event_id.int >> 80 for event_id in ids]
    assert millis == sorted(millis)
    assert millis[-1] - millis[0] >= 8
    now = time.time_ns() // 1_000_000
    assert now - 5_000 < millis[0] <= now


def test_the_default_source_comes_from_settings(settings: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "EVENT_SOURCE": "https://lienthong.example.vn"}
    assert published().source == "https://lienthong.example.vn"


def test_a_rolled_back_transaction_leaves_no_event() -> None:
    # When the writer's transaction fails after publishing
    with pytest.raises(Boom), transaction.atomic():
        publish("dossier.received", "H01", {"id": 1})
        raise Boom
    # Then the event never existed
    assert OutboxEvent.objects.count() == 0


def test_publish_outside_a_transaction_is_refused() -> None:
    # The test's own wrapping transaction does not count: a service must open its own
    with pytest.raises(TransactionRequired, match=r"inside transaction\.atomic"):
        publish("dossier.received", "H01", {"id": 1})
    assert OutboxEvent.objects.count() == 0


@pytest.mark.parametrize("event_type", ["", "dossier", "Dossier.Received", "dossier..x", "a b.c"])
def test_malformed_event_types_are_refused(event_type: str) -> None:
    with pytest.raises(ValueError, match="must look like"), transaction.atomic():
        publish(event_type, "H01", {})
    assert OutboxEvent.objects.count() == 0


def test_data_that_is_not_strict_json_and_long_subjects_are_refused_in_the_writer() -> None:
    # NaN is not JSON: PostgreSQL would refuse it later, SQLite would keep it; refuse it now
    with pytest.raises(ValueError, match="not JSON compliant"), transaction.atomic():
        publish("dossier.received", "H01", {"ratio": float("nan")})
    with pytest.raises(ValueError, match="at most 200"), transaction.atomic():
        publish("dossier.received", "x" * 201, {})
    assert OutboxEvent.objects.count() == 0


# --- Relaying -------------------------------------------------------------------------------


def test_relay_delivers_an_event_once_to_its_consumer(handlers: HandlerRegistry) -> None:
    # Given a pending event
    event = published()
    # When the relay runs
    result = relay_pending(handlers=handlers)
    # Then the consumer had its effect once, under the event's id, and the event is delivered
    assert (result.claimed, result.delivered, result.retried, result.dead) == (1, 1, 0, 0)
    event.refresh_from_db()
    assert (event.status, event.attempts, event.last_error) == ("delivered", 1, "")
    assert event.delivered_at is not None
    assert notified(event) == 1
    effect = AuditEntry.objects.get(action="test.notified")
    assert (effect.actor_repr, effect.request_id) == ("outbox:test.notify", event.event_id.hex)
    assert list(ProcessedEvent.objects.values_list("consumer", "event_id")) == [
        ("test.notify", event.event_id)
    ]
    # And a second pass finds nothing to do
    assert relay_pending(handlers=handlers).claimed == 0
    assert notified(event) == 1


def test_a_redelivered_event_has_no_second_effect(handlers: HandlerRegistry) -> None:
    # Given an event whose consumer ran, but whose delivery was never marked (the relay
    # died between the consumer's commit and the status update)
    event = published()
    relay_pending(handlers=handlers)
    OutboxEvent.objects.filter(pk=event.pk).update(
        status="pending", delivered_at=None, next_attempt_at=timezone.now()
    )
    calls: list[str] = []
    handlers.unregister("test.notify")

    def counted(event: CloudEvent) -> None:
        calls.append(event.id)
        notify(event)

    handlers.register("dossier.received", counted, consumer="test.notify")
    # When it is relayed again
    result = relay_pending(handlers=handlers)
    # Then it is delivered without running the consumer a second time
    assert (result.claimed, result.delivered) == (1, 1)
    assert calls == []
    assert notified(event) == 1
    assert ProcessedEvent.objects.count() == 1
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("delivered", 2)


def test_an_event_nobody_consumes_is_delivered(handlers: HandlerRegistry) -> None:
    event = published("complaint.filed")
    assert relay_pending(handlers=handlers).delivered == 1
    event.refresh_from_db()
    assert event.status == "delivered"
    assert ProcessedEvent.objects.count() == 0


def test_wildcard_consumers_take_matching_types_only() -> None:
    # Given consumers of one type, of a family and of everything
    seen: dict[str, list[str]] = {"exact": [], "family": [], "all": []}
    reg = HandlerRegistry()
    reg.register("dossier.received", lambda e: seen["exact"].append(e.type), consumer="t.exact")
    reg.register("dossier.*", lambda e: seen["family"].append(e.type), consumer="t.family")
    reg.register("*", lambda e: seen["all"].append(e.type), consumer="t.all")
    for event_type in ("dossier.received", "dossier.returned", "complaint.filed"):
        published(event_type)
    # When relayed
    assert relay_pending(handlers=reg).delivered == 3
    # Then each consumer saw exactly the types it asked for
    assert seen == {
        "exact": ["dossier.received"],
        "family": ["dossier.received", "dossier.returned"],
        "all": ["dossier.received", "dossier.returned", "complaint.filed"],
    }


def test_a_failing_consumer_is_retried_with_backoff_then_dead(
    limits: None, handlers: HandlerRegistry, T0: datetime.datetime
) -> None:
    # Given a consumer that always fails
    def broken(event: CloudEvent) -> None:
        notify(event)  # its effect is rolled back with it
        raise RuntimeError("máy chủ thư không trả lời")

    handlers.register("dossier.*", broken, consumer="test.broken")
    event = published()
    # When the relay runs: first attempt
    first = relay_pending(handlers=handlers, now=T0)
    # Then the event waits 30 s, with the error, and only the healthy consumer's effect stays
    event.refresh_from_db()
    assert (first.claimed, first.retried) == (1, 1)
    assert (event.status, event.attempts) == ("pending", 1)
    assert event.next_attempt_at == T0 + datetime.timedelta(seconds=30)
    assert event.last_error == "test.broken: RuntimeError: máy chủ thư không trả lời"
    assert notified(event) == 1
    # And it is not offered again before then
    assert relay_pending(handlers=handlers, now=T0 + datetime.timedelta(seconds=29)).claimed == 0
    # When the second attempt also fails, the wait doubles
    t1 = T0 + datetime.timedelta(seconds=30)
    relay_pending(handlers=handlers, now=t1)
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("pending", 2)
    assert event.next_attempt_at == t1 + datetime.timedelta(seconds=60)
    # When the third and last attempt fails, the event is dead and never offered again
    t2 = t1 + datetime.timedelta(seconds=60)
    third = relay_pending(handlers=handlers, now=t2)
    event.refresh_from_db()
    assert (third.claimed, third.dead) == (1, 1)
    assert (event.status, event.attempts) == ("dead", 3)
    assert relay_pending(handlers=handlers, now=t2 + datetime.timedelta(days=1)).claimed == 0
    # And the healthy consumer ran once through it all
    assert notified(event) == 1
    assert list(ProcessedEvent.objects.values_list("consumer", flat=True)) == ["test.notify"]


def test_consumers_that_succeeded_are_not_rerun_when_another_one_failed(
    limits: None, handlers: HandlerRegistry, T0: datetime.datetime
) -> None:
    # Given a second consumer that fails the first time and works after
    outcomes = [RuntimeError("tạm thời lỗi"), None]

    def flaky(event: CloudEvent) -> None:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        record("test.flaky_done", object_type="exchange.outboxevent", object_id=event.id)

    handlers.register("dossier.received", flaky, consumer="test.flaky")
    event = published()
    relay_pending(handlers=handlers, now=T0)
    # When the retry comes due
    result = relay_pending(handlers=handlers, now=T0 + datetime.timedelta(seconds=30))
    # Then the event is delivered; the first consumer ran once, the second once successfully
    event.refresh_from_db()
    assert (result.delivered, event.status, event.attempts) == (1, "delivered", 2)
    assert notified(event) == 1
    assert AuditEntry.objects.filter(action="test.flaky_done").count() == 1
    assert outcomes == []


def test_a_claimed_event_is_leased_and_dies_if_its_last_lease_runs_out(
    limits: None, handlers: HandlerRegistry, T0: datetime.datetime
) -> None:
    from lienthong.exchange.outbox import _claim_next

    # Given an event on its last attempt whose relay died after claiming it
    event = published()
    OutboxEvent.objects.filter(pk=event.pk).update(attempts=2)
    claimed = _claim_next(T0)
    assert claimed is not None and claimed.attempts == 3
    # Then nobody else can take it while the lease runs
    assert relay_pending(handlers=handlers, now=T0 + datetime.timedelta(seconds=299)).claimed == 0
    # And once the lease has run out it is dead, not retried forever
    relay_pending(handlers=handlers, now=T0 + datetime.timedelta(seconds=300))
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("dead", 4)
    assert event.last_error == "lease expired: the relay stopped while handling this event"
    assert notified(event) == 0


def test_backoff_doubles_up_to_its_cap(limits: None) -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [
        30,
        60,
        120,
        240,
        3600,
        3600,
    ]


def test_relay_respects_its_limit_and_stop_request(handlers: HandlerRegistry) -> None:
    for _ in range(5):
        published()
    assert relay_pending(handlers=handlers, limit=2).claimed == 2
    asked: list[int] = []

    def stop_after_first() -> bool:
        asked.append(1)
        return len(asked) > 1

    assert relay_pending(handlers=handlers, should_stop=stop_after_first).claimed == 1
    assert OutboxEvent.objects.filter(status="pending").count() == 2


# --- Registry -------------------------------------------------------------------------------


def test_a_consumer_name_belongs_to_one_function() -> None:
    reg = HandlerRegistry()
    reg.register("dossier.received", notify, consumer="test.notify")
    reg.register("dossier.received", notify, consumer="test.notify")  # a re-import: fine
    with pytest.raises(ValueError, match="already registered to another function"):
        reg.register("dossier.received", lambda e: None, consumer="test.notify")
    with pytest.raises(ValueError, match="must match"):
        reg.register("dossier.received", notify, consumer="Tên có dấu")
    with pytest.raises(ValueError, match="at least one"):
        reg.register((), notify, consumer="test.empty")
    assert [h.consumer for h in reg] == ["test.notify"]


# --- Commands -------------------------------------------------------------------------------


@pytest.fixture
def global_consumer() -> Iterator[None]:
    registry.register("dossier.*", notify, consumer="test.global_notify")
    yield
    registry.unregister("test.global_notify")


def test_worker_once_drains_the_outbox_and_exits(global_consumer: None) -> None:
    events = [published() for _ in range(3)]
    out = io.StringIO()
    call_command("worker", "--once", "--batch", "2", stdout=out)
    assert out.getvalue() == "Đã xử lý 3 sự kiện: 3 đã chuyển, 0 chờ thử lại, 0 lỗi.\n"
    assert [notified(e) for e in events] == [1, 1, 1]
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {"delivered"}


def test_outbox_list_and_replay_commands(limits: None) -> None:
    # Given a delivered and a dead event
    ok = published("dossier.received", "H01-OK")
    dead = published("dossier.returned", "H01-DEAD")
    OutboxEvent.objects.filter(pk=ok.pk).update(status="delivered")
    OutboxEvent.objects.filter(pk=dead.pk).update(status="dead", attempts=3, last_error="boom")
    # When listing the dead ones
    out = io.StringIO()
    call_command("outbox", "list", "--status", "dead", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{dead.event_id}  ") and "dossier.returned" in lines[0]
    assert "H01-DEAD" in lines[0] and lines[1] == "    boom"
    # When replaying it
    out = io.StringIO()
    call_command("outbox", "replay", str(dead.event_id), stdout=out)
    # Then it is pending again with fresh attempts, and the replay is in the audit log
    assert out.getvalue() == f"Đã đưa sự kiện {dead.event_id} trở lại hàng đợi.\n"
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)
    entry = AuditEntry.objects.get(action="outbox.replay")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["status"], entry.after["status"]) == ("dead", "pending")
    assert (entry.object_id, entry.actor_repr) == (str(dead.pk), "cli:outbox replay")


def test_replay_refuses_events_that_are_not_dead_or_do_not_exist() -> None:
    from django.core.management.base import CommandError

    event = published()
    with pytest.raises(CommandError) as caught:
        call_command("outbox", "replay", str(event.event_id))
    assert caught.value.returncode == 2
    assert str(caught.value) == (
        f"Chỉ chuyển lại được sự kiện bị lỗi; sự kiện {event.event_id} "
        "đang ở trạng thái “Chờ chuyển”."
    )
    missing = uuid.uuid4()
    with pytest.raises(CommandError, match=f"Không tìm thấy sự kiện {missing}."):
        call_command("outbox", "replay", str(missing))
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("outbox", "replay", "không-phải-mã")
    assert not AuditEntry.objects.filter(action="outbox.replay").exists()


def test_in_process_relay_is_woken_on_commit_only(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from lienthong.exchange.outbox import in_process_relay

    settings.LIENTHONG = {**settings.LIENTHONG, "OUTBOX_RELAY_IN_PROCESS": True}
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        publish("dossier.received", "H01", {})
        raise Boom
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        published()
    assert callbacks == [in_process_relay.wake]


# --- Purging old rows ------------------------------------------------------------------------


def _aged_events() -> dict[str, Any]:
    """Delivered events 40 and 5 days old, a 40-day-old dead and pending one, and consumers'
    records 40 and 5 days old."""
    now = timezone.now()
    old, recent = now - datetime.timedelta(days=40), now - datetime.timedelta(days=5)
    with transaction.atomic():
        events = {
            name: publish("test.aged", subject=name)
            for name in ("old", "recent", "dead", "pending")
        }
    OutboxEvent.objects.filter(pk=events["old"].pk).update(
        status="delivered", delivered_at=old, time=old
    )
    OutboxEvent.objects.filter(pk=events["recent"].pk).update(
        status="delivered", delivered_at=recent
    )
    OutboxEvent.objects.filter(pk=events["dead"].pk).update(status="dead", time=old)
    OutboxEvent.objects.filter(pk=events["pending"].pk).update(time=old)
    ProcessedEvent.objects.create(consumer="c", event_id=events["old"].event_id, processed_at=old)
    ProcessedEvent.objects.create(
        consumer="c", event_id=events["recent"].event_id, processed_at=recent
    )
    return events


def test_purge_removes_only_old_delivered_events_and_records() -> None:
    # Given events and records of several ages and states
    events = _aged_events()
    audit_before = AuditEntry.objects.count()
    # When the rows older than 30 days are purged from the command line
    out = io.StringIO()
    call_command("outbox", "purge", "--older-than", "30", stdout=out)
    # Then only the old delivered event and the old record are gone; pending and dead stay
    assert "Đã xóa 1 sự kiện đã chuyển và 1 bản ghi đã xử lý" in out.getvalue()
    left = set(OutboxEvent.objects.values_list("subject", flat=True))
    assert left == {"recent", "dead", "pending"}
    assert list(ProcessedEvent.objects.values_list("event_id", flat=True)) == [
        events["recent"].event_id
    ]
    # and one audit entry says who purged how much
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == audit_before + 1
    assert entry is not None and entry.action == "outbox.purge"
    assert entry.after is not None
    assert (entry.after["events"], entry.after["processed"]) == (1, 1)
    assert entry.actor_repr == "cli:outbox purge"


def test_purge_dry_run_counts_and_removes_nothing() -> None:
    _aged_events()
    state = (
        OutboxEvent.objects.count(),
        ProcessedEvent.objects.count(),
        AuditEntry.objects.count(),
    )
    out = io.StringIO()
    call_command("outbox", "purge", "--dry-run", stdout=out)
    assert "Sẽ xóa 1 sự kiện đã chuyển và 1 bản ghi đã xử lý" in out.getvalue()
    assert (
        OutboxEvent.objects.count(),
        ProcessedEvent.objects.count(),
        AuditEntry.objects.count(),
    ) == state


def test_purge_works_in_batches() -> None:
    # Given more old delivered events than one batch holds
    old = timezone.now() - datetime.timedelta(days=90)
    with transaction.atomic():
        for n in range(7):
            publish("test.aged", subject=str(n))
    OutboxEvent.objects.update(status="delivered", delivered_at=old)
    # When purged three at a time, every one goes
    purged = purge_delivered(older_than_days=30, batch=3)
    assert (purged.events, OutboxEvent.objects.count()) == (7, 0)


@pytest.mark.parametrize("days", ["0", "-3", "abc"])
def test_purge_refuses_a_retention_that_is_not_a_positive_number(days: str) -> None:
    _aged_events()
    before = OutboxEvent.objects.count()
    with pytest.raises(CommandError, match="Phải là số nguyên dương"):
        call_command("outbox", "purge", "--older-than", days)
    assert OutboxEvent.objects.count() == before


def test_only_administrators_purge() -> None:
    citizen = make_user("purge-citizen")
    with pytest.raises(PermissionDenied):
        purge_delivered(older_than_days=30, by=citizen)
