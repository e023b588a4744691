"""Benchmark of the gateway: client calls per second through `ClientAuth` (key lookup, grant
check, rate limit, the call's chain "api" entry with its bodies), in-process through Django's
test client (no network, one thread), with the rate limit in the database and in Redis; and
`lienthong exchange verify` speed over the entries written.

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \
        .venv/bin/python bench/bench_gateway.py [--calls 1000]

Prints JSON lines `gateway.call` (per rate-limit backend, with p50/p95 ms) and
`gateway.verify`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Any


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    os.environ.setdefault("LIENTHONG_INSECURE_HTTP", "1")
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # every call here is a 404
    from django.conf import settings
    from django.test import Client

    from lienthong.exchange.clients.testing import make_client
    from lienthong.exchange.messagelog.models import MessageLogEntry
    from lienthong.exchange.messagelog.services import verify

    if MessageLogEntry.objects.exists():
        print(
            "bench_gateway: the message log is not empty; use a scratch database", file=sys.stderr
        )
        return 2
    settings.ALLOWED_HOSTS = ["*"]
    body_dir = tempfile.mkdtemp(prefix="bench-gateway-")
    backends = [("database", "")]
    try:
        import redis

        redis.Redis.from_url(args.redis).ping()
        backends.append(("redis", args.redis))
    except Exception as exc:  # Redis is optional for the bench
        print(f"bench_gateway: Redis not reachable ({exc}); database path only", file=sys.stderr)

    for name, url in backends:
        settings.LIENTHONG = {
            **settings.LIENTHONG,
            "REDIS_URL": url,
            "EXCHANGE_BODY_DIR": body_dir,
        }
        _system, key = make_client(
            grants=["api.exchange.services.dossiers"], rate_limit_per_minute=10_000_000
        )
        client = Client()
        path = "/api/exchange/services/dossiers/000.00.00.H99-250101-0001"
        for _ in range(20):  # warm caches (catalogue, statements)
            client.get(path, HTTP_X_API_KEY=key)
        timings = []
        started = time.perf_counter()
        for _ in range(args.calls):
            t0 = time.perf_counter()
            response = client.get(path, HTTP_X_API_KEY=key)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 404, response.content
        seconds = time.perf_counter() - started
        timings.sort()
        emit(
            {
                "bench": "gateway.call",
                "rate_limit": name,
                "n": args.calls,
                "seconds": round(seconds, 3),
                "per_second": round(args.calls / seconds, 1),
                "p50_ms": round(statistics.median(timings), 2),
                "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            }
        )

    total = MessageLogEntry.objects.count()
    started = time.perf_counter()
    checks = verify(bodies_too=True)
    seconds = time.perf_counter() - started
    assert all(check.ok for check in checks), [c.problem for c in checks]
    emit(
        {
            "bench": "gateway.verify",
            "n": total,
            "seconds": round(seconds, 3),
            "per_second": round(total / seconds, 1),
            "bodies_too": True,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
