"""Synthetic parcels for the demo and the benchmark: realistic sizes, laid out like a cadastre.

A commune gets a made-up boundary (an irregular polygon around its centre point, sized like
the merged communes of 2025); parcels are laid out sheet by sheet (tờ bản đồ, 500 m × 500 m
as at 1:2000), spiralling out from the centre, in rows separated by lanes. Neighbouring lots
share their side edges, rows lean a little and side edges are skewed, so the map looks like a
cadastral sheet rather than a grid. Town lots are narrow and deep (60–250 m²), village house
lots larger (200–800 m²), fields and gardens 0.1–0.6 ha. Everything is deterministic for a
given seed. No real parcel, boundary or owner is described.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from lienthong.registries.land.geometry import Geometry, PolygonRings, Ring

#: Side of one map sheet in metres (a 1:2000 sheet of 50 cm × 50 cm covers 1 km; cadastral
#: sheets of built-up areas are often 1:1000 or 1:500, so half that is a fair middle).
SHEET_M = 500.0
LANE_M = 6.0
_A = 6378137.0
_E2 = 0.00669437999014

#: (main use, extra uses) for the lots of a town sheet, with weights.
_Uses = list[tuple[tuple[str, ...], int]]
_TOWN_USES: _Uses = [
    (("ODT",), 78),
    (("ODT", "CLN"), 10),
    (("TMD",), 6),
    (("DGD",), 2),
    (("DCH",), 1),
    (("DSH",), 1),
    (("TON",), 1),
    (("DYT",), 1),
]
_VILLAGE_USES: _Uses = [
    (("ONT",), 55),
    (("ONT", "CLN"), 35),
    (("TMD",), 4),
    (("DSH",), 3),
    (("TIN",), 3),
]
_FIELD_USES: _Uses = [
    (("LUC",), 35),
    (("LUK",), 10),
    (("CLN",), 30),
    (("BHK",), 10),
    (("NTS",), 8),
    (("RSX",), 5),
    (("NTD",), 2),
]


@dataclass(frozen=True)
class SyntheticParcel:
    """One generated parcel: sheet and parcel number, shape, area and land-use codes."""

    sheet: int
    number: int
    geometry: Geometry
    area_m2: float
    land_use: tuple[str, ...]


class _Frame:
    """Metres around a centre point ↔ longitude/latitude (local tangent plane)."""

    def __init__(self, lon: float, lat: float) -> None:
        self.lon0, self.lat0 = lon, lat
        s = math.sin(math.radians(lat))
        w = 1 - _E2 * s * s
        self.m_per_deg_lat = math.radians(1) * _A * (1 - _E2) / w**1.5
        self.m_per_deg_lon = math.radians(1) * _A / math.sqrt(w) * math.cos(math.radians(lat))

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return (
            round(self.lon0 + x / self.m_per_deg_lon, 7),
            round(self.lat0 + y / self.m_per_deg_lat, 7),
        )


def commune_boundary(lon: float, lat: float, *, radius_m: float, seed: int = 0) -> Geometry:
    """A made-up commune boundary: an irregular 24-gon of about `radius_m` around the point."""
    rnd = random.Random(seed)
    frame = _Frame(lon, lat)
    sides = 24
    points = []
    for k in range(sides):
        angle = 2 * math.pi * k / sides
        r = radius_m * rnd.uniform(0.8, 1.15)
        points.append(frame.lonlat(r * math.cos(angle), r * math.sin(angle)))
    points.append(points[0])
    ring: Ring = tuple(points)
    return Geometry(((ring,),))


def _sheet_order() -> Iterator[tuple[int, int]]:
    """Sheet offsets (i, j) spiralling out from (0, 0): the centre is mapped first."""
    yield (0, 0)
    r = 1
    while True:
        for i in range(-r, r + 1):
            for j in range(-r, r + 1):
                if max(abs(i), abs(j)) == r:
                    yield (i, j)
        r += 1


def _pick(rnd: random.Random, table: list[tuple[tuple[str, ...], int]]) -> tuple[str, ...]:
    return rnd.choices([uses for uses, _w in table], weights=[w for _u, w in table])[0]


def parcels(
    lon: float,
    lat: float,
    *,
    count: int,
    seed: int = 0,
    urban: bool = True,
    boundary: Geometry | None = None,
    max_sheets: int = 400,
    first_sheet: int = 1,
) -> Iterator[SyntheticParcel]:
    """Yield up to `count` parcels laid out around (lon, lat), inside `boundary` if given.

    Sheets are numbered along the spiral; `first_sheet` skips the sheets before it, so a
    second run continues outward where the first stopped.
    """
    rnd = random.Random(seed)
    frame = _Frame(lon, lat)
    made = 0
    for sheet_no, (i, j) in enumerate(_sheet_order(), start=1):
        if sheet_no < first_sheet:
            continue
        if made >= count or sheet_no >= first_sheet + max_sheets:
            return
        x0, y0 = (i - 0.5) * SHEET_M, (j - 0.5) * SHEET_M
        kind = "town" if urban else ("village" if rnd.random() < 0.35 else "field")
        number = 0
        y = y0
        while y < y0 + SHEET_M and made < count:
            if kind == "town":
                depth, widths = rnd.uniform(15, 25), (4.0, 10.0)
            elif kind == "village":
                depth, widths = rnd.uniform(25, 40), (8.0, 20.0)
            else:
                depth, widths = rnd.uniform(50, 100), (20.0, 60.0)
            if y + depth > y0 + SHEET_M:
                break
            slope = rnd.uniform(-0.03, 0.03)
            x = x0
            # Side edge k runs from (bottom_x, …) to (bottom_x + skew, …): shared by two lots.
            edge = (x, rnd.uniform(-1.5, 1.5))
            while made < count:
                width = rnd.uniform(*widths)
                if x + width > x0 + SHEET_M:
                    break
                nxt = (x + width, rnd.uniform(-1.5, 1.5))
                corners = [
                    (edge[0], y + slope * (edge[0] - x0)),
                    (nxt[0], y + slope * (nxt[0] - x0)),
                    (nxt[0] + nxt[1], y + depth + slope * (nxt[0] - x0)),
                    (edge[0] + edge[1], y + depth + slope * (edge[0] - x0)),
                ]
                ring = tuple(frame.lonlat(cx, cy) for cx, cy in corners)
                polygon: PolygonRings = ((*ring, ring[0]),)
                geometry = Geometry((polygon,))
                edge, x = nxt, x + width
                if boundary is not None and not boundary.contains(*geometry.centroid):
                    continue
                number += 1
                made += 1
                table = {"town": _TOWN_USES, "village": _VILLAGE_USES}.get(kind, _FIELD_USES)
                yield SyntheticParcel(
                    sheet=sheet_no,
                    number=number,
                    geometry=geometry,
                    area_m2=round(geometry.area_m2, 1),
                    land_use=_pick(rnd, table),
                )
            y += depth + LANE_M
