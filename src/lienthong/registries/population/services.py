"""Writes to the population registry: the shared registry services, with the rules of
persons and households (a household's head must be one of its members)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lienthong.core.audit import service
from lienthong.registries.base import services as base
from lienthong.registries.population.models import Household, Person, Relation


@service
def create_person(person: Person, *, by: Any) -> Person:
    """Register a person (validated: ID against birth date and sex, addresses in both eras)."""
    return base.create_record(person, by=by)


@service
def update_person(person: Person, *, by: Any) -> Person:
    """Save the changes made to a person."""
    return base.update_record(person, by=by)


@service
def delete_person(person: Person, *, by: Any) -> Person:
    """Soft-delete a person; a household they head loses its head."""
    household = person.household
    if household is not None and household.head_id == person.pk:
        household.head = None
        base.update_record(household, by=by)
    return base.delete_record(person, by=by)


@service
def save_household(household: Household, *, by: Any) -> Household:
    """Create or update a household; its head must be a live member of it."""
    if household.head_id is not None:
        head = Person.objects.filter(pk=household.head_id).first()
        if head is None or head.household_id != household.pk:
            raise ValidationError({"head": _("Chủ hộ phải là một thành viên của hộ.")})
        if head.relation_to_head != Relation.HEAD:
            head.relation_to_head = Relation.HEAD
            base.update_record(head, by=by)
    if household.pk is None:
        return base.create_record(household, by=by)
    return base.update_record(household, by=by)
