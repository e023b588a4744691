"""Benchmark of the legal registry: load the 76 real documents, then search them, then search
a synthetic corpus enlarged N times, on the database from the environment.

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_legal.py \\
        [--queries 1000] [--scale 10] [--short-scale 100] [--keep]

1. `legal.load`: `lienthong legal load` of the shared corpus (LIENTHONG_LEGAL_DIR, default
   ../shared/data/legal; 76 documents, 9 MB), through the services: rows, audit, index,
   relations, statuses. Then the same folder again (`legal.reload`: nothing changes).
2. `legal.search` on the corpus: what one API call or page does — `search_documents` with
   filters, 20 hits, count and snippets — for a mix of queries (words with and without
   diacritics, phrases, prefixes, numbers, filters, absent words, syntax), p50/p95.
3. `legal.search` on an enlarged corpus, `--scale` times the text: copies of every document
   with their articles shuffled, renumbered as provincial decisions; written through
   `services.create_document` like any new document. And `--short-scale` times the number of
   documents at about the same total text: short decisions of 3–12 articles drawn from the
   corpus, as a province's own registry mostly holds. The same query mix is timed on each.

Prints JSON lines `legal.load`, `legal.reload`, `legal.search` (one per corpus). Unless
--keep, deletes what it made at the end.
"""

from __future__ import annotations

import argparse
import datetime
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

#: (query, filters): what people type, with and without the filters of the page.
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("khieu nai", {}),
    ("khiếu nại", {}),
    ("luat khieu nai", {}),
    ("Luật Khiếu nại", {}),
    ("to cao", {}),
    ("tố cáo", {"doc_type": "law"}),
    ("dat dai", {}),
    ("đất đai", {"status": "in_force"}),
    ("thue", {}),
    ("bảo hiểm xã hội", {}),
    ("bao hiem that nghiep", {"doc_type": "decision"}),
    ("an ninh mang", {}),
    ("tre em", {}),
    ("cong chuc vien chuc", {"year": 2010}),
    ("van thu", {}),
    ("một cửa liên thông", {}),
    ("thu tuc hanh chinh", {"issuer": "Chính phủ"}),
    ("doanh nghiep nho va vua", {}),
    ("hop dong lao dong", {}),
    ("ngan sach nha nuoc", {}),
    ('"co quan nha nuoc"', {}),
    ('"giải quyết khiếu nại"', {}),
    ('"quyết định hành chính"', {}),
    ('"thoi hieu khieu nai"', {}),
    ('"co hieu luc thi hanh"', {"doc_type": "decree"}),
    ('"ky hop thu 10"', {}),
    ("khieu*", {}),
    ("giai quyet khieu*", {}),
    ("doanh*", {}),
    ('"thu tuc hanh*"', {}),
    ("02/2011/QH13", {}),
    ("02/2011", {}),
    ("30/2020/NĐ-CP", {}),
    ("61/2018/nd-cp", {}),
    ("dieu 15", {}),
    ("chuong", {}),
    ("quy dinh chi tiet", {}),
    ("quy dinh", {}),
    ("xyzzy", {}),
    ("khong ton tai tu nay", {}),
    ('"khieu nai (AND) OR NOT *', {}),
    ("title:(thue) -dat", {}),
]
_ARTICLE = re.compile(r"(?m)^(?=Điều\s+\d)")


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def articles(text: str) -> tuple[str, list[str]]:
    """(the part before the first article, the articles) of a document's text."""
    parts = _ARTICLE.split(text)
    return parts[0], [p for p in parts[1:] if p.strip()]


def time_queries(label: str, documents: int, megabytes: float, n: int) -> dict[str, Any]:
    """Run the query mix `n` times (after one warm-up each); the JSON line of the timings."""
    from django.db import connection

    from lienthong.registries.legal.selectors import Filters, search_documents

    rng = random.Random(20111111)
    workload = [rng.choice(QUERIES) for _ in range(n)]
    for query, filters in QUERIES:  # warm caches and plans once per query shape
        search_documents(query, Filters(**filters))
    latencies: list[float] = []
    hits = 0
    started = time.perf_counter()
    for query, filters in workload:
        begin = time.perf_counter()
        page = search_documents(query, Filters(**filters), limit=20)
        latencies.append(time.perf_counter() - begin)
        hits += len(page.hits)
    seconds = time.perf_counter() - started
    slowest = sorted(
        ((lat, q) for lat, (q, _f) in zip(latencies, workload, strict=True)), reverse=True
    )
    return {
        "bench": "legal.search",
        "backend": connection.vendor,
        "corpus": label,
        "documents": documents,
        "megabytes": round(megabytes, 1),
        "n": n,
        "distinct": len(QUERIES),
        "queries_per_second": round(n / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2),
        "slowest_query": slowest[0][1],
        "mean_hits": round(hits / n, 1),
    }


def enlarge(scale: int, *, short: bool) -> tuple[int, float, float]:
    """Add synthetic decisions built from the corpus; (documents, megabytes, seconds)."""
    from lienthong.registries.legal import services
    from lienthong.registries.legal.models import LegalDocument
    from lienthong.registries.legal.parsing import DocumentData

    rng = random.Random(scale * (7 if short else 1))
    originals = list(LegalDocument.objects.filter(number__contains="/").order_by("pk"))
    originals = [d for d in originals if "UBND" not in d.number]
    pieces = [(d, *articles(d.text)) for d in originals]
    pool = [a for _d, _head, arts in pieces for a in arts]
    made, size = 0, 0
    started = time.perf_counter()
    prefix = "S" if short else "L"
    total = (scale - 1) * len(originals) if not short else scale * len(originals)
    for i in range(total):
        source, head, arts = pieces[i % len(pieces)]
        year = 2000 + i % 26
        if short:
            chosen = rng.sample(pool, rng.randint(3, 12))
            title = f"Quyết định ban hành quy định về {source.title[0].lower()}{source.title[1:]}"
            text = "".join(f"Điều {n}.{a.split('.', 1)[-1]}" for n, a in enumerate(chosen, 1))
        else:
            shuffled = arts[:]
            rng.shuffle(shuffled)
            title = f"Quyết định hướng dẫn thực hiện {source.title[0].lower()}{source.title[1:]}"
            text = head + "".join(shuffled)
        data = DocumentData(
            number=f"{i + 1}/{year}/QĐ-UBND{prefix}",
            doc_type="decision",
            issuer="Ủy ban nhân dân tỉnh",
            title=title,
            text=text,
            issued_date=datetime.date(year, 1 + i % 12, 1 + i % 28),
            effective_date=datetime.date(year, 1 + i % 12, 1 + i % 28),
        )
        services.create_document(data)
        made += 1
        size += len(text.encode())
    analyze()
    return made, size / 1e6, time.perf_counter() - started


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum would after such a load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main(argv: list[str] | None = None) -> None:
    """Load, time, enlarge, time again, print the JSON lines, clean up."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000, help="queries to time per corpus")
    parser.add_argument("--scale", type=int, default=10, help="times the corpus text (0: skip)")
    parser.add_argument(
        "--short-scale", type=int, default=100, help="times the documents, short ones (0: skip)"
    )
    parser.add_argument("--keep", action="store_true", help="leave the documents in place")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.db import connection

    from lienthong.core.context import acting
    from lienthong.registries.legal import services
    from lienthong.registries.legal.models import LegalDocument

    if not LEGAL_DIR.is_dir():
        sys.exit(f"No corpus in {LEGAL_DIR} (set LIENTHONG_LEGAL_DIR).")
    results: list[dict[str, Any]] = []
    with acting(via="bench_legal"):
        started = time.perf_counter()
        report = services.load_folder(LEGAL_DIR)
        seconds = time.perf_counter() - started
        size = sum(len(d.text.encode()) for d in LegalDocument.objects.all()) / 1e6
        results.append(
            {
                "bench": "legal.load",
                "backend": connection.vendor,
                "documents": len(report.created) + len(report.unchanged),
                "created": len(report.created),
                "relations": report.relations,
                "megabytes": round(size, 2),
                "seconds": round(seconds, 2),
                "documents_per_second": round(report.files / seconds, 1),
            }
        )
        started = time.perf_counter()
        again = services.load_folder(LEGAL_DIR)
        results.append(
            {
                "bench": "legal.reload",
                "backend": connection.vendor,
                "unchanged": len(again.unchanged),
                "changed": again.changed,
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
        print(json.dumps(results[-2], ensure_ascii=False), file=sys.stderr)
        analyze()
        count = LegalDocument.objects.count()
        results.append(time_queries("corpus", count, size, args.queries))
        print(json.dumps(results[-1], ensure_ascii=False), file=sys.stderr)
        total_size = size
        if args.scale > 1:
            made, megabytes, took = enlarge(args.scale, short=False)
            total_size += megabytes
            print(f"enlarged x{args.scale}: {made} documents in {took:.0f} s", file=sys.stderr)
            line = time_queries(
                f"x{args.scale}", LegalDocument.objects.count(), total_size, args.queries
            )
            line["build_seconds"] = round(took, 1)
            results.append(line)
            print(json.dumps(line, ensure_ascii=False), file=sys.stderr)
        if args.short_scale > 1:
            made, megabytes, took = enlarge(args.short_scale, short=True)
            total_size += megabytes
            print(f"added {made} short decisions in {took:.0f} s", file=sys.stderr)
            line = time_queries(
                f"x{args.scale}+{made} short",
                LegalDocument.objects.count(),
                total_size,
                args.queries,
            )
            line["build_seconds"] = round(took, 1)
            results.append(line)
    for line in results:
        print(json.dumps(line, ensure_ascii=False))
    if not args.keep:
        LegalDocument.objects.all().delete()


if __name__ == "__main__":
    main()
