"""Base layers (lớp bản đồ nền): checking an uploaded GeoJSON FeatureCollection.

A layer holds any GeoJSON geometry (boundaries are polygons, roads lines, wells points).
It is checked once, when uploaded: valid JSON, a FeatureCollection (a single Feature or a
bare geometry is wrapped), known geometry types, numeric positions within Vietnam's extent.
The text is stored compact, with the feature count and the bounding box for the map.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from lienthong.registries.land.geometry import VIETNAM_BOUNDS, BBox, GeometryError

GEOMETRY_TYPES = {
    "Point": 1,
    "MultiPoint": 2,
    "LineString": 2,
    "MultiLineString": 3,
    "Polygon": 3,
    "MultiPolygon": 4,
}
#: A layer larger than this is refused: the map loads a layer whole.
MAX_LAYER_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CheckedLayer:
    """A valid layer: compact GeoJSON text, number of features, bounding box."""

    text: str
    feature_count: int
    bbox: BBox


def _positions(coords: Any, depth: int, where: str) -> list[tuple[float, float]]:
    if depth == 1:
        if (
            isinstance(coords, list)
            and len(coords) >= 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in coords[:2])
            and all(math.isfinite(v) for v in coords[:2])
        ):
            return [(float(coords[0]), float(coords[1]))]
        raise GeometryError(
            _("%(where)s: có điểm không phải cặp số [kinh độ, vĩ độ].") % {"where": where}
        )
    if not isinstance(coords, list) or not coords:
        raise GeometryError(_("%(where)s: tọa độ rỗng hoặc sai cấu trúc.") % {"where": where})
    out: list[tuple[float, float]] = []
    for item in coords:
        out += _positions(item, depth - 1, where)
    return out


def check_layer(raw: str | bytes) -> CheckedLayer:
    """Validate an uploaded layer; GeometryError with a Vietnamese message if it is not one."""
    if len(raw) > MAX_LAYER_BYTES:
        raise GeometryError(
            _("Lớp bản đồ lớn quá %(mb)s MB.") % {"mb": MAX_LAYER_BYTES // (1024 * 1024)}
        )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise GeometryError(_("Tệp không phải GeoJSON hợp lệ (JSON lỗi).")) from None
    if not isinstance(data, dict):
        raise GeometryError(_("GeoJSON phải là một đối tượng (FeatureCollection)."))
    if data.get("type") in GEOMETRY_TYPES:
        data = {"type": "Feature", "properties": {}, "geometry": data}
    if data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise GeometryError(_("GeoJSON phải là FeatureCollection có danh sách features."))
    features = data["features"]
    if not features:
        raise GeometryError(_("Lớp bản đồ không có đối tượng nào."))
    minx, miny, maxx, maxy = VIETNAM_BOUNDS
    box = [math.inf, math.inf, -math.inf, -math.inf]
    for index, feature in enumerate(features, start=1):
        where = _("Đối tượng %(n)s") % {"n": index}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
            raise GeometryError(
                _("%(where)s: không có hình hoặc kiểu hình không được hỗ trợ.") % {"where": where}
            )
        for x, y in _positions(
            geometry.get("coordinates"), GEOMETRY_TYPES[geometry["type"]], where
        ):
            if not (minx <= x <= maxx and miny <= y <= maxy):
                raise GeometryError(
                    _("%(where)s: điểm (%(x)s, %(y)s) nằm ngoài lãnh thổ Việt Nam.")
                    % {"where": where, "x": x, "y": y}
                )
            box = [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
        if not isinstance(feature.get("properties"), dict):
            feature["properties"] = {}
    text = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return CheckedLayer(
        text=text, feature_count=len(features), bbox=(box[0], box[1], box[2], box[3])
    )
