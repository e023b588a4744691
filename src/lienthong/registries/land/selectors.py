"""Reads of the land registry: who sees which parcels, and what the map asks for.

The map asks for the parcels of its view (a box, or an XYZ tile). Below zoom
`MIN_FEATURE_ZOOM` a view holds whole communes — tens of thousands of parcels that nobody can
see one by one — so it gets one point per commune (count, area, box) instead. From that
zoom on it gets the parcels' shapes, at most `FEATURE_CAP` of them; a fuller view is flagged
`truncated` so the page asks the user to zoom in. Either answer is a handful of indexed range
scans (`models.bbox_condition`), fast at 100,000 parcels on both databases
(bench/bench_land.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import Exists, F, Max, Min, OuterRef, QuerySet, Sum
from django.db.models.lookups import StartsWith

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import grants_of, is_real_user
from lienthong.registries.base.addresses import unit_index
from lienthong.registries.base.models import REGISTRY_OWNER_ROLE, has_read_grant
from lienthong.registries.land import landuse
from lienthong.registries.land.geometry import BBox
from lienthong.registries.land.models import (
    REGISTRY,
    BaseLayer,
    Parcel,
    ParcelQuerySet,
    ParcelSummary,
)

#: From this zoom on the map shows parcels; below it, one point per commune.
MIN_FEATURE_ZOOM = 15
#: Most parcels one map request returns (a 1920×1080 view at zoom 17 holds about 1,500
#: town lots).
FEATURE_CAP = 2000


def visible_owners(user: Any) -> list[int] | None:
    """Owner agencies whose parcels `user` may read: None for all, else their ids.

    The rule of `Parcel.objects.visible_to` (superusers and read grants see everything;
    registry officials the parcels owned within their units), resolved once per request.
    """
    if not is_real_user(user):
        return []
    if user.is_superuser or has_read_grant(user, REGISTRY):
        return None
    grants = grants_of(user, [REGISTRY_OWNER_ROLE]).filter(
        StartsWith(OuterRef("path"), F("org_unit__path"))
    )
    return list(OrgUnit.objects.filter(Exists(grants)).values_list("pk", flat=True))


def visible_parcels(user: Any) -> ParcelQuerySet:
    """The live parcels `user` may read — `Parcel.objects.visible_to(user)`, cheaper per row.

    The base's `visible_to` tests the owner's path per row (a correlated EXISTS); a map or a
    commune summary reads tens of thousands of rows, so the owner units are looked up once
    and matched as a plain `owner_id IN (…)`. Same rows, same rules.
    """
    owners = visible_owners(user)
    qs = cast(ParcelQuerySet, Parcel.objects.all())
    if owners is None:
        return qs
    if not owners:
        return qs.none()
    # A unary plus keeps the planner off the owner index: one agency owns most parcels, and
    # SQLite (without statistics) would read all of them instead of the box index.
    quote = connection.ops.quote_name
    column = f"{quote(Parcel._meta.db_table)}.{quote('owner_id')}"
    placeholders = ", ".join(["%s"] * len(owners))
    return cast(
        ParcelQuerySet,
        qs.extra(where=[f"+{column} IN ({placeholders})"], params=owners),
    )


def visible_layers(user: Any) -> QuerySet[BaseLayer]:
    """Base layers an official may see: all live ones (they hold no personal data)."""
    if not is_real_user(user):
        return BaseLayer.objects.none()
    return BaseLayer.objects.alive()


@dataclass(frozen=True)
class MapAnswer:
    """What one map request gets: a GeoJSON FeatureCollection as text, and its summary."""

    mode: str  # "parcels" or "communes"
    count: int
    truncated: bool
    body: str


def _filtered(qs: QuerySet[Any], filters: dict[str, str] | None) -> QuerySet[Any]:
    """The map's filters: main land use, commune (the same on parcels and summaries)."""
    filters = filters or {}
    if filters.get("land_use"):
        qs = qs.filter(land_use_main=filters["land_use"].strip().upper())
    if filters.get("commune"):
        qs = qs.filter(commune=filters["commune"].strip())
    return qs


def map_features(
    user: Any,
    bbox: BBox,
    *,
    zoom: int,
    filters: dict[str, str] | None = None,
    cap: int = FEATURE_CAP,
) -> MapAnswer:
    """The map layer for a view: parcels from `MIN_FEATURE_ZOOM` on, commune points below."""
    if zoom < MIN_FEATURE_ZOOM:
        return commune_summary(user, bbox, filters)
    qs = _filtered(visible_parcels(user).in_bbox(bbox), filters)
    rows = list(
        qs.order_by().values_list(
            "pk", "commune", "map_sheet", "parcel_number", "area", "land_use", "geometry"
        )[: cap + 1]
    )
    truncated = len(rows) > cap
    rows = rows[:cap]
    groups = {t.code: t.group for t in landuse.all_types()}
    # The shapes are stored as GeoJSON text: pasted in as they are, not parsed and re-dumped.
    parts = []
    for pk, commune, sheet, number, area, land_use, geometry in rows:
        # Built as text: json.dumps per feature was a third of the request's time. The codes
        # are validated on every write (digits; capitals and "+"), the numbers are numbers.
        parts.append(
            f'{{"type":"Feature","id":{pk},"geometry":{geometry or "null"},'
            f'"properties":{{"id":{pk},"commune":"{commune}","sheet":{sheet},'
            f'"number":{number},"area":{area},"land_use":"{land_use}",'
            f'"group":"{groups.get(land_use[:3], "")}"}}}}'
        )
    meta = {"mode": "parcels", "count": len(rows), "truncated": truncated, "zoom_in": truncated}
    body = (
        f'{{"type":"FeatureCollection","meta":{json.dumps(meta)},"features":[{",".join(parts)}]}}'
    )
    return MapAnswer("parcels", len(rows), truncated, body)


def commune_summary(user: Any, bbox: BBox, filters: dict[str, str] | None = None) -> MapAnswer:
    """One point per commune whose parcels reach into `bbox`: count, area, box, mean centre.

    Read from `ParcelSummary` (kept per commune, owner and main use), so it costs the same
    at 100 or 1,000,000 parcels.
    """
    qs = ParcelSummary.objects.all()
    owners = visible_owners(user)
    if owners is not None:
        qs = qs.filter(owner_id__in=owners)
    rows = (
        _filtered(qs, filters)
        .filter(located__gt=0, minx__lte=bbox[2], maxx__gte=bbox[0])
        .filter(miny__lte=bbox[3], maxy__gte=bbox[1])
        .order_by()
        .values("commune")
        .annotate(
            n=Sum("parcels"),
            total=Sum("area"),
            located=Sum("located"),
            x0=Min("minx"),
            y0=Min("miny"),
            x1=Max("maxx"),
            y1=Max("maxy"),
            sx=Sum("sum_lon"),
            sy=Sum("sum_lat"),
        )
    )
    units = unit_index().current
    features = []
    for row in rows:
        unit = units.get(row["commune"])
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(row["sx"] / row["located"], 6),
                        round(row["sy"] / row["located"], 6),
                    ],
                },
                "properties": {
                    "commune": row["commune"],
                    "name": unit.name if unit else row["commune"],
                    "count": row["n"],
                    "area": float(row["total"] or 0),
                    "bbox": [row["x0"], row["y0"], row["x1"], row["y1"]],
                },
            }
        )
    meta = {"mode": "communes", "count": len(features), "truncated": False, "zoom_in": True}
    body = json.dumps(
        {"type": "FeatureCollection", "meta": meta, "features": features}, ensure_ascii=False
    )
    return MapAnswer("communes", len(features), False, body)
