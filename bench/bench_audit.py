"""Benchmark of the audit log: entries written per second through `record()`, and rows
verified per second by `verify_chain()` over a long chain.

Run by `make bench` on a fresh migrated database, or by hand on a scratch one (it refuses a
database whose log already has entries: audit rows cannot be removed afterwards):

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \
        .venv/bin/python bench/bench_audit.py [--writes 3000] [--threads 4] [--rows 100000]

Prints JSON lines: `audit.record` (one writer), `audit.record_threads` (several writers on
their own connections, serialised by the head-row lock), `audit.verify` (rows per second and
the process's peak memory, which stays flat however long the chain is).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from typing import Any


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--writes", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from lienthong.core.audit import (
        append_only_guard_disabled,
        compute_hash,
        head_state,
        record,
        verify_chain,
    )
    from lienthong.core.context import acting
    from lienthong.core.models import AuditChainHead, AuditEntry

    if AuditEntry.objects.exists():
        print("bench_audit: the audit log is not empty; use a scratch database", file=sys.stderr)
        return 2

    after = {"name": "Phòng Tổ chức cán bộ", "kind": "division", "parent_id": 12, "depth": 2}

    def write(n: int, tag: str) -> None:
        with acting(request_id=f"bench-{tag}", ip="203.0.113.7", via="bench"):
            for i in range(n):
                with transaction.atomic():
                    record(
                        "bench.write",
                        object_type="core.orgunit",
                        object_id=str(i),
                        object_repr="Phòng Tổ chức cán bộ",
                        before={**after, "name": "Phòng TCCB"},
                        after=after,
                    )

    # One writer.
    started = time.perf_counter()
    write(args.writes, "single")
    seconds = time.perf_counter() - started
    emit(
        {
            "bench": "audit.record",
            "n": args.writes,
            "seconds": round(seconds, 3),
            "per_second": round(args.writes / seconds, 1),
        }
    )

    # Several writers at once: throughput under contention for the head row.
    per_thread = max(1, args.writes // args.threads)
    errors: list[BaseException] = []

    def worker(tag: str) -> None:
        try:
            write(per_thread, tag)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"t{n}",)) for n in range(args.threads)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        print(f"bench_audit: writer failed: {errors[0]!r}", file=sys.stderr)
        return 1
    total = per_thread * args.threads
    emit(
        {
            "bench": "audit.record_threads",
            "threads": args.threads,
            "n": total,
            "seconds": round(seconds, 3),
            "per_second": round(total / seconds, 1),
        }
    )

    # A long chain, built directly (hashes computed the same way) to keep the run short.
    count, prev = head_state()
    target = max(args.rows, count)
    started = time.perf_counter()
    now = timezone.now()
    batch: list[AuditEntry] = []
    with append_only_guard_disabled():
        for seq in range(count + 1, target + 1):
            entry = AuditEntry(
                seq=seq,
                created_at=now,
                actor_repr="bench",
                action="bench.bulk",
                object_type="core.orgunit",
                object_id=str(seq),
                object_repr="Phòng Tổ chức cán bộ",
                before=None,
                after={**after, "seq": seq},
                request_id="bench-bulk",
                prev_hash=prev,
            )
            entry.hash = compute_hash(entry)
            prev = entry.hash
            batch.append(entry)
            if len(batch) == 5000:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)
        AuditChainHead.objects.filter(pk=1).update(count=target, last_hash=prev)
    print(f"bench_audit: built {target} rows in {time.perf_counter() - started:.1f} s")

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    report = verify_chain()
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not report.ok:
        print(f"bench_audit: chain does not verify: {report}", file=sys.stderr)
        return 1
    emit(
        {
            "bench": "audit.verify",
            "rows": report.checked,
            "seconds": round(seconds, 3),
            "rows_per_second": round(report.checked / seconds, 1),
            "peak_rss_growth_mb": round(rss_after - rss_before, 1),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
