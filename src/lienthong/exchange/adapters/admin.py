"""Admin for the adapters: read-only views of what was synchronised, sent and received."""

from __future__ import annotations

from django.contrib import admin

from lienthong.exchange.adapters.models import EdxmlPackage, PortalUpdate, SharedCodeList
from lienthong.exchange.admin import ReadOnlyAdmin


@admin.register(PortalUpdate)
class PortalUpdateAdmin(ReadOnlyAdmin):
    """Statuses owed to the national portal; resend with `lienthong portal sync`."""

    list_display = ("dossier_code", "status", "state", "attempts", "last_attempt_at", "sent_at")
    list_filter = ("state", "status")
    search_fields = ("=dossier_code", "=event_id")
    ordering = ("-id",)
    show_full_result_count = False


@admin.register(EdxmlPackage)
class EdxmlPackageAdmin(ReadOnlyAdmin):
    """edXML packages sent and received."""

    list_display = (
        "created_at",
        "direction",
        "kind",
        "status",
        "status_code",
        "from_organ_id",
        "organ_id",
        "document_id",
        "peer",
        "client",
    )
    list_filter = ("direction", "kind", "status")
    search_fields = ("document_id", "from_organ_id", "=organ_id", "subject", "=envelope_digest")
    ordering = ("-id",)
    list_select_related = ("client",)
    show_full_result_count = False


@admin.register(SharedCodeList)
class SharedCodeListAdmin(ReadOnlyAdmin):
    """Shared code lists fetched from the LGSP (`lienthong lgsp fetch`)."""

    list_display = ("name", "count", "fetched_at")
