"""Admin of the staff registry: the reference tables an administrator corrects (salary
scales, ranks and titles, posts, school profiles). Staff records themselves are edited on
the registry's pages (/csdl/can-bo/), whose services keep the history; here they are shown
read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.registries.staff.models import Position, Rank, SalaryScale, School, StaffMember


@admin.register(SalaryScale)
class SalaryScaleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "raise_interval_months", "coefficients")
    search_fields = ("code", "name")


@admin.register(Rank)
class RankAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "scale", "school_level", "unconfirmed", "is_active")
    list_filter = ("kind", "scale", "school_level", "unconfirmed", "is_active")
    search_fields = ("code", "name")


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_leadership", "is_active")
    list_filter = ("is_leadership", "is_active")
    search_fields = ("code", "name")


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("org_unit", "level")
    list_filter = ("level",)
    search_fields = ("org_unit__name",)
    autocomplete_fields = ("org_unit",)


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = (
        "full_name",
        "personal_id",
        "org_unit",
        "category",
        "rank",
        "salary_step",
        "next_raise_due",
    )
    list_filter = ("category", "status")
    search_fields = ("personal_id", "search_text")
    list_select_related = ("org_unit", "rank")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
