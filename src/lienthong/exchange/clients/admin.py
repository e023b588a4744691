"""Admin of client systems: viewable; writes go through the pages, API and command line
(they are audited services), so the admin changes nothing here."""

from __future__ import annotations

from django.contrib import admin

from lienthong.exchange.admin import ReadOnlyAdmin
from lienthong.exchange.clients.models import ClientSystem, Credential, Grant, ServiceOwner


class CredentialInline(admin.TabularInline):
    model = Credential
    fields = ("key_id", "kind", "label", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


class GrantInline(admin.TabularInline):
    model = Grant
    fields = ("service", "operation", "status", "requested_at", "decided_at", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ClientSystem)
class ClientSystemAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "agency", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("code", "name")
    inlines = (CredentialInline, GrantInline)


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ("client", "service", "operation", "status", "requested_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("service", "client__code")


@admin.register(ServiceOwner)
class ServiceOwnerAdmin(ReadOnlyAdmin):
    list_display = ("service", "agency")
