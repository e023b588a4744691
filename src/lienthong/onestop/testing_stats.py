"""Dossiers for the statistics tests and the II.06a benchmark, written straight to the table.

The intake and processing areas own the transitions; statistics only read what those leave
on a dossier. These helpers write rows the way the services would leave them, so the report
can be tested and measured without running the services:

- `received_at`: when the one-stop desk accepted the dossier (null while only submitted);
- `processed_at`: when processing ended — settled (status 9, kept at 10), stopped (8) or
  withdrawn (7); null while the dossier is in progress;
- `due_date`: the appointed return date (calendar kernel, working days after receipt);
- `timeliness`: set when settled — the local date of `processed_at` before / on / after
  `due_date` is early / on time / late (DOMAIN.md);
- `late_unit`: the unit that wrote the apology letter, when one was written.

`make_stats_dossier` builds one such row for a test; `build_world`, `generate_rows` and
`load_rows` build millions for the benchmark (COPY on PostgreSQL, `executemany` on SQLite).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction

from lienthong.core.calendar import VN_TZ, get_calendar, local_date
from lienthong.core.models import OrgUnit
from lienthong.onestop.models import (
    Channel,
    Dossier,
    DossierStatus,
    Field,
    Procedure,
    Timeliness,
)

_seq = itertools.count(1)

#: In-progress statuses: received, not yet at the end of processing.
IN_PROGRESS = (
    DossierStatus.ACCEPTED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.FINANCIAL_OBLIGATION,
)


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in Vietnam time (Asia/Ho_Chi_Minh)."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def classify(processed_at: datetime, due_date: date) -> str:
    """Early / on time / late: the local day processing ended against the appointed date."""
    day = local_date(processed_at)
    if day < due_date:
        return Timeliness.EARLY
    if day == due_date:
        return Timeliness.ON_TIME
    return Timeliness.LATE


def make_field(name: str | None = None) -> Field:
    """A field of procedures (lĩnh vực) with a unique code."""
    n = next(_seq)
    name = name or f"Lĩnh vực thống kê {n}"
    return Field.objects.create(code=f"stats-field-{n}", name=name)


def make_procedure(field: Field, *, time_limit_days: int = 5) -> Procedure:
    """A procedure of `field` with a time limit in working days."""
    n = next(_seq)
    return Procedure.objects.create(
        code=f"9.{n:06d}.000.00.00.H99",
        name=f"Thủ tục thống kê {n}",
        field=field,
        time_limit_value=time_limit_days,
        time_limit_unit="working_days",
    )


def make_stats_dossier(
    *,
    agency: OrgUnit,
    field: Field,
    received_at: datetime | None,
    channel: str = Channel.COUNTER,
    status: int | None = None,
    processed_at: datetime | None = None,
    due_date: date | None = None,
    timeliness: str | None = None,
    late_unit: OrgUnit | None = None,
    procedure: Procedure | None = None,
) -> Dossier:
    """One dossier as the services would have left it.

    Without `status`: returned (10) when `processed_at` is given, else processing (4).
    Without `due_date`: five working days after receipt. Without `timeliness`: derived from
    `processed_at` and `due_date` for settled dossiers (9, 10), blank otherwise.
    """
    if status is None:
        status = DossierStatus.RETURNED if processed_at else DossierStatus.PROCESSING
    if due_date is None and received_at is not None:
        due_date = get_calendar().add_working_days(received_at, 5)
    if timeliness is None:
        settled = status in (DossierStatus.PROCESSED, DossierStatus.RETURNED)
        timeliness = (
            classify(processed_at, due_date) if settled and processed_at and due_date else ""
        )
    n = next(_seq)
    return Dossier.objects.create(
        code=f"{agency.code or 'X'}-{n:08d}",
        procedure=procedure
        or Procedure.objects.filter(field=field).first()
        or make_procedure(field),
        agency=agency,
        field=field,
        channel=channel,
        status=status,
        applicant_name="Nguyễn Văn Thống Kê",
        submitted_at=received_at or local(2020, 1, 1),
        received_at=received_at,
        due_date=due_date,
        original_due_date=due_date,
        processed_at=processed_at,
        returned_at=processed_at if status == DossierStatus.RETURNED else None,
        timeliness=timeliness,
        late_unit=late_unit,
    )


# --- Bulk data for the benchmark -----------------------------------------------------------

#: Columns written by `generate_rows`, in order.
COLUMNS = (
    "code",
    "procedure_id",
    "agency_id",
    "field_id",
    "channel",
    "status",
    "applicant_kind",
    "applicant_name",
    "applicant_personal_id",
    "applicant_tax_code",
    "applicant_address",
    "applicant_phone",
    "applicant_email",
    "form_data",
    "submitted_at",
    "received_at",
    "due_date",
    "original_due_date",
    "processed_at",
    "returned_at",
    "timeliness",
    "late_unit_id",
    "refusal_reason",
)

TIME_LIMITS = (1, 2, 3, 5, 5, 7, 10, 10, 15, 20, 30)
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")
_UTC_OFFSET = timedelta(hours=7)  # Vietnam has kept UTC+7 without daylight saving since 1975


@dataclass(frozen=True)
class World:
    """Agencies, fields and procedures the generated dossiers refer to."""

    agencies: list[OrgUnit]
    fields: list[Field]
    procedures: list[tuple[int, int, int]]  # (procedure id, field id, time limit in days)


def build_world(
    n_agencies: int = 30, n_fields: int = 30, procedures_per_field: int = 3, seed: int = 766
) -> World:
    """A province: its people's committee, departments and district committees below it, and
    `n_fields` fields with a few procedures each (time limits 1–30 working days)."""
    rng = random.Random(seed)
    root = OrgUnit.objects.create(
        name="UBND tỉnh (dữ liệu thống kê)",
        kind=OrgUnit.Kind.PEOPLES_COMMITTEE,
        is_agency=True,
        code="000.00.00.H99",
        code_is_demo=True,
    )
    agencies = [root]
    for i in range(1, n_agencies):
        district = i > n_agencies * 2 // 3
        agencies.append(
            OrgUnit.objects.create(
                name=f"{'UBND huyện' if district else 'Sở'} thống kê {i:02d}",
                kind=OrgUnit.Kind.PEOPLES_COMMITTEE if district else OrgUnit.Kind.DEPARTMENT,
                is_agency=True,
                code=f"000.{'99' if district else '00'}.{i:02d}.H99",
                code_is_demo=True,
                parent=root,
            )
        )
    fields = Field.objects.bulk_create(
        [Field(code=f"stats-bench-{i:02d}", name=f"Lĩnh vực {i:02d}") for i in range(n_fields)]
    )
    procedures = Procedure.objects.bulk_create(
        [
            Procedure(
                code=f"9.{i:03d}{j:03d}.000.00.00.H99",
                name=f"Thủ tục {i:02d}.{j}",
                field=field,
                time_limit_value=rng.choice(TIME_LIMITS),
                time_limit_unit="working_days",
            )
            for i, field in enumerate(fields)
            for j in range(procedures_per_field)
        ]
    )
    return World(
        agencies=agencies,
        fields=list(fields),
        procedures=[(p.pk, p.field_id, int(p.time_limit_value or 5)) for p in procedures],
    )


def _utc_text(moment: datetime) -> str:
    """A naive local (Vietnam) moment as the UTC text both databases store and compare."""
    return str(moment - _UTC_OFFSET)


def generate_rows(
    world: World,
    n: int,
    *,
    start: date = date(2023, 1, 1),
    end: date = date(2025, 12, 31),
    seed: int = 766,
) -> Iterator[tuple[Any, ...]]:
    """`n` dossiers received on the working days of [start, end], oldest first, as rows of
    `COLUMNS`, as they stand at the end of `end`.

    Mix: 45 % online, 50 % at the counter, 5 % by post; 2 % refused, 1 % withdrawn, 1 % stopped;
    of the rest 60 % settled early, 30 % on the due date, 10 % late (0.5 % of all stuck for
    months); a late dossier has a late unit. Dossiers whose end falls after `end` are still in
    progress (accepted, processing, supplement or fee requested). Agencies and fields are
    skewed (a few busy ones, a long tail), as in a real province.
    """
    # Everything that reads the database happens here, before the first row is asked for:
    # the rows are consumed inside a COPY, while the connection can run nothing else.
    rng = random.Random(seed)
    calendar = get_calendar()
    days = [
        start + timedelta(days=i)
        for i in range((end - start).days + 1)
        if calendar.is_working_day(start + timedelta(days=i))
    ]
    as_of = datetime.combine(end, time(23, 59))
    agency_ids = [a.pk for a in world.agencies]
    agency_codes = {a.pk: a.code for a in world.agencies}
    agency_weights = [1 / (i + 1) ** 0.8 for i in range(len(agency_ids))]
    procedure_weights = [1 / (i // 3 + 1) ** 0.7 for i in range(len(world.procedures))]
    # Choosing from precomputed pools is far faster than weighted choice per row.
    agency_pool = rng.choices(agency_ids, agency_weights, k=4096)
    procedure_pool = rng.choices(world.procedures, procedure_weights, k=4096)
    due_cache: dict[tuple[date, int], date] = {}

    def working_day_after(day: date, k: int) -> date:
        key = (day, k)
        found = due_cache.get(key)
        if found is None:
            found = due_cache[key] = calendar.add_working_days(day, k)
        return found

    def rows() -> Iterator[tuple[Any, ...]]:
        counters: dict[tuple[int, date], int] = {}
        per_day, extra = divmod(n, len(days))
        rand = rng.random
        randrange = rng.randrange
        for index, day in enumerate(days):
            count = per_day + (1 if index < extra else 0)
            seconds = sorted(randrange(7 * 3600 + 1800, 17 * 3600) for _ in range(count))
            midnight = datetime.combine(day, time())
            yymmdd = day.strftime("%y%m%d")
            for second in seconds:
                received = midnight + timedelta(seconds=second)
                agency = agency_pool[randrange(4096)]
                procedure_id, field_id, limit = procedure_pool[randrange(4096)]
                serial = counters.get((agency, day), 0) + 1
                counters[(agency, day)] = serial
                code = f"{agency_codes[agency]}-{yymmdd}-{serial:04d}"
                r = rand()
                channel = "online" if r < 0.45 else ("counter" if r < 0.95 else "post")
                submitted = received - timedelta(hours=3) if channel == "online" else received
                due = working_day_after(day, limit)
                fate = rand()
                late_unit: int | None = None
                refusal = ""
                timeliness = ""
                if fate < 0.02:
                    status, processed, returned = DossierStatus.REFUSED, None, None
                    refusal = "Hồ sơ không thuộc thẩm quyền."
                else:
                    if fate < 0.04:
                        k = randrange(1, limit + 1)
                        closing = DossierStatus.WITHDRAWN if fate < 0.03 else DossierStatus.STOPPED
                    else:
                        closing = DossierStatus.RETURNED
                        pace = rand()
                        if pace < 0.60:
                            k = randrange(0, limit)
                        elif pace < 0.90:
                            k = limit
                        elif pace < 0.995:
                            k = limit + randrange(1, 11)
                        else:
                            k = limit + randrange(60, 250)
                    end_day = working_day_after(day, k) if k else day
                    if k:
                        processed = datetime.combine(end_day, time()) + timedelta(
                            seconds=randrange(7 * 3600 + 1800, 17 * 3600)
                        )
                    else:
                        processed = received + timedelta(seconds=randrange(600, 7200))
                    if processed > as_of:
                        p = rand()
                        status = (
                            DossierStatus.PROCESSING
                            if p < 0.8
                            else DossierStatus.SUPPLEMENT_REQUESTED
                            if p < 0.9
                            else DossierStatus.FINANCIAL_OBLIGATION
                            if p < 0.95
                            else DossierStatus.ACCEPTED
                        )
                        processed = returned = None
                        if due < end:
                            late_unit = agency
                    elif closing == DossierStatus.RETURNED:
                        returned = processed + timedelta(days=randrange(0, 4))
                        if returned > as_of:
                            status, returned = DossierStatus.PROCESSED, None
                        else:
                            status = DossierStatus.RETURNED
                        end_local = processed.date()
                        timeliness = (
                            Timeliness.EARLY
                            if end_local < due
                            else Timeliness.ON_TIME
                            if end_local == due
                            else Timeliness.LATE
                        )
                        if timeliness == Timeliness.LATE:
                            late_unit = agency_ids[randrange(len(agency_ids))]
                    else:
                        status, returned = closing, None
                yield (
                    code,
                    procedure_id,
                    agency,
                    field_id,
                    channel,
                    int(status),
                    "person",
                    NAMES[serial % 5],
                    "",
                    "",
                    "",
                    "",
                    "",
                    "{}",
                    _utc_text(submitted),
                    _utc_text(received),
                    due.isoformat(),
                    due.isoformat(),
                    _utc_text(processed) if processed else None,
                    _utc_text(returned) if returned else None,
                    timeliness,
                    late_unit,
                    refusal,
                )

    return rows()


def load_rows(rows: Iterable[Sequence[Any]], *, batch: int = 50_000) -> int:
    """Write generated rows into the dossier table; COPY on PostgreSQL. Returns the count."""
    table = Dossier._meta.db_table
    names = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB-API
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        marks = ", ".join("%s" for _ in COLUMNS)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        iterator = iter(rows)
        while chunk := list(itertools.islice(iterator, batch)):
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


# --- The hand-built scenario of the statistics tests ---------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A province with a dossier in every cell of form II.06a for the first quarter of 2025.

    Units: the province's committee P; under it the department D (with its division X) and
    the district H (with the commune C below it). Fields: "Hộ tịch" (D and P) and "Đất đai"
    (H and C). The expected numbers are in the statistics tests.
    """

    province: OrgUnit
    department: OrgUnit
    division: OrgUnit
    district: OrgUnit
    commune: OrgUnit
    civil: Field
    land: Field
    dossiers: dict[str, Dossier]

    period_from = date(2025, 1, 1)
    period_to = date(2025, 3, 31)


def make_scenario() -> Scenario:
    """Build the scenario (names of the dossiers: see the comments below)."""
    from lienthong.core.testing import make_org_unit

    province = make_org_unit("UBND tỉnh thử", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    department = make_org_unit("Sở Tư pháp thử", parent=province)
    division = make_org_unit(
        "Phòng Hành chính tư pháp thử",
        parent=department,
        kind=OrgUnit.Kind.DIVISION,
        is_agency=False,
    )
    district = make_org_unit("UBND huyện thử", parent=province, kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    commune = make_org_unit("UBND xã thử", parent=district, kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    civil = make_field("Hộ tịch")
    land = make_field("Đất đai")
    ONLINE, POST = Channel.ONLINE, Channel.POST
    S = DossierStatus

    def dossier(**kwargs: Any) -> Dossier:
        kwargs.setdefault("agency", department)
        kwargs.setdefault("field", civil)
        return make_stats_dossier(**kwargs)

    d: dict[str, Dossier] = {
        # Received within the period.
        "a1_online_early": dossier(
            channel=ONLINE,
            received_at=local(2025, 1, 5, 10),
            processed_at=local(2025, 1, 8, 10),
            due_date=date(2025, 1, 10),
        ),
        "a2_counter_on_due_date": dossier(
            received_at=local(2025, 2, 3, 8),
            processed_at=local(2025, 2, 10, 15),
            due_date=date(2025, 2, 10),
        ),
        "a3_post_late": dossier(
            channel=POST,
            received_at=local(2025, 2, 4),
            processed_at=local(2025, 2, 20),
            due_date=date(2025, 2, 14),
            late_unit=division,
        ),
        "a4_last_minute_in_time": dossier(
            received_at=local(2025, 3, 31, 23, 30), due_date=date(2025, 4, 7)
        ),
        "a5_online_overdue": dossier(
            channel=ONLINE, received_at=local(2025, 3, 10), due_date=date(2025, 3, 20)
        ),
        "a6_apologised_overdue": dossier(
            received_at=local(2025, 3, 12),
            status=S.SUPPLEMENT_REQUESTED,
            due_date=date(2025, 3, 20),
            late_unit=department,
        ),
        "a7_withdrawn": dossier(
            channel=ONLINE,
            received_at=local(2025, 2, 1),
            status=S.WITHDRAWN,
            processed_at=local(2025, 2, 5),
        ),
        "a8_refused": dossier(received_at=local(2025, 2, 2), status=S.REFUSED),
        "a9_settled_after_period": dossier(
            received_at=local(2025, 3, 15),
            processed_at=local(2025, 4, 2),
            due_date=date(2025, 4, 5),
        ),
        "a10_stopped_after_period": dossier(
            received_at=local(2025, 1, 20),
            status=S.STOPPED,
            processed_at=local(2025, 4, 10),
            due_date=date(2025, 2, 1),
        ),
        "p1_settled_last_minute": dossier(
            agency=province,
            received_at=local(2025, 3, 1),
            processed_at=local(2025, 3, 31, 23, 30),
            due_date=date(2025, 3, 31),
        ),
        # Received before the period.
        "b1_carried_late": dossier(
            received_at=local(2024, 12, 20),
            processed_at=local(2025, 1, 15),
            due_date=date(2025, 1, 10),
            late_unit=department,
        ),
        "b2_carried_overdue": dossier(received_at=local(2024, 12, 30), due_date=date(2025, 1, 20)),
        "b3_ended_before": dossier(
            received_at=local(2024, 11, 1),
            processed_at=local(2024, 12, 15),
            due_date=date(2024, 12, 20),
        ),
        "b4_carried_from_last_minute": dossier(
            received_at=local(2024, 12, 31, 23, 30),
            processed_at=local(2025, 1, 2),
            due_date=date(2025, 1, 3),
        ),
        "b5_carried_settled_after": dossier(
            received_at=local(2024, 12, 10),
            processed_at=local(2025, 5, 1),
            due_date=date(2025, 1, 5),
            late_unit=division,
        ),
        "b6_carried_withdrawn": dossier(
            received_at=local(2024, 12, 15),
            status=S.WITHDRAWN,
            processed_at=local(2025, 1, 3),
        ),
        # Received after the period.
        "c1_first_minute_after": dossier(received_at=local(2025, 4, 1, 0, 30)),
        "c2_after": dossier(received_at=local(2025, 4, 5)),
        # Submitted online, never accepted: not received.
        "n1_not_received": dossier(channel=ONLINE, received_at=None, status=S.NEW),
        # The district and the commune below it.
        "h1_district_early": dossier(
            agency=district,
            field=land,
            channel=ONLINE,
            received_at=local(2025, 1, 15),
            processed_at=local(2025, 1, 20),
            due_date=date(2025, 1, 25),
        ),
        "k1_commune_in_time": dossier(
            agency=commune, field=land, received_at=local(2025, 2, 15), due_date=date(2025, 4, 30)
        ),
    }
    # The apology letter moved a6's appointment; the receipt's date stays the reference.
    Dossier.objects.filter(pk=d["a6_apologised_overdue"].pk).update(due_date=date(2025, 4, 20))
    return Scenario(
        province=province,
        department=department,
        division=division,
        district=district,
        commune=commune,
        civil=civil,
        land=land,
        dossiers=d,
    )
