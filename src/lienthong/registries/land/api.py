"""The land registry's API, under /api/registries/land/.

- `parcels/`: the shared registry endpoints (`registries.base.api.build_router`): paging,
  filters (`commune`, `map_sheet`, `parcel_number`, `land_use`, `owner`, `bbox`), folded
  search `q`, one parcel, create, update, soft delete, restore, history, CSV/XLSX import and
  export; plus `parcels/export.geojson` (the same filters, as GeoJSON).
- `map`, `tiles/{z}/{x}/{y}.geojson`, `layers`, `layers/{slug}.geojson`: the map
  (`api_map`).

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user
from lienthong.registries.base import access
from lienthong.registries.base import registry as registries
from lienthong.registries.base.api import build_router
from lienthong.registries.base.views import filtered
from lienthong.registries.land import geojson_export, landuse, selectors
from lienthong.registries.land.api_map import router as map_router
from lienthong.registries.land.models import REGISTRY, Parcel


def parcel_out(parcel: Parcel) -> dict[str, Any]:
    """The JSON of a parcel (its shape as a GeoJSON object)."""
    return {
        "id": parcel.pk,
        "commune": parcel.commune,
        "commune_name": parcel.commune_name,
        "commune_legacy": parcel.commune_legacy,
        "commune_legacy_name": parcel.commune_legacy_name,
        "map_sheet": parcel.map_sheet,
        "parcel_number": parcel.parcel_number,
        "area": str(parcel.area),
        "land_use": parcel.land_use_codes,
        "land_use_names": parcel.land_use_names,
        "address": parcel.address,
        "owners": parcel.owners,
        "certificate_number": parcel.certificate_number,
        "geometry": json.loads(parcel.geometry) if parcel.geometry else None,
        "bbox": [parcel.minx, parcel.miny, parcel.maxx, parcel.maxy]
        if parcel.minx is not None
        else None,
        "centroid": [parcel.centroid_lon, parcel.centroid_lat]
        if parcel.centroid_lon is not None
        else None,
        "geometry_area": parcel.geometry_area,
        "area_warning": parcel.area_warning(),
        "note": parcel.note,
        "owner": parcel.owner_id,
        "created_at": parcel.created_at.isoformat(),
        "updated_at": parcel.updated_at.isoformat(),
    }


class OwnerIn(Schema):
    """A land user: kind ("person" or "organisation"; guessed if left out), ID, name."""

    kind: str = ""
    id: str = Field("", max_length=14)
    name: str = Field(min_length=1, max_length=200)


class ParcelPatch(Schema):
    """Fields of a parcel to change (only those given are changed)."""

    owner: int | None = None
    commune: str | None = Field(None, max_length=5)
    commune_legacy: str | None = Field(None, max_length=5)
    map_sheet: int | None = Field(None, ge=1)
    parcel_number: int | None = Field(None, ge=1)
    area: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=1)
    land_use: str | list[str] | None = Field(None, description='ONT+CLN hoặc ["ONT", "CLN"]')
    address: str | None = Field(None, max_length=255)
    owners: list[OwnerIn] | str | None = Field(
        None, description="Danh sách, hoặc một dòng “079… Nguyễn Văn An; 0301234567 Công ty …”"
    )
    certificate_number: str | None = Field(None, max_length=30)
    geometry: dict[str, Any] | str | None = Field(
        None, description="GeoJSON Polygon/MultiPolygon (đối tượng hoặc chuỗi) hoặc WKT"
    )
    note: str | None = None


class ParcelIn(ParcelPatch):
    """A new parcel: owner agency, numbers, area and land use are required."""

    owner: int
    map_sheet: int = Field(ge=1)
    parcel_number: int = Field(ge=1)
    area: Decimal = Field(gt=0, max_digits=12, decimal_places=1)
    land_use: str | list[str]


def _apply(parcel: Parcel, data: dict[str, Any]) -> dict[str, list[str]]:
    """Copy input onto a parcel; an unknown owner agency is a field error."""
    errors: dict[str, list[str]] = {}
    if "owner" in data:
        owner = OrgUnit.objects.filter(pk=data.pop("owner")).first()
        if owner is None:
            errors["owner"] = [_("Không có cơ quan này.")]
        else:
            parcel.owner = owner
    if isinstance(data.get("land_use"), list):
        data["land_use"] = landuse.JOINER.join(data["land_use"])
    if isinstance(data.get("geometry"), dict):
        data["geometry"] = json.dumps(data["geometry"])
    for name, value in data.items():
        setattr(parcel, name, value if value is not None else ([] if name == "owners" else ""))
    return errors


registry_type = registries.get(REGISTRY)
parcels = build_router(
    registry_type,
    out=parcel_out,
    create_schema=ParcelIn,
    update_schema=ParcelPatch,
    apply=_apply,
    tags=["registries: đất đai"],
)


@parcels.get(
    "/export.geojson",
    response={200: None, 401: Any, 403: Any, 422: Any},
    summary="Xuất thửa đất (GeoJSON)",
)
def export_geojson(request: HttpRequest, q: str = "") -> Any:
    """The parcels matching the list's filters, streamed as a GeoJSON FeatureCollection."""
    if not is_official_user(request.user) or not access.can_read(request.user, REGISTRY):
        raise HttpError(
            403, _("Cơ quan của bạn chưa được cấp quyền khai thác cơ sở dữ liệu đất đai.")
        )
    qs, errors = filtered(registry_type, selectors.visible_parcels(request.user), request.GET)
    if errors:
        return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})
    if not q.strip():
        qs = qs.order_by("pk")
    return geojson_export.response(qs)


router = Router(tags=["registries: đất đai"])
router.add_router("/parcels/", parcels)
router.add_router("/", map_router)
