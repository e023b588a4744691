"""Visit counters and the page cache of the public portal.

Rules (docs/portal.md):
- A visitor is a salted hash of (IP address, User-Agent). The salt is random, one per local
  day, kept in `DailySalt` and deleted after its day; the address and the User-Agent are never
  stored. Requests whose User-Agent is empty or looks like a robot count for nothing.
- "Lượt xem" of an article: one view per visitor per article per `VIEW_WINDOW` (30 minutes from
  the counted view), so reloads do not inflate it.
- "Tổng truy cập": one visit per visitor that was not seen for `VISIT_GAP` (30 minutes).
- "Đang truy cập": distinct visitors seen in the last `ONLINE_WINDOW` (5 minutes).

Two stores behind one interface:
- `RedisStore` (when `REDIS_URL` is set): cached pages and counters in Redis. A served page
  and its hit are one Lua script — one round trip, atomic, so no increment is lost however many
  workers serve at once. Counts wait in a `pending` hash until `flush()` moves them into the
  database exactly once (a batch id recorded in `FlushBatch` in the same transaction as the
  increments; the batch is deleted from Redis only after that commit, and a batch left behind
  by a crash is applied, or skipped, on the next flush).
- `DatabaseStore` (no Redis): every hit is written through with `UPDATE … SET n = n + 1`,
  pages are kept in Django's default cache.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lienthong.portal.models import Article, DailySalt, FlushBatch, Presence, SiteCounter, ViewMark

VIEW_WINDOW = 30 * 60
VISIT_GAP = 30 * 60
ONLINE_WINDOW = 5 * 60

# Robots, crawlers, link previews, monitors and HTTP libraries: not visitors.
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|preview|monitor|pingdom|uptime|"
    r"curl|wget|python-requests|python-urllib|aiohttp|httpx|go-http-client|java/|okhttp|"
    r"libwww|scrapy|phantomjs|headless|lighthouse|feedfetcher|validator",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    """True for an empty User-Agent or one that names a robot or an HTTP library."""
    return not user_agent.strip() or BOT_PATTERN.search(user_agent) is not None


# --- Visitor identity ---------------------------------------------------------------------

_salt_lock = threading.Lock()
_salt_cache: dict[date, str] = {}


def daily_salt(day: date | None = None) -> str:
    """The salt of a local day, created once for all processes (the database row decides)."""
    day = day or timezone.localdate()
    salt = _salt_cache.get(day)
    if salt is not None:
        return salt
    with _salt_lock:
        row, _created = DailySalt.objects.get_or_create(
            day=day, defaults={"salt": secrets.token_hex(32)}
        )
        _salt_cache.clear()
        _salt_cache[day] = row.salt
        return row.salt


def visitor_hash(ip: str, user_agent: str, salt: str) -> str:
    """An identifier that is stable for a day and cannot be turned back into the address."""
    digest = hashlib.sha256(f"{salt}\x1f{ip}\x1f{user_agent}".encode())
    return digest.hexdigest()[:32]


def client_ip(meta: dict[str, Any]) -> str:
    """The caller's address: REMOTE_ADDR, or the proxy's X-Forwarded-For when trusted."""
    if settings.LIENTHONG.get("PORTAL_TRUST_X_FORWARDED_FOR"):
        forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")[0].strip()
        if forwarded:
            return forwarded
    return str(meta.get("REMOTE_ADDR", ""))


def identify(meta: dict[str, Any]) -> str | None:
    """The visitor hash of a request (its WSGI environ / META), None for a robot."""
    user_agent = str(meta.get("HTTP_USER_AGENT", ""))
    if is_bot(user_agent):
        return None
    return visitor_hash(client_ip(meta), user_agent, daily_salt())


# --- Stores -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """What a page shows: the article's views (None off article pages), online, total."""

    views: int | None
    online: int
    total: int


@dataclass(frozen=True)
class CachedPage:
    """A rendered page kept in the cache, with the counts to fill into it."""

    headers: str
    body: bytes
    counts: Counts


@dataclass(frozen=True)
class FlushResult:
    """What one flush moved into the database."""

    batches: int
    views: int
    visits: int


def _site_row() -> SiteCounter:
    row, _created = SiteCounter.objects.get_or_create(pk=1)
    return row


# One script for "serve this page if cached, and count the hit". KEYS are not declared: the
# portal's keys live on one Redis (no cluster), under one prefix.
_HIT_SCRIPT = """
local p = ARGV[1]
local article = ARGV[5]
local headers = false
local body = false
if ARGV[2] ~= '' then
  local gen = redis.call('GET', p .. 'gen') or '0'
  local entry = redis.call('HMGET', p .. 'page:' .. gen .. ':' .. ARGV[2], 'a', 'h', 'b')
  if not entry[3] then return false end
  article = entry[1]
  headers = entry[2]
  body = entry[3]
  if redis.call('EXISTS', p .. 'total') == 0 then return false end
  if article ~= '' and redis.call('HEXISTS', p .. 'views', article) == 0 then return false end
end
local now = tonumber(ARGV[4])
local v = ARGV[3]
if v ~= '' then
  redis.call('ZADD', p .. 'online', now, v)
  if redis.call('SET', p .. 'visit:' .. v, '1', 'NX', 'EX', ARGV[7]) then
    redis.call('INCR', p .. 'total')
    redis.call('HINCRBY', p .. 'pending', '_visits', 1)
  else
    redis.call('EXPIRE', p .. 'visit:' .. v, ARGV[7])
  end
  if article ~= '' then
    if redis.call('SET', p .. 'seen:' .. article .. ':' .. v, '1', 'NX', 'EX', ARGV[6]) then
      redis.call('HINCRBY', p .. 'views', article, 1)
      redis.call('HINCRBY', p .. 'pending', article, 1)
    end
  end
end
redis.call('ZREMRANGEBYSCORE', p .. 'online', '-inf', now - tonumber(ARGV[8]))
local views = false
if article ~= '' then views = redis.call('HGET', p .. 'views', article) end
return {headers, body, views, redis.call('ZCARD', p .. 'online'), redis.call('GET', p .. 'total')}
"""

# Move the pending counts aside under a batch id (atomic: a hit lands before or after).
_BEGIN_FLUSH_SCRIPT = """
local p = ARGV[1]
if redis.call('EXISTS', p .. 'pending') == 1 then
  redis.call('RENAME', p .. 'pending', p .. 'inflight:' .. ARGV[2])
  redis.call('SADD', p .. 'inflight', ARGV[2])
end
return redis.call('SMEMBERS', p .. 'inflight')
"""


class Store:
    """The interface both stores implement."""

    def serve(self, key: str, visitor: str | None) -> CachedPage | None:
        raise NotImplementedError

    def put(
        self, key: str, generation: int, page: CachedPage, article_id: int | None, ttl: int
    ) -> None:
        raise NotImplementedError

    def record(self, visitor: str | None, article_id: int | None) -> Counts:
        raise NotImplementedError

    def generation(self) -> int:
        raise NotImplementedError

    def bump_generation(self) -> None:
        raise NotImplementedError

    def flush(self) -> FlushResult:
        raise NotImplementedError

    def article_views(self, article_id: int) -> int:
        raise NotImplementedError


class RedisStore(Store):
    """Pages and counters in Redis; counts folded into the database by `flush()`."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self._hit = self.client.register_script(_HIT_SCRIPT)
        self._begin_flush = self.client.register_script(_BEGIN_FLUSH_SCRIPT)

    def _run_hit(self, key: str, visitor: str | None, article_id: int | None) -> Any:
        return self._hit(
            args=[
                self.prefix,
                key,
                visitor or "",
                f"{timezone.now().timestamp():.3f}",
                "" if article_id is None else str(article_id),
                VIEW_WINDOW,
                VISIT_GAP,
                ONLINE_WINDOW,
            ]
        )

    @staticmethod
    def _counts(reply: list[Any]) -> Counts:
        return Counts(
            views=int(reply[2]) if reply[2] is not None else None,
            online=int(reply[3]),
            total=int(reply[4] or 0),
        )

    def serve(self, key: str, visitor: str | None) -> CachedPage | None:
        reply = self._run_hit(key, visitor, None)
        if not reply:
            return None
        return CachedPage(headers=reply[0].decode(), body=reply[1], counts=self._counts(reply))

    def _seed(self, article_id: int | None) -> None:
        """Start Redis's totals from the database's, once (a no-op when they are there)."""
        p = self.prefix
        if not self.client.exists(p + "total"):
            self.client.setnx(p + "total", _site_row().total_visits)
        if article_id is not None and not self.client.hexists(p + "views", article_id):
            stored = Article.objects.filter(pk=article_id).values_list("view_count", flat=True)
            self.client.hsetnx(p + "views", str(article_id), next(iter(stored), 0))

    def put(
        self, key: str, generation: int, page: CachedPage, article_id: int | None, ttl: int
    ) -> None:
        name = f"{self.prefix}page:{generation}:{key}"
        pipe = self.client.pipeline()
        pipe.hset(
            name,
            mapping={
                "a": "" if article_id is None else str(article_id),
                "h": page.headers,
                "b": page.body,
            },
        )
        pipe.expire(name, max(ttl, 1))
        pipe.execute()

    def record(self, visitor: str | None, article_id: int | None) -> Counts:
        self._seed(article_id)
        return self._counts(self._run_hit("", visitor, article_id))

    def generation(self) -> int:
        return int(self.client.get(self.prefix + "gen") or 0)

    def bump_generation(self) -> None:
        self.client.incr(self.prefix + "gen")

    def article_views(self, article_id: int) -> int:
        self._seed(article_id)
        return int(self.client.hget(self.prefix + "views", str(article_id)) or 0)

    def flush(self) -> FlushResult:
        batch_ids = self._begin_flush(args=[self.prefix, uuid.uuid4().hex])
        views = visits = 0
        for raw in sorted(batch_ids):
            batch_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            name = f"{self.prefix}inflight:{batch_id}"
            raw_counts: dict[bytes, bytes] = self.client.hgetall(name)  # type: ignore[assignment]
            counts = {k.decode(): int(v) for k, v in raw_counts.items()}
            batch_views, batch_visits = apply_batch(batch_id, counts)
            views += batch_views
            visits += batch_visits
            # Only after the database has the batch: a crash before this line leaves the
            # batch in Redis, and the next flush finds its FlushBatch row and skips it.
            pipe = self.client.pipeline()
            pipe.delete(name)
            pipe.srem(self.prefix + "inflight", batch_id)
            pipe.execute()
        return FlushResult(batches=len(batch_ids), views=views, visits=visits)


def apply_batch(batch_id: str, counts: dict[str, int]) -> tuple[int, int]:
    """Add one batch of counts to the database, once: (views, visits) applied now."""
    visits = counts.get("_visits", 0)
    per_article = {int(k): n for k, n in counts.items() if k != "_visits" and n}
    with transaction.atomic():
        _row, created = FlushBatch.objects.get_or_create(
            batch_id=batch_id,
            defaults={"views": sum(per_article.values()), "visits": visits},
        )
        if not created:
            return 0, 0
        for article_id, n in sorted(per_article.items()):
            Article.objects.filter(pk=article_id).update(view_count=F("view_count") + n)
        if visits:
            _site_row()
            SiteCounter.objects.filter(pk=1).update(total_visits=F("total_visits") + visits)
    return sum(per_article.values()), visits


class DatabaseStore(Store):
    """Without Redis: counts written through to the database, pages in Django's cache."""

    @property
    def cache(self) -> Any:
        return caches["default"]

    def serve(self, key: str, visitor: str | None) -> CachedPage | None:
        entry = self.cache.get(f"portal:{self.generation()}:{key}")
        if entry is None:
            return None
        counts = self.record(visitor, entry["a"])
        return CachedPage(headers=entry["h"], body=entry["b"], counts=counts)

    def put(
        self, key: str, generation: int, page: CachedPage, article_id: int | None, ttl: int
    ) -> None:
        entry = {"a": article_id, "h": page.headers, "b": page.body}
        self.cache.set(f"portal:{generation}:{key}", entry, max(ttl, 1))

    def record(self, visitor: str | None, article_id: int | None) -> Counts:
        now = timezone.now()
        with transaction.atomic():
            if visitor is not None:
                if _touch(
                    Presence.objects.filter(visitor=visitor),
                    "last_seen",
                    now,
                    VISIT_GAP,
                    lambda: Presence.objects.create(visitor=visitor, last_seen=now),
                ):
                    _site_row()
                    SiteCounter.objects.filter(pk=1).update(total_visits=F("total_visits") + 1)
                if article_id is not None:
                    marks = ViewMark.objects.filter(article_id=article_id, visitor=visitor)
                    if _touch(
                        marks,
                        "counted_at",
                        now,
                        VIEW_WINDOW,
                        lambda: ViewMark.objects.create(
                            article_id=article_id, visitor=visitor, counted_at=now
                        ),
                        refresh=False,
                    ):
                        Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)
            views = None
            if article_id is not None:
                views = (
                    Article.objects.filter(pk=article_id)
                    .values_list("view_count", flat=True)
                    .first()
                )
            online = Presence.objects.filter(
                last_seen__gte=now - timedelta(seconds=ONLINE_WINDOW)
            ).count()
            total = _site_row().total_visits
        return Counts(views=views, online=online, total=total)

    def generation(self) -> int:
        return _site_row().generation

    def bump_generation(self) -> None:
        _site_row()
        SiteCounter.objects.filter(pk=1).update(generation=F("generation") + 1)

    def article_views(self, article_id: int) -> int:
        return (
            Article.objects.filter(pk=article_id).values_list("view_count", flat=True).first() or 0
        )

    def flush(self) -> FlushResult:
        """Nothing waits to be moved; forget marks and presences older than their windows."""
        cut = timezone.now() - timedelta(seconds=max(VIEW_WINDOW, VISIT_GAP))
        ViewMark.objects.filter(counted_at__lt=cut).delete()
        Presence.objects.filter(last_seen__lt=cut).delete()
        return FlushResult(batches=0, views=0, visits=0)


def _touch(
    rows: Any, field: str, now: Any, window: int, create: Any, *, refresh: bool = True
) -> bool:
    """True when this hit starts a new count for the row (none, or older than `window`).

    Each step is one atomic statement, so two concurrent hits of one visitor never both count:
    only one UPDATE matches the stale row, only one INSERT passes the unique key.
    """
    cut = now - timedelta(seconds=window)
    fresh = rows.filter(**{f"{field}__gte": cut})
    if refresh:
        if fresh.update(**{field: now}):
            return False
    elif fresh.exists():
        return False
    if rows.filter(**{f"{field}__lt": cut}).update(**{field: now}):
        return True
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return False
    return True


_store_lock = threading.Lock()
_stores: dict[tuple[str, str], Store] = {}


def get_store() -> Store:
    """The store the settings choose: Redis when `REDIS_URL` is set, else the database."""
    url = str(settings.LIENTHONG.get("REDIS_URL") or "")
    prefix = str(settings.LIENTHONG.get("PORTAL_REDIS_PREFIX") or "lienthong:portal:")
    key = (url, prefix)
    store = _stores.get(key)
    if store is None:
        with _store_lock:
            store = _stores.get(key)
            if store is None:
                store = RedisStore(url, prefix) if url else DatabaseStore()
                _stores[key] = store
    return store


def purge_old_salts() -> int:
    """Delete the salts of past days: yesterday's hashes can no longer be recomputed."""
    deleted, _ = DailySalt.objects.filter(day__lt=timezone.localdate()).delete()
    return deleted
