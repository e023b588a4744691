"""Admin of the budget registry (the shared registry admin: history and revert, soft delete
and restore, writes through the services)."""

from __future__ import annotations

from django.contrib import admin

from lienthong.registries.base.admin import DeletedFilter, RegistryAdmin
from lienthong.registries.budget.models import BudgetLine


@admin.register(BudgetLine)
class BudgetLineAdmin(RegistryAdmin):
    """Budget lines, filtered by year, kind and stage."""

    list_display = (
        "year",
        "period",
        "agency",
        "kind",
        "stage",
        "chapter_code",
        "sub_item_code",
        "amount",
    )
    list_filter = (DeletedFilter, "year", "kind", "stage")  # type: ignore[assignment]
    search_fields = ("chapter_code", "item_code", "sub_item_code", "search_text")
    raw_id_fields = ("owner", "agency")
    list_select_related = ("agency",)
