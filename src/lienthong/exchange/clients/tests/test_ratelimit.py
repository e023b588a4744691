"""The rate limit on both paths: the database (upsert) and Redis (the real server)."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import pytest
import redis
from django.test import Client

from lienthong.exchange.clients import ratelimit
from lienthong.exchange.clients.models import RateWindow
from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.messagelog.models import MessageLogEntry

pytestmark = pytest.mark.django_db

# A database of each test leg's own: `make test` runs the SQLite and PostgreSQL legs at once, and
# both number their client systems from 1 (the keys would collide).
REDIS_URL = "redis://127.0.0.1:6379/" + (
    "14" if os.environ.get("LIENTHONG_TEST_LEG") == "sqlite" else "15"
)
DOSSIERS = "api.exchange.services.dossiers"
URL = "/api/exchange/services/dossiers/000.00.00.H99-250101-0001"


@pytest.fixture(params=["database", "redis"])
def backend(request: Any, settings: Any) -> str:
    if request.param == "redis":
        settings.LIENTHONG = {**settings.LIENTHONG, "REDIS_URL": REDIS_URL}
        redis.Redis.from_url(REDIS_URL).flushdb()
    return str(request.param)


def test_a_window_counts_to_the_limit_then_refuses(backend: str) -> None:
    system, _key = make_client(rate_limit_per_minute=3)
    now = 1_800_000_000.0 + 60 * (uuid.uuid4().int % 10_000)  # the start of a fresh minute
    checks = [ratelimit.check(system, now=now + n) for n in range(5)]
    assert [c.allowed for c in checks] == [True, True, True, False, False]
    assert [c.count for c in checks] == [1, 2, 3, 4, 5]
    assert checks[3].retry_after == 57
    next_minute = ratelimit.check(system, now=now + 60)
    assert next_minute.allowed and next_minute.count == 1
    rows = RateWindow.objects.filter(client_id=system.pk).count()
    assert rows == (2 if backend == "database" else 0)


def test_over_the_limit_the_api_answers_429_with_retry_after(backend: str, client: Client) -> None:
    if 60 - time.time() % 60 < 3:  # keep the three calls inside one window
        time.sleep(3)
    _system, key = make_client(grants=[DOSSIERS], rate_limit_per_minute=2)
    statuses = [client.get(URL, HTTP_X_API_KEY=key).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    response = client.get(URL, HTTP_X_API_KEY=key)
    assert response.status_code == 429 and "2 lượt" in response.json()["detail"]
    assert 1 <= int(response["Retry-After"]) <= 60
    refused = MessageLogEntry.objects.filter(chain="api", status=429)
    assert [e.error for e in refused] == ["rate limit 2/min"] * 2
