"""Factories for tests of the land registry (and of apps that read parcels)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.registries.base.addresses import clear_unit_index
from lienthong.registries.land.geometry import parse_geometry
from lienthong.registries.land.models import Parcel

_numbers = itertools.count(1)

#: Real 2025 communes of the former Bình Dương with their centres (vietnamadminunits), and the
#: legacy communes merged into them: enough for commune codes to resolve in tests.
COMMUNES = [
    ("25747", "Phường Thủ Dầu Một", 10.969, 106.661, [("25747", "Phường Phú Cường")]),
    ("25750", "Phường Phú Lợi", 10.9861, 106.676, [("25750", "Phường Phú Hòa")]),
    ("25771", "Phường Chánh Hiệp", 11.0127, 106.64, [("25771", "Phường Tương Bình Hiệp")]),
    ("25819", "Xã Trừ Văn Thố", 11.3426, 106.588, [("25816", "Xã Trừ Văn Thố")]),
]


def make_units() -> dict[str, AdminUnit]:
    """The communes above in both eras (2025 under Hồ Chí Minh City), with their centres."""
    clear_unit_index()
    new, old = AdminUnit.Era.Y2025, AdminUnit.Era.LEGACY
    level = AdminUnit.Level
    hcm, _ = AdminUnit.objects.get_or_create(
        era=new,
        level=level.PROVINCE,
        code="79",
        defaults={"name": "Thành phố Hồ Chí Minh", "short_name": "Hồ Chí Minh"},
    )
    bd, _ = AdminUnit.objects.get_or_create(
        era=old,
        level=level.PROVINCE,
        code="74",
        defaults={"name": "Tỉnh Bình Dương", "short_name": "Bình Dương", "successor": hcm},
    )
    district, _ = AdminUnit.objects.get_or_create(
        era=old,
        level=level.DISTRICT,
        code="718",
        defaults={"name": "Thành phố Thủ Dầu Một", "short_name": "Thủ Dầu Một", "parent": bd},
    )
    units: dict[str, AdminUnit] = {"79": hcm}
    for code, name, lat, lon, legacy in COMMUNES:
        unit, _ = AdminUnit.objects.get_or_create(
            era=new,
            level=level.COMMUNE,
            code=code,
            defaults={
                "name": name,
                "short_name": name.split(" ", 1)[1],
                "parent": hcm,
                "latitude": lat,
                "longitude": lon,
            },
        )
        units[code] = unit
        for old_code, old_name in legacy:
            units[f"old-{old_code}"], _ = AdminUnit.objects.get_or_create(
                era=old,
                level=level.COMMUNE,
                code=old_code,
                defaults={
                    "name": old_name,
                    "short_name": old_name.split(" ", 1)[1],
                    "parent": district,
                    "successor": unit,
                    "latitude": lat,
                    "longitude": lon,
                },
            )
    clear_unit_index()
    return units


def square(lon: float, lat: float, side: float = 0.0002) -> dict[str, Any]:
    """A GeoJSON square with its lower-left corner at (lon, lat), `side` degrees wide."""
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
        ],
    }


def make_parcel(owner: OrgUnit, **fields: Any) -> Parcel:
    """A parcel saved directly (no service, no audit), its derived columns filled."""
    geometry = fields.pop("geometry", None)
    parcel = Parcel(
        owner=owner,
        commune=fields.pop("commune", "25747"),
        map_sheet=fields.pop("map_sheet", 1),
        parcel_number=fields.pop("parcel_number", None) or next(_numbers),
        area=fields.pop("area", Decimal("100.0")),
        land_use=fields.pop("land_use", "ODT"),
        **fields,
    )
    parcel.land_use_main = parcel.land_use.split("+")[0]
    if geometry is not None:
        parcel.refresh_geometry(parse_geometry(geometry))
    parcel.save()
    return parcel
