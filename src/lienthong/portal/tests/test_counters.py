"""The counters on both stores: the reload rule, robots, exactness under concurrent hits,
the flush into the database (exactly once, even after a crash) and a restart."""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from lienthong.portal import counters
from lienthong.portal.counters import RedisStore, apply_batch, get_store, identify
from lienthong.portal.models import Article, FlushBatch, SiteCounter
from lienthong.portal.tests.conftest import BROWSER_UA, drop_keys, published

pytestmark = pytest.mark.django_db


def visitor(n: int) -> str:
    return counters.visitor_hash("10.0.0.1", f"{BROWSER_UA} #{n}", "muối-thử")


def test_visitor_hash_is_salted_and_robots_are_nobody() -> None:
    one = counters.visitor_hash("10.0.0.1", BROWSER_UA, "muối-1")

    assert one != counters.visitor_hash("10.0.0.1", BROWSER_UA, "muối-2")
    assert "10.0.0.1" not in one and len(one) == 32
    assert identify({"REMOTE_ADDR": "10.0.0.1", "HTTP_USER_AGENT": "Googlebot/2.1"}) is None
    assert identify({"REMOTE_ADDR": "10.0.0.1", "HTTP_USER_AGENT": "curl/8.0"}) is None
    assert identify({"REMOTE_ADDR": "10.0.0.1"}) is None
    assert identify({"REMOTE_ADDR": "10.0.0.1", "HTTP_USER_AGENT": BROWSER_UA}) is not None


def test_a_reload_counts_once_and_robots_not_at_all(
    store_kind: str, editor: Any, category: Any
) -> None:
    article = published(editor, category, "Tin đếm lượt xem")
    store = get_store()

    first = store.record(visitor(1), article.pk)
    again = store.record(visitor(1), article.pk)
    robot = store.record(None, article.pk)
    other = store.record(visitor(2), article.pk)

    assert (first.views, again.views, robot.views, other.views) == (1, 1, 1, 2)
    assert (other.online, other.total) == (2, 2)
    assert store.article_views(article.pk) == 2


def test_a_visit_ends_after_the_gap_and_a_view_after_its_window(
    store_kind: str, editor: Any, category: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = published(editor, category, "Tin hết hạn đếm")
    store = get_store()
    store.record(visitor(1), article.pk)

    # Time passes: Redis's marks expire (dropped here); the database's fall out of windows
    # of zero seconds.
    if store_kind == "redis":
        prefix = str(settings.LIENTHONG["PORTAL_REDIS_PREFIX"])
        drop_keys(prefix + "seen:")
        drop_keys(prefix + "visit:")
    else:
        monkeypatch.setattr(counters, "VIEW_WINDOW", 0)
        monkeypatch.setattr(counters, "VISIT_GAP", 0)
    result = store.record(visitor(1), article.pk)

    assert (result.views, result.total, result.online) == (2, 2, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_lose_no_increment(store_kind: str, editor: Any, category: Any) -> None:
    article = published(editor, category, "Tin nhiều người xem")
    threads, per_thread = 8, 25
    errors: list[BaseException] = []

    def hit(t: int) -> None:
        try:
            store = get_store()
            for i in range(per_thread):
                store.record(visitor(t * 1000 + i), article.pk)
                store.record(visitor(t * 1000 + i), article.pk)  # a reload
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=hit, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert errors == []
    store = get_store()
    store.flush()
    assert store.article_views(article.pk) == threads * per_thread
    assert Article.objects.get(pk=article.pk).view_count == threads * per_thread
    assert SiteCounter.objects.get(pk=1).total_visits == threads * per_thread


def test_flush_moves_the_counts_once(redis_prefix: str, editor: Any, category: Any) -> None:
    article = published(editor, category, "Tin được ghi sổ")
    store = get_store()
    for n in range(3):
        store.record(visitor(n), article.pk)

    first = store.flush()
    second = store.flush()

    assert (first.views, first.visits, first.batches) == (3, 3, 1)
    assert (second.views, second.visits, second.batches) == (0, 0, 0)
    assert Article.objects.get(pk=article.pk).view_count == 3
    assert SiteCounter.objects.get(pk=1).total_visits == 3
    assert store.article_views(article.pk) == 3  # shown = database + pending, never twice


def test_a_batch_applied_before_a_crash_is_not_applied_again(
    redis_prefix: str, editor: Any, category: Any
) -> None:
    article = published(editor, category, "Tin qua sự cố")
    store = get_store()
    assert isinstance(store, RedisStore)
    store.record(visitor(1), article.pk)
    store.record(visitor(2), article.pk)
    # The flush moved the batch aside and wrote it to the database, then the process died
    # before deleting it from Redis.
    batch_ids = store._begin_flush(args=[redis_prefix, "lo-truoc-su-co"])
    raw: dict[bytes, bytes] = store.client.hgetall(f"{redis_prefix}inflight:lo-truoc-su-co")  # type: ignore[assignment]
    apply_batch("lo-truoc-su-co", {k.decode(): int(v) for k, v in raw.items()})
    store.record(visitor(3), article.pk)

    result = store.flush()

    assert batch_ids == [b"lo-truoc-su-co"]
    assert (result.batches, result.views) == (2, 1)
    assert Article.objects.get(pk=article.pk).view_count == 3
    assert sorted(FlushBatch.objects.values_list("views", flat=True)) == [1, 2]
    assert store.client.scard(f"{redis_prefix}inflight") == 0


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_counts_survive_a_restart(
    redis_prefix: str, editor: Any, category: Any, clean_env: dict[str, str]
) -> None:
    article = published(editor, category, "Tin sau khởi động lại")
    store = get_store()
    for n in range(4):
        store.record(visitor(n), article.pk)
    store.record(visitor(0), article.pk)  # a reload
    env = {
        **clean_env,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": str(settings.LIENTHONG["REDIS_URL"]),
        "LIENTHONG_PORTAL_REDIS_PREFIX": redis_prefix,
    }
    cli = [sys.executable, "-m", "lienthong.cli"]

    # A new process flushes; then Redis loses everything (a restart without persistence).
    flushed = subprocess.run(
        [*cli, "cong", "flush-counters"], env=env, capture_output=True, text=True, timeout=120
    )
    drop_keys(redis_prefix)
    # Another new process reads the counts back (Redis re-seeded from the database).
    code = (
        "from lienthong.portal.counters import get_store; s = get_store(); "
        f"print('COUNTS', s.article_views({article.pk}), s.record(None, None).total)"
    )
    shown = subprocess.run(
        [*cli, "shell", "-c", code], env=env, capture_output=True, text=True, timeout=120
    )

    assert flushed.returncode == 0, flushed.stderr
    assert "Đã ghi 4 lượt xem, 4 lượt truy cập (1 lô)." in flushed.stdout
    assert shown.returncode == 0, shown.stderr
    assert [line for line in shown.stdout.splitlines() if line.startswith("COUNTS")] == [
        "COUNTS 4 4"
    ]
