"""Admin of the privacy app: purposes and time limits are editable data; consents, requests
and the access log are read-only here (they change only through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.privacy.models import (
    Consent,
    ConsentPurpose,
    DataSubjectRequest,
    RequestTimeLimit,
    SensitiveAccess,
)


@admin.register(ConsentPurpose)
class ConsentPurposeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "notice_version", "legal_basis", "is_active")


@admin.register(RequestTimeLimit)
class RequestTimeLimitAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "valid_from",
        "ack_working_days",
        "response_amount",
        "response_unit",
        "confirmed",
    )
    list_filter = ("kind", "confirmed")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows; never adds, changes or deletes them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("subject", "purpose", "notice_version", "given_at", "withdrawn_at")
    list_filter = ("purpose",)


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(ReadOnlyAdmin):
    list_display = ("pk", "subject", "kind", "status", "ack_due_date", "response_due_at")
    list_filter = ("kind", "status")


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "agency", "record", "what", "purpose")
    list_filter = ("agency",)
    search_fields = ("record", "subject_personal_id", "actor__username")
