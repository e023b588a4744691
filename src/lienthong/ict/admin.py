"""Admin of the ICT inventory: catalogues, checklist items and periods are edited here;
reports, answers and incidents are browsed read-only (they change through the services,
which keep the audit log and the outbox in step)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.ict.models import (
    ChecklistItem,
    Compliance,
    Incident,
    IndicatorTarget,
    InventoryReport,
    ReportingPeriod,
    Software,
)


@admin.register(Software)
class SoftwareAdmin(admin.ModelAdmin):
    """The software catalogue."""

    list_display = ("code", "name", "order", "is_active")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    """The security checklist, with the source of each item."""

    list_display = ("order", "code", "title", "source", "source_confirmed", "is_active")
    list_editable = ("source_confirmed", "is_active")


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "start", "end", "is_open")


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "value", "due", "note")


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InventoryReport)
class InventoryReportAdmin(_ReadOnly):
    list_display = ("agency", "period", "level", "status", "staff", "computers", "servers")
    list_filter = ("period", "status", "level", "category")
    list_select_related = ("agency", "period")


@admin.register(Compliance)
class ComplianceAdmin(_ReadOnly):
    list_display = ("agency", "item", "status", "updated_at")
    list_filter = ("status", "item")
    list_select_related = ("agency", "item")


@admin.register(Incident)
class IncidentAdmin(_ReadOnly):
    list_display = ("title", "agency", "severity", "status", "detected_at")
    list_filter = ("status", "severity")
    list_select_related = ("agency",)
