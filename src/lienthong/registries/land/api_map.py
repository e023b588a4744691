"""Map API of the land registry, under /api/registries/land/.

- GET /map?bbox=minlon,minlat,maxlon,maxlat&zoom=Z[&land_use=ONT][&commune=25747] — the
  parcels of a view as GeoJSON (from zoom 15; at most 2,000, `meta.truncated` beyond), or
  below zoom 15 one point per commune with its count, area and box (`meta.mode`).
- GET /tiles/{z}/{x}/{y}.geojson — the same for one XYZ (Web Mercator) tile.
- GET /layers — the base layers; GET /layers/{slug}.geojson — one layer's GeoJSON.

All need a session (401 without); parcels need a read right on the land registry (403
without: a read grant, or the registry-owner role). A malformed box, zoom or tile is a 422
with one Vietnamese message per parameter.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from lienthong.core.permissions import is_official_user
from lienthong.registries.base import access
from lienthong.registries.land import selectors
from lienthong.registries.land.geometry import BBox, GeometryError, parse_bbox, tile_bbox
from lienthong.registries.land.models import REGISTRY

router = Router(tags=["registries: đất đai — bản đồ"])

GEOJSON = "application/geo+json"
MAX_ZOOM = 22


class LayerOut(Schema):
    """A base layer as the map lists it."""

    slug: str
    name: str
    kind: str
    kind_label: str
    color: str
    shown_by_default: bool
    feature_count: int
    bbox: list[float] | None
    url: str


def _invalid(name: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["query", name], "msg": message, "type": "invalid"}])


def _require_official(request: HttpRequest) -> None:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))


def _require_reader(request: HttpRequest) -> None:
    _require_official(request)
    if not access.can_read(request.user, REGISTRY):
        raise HttpError(
            403, _("Cơ quan của bạn chưa được cấp quyền khai thác cơ sở dữ liệu đất đai.")
        )


def _answer(
    request: HttpRequest, bbox: BBox, zoom: int, land_use: str, commune: str
) -> HttpResponse:
    _require_reader(request)
    answer = selectors.map_features(
        request.user, bbox, zoom=zoom, filters={"land_use": land_use, "commune": commune}
    )
    response = HttpResponse(answer.body, content_type=GEOJSON)
    # Data changes under the map: let the browser keep nothing stale.
    response["Cache-Control"] = "private, no-cache"
    return response


@router.get(
    "/map",
    auth=django_auth,
    summary="Thửa đất trong khung bản đồ (GeoJSON)",
    response={200: Any, 401: Any, 403: Any, 422: Any},
)
def map_view_features(
    request: HttpRequest,
    bbox: str = Query(..., description="minlon,minlat,maxlon,maxlat (WGS 84)"),
    zoom: str = Query("17", description="Mức thu phóng 0–22; dưới 15 trả về tổng hợp theo xã"),
    land_use: str = Query("", description="Chỉ thửa có loại đất chính này, vd ONT"),
    commune: str = Query("", description="Chỉ thửa của xã, phường này (mã 2025)"),
) -> HttpResponse:
    """Parcels of a view (capped), or one point per commune when zoomed out."""
    try:
        box = parse_bbox(bbox)
    except GeometryError as exc:
        raise _invalid("bbox", exc.message) from exc
    if not zoom.isdigit() or int(zoom) > MAX_ZOOM:
        raise _invalid("zoom", _("Mức thu phóng phải là số nguyên từ 0 đến 22."))
    return _answer(request, box, int(zoom), land_use, commune)


@router.get(
    "/tiles/{z}/{x}/{y}.geojson",
    auth=django_auth,
    summary="Thửa đất của một ô bản đồ XYZ (GeoJSON)",
    response={200: Any, 401: Any, 403: Any, 422: Any},
)
def map_tile(
    request: HttpRequest,
    z: int,
    x: int,
    y: int,
    land_use: str = "",
    commune: str = "",
) -> HttpResponse:
    """One Web Mercator tile: parcels from zoom 15, commune points below."""
    if not 0 <= z <= MAX_ZOOM:
        raise NinjaValidationError(
            [{"loc": ["path", "z"], "msg": _("Mức thu phóng phải từ 0 đến 22."), "type": "invalid"}]
        )
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise NinjaValidationError(
            [
                {
                    "loc": ["path", "x" if not 0 <= x < 2**z else "y"],
                    "msg": _("Ô bản đồ không tồn tại ở mức thu phóng này."),
                    "type": "invalid",
                }
            ]
        )
    return _answer(request, tile_bbox(z, x, y), z, land_use, commune)


@router.get(
    "/layers",
    auth=django_auth,
    response={200: list[LayerOut], 401: Any, 403: Any},
    summary="Các lớp bản đồ nền",
)
def list_layers(request: HttpRequest) -> list[dict[str, Any]]:
    """Every live base layer, in drawing order."""
    _require_official(request)
    return [
        {
            "slug": layer.slug,
            "name": layer.name,
            "kind": layer.kind,
            "kind_label": layer.get_kind_display(),
            "color": layer.color,
            "shown_by_default": layer.shown_by_default,
            "feature_count": layer.feature_count,
            "bbox": [layer.minx, layer.miny, layer.maxx, layer.maxy]
            if layer.minx is not None
            else None,
            "url": f"{request.path.rstrip('/')}/{layer.slug}.geojson",
        }
        for layer in selectors.visible_layers(request.user).defer("geojson")
    ]


@router.get(
    "/layers/{slug}.geojson",
    auth=django_auth,
    summary="Dữ liệu GeoJSON của một lớp bản đồ nền",
    response={200: Any, 304: None, 401: Any, 403: Any, 404: Any},
)
def layer_geojson(request: HttpRequest, slug: str) -> HttpResponse:
    """The layer's FeatureCollection, with an ETag (layers are large and rarely change)."""
    _require_official(request)
    layer = get_object_or_404(selectors.visible_layers(request.user), slug=slug)
    etag = '"' + hashlib.sha256(layer.geojson.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(layer.geojson, content_type=GEOJSON)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
