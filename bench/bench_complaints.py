"""Benchmark of complaints and denunciations (issue 8): filing, the officials' case list, the
statistics report and the public lookup.

Sets up a provincial inspectorate (a province unit with four resolving agencies under it, a
leader and a specialist each, a leader at the province who sees them all, and a citizen),
then:

- `complaints.file_case`: files `--sample` cases (default 500) through the service
  `complaints.services.file_case` — reception desk, post and online, the three kinds — each
  with its counter row, intake task, history row, audit entry and outbox event: the
  throughput of the real write path;
- `complaints.seed`: inserts the rest of the `--cases` (default 20,000) in bulk, spread over
  the year before today with a realistic mix of statuses (received, accepted, verifying,
  reported, concluded on time or late with an outcome, refused, forwarded), each with its
  "received" history row;
- `complaints.case_list`: p50/p95 of the first page of the officials' case list as the page
  builds it (`Complaint.objects.visible_to(user)`, newest first, 50 rows with the filer as
  the user may see them) and as GET /api/complaints/cases builds it (100 rows through
  `api.case_out`), without a filter, by kind, by status, by both; for an agency's leader
  (a quarter of the cases) and for the province's leader (all of them);
- `complaints.stats`: p50/p95 of `selectors.report` — the selector behind /khieu-nai/thong-ke/
  and its XLSX — over the whole year (all N cases), as the province's leader, grouped by
  kind, field, agency and outcome; `complaints.stats_xlsx` adds `selectors.render_xlsx`;
- `complaints.lookup`: p50/p95 of `selectors.public_lookup` (GET /api/complaints/lookup/{code}
  and /khieu-nai/tra-cuu/) with random existing codes.

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=var/bench-complaints \\
        [DATABASE_URL=postgresql://…] .venv/bin/python bench/bench_complaints.py \\
        [--cases 20000] [--sample 500] [--queries 50] [--lookups 500]

`LIENTHONG_BENCH_COMPLAINTS_CASES` sets --cases when it is not given (`bench/run.py` passes
no arguments). Exits 1 when a list or report disagrees with a direct count. Timings are not
asserted.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_submit import emit, note, percentile, setup_django

BATCH = 2000
PAGE = 50
API_PAGE = 100


def timings(call: Callable[[], object], repeat: int) -> dict[str, float]:
    """p50/p95/max in milliseconds of `repeat` calls (after one warm-up call)."""
    call()
    spent = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        spent.append((time.perf_counter() - began) * 1000)
    return {
        "p50_ms": round(percentile(spent, 50), 2),
        "p95_ms": round(percentile(spent, 95), 2),
        "max_ms": round(max(spent), 2),
    }


def set_up() -> dict[str, Any]:
    """The province, its four agencies and their officials, and a citizen."""
    from lienthong.accounts.models import Role
    from lienthong.core.models import OrgUnit
    from lienthong.core.testing import make_org_unit, make_user

    province = make_org_unit(
        "Thanh tra tỉnh (thử hiệu năng)", kind=OrgUnit.Kind.PEOPLES_COMMITTEE, is_agency=False
    )
    agencies = [make_org_unit(f"Cơ quan giải quyết thử {n + 1}", parent=province) for n in range(4)]
    return {
        "agencies": agencies,
        "leaders": [
            make_user(f"bench.lanhdao{n}", roles=[(Role.LEADER, agency)])
            for n, agency in enumerate(agencies)
        ],
        "specialists": [
            make_user(f"bench.chuyenvien{n}", roles=[(Role.SPECIALIST, agency)])
            for n, agency in enumerate(agencies)
        ],
        "province_leader": make_user("bench.lanhdao.tinh", roles=[(Role.LEADER, province)]),
        "citizen": make_user("bench.congdan", full_name="Đỗ Thị Hoa", personal_id="001085000001"),
    }


def file_through_service(people: dict[str, Any], count: int) -> list[str]:
    """`count` cases filed today through `services.file_case`; their codes."""
    from django.utils import timezone

    from lienthong.complaints import services
    from lienthong.complaints.models import Channel, Field, Kind

    kinds = [Kind.DENUNCIATION, Kind.COMPLAINT, Kind.PETITION]
    fields = list(Field.values)
    codes = []
    today = timezone.localdate()
    for n in range(count):
        agency = people["agencies"][n % 4]
        online = n % 3 == 0
        kind = kinds[n % 3]
        complaint = services.file_case(
            kind=kind,
            agency=agency,
            field=fields[n % len(fields)],
            channel=Channel.ONLINE
            if online
            else (Channel.RECEPTION if n % 3 == 1 else Channel.POST),
            filer=services.Filer(
                name="Đỗ Thị Hoa",
                address="12 Lê Lợi, phường Bến Thành",
                personal_id="001085000001",
                phone="0912345678",
            ),
            subject=f"Đơn thử hiệu năng số {n}",
            content="Nội dung đơn thử hiệu năng.",
            respondent="Ông Nguyễn Văn X",
            known_on=today - datetime.timedelta(days=5) if kind == Kind.COMPLAINT else None,
            by=people["citizen"] if online else people["specialists"][n % 4],
        )
        codes.append(complaint.code)
    return codes


def seed_bulk(people: dict[str, Any], count: int) -> list[str]:
    """`count` cases of the year before today, in bulk, with their history rows; their codes."""
    from django.db import transaction
    from django.utils import timezone

    from lienthong.complaints.models import (
        KIND_CODES,
        Channel,
        Complaint,
        ComplaintCounter,
        Field,
        History,
        Kind,
        Outcome,
        Status,
    )
    from lienthong.core.calendar import VN_TZ

    rng = random.Random(8)
    today = timezone.localdate()
    kinds = [Kind.COMPLAINT] * 45 + [Kind.DENUNCIATION] * 30 + [Kind.PETITION] * 25
    statuses = (
        [Status.RECEIVED] * 5
        + [Status.ACCEPTED] * 5
        + [Status.VERIFYING] * 15
        + [Status.REPORTED] * 5
        + [Status.CONCLUDED] * 55
        + [Status.REFUSED] * 10
        + [Status.FORWARDED] * 5
    )
    outcomes = {
        Kind.COMPLAINT: [Outcome.RIGHT, Outcome.WRONG, Outcome.PARTLY],
        Kind.DENUNCIATION: [Outcome.RIGHT, Outcome.WRONG, Outcome.PARTLY],
        Kind.PETITION: [Outcome.ANSWERED],
    }
    fields = list(Field.values)
    channels = [Channel.RECEPTION, Channel.POST, Channel.ONLINE]
    counters: Counter[tuple[int, datetime.date, str]] = Counter()
    codes: list[str] = []

    def next_code(agency: Any, day: datetime.date, letters: str) -> str:
        counters[(agency.pk, day, letters)] += 1
        return f"{agency.code}-{letters}-{day:%y%m%d}-{counters[(agency.pk, day, letters)]:04d}"

    with transaction.atomic():
        for first in range(0, count, BATCH):
            rows = []
            for n in range(first, min(count, first + BATCH)):
                agency = people["agencies"][n % 4]
                kind = kinds[rng.randrange(len(kinds))]
                day = today - datetime.timedelta(days=1 + rng.randrange(365))
                at = datetime.datetime(day.year, day.month, day.day, 8, tzinfo=VN_TZ)
                at += datetime.timedelta(minutes=rng.randrange(540))
                letters = KIND_CODES[Kind(kind)]
                code = next_code(agency, day, letters)
                status = statuses[rng.randrange(len(statuses))]
                if status in (Status.RECEIVED, Status.ACCEPTED, Status.VERIFYING, Status.REPORTED):
                    # open cases are the recent ones
                    day = today - datetime.timedelta(days=1 + rng.randrange(40))
                    at = datetime.datetime(day.year, day.month, day.day, 9, tzinfo=VN_TZ)
                    code = next_code(agency, day, letters)
                accepted = status not in (Status.RECEIVED, Status.REFUSED, Status.FORWARDED)
                due = day + datetime.timedelta(days=40)
                concluded_at = None
                if status == Status.CONCLUDED:
                    concluded_at = at + datetime.timedelta(days=rng.choice([20, 30, 38, 50]))
                online = channels[n % 3] == Channel.ONLINE
                rows.append(
                    Complaint(
                        code=code,
                        kind=kind,
                        agency=agency,
                        field=fields[rng.randrange(len(fields))],
                        channel=channels[n % 3],
                        filer_user=people["citizen"] if online else None,
                        filer_name="Đỗ Thị Hoa",
                        filer_personal_id="001085000001",
                        filer_address="12 Lê Lợi, phường Bến Thành",
                        respondent="Ông Nguyễn Văn X",
                        subject=f"Đơn số {n}",
                        content="Nội dung đơn.",
                        known_on=day - datetime.timedelta(days=5)
                        if kind == Kind.COMPLAINT
                        else None,
                        status=status,
                        received_at=at,
                        accept_due_date=day + datetime.timedelta(days=10),
                        accepted_at=at + datetime.timedelta(days=5) if accepted else None,
                        due_date=due if accepted else None,
                        original_due_date=due if accepted else None,
                        handler=people["specialists"][n % 4]
                        if status in (Status.VERIFYING, Status.REPORTED, Status.CONCLUDED)
                        else None,
                        outcome=rng.choice(outcomes[Kind(kind)])
                        if status == Status.CONCLUDED
                        else "",
                        conclusion="Kết luận." if status == Status.CONCLUDED else "",
                        conclusion_number=f"{n}/KL" if status == Status.CONCLUDED else "",
                        concluded_at=concluded_at,
                        closing_reason="Không thuộc thẩm quyền."
                        if status in (Status.REFUSED, Status.FORWARDED)
                        else "",
                    )
                )
                codes.append(code)
            created = Complaint.objects.bulk_create(rows)
            if not all(row.pk for row in created):  # SQLite < 3.35 gives no ids back
                ids = dict(
                    Complaint.objects.filter(code__in=[r.code for r in created]).values_list(
                        "code", "pk"
                    )
                )
                for row in created:
                    row.pk = ids[row.code]
            History.objects.bulk_create(
                History(
                    complaint=row,
                    at=row.received_at,
                    action="file",
                    status=Status.RECEIVED,
                    public_note="Đơn đã được tiếp nhận.",
                )
                for row in created
            )
        ComplaintCounter.objects.bulk_create(
            ComplaintCounter(agency_id=agency_id, day=day, kind_code=letters, last_value=value)
            for (agency_id, day, letters), value in counters.items()
        )
    return codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--cases", type=int, default=int(os.environ.get("LIENTHONG_BENCH_COMPLAINTS_CASES", 20000))
    )
    parser.add_argument("--sample", type=int, default=500, help="cases filed via the service")
    parser.add_argument("--queries", type=int, default=50, help="repeats per list/report case")
    parser.add_argument("--lookups", type=int, default=500)
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection
    from django.utils import timezone

    from lienthong.complaints import selectors
    from lienthong.complaints.api import case_out
    from lienthong.complaints.models import Complaint, Kind, Status
    from lienthong.core.context import acting

    vendor = connection.vendor
    people = set_up()
    sample = min(args.sample, args.cases)
    note(f"bench_complaints: {sample} cases through services.file_case …")
    began = time.perf_counter()
    with acting(via="bench_complaints"):
        codes = file_through_service(people, sample)
    spent = time.perf_counter() - began
    emit(
        {
            "bench": "complaints.file_case",
            "database": vendor,
            "n": sample,
            "seconds": round(spent, 2),
            "per_second": round(sample / spent, 1),
            "ms_per_case": round(spent / sample * 1000, 2),
        }
    )
    rest = args.cases - sample
    note(f"bench_complaints: {rest} cases in bulk …")
    began = time.perf_counter()
    codes += seed_bulk(people, rest)
    emit(
        {
            "bench": "complaints.seed",
            "database": vendor,
            "n": rest,
            "seconds": round(time.perf_counter() - began, 2),
        }
    )
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE complaints_complaint")
            cursor.execute("ANALYZE complaints_history")

    failed = False
    filters: dict[str, dict[str, str]] = {
        "none": {},
        "kind": {"kind": Kind.DENUNCIATION},
        "status": {"status": Status.VERIFYING},
        "kind_status": {"kind": Kind.COMPLAINT, "status": Status.CONCLUDED},
    }
    viewers = {"agency_leader": people["leaders"][0], "province_leader": people["province_leader"]}
    for viewer, user in viewers.items():
        visible = Complaint.objects.visible_to(user)
        for name, lookup in filters.items():

            def page(user: Any = user, lookup: dict[str, str] = lookup) -> list[Any]:
                cases = (
                    Complaint.objects.visible_to(user)
                    .select_related("agency", "handler")
                    .filter(**lookup)
                )
                return [(case, case.filer_for(user)) for case in cases[:PAGE]]

            def api(user: Any = user, lookup: dict[str, str] = lookup) -> list[Any]:
                cases = Complaint.objects.visible_to(user).select_related("agency").filter(**lookup)
                return [case_out(case, user) for case in cases[:API_PAGE]]

            expected = min(PAGE, visible.filter(**lookup).count())
            if len(page()) != expected:
                note(
                    f"bench_complaints: {viewer}/{name} page has {len(page())} rows, not {expected}"
                )
                failed = True
            for what, call, rows in (("page", page, PAGE), ("api", api, API_PAGE)):
                emit(
                    {
                        "bench": "complaints.case_list",
                        "database": vendor,
                        "cases": args.cases,
                        "viewer": viewer,
                        "visible": visible.count(),
                        "via": what,
                        "filter": name,
                        "rows": rows,
                        "n": args.queries,
                        **timings(call, args.queries),
                    }
                )

    province = people["province_leader"]
    end = timezone.localdate()
    start = end - datetime.timedelta(days=366)
    total = Complaint.objects.visible_to(province).received_between(start, end).count()
    for by in selectors.GROUPS:

        def report(by: str = by) -> Any:
            return selectors.report(
                Complaint.objects.visible_to(province), start=start, end=end, by=by
            )

        result = report()
        if result.total.counts["received"] != total or total != args.cases:
            note(f"bench_complaints: report by {by} counts {result.total.counts['received']}")
            failed = True
        emit(
            {
                "bench": "complaints.stats",
                "database": vendor,
                "cases": total,
                "by": by,
                "rows": len(result.rows),
                "n": max(5, args.queries // 5),
                **timings(report, max(5, args.queries // 5)),
            }
        )
    emit(
        {
            "bench": "complaints.stats_xlsx",
            "database": vendor,
            "cases": total,
            "by": "field",
            "n": max(5, args.queries // 5),
            **timings(
                lambda: selectors.render_xlsx(
                    selectors.report(
                        Complaint.objects.visible_to(province), start=start, end=end, by="field"
                    )
                ),
                max(5, args.queries // 5),
            ),
        }
    )

    rng = random.Random(9)
    picks = [rng.choice(codes) for _ in range(args.lookups + 1)]
    it = iter(picks)
    if any(selectors.public_lookup(code) is None for code in picks[:20]):
        note("bench_complaints: a lookup found nothing")
        failed = True
    emit(
        {
            "bench": "complaints.lookup",
            "database": vendor,
            "cases": args.cases,
            "n": args.lookups,
            **timings(lambda: selectors.public_lookup(next(it)), args.lookups),
        }
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
