"""Where a commune lies: the 2025 province of a 2025 commune code, for "same province".

The registries store commune codes (2025 units, `registries.base.addresses`); matching also
compares provinces, so each record keeps its province code beside the commune. The mapping
is read once per process (about 3,300 communes) and looked up in the database on a miss, so
units loaded later are still found.
"""

from __future__ import annotations

import threading

from lienthong.core.models import AdminUnit

_lock = threading.Lock()
_provinces: dict[str, str] = {}


def _load() -> dict[str, str]:
    rows = AdminUnit.objects.current().communes().values_list("code", "parent__code")
    return {code: parent or "" for code, parent in rows}


def province_of(commune: str) -> str:
    """The province code of a 2025 commune code ("" when unknown)."""
    if not commune:
        return ""
    with _lock:
        if not _provinces:
            _provinces.update(_load())
        found = _provinces.get(commune)
    if found is not None:
        return found
    parent = (
        AdminUnit.objects.current()
        .communes()
        .filter(code=commune)
        .values_list("parent__code", flat=True)
        .first()
    )
    if parent:
        with _lock:
            _provinces[commune] = parent
    return parent or ""


def clear() -> None:
    """Forget the mapping (tests that load other units)."""
    with _lock:
        _provinces.clear()


def commune_name(code: str) -> str:
    """ "Phường X, Tỉnh Y" for a 2025 commune code (the code itself when unknown)."""
    from lienthong.registries.base.addresses import describe

    return describe("", code) or code
