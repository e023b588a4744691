"""Benchmark of the ICT inventory indicators (issue 9).

Builds a province of 117 agencies shaped like the demo (UBND tỉnh, 16 departments, 9
district and 91 commune People's Committees) and `--periods` (default 10) yearly periods,
each with every agency's accepted report (figures from `ict.demo.demo_figures`, seeded per
period), then measures p50/p95 of:

- `ict.indicators.one_period`: `selectors.dashboard_indicators(user, period)` for one period
  over the 117 agencies, as the province's leader (the row-level scope on) and as the IT
  department (no scope filter);
- `ict.indicators.all_periods`: the same for each of the 10 periods in turn (one dashboard
  history).

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=var/bench-ict \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_ict.py [--periods 10]
        [--queries 50]

Exits 1 when the computed servers total disagrees with a direct sum. Timings are not asserted.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_submit import emit, note, percentile, setup_django


def timings(call: Callable[[], object], repeat: int) -> dict[str, float]:
    """p50/p95/max in milliseconds of `repeat` calls (after one warm-up call)."""
    call()
    spent = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        spent.append((time.perf_counter() - began) * 1000)
    return {
        "p50_ms": round(percentile(spent, 50), 2),
        "p95_ms": round(percentile(spent, 95), 2),
        "max_ms": round(max(spent), 2),
    }


def set_up(periods: int) -> tuple[Any, Any, list[Any]]:
    """The province, its two readers and the periods, every report accepted."""
    from django.db import transaction

    from lienthong.accounts.models import Role
    from lienthong.core.models import OrgUnit
    from lienthong.core.testing import make_org_unit, make_user
    from lienthong.ict import demo, services
    from lienthong.ict.models import InventoryReport, ReportingPeriod, ReportStatus, Software
    from lienthong.ict.seed import ensure_catalogue

    ubnd = OrgUnit.Kind.PEOPLES_COMMITTEE
    with transaction.atomic():
        ensure_catalogue()
        province = make_org_unit("UBND tỉnh (bench)", kind=ubnd)
        agencies = [province]
        agencies += [make_org_unit(f"Sở {i}", parent=province) for i in range(16)]
        districts = [make_org_unit(f"UBND huyện {i}", parent=province, kind=ubnd) for i in range(9)]
        agencies += districts
        agencies += [
            make_org_unit(f"UBND xã {i}", parent=districts[i % 9], kind=ubnd) for i in range(91)
        ]
        leader = make_user("bench-ict-lanhdao", roles=[(Role.LEADER, province)])
        it_admin = make_user("bench-ict-quantri", roles=[(Role.IT_ADMIN, province)])
        categories = [services.classify(a) for a in agencies]
        software = {s.code: s for s in Software.objects.all()}
        created = []
        for n in range(periods):
            year = 2015 + n
            period = ReportingPeriod.objects.create(
                code=str(year),
                name=f"Năm {year}",
                start=datetime.date(year, 1, 1),
                end=datetime.date(year, 12, 31),
                is_open=False,
            )
            created.append(period)
            figures = demo.demo_figures([c for _level, c in categories], seed=year)
            rows = [
                InventoryReport(
                    period=period,
                    agency=agency,
                    level=level,
                    category=category,
                    status=ReportStatus.ACCEPTED,
                    **{k: v for k, v in f.__dict__.items() if k != "software"},
                )
                for agency, (level, category), f in zip(agencies, categories, figures, strict=True)
            ]
            InventoryReport.objects.bulk_create(rows)
            through = InventoryReport.software.through
            through.objects.bulk_create(
                through(inventoryreport_id=r.pk, software_id=software[code].pk)
                for r, f in zip(rows, figures, strict=True)
                for code in f.software
            )
    return leader, it_admin, created


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection
    from django.db.models import Sum

    from lienthong.ict.models import InventoryReport
    from lienthong.ict.selectors import dashboard_indicators

    vendor = connection.vendor
    note(f"bench_ict: 117 agencies × {args.periods} periods …")
    leader, it_admin, periods = set_up(args.periods)
    latest = periods[-1]

    def one(user: Any) -> object:
        return dashboard_indicators(user, latest)

    def history(user: Any) -> object:
        return [dashboard_indicators(user, p) for p in periods]

    for who, user in (("province_leader", leader), ("it_admin", it_admin)):
        emit(
            {
                "bench": "ict.indicators.one_period",
                "database": vendor,
                "as": who,
                "agencies": 117,
                **timings(functools.partial(one, user), args.queries),
            }
        )
        emit(
            {
                "bench": "ict.indicators.all_periods",
                "database": vendor,
                "as": who,
                "agencies": 117,
                "periods": len(periods),
                **timings(functools.partial(history, user), max(5, args.queries // 5)),
            }
        )
    computed = {v.code: v.value for v in dashboard_indicators(leader, latest)}["servers_total"]
    direct = InventoryReport.objects.filter(period=latest).aggregate(s=Sum("servers"))["s"]
    if computed != direct:
        note(f"bench_ict: servers {computed} != direct sum {direct}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
