"""Admin of outgoing documents: read-only views (documents move through their services, on
the pages under /van-ban/di/), the signers' certificates (deactivate only) and the trusted
roots (added with `lienthong outgoing trust add`, deactivated here)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.documents.outgoing.models import OutgoingDocument, SigningCertificate, TrustedRoot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse only: writes go through the services (audit, events, tasks)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutgoingDocument)
class OutgoingDocumentAdmin(ReadOnlyAdmin):
    list_display = ("number_notation", "subject", "agency", "status", "issued_date")
    list_filter = ("status", "series", "year")
    search_fields = ("number_notation", "subject")
    list_select_related = ("agency",)


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    list_display = ("common_name", "user", "issuer", "not_after", "is_active")
    list_filter = ("is_active",)
    search_fields = ("common_name", "user__username", "fingerprint")
    exclude = ("pkcs12",)
    readonly_fields = (
        "user",
        "subject",
        "common_name",
        "issuer",
        "serial_number",
        "fingerprint",
        "not_before",
        "not_after",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(TrustedRoot)
class TrustedRootAdmin(admin.ModelAdmin):
    list_display = ("name", "subject", "not_after", "is_test", "is_active")
    readonly_fields = ("pem", "subject", "fingerprint", "not_after", "is_test", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
