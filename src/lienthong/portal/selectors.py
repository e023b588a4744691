"""Reads of the portal: what the public pages show, and how long a page may stay cached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from lienthong.portal.models import Article, ArticleQuerySet, Category

PAGE_TTL = 300  # seconds: news pages
STATS_TTL = 300  # seconds: the statistics are "live" to within five minutes


def live_articles(now: datetime | None = None) -> ArticleQuerySet:
    return Article.objects.live(now).select_related("category").newest_first()


def cache_seconds(default: int = PAGE_TTL, now: datetime | None = None) -> int:
    """How long a page may be cached: never past the next scheduled publication."""
    now = now or timezone.now()
    upcoming = (
        Article.objects.scheduled(now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is None:
        return default
    return max(1, min(default, int((upcoming - now).total_seconds()) + 1))


@dataclass(frozen=True)
class HomePage:
    """The home page's parts."""

    featured: list[Article]
    latest: list[Article]
    by_category: list[tuple[Category, list[Article]]]


def home_page(now: datetime | None = None) -> HomePage:
    now = now or timezone.now()
    featured = list(live_articles(now).filter(is_featured=True)[:3])
    shown = {a.pk for a in featured}
    latest = [a for a in live_articles(now)[:13] if a.pk not in shown][:10]
    by_category = []
    for category in Category.objects.all()[:6]:
        items = list(live_articles(now).filter(category=category)[:4])
        if items:
            by_category.append((category, items))
    return HomePage(featured=featured, latest=latest, by_category=by_category)


#: URL names tried for the complaints app's public pages: the portal's contract first, then
#: the names the complaints app (issue 8) uses today.
COMPLAINTS_URL_NAMES = {
    "public_form": ("complaints:public_form", "complaints:file"),
    "public_lookup": ("complaints:public_lookup", "complaints:lookup"),
}


def complaints_links() -> dict[str, str] | None:
    """The complaints app's public form and lookup, when an app `lienthong.complaints` is
    installed and names them (COMPLAINTS_URL_NAMES); None otherwise."""
    if not apps.is_installed("lienthong.complaints"):
        return None
    links = {}
    for key, names in COMPLAINTS_URL_NAMES.items():
        for name in names:
            try:
                links[key] = reverse(name)
                break
            except NoReverseMatch:
                continue
    return links or None


@dataclass(frozen=True)
class TrendPoint:
    """One month of the trend chart."""

    label: str
    received: int
    on_time: int
    late: int


def statistics(today: date | None = None) -> dict[str, Any]:
    """Form II.06a for the year so far per agency and per field, and a 12-month trend."""
    from lienthong.onestop import stats

    today = today or timezone.localdate()
    year_start = date(today.year, 1, 1)
    by_agency = stats.ii06a(year_start, today, group_by="agency")
    by_field = stats.ii06a(year_start, today, group_by="field")
    trend: list[TrendPoint] = []
    month_start = date(today.year, today.month, 1)
    starts = []
    for _ in range(12):
        starts.append(month_start)
        month_start = (month_start - timedelta(days=1)).replace(day=1)
    for start in reversed(starts):
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        report = stats.ii06a(start, min(end, today), group_by="field")
        total = report.total
        trend.append(
            TrendPoint(
                label=start.strftime("%m/%Y"),
                received=total.received_new,
                on_time=total.settled_early + total.settled_on_time,
                late=total.settled_late + total.pending_overdue,
            )
        )
    return {"by_agency": by_agency, "by_field": by_field, "trend": trend, "as_of": today}
