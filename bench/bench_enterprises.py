"""Benchmark of the enterprise registry: import enterprises, then look up and search them.

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_enterprises.py \\
        [--rows 100000] [--repeat 200]

The number of rows can also be set with LIENTHONG_BENCH_ENTERPRISES_ROWS. `make bench` runs
the default, 20,000; a province's register (issue 4: 100,000 enterprises) is
`LIENTHONG_BENCH_ENTERPRISES_ROWS=100000`. Steps:

1. Set-up: the administrative units of both eras (`core.units.load_units`), an owner agency
   and its registry official.
2. `enterprises.import`: a CSV of `--rows` enterprises written by the registry's own
   generator (`registries.enterprises.fakedata`, Faker vi_VN; Bình Dương communes, 60 % in
   legacy units converted on import; 1–4 VSIC lines each), imported through
   `registries.base.importing.import_file` — the path of the import page, the API and
   `lienthong registry import`: check pass, spool, bulk insert, lines of business. Rows per
   second and the peak resident memory.
3. `enterprises.lookup`: a tax code as the one-stop intake's pre-fill asks it
   (`lookups.EnterpriseLookup.find`, the ORM query) and as an API client does
   (GET /api/registries/enterprises/?q=<tax code>, in-process test client, session login).
   p50 / p95 over `--repeat` random existing codes.
4. `enterprises.search`: folded name search as people type it — a name with and without
   diacritics, two words, the start of a name, a common word — first as the query alone
   (`Enterprise.objects.search(q)[:20]`), then through the API (which also counts the
   matches, up to 10,000); plus a filter by VSIC section and commune. p50 / p95 over
   `--repeat` calls.

Prints JSON lines `enterprises.import`, `enterprises.lookup` and `enterprises.search` (one per
case). Timings are not asserted: a busy machine must not fail `make bench`.
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
from urllib.parse import quote

ROWS = int(os.environ.get("LIENTHONG_BENCH_ENTERPRISES_ROWS", "20000"))


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


def set_up() -> tuple[Any, Any]:
    """The units of both eras, the owner agency and its registry official."""
    from lienthong.accounts.models import Role
    from lienthong.core.testing import make_org_unit, make_user
    from lienthong.core.units import load_units, units_loaded

    if not units_loaded():
        load_units()
    agency = make_org_unit("Phòng Đăng ký kinh doanh (bench)", code="000.00.96.H99")
    editor = make_user("bench-enterprises", roles=[(Role.REGISTRY_OWNER, agency)])
    return agency, editor


def write_file(path: Path, rows: int) -> list[str]:
    """The CSV of `rows` generated enterprises; returns the names (for the searches)."""
    from lienthong.registries.enterprises import fakedata
    from lienthong.registries.enterprises.registry import enterprise_columns

    keys = [c.key for c in enterprise_columns()]
    generator = fakedata.Generator(7, fakedata.places_in())
    names: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys, extrasaction="ignore")
        writer.writeheader()
        for n, row in enumerate(generator.enterprises(rows)):
            writer.writerow(row)
            if n % 97 == 0:
                names.append(row["name"])
    return names


def import_file(path: Path, agency: Any, editor: Any, rows: int) -> dict[str, Any]:
    from django.db import connection

    from lienthong.core.context import acting
    from lienthong.registries.base import importing
    from lienthong.registries.base import registry as registries

    started = time.perf_counter()
    with acting(via="bench_enterprises"):
        job = importing.import_file(registries.get("enterprises"), path, owner=agency, by=editor)
    seconds = time.perf_counter() - started
    if job.status != "imported":
        sys.exit(f"import failed: {job.status} {job.errors[:5]}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "bench": "enterprises.import",
        "backend": connection.vendor,
        "rows": job.imported_rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "peak_rss_mb": peak_rss_mb(),
    }


def timed(name: str, case: str, calls: list[Any]) -> dict[str, Any]:
    """Run each call once (after one warm-up) and report p50 / p95."""
    from django.db import connection

    calls[0]()
    timings = []
    for call in calls:
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "bench": f"enterprises.{name}",
        "backend": connection.vendor,
        "case": case,
        "n": len(calls),
        "p50_ms": round(percentile(timings, 50), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "max_ms": round(max(timings), 2),
    }


def api_calls(client: Any, url: str, repeat: int) -> list[Any]:
    def call() -> None:
        response = client.get(url, secure=True, HTTP_HOST="localhost")
        if response.status_code != 200:
            sys.exit(f"{url}: {response.status_code} {response.content[:300]!r}")

    return [call] * repeat


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="enterprises to import")
    parser.add_argument("--repeat", type=int, default=200, help="calls per lookup/search case")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.test import Client

    from lienthong.core.context import acting
    from lienthong.core.testing_permissions import login
    from lienthong.core.text import fold
    from lienthong.registries.enterprises.lookups import EnterpriseLookup
    from lienthong.registries.enterprises.models import Enterprise

    with acting(via="bench_enterprises"):
        agency, editor = set_up()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doanh-nghiep.csv"
        started = time.perf_counter()
        names = write_file(path, args.rows)
        note(f"generated {args.rows} rows in {time.perf_counter() - started:.1f} s")
        emit(import_file(path, agency, editor, args.rows))

    rng = random.Random(11)
    codes = list(Enterprise.objects.values_list("tax_code", flat=True)[: args.rows])
    picked = [rng.choice(codes) for _n in range(args.repeat)]
    lookup = EnterpriseLookup()

    def find(code: str) -> Any:
        return lambda: lookup.find(code)

    emit(timed("lookup", "pre-fill lookup (ORM)", [find(c) for c in picked]))

    client = Client()
    login(client, editor)
    api = "/api/registries/enterprises/"
    lookups = [
        (lambda c=code: client.get(f"{api}?q={c}&limit=20", secure=True, HTTP_HOST="localhost"))
        for code in picked
    ]
    emit(timed("lookup", "API ?q=<tax code>", lookups))

    name = rng.choice(names)
    words = fold(name).split()
    brand = " ".join(words[-2:])
    searches = [
        ("full name", name),
        ("full name, no diacritics", fold(name)),
        ("two words (trade name)", brand),
        ("start of a name", f"{words[0]} {words[1]} {words[-1][:2]}"),
        ("common word", "xay dung"),
        ("VSIC section C + commune", None),
    ]
    commune = Enterprise.objects.values_list("address_commune", flat=True).first()
    for case, q in searches:
        if q is not None:
            # The query alone (the first page of 20, no count, no HTTP): what the index costs.
            emit(
                timed(
                    "search",
                    f"{case} (ORM, first 20)",
                    [lambda q=q: list(Enterprise.objects.search(q)[:20])] * args.repeat,
                )
            )
        if q is None:
            url = f"{api}?vsic=C&commune={commune}&limit=20"
        else:
            url = f"{api}?q={quote(q)}&limit=20"
        emit(timed("search", case, api_calls(client, url, args.repeat)))


if __name__ == "__main__":
    main()
