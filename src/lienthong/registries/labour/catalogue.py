"""The codes the labour registry speaks in: occupations (VSCO 2020) and skills.

Both lists are package data (`labour/data/*.json`), read once per process. Occupation codes
follow the Vietnamese occupation classification (Danh mục nghề nghiệp Việt Nam, Quyết định
34/2020/QĐ-TTg): one digit for the major group (cấp 1), two for the sub-major group (cấp 2),
four for the unit group (cấp 4) the records use. Skills are the platform's own list (there is
no national one), each with a short code.
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

_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Occupation:
    """A level-4 occupation (nghề cấp 4) with its level-2 and level-1 groups."""

    code: str
    name: str

    @property
    def group(self) -> str:
        """The level-2 group (nhóm cấp 2): the first two digits."""
        return self.code[:2]

    @property
    def major(self) -> str:
        """The level-1 group (nhóm cấp 1): the first digit."""
        return self.code[:1]

    @property
    def group_name(self) -> str:
        return level2_names().get(self.group, "")

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"


@dataclass(frozen=True)
class Skill:
    """A skill (kỹ năng) of the catalogue, with the occupation groups it is usually asked for."""

    code: str
    name: str
    groups: tuple[str, ...]


def _load(name: str) -> dict[str, Any]:
    text = resources.files("lienthong.registries.labour").joinpath("data", name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def occupation_data() -> dict[str, Any]:
    """The occupation file, parsed."""
    return _load("occupations.json")


@cache
def level1_names() -> dict[str, str]:
    """Level-1 groups: code → name."""
    return {code: name for code, name in occupation_data()["level1"]}


@cache
def level2_names() -> dict[str, str]:
    """Level-2 groups: code → name."""
    return {code: name for code, name in occupation_data()["level2"]}


@cache
def occupations() -> dict[str, Occupation]:
    """Level-4 occupations the registry accepts: code → occupation."""
    return {code: Occupation(code, name) for code, name in occupation_data()["level4"]}


@cache
def skills() -> dict[str, Skill]:
    """Skills the registry accepts: code → skill."""
    rows = _load("skills.json")["skills"]
    return {code: Skill(code, name, tuple(groups)) for code, name, groups in rows}


def occupation_choices() -> list[tuple[str, str]]:
    """(code, "code – name") for selects, grouped order (by code)."""
    return [(o.code, o.label) for o in sorted(occupations().values(), key=lambda o: o.code)]


def group_choices() -> list[tuple[str, str]]:
    """(code, "code – name") of the level-2 groups that have level-4 codes here."""
    used = {o.group for o in occupations().values()}
    return [(code, f"{code} – {name}") for code, name in level2_names().items() if code in used]


def skill_choices() -> list[tuple[str, str]]:
    """(code, name) of every skill, by name."""
    return sorted(((s.code, s.name) for s in skills().values()), key=lambda c: c[1])


def occupation_name(code: str) -> str:
    """The name of a level-4 code ("" if unknown)."""
    occupation = occupations().get(code)
    return occupation.name if occupation else ""


def skill_name(code: str) -> str:
    """The name of a skill code (the code itself if unknown)."""
    skill = skills().get(code)
    return skill.name if skill else code


def split_codes(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Codes from a list or from text separated by spaces, commas or semicolons, in order,
    without repeats (import files write "7212, 7233")."""
    if value is None:
        return []
    parts = value if isinstance(value, list | tuple) else _SEPARATORS.split(str(value))
    seen: dict[str, None] = {}
    for part in parts:
        code = str(part).strip()
        if code:
            seen.setdefault(code, None)
    return list(seen)


def clean_occupation_codes(value: Any, *, required: bool = True, limit: int = 5) -> list[str]:
    """Validated level-4 occupation codes (ValidationError naming the unknown ones)."""
    codes = split_codes(value)
    if required and not codes:
        raise ValidationError(_("Cần ít nhất một mã nghề."), code="required")
    unknown = [code for code in codes if code not in occupations()]
    if unknown:
        raise ValidationError(
            _("Mã nghề không có trong danh mục nghề nghiệp (VSCO cấp 4): %(codes)s.")
            % {"codes": ", ".join(unknown)},
            code="unknown_occupation",
        )
    if len(codes) > limit:
        raise ValidationError(
            _("Chỉ được chọn tối đa %(limit)s nghề.") % {"limit": limit}, code="too_many"
        )
    return codes


def clean_skill_codes(value: Any, *, limit: int = 12) -> list[str]:
    """Validated skill codes (ValidationError naming the unknown ones)."""
    codes = split_codes(value)
    unknown = [code for code in codes if code not in skills()]
    if unknown:
        raise ValidationError(
            _("Mã kỹ năng không có trong danh mục: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="unknown_skill",
        )
    if len(codes) > limit:
        raise ValidationError(
            _("Chỉ được chọn tối đa %(limit)s kỹ năng.") % {"limit": limit}, code="too_many"
        )
    return codes


def join_codes(codes: list[str] | tuple[str, ...]) -> str:
    """The stored form of a code list: space-separated with a space at both ends.

    The padding lets one `LIKE '% 7212 %'` find a whole code and never a part of another.
    """
    return f" {' '.join(codes)} " if codes else ""


def stored_codes(text: str | None) -> list[str]:
    """Codes back from their stored form."""
    return (text or "").split()
