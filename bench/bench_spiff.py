"""SpiffWorkflow 3.x and Liên Thông's engine side by side on the same 5-step approval.

The issue's yardstick: workflow transitions through our service layer (each durable, with its
audit entry and outbox event) at least as many per second as SpiffWorkflow 3.x executing the
same approval and persisting its state to SQLite in WAL mode after every step. This script

1. makes its own virtual environment `bench/.venv-spiff` (git-ignored) and installs
   `SpiffWorkflow>=3,<4` there with pip (the first run needs PyPI; later runs reuse it);
2. runs `spiff_runner.py` there: the approval of `spiff_approval.bpmn`, the serialized
   workflow written to an SQLite file (WAL) after the start and after each of the 5 steps, one
   committed transaction each — 6 durable writes per case, the same count as our start plus
   5 forwards (`bench_workflow.Fixture`);
3. alternates rounds of the two on this machine at the same time (a shared machine's load
   then weighs on both alike), and reports each one's best and median round.

Spiff runs in two modes: `memory` (the workflow object stays in memory between steps — its
most favourable case) and `reload` (each step reads the state back and deserializes it, as a
server handling one step per request must; our engine re-reads the case on every move too).
Its SQLite file uses the same pragmas as ours (`journal_mode=WAL`, `synchronous=NORMAL`), and
once more with SQLite's default `synchronous=FULL`, the setting of the issue's reference
figure (about 1,600 steps/s).

Run by `make bench` on a fresh migrated database, or by hand:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \
        .venv/bin/python bench/bench_spiff.py [--cases 300] [--rounds 3]

Prints JSON lines `spiff.approval_memory`, `spiff.approval_reload`,
`spiff.approval_memory_full`, `workflow.approval_side_by_side` and `workflow.vs_spiff` (our
best round over Spiff's best, per mode).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
VENV = BENCH_DIR / ".venv-spiff"
REQUIREMENT = "SpiffWorkflow>=3,<4"


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def note(text: str) -> None:
    print(f"bench_spiff: {text}", file=sys.stderr, flush=True)


def venv_python() -> Path:
    """The virtual environment's Python, with SpiffWorkflow 3.x installed (made if missing)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        note(f"creating {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; print(m.version('SpiffWorkflow'))",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0 or not probe.stdout.startswith("3."):
        note(f"installing {REQUIREMENT} into {VENV}")
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", REQUIREMENT],
            check=True,
        )
    return python


def run_spiff(python: Path, cases: int, synchronous: str, modes: str) -> list[dict[str, Any]]:
    """One round of the Spiff side, in its own interpreter; its JSON lines."""
    data_dir = os.environ.get("LIENTHONG_DATA_DIR")  # the same disk as our database
    command = [
        str(python),
        str(BENCH_DIR / "spiff_runner.py"),
        "--cases",
        str(cases),
        "--modes",
        modes,
        "--synchronous",
        synchronous,
    ]
    if data_dir:
        command += ["--dir", data_dir]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def best_and_median(name: str, rates: list[float], **extra: Any) -> dict[str, Any]:
    return {
        "bench": name,
        "rounds": len(rates),
        "per_second": round(max(rates), 1),
        "per_second_median": round(statistics.median(rates), 1),
        **extra,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    try:
        python = venv_python()
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"bench_spiff: cannot set up SpiffWorkflow in {VENV}: {exc}", file=sys.stderr)
        return 1

    sys.path.insert(0, str(BENCH_DIR))
    import bench_workflow

    bench_workflow.setup_django()
    from django.db import connection

    from lienthong.workflow.models import Case

    if Case.objects.exists():
        print("bench_spiff: the database is not empty; use a scratch one", file=sys.stderr)
        return 2
    fixture = bench_workflow.Fixture.build()
    fixture.one_case("warm")
    per_case = bench_workflow.TRANSITIONS_PER_CASE

    spiff: dict[str, list[float]] = {"memory": [], "reload": []}
    spiff_cpu: dict[str, list[float]] = {"memory": [], "reload": []}
    ours: list[float] = []
    ours_cpu: list[float] = []
    version = ""
    for n in range(args.rounds):
        # Alternate which side goes first, so a burst of load elsewhere does not favour one.
        sides = ["spiff", "ours"] if n % 2 == 0 else ["ours", "spiff"]
        for side in sides:
            if side == "spiff":
                for line in run_spiff(python, args.cases, "NORMAL", "memory,reload"):
                    mode = line["bench"].removeprefix("spiff.approval_")
                    spiff[mode].append(line["steps_per_second"])
                    spiff_cpu[mode].append(line["steps"] / line["cpu_seconds"])
                    version = line["spiffworkflow"]
            else:
                wall, cpu = fixture.run(args.cases, f"r{n}-")
                ours.append(args.cases * per_case / wall)
                ours_cpu.append(args.cases * per_case / cpu)
    full = [
        line["steps_per_second"]
        for _round in range(args.rounds)
        for line in run_spiff(python, args.cases, "FULL", "memory")
    ]
    connection.close()

    common = {"cases": args.cases, "steps_per_case": per_case, "store": "sqlite-wal"}
    for mode in ("memory", "reload"):
        emit(
            best_and_median(
                f"spiff.approval_{mode}",
                spiff[mode],
                spiffworkflow=version,
                synchronous="NORMAL",
                per_cpu_second=round(max(spiff_cpu[mode]), 1),
                **common,
            )
        )
    emit(
        best_and_median(
            "spiff.approval_memory_full",
            full,
            spiffworkflow=version,
            synchronous="FULL",
            **common,
        )
    )
    emit(
        best_and_median(
            "workflow.approval_side_by_side",
            ours,
            per_cpu_second=round(max(ours_cpu), 1),
            cases=args.cases,
            steps_per_case=per_case,
        )
    )
    emit(
        {
            "bench": "workflow.vs_spiff",
            "vs_memory": round(max(ours) / max(spiff["memory"]), 2),
            "vs_reload": round(max(ours) / max(spiff["reload"]), 2),
            "vs_memory_full": round(max(ours) / max(full), 2),
            "cpu_vs_memory": round(max(ours_cpu) / max(spiff_cpu["memory"]), 2),
            "cpu_vs_reload": round(max(ours_cpu) / max(spiff_cpu["reload"]), 2),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
