"""Benchmark of the working-day calendar: due-date computations per second, warm cache.

Runs against a migrated database (the migrations seed the calendar):

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=var \
        .venv/bin/python bench/bench_calendar.py [--seconds 2]

Prints one JSON line: the cold load time, then computations per second for working days,
office hours and working-day counts over varied starts (2023–2027), and the number of
database queries made while warm (expected: 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any


def _rate(work: Callable[[int], Any], inputs: int, seconds: float) -> float:
    """Calls of `work(i)` per second, over at least `seconds` of wall time."""
    calls = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for i in range(inputs):
            work(i)
        calls += inputs
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - started)


def main(argv: list[str] | None = None) -> None:
    """Measure and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lienthong.core import calendar

    rng = random.Random(20231027)
    base = datetime(2023, 1, 1, tzinfo=calendar.VN_TZ)
    starts = [base + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60)) for _ in range(10_000)]
    days = [rng.randrange(1, 61) for _ in starts]
    hours = [rng.randrange(1, 41) for _ in starts]

    calendar.invalidate_cache()
    cold_started = time.perf_counter()
    calendar.add_working_days(starts[0], days[0])
    cold_ms = (time.perf_counter() - cold_started) * 1000
    # Build the per-year indexes the measured inputs touch, so "warm" means warm.
    for start in starts:
        calendar.add_working_days(start, 60)
        calendar.add_working_hours(start, 40)

    with CaptureQueriesContext(connection) as queries:
        working_days = _rate(
            lambda i: calendar.add_working_days(starts[i], days[i]), len(starts), args.seconds
        )
        office_hours = _rate(
            lambda i: calendar.add_working_hours(starts[i], hours[i]), len(starts), args.seconds
        )
        counts = _rate(
            lambda i: calendar.working_days_between(starts[i], starts[-1 - i]),
            len(starts),
            args.seconds,
        )
    print(
        json.dumps(
            {
                "bench": "calendar",
                "database": connection.vendor,
                "cold_load_ms": round(cold_ms, 2),
                "add_working_days_per_s": round(working_days),
                "add_working_hours_per_s": round(office_hours),
                "working_days_between_per_s": round(counts),
                "warm_queries": len(queries.captured_queries),
            }
        )
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    main()
