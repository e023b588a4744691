"""Admin of the population registry (the shared registry admin: history and revert,
soft delete and restore, writes through the services)."""

from __future__ import annotations

from django.contrib import admin

from lienthong.registries.base.admin import DeletedFilter, RegistryAdmin
from lienthong.registries.population.models import Household, Person


@admin.register(Person)
class PersonAdmin(RegistryAdmin):
    """Persons: searched by personal ID (exact) or name."""

    list_display = ("personal_id", "full_name", "birth_date", "sex", "permanent_commune", "owner")
    list_filter = (DeletedFilter, "sex")  # type: ignore[assignment]
    search_fields = ("=personal_id", "search_text")
    raw_id_fields = ("household", "owner")


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    """Households."""

    list_display = ("code", "head", "address_commune", "owner")
    search_fields = ("=code",)
    raw_id_fields = ("head", "owner")
