"""Benchmark of the leaders' dashboard (issue 9, part 4) over 100,000 dossiers.

Generates the dossiers straight into the table with the statistics bench's generator
(`onestop.testing_stats`: 30 agencies under a province committee, 2023–2025), then times, through
the Django test client with a logged-in user, the page `/bang-dieu-hanh/` and the API
`/api/dashboard/summary` for a month and a year, for the province's leader (every agency) and
for a department's leader (one agency). Each request runs II.06a for the period and once per
month of the 12-month trend, the document and complaint counts, and the ICT indicators.

Run by `make bench` on a fresh migrated database, or by hand on a scratch one:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench-dash \
        [DATABASE_URL=postgresql://…/scratch] .venv/bin/python bench/bench_dashboard.py \
        [--rows 100000] [--repeat 10]

Prints JSON lines `dashboard.generate` and `dashboard.request` (p50 and p95 of the warm runs,
the first run's time, the number of queries). Timings are not asserted; a request that does
not answer 200 exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Any


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


#: The province committee `onestop.testing_stats.build_world` creates.
ROOT_CODE = "000.00.00.H99"


def _leader(username: str, unit: Any) -> Any:
    from lienthong.accounts.models import Role, User
    from lienthong.core.testing import make_user

    return User.objects.filter(username=username).first() or make_user(
        username, roles=[(Role.LEADER, unit)]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="dossiers to generate")
    parser.add_argument("--repeat", type=int, default=10, help="warm runs per case")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from lienthong.core.models import OrgUnit
    from lienthong.onestop.models import Dossier
    from lienthong.onestop.testing_stats import build_world, generate_rows, load_rows

    call_command("migrate", verbosity=0, skip_checks=True)
    root = OrgUnit.objects.filter(code=ROOT_CODE).first()
    if root is None and Dossier.objects.exists():
        print(
            "bench_dashboard: the database holds other dossiers; use a scratch one", file=sys.stderr
        )
        return 2
    if root is None:
        began = time.perf_counter()
        world = build_world()
        written = load_rows(generate_rows(world, args.rows))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        emit(
            {
                "bench": "dashboard.generate",
                "db": connection.vendor,
                "dossiers": written,
                "seconds": round(time.perf_counter() - began, 1),
            }
        )
        root = OrgUnit.objects.get(code=ROOT_CODE)
    # A second run on the same scratch database reuses what the first one generated.
    written = Dossier.objects.count()
    department = OrgUnit.objects.filter(parent=root).order_by("code").first()
    assert department is not None
    people = {
        "province_leader": _leader("bench_chutich", root),
        "department_leader": _leader("bench_giamdoc", department),
    }
    periods = {"2025-12": ("2025-12-01", "2025-12-31"), "2025": ("2025-01-01", "2025-12-31")}
    # The page links static files by their manifest names; the bench database has no
    # collected static files, and serving them is not what is measured here.
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        return measure(people, periods, args.repeat, written)


def measure(
    people: dict[str, Any], periods: dict[str, tuple[str, str]], repeat: int, written: int
) -> int:
    """Time the page and the API for each person and period; 1 when one was not 200."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lienthong.core.testing_permissions import login

    failed = False
    for who, user in people.items():
        client = Client(HTTP_HOST="localhost")
        login(client, user)
        for url in ("/bang-dieu-hanh/", "/api/dashboard/summary"):
            for label, (start, end) in periods.items():
                query = {"from": start, "to": end}
                first_began = time.perf_counter()
                response = client.get(url, query, secure=True)
                first = time.perf_counter() - first_began
                warm = []
                for _ in range(repeat):
                    with CaptureQueriesContext(connection) as queries:
                        one_began = time.perf_counter()
                        response = client.get(url, query, secure=True)
                        warm.append(time.perf_counter() - one_began)
                failed = failed or response.status_code != 200
                emit(
                    {
                        "bench": "dashboard.request",
                        "db": connection.vendor,
                        "url": url,
                        "period": label,
                        "who": who,
                        "dossiers": written,
                        "status": response.status_code,
                        "queries": len(queries),
                        "first_ms": round(first * 1000, 1),
                        "p50_ms": round(statistics.median(warm) * 1000, 1),
                        "p95_ms": round(percentile(warm, 0.95) * 1000, 1),
                    }
                )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
