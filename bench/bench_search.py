"""Benchmark of the search kernel: index 76 real laws, then answer 1,000 mixed queries.

Runs against a migrated database named by the environment:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=var [DATABASE_URL=…] \
        .venv/bin/python bench/bench_search.py [--queries 1000] [--keep]

The laws (9 MB, 20–460 KB each) come from LIENTHONG_LEGAL_DIR (default
../shared/data/legal). Each is indexed through `lienthong.search.services.index`, one
transaction per law as a domain service would, under an `auth.Group` stand-in object named
`bench-search-<slug>`. A query is what one API call does: `search(limit=20)` with snippets,
then `count()`. Prints two JSON lines (`search.index`, `search.query`); unless --keep, removes
what it indexed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

LEGAL_DIR = Path(
    os.environ.get("LIENTHONG_LEGAL_DIR", Path(__file__).resolve().parents[2] / "shared/data/legal")
)

#: A mix of what people type: words with and without diacritics, several words, phrases,
#: prefixes, document numbers, rare and absent words, and input full of syntax.
QUERIES = [
    "khieu nai",
    "khiếu nại",
    "luat khieu nai",
    "Luật Khiếu nại",
    "to cao",
    "tố cáo",
    "dat dai",
    "đất đai",
    "thue",
    "bảo hiểm xã hội",
    "bao hiem that nghiep",
    "an ninh mang",
    "tre em",
    "cong chuc vien chuc",
    "van thu",
    "một cửa liên thông",
    "thu tuc hanh chinh",
    "doanh nghiep nho va vua",
    "hop dong lao dong",
    "ngan sach nha nuoc",
    '"co quan nha nuoc"',
    '"giải quyết khiếu nại"',
    '"quyết định hành chính"',
    '"thoi hieu khieu nai"',
    '"co hieu luc thi hanh"',
    '"ky hop thu 10"',
    "khieu*",
    "giai quyet khieu*",
    "doanh*",
    '"thu tuc hanh*"',
    "02/2011/QH13",
    "30/2020/NĐ-CP",
    "dieu 15",
    "chuong",
    "quy dinh chi tiet",
    "xyzzy",
    "khong ton tai tu nay",
    '"khieu nai (AND) OR NOT *',
    "title:(thue) -dat",
]


def read_law(path: Path) -> tuple[str, str]:
    """(title, body) of a corpus file: quoted YAML front matter, then the text."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    title = re.search(r'^title: "(.*)"$', front, re.MULTILINE)
    return (title.group(1) if title else path.stem), body


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> None:
    """Index, query, print the JSON lines, clean up."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000, help="queries to time")
    parser.add_argument("--keep", action="store_true", help="leave the indexed laws in place")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection

    from lienthong.search import services

    paths = sorted(p for p in LEGAL_DIR.glob("*.md") if p.name != "README.md")
    if not paths:
        sys.exit(f"No laws found in {LEGAL_DIR} (set LIENTHONG_LEGAL_DIR).")
    laws = [(path.stem, *read_law(path)) for path in paths]
    size = sum(len(body.encode()) for _, _, body in laws)

    groups = []
    started = time.perf_counter()
    for slug, title, body in laws:
        group, _ = Group.objects.get_or_create(name=f"bench-search-{slug}")
        services.index(group, title=title, body=body, url=f"/van-ban/{slug}/")
        groups.append(group)
    index_seconds = time.perf_counter() - started

    top = services.search("khieu nai", limit=1)
    top_is_complaints_law = bool(top) and top[0].title == "Luật Khiếu nại"

    rng = random.Random(20111111)
    workload = [rng.choice(QUERIES) for _ in range(args.queries)]
    for query in QUERIES:  # warm caches and plans once per query shape
        services.search(query)
    latencies: list[float] = []
    hits = 0
    started = time.perf_counter()
    for query in workload:
        begin = time.perf_counter()
        found = services.search(query, limit=20)
        services.count(query)
        latencies.append(time.perf_counter() - begin)
        hits += len(found)
    query_seconds = time.perf_counter() - started

    results: list[dict[str, Any]] = [
        {
            "bench": "search.index",
            "backend": connection.vendor,
            "documents": len(laws),
            "megabytes": round(size / 1e6, 2),
            "seconds": round(index_seconds, 2),
            "documents_per_second": round(len(laws) / index_seconds, 1),
            "megabytes_per_second": round(size / 1e6 / index_seconds, 2),
        },
        {
            "bench": "search.query",
            "backend": connection.vendor,
            "n": len(workload),
            "distinct": len(QUERIES),
            "seconds": round(query_seconds, 2),
            "queries_per_second": round(len(workload) / query_seconds, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
            "max_ms": round(max(latencies) * 1000, 2),
            "mean_hits": round(hits / len(workload), 1),
            "khieu_nai_first": top_is_complaints_law,
        },
    ]
    for line in results:
        print(json.dumps(line, ensure_ascii=False))

    if not args.keep:
        for group in groups:
            services.remove(group)
            group.delete()


if __name__ == "__main__":
    main()
