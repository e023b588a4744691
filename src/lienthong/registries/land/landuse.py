"""Land-use type codes — ký hiệu loại đất — read from package data (`data/land_use_types.json`).

The codes are the official letters of the cadastral map and the land statistics (ONT, ODT,
LUC, CLN, …; the file names its sources). They are data, not code: a corrected list is a new
file, not a release. A parcel may have several uses (an "ONT+CLN" parcel is a house with its
garden); the first code is its main use.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from django.utils.translation import gettext as _

DATA_FILE = "land_use_types.json"
#: What separates the codes of a mixed-use parcel in a file or a form: "ONT+CLN", "ONT, CLN".
_SEPARATORS = re.compile(r"[+,;/\s]+")
#: How codes are joined when stored: "ONT+CLN".
JOINER = "+"


@dataclass(frozen=True)
class LandUseType:
    """One land-use type (loại đất): official code, Vietnamese name, group (NNP, PNN, CSD)."""

    code: str
    name: str
    group: str
    since: str = ""
    until: str = ""

    @property
    def label(self) -> str:
        """ "ONT — Đất ở tại nông thôn": what a select box shows."""
        return f"{self.code} — {self.name}"


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    text = resources.files("lienthong.registries.land").joinpath("data", DATA_FILE).read_text()
    data: dict[str, object] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def all_types() -> tuple[LandUseType, ...]:
    """Every land-use type of the data file, in its order (agricultural first)."""
    rows = _data()["types"]
    assert isinstance(rows, list)
    return tuple(
        LandUseType(
            code=row["code"],
            name=row["name"],
            group=row["group"],
            since=row.get("since", ""),
            until=row.get("until", ""),
        )
        for row in rows
    )


@lru_cache(maxsize=1)
def groups() -> dict[str, str]:
    """Group code → group name (NNP → Nhóm đất nông nghiệp, …)."""
    rows = _data()["groups"]
    assert isinstance(rows, list)
    return {row["code"]: row["name"] for row in rows}


@lru_cache(maxsize=1)
def by_code() -> dict[str, LandUseType]:
    """Code → land-use type."""
    return {t.code: t for t in all_types()}


def choices() -> list[tuple[str, str]]:
    """(code, "code — name") pairs for forms and filters."""
    return [(t.code, t.label) for t in all_types()]


def name_of(code: str) -> str:
    """The Vietnamese name of `code`, or the code itself when the list does not know it."""
    found = by_code().get(code)
    return found.name if found else code


def parse_codes(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """The land-use codes written in `value` ("ONT+CLN", "ont, cln", a list), upper-cased.

    Raises ValueError with a Vietnamese message naming the unknown codes, or when there is
    none. Repeated codes are kept once, in their first place (the first is the main use).
    """
    parts: list[str] = []
    items = [value] if isinstance(value, str) else list(value or [])
    for item in items:
        parts += [p.upper() for p in _SEPARATORS.split(str(item).strip()) if p]
    if not parts:
        raise ValueError(_("Chưa có mã loại đất."))
    known = by_code()
    unknown = [p for p in parts if p not in known]
    if unknown:
        raise ValueError(
            _("Mã loại đất không có trong danh mục: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    return list(dict.fromkeys(parts))


def join_codes(codes: list[str]) -> str:
    """Codes as stored: "ONT+CLN"."""
    return JOINER.join(codes)
