"""Vietnam's economic-activity classification — Hệ thống ngành kinh tế Việt Nam (VSIC 2018).

Lines of business (ngành, nghề kinh doanh) are registered as level-4 classes (4 digits),
optionally narrowed to a level-5 subclass (5 digits) of such a class. The codes are data in
`data/vsic.json` (Decision 27/2018/QĐ-TTg, Appendix I): every level-1 section (A–U) and
level-2 division, and an extract of the level-4/5 codes the platform uses; a code of a
division that is known but a class that is not is refused with a message saying so, so that
an administrator adds the class to the data rather than a typo being stored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CODE = re.compile(r"^[0-9]{4,5}\Z")
_SECTION = re.compile(r"^[A-U]\Z")


@dataclass(frozen=True)
class Section:
    """A level-1 section (ngành cấp 1), a letter covering a range of divisions."""

    code: str
    name: str
    first_division: str
    last_division: str

    def covers(self, division: str) -> bool:
        """Whether the 2-digit division lies in this section."""
        return self.first_division <= division <= self.last_division

    @property
    def divisions(self) -> list[str]:
        """The division codes of this section that exist."""
        return [d for d in _data()["divisions"] if self.covers(d)]


@cache
def _data() -> dict[str, Any]:
    text = (
        resources.files("lienthong.registries.enterprises")
        .joinpath("data", "vsic.json")
        .read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def sections() -> tuple[Section, ...]:
    """The 21 sections A–U, in order."""
    out = []
    for item in _data()["sections"]:
        first, last = item["divisions"].split("-")
        out.append(Section(item["code"], item["name"], first, last))
    return tuple(out)


def section(code: str) -> Section | None:
    """The section with letter `code`, if any."""
    return next((s for s in sections() if s.code == code.upper()), None)


def section_of(code: str) -> Section | None:
    """The section a class, subclass or division code belongs to."""
    division = code[:2]
    return next((s for s in sections() if s.covers(division)), None)


def name(code: str) -> str:
    """The official name of a code of any level, or "" if the data does not have it."""
    data = _data()
    if _SECTION.match(code):
        found = section(code)
        return found.name if found else ""
    table = {2: "divisions", 4: "classes", 5: "subclasses"}.get(len(code))
    return str(data[table].get(code, "")) if table else ""


def classes() -> dict[str, str]:
    """Level-4 classes and level-5 subclasses of the data, code → name, sorted by code."""
    data = _data()
    merged = {**data["classes"], **data["subclasses"]}
    return dict(sorted(merged.items()))


def choices() -> list[tuple[str, str]]:
    """Form choices: every known class and subclass as "code – name"."""
    return [(code, f"{code} – {label}") for code, label in classes().items()]


def clean(value: str) -> str:
    """A registrable line-of-business code (4 or 5 digits, known), else ValidationError."""
    code = (value or "").strip().replace(".", "")
    if not _CODE.match(code):
        raise ValidationError(
            _("Mã ngành “%(value)s” phải gồm 4 chữ số (ngành cấp 4) hoặc 5 chữ số (cấp 5)."),
            code="invalid_vsic_format",
            params={"value": value},
        )
    data = _data()
    if code[:2] not in data["divisions"]:
        raise ValidationError(
            _("Mã ngành “%(value)s” không thuộc ngành cấp 2 nào của VSIC 2018."),
            code="invalid_vsic_division",
            params={"value": value},
        )
    table = data["classes"] if len(code) == 4 else data["subclasses"]
    if code not in table:
        raise ValidationError(
            _(
                "Mã ngành “%(value)s” chưa có trong danh mục ngành kinh tế của hệ thống; "
                "quản trị viên bổ sung danh mục (VSIC 2018) trước khi đăng ký."
            ),
            code="unknown_vsic_code",
            params={"value": value},
        )
    return code


def filter_range(value: str) -> tuple[str, str]:
    """The code range [low, high) a VSIC filter stands for: a section's divisions are
    consecutive (C = 10–33 → ["10", "34")), a prefix p covers [p, p with its last digit + 1).

    A range is what a B-tree answers in one seek, where an OR of prefixes is one per prefix.
    """
    prefixes = filter_prefixes(value)
    low, last = prefixes[0], prefixes[-1]
    return low, last[:-1] + chr(ord(last[-1]) + 1)


def filter_prefixes(value: str) -> list[str]:
    """Code prefixes a VSIC filter stands for: a section letter → its divisions; digits → itself.

    Raises ValidationError for anything else, so the API answers 422 instead of "no rows".
    """
    value = (value or "").strip().upper()
    if _SECTION.match(value):
        found = section(value)
        if found is not None:
            return found.divisions
    if re.fullmatch(r"[0-9]{2,5}", value):
        return [value]
    raise ValidationError(
        _("Bộ lọc ngành “%(value)s”: nhập chữ cái ngành cấp 1 (A–U) hoặc 2–5 chữ số."),
        code="invalid_vsic_filter",
        params={"value": value},
    )
