"""Admin of the work calendar: read-mostly lists of rooms and events.

Events and rooms are written on the calendar's own pages and API, whose services check the
agency's office, conflicts and states and record the audit log; the admin only browses.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.documents.calendar.models import Event, Room


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(ReadOnlyAdmin):
    list_display = ("name", "agency", "kind", "capacity", "location", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "location", "agency__name")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("title", "agency", "starts_at", "ends_at", "room", "chair", "state")
    list_filter = ("state",)
    search_fields = ("title", "agency__name")
    date_hierarchy = "starts_at"
    list_select_related = ("agency", "room", "chair")
