"""Benchmark of event delivery (`lienthong deliver`): outbox → NATS JetStream, outbox → a
webhook, and a run with the delivery process killed (SIGKILL) in the middle.

Run by `make bench` on a fresh migrated database, or by hand on a scratch one:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \\
        .venv/bin/python bench/bench_events.py [--events 5000] [--crash-events 100000]

It starts a nats-server (JetStream, a free port, a store of its own) and a webhook receiver
process (`python -m lienthong.exchange.delivery.testing`: checks signatures, dedupes by
CloudEvent id, counts effects). Prints JSON lines `events.nats`, `events.webhook` and
`events.crash` (lost and doubled must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

SECRET = "bench-secret-0123456789abcdefghij"


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


def stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=10) as answer:
        return dict(json.loads(answer.read()))


async def _stream_ids(url: str, stream: str) -> list[str]:
    """The Nats-Msg-Id of every message in the stream."""
    import nats

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        count = (await js.stream_info(stream)).state.messages
        sub = await js.pull_subscribe(">", stream=stream)
        ids: list[str] = []
        while len(ids) < count:
            try:
                batch = await sub.fetch(min(1000, count - len(ids)), timeout=5)
            except nats.errors.TimeoutError:
                break
            for message in batch:
                ids.append((message.headers or {})["Nats-Msg-Id"])
                await message.ack()
        return ids
    finally:
        await nc.close()


async def _stream_count(url: str, stream: str) -> int:
    import nats

    nc = await nats.connect(url)
    try:
        return int((await nc.jetstream().stream_info(stream)).state.messages)
    finally:
        await nc.close()


def publish_events(n: int, event_type: str, start: int = 0) -> None:
    from django.db import transaction

    from lienthong.exchange.outbox import publish

    data = {"code": "H01.1-250303-0001", "procedure": "1.001234", "status": "2"}
    for offset in range(0, n, 500):
        with transaction.atomic():
            for i in range(offset, min(n, offset + 500)):
                publish(event_type, f"H01.1-{start + i:07d}", data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=5000, help="events per throughput run")
    parser.add_argument(
        "--crash-events",
        type=int,
        default=5000,
        help="events of the crash run (100000: the issue's)",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    server = shutil.which("nats-server") or "/usr/sbin/nats-server"
    store = Path(tempfile.mkdtemp(prefix="bench-events-js-"))
    nats_port = free_port()
    nats_url = f"nats://127.0.0.1:{nats_port}"
    nats_process = subprocess.Popen(
        [server, "-a", "127.0.0.1", "-p", str(nats_port), "-js", "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    hook_port = free_port()
    receiver = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lienthong.exchange.delivery.testing",
            "--port",
            str(hook_port),
            "--secret",
            SECRET,
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_port(nats_port)
        wait_port(hook_port)
        os.environ["NATS_URL"] = nats_url
        return run(args, nats_url, hook_port)
    finally:
        for process in (receiver, nats_process):
            process.terminate()
            process.wait(30)
        shutil.rmtree(store, ignore_errors=True)


def run(args: argparse.Namespace, nats_url: str, hook_port: int) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Max

    from lienthong.exchange.clients.models import Grant
    from lienthong.exchange.clients.testing import make_client
    from lienthong.exchange.delivery.deliverer import Deliverer
    from lienthong.exchange.delivery.models import DeliveryCursor, Subscription
    from lienthong.exchange.delivery.services import subscribe
    from lienthong.exchange.models import OutboxEvent

    if OutboxEvent.objects.exists():
        note("bench_events: the outbox is not empty; use a scratch database")
        return 2
    settings.NATS_URL = nats_url
    stream = "LIENTHONG"
    n = args.events

    # 1. outbox → NATS JetStream: n committed events, drained by one deliverer
    publish_events(n, "dossier.status_changed")
    deliverer = Deliverer(batch=1000)
    started = time.perf_counter()
    while deliverer.run_once().busy:
        pass
    seconds = time.perf_counter() - started
    deliverer.close()
    in_stream = asyncio.run(_stream_count(nats_url, stream))
    emit(
        {
            "bench": "events.nats",
            "n": n,
            "seconds": round(seconds, 3),
            "per_second": round(n / seconds, 1),
            "in_stream": in_stream,
        }
    )
    if in_stream != n:
        note(f"bench_events: {in_stream} messages in the stream, expected {n}")
        return 1

    # 2. outbox → one webhook subscription on a local receiver process
    client, _key = make_client(grants=["event.dossier.submitted"])
    subscription = subscribe(
        client,
        types=["dossier.submitted"],
        url=f"http://127.0.0.1:{hook_port}/hook",
        secret=SECRET,
    )
    publish_events(n, "dossier.submitted")
    deliverer = Deliverer(batch=1000, use_nats=False)
    started = time.perf_counter()
    while deliverer.run_once().busy:
        pass
    seconds = time.perf_counter() - started
    deliverer.close()
    got = stats(hook_port)
    emit(
        {
            "bench": "events.webhook",
            "n": n,
            "seconds": round(seconds, 3),
            "per_second": round(n / seconds, 1),
            "received": got["effects"],
            "signatures_ok": got["bad_signatures"] == 0,
        }
    )
    if got["effects"] != n or got["bad_signatures"]:
        note(f"bench_events: receiver says {got}")
        return 1

    # 3. `lienthong deliver` to the webhook and NATS at once, SIGKILLed mid-way, restarted
    crash_n = args.crash_events
    before_hook = got["effects"]
    publish_events(crash_n, "dossier.submitted", start=n)
    last = OutboxEvent.objects.aggregate(top=Max("id"))["top"]
    script = Path(sys.executable).with_name("lienthong")
    command = [str(script), "deliver", "--interval", "0.05"]
    env = {**os.environ, "NATS_URL": nats_url, "LOG_LEVEL": "WARNING"}

    def progress() -> tuple[int, int]:
        sub = Subscription.objects.get(pk=subscription.pk).position
        cursor = DeliveryCursor.objects.get(name=f"nats:{stream}").position
        return sub, cursor

    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    while stats(hook_port)["effects"] - before_hook < crash_n * 0.4:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    killed_at = stats(hook_port)["effects"] - before_hook
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    while progress() != (last, last):
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    process.send_signal(signal.SIGTERM)
    process.wait(60)
    got = stats(hook_port)
    received = got["effects"] - before_hook
    found = asyncio.run(_stream_ids(nats_url, stream))
    expected = {str(i) for i in OutboxEvent.objects.values_list("event_id", flat=True)}
    record = {
        "bench": "events.crash",
        "n": crash_n,
        "killed_after": killed_at,
        "seconds": round(seconds, 3),
        "webhook_lost": crash_n - received,
        "webhook_doubled": got["effects"] - got["distinct"],
        "webhook_redelivered": got["requests"] - got["effects"],
        "webhook_in_order": got["in_order"],
        "nats_lost": len(expected - set(found)),
        "nats_doubled": len(found) - len(set(found)),
        "nats_in_stream": len(found),
    }
    emit(record)
    Grant.objects.filter(client=client).delete()
    ok = (
        record["webhook_lost"] == record["webhook_doubled"] == 0
        and record["nats_lost"] == record["nats_doubled"] == 0
        and got["in_order"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
