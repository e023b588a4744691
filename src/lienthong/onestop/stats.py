"""Statistics of the one-stop shop: report form II.06a and the Decision 766 progress score.

Form II.06a — "Tình hình, kết quả giải quyết thủ tục hành chính" — counts the dossiers taken
for settlement, settled and pending in a period, per field (lĩnh vực) or per agency. Circular
01/2018/TT-VPCP, Art. 11(2), adds the one-stop reporting to Appendix XII of Circular
02/2017/TT-VPCP, whose form it is; the form itself is not in our corpus
(../shared/data/legal/01-2018-tt-vpcp.md holds the Circular's articles, not its appendix), so
the 13 columns follow DOMAIN.md ("Statistics report form II.06a (13 columns)"):

    (A) STT | (B) field or agency |
    received for settlement (số hồ sơ nhận giải quyết): (1) total = (2) + (3) + (4) |
        (2) carried over from the last period | newly received: (3) online,
        (4) directly or by post |
    settled (số hồ sơ đã giải quyết): (5) total | (6) early | (7) on time | (8) late |
    pending (số hồ sơ đang giải quyết): (9) total = (10) + (11) | (10) still in time |
        (11) overdue

The page, the spreadsheet and the API add the Decision 766 progress score after them.

Definitions. A period is [from, to] in local dates (Asia/Ho_Chi_Minh): from 00:00 on `from`
to 24:00 on `to`. The scope is the dossier's receiving agency (`Dossier.agency`): one agency,
with or without the agencies below it, or the whole province — always narrowed to the
agencies the asking official may see (`agencies_visible_to`).

- A dossier is *received* when the one-stop desk accepted it (`received_at`). Refused
  dossiers (status 3) are never counted: they were not taken for settlement.
- Its processing *ended* at `processed_at`: settled (status 9, kept at 10), or closed without
  a result — withdrawn by the applicant (7) or stopped (8).
- It is *open* at a moment X when received before X and its processing had not ended before
  X (`processed_at` ≥ X, or still in progress: status 2, 4, 5 or 6 without `processed_at`).
- (2) carried over = open at the start of the period. (3), (4) = received within the period,
  by channel: online; at the counter or by post.
- (5) settled = status 9 or 10 with `processed_at` within the period. (6)–(8) by its
  `timeliness`, which processing sets by comparing the local date of `processed_at` with the
  appointment: before it early, on it on time, after it late (DOMAIN.md). A settled dossier
  without a timeliness (none should exist) counts in (5) only and is named under the table.
- (9) pending = open at the end of the period. Its *appointment* is `original_due_date` (the
  receipt's date, re-issued when the clock legitimately restarts, never moved by an apology
  letter), else `due_date`: (10) in time when the appointment is on or after the period's
  last day — or after today, for a period not over yet — (11) overdue when it is before it.
  A dossier without an appointment (no statutory limit) is in time.
- Withdrawn and stopped dossiers are received and carried over while open; when they close in
  the period they leave without being settled: (1) = (5) + (9) + those (`closed_unsettled`).
- Decision 766/QĐ-TTg (2022), service index, progress component (tiến độ, 20 of 100
  points): 20 × ((6) + (7)) / (5), rounded half up to two decimals; none when (5) is 0. Only
  this component is computed: the index's other weights are not confirmed (DOMAIN.md).
- Late units: per `Dossier.late_unit` (the unit that wrote the apology letter), the dossiers
  of (8) and of (11); "not determined" when no apology letter named one.
- Rows with nothing in any column are left out.

How it is computed: five aggregate queries over the dossier table — received in the period;
processing ended in the period; of those, settled late per late unit; ended after the period;
not ended — each filtered on the full list of group keys (every field, or every agency of the
scope) and a range of moments, so that it walks one of the covering indexes of migration
`stats_indexes` (group key, moment, …) key by key: rows arrive grouped, the large ranges
need no sort and no table row is read. Python adds up a few hundred grouped rows. Over 2
million dossiers (bench/bench_stats.py, the 2-core bench machine) a quarter takes 0.1–0.35 s
and a year 0.35–0.75 s, on SQLite and on PostgreSQL. A daily summary table kept up to date at every
transition was measured too: it answers the "received" part of a year in 23 ms instead of
40–90 ms, cannot answer the pending columns (they depend on each dossier's appointment), and
would tie every service that moves a dossier to this module — not worth it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from typing import Any, Literal

from django.db import models
from django.db.models import Case, Count, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lienthong.accounts.models import Role, User
from lienthong.core.calendar import VN_TZ, local_date
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_real_user
from lienthong.core.text import fold
from lienthong.onestop.models import Channel, Dossier, DossierStatus, Field, Timeliness

GroupBy = Literal["field", "agency"]
GROUP_BY_CHOICES: tuple[GroupBy, ...] = ("field", "agency")

#: Received and not at the end of processing.
IN_PROGRESS = (
    DossierStatus.ACCEPTED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.FINANCIAL_OBLIGATION,
)
SETTLED = (DossierStatus.PROCESSED, DossierStatus.RETURNED)
CLOSED_UNSETTLED = (DossierStatus.WITHDRAWN, DossierStatus.STOPPED)
PROGRESS_POINTS = Decimal(20)

#: Headers of the form, shared by the page, the spreadsheet and the command line.
HEADERS: dict[str, Any] = {
    "title": gettext_lazy("Tình hình, kết quả giải quyết thủ tục hành chính"),
    "form": gettext_lazy("Biểu số II.06a"),
    "number": gettext_lazy("STT"),
    "field": gettext_lazy("Lĩnh vực"),
    "agency": gettext_lazy("Cơ quan tiếp nhận"),
    "received": gettext_lazy("Số hồ sơ nhận giải quyết"),
    "settled": gettext_lazy("Số hồ sơ đã giải quyết"),
    "pending": gettext_lazy("Số hồ sơ đang giải quyết"),
    "total": gettext_lazy("Tổng số"),
    "carried_over": gettext_lazy("Số kỳ trước chuyển qua"),
    "new": gettext_lazy("Số mới tiếp nhận"),
    "online": gettext_lazy("Trực tuyến"),
    "direct": gettext_lazy("Trực tiếp, dịch vụ bưu chính"),
    "early": gettext_lazy("Trả trước hạn"),
    "on_time": gettext_lazy("Trả đúng hạn"),
    "late": gettext_lazy("Trả quá hạn"),
    "in_time": gettext_lazy("Chưa đến hạn"),
    "overdue": gettext_lazy("Quá hạn"),
    "progress": gettext_lazy("Điểm tiến độ (Quyết định 766/QĐ-TTg, tối đa 20)"),
    "grand_total": gettext_lazy("Tổng cộng"),
    "late_unit": gettext_lazy("Đơn vị làm trễ hạn"),
    "late_settled": gettext_lazy("Đã giải quyết quá hạn"),
    "late_pending": gettext_lazy("Đang giải quyết quá hạn"),
    "unknown_unit": gettext_lazy("Chưa xác định đơn vị"),
}

#: The 11 numeric columns of the form, in order: (attribute of `Row`, short header).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("received_total", "(1)"),
    ("carried_over", "(2)"),
    ("received_online", "(3)"),
    ("received_direct", "(4)"),
    ("settled_total", "(5)"),
    ("settled_early", "(6)"),
    ("settled_on_time", "(7)"),
    ("settled_late", "(8)"),
    ("pending_total", "(9)"),
    ("pending_in_time", "(10)"),
    ("pending_overdue", "(11)"),
)


@dataclass
class Row:
    """One line of the form: a field or an agency (or the total), with its numbers."""

    key: int | None
    label: str
    carried_over: int = 0
    received_online: int = 0
    received_direct: int = 0
    settled_early: int = 0
    settled_on_time: int = 0
    settled_late: int = 0
    settled_unclassified: int = 0
    pending_in_time: int = 0
    pending_overdue: int = 0
    closed_unsettled: int = 0

    @property
    def received_new(self) -> int:
        return self.received_online + self.received_direct

    @property
    def received_total(self) -> int:
        return self.carried_over + self.received_new

    @property
    def settled_total(self) -> int:
        return (
            self.settled_early
            + self.settled_on_time
            + self.settled_late
            + self.settled_unclassified
        )

    @property
    def pending_total(self) -> int:
        return self.pending_in_time + self.pending_overdue

    @property
    def progress_score(self) -> Decimal | None:
        """Decision 766 progress (tiến độ): 20 points × the share settled early or on time."""
        if not self.settled_total:
            return None
        share = Decimal(self.settled_early + self.settled_on_time) / self.settled_total
        return (PROGRESS_POINTS * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in COUNTS)

    def add(self, other: Row) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def values(self) -> list[int]:
        """The 11 numbers in the form's order, (1) to (11)."""
        return [getattr(self, name) for name, _number in COLUMNS]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "label": self.label}
        data.update({name: getattr(self, name) for name, _number in COLUMNS})
        data["received_new"] = self.received_new
        data["settled_unclassified"] = self.settled_unclassified
        data["closed_unsettled"] = self.closed_unsettled
        score = self.progress_score
        data["progress_score"] = float(score) if score is not None else None
        return data


#: The counters a `Row` adds up (its other numbers are derived from them).
COUNTS = tuple(f.name for f in fields(Row) if f.type == "int")


@dataclass
class LateUnitRow:
    """The late dossiers of one unit (the unit that wrote the apology letter)."""

    unit_id: int | None
    label: str = ""
    settled_late: int = 0
    pending_overdue: int = 0

    @property
    def total(self) -> int:
        return self.settled_late + self.pending_overdue

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "label": self.label,
            "settled_late": self.settled_late,
            "pending_overdue": self.pending_overdue,
        }


@dataclass
class Report:
    """Form II.06a for a period and a scope: its rows, their total and the late units."""

    period_from: date
    period_to: date
    as_of: date
    group_by: GroupBy
    agency: OrgUnit | None
    include_subunits: bool
    rows: list[Row]
    total: Row
    late_units: list[LateUnitRow]
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def scope_label(self) -> str:
        if self.agency is None:
            return _("Toàn tỉnh (các cơ quan được xem)")
        if self.include_subunits:
            return _("%(agency)s và các cơ quan trực thuộc") % {"agency": self.agency.name}
        return self.agency.name

    @property
    def group_header(self) -> str:
        return str(HEADERS[self.group_by])

    @property
    def period_label(self) -> str:
        return _("Từ ngày %(start)s đến ngày %(end)s") % {
            "start": self.period_from.strftime("%d/%m/%Y"),
            "end": self.period_to.strftime("%d/%m/%Y"),
        }

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (API and `lienthong stats ii06a --json`)."""
        agency = self.agency
        return {
            "form": "II.06a",
            "period_from": self.period_from,
            "period_to": self.period_to,
            "as_of": self.as_of,
            "group_by": self.group_by,
            "agency": (
                {"id": agency.pk, "code": agency.code, "name": agency.name} if agency else None
            ),
            "include_subunits": self.include_subunits,
            "scope": self.scope_label,
            "rows": [row.as_dict() for row in self.rows],
            "total": self.total.as_dict(),
            "late_units": [unit.as_dict() for unit in self.late_units],
            "generated_at": self.generated_at,
        }


# --- Who may see which agencies ------------------------------------------------------------


def agencies_visible_to(user: Any, *, roles: Iterable[str] | None = None) -> QuerySet[OrgUnit]:
    """Agencies whose statistics `user` may read: superusers all; an official the agency of
    each grant (the nearest agency at or above the granted unit) and every agency below it —
    the same subtree rule as the dossiers they see (decision 0007). `roles` narrows the
    grants considered (the leaders' dashboard counts only leader grants)."""
    agencies = OrgUnit.objects.agencies()
    if not is_real_user(user):
        return agencies.none()
    if user.is_superuser:
        return agencies
    grants = user.role_assignments.filter(org_unit__isnull=False).exclude(role=Role.CITIZEN)
    if roles is not None:
        grants = grants.filter(role__in=list(roles))
    paths = list(grants.values_list("org_unit__path", flat=True))
    chains = {path: [int(p) for p in path.strip("/").split("/") if p] for path in paths}
    ancestor_ids = {pk for chain in chains.values() for pk in chain}
    agency_paths = dict(agencies.filter(pk__in=ancestor_ids).values_list("pk", "path"))
    below: set[str] = set()
    for chain in chains.values():
        agency_id = next((pk for pk in reversed(chain) if pk in agency_paths), None)
        if agency_id is not None:
            below.add(agency_paths[agency_id])
    if not below:
        return agencies.none()
    condition = Q(pk__in=[])
    for prefix in sorted(below):
        condition |= Q(path__startswith=prefix)
    return agencies.filter(condition)


def _scope(
    agency: OrgUnit | None, include_subunits: bool, user: User | None
) -> list[tuple[int, str]] | None:
    """(id, name) of the units a report covers, in tree order; None for the whole province
    when nothing narrows it."""
    units: QuerySet[OrgUnit] | None = None
    if agency is not None and include_subunits:
        units = OrgUnit.objects.within(agency)
    elif agency is not None:
        units = OrgUnit.objects.filter(pk=agency.pk)
    if user is not None and not user.is_superuser:
        visible = agencies_visible_to(user)
        units = visible if units is None else units.filter(pk__in=visible.values("pk"))
    if units is None:
        return None
    return list(units.order_by("path").values_list("pk", "name"))


# --- The report ----------------------------------------------------------------------------


class _Unindexed(Func):
    """A column that SQLite must not use to choose an index: it is written behind a unary
    "+" there (sqlite.org/optoverview.html, "Disqualifying WHERE clause terms using unary-+").

    Without ANALYZE statistics SQLite takes a second range on `received_at` for the better
    lead, and walks (agency, received_at) looking up every row up to the period's end, instead
    of the processing range that the report's indexes answer alone. PostgreSQL plans from its
    own statistics and gets the plain column.
    """

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra)


def _count(condition: Q) -> Count:
    """Rows meeting `condition`, counted without naming a column, so that the query can be
    answered from an index alone (COUNT(id) FILTER … would need the id)."""
    return Count(Case(When(condition, then=Value(1))))


def period_bounds(period_from: date, period_to: date) -> tuple[datetime, datetime]:
    """[start, end) of a period of local dates: 00:00 on `from` to 24:00 on `to`, Vietnam time."""
    start = datetime.combine(period_from, time(), tzinfo=VN_TZ)
    end = datetime.combine(period_to + timedelta(days=1), time(), tzinfo=VN_TZ)
    return start, end


def ii06a(
    period_from: date,
    period_to: date,
    *,
    agency: OrgUnit | None = None,
    include_subunits: bool = True,
    group_by: GroupBy = "field",
    user: User | None = None,
) -> Report:
    """Form II.06a for [period_from, period_to] (local dates), per field or per agency.

    `agency`: the receiving agency, with the agencies below it when `include_subunits`; None
    for the whole province. With `user`, only the agencies that user may see are counted
    (the caller checks that they may see `agency` at all). Definitions: the module docstring.
    """
    if period_from > period_to:
        raise ValueError("period_from is after period_to")
    if group_by not in GROUP_BY_CHOICES:
        raise ValueError(f"group_by must be one of {GROUP_BY_CHOICES}")
    start, end = period_bounds(period_from, period_to)
    as_of = min(period_to, local_date(timezone.now()))
    scope = _scope(agency, include_subunits, user)
    if group_by == "field":
        key = "field_id"
        # In Vietnamese order (Đ with D), whatever the database's collation.
        fields_by_name = sorted(Field.objects.values_list("pk", "name"), key=_name_key)
        groups = dict(fields_by_name)
    else:
        key = "agency_id"
        groups = dict(scope) if scope is not None else _all_units()
    rows = {pk: Row(key=pk, label=label) for pk, label in groups.items()}
    late: dict[int | None, LateUnitRow] = {}
    if groups:
        _count_into(rows, late, key, scope, start=start, end=end, as_of=as_of)
    shown = [row for row in rows.values() if not row.is_empty]
    total = Row(key=None, label=str(HEADERS["grand_total"]))
    for row in shown:
        total.add(row)
    return Report(
        period_from=period_from,
        period_to=period_to,
        as_of=as_of,
        group_by=group_by,
        agency=agency,
        include_subunits=include_subunits,
        rows=shown,
        total=total,
        late_units=_label_late_units(late),
    )


def _count_into(
    rows: dict[int, Row],
    late: dict[int | None, LateUnitRow],
    key: str,
    scope: list[tuple[int, str]] | None,
    *,
    start: datetime,
    end: datetime,
    as_of: date,
) -> None:
    """Run the report's queries and add their counts to `rows` and `late`."""
    base = Dossier.objects.order_by().exclude(status=DossierStatus.REFUSED)
    # Naming every group key lets each query walk a (key, moment, …) index one key at a time:
    # the rows then arrive grouped, and nothing is sorted (see the module docstring).
    base = base.filter(**{f"{key}__in": list(rows)})
    if scope is not None and key != "agency_id":
        base = base.filter(agency_id__in=[pk for pk, _name in scope])
    received_before = Q(received_at__lt=start)
    settled = Q(status__in=SETTLED)

    def late_unit(unit: int | None) -> LateUnitRow:
        found = late.get(unit)
        if found is None:
            found = late[unit] = LateUnitRow(unit_id=unit)
        return found

    # (3), (4): received within the period, by channel.
    for item in (
        base.filter(received_at__gte=start, received_at__lt=end)
        .values(key)
        .annotate(online=_count(Q(channel=Channel.ONLINE)), n=Count("*"))
    ):
        row = rows[item[key]]
        row.received_online += item["online"]
        row.received_direct += item["n"] - item["online"]

    # (5)–(8): processing ended within the period, settled or closed without a result; those
    # received before the period were open at its start, so they are part of (2).
    ended = base.filter(processed_at__gte=start, processed_at__lt=end, received_at__isnull=False)
    for item in ended.values(key).annotate(
        carried=_count(received_before),
        early=_count(settled & Q(timeliness=Timeliness.EARLY)),
        on_time=_count(settled & Q(timeliness=Timeliness.ON_TIME)),
        late=_count(settled & Q(timeliness=Timeliness.LATE)),
        settled=_count(settled),
        unsettled=_count(Q(status__in=CLOSED_UNSETTLED)),
    ):
        row = rows[item[key]]
        row.carried_over += item["carried"]
        row.settled_early += item["early"]
        row.settled_on_time += item["on_time"]
        row.settled_late += item["late"]
        row.settled_unclassified += item["settled"] - item["early"] - item["on_time"]
        row.settled_unclassified -= item["late"]
        row.closed_unsettled += item["unsettled"]

    # (8) per late unit. The status goes unindexed so that SQLite without statistics does
    # not prefer (agency, status) to the processing range.
    for item in (
        ended.alias(plain_status=_Unindexed(F("status"), output_field=models.IntegerField()))
        .filter(plain_status__in=SETTLED, timeliness=Timeliness.LATE)
        .values("late_unit_id")
        .annotate(n=Count("*"))
    ):
        late_unit(item["late_unit_id"]).settled_late += item["n"]

    # (9)–(11): open at the end of the period — processing ended after it, or has not ended;
    # those received before the period are the rest of (2).
    still_open = base.alias(
        plain_received=_Unindexed(F("received_at"), output_field=models.DateTimeField()),
        appointment=Coalesce("original_due_date", "due_date"),
    )
    for queryset in (
        still_open.filter(processed_at__gte=end, plain_received__lt=end),
        still_open.filter(
            processed_at__isnull=True, status__in=IN_PROGRESS, plain_received__lt=end
        ),
    ):
        for item in queryset.values(key, "late_unit_id").annotate(
            carried=_count(received_before),
            n=Count("*"),
            overdue=_count(Q(appointment__lt=as_of)),
        ):
            row = rows[item[key]]
            row.carried_over += item["carried"]
            row.pending_overdue += item["overdue"]
            row.pending_in_time += item["n"] - item["overdue"]
            if item["overdue"]:
                late_unit(item["late_unit_id"]).pending_overdue += item["overdue"]


@dataclass(frozen=True)
class MonthCounts:
    """Columns (3)+(4), (5) and (6)+(7) of form II.06a for one month."""

    received: int = 0
    settled: int = 0
    early_or_on_time: int = 0


def monthly_counts(
    first_month: date, last_month: date, agency_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], MonthCounts]:
    """(year, month) → received, settled and settled early or on time, for every month from
    the month of `first_month` to that of `last_month`, by the definitions of `ii06a` (two
    grouped queries for the whole span, instead of one report per month). `agency_ids`: the
    receiving agencies (None: the whole province)."""
    after_last = (last_month.replace(day=28) + timedelta(days=4)).replace(day=1)
    start, end = period_bounds(first_month.replace(day=1), after_last - timedelta(days=1))
    base = Dossier.objects.order_by().exclude(status=DossierStatus.REFUSED)
    if agency_ids is not None:
        base = base.filter(agency_id__in=list(agency_ids))
    received: dict[tuple[int, int], int] = {}
    for item in (
        base.filter(received_at__gte=start, received_at__lt=end)
        .annotate(month=TruncMonth("received_at", tzinfo=VN_TZ))
        .values("month")
        .annotate(n=Count("*"))
    ):
        received[(item["month"].year, item["month"].month)] = item["n"]
    settled: dict[tuple[int, int], tuple[int, int]] = {}
    for item in (
        base.filter(
            processed_at__gte=start,
            processed_at__lt=end,
            received_at__isnull=False,
            status__in=SETTLED,
        )
        .annotate(month=TruncMonth("processed_at", tzinfo=VN_TZ))
        .values("month")
        .annotate(
            n=Count("*"),
            in_time=_count(Q(timeliness__in=(Timeliness.EARLY, Timeliness.ON_TIME))),
        )
    ):
        settled[(item["month"].year, item["month"].month)] = (item["n"], item["in_time"])
    return {
        month: MonthCounts(received.get(month, 0), *settled.get(month, (0, 0)))
        for month in sorted(set(received) | set(settled))
    }


def _name_key(item: tuple[int, str]) -> tuple[str, str]:
    return (fold(item[1]), item[1])


def _all_units() -> dict[int, str]:
    """Every org unit, in the order of the tree: the groups of a province-wide agency report."""
    return dict(OrgUnit.objects.order_by("path").values_list("pk", "name"))


def _label_late_units(late: dict[int | None, LateUnitRow]) -> list[LateUnitRow]:
    """Name the late units (one query) and put the worst first, "not determined" last."""
    ids = [pk for pk in late if pk is not None]
    names = dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for pk, unit in late.items():
        unit.label = names.get(pk, str(pk)) if pk is not None else str(HEADERS["unknown_unit"])
    return sorted(late.values(), key=lambda u: (u.unit_id is None, -u.total, fold(u.label)))


# --- Output --------------------------------------------------------------------------------


def notes(report: Report) -> list[str]:
    """What a reader of the form must know beyond its columns (shown under the table)."""
    lines = [
        _(
            "Kỳ báo cáo tính theo giờ Việt Nam, từ 00:00 ngày đầu đến 24:00 ngày cuối. Hồ sơ "
            "bị từ chối tiếp nhận không được tính. Số kỳ trước chuyển qua (2): hồ sơ đã tiếp "
            "nhận trước kỳ mà đến đầu kỳ chưa giải quyết xong."
        ),
        _(
            "Trước hạn, đúng hạn, quá hạn: so ngày giải quyết xong với ngày hẹn trả ghi trên "
            "giấy tiếp nhận (ngày hẹn lại trong phiếu xin lỗi không làm hồ sơ trễ hạn thành "
            "đúng hạn). Hồ sơ đang giải quyết quá hạn: ngày hẹn trả trước ngày %(day)s."
        )
        % {"day": report.as_of.strftime("%d/%m/%Y")},
        _(
            "Điểm tiến độ theo Quyết định 766/QĐ-TTg: 20 × (trước hạn + đúng hạn) / tổng số "
            "đã giải quyết. Chỉ tính thành phần tiến độ; các thành phần khác của Bộ chỉ số "
            "chưa được xác nhận nên không tính."
        ),
    ]
    if report.total.closed_unsettled:
        lines.append(
            _(
                "Có %(n)s hồ sơ rút hoặc dừng xử lý trong kỳ: tính vào số nhận giải quyết (1) "
                "nhưng không vào số đã giải quyết (5) hay đang giải quyết (9)."
            )
            % {"n": report.total.closed_unsettled}
        )
    if report.total.settled_unclassified:
        lines.append(
            _(
                "Có %(n)s hồ sơ đã giải quyết chưa được xếp trước hạn, đúng hạn hay quá hạn: "
                "chỉ tính vào cột (5)."
            )
            % {"n": report.total.settled_unclassified}
        )
    if report.as_of < report.period_to:
        lines.append(
            _("Kỳ báo cáo chưa kết thúc: số liệu tính đến hết ngày %(day)s.")
            % {"day": report.as_of.strftime("%d/%m/%Y")}
        )
    return lines


def render_text(report: Report) -> str:
    """The report as a plain-text table for the command line."""
    header = ["STT", report.group_header, *(number for _name, number in COLUMNS), "766"]
    body = [
        [str(i), row.label, *map(str, row.values()), _score_text(row)]
        for i, row in enumerate(report.rows, start=1)
    ]
    body.append(
        ["", report.total.label, *map(str, report.total.values()), _score_text(report.total)]
    )
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i == 1 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    lines = [
        f"{HEADERS['form']} — {HEADERS['title']}",
        report.period_label,
        str(report.scope_label),
        "",
        line(header),
        *(line(cells) for cells in body),
        "",
        _(
            "(1) tổng số nhận = (2) kỳ trước chuyển qua + (3) trực tuyến + (4) trực tiếp, bưu "
            "chính; (5) đã giải quyết: (6) trước hạn, (7) đúng hạn, (8) quá hạn; (9) đang giải "
            "quyết: (10) chưa đến hạn, (11) quá hạn; 766: điểm tiến độ (tối đa 20)."
        ),
    ]
    if report.late_units:
        lines += ["", str(HEADERS["late_unit"])]
        lines += [
            f"  {unit.label}: {unit.settled_late} {HEADERS['late_settled'].lower()}, "
            f"{unit.pending_overdue} {HEADERS['late_pending'].lower()}"
            for unit in report.late_units
        ]
    lines += ["", *notes(report)]
    return "\n".join(lines) + "\n"


def _score_text(row: Row) -> str:
    score = row.progress_score
    return "—" if score is None else f"{score}"


def render_xlsx(report: Report) -> bytes:
    """The report as a spreadsheet laid out like the form: title, period, scope, the three
    header rows with merged groups, one row per field or agency, the total, then the notes
    and the late units."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "II.06a"
    last = 14  # A–M: the form's 13 columns; N: the progress score
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    def merged(
        row: int, col: int, value: Any, *, to_row: int | None = None, to_col: int | None = None
    ) -> None:
        cell = sheet.cell(row=row, column=col, value=str(value))
        cell.font = bold
        cell.alignment = centre
        if (to_row or row) != row or (to_col or col) != col:
            sheet.merge_cells(
                start_row=row, start_column=col, end_row=to_row or row, end_column=to_col or col
            )

    sheet.cell(row=1, column=last, value=str(HEADERS["form"])).font = Font(italic=True)
    merged(2, 1, str(HEADERS["title"]).upper(), to_col=last)
    sheet.cell(row=2, column=1).font = Font(bold=True, size=13)
    merged(3, 1, report.period_label, to_col=last)
    merged(4, 1, _("Đơn vị: %(scope)s") % {"scope": report.scope_label}, to_col=last)
    top, mid, low, numbers = 6, 7, 8, 9
    merged(top, 1, HEADERS["number"], to_row=low)
    merged(top, 2, report.group_header, to_row=low)
    merged(top, 3, HEADERS["received"], to_col=6)
    merged(top, 7, HEADERS["settled"], to_col=10)
    merged(top, 11, HEADERS["pending"], to_col=13)
    merged(top, 14, HEADERS["progress"], to_row=low)
    merged(mid, 3, HEADERS["total"], to_row=low)
    merged(mid, 4, HEADERS["carried_over"], to_row=low)
    merged(mid, 5, HEADERS["new"], to_col=6)
    merged(low, 5, HEADERS["online"])
    merged(low, 6, HEADERS["direct"])
    for col, name in zip(
        range(7, 14),
        ("total", "early", "on_time", "late", "total", "in_time", "overdue"),
        strict=True,
    ):
        merged(mid, col, HEADERS[name], to_row=low)
    for col, text in enumerate(("(A)", "(B)", *(n for _name, n in COLUMNS), "(12)"), start=1):
        cell = sheet.cell(row=numbers, column=col, value=text)
        cell.alignment = centre
        cell.font = Font(italic=True)

    def data_row(at: int, number: str, row: Row, *, strong: bool = False) -> None:
        values: list[Any] = [number, row.label, *row.values()]
        score = row.progress_score
        values.append(float(score) if score is not None else None)
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=at, column=col, value=value)
            if strong:
                cell.font = bold
            if col == 14:
                cell.number_format = "0.00"

    at = numbers + 1
    for i, row in enumerate(report.rows, start=1):
        data_row(at, str(i), row)
        at += 1
    data_row(at, "", report.total, strong=True)
    for row_cells in sheet.iter_rows(min_row=top, max_row=at, min_col=1, max_col=last):
        for cell in row_cells:
            cell.border = box
    at += 2
    for text in notes(report):
        sheet.cell(row=at, column=1, value=text)
        sheet.merge_cells(start_row=at, start_column=1, end_row=at, end_column=last)
        sheet.cell(row=at, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[at].height = 32
        at += 1
    if report.late_units:
        at += 1
        for col, name in ((2, "late_unit"), (3, "late_settled"), (4, "late_pending")):
            merged(at, col, HEADERS[name])
        for unit in report.late_units:
            at += 1
            sheet.cell(row=at, column=2, value=unit.label)
            sheet.cell(row=at, column=3, value=unit.settled_late)
            sheet.cell(row=at, column=4, value=unit.pending_overdue)
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 42
    for col in range(3, last + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 13
    sheet.row_dimensions[mid].height = 45
    sheet.freeze_panes = sheet.cell(row=numbers + 1, column=3)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
