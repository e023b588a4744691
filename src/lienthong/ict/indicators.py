"""The indicators of the provincial ICT report, each computed from inventory reports.

One table (`INDICATORS`) lists them in the order the report states them; each entry names its
Vietnamese label, unit and the function computing it, and each function's docstring writes its
formula. All functions read one dictionary of sums (`totals`), which `aggregate_totals` fills
with a single grouped query over the reports counted, so a period costs one query whatever the
number of agencies.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lienthong.ict.models import Category, InventoryReport, Level, Software

Totals = Mapping[str, int]
PERCENT = "%"
COUNT = ""
_TENTH = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole × 100, rounded half up to one decimal; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def officials_with_computer(t: Totals) -> Decimal | None:
    """Σ staff_with_computer / Σ staff × 100, over provincial- and district-level agencies."""
    return percent(t["pd_staff_with_computer"], t["pd_staff"])


def servers_total(t: Totals) -> int:
    """Σ servers, over all agencies."""
    return t["servers"]


def network_points(t: Totals) -> int:
    """Σ dedicated_network_points: points connected to the dedicated data network."""
    return t["network_points"]


def communes_connected(t: Totals) -> int:
    """Number of commune People's Committees with dedicated_network = true."""
    return t["communes_connected"]


def lans_protected(t: Totals) -> Decimal | None:
    """Σ lans_protected / Σ lans × 100 (LANs behind a firewall and intrusion detection)."""
    return percent(t["lans_protected"], t["lans"])


def computers_with_antivirus(t: Totals) -> Decimal | None:
    """Σ computers_with_antivirus / Σ computers × 100."""
    return percent(t["computers_with_antivirus"], t["computers"])


def document_management(t: Totals) -> Decimal | None:
    """Departments (incl. the Office) and district People's Committees using software
    `qlvb` (quản lý văn bản và điều hành) / all of them × 100."""
    return percent(t["dd_with_document_management"], t["dd_agencies"])


def agencies_with_it_staff(t: Totals) -> Decimal | None:
    """Agencies with it_staff ≥ 1 / all agencies reporting × 100."""
    return percent(t["agencies_with_it_staff"], t["agencies"])


@dataclass(frozen=True)
class Indicator:
    """One indicator of the report: code, Vietnamese label, unit and its function."""

    code: str
    label: str | Promise
    unit: str
    compute: Callable[[Totals], Decimal | int | None]

    @property
    def formula(self) -> str:
        """The formula, as the function's docstring writes it."""
        return " ".join((self.compute.__doc__ or "").split())


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "officials_with_computer",
        _("Tỷ lệ cán bộ, công chức cấp tỉnh và cấp huyện có máy tính"),
        PERCENT,
        officials_with_computer,
    ),
    Indicator("servers_total", _("Tổng số máy chủ"), COUNT, servers_total),
    Indicator(
        "network_points",
        _("Số điểm kết nối mạng truyền số liệu chuyên dùng"),
        COUNT,
        network_points,
    ),
    Indicator(
        "communes_connected",
        _("Số UBND cấp xã kết nối mạng truyền số liệu chuyên dùng"),
        COUNT,
        communes_connected,
    ),
    Indicator(
        "lans_protected",
        _("Tỷ lệ mạng LAN có tường lửa và thiết bị phát hiện xâm nhập"),
        PERCENT,
        lans_protected,
    ),
    Indicator(
        "computers_with_antivirus",
        _("Tỷ lệ máy tính có phần mềm diệt virus"),
        PERCENT,
        computers_with_antivirus,
    ),
    Indicator(
        "document_management",
        _("Tỷ lệ sở, ngành và UBND cấp huyện dùng phần mềm quản lý văn bản và điều hành"),
        PERCENT,
        document_management,
    ),
    Indicator(
        "agencies_with_it_staff",
        _("Tỷ lệ cơ quan có cán bộ chuyên trách CNTT"),
        PERCENT,
        agencies_with_it_staff,
    ),
)
BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
CHOICES: list[tuple[str, Any]] = [(i.code, i.label) for i in INDICATORS]


def aggregate_totals(reports: QuerySet[InventoryReport]) -> dict[str, int]:
    """Every sum the indicators read, in one query over `reports`."""
    provincial_district = Q(level__in=[Level.PROVINCE, Level.DISTRICT])
    dept_district = Q(category__in=[Category.DEPARTMENT, Category.DISTRICT_COMMITTEE])
    uses_qlvb = Exists(
        InventoryReport.software.through.objects.filter(
            inventoryreport_id=OuterRef("pk"), software__code=Software.DOCUMENT_MANAGEMENT
        )
    )
    row = reports.annotate(uses_qlvb=uses_qlvb).aggregate(
        pd_staff=Sum("staff", filter=provincial_district),
        pd_staff_with_computer=Sum("staff_with_computer", filter=provincial_district),
        servers=Sum("servers"),
        network_points=Sum("dedicated_network_points"),
        communes_connected=Count(
            "pk", filter=Q(category=Category.COMMUNE_COMMITTEE, dedicated_network=True)
        ),
        lans=Sum("lans"),
        lans_protected=Sum("lans_protected"),
        computers=Sum("computers"),
        computers_with_antivirus=Sum("computers_with_antivirus"),
        dd_agencies=Count("pk", filter=dept_district),
        dd_with_document_management=Count("pk", filter=dept_district & Q(uses_qlvb=True)),
        agencies=Count("pk"),
        agencies_with_it_staff=Count("pk", filter=Q(it_staff__gt=0)),
    )
    return {key: int(value or 0) for key, value in row.items()}


def compute_all(reports: QuerySet[InventoryReport]) -> dict[str, Decimal | int | None]:
    """Every indicator's value over `reports` (None where its denominator is zero)."""
    totals = aggregate_totals(reports)
    if not totals["agencies"]:
        return {indicator.code: None for indicator in INDICATORS}
    return {indicator.code: indicator.compute(totals) for indicator in INDICATORS}


def progress(value: Decimal | int | None, target: Decimal | int | None) -> Decimal | None:
    """value / target × 100 (how far toward the target), or None."""
    if value is None or target is None or not target:
        return None
    return (Decimal(value) * 100 / Decimal(target)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def is_on_track(
    value: Decimal | int | None,
    target: Decimal | int | None,
    *,
    start: datetime.date,
    due: datetime.date | None,
    as_of: datetime.date,
) -> bool | None:
    """Reached, or at least as far toward the target as the time elapsed from `start` to
    `due` at `as_of` (a straight line); None without a value or a target."""
    if value is None or target is None or due is None:
        return None
    if Decimal(value) >= Decimal(target):
        return True
    if as_of >= due:
        return False
    span = (due - start).days
    elapsed = max(0, (as_of - start).days)
    expected = Decimal(target) * Decimal(elapsed) / Decimal(span) if span > 0 else Decimal(0)
    return Decimal(value) >= expected
