"""Benchmark: public lookup of a dossier by code, through the real HTTP server.

Seeds `--dossiers` received dossiers (bulk inserts: the rows a year of counter intake leaves,
each with its two history lines), starts `lienthong serve` (gunicorn) on the database from
the environment, and drives GET /api/onestop/lookup/{code} — and the public page
/tra-cuu/?ma={code} — with random existing codes, using `wrk` (keep-alive connections, latency
percentiles from its Lua `done` hook) or, when wrk is not installed, the threaded client of
bench_submit.py. Target (issue 3): ≥ 1,000 lookups per second with p95 < 50 ms on 2 cores.

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_lookup.py \\
        [--dossiers 100000] [--seconds 20] [--connections 16] [--workers 2] [--threads 4]

Prints JSON lines: `onestop.lookup_seed`, `onestop.lookup_api`, `onestop.lookup_page`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_submit import CpuMeter, drive, emit, note, served, setup_django, summary

WRK_SCRIPT = r"""
local codes = {}
for line in io.lines(os.getenv("LOOKUP_CODES")) do codes[#codes + 1] = line end
local prefix = os.getenv("LOOKUP_PREFIX")
local counter = 0

function init(args)
  -- Each wrk thread has its own Lua state: seed it differently.
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  return wrk.format("GET", prefix .. codes[math.random(#codes)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "connect_errors": %d, '
    .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, '
    .. '"p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def seed(count: int) -> list[str]:
    """`count` received dossiers with two history lines each, inserted in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from lienthong.core.models import OrgUnit
    from lienthong.onestop.models import (
        Channel,
        Dossier,
        DossierCounter,
        DossierHistory,
        DossierStatus,
    )
    from lienthong.onestop.testing import CITIZEN_NAMES, make_procedure

    agencies = []
    for n in range(4):
        agency, _ = OrgUnit.objects.get_or_create(
            code=f"000.00.{90 + n:02d}.H56",
            defaults={
                "name": f"UBND phường thử tra cứu {n + 1}",
                "kind": OrgUnit.Kind.PEOPLES_COMMITTEE,
                "is_agency": True,
                "code_is_demo": True,
            },
        )
        agencies.append(agency)
    procedure = make_procedure(agencies=agencies, name="Cấp bản sao trích lục hộ tịch")
    start = timezone.now() - datetime.timedelta(days=365)
    codes: list[str] = []
    batch = 5000
    counters: dict[tuple[int, datetime.date], int] = {}
    with transaction.atomic():
        for first in range(0, count, batch):
            rows = []
            for n in range(first, min(count, first + batch)):
                agency = agencies[n % len(agencies)]
                at = start + datetime.timedelta(minutes=5 * (n // len(agencies)))
                day = timezone.localdate(at)
                number = counters.get((agency.pk, day), 0) + 1
                counters[(agency.pk, day)] = number
                code = f"{agency.code}-{day:%y%m%d}-{number:04d}"
                codes.append(code)
                rows.append(
                    Dossier(
                        code=code,
                        procedure=procedure,
                        agency=agency,
                        field_id=procedure.field_id,
                        channel=Channel.COUNTER,
                        status=DossierStatus.PROCESSING,
                        applicant_name=CITIZEN_NAMES[n % len(CITIZEN_NAMES)],
                        applicant_personal_id=f"074185{n % 1000000:06d}",
                        applicant_phone="0912345678",
                        submitted_at=at,
                        received_at=at,
                        due_date=day + datetime.timedelta(days=7),
                        due_at=at + datetime.timedelta(days=7),
                        original_due_date=day + datetime.timedelta(days=7),
                    )
                )
            created = Dossier.objects.bulk_create(rows)
            if not all(d.pk for d in created):  # SQLite < 3.35 gives no ids back
                batch_codes = [d.code for d in created]
                ids = dict(Dossier.objects.filter(code__in=batch_codes).values_list("code", "pk"))
                for dossier in created:
                    dossier.pk = ids[dossier.code]
            DossierHistory.objects.bulk_create(
                history
                for dossier in created
                for history in (
                    DossierHistory(
                        dossier=dossier,
                        status=DossierStatus.ACCEPTED,
                        at=dossier.submitted_at,
                        org_unit=dossier.agency,
                        public_note="Hồ sơ được tiếp nhận.",
                    ),
                    DossierHistory(
                        dossier=dossier,
                        status=DossierStatus.PROCESSING,
                        at=dossier.submitted_at,
                        org_unit=dossier.agency,
                        public_note="Hồ sơ đã chuyển đến bộ phận giải quyết.",
                    ),
                )
            )
        DossierCounter.objects.bulk_create(
            DossierCounter(agency_id=agency_id, day=day, last_value=value)
            for (agency_id, day), value in counters.items()
        )
    return codes


def run_wrk(
    *, host: str, port: int, prefix: str, codes_file: Path, seconds: float, connections: int
) -> dict[str, Any]:
    """One wrk run; its numbers."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        result = subprocess.run(
            [
                "wrk",
                "-t",
                "1",
                "-c",
                str(connections),
                "-d",
                f"{seconds:g}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                f"http://{host}:{port}",
            ],
            env={**os.environ, "LOOKUP_CODES": str(codes_file), "LOOKUP_PREFIX": prefix},
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        os.unlink(script.name)
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{result.stdout}{result.stderr}")
    raw = json.loads(line[len("WRKJSON ") :])
    elapsed = raw["duration_us"] / 1e6
    return {
        "client": "wrk",
        "connections": connections,
        "requests": raw["requests"],
        "seconds": round(elapsed, 2),
        "per_second": round(raw["requests"] / elapsed, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "mean_ms": round(raw["mean_us"] / 1000, 2),
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["connect_errors"]
        + raw["read_errors"]
        + raw["write_errors"]
        + raw["timeouts"],
    }


def measure(
    *,
    meter: CpuMeter,
    host: str,
    port: int,
    prefix: str,
    codes: list[str],
    codes_file: Path,
    seconds: float,
    warmup: float,
    connections: int,
) -> dict[str, Any]:
    """Warm up, then measure lookups of random codes under `prefix`."""
    if shutil.which("wrk"):
        run_wrk(
            host=host,
            port=port,
            prefix=prefix,
            codes_file=codes_file,
            seconds=warmup,
            connections=connections,
        )
        meter.start()
        result = run_wrk(
            host=host,
            port=port,
            prefix=prefix,
            codes_file=codes_file,
            seconds=seconds,
            connections=connections,
        )
        return {**result, **meter.per_request(result["requests"])}
    sample = random.sample(codes, min(len(codes), 20000))
    paths = [prefix + code for code in sample]
    headers = [{"Accept": "application/json"}]
    drive(
        host=host,
        port=port,
        clients=connections,
        seconds=warmup,
        method="GET",
        paths=paths,
        bodies=[None],
        headers=headers,
    )
    meter.start()
    tally, elapsed = drive(
        host=host,
        port=port,
        clients=connections,
        seconds=seconds,
        method="GET",
        paths=paths,
        bodies=[None],
        headers=headers,
    )
    result = summary(tally, elapsed)
    return {
        "client": "python-threads",
        "connections": connections,
        **result,
        "non_2xx": sum(v for k, v in tally.statuses.items() if not 200 <= k < 300),
        **meter.per_request(result["requests"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    # Single-threaded processes, as for submissions: a lookup is CPU-bound and threads of one
    # process take turns on its GIL (measured on SQLite, 2 cores: 1,020/s p95 33 ms with 4×1,
    # 965/s with 3×2, 808/s with 2×4, 869/s with 4×2; PostgreSQL 693/s 4×1, 614/s 2×4).
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-page", action="store_true", help="only the API")
    # Off by default: in production the proxy in front (nginx) writes the access log; pass
    # --access-log to measure gunicorn writing one line per request as well.
    parser.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=False)
    args = parser.parse_args(argv)

    setup_django()
    from django.conf import settings
    from django.db import connection

    began = time.monotonic()
    codes = seed(args.dossiers)
    emit(
        {
            "bench": "onestop.lookup_seed",
            "database": connection.vendor,
            "dossiers": len(codes),
            "history_rows": 2 * len(codes),
            "seconds": round(time.monotonic() - began, 1),
        }
    )
    codes_file = Path(settings.DATA_DIR) / "bench-lookup-codes.txt"
    codes_file.write_text("\n".join(codes) + "\n")
    vendor = connection.vendor
    connection.close()
    failed = False
    with served(workers=args.workers, threads=args.threads, access_log=args.access_log) as (
        host,
        port,
        pid,
    ):
        targets = [("onestop.lookup_api", "/api/onestop/lookup/")]
        if not args.skip_page:
            targets.append(("onestop.lookup_page", "/tra-cuu/?ma="))
        for name, prefix in targets:
            note(f"bench_lookup: {name} for {args.seconds:g} s …")
            meter = CpuMeter(pid)
            result = measure(
                meter=meter,
                host=host,
                port=port,
                prefix=prefix,
                codes=codes,
                codes_file=codes_file,
                seconds=args.seconds,
                warmup=args.warmup,
                connections=args.connections,
            )
            record = {
                "bench": name,
                "database": vendor,
                "dossiers": len(codes),
                "workers": args.workers,
                "threads": args.threads,
                "access_log": args.access_log,
                **result,
                "target_met": result["per_second"] >= 1000 and result["p95_ms"] < 50,
            }
            emit(record)
            failed = failed or bool(result["non_2xx"])
    codes_file.unlink(missing_ok=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
