"""Benchmark: the public portal's article and home pages against a Wagtail site, with wrk.

Builds `--articles` published articles (bulk inserts), serves the platform with `lienthong
serve` (Redis counters and page cache: REDIS_URL, default redis://127.0.0.1:6379/0 under a
prefix of its own), builds a plain Wagtail site holding the same articles in its own virtual
environment under var/bench-wagtail/ (pip install wagtail gunicorn, once), serves it with
gunicorn (same workers and threads), and drives both with wrk:

- article pages: `--pages` articles in turn; home: the portal's /cong/ and Wagtail's index
  of the 20 newest articles;
- every request carries a User-Agent naming one of `--visitors` visitors per wrk thread, so
  the expected view counts are known exactly: the reload rule (one view per visitor per
  article per 30 minutes) makes each (visitor, article) pair count once, however often wrk
  repeats it. The bench asserts views recorded == pairs sent, then a second, concurrent
  phase of all-distinct visitors (`--distinct` requests from 16 threads) plus reloads and
  robots, and asserts the counts again after `lienthong cong flush-counters` moved them into
  the database.

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_portal.py \\
        [--articles 1000] [--seconds 20] [--connections 64] [--workers 2] [--threads 4] \\
        [--no-wagtail]

Target (issue 7): ≥ 5× Wagtail's requests per second on article pages and on the home page.
Prints JSON lines: `portal.seed`, `portal.article`, `portal.home`, `wagtail.article`,
`wagtail.home`, `portal.vs_wagtail`, `portal.counts`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_submit import emit, free_port, lienthong, note, served, setup_django

ROOT = Path(__file__).resolve().parent.parent
WAGTAIL_SOURCE = Path(__file__).resolve().parent / "wagtail_site"
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36 bench-visitor-"

WRK_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local visitors = tonumber(os.getenv("BENCH_VISITORS"))
local ua = os.getenv("BENCH_UA")
local threads = {}
local next_id = 0
local id = 0
local n = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

function init(args)
  id = wrk.thread:get("id")
end

-- Request n of this thread: every path with visitor 0 of the thread, then visitor 1, …
function request()
  local path = paths[n % #paths + 1]
  local visitor = id * visitors + math.floor(n / #paths) % visitors
  n = n + 1
  wrk.thread:set("n", n)
  return wrk.format("GET", path, {["User-Agent"] = ua .. visitor})
end

function done(summary, latency, requests)
  local per_thread = {}
  for _, t in ipairs(threads) do per_thread[#per_thread + 1] = tostring(t:get("n")) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "sent_per_thread": [%s]}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    table.concat(per_thread, ",")))
end
"""


def run_wrk(
    base: str, paths: list[str], *, seconds: float, connections: int, threads: int, visitors: int
) -> dict[str, Any]:
    """One wrk run over `paths`; its numbers (requests per second, latency, sent per thread)."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bench.lua"
        script.write_text(WRK_SCRIPT)
        listing = Path(folder) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        env = {
            **os.environ,
            "BENCH_PATHS": str(listing),
            "BENCH_VISITORS": str(visitors),
            "BENCH_UA": UA,
        }
        result = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds:g}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{result.stdout}{result.stderr}")
    raw = json.loads(line[len("WRKJSON ") :])
    seconds_run = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "per_second": round(raw["requests"] / seconds_run, 1),
        "non_2xx": raw["non_2xx"],
        "errors": raw["errors"],
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "sent_per_thread": raw["sent_per_thread"],
        "connections": connections,
        "threads": threads,
    }


# --- Our side -------------------------------------------------------------------------------


def seed(count: int) -> list[dict[str, Any]]:
    """`count` published articles in 4 categories (bulk inserts), as JSON-ready dicts."""
    from django.db import transaction
    from django.utils import timezone

    from lienthong.portal.models import Article, ArticleStatus, Category
    from lienthong.portal.services import sanitise, slugify_vi

    Article.objects.all().delete()
    Category.objects.all().delete()
    now = timezone.now()
    body = sanitise(
        "<p>" + "Ủy ban nhân dân tỉnh yêu cầu các sở, ngành tiếp tục cải cách hành chính, "
        "công khai quy trình, tiếp nhận và trả kết quả đúng hẹn. " * 12 + "</p>"
        "<h2>Nội dung chính</h2><ul><li>Số hóa hồ sơ.</li><li>Xin lỗi khi trễ hẹn.</li></ul>"
    )
    with transaction.atomic():
        categories = [
            Category.objects.create(name=name, slug=slugify_vi(name), order=i)
            for i, name in enumerate(
                ("Tin tức nổi bật", "Cải cách hành chính", "Chuyển đổi số", "Thông báo")
            )
        ]
        rows = []
        for n in range(count):
            title = f"Tin số {n + 1}: tỉnh đẩy mạnh dịch vụ công trực tuyến toàn trình"
            rows.append(
                Article(
                    category=categories[n % 4],
                    title=title,
                    slug=f"{slugify_vi(title)}-{n + 1}",
                    summary=f"Tóm tắt tin số {n + 1} về cải cách hành chính và chuyển đổi số.",
                    body=body,
                    author_name="Ban biên tập",
                    status=ArticleStatus.PUBLISHED,
                    published_at=now - datetime.timedelta(minutes=10 * n + 1),
                    is_featured=n < 3,
                )
            )
        Article.objects.bulk_create(rows, batch_size=500)
    return [
        {
            "title": a.title,
            "slug": a.slug,
            "summary": a.summary,
            "body": a.body,
            "author": a.author_name,
            "published_at": (a.published_at or now).isoformat(),
        }
        for a in rows
    ]


def get(port: int, path: str, user_agent: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"User-Agent": user_agent})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def views_of(slugs: list[str]) -> dict[str, int]:
    from lienthong.portal.counters import get_store
    from lienthong.portal.models import Article

    store = get_store()
    ids = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    return {slug: store.article_views(ids[slug]) for slug in slugs}


def database_views(slugs: list[str]) -> int:
    from lienthong.portal.models import Article

    return sum(Article.objects.filter(slug__in=slugs).values_list("view_count", flat=True))


def distinct_phase(port: int, path: str, requests: int) -> None:
    """`requests` distinct visitors from 16 threads at once, each also reloading, plus robots."""
    failures: list[int] = []

    def worker(k: int) -> None:
        for i in range(k, requests, 16):
            for agent in (f"{UA}distinct-{i}", f"{UA}distinct-{i}", "Googlebot/2.1"):
                status = get(port, path, agent)
                if status != 200:
                    failures.append(status)

    workers = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if failures:
        raise SystemExit(f"distinct phase: {len(failures)} answers were not 200")


# --- Wagtail's side -------------------------------------------------------------------------


def wagtail_site(articles: list[dict[str, Any]]) -> tuple[Path, Path]:
    """The Wagtail venv (built once) and a fresh site with the articles: (python, site dir)."""
    home = ROOT / "var" / "bench-wagtail"
    venv = home / "venv"
    python = venv / "bin" / "python"
    if not (venv / ".installed").exists():
        note("bench: building the Wagtail virtual environment (once) …")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "wagtail", "gunicorn"], check=True
        )
        (venv / ".installed").write_text("")
    site = home / "site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(WAGTAIL_SOURCE, site)
    data = home / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    (data / "articles.json").write_text(json.dumps(articles, ensure_ascii=False))
    env = {**os.environ, "WAGTAIL_BENCH_DATA": str(data), "DJANGO_SETTINGS_MODULE": "settings"}
    env.pop("DATABASE_URL", None)
    for args in (
        ["manage.py", "makemigrations", "news", "-v", "0"],
        ["manage.py", "migrate", "--noinput", "-v", "0"],
        ["build.py", str(data / "articles.json")],
    ):
        subprocess.run(
            [str(python), *args], cwd=site, env=env, check=True, stdout=subprocess.DEVNULL
        )
    return python, site


@contextlib.contextmanager
def wagtail_served(python: Path, site: Path, *, workers: int, threads: int) -> Iterator[int]:
    port = free_port()
    env = {
        **os.environ,
        "WAGTAIL_BENCH_DATA": str(site.parent / "data"),
        "DJANGO_SETTINGS_MODULE": "settings",
    }
    log = open(site.parent / "gunicorn.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(python),
            "-m",
            "gunicorn",
            "wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
        ],
        cwd=site,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/", "probe") == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Wagtail did not start; see {log.name}")
            time.sleep(0.3)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# --- Main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=100, help="articles wrk cycles through")
    parser.add_argument("--visitors", type=int, default=10, help="visitors per wrk thread")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--distinct", type=int, default=2000)
    parser.add_argument("--no-wagtail", action="store_true")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("bench_portal needs wrk (apt-get install wrk)")

    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"lienthong:bench-portal:{uuid.uuid4().hex[:8]}:"
    os.environ["LIENTHONG_PORTAL_REDIS_PREFIX"] = prefix
    setup_django()

    started = time.perf_counter()
    articles = seed(args.articles)
    emit(
        {
            "bench": "portal.seed",
            "n": len(articles),
            "seconds": round(time.perf_counter() - started, 2),
        }
    )
    pages = articles[: args.pages]
    slugs = [a["slug"] for a in pages]
    ours: dict[str, dict[str, Any]] = {}
    with served(workers=args.workers, threads=args.threads, access_log=False) as (_h, port, _pid):
        base = f"http://127.0.0.1:{port}"
        for path in ["/cong/", *(f"/cong/tin/{s}/" for s in slugs)]:  # fill the cache
            get(port, path, "Googlebot/2.1 (warm-up, not counted)")
        before = sum(views_of(slugs).values())
        for name, paths in (("article", [f"/cong/tin/{s}/" for s in slugs]), ("home", ["/cong/"])):
            result = run_wrk(
                base,
                paths,
                seconds=args.seconds,
                connections=args.connections,
                threads=args.wrk_threads,
                visitors=args.visitors,
            )
            ours[name] = result
            emit({"bench": f"portal.{name}", **result})
        # Each wrk thread sent every (article, visitor) pair of its own when it sent at least
        # pages × visitors requests: then exactly that many views were recorded.
        sent = ours["article"]["sent_per_thread"]
        pairs = len(slugs) * args.visitors
        expected = pairs * len(sent) if min(sent) >= pairs else None
        after_wrk = sum(views_of(slugs).values())
        distinct_phase(port, f"/cong/tin/{slugs[0]}/", args.distinct)
        after_distinct = sum(views_of(slugs).values())
    lienthong("cong", "flush-counters")
    stored = database_views(slugs)
    counts = {
        "bench": "portal.counts",
        "wrk_views": after_wrk - before,
        "wrk_expected": expected,
        "distinct_views": after_distinct - after_wrk,
        "distinct_expected": args.distinct,
        "database_views_after_flush": stored,
        "shown_views": after_distinct,
    }
    counts["exact"] = (
        (expected is None or counts["wrk_views"] == expected)
        and counts["distinct_views"] == args.distinct
        and stored == after_distinct
    )
    emit(counts)
    if not args.no_wagtail:
        python, site = wagtail_site(articles)
        with wagtail_served(python, site, workers=args.workers, threads=args.threads) as port:
            base = f"http://127.0.0.1:{port}"
            theirs = {}
            for name, paths in (("article", [f"/{s}/" for s in slugs]), ("home", ["/"])):
                result = run_wrk(
                    base,
                    paths,
                    seconds=args.seconds,
                    connections=args.connections,
                    threads=args.wrk_threads,
                    visitors=args.visitors,
                )
                theirs[name] = result
                emit({"bench": f"wagtail.{name}", **result})
        emit(
            {
                "bench": "portal.vs_wagtail",
                **{
                    f"{name}_ratio": round(ours[name]["per_second"] / theirs[name]["per_second"], 2)
                    for name in ("article", "home")
                },
                "target_ratio": 5,
            }
        )
    from lienthong.portal.counters import get_store

    client = get_store().client  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    return 0 if counts["exact"] else 1


if __name__ == "__main__":
    sys.exit(main())
