"""How the shared registry machinery handles parcels (import/export columns, list columns,
filters, form), registered in `LandConfig.ready()`.

Import files have one row per parcel; the shape is a column holding GeoJSON or WKT. The
natural key (commune, map sheet, parcel number) spans three columns, so `build` checks it
itself: against the table (the numbers of a commune are read once per file, soft-deleted
parcels included, as the database constraint counts them) and within the file.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lienthong.registries.base import registry as registries
from lienthong.registries.base.addresses import resolve_address, unit_index
from lienthong.registries.base.importing import Column, ImportContext, parse_digits, parse_text
from lienthong.registries.base.registry import ListColumn, ListFilter, RegistryType
from lienthong.registries.land import landuse, owners
from lienthong.registries.land.forms import ParcelForm
from lienthong.registries.land.geometry import Geometry, GeometryError, parse_bbox, parse_geometry
from lienthong.registries.land.models import (
    REGISTRY,
    Parcel,
    ParcelQuerySet,
    ParcelSummary,
    size_class,
)

_NUMBER = re.compile(r"^\d{1,9}$")


def parse_positive_int(value: str) -> int:
    """A map sheet or parcel number: a whole number from 1."""
    text = value.strip()
    if text.endswith(".0"):  # a spreadsheet number cell read as text
        text = text[:-2]
    if not _NUMBER.match(text) or int(text) < 1:
        raise ValidationError(_("“%(value)s” không phải số nguyên dương.") % {"value": value})
    return int(text)


def parse_area(value: str) -> Decimal:
    """An area in m², with a decimal point or a Vietnamese decimal comma ("1.234,5")."""
    text = value.strip().replace(" ", "").replace("m²", "").replace("m2", "")
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        area = Decimal(text)
    except InvalidOperation:
        area = Decimal("NaN")
    if not area.is_finite() or area <= 0:
        raise ValidationError(
            _("“%(value)s” không phải diện tích (số m² lớn hơn 0).") % {"value": value}
        )
    if area >= Decimal("1e11"):
        raise ValidationError(_("Diện tích quá lớn."))
    return area.quantize(Decimal("0.1"))


def parse_land_use(value: str) -> str:
    """Land-use codes joined as stored ("ONT+CLN")."""
    try:
        return landuse.join_codes(landuse.parse_codes(value))
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def parse_owner_line(value: str) -> list[dict[str, str]]:
    """The owners line ("079… Nguyễn Văn An; 0301234567 Công ty …")."""
    return owners.parse_owners(value)


def parse_shape(value: str) -> Geometry:
    """A GeoJSON or WKT polygon, validated (`build_parcel` stores it as compact GeoJSON)."""
    try:
        return parse_geometry(value)
    except GeometryError as exc:
        raise ValidationError(exc.message) from exc


def parcel_columns() -> list[Column]:
    """The columns of a parcels file, in order (the header may use keys or labels)."""
    return [
        Column("commune", _lazy("Mã xã, phường"), parse=parse_digits(5)),
        Column("commune_legacy", _lazy("Mã xã, phường cũ"), parse=parse_digits(5)),
        Column(
            "commune_name",
            _lazy("Tên xã, phường"),
            parse=parse_text(120),
            export=lambda p: p.commune_name,
        ),
        Column("map_sheet", _lazy("Số tờ bản đồ"), parse=parse_positive_int, required=True),
        Column("parcel_number", _lazy("Số thửa"), parse=parse_positive_int, required=True),
        Column("area", _lazy("Diện tích (m²)"), parse=parse_area, required=True),
        Column("land_use", _lazy("Loại đất"), parse=parse_land_use, required=True),
        Column("address", _lazy("Địa chỉ thửa đất"), parse=parse_text(255)),
        Column(
            "owners",
            _lazy("Người sử dụng đất"),
            parse=parse_owner_line,
            export=lambda p: owners.format_owners(p.owners),
        ),
        Column("certificate_number", _lazy("Số giấy chứng nhận"), parse=parse_text(30)),
        Column("geometry", _lazy("Hình thửa (GeoJSON hoặc WKT)"), parse=parse_shape),
        Column("note", _lazy("Ghi chú"), parse=parse_text(2000)),
    ]


def _existing_numbers(ctx: ImportContext, commune: str) -> set[tuple[int, int]]:
    """(sheet, number) pairs of a commune already in the table, read once per file."""
    cache: dict[str, set[tuple[int, int]]] = ctx.cache.setdefault("numbers", {})
    if commune not in cache:
        cache[commune] = set(
            Parcel.all_objects.filter(commune=commune).values_list("map_sheet", "parcel_number")
        )
    return cache[commune]


def build_parcel(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """A parcel's column values from one import row, checked as `Parcel.clean` checks them.

    Also refuses a (commune, sheet, number) already in the table or earlier in the file.
    """
    errors: dict[str, list[str]] = {}
    row: dict[str, Any] = {
        "map_sheet": values.get("map_sheet"),
        "parcel_number": values.get("parcel_number"),
        "area": values.get("area"),
        "land_use": values.get("land_use", ""),
        "address": values.get("address", ""),
        "owners": values.get("owners", []),
        "certificate_number": " ".join(values.get("certificate_number", "").split()).upper(),
        "geometry": "",
        "note": values.get("note", ""),
    }
    row["land_use_main"] = row["land_use"].split(landuse.JOINER, 1)[0]
    commune, legacy = values.get("commune", ""), values.get("commune_legacy", "")
    if not commune and not legacy:
        errors["commune"] = [_("Chưa có mã xã, phường (mới hoặc cũ).")]
    else:
        try:
            resolved = resolve_address(commune=commune, legacy_commune=legacy)
            row["commune"], row["commune_legacy"] = resolved.commune, resolved.legacy_commune
        except ValidationError as exc:
            errors["commune"] = exc.messages
    geometry = values.get("geometry")
    if geometry is not None:
        row["geometry"] = geometry.to_json()
        bbox = geometry.bbox
        row["minx"], row["miny"], row["maxx"], row["maxy"] = bbox
        row["size_class"] = size_class(bbox)
        row["centroid_lon"], row["centroid_lat"] = geometry.centroid
        row["geometry_area"] = round(geometry.area_m2, 2)
    if "commune" in row and row["map_sheet"] and row["parcel_number"]:
        key = (row["map_sheet"], row["parcel_number"])
        seen: set[tuple[str, int, int]] = ctx.cache.setdefault("seen", set())
        if key in _existing_numbers(ctx, row["commune"]):
            errors["parcel_number"] = [
                _(
                    "Thửa %(number)s tờ %(sheet)s của xã, phường %(commune)s "
                    "đã có trong cơ sở dữ liệu."
                )
                % {"number": key[1], "sheet": key[0], "commune": row["commune"]}
            ]
        elif (row["commune"], *key) in seen:
            errors["parcel_number"] = [
                _(
                    "Thửa %(number)s tờ %(sheet)s của xã, phường %(commune)s "
                    "trùng với một dòng trước trong tệp."
                )
                % {"number": key[1], "sheet": key[0], "commune": row["commune"]}
            ]
        else:
            seen.add((row["commune"], *key))
    if errors:
        raise ValidationError(errors)
    return row


def _note_communes(batch: list[dict[str, Any]], ctx: ImportContext) -> None:
    ctx.cache.setdefault("communes", set()).update(row["commune"] for row in batch)


def _refresh_summary(ctx: ImportContext) -> None:
    ParcelSummary.objects.refresh(ctx.cache.get("communes", set()))


# --- List page ------------------------------------------------------------------------------


def _commune_choices() -> list[tuple[str, str]]:
    units = unit_index().current
    codes = sorted(set(ParcelSummary.objects.values_list("commune", flat=True)))
    return [(c, units[c].name if c in units else c) for c in codes]


def _int_filter(field: str) -> Any:
    def apply(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        text = value.strip()
        return qs.filter(**{field: int(text)}) if text.isdigit() else qs.none()

    return apply


def _owner_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    # Owners' names and identifiers are in the folded search text: the word index answers.
    return cast(ParcelQuerySet, qs).search(value)


def _land_use_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return cast(ParcelQuerySet, qs).with_land_use(value)


def _bbox_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    try:
        return cast(ParcelQuerySet, qs).in_bbox(parse_bbox(value))
    except GeometryError as exc:
        raise ValidationError(exc.message) from exc


def detail_context(parcel: Parcel) -> dict[str, Any]:
    """What the parcel page shows besides its fields: owners with links, uses, small map."""
    from lienthong.core.context import current

    user = current().user
    user = user.resolve() if hasattr(user, "resolve") else user
    return {
        "owner_links": owners.links(parcel.owners, user),
        "land_uses": [(c, landuse.name_of(c)) for c in parcel.land_use_codes],
        "area_warning": parcel.area_warning(),
        "shape": parcel.geometry,
    }


def register_all() -> None:
    """Register parcels with the shared registry machinery."""
    registries.register(
        RegistryType(
            key=REGISTRY,
            slug="dat-dai",
            model=Parcel,
            label=str(_lazy("thửa đất")),
            label_plural=str(_lazy("thửa đất")),
            columns=parcel_columns(),
            build=build_parcel,
            form_class=ParcelForm,
            list_columns=[
                ListColumn(_lazy("Xã, phường"), lambda p: p.commune_name),
                ListColumn(_lazy("Tờ"), lambda p: p.map_sheet),
                ListColumn(_lazy("Thửa"), lambda p: p.parcel_number, link=True),
                ListColumn(_lazy("Diện tích (m²)"), lambda p: p.area),
                ListColumn(_lazy("Loại đất"), lambda p: p.land_use),
                ListColumn(_lazy("Người sử dụng đất"), lambda p: owners.format_owners(p.owners)),
                ListColumn(_lazy("Số GCN"), lambda p: p.certificate_number),
            ],
            filters=[
                ListFilter("commune", _lazy("Xã, phường"), choices=_commune_choices),
                ListFilter("map_sheet", _lazy("Số tờ"), apply=_int_filter("map_sheet")),
                ListFilter("parcel_number", _lazy("Số thửa"), apply=_int_filter("parcel_number")),
                ListFilter(
                    "land_use", _lazy("Loại đất"), choices=landuse.choices, apply=_land_use_filter
                ),
                ListFilter("owner", _lazy("Người sử dụng đất"), apply=_owner_filter),
                ListFilter("bbox", _lazy("Khung bản đồ (bbox)"), apply=_bbox_filter),
            ],
            detail_context=detail_context,
            before_insert=_note_communes,
            after_import=_refresh_summary,
            import_help=str(
                _lazy(
                    "Mỗi dòng một thửa đất. Bắt buộc: số tờ bản đồ, số thửa, diện tích, loại đất "
                    "và mã xã, phường (mã từ 1/7/2025, hoặc mã cũ: tự chuyển sang mã mới). Người "
                    "sử dụng đất: “số định danh hoặc mã số thuế, tên”, nhiều người cách nhau bằng "
                    "dấu chấm phẩy. Hình thửa: GeoJSON hoặc WKT (POLYGON/MULTIPOLYGON) theo kinh "
                    "độ, vĩ độ WGS 84."
                )
            ),
        )
    )
