"""The population registry's API, under /api/registries/population/: `persons/` and
`households/`, built by the shared `registries.base.api.build_router`."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from lienthong.core.models import OrgUnit
from lienthong.registries.base import registry as registries
from lienthong.registries.base.api import build_router, iso
from lienthong.registries.population.models import Household, Person
from lienthong.registries.population.registry import HOUSEHOLDS, PERSONS

ADDRESS_PARTS = ("street", "commune", "commune_legacy", "address_original")


def _address(obj: Any, prefix: str) -> dict[str, Any]:
    return {
        **{part: getattr(obj, f"{prefix}_{part}") for part in ADDRESS_PARTS},
        "text": obj.address_text(prefix),
        "legacy_text": obj.legacy_address_text(prefix),
    }


def person_out(person: Person) -> dict[str, Any]:
    """The JSON of a person."""
    return {
        "id": person.pk,
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "birth_date": iso(person.birth_date),
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "ethnicity_name": person.ethnicity_name,
        "hometown": person.hometown,
        "permanent": _address(person, "permanent"),
        "current": _address(person, "current"),
        "household_code": person.household.code if person.household is not None else None,
        "relation_to_head": person.relation_to_head,
        "owner": person.owner_id,
        "created_at": person.created_at.isoformat(),
        "updated_at": person.updated_at.isoformat(),
    }


class PersonPatch(Schema):
    """Fields of a person to change (only those given are changed)."""

    owner: int | None = None
    personal_id: str | None = Field(None, max_length=12)
    full_name: str | None = Field(None, min_length=1, max_length=150)
    birth_date: datetime.date | None = None
    sex: str | None = Field(None, pattern="^(male|female)$")
    ethnicity: str | None = Field(None, pattern="^[0-9]{2}$")
    hometown: str | None = Field(None, max_length=255)
    permanent_street: str | None = Field(None, max_length=255)
    permanent_commune: str | None = Field(None, max_length=5)
    permanent_commune_legacy: str | None = Field(None, max_length=5)
    permanent_address_original: str | None = Field(None, max_length=500)
    current_street: str | None = Field(None, max_length=255)
    current_commune: str | None = Field(None, max_length=5)
    current_commune_legacy: str | None = Field(None, max_length=5)
    current_address_original: str | None = Field(None, max_length=500)
    household_code: str | None = Field(None, max_length=20)
    relation_to_head: str | None = Field(None, max_length=12)


class PersonIn(PersonPatch):
    """A new person: owner agency, ID, name, birth date and sex are required."""

    owner: int
    personal_id: str = Field(max_length=12)
    full_name: str = Field(min_length=1, max_length=150)
    birth_date: datetime.date
    sex: str = Field(pattern="^(male|female)$")
    ethnicity: str = Field("01", pattern="^[0-9]{2}$")


def _apply(obj: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    """Copy input onto a person or household; unknown owner or household are field errors."""
    errors: dict[str, list[str]] = {}
    if "owner" in data:
        owner = OrgUnit.objects.filter(pk=data.pop("owner")).first()
        if owner is None:
            errors["owner"] = [_("Không có cơ quan này.")]
        else:
            obj.owner = owner
    if "household_code" in data:
        code = (data.pop("household_code") or "").strip()
        household = Household.objects.filter(code=code).first() if code else None
        if code and household is None:
            errors["household_code"] = [_("Không có hộ gia đình số “%(code)s”.") % {"code": code}]
        obj.household = household
    for name, value in data.items():
        setattr(obj, name, "" if value is None else value)
    return errors


def household_out(household: Household) -> dict[str, Any]:
    """The JSON of a household."""
    return {
        "id": household.pk,
        "code": household.code,
        "head": household.head_id,
        "address": _address(household, "address"),
        "owner": household.owner_id,
        "created_at": household.created_at.isoformat(),
        "updated_at": household.updated_at.isoformat(),
    }


class HouseholdPatch(Schema):
    owner: int | None = None
    code: str | None = Field(None, min_length=1, max_length=20)
    address_street: str | None = Field(None, max_length=255)
    address_commune: str | None = Field(None, max_length=5)
    address_commune_legacy: str | None = Field(None, max_length=5)
    address_address_original: str | None = Field(None, max_length=500)


class HouseholdIn(HouseholdPatch):
    owner: int
    code: str = Field(min_length=1, max_length=20)


router = Router(tags=["registries: population"])
router.add_router(
    "/persons/",
    build_router(
        registries.get(PERSONS),
        out=person_out,
        create_schema=PersonIn,
        update_schema=PersonPatch,
        apply=_apply,
        tags=["registries: population"],
    ),
)
router.add_router(
    "/households/",
    build_router(
        registries.get(HOUSEHOLDS),
        out=household_out,
        create_schema=HouseholdIn,
        update_schema=HouseholdPatch,
        apply=_apply,
        tags=["registries: population"],
    ),
)
