"""Administrative units: loading both eras from `vietnamadminunits`, and parsing addresses.

The package ships the legacy units (63 provinces, districts, communes) and the units in force
from 1 July 2025 (34 provinces, communes) in an SQLite file, and the legacy → 2025 mapping in
`converter_2025.json`. The loader reads both directly (read-only) and computes every legacy
commune's successor itself: the package's `convert_address()` geocodes over the network when
given a street, and the platform never calls the network at run time.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.core import audit
from lienthong.core.models import AdminUnit
from lienthong.core.text import fold, fold_key

PACKAGE = "vietnamadminunits"
LEGACY_VALID_UNTIL = datetime.date(2025, 6, 30)
Y2025_VALID_FROM = datetime.date(2025, 7, 1)

Era = AdminUnit.Era
Level = AdminUnit.Level

#: (era, level, code): what identifies a unit across loads.
UnitKey = tuple[str, str, str]

#: Fields the loader owns; anything else on an AdminUnit row is left alone.
LOADED_FIELDS = (
    "name",
    "short_name",
    "unit_type",
    "key",
    "parent_id",
    "successor_id",
    "valid_from",
    "valid_until",
    "latitude",
    "longitude",
)


# --- Reading the package ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRecord:
    """One unit as the package describes it, with parent and successor as unit keys."""

    era: str
    level: str
    code: str
    name: str
    short_name: str
    unit_type: str
    parent: UnitKey | None
    successor: UnitKey | None
    latitude: float | None
    longitude: float | None

    @property
    def ident(self) -> UnitKey:
        return (self.era, self.level, self.code)

    def field_values(self, pk_of: dict[UnitKey, int]) -> dict[str, Any]:
        """The loaded fields, with parent and successor resolved to primary keys."""
        legacy = self.era == Era.LEGACY
        return {
            "name": self.name,
            "short_name": self.short_name,
            "unit_type": self.unit_type,
            "key": fold_key(self.name),
            "parent_id": pk_of[self.parent] if self.parent else None,
            "successor_id": pk_of[self.successor] if self.successor else None,
            "valid_from": None if legacy else Y2025_VALID_FROM,
            "valid_until": LEGACY_VALID_UNTIL if legacy else None,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


@dataclass
class PackageUnits:
    """Everything read from the package, in an order where parents and successors come first."""

    tiers: list[list[UnitRecord]]
    #: Legacy communes (and ward-less island districts) without a 2025 successor: code → reason.
    unmapped: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[UnitRecord]:
        for tier in self.tiers:
            yield from tier


def package_data_dir() -> Path:
    """The package's `data/` folder."""
    return Path(str(resources.files(PACKAGE).joinpath("data")))


def package_version() -> str:
    return metadata.version(PACKAGE)


def _province_type(name: str) -> str:
    return "Thành phố" if name.startswith("Thành phố") else "Tỉnh"


def read_package_units() -> PackageUnits:
    """Read both eras and the legacy → 2025 mapping from the package files (read-only)."""
    data_dir = package_data_dir()
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    uri = f"{(data_dir / 'dataset.db').as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        con.row_factory = sqlite3.Row
        rows_2025 = con.execute(
            "SELECT province, provinceShort, provinceCode, provinceKey, provinceLat, provinceLon,"
            " ward, wardShort, wardType, wardCode, wardKey, wardLat, wardLon"
            " FROM admin_units ORDER BY provinceCode, wardCode"
        ).fetchall()
        rows_legacy = con.execute(
            "SELECT province, provinceShort, provinceCode, provinceKey, provinceLat, provinceLon,"
            " district, districtShort, districtType, districtCode, districtKey,"
            " districtLat, districtLon,"
            " ward, wardShort, wardType, wardCode, wardKey, wardLat, wardLon"
            " FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
        ).fetchall()

    # 2025 units, and their package keys for the mapping.
    provinces_2025: dict[str, UnitRecord] = {}
    communes_2025: dict[str, UnitRecord] = {}
    key_2025: dict[tuple[str, str], UnitKey] = {}
    province_key_2025: dict[str, UnitKey] = {}
    for r in rows_2025:
        p_ident = (Era.Y2025.value, Level.PROVINCE.value, r["provinceCode"])
        if r["provinceCode"] not in provinces_2025:
            provinces_2025[r["provinceCode"]] = UnitRecord(
                *p_ident,
                name=r["province"],
                short_name=r["provinceShort"],
                unit_type=_province_type(r["province"]),
                parent=None,
                successor=None,
                latitude=r["provinceLat"],
                longitude=r["provinceLon"],
            )
            province_key_2025[r["provinceKey"]] = p_ident
        c_ident = (Era.Y2025.value, Level.COMMUNE.value, r["wardCode"])
        communes_2025[r["wardCode"]] = UnitRecord(
            *c_ident,
            name=r["ward"],
            short_name=r["wardShort"],
            unit_type=r["wardType"] or "",
            parent=p_ident,
            successor=None,
            latitude=r["wardLat"],
            longitude=r["wardLon"],
        )
        key_2025[(r["provinceKey"], r["wardKey"])] = c_ident

    # Legacy key "province_district_ward" → 2025 commune. An undivided commune is listed
    # under exactly one new commune; a divided one is split, and the package marks the new
    # commune that takes over its records (isDefaultNewWard).
    successor_of: dict[str, UnitKey] = {}
    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                successor_of[old_key] = key_2025[(new_province, new_ward)]
    for new_province, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in divided.items():
            default = [p["newWardKey"] for p in parts if p["isDefaultNewWard"]]
            if len(default) == 1:
                successor_of[old_key] = key_2025[(new_province, default[0])]
    province_successor: dict[str, UnitKey] = {}
    for new_province, old_provinces in converter["DICT_PROVINCE"].items():
        for old_province in old_provinces:
            province_successor[old_province] = province_key_2025[new_province]

    provinces: dict[str, UnitRecord] = {}
    districts: dict[str, UnitRecord] = {}
    communes: dict[str, UnitRecord] = {}
    unmapped: dict[str, str] = {}
    for r in rows_legacy:
        p_ident = (Era.LEGACY.value, Level.PROVINCE.value, r["provinceCode"])
        d_ident = (Era.LEGACY.value, Level.DISTRICT.value, r["districtCode"])
        if r["provinceCode"] not in provinces:
            provinces[r["provinceCode"]] = UnitRecord(
                *p_ident,
                name=r["province"],
                short_name=r["provinceShort"],
                unit_type=_province_type(r["province"]),
                parent=None,
                successor=province_successor.get(r["provinceKey"]),
                latitude=r["provinceLat"],
                longitude=r["provinceLon"],
            )
        old_key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"
        if r["districtCode"] not in districts:
            # Island districts have no communes: the package maps the district itself
            # ("province_district_") to the special zone (đặc khu) that replaced it.
            island = r["wardCode"] is None
            districts[r["districtCode"]] = UnitRecord(
                *d_ident,
                name=r["district"],
                short_name=r["districtShort"],
                unit_type=r["districtType"] or "",
                parent=p_ident,
                successor=successor_of.get(old_key) if island else None,
                latitude=r["districtLat"],
                longitude=r["districtLon"],
            )
            if island and old_key not in successor_of:
                unmapped[r["districtCode"]] = "island district without a mapping"
        if r["wardCode"] is None:
            continue
        successor = successor_of.get(old_key)
        if successor is None:
            unmapped[r["wardCode"]] = f"no entry for {old_key} in converter_2025.json"
        communes[r["wardCode"]] = UnitRecord(
            Era.LEGACY.value,
            Level.COMMUNE.value,
            r["wardCode"],
            name=r["ward"],
            short_name=r["wardShort"],
            unit_type=r["wardType"] or "",
            parent=d_ident,
            successor=successor,
            latitude=r["wardLat"],
            longitude=r["wardLon"],
        )

    return PackageUnits(
        tiers=[
            list(provinces_2025.values()),
            list(communes_2025.values()),
            list(provinces.values()),
            list(districts.values()),
            list(communes.values()),
        ],
        unmapped=unmapped,
    )


# --- Loading ---------------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What a load did, per (era, level)."""

    totals: Counter[tuple[str, str]]
    created: Counter[tuple[str, str]]
    updated: Counter[tuple[str, str]]
    unmapped: dict[str, str]
    version: str

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "totals": {f"{e}/{lv}": n for (e, lv), n in sorted(self.totals.items())},
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "unmapped": dict(self.unmapped),
        }


def load_units(*, batch_size: int = 1000) -> LoadReport:
    """Create or update every unit of both eras; rows that already match are not written.

    Idempotent: a second run finds every row equal and writes nothing (no audit entry either).
    Units in the database that the package no longer lists are kept: records may point at them.
    """
    package = read_package_units()
    totals: Counter[tuple[str, str]] = Counter()
    created: Counter[tuple[str, str]] = Counter()
    updated: Counter[tuple[str, str]] = Counter()
    with transaction.atomic():
        existing = {(u.era, u.level, u.code): u for u in AdminUnit.objects.all()}
        pk_of: dict[UnitKey, int] = {k: u.pk for k, u in existing.items()}
        changed_rows: list[AdminUnit] = []
        # Tiers go parents and successors first, so every reference resolves when written.
        for tier in package.tiers:
            new_rows: list[AdminUnit] = []
            for record in tier:
                totals[(record.era, record.level)] += 1
                values = record.field_values(pk_of)
                row = existing.get(record.ident)
                if row is None:
                    new_rows.append(
                        AdminUnit(era=record.era, level=record.level, code=record.code, **values)
                    )
                    continue
                diff = {f: v for f, v in values.items() if getattr(row, f) != v}
                if diff:
                    for name, value in diff.items():
                        setattr(row, name, value)
                    changed_rows.append(row)
                    updated[(record.era, record.level)] += 1
            if new_rows:
                AdminUnit.objects.bulk_create(new_rows, batch_size=batch_size)
                for row in new_rows:
                    created[(row.era, row.level)] += 1
                # Not every backend returns primary keys from a bulk insert; read them back.
                for era, level, code, pk in AdminUnit.objects.filter(
                    era=new_rows[0].era, level=new_rows[0].level
                ).values_list("era", "level", "code", "pk"):
                    pk_of[(era, level, code)] = pk
        if changed_rows:
            AdminUnit.objects.bulk_update(
                changed_rows,
                [f.removesuffix("_id") for f in LOADED_FIELDS],
                batch_size=batch_size // 2,
            )
        report = LoadReport(totals, created, updated, package.unmapped, package_version())
        if report.changed:
            audit.record(
                "adminunit.load",
                object_type="core.adminunit",
                object_repr=f"{PACKAGE} {report.version}",
                after=report.as_dict(),
            )
    return report


def units_loaded() -> bool:
    """Whether units of both eras are in the database."""
    return (
        AdminUnit.objects.legacy().communes().exists()
        and AdminUnit.objects.current().communes().exists()
    )


# --- Parsing addresses -----------------------------------------------------------------------


class UnitsNotLoaded(RuntimeError):
    """The unit tables are empty: `lienthong units load` has not run."""

    def __init__(self) -> None:
        super().__init__(_("Chưa nạp đơn vị hành chính. Hãy chạy: lienthong units load"))


class AddressNotRecognised(ValueError):
    """An address in which no commune could be recognised without guessing."""

    def __init__(
        self, message: str, *, address: str, reason: str, recognised: list[AdminUnit]
    ) -> None:
        super().__init__(message)
        self.message = message
        self.address = address
        self.reason = reason
        self.recognised = recognised


@dataclass
class AddressMatch:
    """The units an address names, in both eras."""

    address: str
    #: The era the address was written in: "legacy" (province–district–commune) or "2025".
    era: str
    street: str | None
    legacy_province: AdminUnit | None = None
    legacy_district: AdminUnit | None = None
    legacy_commune: AdminUnit | None = None
    province: AdminUnit | None = None
    commune: AdminUnit | None = None
    #: For a 2025 address: the legacy communes merged into its commune.
    predecessors: list[AdminUnit] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, used by the CLI (--json) and the API."""
        return {
            "address": self.address,
            "era": self.era,
            "street": self.street,
            "legacy": {
                "province": unit_ref(self.legacy_province),
                "district": unit_ref(self.legacy_district),
                "commune": unit_ref(self.legacy_commune),
            },
            "current": {
                "province": unit_ref(self.province),
                "commune": unit_ref(self.commune),
            },
            "predecessors": [
                {
                    **(unit_ref(p) or {}),
                    "district": unit_ref(_legacy_district(p)),
                    "province": unit_ref(_legacy_province(p)),
                }
                for p in self.predecessors
            ],
        }

    def lines(self) -> list[str]:
        """Readable lines for the CLI."""

        def show(unit: AdminUnit | None) -> str:
            return f"{unit.name} ({unit.code})" if unit else "—"

        out = [_("Địa chỉ: %(address)s") % {"address": self.address}]
        if self.street:
            out.append(_("Số nhà, đường: %(street)s") % {"street": self.street})
        if self.era == Era.LEGACY:
            out.append(_("Địa chỉ theo đơn vị hành chính trước 1/7/2025."))
        else:
            out.append(_("Địa chỉ theo đơn vị hành chính từ 1/7/2025."))
        out.append(_("Trước 1/7/2025 (tỉnh – huyện – xã):"))
        if self.era == Era.LEGACY:
            out.append("  " + _("Tỉnh/thành phố: %(unit)s") % {"unit": show(self.legacy_province)})
            out.append("  " + _("Quận/huyện: %(unit)s") % {"unit": show(self.legacy_district)})
            if self.legacy_commune:
                out.append("  " + _("Xã/phường: %(unit)s") % {"unit": show(self.legacy_commune)})
        else:
            for p in self.predecessors:
                out.append(
                    "  "
                    + _("Hợp thành từ: %(units)s")
                    % {
                        "units": ", ".join(
                            show(u) for u in (p, _legacy_district(p), _legacy_province(p)) if u
                        )
                    }
                )
        out.append(_("Từ 1/7/2025 (tỉnh – xã):"))
        out.append("  " + _("Tỉnh/thành phố: %(unit)s") % {"unit": show(self.province)})
        out.append("  " + _("Xã/phường/đặc khu: %(unit)s") % {"unit": show(self.commune)})
        return out


def _legacy_district(unit: AdminUnit) -> AdminUnit | None:
    """The district of a legacy commune; None for a (ward-less island) district itself."""
    if unit.level == Level.DISTRICT:
        return None
    return unit.parent


def _legacy_province(unit: AdminUnit) -> AdminUnit | None:
    """The province of a legacy commune or district."""
    if unit.level == Level.DISTRICT:
        return unit.parent
    return unit.parent.parent if unit.parent else None


def unit_ref(unit: AdminUnit | None) -> dict[str, Any] | None:
    """The short JSON form of a unit."""
    if unit is None:
        return None
    return {
        "id": unit.pk,
        "era": unit.era,
        "level": unit.level,
        "code": unit.code,
        "name": unit.name,
    }


@cache
def _package_parser() -> tuple[Any, Any]:
    # Imported on first use: building the package's patterns costs a noticeable fraction
    # of a second, which every other command would otherwise pay at start-up.
    from vietnamadminunits import ParseMode, parse_address

    return parse_address, ParseMode


def _get_unit(era: str, level: str, code: str | None) -> AdminUnit | None:
    if not code:
        return None
    unit = (
        AdminUnit.objects.select_related("parent__parent", "successor__parent")
        .filter(era=era, level=level, code=code)
        .first()
    )
    if unit is None:
        raise UnitsNotLoaded
    return unit


def _street(street: str | None, commune: AdminUnit | None) -> str | None:
    """The street part, unless the package's heuristic has taken the commune's own name."""
    if not street or commune is None:
        return street or None
    key = fold_key(street)
    if key in (commune.key, fold_key(commune.short_name)) or commune.key.startswith(key):
        return None
    return street


def _names(units: list[AdminUnit | None]) -> str:
    return ", ".join(u.name for u in units if u is not None)


def _resolve_namesakes(unit: AdminUnit, address: str) -> AdminUnit:
    """Refuse a commune whose name, without diacritics, is also another commune's in its parent.

    "xa thanh an, tp ho chi minh" may be Xã Thanh An or Xã Thạnh An, and the package picks one:
    that would be a guess. An address written with diacritics names exactly one of them.
    """
    namesakes = list(
        AdminUnit.objects.filter(
            era=unit.era, level=unit.level, parent_id=unit.parent_id, key=unit.key
        )
        .exclude(pk=unit.pk)
        .order_by("code")
    )
    if not namesakes:
        return unit
    written = unicodedata.normalize("NFC", address).lower()
    with_diacritics = fold(written) != " ".join(written.split())
    exact = [u for u in [unit, *namesakes] if u.short_name.lower() in written]
    if with_diacritics and len(exact) == 1:
        found = _get_unit(exact[0].era, exact[0].level, exact[0].code)
        assert found is not None
        return found
    raise AddressNotRecognised(
        _(
            "Trong địa chỉ “%(address)s”, tên xã, phường có thể là %(names)s (%(parent)s): "
            "hãy ghi tên có dấu."
        )
        % {
            "address": address,
            "names": _(" hoặc ").join(u.name for u in [unit, *namesakes]),
            "parent": unit.parent.name if unit.parent else "",
        },
        address=address,
        reason="ambiguous",
        recognised=[u for u in (unit.parent,) if u is not None],
    )


def parse_address(address: str) -> AddressMatch:
    """Find the units a free-form address names, in both eras; never guess.

    The address is read as a legacy address first (commune, district, province), then as a
    2025 one (commune, province). Diacritics are optional. An address in which no commune is
    recognised raises `AddressNotRecognised` saying what was recognised, if anything.
    """
    address = " ".join((address or "").split())
    if not address:
        raise AddressNotRecognised(
            _("Chưa nhập địa chỉ."), address="", reason="empty", recognised=[]
        )
    if not units_loaded():
        raise UnitsNotLoaded
    parse, mode = _package_parser()

    legacy = parse(address, mode=mode.LEGACY, level=3)
    l_province = _get_unit(Era.LEGACY, Level.PROVINCE, legacy.province_code)
    l_district = _get_unit(Era.LEGACY, Level.DISTRICT, legacy.district_code)
    l_commune = _get_unit(Era.LEGACY, Level.COMMUNE, legacy.ward_code)
    if l_commune is not None or (
        l_district is not None
        and l_district.successor_id is not None
        and not l_district.children.exists()
    ):
        # A legacy commune, or an island district (no communes) replaced by a special zone.
        if l_commune is not None:
            l_commune = _resolve_namesakes(l_commune, address)
        successor = l_commune.successor if l_commune else l_district.successor  # type: ignore[union-attr]
        return AddressMatch(
            address=address,
            era=Era.LEGACY,
            street=_street(legacy.street, l_commune or successor),
            legacy_province=l_province,
            legacy_district=l_district,
            legacy_commune=l_commune,
            province=successor.parent if successor else None,
            commune=successor,
        )
    if l_district is not None:
        # The address names a legacy district: a 2025 commune found in it would be a guess.
        raise AddressNotRecognised(
            _(
                "Nhận ra %(found)s nhưng không nhận ra xã, phường, thị trấn nào "
                "trong địa chỉ “%(address)s”."
            )
            % {"found": _names([l_district, l_province]), "address": address},
            address=address,
            reason="no_commune",
            recognised=[u for u in (l_province, l_district) if u],
        )

    current = parse(address, mode=mode.FROM_2025, level=2)
    province = _get_unit(Era.Y2025, Level.PROVINCE, current.province_code)
    commune = _get_unit(Era.Y2025, Level.COMMUNE, current.ward_code)
    if commune is not None:
        commune = _resolve_namesakes(commune, address)
        if l_province is not None and l_province.successor_id != commune.parent_id:
            raise AddressNotRecognised(
                _(
                    "Địa chỉ “%(address)s” ghi %(legacy)s nhưng %(commune)s thuộc %(province)s: "
                    "không khớp nhau, không thể xác định xã, phường."
                )
                % {
                    "address": address,
                    "legacy": l_province.name,
                    "commune": commune.name,
                    "province": province.name if province else "",
                },
                address=address,
                reason="conflict",
                recognised=[l_province],
            )
        predecessors = list(commune.predecessors.select_related("parent__parent").order_by("code"))
        return AddressMatch(
            address=address,
            era=Era.Y2025,
            street=_street(current.street, commune),
            province=province,
            commune=commune,
            predecessors=predecessors,
        )
    found = l_province or province
    if found is not None:
        raise AddressNotRecognised(
            _(
                "Nhận ra %(found)s nhưng không nhận ra xã, phường, đặc khu nào "
                "trong địa chỉ “%(address)s”."
            )
            % {"found": found.name, "address": address},
            address=address,
            reason="no_commune",
            recognised=[found],
        )
    raise AddressNotRecognised(
        _("Không nhận ra tỉnh, huyện hay xã, phường nào trong địa chỉ “%(address)s”.")
        % {"address": address},
        address=address,
        reason="nothing",
        recognised=[],
    )
