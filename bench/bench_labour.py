"""Benchmark of labour-market matching: rank 100,000 job seekers for a vacancy.

Generates job seekers and vacancies (`labour.generate`, Faker vi_VN: an industrial
province's mix of trades) straight into the tables (`registries.base.bulk`: COPY on
PostgreSQL, one prepared INSERT on SQLite), living in 80 communes of two provinces. Then
times, as a registry official sees them (the `.visible_to(user)` filter included):

- `labour.match_vacancy`: one page of the 20 best seekers for a vacancy, explained, plus the
  count of candidates — what GET /api/registries/labour/vacancies/{id}/matches does;
- `labour.match_seeker`: the open vacancies best matching a seeker, explained.

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=var/bench-labour \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_labour.py \\
        [--seekers 100000] [--vacancies 500] [--queries 200]

`LIENTHONG_BENCH_LABOUR_SEEKERS` sets the number of seekers when --seekers is not given
(e.g. 1000000 for a large province). Prints JSON lines `labour.seed`, `labour.match_vacancy`,
`labour.match_seeker`; exits 1 when a ranking is out of order. Timings are not asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_submit import emit, note, percentile, setup_django

BATCH = 5000


def communes() -> list[tuple[str, str]]:
    """80 communes of two 2025 provinces (created when the database has no units)."""
    from lienthong.core.models import AdminUnit

    new = AdminUnit.Era.Y2025
    result = []
    for province_code, name, first in (
        ("79", "Thành phố Hồ Chí Minh", 25000),
        ("75", "Tỉnh Đồng Nai", 26000),
    ):
        province, _created = AdminUnit.objects.get_or_create(
            era=new,
            level=AdminUnit.Level.PROVINCE,
            code=province_code,
            defaults={"name": name, "short_name": name},
        )
        for n in range(40):
            code = f"{first + 3 * n:05d}"
            AdminUnit.objects.get_or_create(
                era=new,
                level=AdminUnit.Level.COMMUNE,
                code=code,
                defaults={"name": f"Phường thử {code}", "short_name": code, "parent": province},
            )
            result.append((code, province_code))
    return result


def seed(seekers: int, vacancies: int) -> tuple[object, object]:
    """The owner agency and its registry official, with the generated rows."""
    from django.db import connection, transaction

    from lienthong.accounts.models import Role, RoleAssignment, User
    from lienthong.core.models import OrgUnit
    from lienthong.registries.base import bulk
    from lienthong.registries.labour import generate
    from lienthong.registries.labour.models import JobSeeker, Vacancy, index_seekers

    owner, _created = OrgUnit.objects.get_or_create(
        code="000.00.93.H99",
        defaults={
            "name": "Trung tâm Dịch vụ việc làm (thử)",
            "kind": "department",
            "is_agency": True,
        },
    )
    official, created = User.objects.get_or_create(
        username="bench-labour", defaults={"kind": User.Kind.OFFICIAL, "org_unit": owner}
    )
    if created:
        RoleAssignment.objects.create(user=official, role=Role.REGISTRY_OWNER, org_unit=owner)
    places = communes()
    have = JobSeeker.all_objects.filter(owner=owner).count()
    last = JobSeeker.all_objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.perf_counter()
    with transaction.atomic():
        rows = []
        for seeker in generate.seekers(
            seekers - have, owner_id=owner.pk, communes=places, seed=7, first_serial=have
        ):
            rows.append(generate.as_row(seeker))
            if len(rows) >= BATCH:
                bulk.insert_rows(JobSeeker, rows)
                rows.clear()
        bulk.insert_rows(JobSeeker, rows)
        # Bulk inserts skip `save`: index the new seekers' occupations for matching.
        index_seekers(JobSeeker.all_objects.filter(owner=owner, pk__gt=last))
        if not Vacancy.all_objects.filter(owner=owner).exists():
            bulk.insert_rows(
                Vacancy,
                [
                    generate.as_row(v)
                    for v in generate.vacancies(
                        vacancies, owner_id=owner.pk, communes=places, seed=8
                    )
                ],
            )
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a load: statistics, and the visibility map that
        # lets the match index be read without visiting the table (index-only scans).
        with connection.cursor() as cursor:
            for table in ("labour_jobseeker", "labour_vacancy", "labour_seekermatch"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    emit(
        {
            "bench": "labour.seed",
            "seekers": seekers,
            "new": seekers - have,
            "seconds": round(seconds, 2),
            "per_second": round((seekers - have) / seconds) if seconds and seekers > have else None,
        }
    )
    return owner, official


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    default = int(os.environ.get("LIENTHONG_BENCH_LABOUR_SEEKERS", "100000"))
    parser.add_argument("--seekers", type=int, default=default)
    parser.add_argument("--vacancies", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    setup_django()

    from django.db import connection

    from lienthong.registries.labour import matching
    from lienthong.registries.labour.models import JobSeeker, Vacancy

    _owner, official = seed(args.seekers, args.vacancies)
    rng = random.Random(11)
    vacancies = list(Vacancy.objects.visible_to(official).open_on())
    note(f"{len(vacancies)} open vacancies; {args.seekers} seekers; {connection.vendor}")
    failures = 0

    timings: list[float] = []
    sizes: list[int] = []
    for vacancy in rng.choices(vacancies, k=args.queries):
        started = time.perf_counter()
        ranked = matching.rank_seekers(vacancy, official, limit=20)
        total = matching.count_seekers(vacancy, official)
        timings.append((time.perf_counter() - started) * 1000)
        sizes.append(total)
        scores = [m.score for m in ranked]
        if scores != sorted(scores, reverse=True) or (total and not ranked):
            failures += 1
    emit(
        {
            "bench": "labour.match_vacancy",
            "seekers": args.seekers,
            "n": len(timings),
            "candidates_median": int(statistics.median(sizes)) if sizes else 0,
            "candidates_max": max(sizes, default=0),
            "p50_ms": round(percentile(timings, 50), 2),
            "p95_ms": round(percentile(timings, 95), 2),
            "max_ms": round(max(timings, default=0), 2),
        }
    )

    ids = list(JobSeeker.objects.filter(status="active").values_list("pk", flat=True)[:50000])
    timings = []
    for pk in rng.choices(ids, k=args.queries):
        started = time.perf_counter()
        seeker = JobSeeker.objects.visible_to(official).get(pk=pk)
        total, ranked = matching.rank_vacancies(
            seeker, Vacancy.objects.visible_to(official), limit=20
        )
        timings.append((time.perf_counter() - started) * 1000)
        scores = [m.score for m in ranked]
        if scores != sorted(scores, reverse=True):
            failures += 1
    emit(
        {
            "bench": "labour.match_seeker",
            "vacancies": args.vacancies,
            "n": len(timings),
            "p50_ms": round(percentile(timings, 50), 2),
            "p95_ms": round(percentile(timings, 95), 2),
            "max_ms": round(max(timings, default=0), 2),
        }
    )
    if failures:
        note(f"{failures} rankings out of order")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
