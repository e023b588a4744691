"""Rate limit of client systems: a fixed window of one minute per system.

With `REDIS_URL` set the counter is a Redis key (`INCR`, expiring after two minutes): shared
by every web process and server, no database write per call. Without it the counter is a
`RateWindow` row, incremented by one upsert statement (`INSERT … ON CONFLICT DO UPDATE …
RETURNING`, the same SQL on SQLite and PostgreSQL), so concurrent calls never lose a count.

A fixed window lets a system make up to twice its limit across a window boundary; that is
acceptable for protecting the platform and keeps each check to one round trip.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from lienthong.exchange.clients.conf import setting
from lienthong.exchange.clients.models import ClientSystem, RateWindow

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateCheck:
    """The outcome of one check: allowed or not, the count and when the window ends."""

    allowed: bool
    count: int
    limit: int
    retry_after: int


_redis_lock = threading.Lock()
_redis_clients: dict[str, Any] = {}


def _redis(url: str) -> Any:
    with _redis_lock:
        client = _redis_clients.get(url)
        if client is None:
            import redis

            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            _redis_clients[url] = client
        return client


def _count_redis(url: str, client_id: int, minute: int) -> int:
    key = f"lienthong:rate:{client_id}:{minute}"
    pipe = _redis(url).pipeline()
    pipe.incr(key)
    pipe.expire(key, 2 * WINDOW_SECONDS)
    count, _ok = pipe.execute()
    return int(count)


def _count_database(client_id: int, minute: int) -> int:
    table = connection.ops.quote_name(RateWindow._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (client_id, minute, count) VALUES (%s, %s, 1) "
            f"ON CONFLICT (client_id, minute) DO UPDATE SET count = {table}.count + 1 "
            "RETURNING count",
            [client_id, minute],
        )
        count = int(cursor.fetchone()[0])
        if count == 1:  # a new window: the system's older windows are no longer needed
            RateWindow.objects.filter(client_id=client_id, minute__lt=minute - 1).delete()
    return count


def check(client: ClientSystem, *, now: float | None = None) -> RateCheck:
    """Count one call of `client` in the current window and say whether it may proceed."""
    now = time.time() if now is None else now
    minute = int(now // WINDOW_SECONDS)
    url = str(setting("REDIS_URL") or "")
    count = _count_redis(url, client.pk, minute) if url else _count_database(client.pk, minute)
    limit = client.rate_limit
    retry_after = max(1, int((minute + 1) * WINDOW_SECONDS - now + 0.999))
    return RateCheck(allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)
