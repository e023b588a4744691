"""How the shared registry machinery handles budget lines (import and export columns, list
columns, filters, form), registered in `BudgetConfig.ready()`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import OrgUnit
from lienthong.registries.base import registry as registries
from lienthong.registries.base.importing import (
    Column,
    ImportContext,
    parse_choice,
    parse_digits,
    parse_text,
)
from lienthong.registries.base.registry import ListColumn, ListFilter, RegistryType
from lienthong.registries.budget import codes
from lienthong.registries.budget.models import PERIOD_CHOICES, BudgetLine, Kind, Stage
from lienthong.registries.labour.formatting import money

LINES = "budget"

#: The columns that make a line's natural key (one amount per cell of the table).
KEY_FIELDS = (
    "agency_id",
    "year",
    "period",
    "kind",
    "stage",
    "chapter_code",
    "item_code",
    "sub_item_code",
)


def parse_signed_amount(value: str) -> int:
    """A whole number of đồng, possibly negative; dots, commas and spaces between thousands.

    A decimal part is refused rather than rounded: budget amounts are whole đồng.
    """
    text = value.strip().replace(" ", "").replace("\u00a0", "")
    if text.endswith(("đ", "d")):
        text = text[:-1]
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("-()")
    digits = text.replace(".", "").replace(",", "")
    if not digits.isdigit() or not digits.isascii():
        raise ValidationError(
            _("“%(value)s” không phải số tiền (đồng).") % {"value": value.strip()}
        )
    # "1.5" or "1,25" is a decimal amount, not a thousands separator (groups have 3 digits).
    for separator in ".,":
        groups = text.split(separator)
        if len(groups) > 1 and any(len(g) != 3 for g in groups[1:]):
            raise ValidationError(
                _("Số tiền “%(value)s” phải là số nguyên đồng.") % {"value": value.strip()}
            )
    amount = int(digits)
    return -amount if negative else amount


def parse_year(value: str) -> int:
    text = value.strip()
    if not (text.isdigit() and text.isascii() and len(text) == 4 and 2000 <= int(text) <= 2100):
        raise ValidationError(_("Năm “%(value)s” không hợp lệ.") % {"value": text})
    return int(text)


def parse_period(value: str) -> str:
    """Y, Q1–Q4, M01–M12, or their labels ("Quý 2", "Tháng 5", "Cả năm"); "M5" is M05."""
    text = value.strip().upper()
    if len(text) == 2 and text[0] == "M" and text[1].isdigit():
        text = f"M0{text[1]}"
    if text in dict(PERIOD_CHOICES):
        return text
    return parse_choice(PERIOD_CHOICES)(value)


def parse_agency(value: str) -> OrgUnit:
    """An agency by its identification code (xxx.xx.xx.Xnn)."""
    code = value.strip()
    agency = OrgUnit.objects.filter(code=code).first()
    if agency is None:
        raise ValidationError(_("Không có cơ quan mã “%(code)s”.") % {"code": code})
    return agency


def line_columns() -> list[Column]:
    """The columns of a budget file, in order (the header may use keys or labels)."""
    return [
        Column(
            "agency",
            _("Mã đơn vị"),
            parse=parse_agency,
            required=True,
            export=lambda line: line.agency.code or "",
        ),
        Column("year", _("Năm"), parse=parse_year, required=True),
        Column("period", _("Kỳ"), parse=parse_period, required=True),
        Column(
            "kind",
            _("Thu/chi"),
            parse=parse_choice(Kind.choices),
            required=True,
            export=lambda line: line.get_kind_display(),
        ),
        Column(
            "stage",
            _("Dự toán/thực hiện"),
            parse=parse_choice(Stage.choices),
            required=True,
            export=lambda line: line.get_stage_display(),
        ),
        Column("chapter_code", _("Mã chương"), parse=parse_digits(3), required=True),
        Column("item_code", _("Mã mục"), parse=parse_digits(4)),
        Column("sub_item_code", _("Mã tiểu mục"), parse=parse_digits(4)),
        Column("amount", _("Số tiền"), parse=parse_signed_amount, required=True),
        Column("description", _("Diễn giải"), parse=parse_text(300)),
    ]


def _key(line: BudgetLine) -> tuple[Any, ...]:
    return tuple(getattr(line, name) for name in KEY_FIELDS)


def _existing_keys(ctx: ImportContext, agency_id: int, year: int) -> set[tuple[Any, ...]]:
    """Keys of the lines already in the table for one agency and year (cached per run)."""
    cache: dict[tuple[int, int], set[tuple[Any, ...]]] = ctx.cache.setdefault("keys", {})
    if (agency_id, year) not in cache:
        rows = BudgetLine.all_objects.filter(agency_id=agency_id, year=year).values_list(
            *KEY_FIELDS
        )
        cache[(agency_id, year)] = set(rows)
    return cache[(agency_id, year)]


def build_line(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """A budget line's column values from one import row; ValidationError names the fields
    at fault.

    Codes are checked against the classification; a line whose cell (agency, year, period,
    kind, stage, chapter, item, sub-item) is already in the table, or earlier in the file,
    is an error: a correction is an edit with history, not a second amount summed twice.
    """
    line = BudgetLine(owner=ctx.owner, description=values.get("description", ""))
    for name in (
        "agency",
        "year",
        "period",
        "kind",
        "stage",
        "chapter_code",
        "item_code",
        "sub_item_code",
        "amount",
    ):
        if name in values:
            setattr(line, name, values[name])
    line.clean_fields(exclude=["owner", "agency"])
    line.clean()
    key = _key(line)
    if key in _existing_keys(ctx, line.agency_id, line.year):
        raise ValidationError(
            {
                "amount": _(
                    "Đã có số liệu cho ô này (đơn vị, năm, kỳ, thu/chi, dự toán/thực hiện, mã)."
                )
            }
        )
    seen: set[tuple[Any, ...]] = ctx.cache.setdefault("seen", set())
    if key in seen:
        raise ValidationError({"amount": _("Trùng với một dòng phía trên của tệp.")})
    seen.add(key)
    return {
        f.attname: getattr(line, f.attname)
        for f in BudgetLine._meta.concrete_fields
        if not f.primary_key
    }


def _by_agency(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    """Lines of an agency (id or code) and the units below it."""
    value = value.strip()
    lookup = {"pk": int(value)} if value.isdigit() else {"code": value}
    agency = OrgUnit.objects.filter(**lookup).first()
    if agency is None:
        raise ValidationError(_("Không có đơn vị “%(value)s”.") % {"value": value})
    return qs.filter(agency__path__startswith=agency.path)


def _by_year(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(year=parse_year(value))


def _by_period(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(period=parse_period(value))


def _by_item(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    value = value.strip()
    if value in codes.items():
        return qs.filter(item_code=value)
    if value in codes.sub_items():
        return qs.filter(sub_item_code=value)
    raise ValidationError(
        _("Mã mục, tiểu mục “%(value)s” không có trong mục lục.") % {"value": value}
    )


def _by_chapter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    if value not in codes.chapters():
        raise ValidationError(_("Mã chương “%(value)s” không có trong mục lục.") % {"value": value})
    return qs.filter(chapter_code=value)


def _choices(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Choices with their labels as text (filters compare and show them)."""
    return [(value, str(label)) for value, label in choices]


def register_types() -> None:
    """Register budget lines with the shared registry machinery."""
    from lienthong.registries.budget import forms

    registries.register(
        RegistryType(
            key=LINES,
            slug="ngan-sach",
            model=BudgetLine,
            label=str(_("dòng thu, chi")),
            label_plural=str(_("Thu, chi ngân sách")),
            columns=line_columns(),
            build=build_line,
            form_class=forms.BudgetLineForm,
            list_columns=[
                ListColumn(_("Năm"), lambda line: line.year, link=True),
                ListColumn(_("Kỳ"), lambda line: line.get_period_display(), link=True),
                ListColumn(_("Đơn vị"), lambda line: line.agency.name),
                ListColumn(_("Thu/chi"), lambda line: line.get_kind_display()),
                ListColumn(_("Dự toán/thực hiện"), lambda line: line.get_stage_display()),
                ListColumn(_("Chương"), lambda line: line.chapter_code),
                ListColumn(
                    _("Mục/tiểu mục"),
                    lambda line: f"{line.sub_item_code or line.item_code} {line.code_name}",
                ),
                ListColumn(_("Số tiền (đồng)"), lambda line: money(line.amount, unit="")),
            ],
            filters=[
                ListFilter("year", _("Năm"), apply=_by_year),
                ListFilter(
                    "period", _("Kỳ"), choices=lambda: _choices(PERIOD_CHOICES), apply=_by_period
                ),
                ListFilter("agency", _("Đơn vị (gồm trực thuộc)"), apply=_by_agency),
                ListFilter("kind", _("Thu/chi"), choices=lambda: _choices(Kind.choices)),
                ListFilter(
                    "stage", _("Dự toán/thực hiện"), choices=lambda: _choices(Stage.choices)
                ),
                ListFilter(
                    "chapter", _("Chương"), choices=codes.chapter_choices, apply=_by_chapter
                ),
                ListFilter("item", _("Mục hoặc tiểu mục"), apply=_by_item),
            ],
            select_related=("agency",),
            export_related=("agency",),
            import_help=str(
                _(
                    "Mỗi dòng một số liệu. Bắt buộc: mã đơn vị (mã định danh cơ quan), năm, kỳ "
                    "(Y = cả năm, Q1–Q4, M01–M12), thu/chi, dự toán/thực hiện, mã chương, mã "
                    "tiểu mục (hoặc mã mục), số tiền (đồng, số nguyên). Mã chương, mục, tiểu mục "
                    "theo Thông tư 324/2016/TT-BTC; mã không có trong mục lục là lỗi của dòng."
                )
            ),
        )
    )


__all__ = ["LINES", "register_types"]
