"""Benchmark of the land registry: map requests over 100,000 parcels, and the import rate.

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_land.py \\
        [--parcels 100000] [--import-rows N] [--requests 100] [--no-http]

1. `land.generate`: synthetic parcels (`registries.land.demo`: town and field lots laid out
   sheet by sheet) in ten 2025 communes of the former Bình Dương, bulk-inserted, then the
   map's commune summary counted. `--parcels` (or LIENTHONG_BENCH_LAND_PARCELS), default
   100,000.
2. `land.map`: what the map page asks while a registry official pans and zooms — GET
   /api/registries/land/map for a 1280×800 view at zoom 18, 17, 16 and 15 (parcels, at most
   2,000) and 13 and 10 (one point per commune), centred on random parcels, and GET
   /api/registries/land/tiles/{z}/{x}/{y}.geojson at zoom 17 and 16 — through the real server
   (`lienthong serve`, one keep-alive connection, sequential requests), p50/p95/max. Also
   `land.map_direct`: the same views answered in process (`selectors.map_features`), without
   HTTP. Target (issue 4): every map request < 200 ms.
3. `land.import`: the parcels of a few communes exported to CSV (the registry's own export
   columns, shapes as GeoJSON), deleted, and imported back through the shared importer
   (check pass, write pass, summary). `--import-rows` (or LIENTHONG_BENCH_LAND_IMPORT),
   default 100,000 (all of them): 66 s on PostgreSQL and 107 s on SQLite measured on a
   2-core machine under load, inside the two minutes this step allows itself; set it lower
   on a slower machine.

Prints JSON lines `land.generate`, `land.map` and `land.map_direct` (one per case, with
`under_200ms`), `land.export`, `land.import`. Timings are reported, not asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_submit import emit, note, percentile, served, session_cookie, setup_django

#: Ten 2025 communes of the former Bình Dương (wards: town lots; communes: fields and villages).
COMMUNES = [
    "25747",  # Phường Thủ Dầu Một
    "25750",  # Phường Phú Lợi
    "25771",  # Phường Chánh Hiệp
    "25760",  # Phường Bình Dương
    "25768",  # Phường Phú An
    "25888",  # Phường Tân Uyên
    "25819",  # Xã Trừ Văn Thố
    "25777",  # Xã Dầu Tiếng
    "25858",  # Xã Phú Giáo
    "25813",  # Phường Bến Cát (Mỹ Phước)
]
VIEW_PX = (1280, 800)
LIMIT_MS = 200.0


def view_bbox(lon: float, lat: float, zoom: int) -> tuple[float, float, float, float]:
    """The lon/lat box a 1280×800 map shows at `zoom` around (lon, lat)."""
    degrees_per_px = 360 / (256 * 2**zoom)
    half_w = VIEW_PX[0] / 2 * degrees_per_px
    half_h = VIEW_PX[1] / 2 * degrees_per_px * math.cos(math.radians(lat))
    return (lon - half_w, lat - half_h, lon + half_w, lat + half_h)


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def world() -> tuple[Any, Any, Any]:
    """The keeping agency, its registry official (the map's user) and a superuser."""
    from lienthong.accounts.models import Role, RoleAssignment, User
    from lienthong.core.models import OrgUnit
    from lienthong.core.units import load_units, units_loaded

    if not units_loaded():
        note("bench: loading administrative units …")
        load_units()
    owner, _ = OrgUnit.objects.get_or_create(
        code="000.00.08.H98",
        defaults={
            "name": "Sở Nông nghiệp và Môi trường (thử tải)",
            "kind": OrgUnit.Kind.DEPARTMENT,
            "is_agency": True,
            "code_is_demo": True,
        },
    )
    official, created = User.objects.get_or_create(
        username="bench.land", defaults={"kind": User.Kind.OFFICIAL, "org_unit": owner}
    )
    if created:
        RoleAssignment.objects.create(user=official, role=Role.REGISTRY_OWNER, org_unit=owner)
    admin = User.objects.filter(username="bench.land.admin").first()
    if admin is None:
        admin = User.objects.create_superuser("bench.land.admin", "bench@example.vn", None)
    return owner, official, admin


def generate(owner: Any, total: int) -> dict[str, Any]:
    """`total` synthetic parcels over the ten communes, bulk-inserted; the summary counted."""
    from django.db import connection, transaction

    from lienthong.core.models import AdminUnit
    from lienthong.registries.base.bulk import deferred_word_index, prepare_connection
    from lienthong.registries.land import demo
    from lienthong.registries.land.models import Parcel, ParcelSummary

    names = dict(
        AdminUnit.objects.filter(era="2025", level="commune", code__in=COMMUNES).values_list(
            "code", "name"
        )
    )
    specs = demo.commune_specs([(c, names.get(c, "").startswith("Phường")) for c in COMMUNES])
    per_commune = math.ceil(total / len(specs))
    started = time.perf_counter()
    prepare_connection()
    pool = demo.OwnerPool(seed=4)
    made = 0
    with transaction.atomic(), deferred_word_index(Parcel):
        for index, spec in enumerate(specs):
            count = min(per_commune, total - made)
            if count <= 0:
                break
            made += demo.insert_parcels(
                demo.build_parcels(
                    spec,
                    count=count,
                    owner=owner,
                    seed=index,
                    owners=pool,
                    first_sheet=demo.next_sheet(spec.code),
                )
            )
        ParcelSummary.objects.refresh(s.code for s in specs)
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE land_parcel")
    return {
        "bench": "land.generate",
        "parcels": made,
        "communes": len(specs),
        "table_rows": Parcel.objects.count(),
        "seconds": round(seconds, 1),
        "per_second": round(made / seconds),
    }


def cases(
    rnd: random.Random, centres: list[tuple[float, float]], n: int
) -> list[tuple[str, list[str]]]:
    """(case name, request paths) for every view and tile case."""
    out = []
    for zoom in (18, 17, 16, 15, 13, 10):
        paths = []
        for _ in range(n):
            lon, lat = rnd.choice(centres)
            box = ",".join(f"{v:.6f}" for v in view_bbox(lon, lat, zoom))
            paths.append(f"/api/registries/land/map?bbox={box}&zoom={zoom}")
        out.append((f"view z{zoom}", paths))
    for zoom in (17, 16):
        paths = []
        for _ in range(n):
            lon, lat = rnd.choice(centres)
            x, y = tile_of(lon, lat, zoom)
            paths.append(f"/api/registries/land/tiles/{zoom}/{x}/{y}.geojson")
        out.append((f"tile z{zoom}", paths))
    return out


def http_case(host: str, port: int, cookie: str, name: str, paths: list[str]) -> dict[str, Any]:
    """Sequential GETs on one keep-alive connection: latency of each, features returned."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    latencies: list[float] = []
    features: list[int] = []
    truncated: list[bool] = []
    errors = 0
    for path in [paths[0], *paths]:  # the first request warms the worker up, unmeasured
        started = time.perf_counter()
        connection.request(
            "GET", path, headers={"Cookie": cookie, "Accept": "application/geo+json"}
        )
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            errors += 1
            continue
        data = json.loads(body)
        latencies.append(elapsed)
        features.append(len(data["features"]))
        truncated.append(bool(data["meta"]["truncated"]))
    connection.close()
    latencies, features, truncated = latencies[1:], features[1:], truncated[1:]
    return {
        "bench": "land.map",
        "case": name,
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies, default=0), 1),
        "features_mean": round(sum(features) / max(len(features), 1)),
        "truncated_share": round(sum(truncated) / max(len(truncated), 1), 2),
        "under_200ms": percentile(latencies, 95) < LIMIT_MS,
    }


def direct_case(user: Any, name: str, paths: list[str]) -> dict[str, Any]:
    """The same requests answered in process: the query and the GeoJSON text, no HTTP."""
    from urllib.parse import parse_qs, urlsplit

    from lienthong.registries.land import selectors
    from lienthong.registries.land.geometry import parse_bbox, tile_bbox

    latencies = []
    for path in paths:
        parts = urlsplit(path)
        if parts.path.startswith("/api/registries/land/tiles/"):
            z, x, last = parts.path.split("/")[-3:]
            zoom = int(z)
            box = tile_bbox(zoom, int(x), int(last.split(".")[0]))
        else:
            query = parse_qs(parts.query)
            box, zoom = parse_bbox(query["bbox"][0]), int(query["zoom"][0])
        started = time.perf_counter()
        selectors.map_features(user, box, zoom=zoom)
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "bench": "land.map_direct",
        "case": name,
        "requests": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies, default=0), 1),
        "under_200ms": percentile(latencies, 95) < LIMIT_MS,
    }


def export_and_import(owner: Any, admin: Any, rows: int) -> list[dict[str, Any]]:
    """Export `rows` parcels to CSV, delete them, import the file back; the two rates."""
    from django.db import transaction

    from lienthong.registries.base import exporting, importing
    from lienthong.registries.base import registry as registries
    from lienthong.registries.land.models import Parcel, ParcelSummary

    registry_type = registries.get("land")
    mine = Parcel.objects.filter(owner=owner).order_by("pk")
    last = mine.values_list("pk", flat=True)[rows - 1]
    qs = mine.filter(pk__lte=last)
    with tempfile.TemporaryDirectory(prefix="bench-land-") as folder:
        path = Path(folder) / "thua-dat.csv"
        started = time.perf_counter()
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            written = exporting.write_csv(exporting.export_rows(registry_type, qs), handle)
        export_seconds = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
        communes = set(qs.values_list("commune", flat=True).distinct())
        with transaction.atomic():
            qs.delete()
            ParcelSummary.objects.refresh(communes)
        started = time.perf_counter()
        job = importing.import_file(registry_type, path, owner=owner, by=admin)
        import_seconds = time.perf_counter() - started
    return [
        {
            "bench": "land.export",
            "rows": written,
            "megabytes": round(size_mb, 1),
            "seconds": round(export_seconds, 1),
            "per_second": round(written / export_seconds),
        },
        {
            "bench": "land.import",
            "rows": job.total_rows,
            "imported": job.imported_rows,
            "errors": job.error_count,
            "status": job.status,
            "seconds": round(import_seconds, 1),
            "per_second": round(job.imported_rows / import_seconds) if import_seconds else 0,
            "first_errors": job.errors[:3],
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--parcels", type=int, default=int(os.environ.get("LIENTHONG_BENCH_LAND_PARCELS", 100_000))
    )
    parser.add_argument(
        "--import-rows",
        type=int,
        default=int(os.environ.get("LIENTHONG_BENCH_LAND_IMPORT", 100_000)),
    )
    parser.add_argument("--requests", type=int, default=100, help="requests per case")
    parser.add_argument("--no-http", action="store_true", help="in-process timings only")
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    from lienthong.registries.land.models import Parcel

    owner, official, admin = world()
    missing = args.parcels - Parcel.objects.filter(owner=owner).count()
    if missing > 0:
        note(f"bench: generating {missing:,} parcels …")
        emit(generate(owner, missing))
    rnd = random.Random(17)
    centres = [
        (lon, lat)
        for lon, lat in Parcel.objects.filter(owner=owner, centroid_lon__isnull=False)
        .order_by("pk")
        .values_list("centroid_lon", "centroid_lat")[::97]
        if lon is not None and lat is not None
    ]
    plan = cases(rnd, centres, args.requests)
    failed = False
    for name, paths in plan:
        record = direct_case(official, name, paths)
        emit({**record, "database": connection.vendor, "parcels": args.parcels})
    if not args.no_http:
        cookie = session_cookie(official)
        with served(workers=1, threads=1, access_log=False) as (host, port, _pid):
            for name, paths in plan:
                record = http_case(host, port, cookie, name, paths)
                failed = failed or bool(record["errors"])
                emit({**record, "database": connection.vendor, "parcels": args.parcels})
    if args.import_rows > 0:
        note(f"bench: export, then import {args.import_rows:,} parcels …")
        for record in export_and_import(owner, admin, min(args.import_rows, args.parcels)):
            failed = failed or record.get("status") not in (None, "imported")
            emit({**record, "database": connection.vendor})
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
