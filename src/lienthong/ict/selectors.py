"""Reads of the ICT inventory: indicator values per period, for pages, API and the dashboard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from lienthong.ict import indicators
from lienthong.ict.models import (
    Compliance,
    IndicatorTarget,
    InventoryReport,
    ReportingPeriod,
    ReportStatus,
)


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator's value for a period, with its target (chỉ tiêu) and standing."""

    code: str
    label: str
    value: Decimal | int | None
    unit: str
    target: Decimal | int | None
    target_due: datetime.date | None
    on_track: bool | None


def _period(period: ReportingPeriod | str | None) -> ReportingPeriod | None:
    if period is None or isinstance(period, ReportingPeriod):
        return period
    return ReportingPeriod.objects.filter(code=period).first()


def reporting_period_for(user: Any) -> ReportingPeriod | None:
    """The latest period with accepted reports the user may see, else with submitted ones."""
    visible = InventoryReport.objects.visible_to(user)
    for status in (ReportStatus.ACCEPTED, ReportStatus.SUBMITTED):
        found = (
            ReportingPeriod.objects.filter(pk__in=visible.filter(status=status).values("period"))
            .order_by("-start")
            .first()
        )
        if found is not None:
            return found
    return None


def counted_reports(user: Any, period: ReportingPeriod) -> QuerySet[InventoryReport]:
    """The reports whose figures make a period's indicators: the accepted ones the user may
    see, or the submitted ones when none is accepted yet."""
    visible = InventoryReport.objects.visible_to(user).filter(period=period)
    if visible.filter(status=ReportStatus.ACCEPTED).exists():
        return visible.filter(status=ReportStatus.ACCEPTED)
    return visible.filter(status=ReportStatus.SUBMITTED)


def target_for(code: str, period: ReportingPeriod) -> IndicatorTarget | None:
    """The indicator's target due soonest on or after the period's start."""
    return (
        IndicatorTarget.objects.filter(indicator=code, due__gte=period.start)
        .order_by("due", "pk")
        .first()
    )


def _number(value: Decimal) -> Decimal | int:
    return int(value) if value == value.to_integral_value() else value


def indicator_values(user: Any, period: ReportingPeriod) -> list[IndicatorValue]:
    """Every indicator for `period` over the agencies `user` may see, with targets."""
    return values_over(counted_reports(user, period), period)


def province_reports(period: ReportingPeriod) -> QuerySet[InventoryReport]:
    """Every agency's counted report of a period (the server's rights: commands, bench)."""
    reports = InventoryReport.objects.filter(period=period)
    if reports.filter(status=ReportStatus.ACCEPTED).exists():
        return reports.filter(status=ReportStatus.ACCEPTED)
    return reports.filter(status=ReportStatus.SUBMITTED)


def values_over(
    reports: QuerySet[InventoryReport], period: ReportingPeriod
) -> list[IndicatorValue]:
    """Every indicator over `reports` (of `period`), with the period's targets."""
    values = indicators.compute_all(reports)
    targets: dict[str, IndicatorTarget] = {}
    for row in IndicatorTarget.objects.filter(due__gte=period.start).order_by("-due", "-pk"):
        targets[row.indicator] = row  # the soonest due wins (iterated last)
    as_of = min(period.end, timezone.localdate())
    result = []
    for indicator in indicators.INDICATORS:
        value = values[indicator.code]
        target = targets.get(indicator.code)
        goal = _number(target.value) if target else None
        result.append(
            IndicatorValue(
                code=indicator.code,
                label=str(indicator.label),
                value=value,
                unit=indicator.unit,
                target=goal,
                target_due=target.due if target else None,
                on_track=indicators.is_on_track(
                    value,
                    goal,
                    start=period.start,
                    due=target.due if target else None,
                    as_of=as_of,
                ),
            )
        )
    return result


def dashboard_indicators(
    user: Any, period: ReportingPeriod | str | None = None
) -> list[IndicatorValue]:
    """The indicators for the leaders' dashboard.

    `period` (a `ReportingPeriod` or its code) defaults to the latest period with accepted
    reports the user may see (or, when none is accepted, submitted ones). Values are computed
    over the agencies the user may see: province-wide for the provincial leaders and the IT
    department. Without any such report every value is None.
    """
    chosen = _period(period) if period is not None else reporting_period_for(user)
    if chosen is None:
        return [
            IndicatorValue(i.code, str(i.label), None, i.unit, None, None, None)
            for i in indicators.INDICATORS
        ]
    return indicator_values(user, chosen)


def evidence_response(answer: Compliance) -> HttpResponse:
    """An answer's evidence file as a download (the page and the API serve it alike); the caller
    has checked that the user may see the agency and that there is a file."""
    from lienthong.core.uploads import content_type_of

    # Evidence is bounded by the upload limit, so it is sent whole rather than streamed.
    with answer.evidence.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type=content_type_of(answer.evidence.name or ""))
    name = answer.evidence_name or (answer.evidence.name or "").rsplit("/", 1)[-1]
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
