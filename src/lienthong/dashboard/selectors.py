"""The leaders' dashboard (bảng điều hành): figures read from the other apps, never written.

Every figure comes from its module's own rule, so the dashboard never disagrees with it:

- one-stop: `onestop.stats.ii06a` per agency for the period, and `monthly_counts` for the
  twelve-month trend (received, share settled early or on time);
- incoming documents: assigned documents whose handling deadline (`deadline`, set by the
  leader's assignment) has passed, or falls within `DOCUMENTS_DUE_WORKING_DAYS` working days
  (the calendar kernel) — the same deadline `IncomingDocument.is_overdue` reads;
- complaints: open cases by `complaints.alerts.risk_of` (overdue / at risk), the rule of the
  daily alert scan;
- ICT indicators: `lienthong.ict.selectors.dashboard_indicators`, when that module exists.

Who sees what (`dashboard_agencies`): superusers and IT administrators (`it_admin`) every
agency; a leader (Role LEADER) the agency of each leader grant and every agency below it (a
leader of the provincial People's Committee, the root of the tree, thus sees the province).
Leaders' document and complaint counts are further filtered by those modules' `visible_to`.
Definitions for readers: docs/dashboard.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.backends import unit_roles
from lienthong.accounts.models import Role
from lienthong.complaints.alerts import risk_of
from lienthong.complaints.models import Alert, Complaint
from lienthong.core.calendar import VN_TZ, add_working_days, local_date
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import grants_of, is_real_user
from lienthong.documents.models import IncomingDocument
from lienthong.onestop.forms_stats import month_end
from lienthong.onestop.stats import (
    HEADERS,
    MonthCounts,
    Row,
    agencies_visible_to,
    ii06a,
    monthly_counts,
)

#: Incoming documents due within this many working days are "due soon".
DOCUMENTS_DUE_WORKING_DAYS = 3
#: Months in the one-stop trend.
TREND_MONTHS = 12
#: Roles that open the dashboard for the agencies of their grants and below.
LEADER_ROLES = frozenset({Role.LEADER})
#: Roles that open it for the whole province.
PROVINCE_ROLES = frozenset({Role.IT_ADMIN})


# --- Who may see it ------------------------------------------------------------------------


def sees_province(user: Any) -> bool:
    """Superusers and IT administrators see every agency; so does the command line (no
    user: it runs with the server's rights)."""
    if user is None:
        return True
    if not is_real_user(user):
        return False
    return bool(user.is_superuser or grants_of(user, PROVINCE_ROLES).exists())


def may_see_dashboard(user: Any) -> bool:
    """Leaders, IT administrators and superusers (for the nav and the 403)."""
    if not is_real_user(user):
        return False
    if user.is_superuser:
        return True
    roles = unit_roles(user)
    if roles is not None:
        # Read with the request's user (accounts.backends): the nav's link costs no query.
        return not roles.isdisjoint(LEADER_ROLES | PROVINCE_ROLES)
    return grants_of(user, LEADER_ROLES | PROVINCE_ROLES).exists()


def dashboard_agencies(user: Any) -> QuerySet[OrgUnit]:
    """Agencies whose figures `user` may see on the dashboard (empty: not for them)."""
    if sees_province(user):
        return OrgUnit.objects.agencies()
    return agencies_visible_to(user, roles=LEADER_ROLES)


def _roots(units: Iterable[tuple[int, str]]) -> list[int]:
    """Ids of the units no other unit of the list is above (paths are "/1/7/42/")."""
    paths = sorted(units, key=lambda unit: unit[1])
    roots: list[tuple[int, str]] = []
    for pk, path in paths:
        if not any(path.startswith(root_path) for _pk, root_path in roots):
            roots.append((pk, path))
    return [pk for pk, _path in roots]


# --- The figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What one dashboard covers: a period, the agencies, and who asks."""

    period_from: datetime.date
    period_to: datetime.date
    agency: OrgUnit | None
    agency_ids: tuple[int, ...]
    root_ids: tuple[int, ...]
    province: bool  # the whole province: no agency chosen and every agency visible

    @property
    def label(self) -> str:
        if self.agency is not None:
            return _("%(agency)s và các cơ quan trực thuộc") % {"agency": self.agency.name}
        if self.province:
            return _("Toàn tỉnh")
        return _("Các cơ quan được xem")

    @property
    def period_label(self) -> str:
        return _("Từ ngày %(start)s đến ngày %(end)s") % {
            "start": self.period_from.strftime("%d/%m/%Y"),
            "end": self.period_to.strftime("%d/%m/%Y"),
        }


def make_scope(
    user: Any, period_from: datetime.date, period_to: datetime.date, agency: OrgUnit | None
) -> Scope:
    """The scope of a request; `agency` must be one of `dashboard_agencies(user)` (the form
    checks it) and brings the agencies below it."""
    visible = dashboard_agencies(user)
    province = agency is None and sees_province(user)
    units = OrgUnit.objects.within(agency).agencies() if agency is not None else visible
    pairs = list(units.filter(pk__in=visible.values("pk")).values_list("pk", "path"))
    return Scope(
        period_from=period_from,
        period_to=period_to,
        agency=agency,
        agency_ids=tuple(pk for pk, _path in pairs),
        root_ids=tuple(_roots(pairs)),
        province=province,
    )


def _report_rows(
    scope: Scope, period_from: datetime.date, period_to: datetime.date
) -> tuple[list[Row], Row]:
    """Form II.06a per agency over the scope: one `ii06a` call per root of the scope (one
    for the whole province), merged; rows in tree order."""
    total = Row(key=None, label=str(HEADERS["grand_total"]))
    rows: list[Row] = []
    if scope.province:
        reports = [ii06a(period_from, period_to, group_by="agency")]
    else:
        roots = OrgUnit.objects.filter(pk__in=scope.root_ids).order_by("path")
        reports = [
            ii06a(period_from, period_to, agency=root, include_subunits=True, group_by="agency")
            for root in roots
        ]
    for report in reports:
        rows.extend(report.rows)
        total.add(report.total)
    return rows, total


@dataclass(frozen=True)
class TrendPoint:
    """One month of the one-stop trend."""

    month: str  # "MM/YYYY"
    received: int  # newly received in the month: (3) + (4)
    settled: int  # (5)
    on_time: int  # (6) + (7)

    @property
    def on_time_share(self) -> float | None:
        """Percent of the settled dossiers settled early or on time (None: nothing settled)."""
        if not self.settled:
            return None
        share = Decimal(100 * self.on_time) / self.settled
        return float(share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "received": self.received,
            "settled": self.settled,
            "on_time": self.on_time,
            "on_time_share": self.on_time_share,
        }


def months_back(last: datetime.date, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """[first day, last day] of the `count` months ending with the month of `last`."""
    months = []
    year, month = last.year, last.month
    for _i in range(count):
        months.append((datetime.date(year, month, 1), month_end(year, month)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def trend(scope: Scope) -> list[TrendPoint]:
    """The last `TREND_MONTHS` months up to the period's end, counted as II.06a counts them
    (`onestop.stats.monthly_counts`: two grouped queries for the twelve months)."""
    months = months_back(scope.period_to, TREND_MONTHS)
    counts = monthly_counts(
        months[0][0], months[-1][0], None if scope.province else scope.agency_ids
    )
    points = []
    for first, _last in months:
        month = counts.get((first.year, first.month), MonthCounts())
        points.append(
            TrendPoint(
                month=first.strftime("%m/%Y"),
                received=month.received,
                settled=month.settled,
                on_time=month.early_or_on_time,
            )
        )
    return points


@dataclass
class DueRow:
    """Late and nearly late items of one agency (documents or complaints)."""

    agency_id: int | None
    label: str
    overdue: int = 0
    due_soon: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.due_soon

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency_id": self.agency_id,
            "label": self.label,
            "overdue": self.overdue,
            "due_soon": self.due_soon,
        }


def _named_rows(counts: dict[int, tuple[int, int]]) -> tuple[list[DueRow], DueRow]:
    """DueRows in tree order with a total; agencies with nothing are left out."""
    units = OrgUnit.objects.filter(pk__in=list(counts)).order_by("path").values_list("pk", "name")
    rows = [DueRow(pk, name, *counts[pk]) for pk, name in units if any(counts[pk])]
    total = DueRow(None, str(HEADERS["grand_total"]))
    for row in rows:
        total.overdue += row.overdue
        total.due_soon += row.due_soon
    return rows, total


def documents_due(
    user: Any, scope: Scope, now: datetime.datetime | None = None
) -> tuple[list[DueRow], DueRow]:
    """Incoming documents being handled (assigned) per agency: overdue (deadline passed) and
    due soon (deadline before the end of the `DOCUMENTS_DUE_WORKING_DAYS`-th working day
    from today). A snapshot at `now`, whatever the period."""
    now = now or timezone.now()
    last_day = add_working_days(local_date(now), DOCUMENTS_DUE_WORKING_DAYS)
    soon_end = datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time(), tzinfo=VN_TZ
    )
    documents = IncomingDocument.objects.all()
    if not sees_province(user):
        documents = documents.visible_to(user)
    counts = (
        documents.filter(
            status=IncomingDocument.Status.ASSIGNED,
            deadline__isnull=False,
            deadline__lt=soon_end,
            agency_id__in=scope.agency_ids,
        )
        .values("agency_id")
        .annotate(
            overdue=Count("pk", filter=Q(deadline__lt=now)),
            due_soon=Count("pk", filter=Q(deadline__gte=now)),
        )
        .order_by()
    )
    return _named_rows({row["agency_id"]: (row["overdue"], row["due_soon"]) for row in counts})


def complaints_due(
    user: Any, scope: Scope, now: datetime.datetime | None = None
) -> tuple[list[DueRow], DueRow]:
    """Open complaint cases per agency, overdue or at risk by `complaints.alerts.risk_of`
    (the acceptance limit before acceptance, the resolution limit after). A snapshot."""
    now = now or timezone.now()
    cases = Complaint.objects.open()
    if not sees_province(user):
        cases = cases.visible_to(user)
    counts: dict[int, list[int]] = {}
    for complaint in cases.filter(agency_id__in=scope.agency_ids).select_related("case").iterator():
        kind = risk_of(complaint, now)
        if kind is None:
            continue
        row = counts.setdefault(complaint.agency_id, [0, 0])
        row[0 if kind == Alert.Kind.OVERDUE else 1] += 1
    return _named_rows({pk: (c[0], c[1]) for pk, c in counts.items()})


@dataclass(frozen=True)
class Indicator:
    """An ICT indicator as the dashboard shows it: value, target and progress."""

    code: str
    label: str
    value: float | None
    unit: str
    target: float | None
    target_due: datetime.date | None
    on_track: bool | None

    @property
    def progress(self) -> float | None:
        """Percent of the target reached (None without a target)."""
        if self.value is None or not self.target:
            return None
        return round(100 * float(self.value) / float(self.target), 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "target_due": self.target_due,
            "on_track": self.on_track,
            "progress": self.progress,
        }


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def ict_indicators(user: Any) -> list[Indicator] | None:
    """The ICT module's indicators (its latest reporting period), or None when that module
    is not installed."""
    try:
        from lienthong.ict.selectors import dashboard_indicators  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    # The ICT module reports by its own periods (a year, a half-year), not by dates: it
    # picks the latest one with reports the user may see.
    values = dashboard_indicators(user)
    return [
        Indicator(
            code=str(v.code),
            label=str(v.label),
            value=_number(v.value),
            unit=str(v.unit or ""),
            target=_number(v.target),
            target_due=v.target_due,
            on_track=v.on_track,
        )
        for v in values
    ]


@dataclass
class Summary:
    """Everything the dashboard shows for one scope."""

    scope: Scope
    as_of: datetime.date
    onestop_rows: list[Row]
    onestop_total: Row
    trend: list[TrendPoint]
    documents: list[DueRow]
    documents_total: DueRow
    complaints: list[DueRow]
    complaints_total: DueRow
    ict: list[Indicator] | None
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the API, the page's chart data and `lienthong dashboard summary`)."""
        agency = self.scope.agency
        return {
            "period_from": self.scope.period_from,
            "period_to": self.scope.period_to,
            "as_of": self.as_of,
            "agency": (
                {"id": agency.pk, "code": agency.code, "name": agency.name} if agency else None
            ),
            "scope": self.scope.label,
            "onestop": {
                "rows": [row.as_dict() for row in self.onestop_rows],
                "total": self.onestop_total.as_dict(),
                "trend": [point.as_dict() for point in self.trend],
            },
            "documents": {
                "due_working_days": DOCUMENTS_DUE_WORKING_DAYS,
                "rows": [row.as_dict() for row in self.documents],
                "total": self.documents_total.as_dict(),
            },
            "complaints": {
                "rows": [row.as_dict() for row in self.complaints],
                "total": self.complaints_total.as_dict(),
            },
            "ict": (
                {"available": True, "indicators": [i.as_dict() for i in self.ict]}
                if self.ict is not None
                else {"available": False, "indicators": []}
            ),
            "generated_at": self.generated_at,
        }


def summary(
    user: Any,
    period_from: datetime.date,
    period_to: datetime.date,
    agency: OrgUnit | None = None,
    *,
    now: datetime.datetime | None = None,
) -> Summary:
    """The dashboard for `user` (who must pass `may_see_dashboard`) over a period."""
    now = now or timezone.now()
    scope = make_scope(user, period_from, period_to, agency)
    rows, total = _report_rows(scope, period_from, period_to)
    documents, documents_total = documents_due(user, scope, now)
    complaints, complaints_total = complaints_due(user, scope, now)
    return Summary(
        scope=scope,
        as_of=min(period_to, local_date(now)),
        onestop_rows=rows,
        onestop_total=total,
        trend=trend(scope),
        documents=documents,
        documents_total=documents_total,
        complaints=complaints,
        complaints_total=complaints_total,
        ict=ict_indicators(user),
    )
