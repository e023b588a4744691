"""Benchmark of the staff registry: import a province's staff file, then list and search it.

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_staff.py \\
        [--rows 100000] [--repeat 50]

The number of rows can also be set with LIENTHONG_BENCH_STAFF_ROWS (the default, 100,000, is
about a province's cán bộ, công chức, viên chức). Steps:

1. Set-up: one agency with 12 divisions and 30 schools (every level), its registry official.
2. `staff.import`: a CSV of `--rows` members written by the registry's own generator
   (`registries.staff.generate`, Faker vi_VN: about a third teachers, 10 % with a post) and
   imported through `registries.base.importing.import_file` — the path of the import page,
   the API and `lienthong registry import`: check pass, spool, bulk insert, then the salary
   history and appointments (`after_import`). Rows per second and the peak resident memory.
3. `staff.list`: what one call of GET /api/registries/staff/members/ does (in-process test
   client, session login: middleware, permissions, filters, count capped at 10,000, the page
   serialised), for the filters people use: none, a division (subtree), category + rank,
   due for raise within 90 days, a deep page; then the teachers' list and the raise report.
   p50 / p95 over `--repeat` calls each, after one warm-up call.
4. `staff.search`: `q` as people type it — a full name with and without diacritics, a
   family name alone, the start of a name, the first 8 digits of a personal ID.

Prints JSON lines `staff.import`, `staff.list` and `staff.search` (one per case). Timings are
not asserted: a busy machine must not fail `make bench`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROWS = int(os.environ.get("LIENTHONG_BENCH_STAFF_ROWS", "100000"))


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def set_up() -> tuple[Any, Any, list[Any]]:
    """The agency, its registry official, and the generator's slots (divisions, schools)."""
    from lienthong.accounts.models import Role
    from lienthong.core.models import OrgUnit
    from lienthong.core.testing import make_org_unit, make_user
    from lienthong.registries.staff.choices import SchoolLevel
    from lienthong.registries.staff.generate import Slot
    from lienthong.registries.staff.models import School

    agency = make_org_unit("Sở Giáo dục và Đào tạo (bench)", code="000.00.97.H99")
    slots = [Slot(agency.code or "", "", weight=4)]
    for n in range(12):
        name = f"Phòng chuyên môn {n + 1}"
        make_org_unit(name, parent=agency, kind=OrgUnit.Kind.DIVISION, is_agency=False)
        slots.append(Slot(agency.code or "", name, weight=4))
    levels = list(SchoolLevel)
    for n in range(30):
        level = levels[n % len(levels)]
        name = f"Trường {level.label} số {n + 1}"
        unit = make_org_unit(name, parent=agency, kind=OrgUnit.Kind.OTHER, is_agency=False)
        School.objects.create(org_unit=unit, level=level)
        slots.append(Slot(agency.code or "", name, school_level=level, weight=2))
    editor = make_user("bench-staff", roles=[(Role.REGISTRY_OWNER, agency)])
    return agency, editor, slots


def write_file(path: Path, rows: int, slots: list[Any]) -> None:
    from lienthong.registries.staff.generate import staff_rows
    from lienthong.registries.staff.registry import staff_columns

    keys = [c.key for c in staff_columns() if c.key not in ("coefficient", "next_raise_due")]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys, extrasaction="ignore")
        writer.writeheader()
        for row in staff_rows(rows, slots, seed=7):
            writer.writerow(row)


def import_file(path: Path, agency: Any, editor: Any, rows: int) -> dict[str, Any]:
    from django.db import connection

    from lienthong.core.context import acting
    from lienthong.registries.base import importing
    from lienthong.registries.base import registry as registries

    started = time.perf_counter()
    with acting(via="bench_staff"):
        job = importing.import_file(registries.get("staff"), path, owner=agency, by=editor)
    seconds = time.perf_counter() - started
    if job.status != "imported":
        sys.exit(f"import failed: {job.status} {job.errors[:5]}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "bench": "staff.import",
        "backend": connection.vendor,
        "rows": job.imported_rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "peak_rss_mb": peak_rss_mb(),
    }


def time_calls(client: Any, name: str, url: str, repeat: int, kind: str) -> dict[str, Any]:
    from django.db import connection

    first = client.get(url, secure=True, HTTP_HOST="localhost")
    if first.status_code != 200:
        sys.exit(f"{url}: {first.status_code} {first.content[:300]!r}")
    timings = []
    for _i in range(repeat):
        started = time.perf_counter()
        response = client.get(url, secure=True, HTTP_HOST="localhost")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    body = first.json() if first["Content-Type"].startswith("application/json") else {}
    return {
        "bench": f"staff.{kind}",
        "backend": connection.vendor,
        "case": name,
        "url": url,
        "count": body.get("count"),
        "n": repeat,
        "p50_ms": round(percentile(timings, 50), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "max_ms": round(max(timings), 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="staff rows to import")
    parser.add_argument("--repeat", type=int, default=50, help="calls per list/search case")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.test import Client

    from lienthong.core.context import acting
    from lienthong.core.models import OrgUnit
    from lienthong.core.testing_permissions import login
    from lienthong.registries.staff.models import StaffMember

    with acting(via="bench_staff"):
        agency, editor, slots = set_up()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "can-bo.csv"
        started = time.perf_counter()
        write_file(path, args.rows, slots)
        note(f"generated {args.rows} rows in {time.perf_counter() - started:.1f} s")
        emit(import_file(path, agency, editor, args.rows))

    client = Client()
    login(client, editor)
    division = OrgUnit.objects.get(name="Phòng chuyên môn 3")
    rng = random.Random(11)
    sample = list(StaffMember.objects.order_by("?").values_list("full_name", "personal_id")[:20])
    name, pid = rng.choice(sample)
    from lienthong.core.text import fold

    api = "/api/registries/staff"
    lists = [
        ("first page", f"{api}/members/?limit=20"),
        ("division subtree", f"{api}/members/?unit={division.pk}&limit=20"),
        ("agency subtree", f"{api}/members/?unit={agency.pk}&limit=20"),
        ("category + rank", f"{api}/members/?category=civil_servant&rank=01.003&limit=20"),
        ("due within 90 days", f"{api}/members/?due_days=90&limit=20"),
        ("page 50", f"{api}/members/?limit=20&offset=1000"),
        ("raise report", f"{api}/due-for-raise?days=90&limit=20"),
        ("teachers, primary", f"{api}/teachers?level=primary&limit=20"),
        ("list page (HTML)", "/csdl/can-bo/?category=public_employee"),
    ]
    from django.conf import settings
    from django.test import override_settings

    # The HTML page links static files by their manifest names; the bench database has no
    # collected static files, and serving them is not what is measured here.
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        for case, url in lists:
            emit(time_calls(client, case, url, args.repeat, "list"))
    family = name.split()[0]
    searches = [
        ("full name", name),
        ("full name, no diacritics", fold(name)),
        ("family name", family),
        ("start of a name", " ".join(fold(name).split()[:2]) + " " + fold(name).split()[-1][:2]),
        ("personal ID prefix", pid[:8]),
    ]
    from urllib.parse import quote

    for case, q in searches:
        emit(
            time_calls(client, case, f"{api}/members/?q={quote(q)}&limit=20", args.repeat, "search")
        )


if __name__ == "__main__":
    main()
