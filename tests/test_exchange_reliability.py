"""Event delivery under failure, with real processes: `lienthong deliver` killed with SIGKILL
mid-delivery, a webhook receiver down for a while, and a nats-server of the test's own
killed and restarted mid-stream. Nothing may be lost, and no effect may happen twice."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from django.db import connection, transaction

from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.delivery.models import DeadLetter, DeliveryCursor, Subscription
from lienthong.exchange.delivery.services import subscribe
from lienthong.exchange.delivery.testing import Receiver, free_port
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import verify
from lienthong.exchange.models import OutboxEvent
from lienthong.exchange.outbox import publish

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "khoá-ký-của-bên-nhận-0123456789abcdef"
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"


def wait_for(condition: Callable[[], bool], timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def deliver_env(tmp_path: Path, settings: Any) -> dict[str, str]:
    """The environment of a `lienthong deliver` process: this test's database and body
    directory, and short retries (a settings module of the test's own)."""
    bodies = tmp_path / "bodies"
    settings.LIENTHONG = {**settings.LIENTHONG, "EXCHANGE_BODY_DIR": str(bodies)}
    (tmp_path / "reliability_settings.py").write_text(
        textwrap.dedent(
            f"""
            from lienthong.settings import *  # noqa: F403
            from lienthong.settings import LIENTHONG

            LIENTHONG = {{
                **LIENTHONG,
                "EXCHANGE_BODY_DIR": {str(bodies)!r},
                "DELIVERY_BATCH": 50,
                "DELIVERY_RETRY_BASE_SECONDS": 0.2,
                "DELIVERY_RETRY_MAX_SECONDS": 0.5,
                "DELIVERY_MAX_ATTEMPTS": 1000,
                "DELIVERY_POLL_SECONDS": 0.05,
            }}
            """
        )
    )
    paths = [str(tmp_path), os.environ.get("PYTHONPATH", "")]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reliability_settings",
        "PYTHONPATH": os.pathsep.join(p for p in paths if p),
        "DATABASE_URL": database_url(),
        "NATS_URL": "",
        "LOG_LEVEL": "INFO",
    }


class Deliver:
    """`lienthong deliver` as a process of its own."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        script = Path(sys.executable).with_name("lienthong")
        self.process = subprocess.Popen(
            [str(script), "deliver", "--interval", "0.05", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=30)

    def stop(self) -> tuple[int, str, str]:
        self.process.send_signal(signal.SIGTERM)
        stdout, stderr = self.process.communicate(timeout=60)
        return self.process.returncode, stdout, stderr

    def ensure_gone(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def publish_many(n: int, event_type: str = "dossier.submitted") -> list[str]:
    with transaction.atomic():
        return [str(publish(event_type, f"H{i:05d}", {"i": i}).event_id) for i in range(n)]


def test_sigkill_mid_delivery_loses_nothing_and_doubles_no_effect(
    deliver_env: dict[str, str],
) -> None:
    # Given a subscription, 600 events and a receiver that takes a little time per event
    client, _key = make_client(grants=["event.dossier.submitted"])
    with Receiver(SECRET, delay=0.002) as receiver:
        subscribe(client, types=["dossier.submitted"], url=receiver.url, secret=SECRET)
        ids = publish_many(600)
        # When the delivery process is killed twice in the middle of delivering
        for threshold in (120, 330):
            process = Deliver(deliver_env, "--no-nats")
            try:
                assert wait_for(lambda t=threshold: len(receiver.effects) >= t), (  # type: ignore[misc]
                    process.process.stderr
                )
                process.kill()
            finally:
                process.ensure_gone()
        assert len(receiver.effects) < 600
        # And started again
        process = Deliver(deliver_env, "--no-nats")
        try:
            done = wait_for(lambda: len(receiver.effects) == 600)
            returncode, _stdout, stderr = process.stop()
        finally:
            process.ensure_gone()
    # Then every event arrived, each effect once, in outbox order
    assert done, stderr
    assert returncode == 0, stderr
    assert receiver.effects == ids
    assert receiver.bad_signatures == 0
    sub = Subscription.objects.get()
    assert sub.position == OutboxEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    # Redeliveries were acknowledged without effect; each is in the message log
    assert receiver.requests >= 600
    assert MessageLogEntry.objects.filter(chain="webhook").count() <= receiver.requests
    assert all(check.ok for check in verify())


def test_a_receiver_down_for_a_while_gets_everything_when_it_is_back(
    deliver_env: dict[str, str],
) -> None:
    port = free_port()
    client, _key = make_client(grants=["event.dossier.submitted"])
    sub = subscribe(
        client,
        types=["dossier.submitted"],
        url=f"http://127.0.0.1:{port}/hooks",
        secret=SECRET,
    )
    ids = publish_many(30)
    process = Deliver(deliver_env, "--no-nats")
    try:
        # While nothing listens, the process keeps retrying the first event with backoff
        assert wait_for(lambda: Subscription.objects.get().attempts >= 3)
        assert Subscription.objects.get().position == sub.position
        # When the receiver comes up, everything is delivered, in order
        with Receiver(SECRET, port) as receiver:
            done = wait_for(lambda: len(receiver.effects) == 30)
            returncode, stdout, stderr = process.stop()
    finally:
        process.ensure_gone()
    assert done, stderr
    assert receiver.effects == ids
    assert not DeadLetter.objects.exists()
    assert returncode == 0
    assert "deliver: SIGTERM received, stopping" in stderr
    assert stdout.startswith("Đã chuyển 30 sự kiện tới webhook")
    assert MessageLogEntry.objects.filter(chain="webhook", outcome="error").count() >= 3


class NatsServer:
    """A nats-server with JetStream of the test's own: a free port, its own store."""

    def __init__(self, store: Path) -> None:
        self.port = free_port()
        self.store = store
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False

        assert wait_for(answers, 30)

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)
            self.process = None


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "jetstream")
    server.start()
    yield server
    server.kill()


async def _stream_ids(url: str) -> list[str]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        count = (await js.stream_info("LIENTHONG")).state.messages
        sub = await js.pull_subscribe("lienthong.>", stream="LIENTHONG")
        ids: list[str] = []
        while len(ids) < count:
            try:
                batch = await sub.fetch(min(500, count - len(ids)), timeout=5)
            except nats.errors.TimeoutError:
                break  # fewer messages than the stream says: the assertion shows it
            for message in batch:
                ids.append((message.headers or {})["Nats-Msg-Id"])
                await message.ack()
        return ids
    finally:
        await nc.close()


def test_nats_restarted_mid_stream_every_event_in_the_stream_once(
    deliver_env: dict[str, str], nats_server: NatsServer
) -> None:
    env = {**deliver_env, "NATS_URL": nats_server.url}
    ids: list[str] = []
    publishing_done = threading.Event()

    def publisher() -> None:
        try:
            for _ in range(40):
                ids.extend(publish_many(50, "dossier.received"))
                time.sleep(0.05)
        finally:
            publishing_done.set()
            connection.close()

    process = Deliver(env)
    thread = threading.Thread(target=publisher)
    thread.start()
    try:

        def position() -> int:
            cursor = DeliveryCursor.objects.filter(name="nats:LIENTHONG").first()
            return cursor.position if cursor else 0

        # When the server dies with part of the events published, and comes back a bit later
        assert wait_for(lambda: position() > 0 and len(ids) >= 500)
        nats_server.kill()
        time.sleep(1.0)
        nats_server.start()
        thread.join(120)
        assert publishing_done.is_set()
        last = OutboxEvent.objects.order_by("-id").values_list("id", flat=True)[0]
        # Then delivery resumes up to the last event
        done = wait_for(lambda: position() == last)
        returncode, _stdout, stderr = process.stop()
    finally:
        process.ensure_gone()
    assert done, stderr
    assert returncode == 0, stderr
    # And the stream holds every event exactly once, in outbox order
    in_stream = asyncio.run(_stream_ids(nats_server.url))
    assert len(ids) == 2000
    assert len(in_stream) == len(set(in_stream)) == 2000
    assert in_stream == ids
    # The outage is on record: at least one failed publish, then the batches that went through
    assert MessageLogEntry.objects.filter(chain="nats", outcome="error").exists()
    assert all(check.ok for check in verify())
