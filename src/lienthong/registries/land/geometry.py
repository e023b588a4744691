"""Parcel geometry in plain Python: GeoJSON and WKT polygons, validation, area, centroid, bbox.

The platform runs on SQLite and PostgreSQL without GDAL or PostGIS, so a parcel's shape is
stored as GeoJSON text (WGS 84 longitude/latitude, as the VN-2000 coordinates of cadastral
maps are converted before import) beside its bounding box in four indexed float columns;
spatial filters are box overlaps on those columns (`models.ParcelQuerySet.in_bbox`).

Validation answers in Vietnamese and names the ring or point at fault. Rings must be closed
and have at least three distinct corners, must not cross themselves, and every point must lie
within Vietnam's extent (the mainland and the Hoàng Sa and Trường Sa archipelagos). Areas are
computed on the WGS 84 ellipsoid through a local equal-area projection around the shape: for a
parcel the error is far below a square metre.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _

#: (min lon, min lat, max lon, max lat): mainland Vietnam (102.14–109.47 E, 8.56–23.39 N)
#: widened to take in the Hoàng Sa (to ~112.9 E) and Trường Sa (to ~117.8 E, ~6.2 N)
#: archipelagos, with a margin for points measured at the border.
VIETNAM_BOUNDS = (102.0, 6.0, 118.0, 23.5)
#: Decimal places kept for coordinates: 1e-7 degree is about 1 cm.
PRECISION = 7
#: A parcel with more corners than this is refused: real parcels have tens, not thousands.
MAX_VERTICES = 5000
#: Self-intersection is checked on rings up to this many corners (the check is quadratic).
MAX_CHECKED_RING = 1000
#: WGS 84 ellipsoid.
_A = 6378137.0
_E2 = 0.00669437999014

Position = tuple[float, float]
Ring = tuple[Position, ...]
PolygonRings = tuple[Ring, ...]
BBox = tuple[float, float, float, float]


class GeometryError(ValueError):
    """A shape that cannot be stored, with the Vietnamese reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Geometry:
    """A validated Polygon or MultiPolygon: a list of polygons, each an outer ring and holes."""

    polygons: tuple[PolygonRings, ...]

    @property
    def geom_type(self) -> str:
        """ "Polygon" for one polygon, else "MultiPolygon"."""
        return "Polygon" if len(self.polygons) == 1 else "MultiPolygon"

    def as_geojson(self) -> dict[str, Any]:
        """The GeoJSON geometry object."""
        polys = [[[list(p) for p in ring] for ring in poly] for poly in self.polygons]
        if len(polys) == 1:
            return {"type": "Polygon", "coordinates": polys[0]}
        return {"type": "MultiPolygon", "coordinates": polys}

    def to_json(self) -> str:
        """Compact GeoJSON text: what the database stores."""
        return json.dumps(self.as_geojson(), separators=(",", ":"))

    def to_wkt(self) -> str:
        """The shape as WKT (POLYGON or MULTIPOLYGON), for exports read by desktop GIS."""

        def ring(r: Ring) -> str:
            return "(" + ", ".join(f"{_num(x)} {_num(y)}" for x, y in r) + ")"

        def poly(p: PolygonRings) -> str:
            return "(" + ", ".join(ring(r) for r in p) + ")"

        if len(self.polygons) == 1:
            return "POLYGON " + poly(self.polygons[0])
        return "MULTIPOLYGON (" + ", ".join(poly(p) for p in self.polygons) + ")"

    @cached_property
    def bbox(self) -> BBox:
        """(min lon, min lat, max lon, max lat) of the outer rings."""
        xs = [x for poly in self.polygons for x, _y in poly[0]]
        ys = [y for poly in self.polygons for _x, y in poly[0]]
        return (min(xs), min(ys), max(xs), max(ys))

    def _projection(self) -> tuple[float, float, float, float]:
        minx, miny, maxx, maxy = self.bbox
        lon0, lat0 = (minx + maxx) / 2, (miny + maxy) / 2
        s = math.sin(math.radians(lat0))
        w = 1 - _E2 * s * s
        # Radii of curvature at the shape's middle: along the meridian and the prime vertical.
        meridional = _A * (1 - _E2) / w**1.5
        normal = _A / math.sqrt(w)
        return lon0, lat0, meridional, normal

    @cached_property
    def _moments(self) -> list[tuple[float, float, float]]:
        return self._ring_moments()

    def _ring_moments(self) -> list[tuple[float, float, float]]:
        """(signed-by-role area, Σx·a, Σy·a) per ring in metres around the projection origin.

        Outer rings count positive and holes negative whatever their winding.
        """
        lon0, lat0, meridional, normal = self._projection()
        out = []
        for poly in self.polygons:
            for index, ring in enumerate(poly):
                # Sinusoidal-like projection: x shrinks with cos(latitude) point by point, which
                # keeps areas (the projection is equal-area on the sphere of these radii).
                pts = [
                    (
                        math.radians(x - lon0) * normal * math.cos(math.radians(y)),
                        math.radians(y - lat0) * meridional,
                    )
                    for x, y in ring
                ]
                a = cx = cy = 0.0
                for (x1, y1), (x2, y2) in pairwise(pts):
                    cross = x1 * y2 - x2 * y1
                    a += cross
                    cx += (x1 + x2) * cross
                    cy += (y1 + y2) * cross
                a /= 2
                if a == 0:
                    out.append((0.0, 0.0, 0.0))
                    continue
                sign = (1 if index == 0 else -1) * (1 if a > 0 else -1)
                # Σ(x1+x2)·cross / 6 is the first moment: centroid·area.
                out.append((sign * a, sign * cx / 6, sign * cy / 6))
        return out

    @property
    def area_m2(self) -> float:
        """Area in square metres on the WGS 84 ellipsoid (holes taken out)."""
        return max(0.0, sum(m[0] for m in self._moments))

    @property
    def centroid(self) -> Position:
        """(lon, lat) of the area-weighted centroid (falls back to the bbox centre)."""
        moments = self._moments
        area = sum(m[0] for m in moments)
        minx, miny, maxx, maxy = self.bbox
        if area <= 0:
            return ((minx + maxx) / 2, (miny + maxy) / 2)
        lon0, lat0, meridional, normal = self._projection()
        y = sum(m[2] for m in moments) / area
        x = sum(m[1] for m in moments) / area
        lat = lat0 + math.degrees(y / meridional)
        lon = lon0 + math.degrees(x / (normal * math.cos(math.radians(lat))))
        return (round(lon, PRECISION), round(lat, PRECISION))

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies inside the shape (in an outer ring and in none of its holes)."""
        for poly in self.polygons:
            if point_in_ring(lon, lat, poly[0]) and not any(
                point_in_ring(lon, lat, hole) for hole in poly[1:]
            ):
                return True
        return False


def _num(value: float) -> str:
    return f"{value:.{PRECISION}f}".rstrip("0").rstrip(".")


def point_in_ring(x: float, y: float, ring: Sequence[Position]) -> bool:
    """Ray casting: whether (x, y) lies inside the closed ring."""
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


# --- Parsing --------------------------------------------------------------------------------


def parse_geometry(value: str | dict[str, Any] | Geometry) -> Geometry:
    """A validated shape from GeoJSON (text or object; a Feature is unwrapped) or WKT text.

    Raises GeometryError with a Vietnamese message.
    """
    if isinstance(value, Geometry):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise GeometryError(_("Chưa có hình thửa đất."))
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                raise GeometryError(_("Hình thửa đất không phải GeoJSON hợp lệ.")) from None
        else:
            return parse_wkt(text)
    if not isinstance(value, dict):
        raise GeometryError(_("Hình thửa đất phải là một đối tượng GeoJSON hoặc chuỗi WKT."))
    return _from_geojson(value)


def _from_geojson(obj: dict[str, Any]) -> Geometry:
    kind = obj.get("type")
    if kind == "Feature":
        geometry = obj.get("geometry")
        if not isinstance(geometry, dict):
            raise GeometryError(_("Feature GeoJSON không có hình (geometry)."))
        return _from_geojson(geometry)
    coords = obj.get("coordinates")
    if kind == "Polygon":
        return validate([_polygon(coords, 1)])
    if kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise GeometryError(_("MultiPolygon phải có ít nhất một đa giác."))
        return validate([_polygon(p, i + 1) for i, p in enumerate(coords)])
    raise GeometryError(
        _("Chỉ nhận hình kiểu Polygon hoặc MultiPolygon, không nhận “%(type)s”.")
        % {"type": kind if isinstance(kind, str) else "?"}
    )


def _polygon(coords: Any, number: int) -> list[list[Position]]:
    if not isinstance(coords, list) or not coords:
        raise GeometryError(_("Đa giác %(n)s không có vòng nào.") % {"n": number})
    return [_ring(ring, number, i + 1) for i, ring in enumerate(coords)]


def _ring(coords: Any, poly: int, ring: int) -> list[Position]:
    if not isinstance(coords, list):
        raise GeometryError(_("Vòng %(ring)s phải là danh sách các điểm.") % {"ring": ring})
    return [_position(p, poly, ring) for p in coords]


_NUMBERS = (int, float)


def _position(value: Any, poly: int, ring: int) -> Position:
    # Plain type tests: this runs for every point of every imported shape.
    if type(value) in (list, tuple) and len(value) >= 2:
        x, y = value[0], value[1]
        if type(x) in _NUMBERS and type(y) in _NUMBERS and math.isfinite(x) and math.isfinite(y):
            return (float(x), float(y))
    raise GeometryError(
        _("Điểm %(point)s của vòng %(ring)s không phải cặp số [kinh độ, vĩ độ].")
        % {"point": json.dumps(value)[:60], "ring": ring}
    )


_WKT_TOKEN = re.compile(r"\s*(?:(\()|(\))|(,)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))")
_WKT_HEAD = re.compile(r"^\s*(?:SRID=(\d+)\s*;)?\s*(MULTIPOLYGON|POLYGON)\s*(Z|M|ZM)?\s*", re.I)


def parse_wkt(text: str) -> Geometry:
    """A validated shape from WKT: POLYGON ((x y, …), …) or MULTIPOLYGON (((x y, …)), …).

    An EWKT prefix `SRID=4326;` is accepted; other reference systems are refused (convert
    VN-2000 coordinates to WGS 84 first). A third (Z) ordinate is dropped.
    """
    head = _WKT_HEAD.match(text)
    if head is None:
        raise GeometryError(
            _("Hình thửa đất không phải WKT hợp lệ: cần POLYGON hoặc MULTIPOLYGON.")
        )
    if head.group(1) and head.group(1) != "4326":
        raise GeometryError(
            _("Chỉ nhận tọa độ WGS 84 (SRID 4326), không nhận SRID %(srid)s.")
            % {"srid": head.group(1)}
        )
    tokens: list[str] = []
    pos = head.end()
    body = text.rstrip()
    while pos < len(body):
        match = _WKT_TOKEN.match(body, pos)
        if match is None or match.end() == pos:
            raise GeometryError(
                _("WKT có ký tự không hợp lệ ở vị trí %(pos)s: “%(text)s”.")
                % {"pos": pos + 1, "text": body[pos : pos + 12]}
            )
        tokens.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    nested, rest = _wkt_group(tokens, 0)
    if rest != len(tokens):
        raise GeometryError(_("WKT có phần thừa sau dấu ngoặc đóng cuối cùng."))
    is_multi = head.group(2).upper() == "MULTIPOLYGON"
    depth = _depth(nested)
    if depth != (4 if is_multi else 3):
        raise GeometryError(_("Số lớp ngoặc của WKT không đúng với kiểu hình."))
    polys = nested if is_multi else [nested]
    return validate([[[(pt[0], pt[1]) for pt in ring] for ring in poly] for poly in polys])


def _wkt_group(tokens: list[str], i: int) -> tuple[Any, int]:
    """Parse "( … )" from tokens[i]: a list of groups or a list of points."""
    if i >= len(tokens) or tokens[i] != "(":
        raise GeometryError(_("WKT thiếu dấu ngoặc mở."))
    i += 1
    items: list[Any] = []
    if i < len(tokens) and tokens[i] == "(":
        while True:
            item, i = _wkt_group(tokens, i)
            items.append(item)
            if i < len(tokens) and tokens[i] == ",":
                i += 1
                continue
            break
    else:
        point: list[float] = []
        while i < len(tokens) and tokens[i] not in ("(", ")"):
            if tokens[i] == ",":
                if len(point) < 2:
                    raise GeometryError(_("WKT có điểm thiếu tọa độ."))
                items.append(point)
                point = []
            else:
                point.append(float(tokens[i]))
            i += 1
        if len(point) < 2:
            raise GeometryError(_("WKT có điểm thiếu tọa độ."))
        items.append(point)
    if i >= len(tokens) or tokens[i] != ")":
        raise GeometryError(_("WKT thiếu dấu ngoặc đóng."))
    return items, i + 1


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list):
        depth += 1
        value = value[0] if value else None
    return depth


# --- Validation -----------------------------------------------------------------------------


def validate(polygons: Iterable[Sequence[Sequence[Position]]]) -> Geometry:
    """Check rings and coordinates; return the shape with coordinates rounded to ~1 cm."""
    minx, miny, maxx, maxy = VIETNAM_BOUNDS
    result: list[PolygonRings] = []
    vertices = 0
    for poly_index, poly in enumerate(polygons, start=1):
        rings: list[Ring] = []
        for ring_index, ring in enumerate(poly, start=1):
            vertices += len(ring)
            if vertices > MAX_VERTICES:
                raise GeometryError(_("Hình thửa đất có quá %(max)s điểm.") % {"max": MAX_VERTICES})
            for x, y in ring:
                if not (minx <= x <= maxx and miny <= y <= maxy):
                    hint = ""
                    if minx <= y <= maxx and miny <= x <= maxy:
                        hint = " " + _(
                            "Có thể đã đảo thứ tự: GeoJSON ghi kinh độ trước, vĩ độ sau."
                        )
                    raise GeometryError(
                        _(
                            "Điểm (%(x)s, %(y)s) của %(ring)s nằm ngoài lãnh thổ Việt Nam "
                            "(kinh độ %(minx)s–%(maxx)s, vĩ độ %(miny)s–%(maxy)s)."
                        )
                        % {
                            "x": _num(x),
                            "y": _num(y),
                            "ring": _ring_name(poly_index, ring_index),
                            "minx": _num(minx),
                            "maxx": _num(maxx),
                            "miny": _num(miny),
                            "maxy": _num(maxy),
                        }
                        + hint
                    )
            if len(ring) < 4:
                raise GeometryError(
                    _("%(ring)s cần ít nhất 4 điểm (3 đỉnh và điểm khép lại vòng).")
                    % {"ring": _ring_name(poly_index, ring_index).capitalize()}
                )
            if tuple(ring[0]) != tuple(ring[-1]):
                raise GeometryError(
                    _("%(ring)s chưa khép kín: điểm cuối phải trùng điểm đầu.")
                    % {"ring": _ring_name(poly_index, ring_index).capitalize()}
                )
            rounded = tuple((round(x, PRECISION), round(y, PRECISION)) for x, y in ring)
            if len(set(rounded[:-1])) < 3:
                raise GeometryError(
                    _("%(ring)s cần ít nhất 3 đỉnh khác nhau.")
                    % {"ring": _ring_name(poly_index, ring_index).capitalize()}
                )
            if len(rounded) <= MAX_CHECKED_RING and _self_intersects(rounded):
                raise GeometryError(
                    _("%(ring)s tự cắt nhau (các cạnh cắt chéo).")
                    % {"ring": _ring_name(poly_index, ring_index).capitalize()}
                )
            rings.append(rounded)
        result.append(tuple(rings))
    if not result:
        raise GeometryError(_("Chưa có hình thửa đất."))
    geometry = Geometry(tuple(result))
    if geometry.area_m2 <= 0:
        raise GeometryError(_("Diện tích của hình thửa đất bằng 0."))
    return geometry


def _ring_name(poly: int, ring: int) -> str:
    # Untranslated pieces would leak English: both words go through gettext.
    label = _("vòng ngoài") if ring == 1 else _("lỗ thứ %(n)s") % {"n": ring - 1}
    return _("%(ring)s của đa giác %(poly)s") % {"ring": label, "poly": poly}


def _orientation(a: Position, b: Position, c: Position) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: Position, b: Position, p: Position) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_cross(p1: Position, p2: Position, q1: Position, q2: Position) -> bool:
    d1 = _orientation(q1, q2, p1)
    d2 = _orientation(q1, q2, p2)
    d3 = _orientation(p1, p2, q1)
    d4 = _orientation(p1, p2, q2)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    # Touching or overlapping collinear pieces of non-adjacent edges also make a bad ring.
    return (
        (d1 == 0 and _on_segment(q1, q2, p1))
        or (d2 == 0 and _on_segment(q1, q2, p2))
        or (d3 == 0 and _on_segment(p1, p2, q1))
        or (d4 == 0 and _on_segment(p1, p2, q2))
    )


def _self_intersects(ring: Ring) -> bool:
    """Whether two non-adjacent edges of the closed ring meet."""
    edges = list(pairwise(ring))
    n = len(edges)
    for i in range(n):
        # Bounding boxes first: most pairs are far apart.
        a1, a2 = edges[i]
        ax0, ax1 = sorted((a1[0], a2[0]))
        ay0, ay1 = sorted((a1[1], a2[1]))
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # the first and last edges share the closing point
            b1, b2 = edges[j]
            if max(b1[0], b2[0]) < ax0 or min(b1[0], b2[0]) > ax1:
                continue
            if max(b1[1], b2[1]) < ay0 or min(b1[1], b2[1]) > ay1:
                continue
            if _segments_cross(a1, a2, b1, b2):
                return True
    return False


def area_mismatch(geometry: Geometry, declared_m2: float, *, tolerance: float) -> str | None:
    """A warning when the declared area differs from the shape's by more than `tolerance`.

    Cadastral areas are measured on VN-2000 projections and rounded, so a small difference
    is normal; a large one hints at a wrong shape or a typing error, but is not refused.
    """
    measured = geometry.area_m2
    if measured <= 0 or declared_m2 <= 0:
        return None
    diff = abs(declared_m2 - measured) / measured
    if diff <= tolerance:
        return None
    return _(
        "Diện tích ghi (%(declared)s m²) lệch %(pct)s%% so với diện tích tính từ hình "
        "(%(measured)s m²)."
    ) % {
        "declared": f"{declared_m2:,.1f}".replace(",", "."),
        "pct": f"{diff * 100:.0f}",
        "measured": f"{measured:,.1f}".replace(",", "."),
    }


# --- Boxes and tiles ------------------------------------------------------------------------


def parse_bbox(text: str) -> BBox:
    """A box "min_lon,min_lat,max_lon,max_lat" as floats; GeometryError when malformed."""
    parts = [p.strip() for p in (text or "").split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise GeometryError(
            _(
                "Khung bản đồ (bbox) phải là 4 số: kinh độ nhỏ nhất, vĩ độ nhỏ nhất, "
                "kinh độ lớn nhất, vĩ độ lớn nhất."
            )
        )
    minx, miny, maxx, maxy = values
    if not (
        -180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90
    ):
        raise GeometryError(_("Khung bản đồ (bbox) có tọa độ ngoài phạm vi kinh độ, vĩ độ."))
    if minx > maxx or miny > maxy:
        raise GeometryError(_("Khung bản đồ (bbox): giá trị nhỏ nhất lớn hơn giá trị lớn nhất."))
    return (minx, miny, maxx, maxy)


def tile_bbox(z: int, x: int, y: int) -> BBox:
    """The lon/lat box of the XYZ (Web Mercator, "slippy map") tile z/x/y."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return (x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y))


def boxes_overlap(a: BBox, b: BBox) -> bool:
    """Whether two boxes share at least a point (touching edges count)."""
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]
