"""The SpiffWorkflow side of `bench_spiff.py`; runs inside bench/.venv-spiff, not in Liên Thông.

Executes the 5-step sequential approval of `spiff_approval.bpmn` for `--cases` cases, one after
another, and persists each workflow's serialized state (`BpmnWorkflowSerializer.serialize_json`)
to an SQLite database in WAL mode after every step, one committed transaction per step:

- the start (the workflow created and run to its first user task): INSERT of the state;
- each of the 5 user tasks completed (and the engine run to the next one): UPDATE of the state.

That is 6 durable writes per case, the same count as Liên Thông's start + 5 forwards. Two modes:

- `memory`: the workflow object stays in memory between steps (Spiff's most favourable case);
- `reload`: each step first reads the state back and deserializes it, as a web request that
  handles one step of a stored workflow must.

Prints one JSON line per mode. Standard library + SpiffWorkflow only.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

STEPS = 5
HERE = Path(__file__).resolve().parent


def connect(path: Path, synchronous: str) -> sqlite3.Connection:
    """An SQLite connection in WAL mode with the same pragmas as Liên Thông's own."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute(
        "CREATE TABLE IF NOT EXISTS workflow ("
        " id INTEGER PRIMARY KEY, state TEXT NOT NULL, completed INTEGER NOT NULL DEFAULT 0,"
        " updated_at REAL NOT NULL)"
    )
    return db


def save(db: sqlite3.Connection, case_id: int | None, state: str, completed: bool) -> int:
    """Write one workflow state in its own transaction; returns the row id."""
    db.execute("BEGIN IMMEDIATE")
    if case_id is None:
        cursor = db.execute(
            "INSERT INTO workflow (state, completed, updated_at) VALUES (?, ?, ?)",
            (state, int(completed), time.time()),
        )
        case_id = int(cursor.lastrowid or 0)
    else:
        db.execute(
            "UPDATE workflow SET state = ?, completed = ?, updated_at = ? WHERE id = ?",
            (state, int(completed), time.time(), case_id),
        )
    db.execute("COMMIT")
    return case_id


def load(db: sqlite3.Connection, serializer: BpmnWorkflowSerializer, case_id: int) -> BpmnWorkflow:
    """Read a stored workflow back."""
    (state,) = db.execute("SELECT state FROM workflow WHERE id = ?", (case_id,)).fetchone()
    return serializer.deserialize_json(state)


def run(mode: str, cases: int, db: sqlite3.Connection, spec: object) -> dict[str, object]:
    """Run `cases` approvals end to end; returns the measurement."""
    serializer = BpmnWorkflowSerializer()
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(cases):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        case_id = save(db, None, serializer.serialize_json(workflow), False)
        for step in range(STEPS):
            if mode == "reload":
                workflow = load(db, serializer, case_id)
            (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
            task.data["by"] = f"official-{step}"
            task.data["note"] = f"case {n} step {step}"
            task.run()
            workflow.do_engine_steps()
            save(db, case_id, serializer.serialize_json(workflow), workflow.is_completed())
        if not workflow.is_completed():
            raise SystemExit(f"case {n} did not complete after {STEPS} steps")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    writes = cases * (STEPS + 1)
    return {
        "bench": f"spiff.approval_{mode}",
        "spiffworkflow": version("SpiffWorkflow"),
        "store": "sqlite-wal",
        "cases": cases,
        "steps": writes,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "cases_per_second": round(cases / seconds, 1),
        "steps_per_second": round(writes / seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SpiffWorkflow 5-step approval benchmark")
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--modes", default="memory,reload")
    parser.add_argument("--synchronous", default="NORMAL", choices=["OFF", "NORMAL", "FULL"])
    parser.add_argument("--dir", default=None, help="where to put the SQLite file")
    args = parser.parse_args(argv)

    bpmn = BpmnParser()
    bpmn.add_bpmn_file(str(HERE / "spiff_approval.bpmn"))
    spec = bpmn.get_spec("approval")
    with tempfile.TemporaryDirectory(prefix="bench-spiff-", dir=args.dir) as tmp:
        db = connect(Path(tmp) / "spiff.sqlite3", args.synchronous)
        # One untimed case first, so imports and first-use caches are not measured.
        run("memory", 1, db, spec)
        for mode in args.modes.split(","):
            result = run(mode, args.cases, db, spec)
            result["synchronous"] = args.synchronous
            print(json.dumps(result), flush=True)
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
