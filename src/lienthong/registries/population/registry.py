"""How the shared registry machinery handles persons and households (import columns, list
columns, filters, forms), registered in `PopulationConfig.ready()`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.registries.base import registry as registries
from lienthong.registries.base.addresses import resolve_address
from lienthong.registries.base.bulk import insert_rows
from lienthong.registries.base.importing import (
    Column,
    ImportContext,
    parse_choice,
    parse_date,
    parse_digits,
    parse_text,
)
from lienthong.registries.base.registry import ListColumn, ListFilter, RegistryType, StrOrPromise
from lienthong.registries.population.models import (
    Household,
    Person,
    Relation,
    Sex,
    ethnic_groups,
    person_errors,
)

PERSONS = "population"
HOUSEHOLDS = "population_household"


def _address_columns(prefix: str, label: StrOrPromise) -> list[Column]:
    fields = (f"{prefix}_commune", f"{prefix}_street", f"{prefix}_commune_legacy")
    return [
        Column(f"{prefix}_street", _("%(label)s: số nhà, đường") % {"label": label}),
        Column(
            f"{prefix}_commune",
            _("%(label)s: mã xã mới") % {"label": label},
            parse=parse_digits(5),
            fields=fields,
        ),
        Column(
            f"{prefix}_commune_legacy",
            _("%(label)s: mã xã cũ") % {"label": label},
            parse=parse_digits(5),
        ),
        Column(
            f"{prefix}_address",
            _("%(label)s: địa chỉ") % {"label": label},
            parse=parse_text(500),
            export=lambda obj: getattr(obj, f"{prefix}_address_original"),
            fields=(f"{prefix}_address_original",),
        ),
    ]


def person_columns() -> list[Column]:
    """The columns of a persons file, in order (the header may use keys or labels)."""
    return [
        Column("personal_id", _("Số định danh cá nhân"), parse=parse_digits(12), required=True),
        Column("full_name", _("Họ và tên"), parse=parse_text(150), required=True),
        Column("birth_date", _("Ngày sinh"), parse=parse_date, required=True),
        Column(
            "sex",
            _("Giới tính"),
            parse=parse_choice(Sex.choices),
            required=True,
            export=lambda p: p.get_sex_display(),
        ),
        Column(
            "ethnicity",
            _("Dân tộc"),
            parse=parse_choice(ethnic_groups()),
            required=True,
            export=lambda p: p.ethnicity_name,
        ),
        Column("hometown", _("Quê quán"), parse=parse_text(255)),
        *_address_columns("permanent", _("Thường trú")),
        *_address_columns("current", _("Nơi ở hiện tại")),
        Column(
            "household_code",
            _("Số hộ"),
            parse=parse_text(20),
            export=lambda p: p.household.code if p.household_id else "",
            fields=("household",),
        ),
        Column(
            "relation_to_head",
            _("Quan hệ với chủ hộ"),
            parse=parse_choice(Relation.choices),
            export=lambda p: p.get_relation_to_head_display(),
        ),
    ]


def build_person(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """A person's column values from one import row, checked with the rules of
    `Person.clean`; ValidationError names the fields at fault.

    The uniqueness of the ID is checked by the import (in batches), not here per row.
    """
    today = ctx.cache.get("today")
    if today is None:
        today = ctx.cache["today"] = timezone.localdate()
    row: dict[str, Any] = {
        "personal_id": values.get("personal_id", ""),
        "full_name": values.get("full_name", ""),
        "birth_date": values.get("birth_date"),
        "sex": values.get("sex", ""),
        "ethnicity": values.get("ethnicity", ""),
        "hometown": values.get("hometown", ""),
        "relation_to_head": values.get("relation_to_head", ""),
        "household_code": values.get("household_code", ""),
    }
    errors = person_errors(row["personal_id"], row["birth_date"], row["sex"], today=today)
    for prefix in Person.address_prefixes:
        try:
            resolved = resolve_address(
                street=values.get(f"{prefix}_street", ""),
                commune=values.get(f"{prefix}_commune", ""),
                legacy_commune=values.get(f"{prefix}_commune_legacy", ""),
                text=values.get(f"{prefix}_address", ""),
            )
        except ValidationError as exc:
            errors[f"{prefix}_commune"] = exc.messages
            continue
        row[f"{prefix}_street"] = resolved.street
        row[f"{prefix}_commune"] = resolved.commune
        row[f"{prefix}_commune_legacy"] = resolved.legacy_commune
        row[f"{prefix}_address_original"] = resolved.original
    if row["relation_to_head"] and not row["household_code"]:
        errors["relation_to_head"] = [str(_("Chỉ ghi quan hệ với chủ hộ khi có số hộ."))]
    if errors:
        raise ValidationError(errors)
    return row


def existing_person_ids(keys: Iterable[str]) -> set[str]:
    """The personal IDs among `keys` already in the table (soft-deleted rows included)."""
    return set(
        Person.all_objects.filter(personal_id__in=list(keys)).values_list("personal_id", flat=True)
    )


def link_households(batch: list[dict[str, Any]], ctx: ImportContext) -> None:
    """Give each person of the batch its household, creating the households not yet known.

    Members of a household usually follow one another in a file, so only the codes of the
    previous batch are kept (memory stays flat over millions of rows); others are looked up
    in one query per batch, and the new ones inserted in one statement.
    """
    known: dict[str, int] = ctx.cache.setdefault("households", {})
    codes = {row["household_code"] for row in batch if row.get("household_code")}
    missing = codes - known.keys()
    if missing:
        found = dict(Household.all_objects.filter(code__in=missing).values_list("code", "pk"))
        first_member: dict[str, dict[str, Any]] = {}
        for row in batch:
            code = row.get("household_code")
            if code in missing and code not in found:
                first_member.setdefault(str(code), row)
        new = [
            {
                "code": code,
                "owner_id": row["owner_id"],
                "import_job_id": row["import_job_id"],
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
                "search_text": Household.search_text_of(
                    {"code": code, "address_street": row.get("permanent_street", "")}
                ),
                "address_street": row.get("permanent_street", ""),
                "address_commune": row.get("permanent_commune", ""),
                "address_commune_legacy": row.get("permanent_commune_legacy", ""),
                "address_address_original": row.get("permanent_address_original", ""),
            }
            for code, row in first_member.items()
        ]
        if new:
            insert_rows(Household, new)
            found.update(
                Household.all_objects.filter(code__in=list(first_member)).values_list("code", "pk")
            )
        kept = {code: known[code] for code in codes & known.keys()}
        known.clear()
        known.update(kept)
        known.update(found)
    for row in batch:
        code = row.pop("household_code", "")
        if code:
            row["household_id"] = known[code]


def set_household_heads_of(households: QuerySet[Household]) -> int:
    """Households among `households` without a head get their member marked as head."""
    heads = Person.all_objects.filter(
        household=OuterRef("pk"), relation_to_head="head", deleted_at__isnull=True
    ).order_by("pk")
    return households.filter(head__isnull=True).update(head=Subquery(heads.values("pk")[:1]))


def set_household_heads(ctx: ImportContext) -> None:
    """Households of this import without a head get the member marked as head."""
    set_household_heads_of(Household.all_objects.filter(import_job=ctx.job))


def household_columns() -> list[Column]:
    """The columns of a households file."""
    return [
        Column("code", _("Số hộ"), parse=parse_text(20), required=True),
        *_address_columns("address", _("Địa chỉ hộ")),
    ]


def build_household(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """A household's column values from one import row."""
    try:
        resolved = resolve_address(
            street=values.get("address_street", ""),
            commune=values.get("address_commune", ""),
            legacy_commune=values.get("address_commune_legacy", ""),
            text=values.get("address_address", ""),
        )
    except ValidationError as exc:
        raise ValidationError({"address_commune": exc.messages}) from exc
    return {
        "code": values.get("code", ""),
        "address_street": resolved.street,
        "address_commune": resolved.commune,
        "address_commune_legacy": resolved.legacy_commune,
        "address_address_original": resolved.original,
    }


def existing_household_codes(keys: Iterable[str]) -> set[str]:
    return set(Household.all_objects.filter(code__in=list(keys)).values_list("code", flat=True))


def _by_birth_year(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    if not value.isdigit():
        raise ValidationError(_("Năm sinh phải là số."))
    return qs.filter(birth_date__year=int(value))


def person_detail_context(person: Person) -> dict[str, Any]:
    """The other members of the person's household, for the detail page."""
    household = person.household
    members = list(household.members.order_by("birth_date", "pk")) if household is not None else []
    return {"members": members}


def household_detail_context(household: Household) -> dict[str, Any]:
    return {
        "members": list(household.members.order_by("birth_date", "pk")),
        "address": household.address_text("address"),
    }


def register_all() -> None:
    """Register persons and households with the shared registry machinery."""
    from lienthong.registries.population import forms
    from lienthong.registries.population.services import delete_person

    registries.register(
        RegistryType(
            key=PERSONS,
            slug="dan-cu",
            model=Person,
            label=str(_("công dân")),
            label_plural=str(_("Dân cư")),
            columns=person_columns(),
            build=build_person,
            form_class=forms.PersonForm,
            list_columns=[
                ListColumn(_("Số định danh"), lambda p: p.personal_id, link=True),
                ListColumn(_("Họ và tên"), lambda p: p.full_name, link=True),
                ListColumn(_("Ngày sinh"), lambda p: p.birth_date),
                ListColumn(_("Giới tính"), lambda p: p.get_sex_display()),
                ListColumn(_("Thường trú"), lambda p: p.address_text("permanent")),
            ],
            filters=[
                ListFilter(
                    "sex",
                    _("Giới tính"),
                    choices=lambda: [(v, str(label)) for v, label in Sex.choices],
                ),
                ListFilter("ethnicity", _("Dân tộc"), choices=ethnic_groups),
                ListFilter("birth_year", _("Năm sinh"), apply=_by_birth_year),
                ListFilter("commune", _("Mã xã, phường thường trú"), lookup="permanent_commune"),
                ListFilter("household", _("Số hộ"), lookup="household__code"),
            ],
            export_related=("household",),
            unique_column="personal_id",
            existing_keys=existing_person_ids,
            before_insert=link_households,
            also_inserts=(Household,),
            after_import=set_household_heads,
            subject_key=lambda p: p.personal_id,
            detail_context=person_detail_context,
            delete=delete_person,
            import_help=str(
                _(
                    "Mỗi dòng một công dân. Bắt buộc: số định danh (12 chữ số), họ và tên, "
                    "ngày sinh (dd/mm/yyyy), giới tính (Nam/Nữ), dân tộc (tên hoặc mã 01–54). "
                    "Địa chỉ: mã xã mới (từ 1/7/2025), hoặc mã xã cũ (tự chuyển sang xã mới), "
                    "hoặc địa chỉ viết đầy đủ. Số hộ và quan hệ với chủ hộ để ghép hộ gia đình."
                )
            ),
        )
    )
    registries.register(
        RegistryType(
            key=HOUSEHOLDS,
            slug="ho-gia-dinh",
            model=Household,
            label=str(_("hộ gia đình")),
            label_plural=str(_("Hộ gia đình")),
            columns=household_columns(),
            build=build_household,
            form_class=forms.HouseholdForm,
            list_columns=[
                ListColumn(_("Số hộ"), lambda h: h.code, link=True),
                ListColumn(_("Chủ hộ"), lambda h: h.head.full_name if h.head_id else ""),
                ListColumn(_("Địa chỉ"), lambda h: h.address_text("address")),
            ],
            filters=[
                ListFilter("commune", _("Mã xã, phường"), lookup="address_commune"),
            ],
            select_related=("head",),
            detail_context=household_detail_context,
            unique_column="code",
            existing_keys=existing_household_codes,
        )
    )


__all__ = ["HOUSEHOLDS", "PERSONS", "register_all"]
