"""Admin for the audit log: read-only for everyone, superusers included."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Browse and search the log; nobody may add, change or delete an entry here."""

    list_display = (
        "seq",
        "created_at",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "actor_repr",
        "org_unit_id",
        "ip",
    )
    list_filter = ("action", "object_type", "created_at")
    search_fields = (
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "actor_repr",
        "=request_id",
    )
    date_hierarchy = "created_at"
    ordering = ("-seq",)
    # Counting millions of rows on every page costs more than the number is worth.
    show_full_result_count = False
    list_per_page = 50
    fields = (
        "seq",
        "created_at",
        "actor_id",
        "actor_repr",
        "org_unit_id",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "request_id",
        "ip",
        "before_json",
        "after_json",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Trước"))
    def before_json(self, obj: AuditEntry) -> SafeString:
        return _pretty(obj.before)

    @admin.display(description=_("Sau"))
    def after_json(self, obj: AuditEntry) -> SafeString:
        return _pretty(obj.after)


def _pretty(data: Any) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)
