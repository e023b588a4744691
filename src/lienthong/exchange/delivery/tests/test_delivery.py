"""Subscriptions, signed webhook delivery in order, retries, dead letters and their replay."""

from __future__ import annotations

import datetime
import io
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit, make_user
from lienthong.exchange.clients.models import Grant
from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.delivery import signing
from lienthong.exchange.delivery.deliverer import Deliverer, backoff
from lienthong.exchange.delivery.models import DeadLetter, Subscription
from lienthong.exchange.delivery.services import (
    DeliveryError,
    replay_dead_letter,
    set_status,
    subscribe,
)
from lienthong.exchange.delivery.testing import Receiver, free_port
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import verify
from lienthong.exchange.models import OutboxEvent
from lienthong.exchange.outbox import publish

SECRET = "bí-mật-ký-webhook-đủ-dài-0123456789"
GRANTS = ["event.dossier.submitted", "event.dossier.received"]


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Path) -> None:
    settings.NATS_URL = ""
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "EXCHANGE_BODY_DIR": str(tmp_path / "bodies"),
        "DELIVERY_MAX_ATTEMPTS": 3,
        "DELIVERY_RETRY_BASE_SECONDS": 10,
        "DELIVERY_HTTP_TIMEOUT": 5,
    }


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(SECRET) as running:
        yield running


def publish_events(*items: tuple[str, str]) -> list[OutboxEvent]:
    with transaction.atomic():
        return [publish(t, subject, {"code": subject}) for t, subject in items]


def pass_until_idle(deliverer: Deliverer) -> None:
    while deliverer.run_once().busy:
        pass


# --- signing --------------------------------------------------------------------------------


def test_a_signature_verifies_only_for_the_same_secret_body_and_a_fresh_time() -> None:
    body = '{"id":"1","data":{"tên":"Nguyễn Văn A"}}'.encode()
    header = signing.sign(SECRET, body, t=1_700_000_000)
    expected = signing.signature(SECRET, body, 1_700_000_000)
    assert header == f"t=1700000000,v1={expected}"
    assert signing.verify(SECRET, body, header, now=1_700_000_100)
    assert not signing.verify(SECRET, body + b" ", header, now=1_700_000_100)
    assert not signing.verify("another-secret-0000", body, header, now=1_700_000_100)
    assert not signing.verify(SECRET, body, header, now=1_700_000_000 + 301)
    assert not signing.verify(SECRET, body, "v1=" + expected, now=1_700_000_000)
    assert not signing.verify(SECRET, body, "", now=1_700_000_000)
    # During a change of secret two signatures may be sent; one good one is enough.
    both = f"t=1700000000,v1={'0' * 64},v1={expected}"
    assert signing.verify(SECRET, body, both, now=1_700_000_000)


# --- subscribing ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_subscribe_to_granted_types_starts_after_the_latest_event() -> None:
    client, _key = make_client(grants=GRANTS)
    (earlier,) = publish_events(("dossier.submitted", "H01"))
    official = make_user(roles=[(Role.SPECIALIST, client.agency)])
    sub = subscribe(
        client,
        types=["dossier.submitted", "dossier.received"],
        url="https://hethong.vn/hook",
        by=official,
    )
    assert sub.position == earlier.pk
    assert sub.types == ["dossier.submitted", "dossier.received"]
    assert len(sub.secret) >= 40
    entry = AuditEntry.objects.get(action="exchange.subscription.create")
    assert entry.actor_repr == official.username
    assert "secret" not in json.dumps(entry.after)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("types", "url", "message"),
    [
        (["dossier.submitted", "dossier.returned"], "https://h.vn/x", "dossier.returned"),
        (["dossier.*"], "https://h.vn/x", "dossier.*"),
        (["Dossier submitted"], "https://h.vn/x", "không phải loại sự kiện"),
        ([], "https://h.vn/x", "ít nhất một loại"),
        (["dossier.submitted"], "ftp://h.vn/x", "URL http:// hoặc https://"),
    ],
)
def test_a_refused_subscription_writes_nothing(types: list[str], url: str, message: str) -> None:
    client, _key = make_client(grants=GRANTS)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(DeliveryError, match=message):
        subscribe(client, types=types, url=url)
    assert not Subscription.objects.exists()
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_only_officials_of_the_clients_agency_or_admins_manage_its_subscriptions() -> None:
    agency = make_org_unit()
    division = make_org_unit(parent=agency, is_agency=False, kind="division")
    client, _key = make_client(agency, grants=GRANTS)
    outsider = make_user(roles=[(Role.SPECIALIST, make_org_unit())])
    with pytest.raises(PermissionDenied):
        subscribe(client, types=["dossier.submitted"], url="https://h.vn/x", by=outsider)
    assert not Subscription.objects.exists()
    member = make_user(roles=[(Role.SPECIALIST, division)])
    sub = subscribe(client, types=["dossier.submitted"], url="https://h.vn/x", by=member)
    admin = make_user(roles=[(Role.IT_ADMIN, make_org_unit())])
    set_status(sub, Subscription.Status.PAUSED, by=admin)
    assert Subscription.objects.get().status == "paused"
    assert list(Subscription.objects.visible_to(outsider)) == []
    assert list(Subscription.objects.visible_to(member)) == [sub]
    assert list(Subscription.objects.visible_to(admin)) == [sub]


@pytest.mark.django_db
def test_a_pattern_needs_a_grant_of_that_pattern() -> None:
    client, _key = make_client(grants=["event.dossier.*"])
    sub = subscribe(client, types=["dossier.*"], url="https://h.vn/x")
    assert sub.types == ["dossier.*"]


# --- delivering -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_events_reach_the_webhook_signed_in_order_and_are_logged(receiver: Receiver) -> None:
    client, _key = make_client(grants=GRANTS)
    sub = subscribe(
        client, types=["dossier.submitted", "dossier.received"], url=receiver.url, secret=SECRET
    )
    events = publish_events(
        ("dossier.submitted", "H01"),
        ("dossier.status_changed", "H01"),  # not subscribed
        ("dossier.received", "H01"),
        ("dossier.submitted", "H02"),
    )
    deliverer = Deliverer()
    pass_until_idle(deliverer)
    wanted = [events[0], events[2], events[3]]
    assert receiver.effects == [str(e.event_id) for e in wanted]
    assert receiver.bad_signatures == 0
    first = receiver.seen[str(events[0].event_id)]
    assert first == {
        "specversion": "1.0",
        "id": str(events[0].event_id),
        "type": "dossier.submitted",
        "source": "/lienthong",
        "subject": "H01",
        "time": events[0].time.isoformat(),
        "datacontenttype": "application/json",
        "sequence": str(events[0].pk),
        "data": {"code": "H01"},
    }
    sub.refresh_from_db()
    assert (sub.position, sub.attempts, sub.delivered_count) == (events[3].pk, 0, 3)
    log = list(MessageLogEntry.objects.filter(chain="webhook").order_by("seq"))
    assert [(e.correlation_id, e.status, e.outcome, e.client_id) for e in log] == [
        (str(e.event_id), 200, "ok", client.pk) for e in wanted
    ]
    assert log[0].service == "event.dossier.submitted" and log[0].direction == "out"
    assert all(check.ok for check in verify(bodies_too=True))
    # A second pass sends nothing again.
    assert not deliverer.run_once().busy
    assert receiver.requests == 3


@pytest.mark.django_db(transaction=True)
def test_a_revoked_grant_or_a_paused_subscription_stops_delivery(receiver: Receiver) -> None:
    client, _key = make_client(grants=GRANTS)
    sub = subscribe(client, types=["dossier.submitted"], url=receiver.url, secret=SECRET)
    Grant.objects.filter(client=client).update(status=Grant.Status.REVOKED)
    (revoked,) = publish_events(("dossier.submitted", "H01"))
    deliverer = Deliverer()
    pass_until_idle(deliverer)
    assert receiver.requests == 0
    assert Subscription.objects.get().position == revoked.pk  # skipped, not retried
    Grant.objects.filter(client=client).update(status=Grant.Status.APPROVED)
    set_status(sub, Subscription.Status.PAUSED)
    (paused,) = publish_events(("dossier.submitted", "H02"))
    pass_until_idle(deliverer)
    assert receiver.requests == 0
    set_status(sub, Subscription.Status.ACTIVE)
    pass_until_idle(deliverer)
    assert receiver.effects == [str(paused.event_id)]


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_backs_off_alone_then_the_event_goes_to_dead_letters(
    receiver: Receiver,
) -> None:
    client, _key = make_client(grants=GRANTS)
    failing = subscribe(client, types=["dossier.submitted"], url=receiver.url, secret=SECRET)
    with Receiver(SECRET) as healthy:
        other = subscribe(client, types=["dossier.submitted"], url=healthy.url, secret=SECRET)
        first, second = publish_events(("dossier.submitted", "H01"), ("dossier.submitted", "H02"))
        receiver.fail_with = 503
        deliverer = Deliverer()
        # When the first attempt fails
        started = timezone.now()
        deliverer.run_once()
        failing.refresh_from_db()
        # Then the subscription waits base·2^0 and stays on the event, the other one goes on
        assert (failing.position, failing.attempts) == (first.pk - 1, 1)
        assert failing.last_error == "HTTP 503 Service Unavailable"
        wait = failing.next_attempt_at - started
        assert datetime.timedelta(seconds=10) <= wait < datetime.timedelta(seconds=11)
        assert healthy.effects == [str(first.event_id), str(second.event_id)]
        assert not deliverer.run_once().busy  # not due yet: no request
        assert receiver.requests == 1
        assert backoff(2) == datetime.timedelta(seconds=20)
        # When the later attempts come due and fail too
        for _ in range(2):
            Subscription.objects.filter(pk=failing.pk).update(next_attempt_at=timezone.now())
            deliverer.run_once()
        # Then the event is a dead letter and the subscription moved on to the next one
        letter = DeadLetter.objects.get()
        assert (letter.subscription_id, letter.event_id, letter.attempts) == (
            failing.pk,
            first.event_id,
            3,
        )
        assert letter.event["id"] == str(first.event_id) and letter.status == "dead"
        failing.refresh_from_db()
        assert (failing.position, failing.attempts) == (first.pk, 0)
        receiver.fail_with = None
        pass_until_idle(deliverer)
        assert receiver.effects == [str(second.event_id)]
        other.refresh_from_db()
        assert other.delivered_count == 2
    errors = MessageLogEntry.objects.filter(chain="webhook", outcome="error")
    assert errors.count() == 3 and set(errors.values_list("status", flat=True)) == {503}


def make_dead_letter(receiver: Receiver) -> tuple[DeadLetter, Any]:
    client, _key = make_client(grants=GRANTS)
    subscribe(client, types=["dossier.submitted"], url=receiver.url, secret=SECRET)
    (_event,) = publish_events(("dossier.submitted", "H01"))
    receiver.fail_with = 500
    deliverer = Deliverer()
    for _ in range(3):
        Subscription.objects.update(next_attempt_at=timezone.now())
        deliverer.run_once()
    receiver.fail_with = None
    return DeadLetter.objects.get(), client


@pytest.mark.django_db(transaction=True)
def test_a_replayed_dead_letter_is_delivered_once(receiver: Receiver) -> None:
    letter, client = make_dead_letter(receiver)
    outsider = make_user(roles=[(Role.SPECIALIST, make_org_unit())])
    with pytest.raises(PermissionDenied):
        replay_dead_letter(letter, by=outsider)
    assert DeadLetter.objects.get().status == "dead"
    official = make_user(roles=[(Role.LEADER, client.agency)])
    replay_dead_letter(letter, by=official)
    with pytest.raises(DeliveryError, match="không ở trạng thái lỗi"):
        replay_dead_letter(letter, by=official)
    assert AuditEntry.objects.filter(action="exchange.deadletter.replay").count() == 1
    deliverer = Deliverer()
    pass_until_idle(deliverer)
    letter.refresh_from_db()
    assert letter.status == "delivered" and letter.replayed_by == official
    assert receiver.effects == [str(letter.event_id)]
    pass_until_idle(deliverer)
    assert receiver.requests == 4  # three failures, one replay


@pytest.mark.django_db(transaction=True)
def test_deadletters_command_lists_and_replays(receiver: Receiver) -> None:
    letter, client = make_dead_letter(receiver)
    out = io.StringIO()
    call_command("deadletters", "list", stdout=out)
    assert str(letter.event_id) in out.getvalue() and client.code in out.getvalue()
    assert "HTTP 500" in out.getvalue()
    unknown = str(uuid.uuid4())
    with pytest.raises(CommandError, match=unknown):
        call_command("deadletters", "replay", str(letter.event_id), unknown, stdout=out)
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("deadletters", "replay", "not-a-uuid", stdout=out)
    with pytest.raises(CommandError, match="--all"):
        call_command("deadletters", "replay", stdout=out)
    assert DeadLetter.objects.get().status == "dead"
    out = io.StringIO()
    call_command("deadletters", "replay", "--all", stdout=out)
    assert out.getvalue() == "Đã đưa 1 sự kiện vào hàng chuyển lại.\n"
    call_command("deliver", "--once", stdout=out)
    assert DeadLetter.objects.get().status == "delivered"
    # The same subcommands under `lienthong exchange`
    out = io.StringIO()
    call_command("exchange", "deadletters", "list", "--status", "delivered", stdout=out)
    assert str(letter.event_id) in out.getvalue()
    assert receiver.effects == [str(letter.event_id)]


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_is_down_gets_the_events_when_it_is_back() -> None:
    port = free_port()
    client, _key = make_client(grants=GRANTS)
    sub = subscribe(
        client, types=["dossier.submitted"], url=f"http://127.0.0.1:{port}/h", secret=SECRET
    )
    events = publish_events(*[("dossier.submitted", f"H{i:02d}") for i in range(5)])
    deliverer = Deliverer()
    deliverer.run_once()
    sub.refresh_from_db()
    assert sub.attempts == 1 and "ConnectionRefusedError" in sub.last_error
    with Receiver(SECRET, port) as back:
        Subscription.objects.update(next_attempt_at=timezone.now())
        pass_until_idle(deliverer)
        assert back.effects == [str(e.event_id) for e in events]
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_pass_does_not_end_the_loop(receiver: Receiver, caplog: Any) -> None:
    client, _key = make_client(grants=GRANTS)
    # A subscription whose address cannot even be parsed (written past the service's checks)
    Subscription.objects.create(
        client=client, types=["dossier.submitted"], url="http://h.vn:99999/", secret=SECRET
    )
    (event,) = publish_events(("dossier.submitted", "H01"))
    stop = threading.Event()
    deliverer = Deliverer()

    def run() -> None:
        try:
            deliverer.run(stop, 0.05)
        finally:
            connection.close()

    loop = threading.Thread(target=run)
    loop.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "a pass failed" not in caplog.text:
            time.sleep(0.05)
        # When the broken subscription is fixed, the same loop delivers
        Subscription.objects.update(url=receiver.url)
        while time.monotonic() < deadline and not receiver.effects:
            time.sleep(0.05)
    finally:
        stop.set()
        loop.join(20)
    assert "deliver: a pass failed; trying again" in caplog.text
    assert receiver.effects == [str(event.event_id)]
    assert not loop.is_alive()
