"""Demo data of the land registry: synthetic parcels and commune boundaries.

`seed_demo()` (run by `lienthong seed --demo`) lays out about 5,000 parcels in four 2025
communes of the former Bình Dương (three wards of Thủ Dầu Một and a rural commune), with a
base layer of their made-up boundaries, owned by the demo Sở Nông nghiệp và Môi trường; it
gives the demo registry official (`quanlycsdl`) the registry-owner role there. Owners are
drawn from the population registry when it holds persons (so their links work), else made
up with Faker. Bulk inserts, one audit entry and one event for the whole run: seconds, not
minutes. Idempotent: a commune that already has parcels is left alone.

`insert_parcels` is also what bench/bench_land.py uses to make 100,000.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import record
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.exchange.outbox import publish
from lienthong.registries.base.addresses import unit_index
from lienthong.registries.base.bulk import deferred_word_index, insert_rows
from lienthong.registries.land import generator, landuse
from lienthong.registries.land.geometry import Geometry
from lienthong.registries.land.models import (
    REGISTRY,
    BaseLayer,
    BaseLayerKind,
    Parcel,
    ParcelSummary,
    size_class,
)

#: The demo Sở Nông nghiệp và Môi trường (core/data/demo_agencies.json) keeps the registry.
OWNER_CODE = "000.00.08.H99"
EDITOR_USERNAME = "quanlycsdl"
#: (2025 commune code, parcels, town?): about 5,000 parcels.
DEMO_COMMUNES = [
    ("25747", 1500, True),
    ("25750", 1300, True),
    ("25771", 1200, True),
    ("25819", 1000, False),
]
BOUNDARY_LAYER = "ranh-gioi-xa-demo"
BATCH = 2000


@dataclass(frozen=True)
class CommuneSpec:
    """Where to lay out synthetic parcels: a 2025 commune, its centre and boundary."""

    code: str
    lon: float
    lat: float
    boundary: Geometry
    urban: bool
    #: (legacy code, lon, lat) of the communes merged into it before July 2025.
    predecessors: tuple[tuple[str, float, float], ...]


def commune_specs(codes: Iterable[tuple[str, bool]], *, seed: int = 0) -> list[CommuneSpec]:
    """Specs for 2025 communes: a boundary sized to stay clear of the nearest other commune."""
    wanted = dict(codes)
    units = {
        u.code: u
        for u in AdminUnit.objects.filter(
            era=AdminUnit.Era.Y2025, level=AdminUnit.Level.COMMUNE, code__in=wanted
        ).prefetch_related("predecessors")
    }
    specs = []
    for code, urban in wanted.items():
        unit = units.get(code)
        if unit is None or unit.latitude is None or unit.longitude is None:
            continue
        near = AdminUnit.objects.filter(
            latitude__isnull=False,
            longitude__isnull=False,
            era=AdminUnit.Era.Y2025,
            level=AdminUnit.Level.COMMUNE,
            latitude__range=(unit.latitude - 0.2, unit.latitude + 0.2),
            longitude__range=(unit.longitude - 0.2, unit.longitude + 0.2),
        ).exclude(pk=unit.pk)
        nearest_m = min(
            (
                _distance_m(unit.longitude, unit.latitude, o.longitude, o.latitude)
                for o in near
                if o.longitude is not None and o.latitude is not None
            ),
            default=8000.0,
        )
        radius = max(600.0, min(4000.0 if not urban else 2500.0, 0.45 * nearest_m))
        boundary = generator.commune_boundary(
            unit.longitude, unit.latitude, radius_m=radius, seed=seed + int(code)
        )
        predecessors = tuple(
            (p.code, p.longitude, p.latitude)
            for p in unit.predecessors.all()
            if p.longitude is not None and p.latitude is not None
        )
        specs.append(
            CommuneSpec(code, unit.longitude, unit.latitude, boundary, urban, predecessors)
        )
    return specs


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371000.0 * math.hypot(x, y)


class OwnerPool:
    """Owners for synthetic parcels: persons of the population registry when it has some."""

    def __init__(self, seed: int = 0, size: int = 5000) -> None:
        self.rnd = random.Random(seed)
        self.persons: list[tuple[str, str]] = []
        if apps.is_installed("lienthong.registries.population"):
            person = apps.get_model("population", "Person")
            self.persons = list(
                person.objects.order_by("pk").values_list("personal_id", "full_name")[:size]
            )
        if not self.persons:
            self.persons = list(self._made_up(size))

    def _made_up(self, size: int) -> Iterator[tuple[str, str]]:
        from faker import Faker

        faker = Faker("vi_VN")
        faker.seed_instance(self.rnd.randint(0, 10**6))
        for n in range(size):
            year = self.rnd.randint(1940, 2000)
            century_sex = self.rnd.choice("01")
            yield (f"074{century_sex}{year % 100:02d}{n:06d}", faker.name())

    def pick(self) -> list[dict[str, str]]:
        """One owner, or a couple (husband and wife hold a third of the lots together)."""
        count = 2 if self.rnd.random() < 0.3 else 1
        return [
            {"kind": "person", "id": ident, "name": name}
            for ident, name in self.rnd.sample(self.persons, count)
        ]


def _nearest_legacy(spec: CommuneSpec, lon: float, lat: float) -> str:
    if not spec.predecessors:
        return ""
    return min(spec.predecessors, key=lambda p: (p[1] - lon) ** 2 + (p[2] - lat) ** 2)[0]


def next_sheet(commune: str) -> int:
    """The sheet number after the last one of a commune (1 when it has none)."""
    last = Parcel.all_objects.filter(commune=commune).aggregate(m=Max("map_sheet"))["m"]
    return (last or 0) + 1


def build_parcels(
    spec: CommuneSpec,
    *,
    count: int,
    owner: OrgUnit,
    seed: int,
    owners: OwnerPool,
    first_sheet: int = 1,
) -> Iterator[Parcel]:
    """Unsaved parcels for one commune, every derived column filled (ready for bulk_create).

    Sheets start at `first_sheet` (see `next_sheet`): new parcels never collide with old.
    """
    rnd = random.Random(seed)
    now = timezone.now()
    legacy_by_sheet: dict[int, str] = {}
    for made in generator.parcels(
        spec.lon,
        spec.lat,
        count=count,
        seed=seed,
        urban=spec.urban,
        boundary=spec.boundary,
        first_sheet=first_sheet,
    ):
        geometry = made.geometry
        bbox = geometry.bbox
        lon, lat = geometry.centroid
        if made.sheet not in legacy_by_sheet:
            legacy_by_sheet[made.sheet] = _nearest_legacy(spec, lon, lat)
        # Recorded areas are measured on the ground: a little off the drawn shape.
        recorded = Decimal(str(round(made.area_m2 * rnd.uniform(0.985, 1.015), 1)))
        has_certificate = rnd.random() < 0.8
        parcel = Parcel(
            owner=owner,
            commune=spec.code,
            commune_legacy=legacy_by_sheet[made.sheet],
            map_sheet=made.sheet,
            parcel_number=made.number,
            area=recorded,
            land_use=landuse.join_codes(list(made.land_use)),
            land_use_main=made.land_use[0],
            owners=owners.pick(),
            certificate_number=(
                f"{rnd.choice('ABCDEFGH')}{rnd.choice('ABCDEFGHKLM')} {rnd.randint(0, 999999):06d}"
                if has_certificate
                else ""
            ),
            geometry=geometry.to_json(),
            minx=bbox[0],
            miny=bbox[1],
            maxx=bbox[2],
            maxy=bbox[3],
            size_class=size_class(bbox),
            centroid_lon=lon,
            centroid_lat=lat,
            geometry_area=round(made.area_m2, 2),
            created_at=now,
            updated_at=now,
        )
        parcel.refresh_search_text()
        yield parcel


def insert_parcels(parcels: Iterable[Parcel], *, batch: int = BATCH) -> int:
    """Bulk-insert parcels in batches; how many.

    The caller holds the transaction, wrapped in `bulk.deferred_word_index(Parcel)`.

    Plain column values through `registries.base.bulk` (COPY on PostgreSQL): building the
    ORM's INSERT took longer than making the parcels.
    """
    columns = [f.attname for f in Parcel._meta.concrete_fields if not f.primary_key]
    total = 0
    chunk: list[dict[str, Any]] = []
    for parcel in parcels:
        chunk.append({name: getattr(parcel, name) for name in columns})
        if len(chunk) >= batch:
            insert_rows(Parcel, chunk)
            total += len(chunk)
            chunk = []
    if chunk:
        insert_rows(Parcel, chunk)
        total += len(chunk)
    return total


def boundary_layer(
    specs: list[CommuneSpec], *, owner: OrgUnit, by: Any, slug: str = BOUNDARY_LAYER
) -> BaseLayer:
    """The made-up boundaries of `specs` as a base layer (created or replaced)."""
    from lienthong.registries.land import services

    units = unit_index().current
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": s.code,
                "name": units[s.code].name if s.code in units else s.code,
            },
            "geometry": s.boundary.as_geojson(),
        }
        for s in specs
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    existing = BaseLayer.objects.filter(slug=slug).first()
    fields = {
        "name": _("Ranh giới xã, phường (minh họa)"),
        "kind": BaseLayerKind.BOUNDARY,
        "description": _(
            "Ranh giới vẽ phỏng quanh tâm xã, phường để thử bản đồ; không phải ranh giới thật."
        ),
        "color": "#d63384",
        "owner": owner,
    }
    if existing is None:
        return services.save_layer(None, geojson=text, slug=slug, by=by, **fields)
    return existing


def _grant_editor(owner: OrgUnit) -> list[str]:
    from lienthong.accounts import services as accounts

    user_model = get_user_model()
    editor = user_model.objects.filter(username=EDITOR_USERNAME, kind="official").first()
    granter = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if editor is None or granter is None or editor.has_role("registry_owner", owner):
        return []
    accounts.grant_role(user=editor, role="registry_owner", org_unit=owner, by=granter)
    return [
        _("Đất đai: %(user)s được giao quản lý dữ liệu đất đai của %(unit)s.")
        % {"user": EDITOR_USERNAME, "unit": owner.name}
    ]


def seed_demo() -> list[str]:
    """About 5,000 synthetic parcels in four demo communes and their boundary layer."""
    owner = OrgUnit.objects.filter(code=OWNER_CODE).first()
    if owner is None:
        return [
            _("Đất đai: chưa có Sở Nông nghiệp và Môi trường demo (mã %(code)s), bỏ qua.")
            % {"code": OWNER_CODE}
        ]
    specs = commune_specs([(code, urban) for code, _n, urban in DEMO_COMMUNES])
    counts = {code: n for code, n, _u in DEMO_COMMUNES}
    present = set(
        Parcel.all_objects.filter(commune__in=counts).values_list("commune", flat=True).distinct()
    )
    todo = [s for s in specs if s.code not in present]
    lines: list[str] = []
    if todo:
        pool = OwnerPool(seed=1)
        with transaction.atomic(), deferred_word_index(Parcel):
            total = 0
            for spec in todo:
                total += insert_parcels(
                    build_parcels(
                        spec, count=counts[spec.code], owner=owner, seed=int(spec.code), owners=pool
                    )
                )
            ParcelSummary.objects.refresh([s.code for s in todo])
            record(
                f"registry.{REGISTRY}.seed",
                object_type="land.parcel",
                object_repr=_("Dữ liệu đất đai demo"),
                after={"parcels": total, "communes": [s.code for s in todo]},
            )
            publish(
                f"registry.{REGISTRY}.imported",
                subject="demo",
                data={"registry": REGISTRY, "count": total},
            )
        lines.append(
            _("Đất đai: %(n)s thửa đất minh họa ở %(c)s xã, phường.")
            % {"n": f"{total:,}".replace(",", "."), "c": len(todo)}
        )
    else:
        lines.append(_("Đất đai: dữ liệu thửa đất demo đã có."))
    admin = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if specs and admin is not None and not BaseLayer.objects.filter(slug=BOUNDARY_LAYER).exists():
        boundary_layer(specs, owner=owner, by=admin)
        lines.append(_("Đất đai: lớp nền ranh giới xã, phường minh họa."))
    return lines + _grant_editor(owner)
