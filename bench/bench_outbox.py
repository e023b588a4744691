"""Benchmark of the outbox: events published per second (each in its own transaction, as a
service would), and events relayed per second to one idempotent consumer, by one relay and by
two relays at once.

Run by `make bench` on a fresh migrated database, or by hand on a scratch one:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \
        .venv/bin/python bench/bench_outbox.py [--events 2000]

Prints JSON lines `outbox.publish`, `outbox.relay` and `outbox.relay_2_workers`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import Any


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from lienthong.exchange.models import OutboxEvent, ProcessedEvent
    from lienthong.exchange.outbox import publish, relay_pending
    from lienthong.exchange.registry import CloudEvent, HandlerRegistry

    if OutboxEvent.objects.exists():
        print("bench_outbox: the outbox is not empty; use a scratch database", file=sys.stderr)
        return 2

    handled = 0
    lock = threading.Lock()

    def consumer(event: CloudEvent) -> None:
        nonlocal handled
        with lock:
            handled += 1

    handlers = HandlerRegistry()
    handlers.register("dossier.*", consumer, consumer="bench.count")
    data = {"code": "H01.1-250303-0001", "procedure": "1.001234", "fee": "50000"}

    def publish_many(n: int) -> float:
        started = time.perf_counter()
        for i in range(n):
            with transaction.atomic():
                publish("dossier.received", f"H01.1-250303-{i:04d}", data)
        return time.perf_counter() - started

    seconds = publish_many(args.events)
    emit(
        {
            "bench": "outbox.publish",
            "n": args.events,
            "seconds": round(seconds, 3),
            "per_second": round(args.events / seconds, 1),
        }
    )

    started = time.perf_counter()
    relayed = 0
    while batch := relay_pending(handlers=handlers).delivered:
        relayed += batch
    seconds = time.perf_counter() - started
    emit(
        {
            "bench": "outbox.relay",
            "n": relayed,
            "seconds": round(seconds, 3),
            "per_second": round(relayed / seconds, 1),
        }
    )

    publish_many(args.events)
    errors: list[BaseException] = []

    def relay() -> None:
        try:
            while relay_pending(handlers=handlers, limit=50).claimed:
                pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    delivered = OutboxEvent.objects.filter(status=OutboxEvent.Status.DELIVERED).count()
    if errors or delivered != 2 * args.events or handled != 2 * args.events:
        print(
            f"bench_outbox: errors={errors!r} delivered={delivered} handled={handled}",
            file=sys.stderr,
        )
        return 1
    emit(
        {
            "bench": "outbox.relay_2_workers",
            "n": args.events,
            "seconds": round(seconds, 3),
            "per_second": round(args.events / seconds, 1),
            "processed_rows": ProcessedEvent.objects.count(),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
