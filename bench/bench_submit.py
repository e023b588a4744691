"""Benchmark: sustained online dossier submission through the real HTTP API.

`lienthong serve` (gunicorn, the production server) runs on the database named by the
environment; N client threads, each with its own keep-alive connection and a logged-in citizen
session, POST /api/onestop/dossiers as fast as the server answers: the JSON-only submission,
which reuses a document from the citizen's data store for the required component (the same
service, validation, counter, history, audit entry and outbox events as any submission). After
a warm-up, the measured window reports requests per second, latency percentiles, and checks that
the dossiers created equal the successful responses, with distinct codes.

Run by `make bench` on a fresh migrated database, or by hand:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_submit.py \\
        [--clients 16] [--seconds 20] [--warmup 3] [--workers 4] [--threads 1]

Prints JSON lines: `onestop.submit`. The helpers here (server, sessions, client) are shared with
bench_lookup.py.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()


# --- Server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lienthong(*args: str, env: dict[str, str] | None = None) -> None:
    """Run a `lienthong` command, failing loudly."""
    result = subprocess.run(
        [sys.executable, "-m", "lienthong.cli", *args],
        env=env or os.environ.copy(),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"lienthong {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


@contextlib.contextmanager
def served(
    *, workers: int, threads: int, access_log: bool = True
) -> Iterator[tuple[str, int, int]]:
    """`lienthong serve` on a free local port, plain HTTP; stopped on exit."""
    from django.conf import settings

    env = {**os.environ, "LIENTHONG_INSECURE_HTTP": "1"}
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        note("bench: collectstatic (once per data directory) …")
        lienthong("collectstatic", "--noinput", "-v", "0", env=env)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "lienthong.cli",
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-log" if access_log else "--no-access-log",
    ]
    # gunicorn writes an access-log line per request: away from our stdout (JSON lines only).
    log = open(Path(settings.DATA_DIR) / "bench-serve.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(
                    f"lienthong serve stopped (exit {process.returncode}); see {log.name}"
                )
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/onestop/lookup/x")
                connection.getresponse().read()
                connection.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("lienthong serve did not answer within 60 s") from None
                time.sleep(0.2)
        yield "127.0.0.1", port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --- CPU accounting -------------------------------------------------------------------------
# On a shared machine the requests per second depend on what else runs; the CPU each request
# costs does not. Both are reported, with the throughput the CPU cost allows on two cores.

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and its reaped children), or None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return int(fields[1]), (utime + stime + cutime + cstime) / TICKS


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process tree (live processes and the children they
    reaped, e.g. gunicorn workers recycled after --max-requests)."""
    parents: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = info
    members, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, (ppid, _cpu) in parents.items():
            if ppid == pid and child not in members:
                members.add(child)
                frontier.append(child)
    return sum(parents[pid][1] for pid in members if pid in parents)


def database_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving this database, by pid (none on SQLite,
    whose work runs inside the web workers)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    return {pid: info[1] for pid in pids if (info := _stat(pid)) is not None}


@dataclass
class CpuMeter:
    """CPU used by the server tree, the database backends and the load generator.

    PostgreSQL backends come and go (CONN_MAX_AGE, gunicorn recycling workers), so they are
    sampled every half second and each one's CPU counted from when it was first seen to when
    it was last seen: a backend that exits loses at most its last half second.
    """

    server_pid: int
    marks: dict[str, float] = field(default_factory=dict)
    first_seen: dict[int, float] = field(default_factory=dict)
    last_seen: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None
    load_before: float = 0.0

    def snapshot(self) -> dict[str, float]:
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "server": tree_cpu(self.server_pid),
            # The client: this process's threads, and wrk once it has been waited for.
            "client": time.process_time() + children.ru_utime + children.ru_stime,
        }

    def _sample_backends(self) -> None:
        for pid, cpu in database_cpu().items():
            # A backend first seen during the window started in it: all its CPU counts.
            self.first_seen.setdefault(pid, 0.0)
            self.last_seen[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample_backends()

    def start(self) -> None:
        self.first_seen, self.last_seen = {}, {}
        self._sample_backends()
        self.first_seen = dict(self.last_seen)  # backends alive now count from here
        self.load_before = os.getloadavg()[0]
        self.marks = self.snapshot()
        self._stop.clear()
        self._sampler = threading.Thread(target=self._run, daemon=True)
        self._sampler.start()

    def per_request(self, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request since `start`, and the 2-core projection."""
        now = self.snapshot()
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join()
        self._sample_backends()
        if not requests:
            return {}
        ms = {k: (now[k] - self.marks[k]) * 1000 / requests for k in now}
        database = sum(cpu - self.first_seen.get(pid, 0.0) for pid, cpu in self.last_seen.items())
        ms["database"] = database * 1000 / requests
        total = sum(ms.values())
        return {
            "server_cpu_ms": round(ms["server"], 3),
            "database_cpu_ms": round(ms["database"], 3),
            "client_cpu_ms": round(ms["client"], 3),
            "projected_per_second_2_cores": round(2000 / total, 1) if total else 0.0,
            # What else ran on the machine (1-minute load average, 2 = both cores busy).
            "load_before": round(self.load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
        }


def session_cookie(user: Any) -> str:
    """A logged-in session for `user` and a CSRF token, as a Cookie header value."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}"


#: A CSRF secret of the length Django expects; sent as cookie and header alike.
CSRF_TOKEN = secrets.token_hex(16)


# --- Load generator -------------------------------------------------------------------------


@dataclass
class Tally:
    """What the client threads saw in the measured window."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def drive(
    *,
    host: str,
    port: int,
    clients: int,
    seconds: float,
    method: str,
    paths: list[str],
    bodies: list[bytes | None],
    headers: list[dict[str, str]],
    keep_code: bool = False,
) -> tuple[Tally, float]:
    """Run `clients` threads, each on its own keep-alive connection, for `seconds`.

    Thread i sends requests i, i+clients, … of `paths`/`bodies` cyclically with headers[i %
    len(headers)]. Each waits for its answer before the next request, so when the window
    closes every request sent has been answered and counted.
    """
    tally = Tally()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        header = headers[index % len(headers)]
        n = index
        local_latencies: list[float] = []
        local_statuses: dict[int, int] = {}
        local_codes: list[str] = []
        start.wait()
        while time.monotonic() < stop_at[0]:
            path, body = paths[n % len(paths)], bodies[n % len(bodies)]
            n += clients
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=header)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                with tally.lock:
                    tally.errors.append(f"{type(exc).__name__}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
                continue
            local_latencies.append(time.perf_counter() - began)
            local_statuses[response.status] = local_statuses.get(response.status, 0) + 1
            if keep_code and response.status == 201:
                local_codes.append(json.loads(payload)["code"])
        connection.close()
        with tally.lock:
            tally.latencies.extend(local_latencies)
            tally.codes.extend(local_codes)
            for status, count in local_statuses.items():
                tally.statuses[status] = tally.statuses.get(status, 0) + count

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - began


def summary(tally: Tally, elapsed: float) -> dict[str, Any]:
    """Throughput and latency of a window."""
    total = sum(tally.statuses.values())
    ms = [value * 1000 for value in tally.latencies]
    return {
        "requests": total,
        "seconds": round(elapsed, 2),
        "per_second": round(total / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "transport_errors": len(tally.errors),
    }


# --- This benchmark -------------------------------------------------------------------------


def build(clients: int) -> dict[str, Any]:
    """An agency, a procedure (one required component) and `clients` citizens, each with a
    document in their data store and a logged-in session."""
    from django.core.files.base import ContentFile

    from lienthong.accounts.models import User
    from lienthong.core.models import OrgUnit
    from lienthong.onestop.models import CitizenDocument
    from lienthong.onestop.testing import TINY_PDF, make_procedure, personal_id

    agency, _ = OrgUnit.objects.get_or_create(
        code="000.00.99.H56",
        defaults={
            "name": "UBND phường thử tải",
            "kind": OrgUnit.Kind.PEOPLES_COMMITTEE,
            "is_agency": True,
            "code_is_demo": True,
        },
    )
    procedure = make_procedure(
        agencies=[agency],
        components=[("Giấy khai sinh", True, 0, 1), ("Giấy ủy quyền", False, 1, 0)],
    )
    component = procedure.components.get(order=1)
    sessions, bodies = [], []
    for n in range(clients):
        citizen = User.objects.create(
            username=f"bench-citizen-{secrets.token_hex(4)}",
            kind=User.Kind.CITIZEN,
            full_name="Nguyễn Thị Minh",
            personal_id=personal_id(),
            phone="0912345678",
            email=f"bench{n}@example.vn",
        )
        citizen.set_unusable_password()
        citizen.save(update_fields=["password"])
        document = CitizenDocument(owner=citizen, title="Giấy khai sinh")
        document.file.save("giay-khai-sinh.pdf", ContentFile(TINY_PDF), save=False)
        document.save()
        sessions.append(
            {
                "Cookie": session_cookie(citizen),
                "X-CSRFToken": CSRF_TOKEN,
                "Content-Type": "application/json",
                "Accept": "application/json",
            }
        )
        bodies.append(
            json.dumps(
                {
                    "procedure": procedure.code,
                    "agency": agency.code,
                    "form_data": {"noi_dung": "Xin cấp bản sao trích lục"},
                    "components": [
                        {"component_id": component.pk, "reuse_document_id": document.pk}
                    ],
                }
            ).encode()
        )
    return {"agency": agency, "sessions": sessions, "bodies": bodies}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    # One thread per process: a thread holding the SQLite write lock, the day's counter row or
    # the audit head row and then losing the GIL to a sibling thread makes every other
    # writer wait (measured: 199 against 134 submissions/s on SQLite with 4×1 against 2×4).
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    # Off by default: in production the proxy in front (nginx) writes the access log; pass
    # --access-log to measure gunicorn writing one line per request as well.
    parser.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=False)
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection

    from lienthong.onestop.models import Dossier

    world = build(args.clients)
    agency = world["agency"]
    connection.close()
    path = "/api/onestop/dossiers"
    with served(workers=args.workers, threads=args.threads, access_log=args.access_log) as (
        host,
        port,
        pid,
    ):
        note(f"bench_submit: warming up for {args.warmup:g} s …")
        drive(
            host=host,
            port=port,
            clients=args.clients,
            seconds=args.warmup,
            method="POST",
            paths=[path],
            bodies=world["bodies"],
            headers=world["sessions"],
        )
        before = Dossier.objects.filter(agency=agency).count()
        connection.close()
        note(f"bench_submit: measuring for {args.seconds:g} s with {args.clients} clients …")
        meter = CpuMeter(pid)
        meter.start()
        tally, elapsed = drive(
            host=host,
            port=port,
            clients=args.clients,
            seconds=args.seconds,
            method="POST",
            paths=[path],
            bodies=world["bodies"],
            headers=world["sessions"],
            keep_code=True,
        )
        cpu = meter.per_request(sum(tally.statuses.values()))
    created = Dossier.objects.filter(agency=agency).count() - before
    ok = tally.statuses.get(201, 0)
    codes_in_db = Dossier.objects.filter(code__in=tally.codes).count() if tally.codes else 0
    result = {
        "bench": "onestop.submit",
        "database": connection.vendor,
        "clients": args.clients,
        "workers": args.workers,
        "threads": args.threads,
        "access_log": args.access_log,
        **summary(tally, elapsed),
        "ok": ok,
        "ok_per_second": round(ok / elapsed, 1),
        "created": created,
        "created_equals_ok": created == ok,
        "codes_unique": len(set(tally.codes)) == len(tally.codes) == codes_in_db,
        **cpu,
    }
    emit(result)
    if tally.errors:
        note(f"bench_submit: first transport error: {tally.errors[0]}")
    return 0 if result["created_equals_ok"] and result["codes_unique"] and ok else 1


if __name__ == "__main__":
    sys.exit(main())
