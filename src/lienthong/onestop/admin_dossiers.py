"""Admin for dossiers: read-only browsing with their history and components.

Dossiers change only through the services (`onestop.intake`, `onestop.processing`), which keep
the history, the audit log, the workflow case and the outbox in step; the admin therefore
adds, changes and deletes nothing. The list is scoped like every official's list: a superuser
sees all, an official the dossiers of their units.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lienthong.onestop.models import Dossier, DossierComponent, DossierHistory


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DossierHistoryInline(_ReadOnlyInline):
    """The dossier's status changes."""

    model = DossierHistory
    fields = ("at", "status", "by", "org_unit", "public_note", "internal_note")
    readonly_fields = fields
    ordering = ("at", "pk")


class DossierComponentInline(_ReadOnlyInline):
    """The documents received with the dossier."""

    model = DossierComponent
    fields = ("name", "originals", "copies", "received", "file", "reused_document", "uploaded_at")
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Browse dossiers; writes go through the services only."""

    list_display = (
        "code",
        "procedure_code",
        "agency",
        "status",
        "channel",
        "submitted_at",
        "received_at",
        "due_date",
    )
    list_filter = ("status", "channel", "field")
    search_fields = ("=code", "procedure__code", "applicant_name", "=applicant_personal_id")
    list_select_related = ("procedure", "agency")
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at",)
    show_full_result_count = False
    list_per_page = 50
    inlines = (DossierComponentInline, DossierHistoryInline)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Dossier._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dossier]:
        return Dossier.objects.visible_to(request.user).select_related("procedure", "agency")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("mã thủ tục"), ordering="procedure__code")
    def procedure_code(self, obj: Dossier) -> str:
        return obj.procedure.code
