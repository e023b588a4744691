"""The state budget classification the budget registry speaks in (mục lục ngân sách nhà nước).

Package data (`budget/data/budget_codes.json`), a representative subset of Thông tư
324/2016/TT-BTC: chapters (chương, 3 digits: the budget unit's level and field), items (mục,
4 digits, multiples of 50) and their sub-items (tiểu mục, the codes between). Read once per
process; unknown codes are refused on entry and import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Chapter:
    """A budget chapter (chương): the level and field a budget unit answers to."""

    code: str
    name: str
    level: str
    confirmed: bool

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"


@dataclass(frozen=True)
class Item:
    """A budget item (mục) of revenue or expenditure, with its sub-items (tiểu mục)."""

    code: str
    name: str
    kind: str
    sub_items: dict[str, str]

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"


@cache
def code_data() -> dict[str, Any]:
    """The classification file, parsed."""
    text = (
        resources.files("lienthong.registries.budget")
        .joinpath("data", "budget_codes.json")
        .read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def chapters() -> dict[str, Chapter]:
    """Chapters: code → chapter."""
    return {
        code: Chapter(code, name, level, confirmed)
        for code, name, level, confirmed in code_data()["chapters"]
    }


@cache
def items() -> dict[str, Item]:
    """Items: code → item."""
    return {
        row["code"]: Item(row["code"], row["name"], row["kind"], dict(row["sub_items"]))
        for row in code_data()["items"]
    }


@cache
def sub_items() -> dict[str, tuple[str, str]]:
    """Sub-items: code → (item code, name)."""
    return {
        sub: (item.code, name) for item in items().values() for sub, name in item.sub_items.items()
    }


def item_of(sub_item: str) -> str:
    """The item a sub-item code belongs to by the classification's rule (6051 → 6050)."""
    return str(int(sub_item) // 50 * 50)


def chapter_choices() -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in chapters().values()]


def item_choices(kind: str | None = None) -> list[tuple[str, str]]:
    return [(i.code, i.label) for i in items().values() if kind is None or i.kind == kind]


def sub_item_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} – {name}") for code, (_item, name) in sub_items().items()]


def item_name(code: str) -> str:
    item = items().get(code)
    return item.name if item else ""


def sub_item_name(code: str) -> str:
    found = sub_items().get(code)
    return found[1] if found else ""


def chapter_name(code: str) -> str:
    chapter = chapters().get(code)
    return chapter.name if chapter else ""


def validate_codes(*, kind: str, chapter: str, item: str, sub_item: str) -> dict[str, str]:
    """Check the codes of one budget line; return them cleaned, or raise ValidationError.

    The error dict names each wrong field, so a form, the API and the importer's row report
    all say which column is wrong. `item` may be left empty when `sub_item` is given: it is
    derived from it.
    """
    chapter, item, sub_item = (
        (chapter or "").strip(),
        (item or "").strip(),
        (sub_item or "").strip(),
    )
    errors: dict[str, str] = {}
    if chapter not in chapters():
        errors["chapter_code"] = _("Mã chương “%(code)s” không có trong mục lục ngân sách.") % {
            "code": chapter
        }
    if sub_item:
        if sub_item not in sub_items():
            errors["sub_item_code"] = _(
                "Mã tiểu mục “%(code)s” không có trong mục lục ngân sách."
            ) % {"code": sub_item}
        else:
            parent = sub_items()[sub_item][0]
            if not item:
                item = parent
            elif item != parent:
                errors["sub_item_code"] = _(
                    "Tiểu mục %(sub)s không thuộc mục %(item)s (thuộc mục %(parent)s)."
                ) % {"sub": sub_item, "item": item, "parent": parent}
    if not item:
        errors.setdefault("item_code", _("Cần mã mục hoặc mã tiểu mục."))
    elif item not in items():
        errors["item_code"] = _("Mã mục “%(code)s” không có trong mục lục ngân sách.") % {
            "code": item
        }
    elif items()[item].kind != kind and kind:
        errors["item_code"] = _("Mục %(item)s là mục %(expected)s, không phải %(given)s.") % {
            "item": item,
            "expected": kind_label(items()[item].kind),
            "given": kind_label(kind),
        }
    if errors:
        raise ValidationError(errors)
    return {"chapter_code": chapter, "item_code": item, "sub_item_code": sub_item}


def kind_label(kind: str) -> str:
    """ "thu" / "chi" for messages."""
    return {"revenue": _("thu"), "expenditure": _("chi")}.get(kind, kind)
