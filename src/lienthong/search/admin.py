"""Admin for the search index: read-only, since entries are derived from the objects indexed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.search.models import SearchEntry


@admin.register(SearchEntry)
class SearchEntryAdmin(admin.ModelAdmin):
    """Browse what is indexed; change the source object instead, and it re-indexes itself."""

    list_display = ("title", "content_type", "object_id", "scope", "updated_at")
    list_filter = ("content_type",)
    search_fields = ("title", "=object_id")
    fields = ("title", "content_type", "object_id", "url", "scope", "updated_at", "digest")
    readonly_fields = fields
    list_select_related = ("content_type",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
