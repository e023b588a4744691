"""Writes to the land registry.

Parcels go through the shared registry services (`registries.base.services`: permission,
validation, audit before/after, event `registry.land.*`, one transaction); the functions here
only turn input into a `Parcel` first. Base layers have their own small services with the
same shape: permission, check, audited write, event.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, service
from lienthong.core.models import OrgUnit
from lienthong.exchange.outbox import publish
from lienthong.registries.base import services as registry
from lienthong.registries.land.geometry import GeometryError
from lienthong.registries.land.layers import check_layer
from lienthong.registries.land.models import BaseLayer, Parcel

#: Fields a caller may set on a parcel (the rest is derived or bookkeeping).
PARCEL_FIELDS = (
    "commune",
    "commune_legacy",
    "map_sheet",
    "parcel_number",
    "area",
    "land_use",
    "address",
    "owners",
    "certificate_number",
    "geometry",
    "note",
)


def _apply(parcel: Parcel, data: dict[str, Any]) -> Parcel:
    unknown = set(data) - set(PARCEL_FIELDS)
    if unknown:
        raise ValidationError(
            {name: [_("Trường không được phép ghi.")] for name in sorted(unknown)}
        )
    for name, value in data.items():
        if name in ("geometry",) and isinstance(value, dict):
            import json

            value = json.dumps(value)
        setattr(parcel, name, "" if value is None and name != "area" else value)
    return parcel


def create_parcel(*, owner: OrgUnit, data: dict[str, Any], by: Any) -> Parcel:
    """Add a parcel for `owner` (the agency keeping it) through the shared registry service."""
    return registry.create_record(_apply(Parcel(owner=owner), data), by=by)


def update_parcel(parcel: Parcel, *, data: dict[str, Any], by: Any) -> Parcel:
    """Change a parcel's data (a new version in its history)."""
    return registry.update_record(_apply(parcel, data), by=by)


def delete_parcel(parcel: Parcel, *, by: Any) -> Parcel:
    """Soft-delete a parcel (it leaves the map, lists and API; its number becomes free)."""
    return registry.delete_record(parcel, by=by)


def restore_parcel(parcel: Parcel, *, by: Any) -> Parcel:
    """Bring a soft-deleted parcel back, unless its number was given to another one since."""
    return registry.restore_record(parcel, by=by)


# --- Base layers ----------------------------------------------------------------------------


def can_edit_layer(user: Any, layer: BaseLayer | None, owner: OrgUnit | None = None) -> bool:
    """Registry officials of the layer's owner agency (or superusers) change it."""
    unit = owner if owner is not None else (layer.owner if layer is not None else None)
    return unit is not None and registry.can_edit_for(user, unit)


@service
def save_layer(
    layer: BaseLayer | None,
    *,
    by: Any,
    geojson: str | bytes | None = None,
    **fields: Any,
) -> BaseLayer:
    """Create a base layer, or change one (its fields and, when given, its GeoJSON)."""
    creating = layer is None
    layer = layer or BaseLayer()
    owner = fields.get("owner", layer.owner if not creating else None)
    if not can_edit_layer(by, None if creating else layer, owner):
        raise PermissionDenied(_("Bạn không có quyền sửa lớp bản đồ nền này."))
    for name, value in fields.items():
        setattr(layer, name, value)
    if not layer.slug:
        layer.slug = slugify(layer.name)[:60] or "lop"
    if geojson is not None:
        try:
            checked = check_layer(geojson)
        except GeometryError as exc:
            raise ValidationError({"geojson": [exc.message]}) from exc
        layer.geojson = checked.text
        layer.feature_count = checked.feature_count
        layer.minx, layer.miny, layer.maxx, layer.maxy = checked.bbox
    elif creating:
        raise ValidationError({"geojson": [_("Hãy chọn tệp GeoJSON của lớp bản đồ.")]})
    layer.updated_at = timezone.now()
    layer.full_clean()
    with audited("land.layer.create" if creating else "land.layer.update", layer):
        layer.save()
    publish(
        "registry.land.layer_changed",
        subject=layer.slug,
        data={"layer": layer.pk, "slug": layer.slug, "features": layer.feature_count},
    )
    return layer


@service
def delete_layer(layer: BaseLayer, *, by: Any) -> BaseLayer:
    """Soft-delete a base layer (it leaves the map; the row stays for the history)."""
    if not can_edit_layer(by, layer):
        raise PermissionDenied(_("Bạn không có quyền xoá lớp bản đồ nền này."))
    with audited("land.layer.delete", layer):
        layer.deleted_at = timezone.now()
        # A deleted layer frees its code for a new one.
        layer.slug = f"{layer.slug[:40]}-xoa-{layer.pk}"
        layer.save(update_fields=["deleted_at", "slug"])
    publish(
        "registry.land.layer_changed", subject=layer.slug, data={"layer": layer.pk, "deleted": True}
    )
    return layer
