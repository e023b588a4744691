"""`make bench`: run every bench/bench_*.py on a fresh migrated database, SQLite then PostgreSQL.

Each script runs as `python bench/bench_<name>.py` with DJANGO_SETTINGS_MODULE set and a database
of its own (copied from one migrated template, so every script starts from the same state). It
calls `django.setup()` itself and prints one JSON object per line on stdout (see bench/README.md).
The lines, with the database and the machine, go to bench/results/<date>.jsonl; a table follows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
LOCAL_PG_URL = "postgresql://postgres@127.0.0.1:5432/lienthong"
SCRIPT_TIMEOUT = 30 * 60


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        memory_gb = round(total_kb / 1024 / 1024, 1)
    os_name = platform.platform()
    os_release = Path("/etc/os-release")
    if os_release.exists():
        for line in os_release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "os": os_name,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def postgres_url() -> str | None:
    """DATABASE_URL when it names PostgreSQL, the local server when it answers, else None."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return url
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return None
    return LOCAL_PG_URL


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "lienthong.settings"
    return env


def lienthong(args: list[str], env: dict[str, str]) -> None:
    """Run a `lienthong` command; stop the run with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "lienthong.cli", *args], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"lienthong {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


class SQLiteTarget:
    """A migrated SQLite file, copied into a data directory per script."""

    name = "sqlite"

    def __init__(self, work: Path) -> None:
        self.root = work / "bench-sqlite"

    def prepare(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        env = {**base_env(), "LIENTHONG_DATA_DIR": str(self.root / "template")}
        lienthong(["migrate", "--noinput", "-v", "0"], env)

    @contextmanager
    def database(self, script: str) -> Iterator[dict[str, str]]:
        data_dir = self.root / script
        shutil.copytree(self.root / "template", data_dir)
        try:
            yield {**base_env(), "LIENTHONG_DATA_DIR": str(data_dir)}
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)

    def finish(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class PostgresTarget:
    """A migrated template database; each script gets `CREATE DATABASE … TEMPLATE` of it."""

    name = "postgresql"

    def __init__(self, url: str, work: Path) -> None:
        base, _, self.dbname = url.rpartition("/")
        self.base = base
        self.template = f"{self.dbname}_bench_template"
        self.data_dir = work / "bench-postgresql"

    def url(self, dbname: str) -> str:
        return f"{self.base}/{dbname}"

    def execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(statement.encode())  # names are our own, never user input

    def prepare(self) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{self.template}"')
        env = {
            **base_env(),
            "LIENTHONG_DATA_DIR": str(self.data_dir),
            "DATABASE_URL": self.url(self.template),
        }
        lienthong(["migrate", "--noinput", "-v", "0"], env)

    @contextmanager
    def database(self, script: str) -> Iterator[dict[str, str]]:
        dbname = f"{self.dbname}_bench_{script}"
        self.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{dbname}" TEMPLATE "{self.template}"')
        try:
            yield {
                **base_env(),
                "LIENTHONG_DATA_DIR": str(self.data_dir),
                "DATABASE_URL": self.url(dbname),
            }
        finally:
            self.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def finish(self) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)


def run_script(path: Path, env: dict[str, str]) -> tuple[list[dict[str, Any]], int, float]:
    """Run one bench script; its JSON lines, its exit code and its wall time."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(path)], env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    records = []
    assert process.stdout is not None
    for line in process.stdout:
        text = line.strip()
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        if isinstance(record, dict):
            records.append(record)
        elif text:
            print(f"    {text}")
    try:
        code = process.wait(timeout=SCRIPT_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    return records, code, time.monotonic() - started


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(records: list[dict[str, Any]]) -> str:
    """A Markdown table: database, benchmark, then its measurements as key = value."""
    rows = [("database", "benchmark", "measurements")]
    for record in records:
        measured = {
            k: v for k, v in record.items() if k not in {"db", "script", "bench", "date", "name"}
        }
        name = record.get("bench") or record.get("name") or record["script"]
        metrics = ", ".join(f"{k} = {format_value(v)}" for k, v in measured.items())
        rows.append((record["db"], str(name), metrics))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", action="append", default=[], help="run bench_<ONLY>.py only")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--scripts", type=Path, default=BENCH_DIR, help="where bench_*.py are")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results", help="output dir")
    parser.add_argument("--work", type=Path, default=ROOT / "var", help="scratch databases")
    args = parser.parse_args(argv)

    scripts = sorted(args.scripts.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    if not scripts:
        print(f"No benchmark to run: no matching bench_*.py in {args.scripts}.", file=sys.stderr)
        return 1

    targets: list[SQLiteTarget | PostgresTarget] = []
    if args.db in ("sqlite", "all"):
        targets.append(SQLiteTarget(args.work))
    if args.db in ("postgresql", "all"):
        if url := postgres_url():
            targets.append(PostgresTarget(url, args.work))
        else:
            print("PostgreSQL skipped: no DATABASE_URL and nothing answers on 127.0.0.1:5432")

    today = dt.date.today().isoformat()
    args.results.mkdir(parents=True, exist_ok=True)
    out_path = args.results / f"{today}.jsonl"
    records: list[dict[str, Any]] = []
    failures: list[str] = []
    with out_path.open("w") as out:
        out.write(json.dumps({"date": today, "machine": machine()}, ensure_ascii=False) + "\n")
        for target in targets:
            print(f"== {target.name}: migrating a template database")
            target.prepare()
            try:
                for script in scripts:
                    name = script.stem.removeprefix("bench_")
                    print(f"== {target.name}: {script.name}", flush=True)
                    with target.database(name) as env:
                        found, code, seconds = run_script(script, env)
                    print(f"   {len(found)} result(s) in {seconds:.1f} s, exit {code}")
                    if code != 0:
                        failures.append(f"{target.name} {script.name} exited {code}")
                    if code == 0 and not found:
                        failures.append(f"{target.name} {script.name} printed no JSON result")
                    for record in found:
                        record = {"date": today, "db": target.name, "script": name, **record}
                        records.append(record)
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    out.flush()
            finally:
                target.finish()

    print()
    if records:
        print(table(records))
    print(f"\nResults: {out_path}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
