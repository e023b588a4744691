"""Land parcels — thửa đất — and base GIS layers — lớp bản đồ nền.

A parcel is identified, as the cadastre does, by its commune, map sheet number (số tờ bản
đồ) and parcel number (số thửa) — unique among live rows. It is a `RegistryRecord` (owner
agency, history, soft delete, folded search; docs/registries.md). Its shape is GeoJSON text;
the bounding box, a size class, the centroid and the measured area are derived from it on
every save (`refresh_geometry`) so that spatial filters are plain indexed comparisons
(`ParcelQuerySet.in_bbox`), the same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from decimal import Decimal
from typing import Any, ClassVar, Self, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel
from lienthong.core.permissions import ScopedQuerySet
from lienthong.core.text import fold
from lienthong.registries.base.addresses import describe_legacy, resolve_address, unit_index
from lienthong.registries.base.models import RegistryQuerySet, RegistryRecord, registry_indexes
from lienthong.registries.land import landuse, owners
from lienthong.registries.land.geometry import (
    BBox,
    Geometry,
    GeometryError,
    area_mismatch,
    parse_geometry,
)

REGISTRY = "land"

#: Bounding boxes are grouped by size: class k holds shapes whose larger side is at most
#: SIZE_BASE · 2^k degrees. A box query then asks each class for boxes whose lower-left
#: corner lies within the query box widened by that class's largest size — a range on one
#: B-tree (`land_parcel_bbox`) — so a town lot never pays for the one forest parcel that is
#: 20 km wide. 0.0005° is about 55 m.
SIZE_BASE = 0.0005
SIZE_CLASSES = 17
#: Relative difference between the recorded area and the shape's area above which the
#: parcel's page and the import report warn (setting LAND_AREA_TOLERANCE; 5 % by default).
DEFAULT_AREA_TOLERANCE = 0.05


def area_tolerance() -> float:
    """The area tolerance in force (a fraction: 0.05 is 5 %)."""
    return float(getattr(settings, "LAND_AREA_TOLERANCE", DEFAULT_AREA_TOLERANCE))


def size_class(bbox: BBox) -> int:
    """The size class of a bounding box (0 for lots up to ~55 m, then doubling)."""
    extent = max(bbox[2] - bbox[0], bbox[3] - bbox[1])
    if extent <= SIZE_BASE:
        return 0
    return min(SIZE_CLASSES - 1, math.ceil(math.log2(extent / SIZE_BASE)))


def bbox_condition(bbox: BBox, *, prefix: str = "") -> Q:
    """Rows whose box overlaps `bbox` (touching counts), one indexed range per size class."""
    minx, miny, maxx, maxy = bbox
    condition = Q()
    for k in range(SIZE_CLASSES):
        reach = SIZE_BASE * 2**k
        condition |= Q(
            **{
                f"{prefix}size_class": k,
                f"{prefix}minx__gte": minx - reach,
                f"{prefix}minx__lte": maxx,
                f"{prefix}miny__gte": miny - reach,
                f"{prefix}miny__lte": maxy,
                f"{prefix}maxx__gte": minx,
                f"{prefix}maxy__gte": miny,
            }
        )
    return condition


def bbox_sql(table: str, bbox: BBox) -> tuple[str, list[float]]:
    """`bbox_condition` as SQL for `table`: the map's hot path skips compiling 119 lookups."""
    minx, miny, maxx, maxy = bbox
    q = connection.ops.quote_name
    t = q(table)
    term = (
        f"({t}.{q('size_class')} = %s AND {t}.{q('minx')} >= %s AND {t}.{q('minx')} <= %s"
        f" AND {t}.{q('miny')} >= %s AND {t}.{q('miny')} <= %s"
        f" AND {t}.{q('maxx')} >= %s AND {t}.{q('maxy')} >= %s)"
    )
    params: list[float] = []
    for k in range(SIZE_CLASSES):
        reach = SIZE_BASE * 2**k
        params += [k, minx - reach, maxx, miny - reach, maxy, minx, miny]
    return "(" + " OR ".join([term] * SIZE_CLASSES) + ")", params


class ParcelQuerySet(RegistryQuerySet["Parcel"]):
    """Reads of the parcel registry: permissions and search (base), boxes, uses, numbers."""

    def in_bbox(self, bbox: BBox) -> Self:
        """Parcels whose bounding box overlaps `bbox` (parcels without a shape are left out)."""
        sql, params = bbox_sql(self.model._meta.db_table, bbox)
        return cast(Self, self.extra(where=[sql], params=params))

    def with_land_use(self, code: str) -> Self:
        """Parcels with `code` among their uses (main or not)."""
        code = code.strip().upper()
        return self.filter(Q(land_use_main=code) | Q(land_use__contains=f"+{code}"))

    def numbered(self, commune: str, sheet: int | None = None, number: int | None = None) -> Self:
        """Parcels of a commune, optionally of one sheet and with one parcel number."""
        qs = self.filter(commune=commune)
        if sheet is not None:
            qs = qs.filter(map_sheet=sheet)
        if number is not None:
            qs = qs.filter(parcel_number=number)
        return qs


_ParcelManagerBase = models.Manager.from_queryset(ParcelQuerySet)


class ParcelManager(_ParcelManagerBase):
    """The default manager: soft-deleted parcels are hidden wherever it is used."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Parcel(RegistryRecord):
    """A land parcel (thửa đất): where it is, how large, what for, whose, and its shape."""

    registry_key = REGISTRY
    # Derived columns are recomputed from the shape and the codes: not part of a version.
    audit_exclude: ClassVar[tuple[str, ...]] = (
        *RegistryRecord.audit_exclude,
        "land_use_main",
        "minx",
        "miny",
        "maxx",
        "maxy",
        "size_class",
        "centroid_lon",
        "centroid_lat",
        "geometry_area",
    )

    # Blank in the form: a legacy code alone is enough, `clean` derives the 2025 one.
    commune = models.CharField(_("mã xã, phường (từ 1/7/2025)"), max_length=5, blank=True)
    commune_legacy = models.CharField(
        _("mã xã, phường cũ (trước 1/7/2025)"), max_length=5, blank=True
    )
    map_sheet = models.PositiveIntegerField(_("số tờ bản đồ"), validators=[MinValueValidator(1)])
    parcel_number = models.PositiveIntegerField(_("số thửa"), validators=[MinValueValidator(1)])
    area = models.DecimalField(
        _("diện tích (m²)"),
        max_digits=12,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    land_use = models.CharField(
        _("loại đất"),
        max_length=60,
        help_text=_("Một hoặc nhiều mã loại đất, mã chính trước: ONT hoặc ONT+CLN."),
    )
    land_use_main = models.CharField(_("loại đất chính"), max_length=3, editable=False)
    address = models.CharField(_("địa chỉ thửa đất"), max_length=255, blank=True)
    owners = models.JSONField(_("người sử dụng đất"), default=list, blank=True)
    certificate_number = models.CharField(
        _("số giấy chứng nhận"),
        max_length=30,
        blank=True,
        help_text=_(
            "Số phát hành giấy chứng nhận quyền sử dụng đất, nếu đã cấp (ví dụ CS 012345)."
        ),
    )
    geometry = models.TextField(
        _("hình thửa (GeoJSON)"),
        blank=True,
        help_text=_("Polygon hoặc MultiPolygon theo kinh độ, vĩ độ WGS 84."),
    )
    minx = models.FloatField(null=True, blank=True, editable=False)
    miny = models.FloatField(null=True, blank=True, editable=False)
    maxx = models.FloatField(null=True, blank=True, editable=False)
    maxy = models.FloatField(null=True, blank=True, editable=False)
    size_class = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    centroid_lon = models.FloatField(null=True, blank=True, editable=False)
    centroid_lat = models.FloatField(null=True, blank=True, editable=False)
    geometry_area = models.FloatField(
        _("diện tích tính từ hình (m²)"), null=True, blank=True, editable=False
    )
    note = models.TextField(_("ghi chú"), blank=True)

    objects = ParcelManager()  # type: ignore[assignment,misc]
    all_objects = _ParcelManagerBase()  # type: ignore[misc]

    class Meta:
        verbose_name = _("thửa đất")
        verbose_name_plural = _("thửa đất")
        ordering = ["commune", "map_sheet", "parcel_number"]
        constraints = [
            # Over soft-deleted parcels too, as every registry key: a parcel deleted by
            # mistake is restored, not entered again (numbers of split parcels are retired).
            models.UniqueConstraint(
                fields=["commune", "map_sheet", "parcel_number"],
                name="land_parcel_number",
                violation_error_message=_(
                    "Xã, phường này đã có thửa đất cùng số tờ bản đồ và số thửa."
                ),
            ),
        ]
        indexes = [
            *registry_indexes("land_parcel"),
            # Covers the whole box test, so the map finds the ids without reading rows. Not
            # partial (deleted rows are few): SQLite answers the OR of the size classes with
            # one index search per class only when each class's test alone fits the index.
            models.Index(
                fields=["size_class", "minx", "miny", "maxx", "maxy"], name="land_parcel_bbox"
            ),
            models.Index(fields=["land_use_main"], name="land_parcel_use"),
            models.Index(fields=["certificate_number"], name="land_parcel_cert"),
        ]

    def __str__(self) -> str:
        return str(
            _("Thửa %(number)s, tờ %(sheet)s, %(commune)s")
            % {"number": self.parcel_number, "sheet": self.map_sheet, "commune": self.commune_name}
        )

    def get_absolute_url(self) -> str:
        return reverse("land:parcel_detail", args=[self.pk])

    @property
    def commune_name(self) -> str:
        """The 2025 commune's name ("Phường Thủ Dầu Một"), or its code if unknown."""
        unit = unit_index().current.get(self.commune)
        return unit.name if unit else self.commune

    @property
    def commune_full_name(self) -> str:
        """The commune with its province."""
        unit = unit_index().current.get(self.commune)
        return unit.full_name if unit else self.commune

    @property
    def commune_legacy_name(self) -> str:
        """The legacy commune with district and province, or ""."""
        return describe_legacy(self.commune_legacy)

    @property
    def land_use_codes(self) -> list[str]:
        return [c for c in self.land_use.split(landuse.JOINER) if c]

    @property
    def land_use_names(self) -> list[str]:
        return [landuse.name_of(c) for c in self.land_use_codes]

    @property
    def owners_text(self) -> str:
        return owners.format_owners(self.owners)

    @classmethod
    def search_text_of(cls, values: Any) -> str:
        """Folded search text: sort key, numbers, commune, uses, owners, certificate, address.

        Takes column values (an import row, or a parcel's `__dict__`), as the base asks.
        """
        commune = values.get("commune") or ""
        unit = unit_index().current.get(commune)
        sheet, number = values.get("map_sheet") or 0, values.get("parcel_number") or 0
        parts = [
            # First a sortable key: the list pages order by this text (commune, sheet,
            # number), and the B-tree on it serves that order.
            f"{commune or '00000'} {int(sheet):05d} {int(number):06d}",
            f"to {sheet} thua {number}",
            unit.name if unit else "",
            str(values.get("land_use") or "").replace(landuse.JOINER, " "),
            values.get("certificate_number") or "",
            " ".join(f"{o.get('id', '')} {o.get('name', '')}" for o in values.get("owners") or []),
            values.get("address") or "",
        ]
        # Letters and digits only, one space apart, as the base's text: both databases'
        # word indexes then split it the same way.
        return " ".join(_WORDS.findall(fold(" ".join(p for p in parts if p))))[:500]

    def parsed_geometry(self) -> Geometry | None:
        """The stored shape, or None when there is none (or it does not parse)."""
        if not self.geometry:
            return None
        try:
            return parse_geometry(self.geometry)
        except GeometryError:
            return None

    def refresh_geometry(self, geometry: Geometry | None = None) -> None:
        """Validate the shape and set the derived columns (box, size, centroid, area).

        Raises GeometryError. Bulk imports call it, as they bypass `clean`.
        """
        if geometry is None and self.geometry.strip():
            geometry = parse_geometry(self.geometry)
        if geometry is None:
            self.geometry = ""
            self.minx = self.miny = self.maxx = self.maxy = None
            self.size_class = None
            self.centroid_lon = self.centroid_lat = self.geometry_area = None
            return
        self.geometry = geometry.to_json()
        self.minx, self.miny, self.maxx, self.maxy = geometry.bbox
        self.size_class = size_class(geometry.bbox)
        self.centroid_lon, self.centroid_lat = geometry.centroid
        self.geometry_area = round(geometry.area_m2, 2)

    def area_warning(self) -> str | None:
        """A warning when the recorded area and the shape's area disagree beyond tolerance."""
        if self.geometry_area is None or self.area is None:
            return None
        geometry = self.parsed_geometry()
        if geometry is None:
            return None
        return area_mismatch(geometry, float(self.area), tolerance=area_tolerance())

    def clean(self) -> None:
        """Commune codes resolve; land-use codes are known; owners and shape are valid."""
        errors: dict[str, list[str]] = {}
        try:
            resolved = resolve_address(commune=self.commune, legacy_commune=self.commune_legacy)
            self.commune, self.commune_legacy = resolved.commune, resolved.legacy_commune
            if not self.commune:
                errors["commune"] = [str(_("Chưa có mã xã, phường (mới hoặc cũ) của thửa đất."))]
        except ValidationError as exc:
            errors["commune"] = exc.messages
        try:
            codes = landuse.parse_codes(self.land_use)
            self.land_use = landuse.join_codes(codes)
            self.land_use_main = codes[0]
        except ValueError as exc:
            errors["land_use"] = [str(exc)]
        try:
            self.owners = owners.parse_owners(self.owners)
        except ValidationError as exc:
            errors["owners"] = exc.messages
        self.certificate_number = " ".join(self.certificate_number.split()).upper()
        try:
            self.refresh_geometry()
        except GeometryError as exc:
            errors["geometry"] = [exc.message]
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Any, values: Any, *args: Any, **kwargs: Any
    ) -> Self:
        obj = super().from_db(db, field_names, values, *args, **kwargs)
        # The commune as stored: a parcel moved to another commune changes two summaries.
        obj._stored_commune = obj.__dict__.get("commune", "")
        return obj

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, then recount the map summary of the parcel's commune (and its former one).

        Derived data kept with the row, like the search text: every channel that saves a
        parcel (pages, API, admin, revert) keeps the map's commune figures right. Bulk
        imports bypass `save` and recount once per commune at the end.
        """
        super().save(*args, **kwargs)
        communes = {self.commune, getattr(self, "_stored_commune", "")}
        ParcelSummary.objects.refresh(communes)
        self._stored_commune = self.commune

    def feature(self) -> dict[str, Any]:
        """The parcel as a GeoJSON Feature (what the map and the GeoJSON export give)."""
        return {
            "type": "Feature",
            "id": self.pk,
            "geometry": json.loads(self.geometry) if self.geometry else None,
            "properties": feature_properties(
                pk=self.pk,
                commune=self.commune,
                map_sheet=self.map_sheet,
                parcel_number=self.parcel_number,
                area=self.area,
                land_use=self.land_use,
            ),
        }


def feature_properties(
    *, pk: int | None, commune: str, map_sheet: int, parcel_number: int, area: Any, land_use: str
) -> dict[str, Any]:
    """The properties of a parcel feature: enough for the map's colour and popup."""
    return {
        "id": pk,
        "commune": commune,
        "sheet": map_sheet,
        "number": parcel_number,
        "area": float(area) if area is not None else None,
        "land_use": land_use,
        "group": _group_of(land_use),
        "url": reverse("land:parcel_detail", args=[pk]) if pk else "",
    }


def _group_of(land_use: str) -> str:
    found = landuse.by_code().get(land_use.split(landuse.JOINER, 1)[0])
    return found.group if found else ""


# --- Map summary ----------------------------------------------------------------------------


_WORDS = re.compile(r"[0-9a-z]+")

#: First key of the PostgreSQL advisory locks that serialise summary recounts ("LAND").
_SUMMARY_LOCK = 0x4C414E44


class ParcelSummaryQuerySet(models.QuerySet["ParcelSummary"]):
    """Reads and upkeep of the map summary."""

    def refresh(self, communes: Any) -> None:
        """Recount the live parcels of `communes` (one grouped query per call)."""
        codes = sorted({c for c in communes if c})
        if not codes:
            return
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Two editors saving parcels of one commune at once would both delete the
                # old figures and both insert new ones: one lock per commune (sorted, so no
                # deadlock) makes the second wait and then see the first one's rows.
                with connection.cursor() as cursor:
                    for code in codes:
                        key = int(code) if code.isdigit() else hash(code) % 2**31
                        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_SUMMARY_LOCK, key])
            self.filter(commune__in=codes).delete()
            rows = (
                Parcel.objects.filter(commune__in=codes)
                .order_by()
                .values("commune", "owner_id", "land_use_main")
                .annotate(
                    n=Count("pk"),
                    total=Sum("area"),
                    located=Count("centroid_lon"),
                    x0=Min("minx"),
                    y0=Min("miny"),
                    x1=Max("maxx"),
                    y1=Max("maxy"),
                    sx=Sum("centroid_lon"),
                    sy=Sum("centroid_lat"),
                )
            )
            ParcelSummary.objects.bulk_create(
                [
                    ParcelSummary(
                        commune=row["commune"],
                        owner_id=row["owner_id"],
                        land_use_main=row["land_use_main"],
                        parcels=row["n"],
                        area=row["total"] or 0,
                        located=row["located"],
                        minx=row["x0"],
                        miny=row["y0"],
                        maxx=row["x1"],
                        maxy=row["y1"],
                        sum_lon=row["sx"] or 0.0,
                        sum_lat=row["sy"] or 0.0,
                    )
                    for row in rows
                ]
            )

    def rebuild(self) -> int:
        """Recount every commune (after a bulk load); the number of communes."""
        codes = set(Parcel.all_objects.values_list("commune", flat=True).distinct())
        codes |= set(self.values_list("commune", flat=True).distinct())
        self.refresh(codes)
        return len(codes)


class ParcelSummary(models.Model):
    """Live parcels per commune, owner agency and main land use: what the map shows zoomed out.

    Below `selectors.MIN_FEATURE_ZOOM` the map draws one point per commune; counting 100,000
    parcels for every pan would take most of the time budget, so the figures are kept here,
    recounted per commune when a parcel is saved or a file imported.
    """

    commune = models.CharField(max_length=5)
    owner = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    land_use_main = models.CharField(max_length=3)
    parcels = models.PositiveIntegerField(default=0)
    area = models.DecimalField(max_digits=16, decimal_places=1, default=0)
    #: Parcels with a shape (the box and centre are theirs).
    located = models.PositiveIntegerField(default=0)
    minx = models.FloatField(null=True)
    miny = models.FloatField(null=True)
    maxx = models.FloatField(null=True)
    maxy = models.FloatField(null=True)
    sum_lon = models.FloatField(default=0.0)
    sum_lat = models.FloatField(default=0.0)

    objects = ParcelSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổng hợp thửa đất theo xã")
        verbose_name_plural = _("tổng hợp thửa đất theo xã")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "owner", "land_use_main"], name="land_summary_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune} {self.land_use_main}: {self.parcels}"


# --- Base layers ----------------------------------------------------------------------------


class BaseLayerKind(models.TextChoices):
    """What a base layer shows."""

    BOUNDARY = "boundary", _("Ranh giới hành chính")
    ROADS = "roads", _("Giao thông")
    WATER = "water", _("Sông, hồ, kênh rạch")
    PLANNING = "planning", _("Quy hoạch sử dụng đất")
    OTHER = "other", _("Khác")


class BaseLayerQuerySet(ScopedQuerySet["BaseLayer"]):
    """Base layers; officials read them all, registry officials of the owner edit them."""

    scope_field = "owner"
    scope_roles = frozenset({"registry_owner"})

    def alive(self) -> Self:
        """Layers not soft-deleted."""
        return self.filter(deleted_at__isnull=True)

    def editable_by(self, user: Any) -> Self:
        """Layers `user` may replace or delete: those of their registry units."""
        return super().visible_to(user, roles=["registry_owner"])


class BaseLayer(AuditedModel):
    """A base map layer (lớp bản đồ nền): a named GeoJSON FeatureCollection.

    Commune boundaries, roads, rivers, planning zones: what the map draws under the parcels.
    Base layers are not personal data: every official sees them; the owner agency's registry
    officials upload, replace and delete them. The GeoJSON itself is kept out of the audit
    log (it can run to megabytes); its SHA-256 and size are logged instead.
    """

    audit_exclude: ClassVar[tuple[str, ...]] = ("geojson", "updated_at")

    name = models.CharField(_("tên lớp"), max_length=200)
    slug = models.SlugField(_("mã lớp"), max_length=60, unique=True)
    kind = models.CharField(
        _("loại lớp"), max_length=10, choices=BaseLayerKind.choices, default=BaseLayerKind.OTHER
    )
    description = models.TextField(_("mô tả"), blank=True)
    color = models.CharField(_("màu vẽ"), max_length=7, default="#6c757d")
    shown_by_default = models.BooleanField(_("hiện sẵn trên bản đồ"), default=True)
    position = models.PositiveSmallIntegerField(_("thứ tự vẽ"), default=0)
    geojson = models.TextField(_("dữ liệu GeoJSON"))
    feature_count = models.PositiveIntegerField(_("số đối tượng"), default=0, editable=False)
    minx = models.FloatField(null=True, blank=True, editable=False)
    miny = models.FloatField(null=True, blank=True, editable=False)
    maxx = models.FloatField(null=True, blank=True, editable=False)
    maxy = models.FloatField(null=True, blank=True, editable=False)
    owner = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("ngày cập nhật"), default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(_("ngày xoá"), null=True, blank=True, editable=False)

    objects = BaseLayerQuerySet.as_manager()

    class Meta:
        verbose_name = _("lớp bản đồ nền")
        verbose_name_plural = _("lớp bản đồ nền")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("land:layer_list") + f"#lop-{self.slug}"

    def audit_snapshot(self) -> dict[str, Any]:
        """The row without the GeoJSON, plus its digest and size."""
        data = super().audit_snapshot()
        data["geojson_sha256"] = hashlib.sha256(self.geojson.encode()).hexdigest()
        data["geojson_length"] = len(self.geojson)
        return data
