"""Addresses in registry records: a street, and the commune in both eras.

A record keeps the 2025 commune code (what every query filters on), the legacy commune code
when the address was written before July 2025, the street, and the address as it was given.
`resolve_address` turns what an import row or a form holds into those four values: from
codes (fast: a dictionary of every unit, loaded once) or, when only free text is given,
through `core.units.parse_address` (cached per distinct text). A legacy commune is converted
to its 2025 successor; the legacy code is kept beside it.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lienthong.core.models import AdminUnit

_lock = threading.Lock()
_index: UnitIndex | None = None


@dataclass(frozen=True)
class Unit:
    """What a record needs to know about a commune: its name and the names above it."""

    code: str
    name: str
    #: Legacy communes: the 2025 successor's code ("" for none). 2025 communes: "".
    successor: str
    #: "Huyện X, Tỉnh Y" (legacy) or "Tỉnh Y" (2025).
    above: str

    @property
    def full_name(self) -> str:
        return f"{self.name}, {self.above}" if self.above else self.name


@dataclass(frozen=True)
class UnitIndex:
    """Every commune of both eras by code (about 13,000 small entries)."""

    legacy: dict[str, Unit]
    current: dict[str, Unit]


def unit_index() -> UnitIndex:
    """The communes of both eras, loaded from the database once per process."""
    global _index
    with _lock:
        if _index is None or not _index.current:
            _index = _load_index()
        return _index


def clear_unit_index() -> None:
    """Forget the loaded units (after `lienthong units load`, and between tests)."""
    global _index
    with _lock:
        _index = None
    _parse_cached.cache_clear()


def _load_index() -> UnitIndex:
    units = AdminUnit.objects.filter(level__in=[AdminUnit.Level.COMMUNE, AdminUnit.Level.DISTRICT])
    rows = units.values_list(
        "era", "level", "code", "name", "successor__code", "parent__name", "parent__parent__name"
    )
    legacy: dict[str, Unit] = {}
    current: dict[str, Unit] = {}
    for era, level, code, name, successor, parent, grandparent in rows.iterator(chunk_size=5000):
        if era == AdminUnit.Era.Y2025:
            current[code] = Unit(code, name, "", parent or "")
        elif level == AdminUnit.Level.COMMUNE:
            above = ", ".join(part for part in (parent, grandparent) if part)
            legacy[code] = Unit(code, name, successor or "", above)
    return UnitIndex(legacy=legacy, current=current)


@dataclass(frozen=True)
class ResolvedAddress:
    """An address as a record stores it."""

    street: str = ""
    commune: str = ""
    legacy_commune: str = ""
    original: str = ""


_EMPTY = ResolvedAddress()


@functools.lru_cache(maxsize=8192)
def _parse_cached(text: str) -> tuple[str, str, str]:
    from lienthong.core.units import AddressNotRecognised, UnitsNotLoaded, parse_address

    try:
        match = parse_address(text)
    except AddressNotRecognised as exc:
        raise ValidationError(exc.message, code="address_not_recognised") from exc
    except UnitsNotLoaded as exc:
        raise ValidationError(str(exc), code="units_not_loaded") from exc
    legacy = match.legacy_commune.code if match.legacy_commune else ""
    commune = match.commune.code if match.commune else ""
    return match.street or "", commune, legacy


def resolve_address(
    *, street: str = "", commune: str = "", legacy_commune: str = "", text: str = ""
) -> ResolvedAddress:
    """The stored form of an address given by codes and/or text; ValidationError if wrong.

    - a legacy commune code gives the 2025 commune (its successor); a 2025 code given as
      well must be that successor;
    - a 2025 code alone must exist;
    - with no code, `text` (a full address, either era, with or without diacritics) is
      parsed, and must name a commune.
    The text, when given, is kept as the original.
    """
    if not (street or commune or legacy_commune or text):
        return _EMPTY
    street, commune, legacy_commune, text = (
        " ".join(v.split()) for v in (street, commune, legacy_commune, text)
    )
    if not (commune or legacy_commune):
        if not text:
            return ResolvedAddress(street=street)
        parsed_street, commune, legacy_commune = _parse_cached(text)
        return ResolvedAddress(street or parsed_street, commune, legacy_commune, text)
    index = unit_index()
    if legacy_commune:
        old = index.legacy.get(legacy_commune)
        if old is None:
            raise ValidationError(
                _("Không có xã, phường (trước 1/7/2025) mã “%(code)s”.") % {"code": legacy_commune},
                code="unknown_legacy_commune",
            )
        if not old.successor:
            raise ValidationError(
                _("%(name)s (mã %(code)s) chưa có đơn vị kế thừa từ 1/7/2025.")
                % {"name": old.name, "code": legacy_commune},
                code="no_successor",
            )
        if commune and commune != old.successor:
            raise ValidationError(
                _(
                    "Mã xã, phường mới “%(new)s” không khớp: %(name)s (mã cũ %(old)s) "
                    "nay thuộc xã, phường mã %(successor)s."
                )
                % {
                    "new": commune,
                    "name": old.name,
                    "old": legacy_commune,
                    "successor": old.successor,
                },
                code="commune_mismatch",
            )
        commune = old.successor
    elif commune not in index.current:
        raise ValidationError(
            _("Không có xã, phường, đặc khu (từ 1/7/2025) mã “%(code)s”.") % {"code": commune},
            code="unknown_commune",
        )
    return ResolvedAddress(street, commune, legacy_commune, text)


def describe(street: str, commune: str) -> str:
    """The address as one line: street, commune, province (2025 units)."""
    unit = unit_index().current.get(commune) if commune else None
    parts = [street] if street else []
    if unit is not None:
        parts.append(unit.full_name)
    elif commune:
        parts.append(commune)
    return ", ".join(parts)


def describe_legacy(legacy_commune: str) -> str:
    """The legacy commune with its district and province, or ""."""
    unit = unit_index().legacy.get(legacy_commune) if legacy_commune else None
    return unit.full_name if unit else ""
