"""Benchmark of the workflow engine: transitions per second through the service layer.

The same 5-step sequential approval as `bench_spiff.py` runs in SpiffWorkflow 3.x
(`spiff_approval.bpmn`: reception, examination, division head, agency leader, result): each
case is started and forwarded five times until it finishes — 6 transitions, each its own
committed transaction with its row lock, task rows, `CaseTransition`, hash-chained audit entry
and outbox event, exactly as a request makes them.

Run by `make bench` on a fresh migrated database, or by hand on a scratch one:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \
        .venv/bin/python bench/bench_workflow.py [--cases 300] [--rounds 3] [--threads 2]

Prints JSON lines: `workflow.queries` (SQL statements per kind of transition, BEGIN and
COMMIT included), `workflow.approval` (one writer: the best and median of `--rounds` rounds,
wall clock and CPU time of this process) and `workflow.approval_threads` (several writers on
their own connections). `bench_spiff.py` imports `Fixture` to run the two side by side.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

STEPS = 5
#: Start plus one forward per step (the last one finishes the case).
TRANSITIONS_PER_CASE = STEPS + 1


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def setup_django() -> None:
    """Configure Django for a script run from the project root."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()


@dataclass
class Fixture:
    """An agency, its division, the four officials of the approval and its process."""

    agency: Any
    holders: list[Any]
    template: Any
    subjects: Any

    @classmethod
    def build(cls) -> Fixture:
        """Create the rows through the models (they are set-up, not what is measured)."""
        from decimal import Decimal

        from lienthong.accounts.models import Role, RoleAssignment, User
        from lienthong.core.models import OrgUnit
        from lienthong.workflow.models import ProcessStep, ProcessTemplate

        agency = OrgUnit.objects.create(
            name="Sở Tư pháp (bench)",
            kind=OrgUnit.Kind.DEPARTMENT,
            is_agency=True,
            code="000.00.99.H99",
            code_is_demo=True,
        )
        division = OrgUnit.objects.create(
            name="Phòng Hành chính - Tư pháp (bench)", kind=OrgUnit.Kind.DIVISION, parent=agency
        )

        def official(username: str, role: str, unit: OrgUnit) -> User:
            user = User.objects.create_user(
                username=username, kind=User.Kind.OFFICIAL, org_unit=unit, full_name=username
            )
            RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
            return user

        officer = official("bench-motcua", Role.ONESTOP_OFFICER, agency)
        specialist = official("bench-chuyenvien", Role.SPECIALIST, division)
        head = official("bench-truongphong", Role.LEADER, division)
        director = official("bench-lanhdao", Role.LEADER, agency)
        template = ProcessTemplate.objects.create(
            code="bench-approval", name="Phê duyệt 5 bước (bench)", module="bench"
        )
        steps = [
            ("Tiếp nhận", Role.ONESTOP_OFFICER, None, "10"),
            ("Thẩm định", Role.SPECIALIST, division, "40"),
            ("Trưởng phòng xem xét", Role.LEADER, division, "20"),
            ("Lãnh đạo phê duyệt", Role.LEADER, None, "20"),
            ("Trả kết quả", Role.ONESTOP_OFFICER, None, "10"),
        ]
        for order, (name, role, unit, share) in enumerate(steps, start=1):
            ProcessStep.objects.create(
                template=template,
                order=order,
                name=name,
                role=role,
                org_unit=unit,
                time_share=Decimal(share),
            )
        return cls(
            agency=agency,
            holders=[officer, specialist, head, director, officer],
            template=template,
            subjects=itertools.count(1_000_000),
        )

    def one_case(self, tag: str) -> None:
        """Start a case and forward it to the end, as six requests would."""
        from django.utils import timezone

        from lienthong.core import calendar
        from lienthong.core.context import acting
        from lienthong.core.models import OrgUnit
        from lienthong.workflow import engine
        from lienthong.workflow.models import Case

        # The subject is a stand-in: the row a case is about (a dossier, a document) is the
        # domain app's own write, not the engine's.
        subject = OrgUnit(pk=next(self.subjects))
        officer = self.holders[0]
        due = calendar.add_working_hours(timezone.now(), 40)
        with acting(request_id=f"{tag}-s", ip="203.0.113.7", user=officer):
            case = engine.start_case(
                template=self.template,
                subject=subject,
                agency=self.agency,
                title=f"Hồ sơ {subject.pk}",
                due_at=due,
                by=officer,
            )
        for step, holder in enumerate(self.holders):
            with acting(request_id=f"{tag}-{step}", ip="203.0.113.7", user=holder):
                case = engine.forward(case=case, by=holder, note="Đồng ý.")
        if case.status != Case.Status.FINISHED:
            raise SystemExit(f"bench_workflow: case {case.pk} did not finish: {case.status}")

    def run(self, cases: int, tag: str) -> tuple[float, float]:
        """Run `cases` approvals one after another; (wall seconds, CPU seconds)."""
        started, cpu = time.perf_counter(), time.process_time()
        for n in range(cases):
            self.one_case(f"{tag}{n}")
        return time.perf_counter() - started, time.process_time() - cpu

    def count_queries(self) -> dict[str, int]:
        """SQL statements per transition of one case, BEGIN and COMMIT included."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from lienthong.core import calendar
        from lienthong.core.models import OrgUnit
        from lienthong.workflow import engine

        counts: dict[str, int] = {}
        with CaptureQueriesContext(connection) as start:
            case = engine.start_case(
                template=self.template,
                subject=OrgUnit(pk=next(self.subjects)),
                agency=self.agency,
                title="Đếm truy vấn",
                due_at=calendar.add_working_hours(timezone.now(), 40),
                by=self.holders[0],
            )
        counts["start"] = len(start.captured_queries)
        for step, holder in enumerate(self.holders):
            with CaptureQueriesContext(connection) as moved:
                case = engine.forward(case=case, by=holder)
            counts["finish" if step == STEPS - 1 else f"forward_{step + 1}"] = len(
                moved.captured_queries
            )
        return counts


def summary(name: str, cases: int, rounds: list[tuple[float, float]]) -> dict[str, Any]:
    """The JSON line of a measurement over several rounds of `cases` cases."""
    transitions = cases * TRANSITIONS_PER_CASE
    walls = [transitions / wall for wall, _cpu in rounds]
    cpus = [transitions / cpu for _wall, cpu in rounds if cpu > 0]
    return {
        "bench": name,
        "cases": cases,
        "rounds": len(rounds),
        "transitions_per_round": transitions,
        "per_second": round(max(walls), 1),
        "per_second_median": round(statistics.median(walls), 1),
        "per_cpu_second": round(max(cpus), 1) if cpus else None,
        "ms_per_transition": round(1000 / max(walls), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection

    from lienthong.core.models import AuditEntry
    from lienthong.exchange.models import OutboxEvent
    from lienthong.workflow.models import Case, CaseTransition

    if Case.objects.exists() or AuditEntry.objects.exists():
        print("bench_workflow: the database is not empty; use a scratch one", file=sys.stderr)
        return 2

    fixture = Fixture.build()
    fixture.one_case("warm")  # imports, the calendar, content types, the steps
    emit({"bench": "workflow.queries", **fixture.count_queries()})
    rounds = [fixture.run(args.cases, f"r{n}-") for n in range(args.rounds)]
    emit(summary("workflow.approval", args.cases, rounds))

    errors: list[BaseException] = []
    per_thread = max(1, args.cases // args.threads)

    def worker(tag: str) -> None:
        try:
            fixture.run(per_thread, tag)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"t{n}-",)) for n in range(args.threads)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        print(f"bench_workflow: a writer failed: {errors[0]!r}", file=sys.stderr)
        return 1
    total = per_thread * args.threads * TRANSITIONS_PER_CASE
    emit(
        {
            "bench": "workflow.approval_threads",
            "threads": args.threads,
            "transitions": total,
            "seconds": round(seconds, 3),
            "per_second": round(total / seconds, 1),
        }
    )

    # Every transition left its three records: a CaseTransition, an audit entry, an event.
    cases = 2 + args.cases * args.rounds + per_thread * args.threads
    expected = cases * TRANSITIONS_PER_CASE
    found = {
        "transitions": CaseTransition.objects.count(),
        "audit": AuditEntry.objects.filter(action__startswith="workflow.case.").count(),
        "events": OutboxEvent.objects.filter(type__startswith="workflow.case.").count(),
    }
    if set(found.values()) != {expected}:
        print(f"bench_workflow: expected {expected} of each, found {found}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
