"""Admin for administrative units: browse and search; the data comes from `units load` only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.core.models import AdminUnit
from lienthong.core.text import fold_key


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    """Read-only: units are loaded from vietnamadminunits by `lienthong units load`."""

    list_display = ("code", "name", "level", "era", "parent", "successor", "valid_until")
    list_filter = ("era", "level")
    # The folded key is matched whole in get_search_results: split into words, it would match
    # "phu" in every "phuong".
    search_fields = ("=code", "name")
    list_select_related = ("parent", "successor")
    ordering = ("era", "level", "code")
    readonly_fields = (
        "era",
        "level",
        "code",
        "name",
        "short_name",
        "unit_type",
        "key",
        "parent",
        "successor",
        "valid_from",
        "valid_until",
        "latitude",
        "longitude",
    )
    fields = readonly_fields
    list_per_page = 50

    def get_search_results(
        self, request: HttpRequest, queryset: Any, search_term: str
    ) -> tuple[Any, bool]:
        """Also match names typed without diacritics, through the folded key."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = fold_key(search_term)
        if key:
            results = results | queryset.filter(key__contains=key)
        return results, may_have_duplicates

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
