"""Admin of the documents base: document types (editable), number series and incoming
documents (read-only: they change only through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.documents.models import DocumentType, IncomingDocument, NumberSeries


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "has_code", "position", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("code", "name")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NumberSeries)
class NumberSeriesAdmin(ReadOnlyAdmin):
    list_display = ("agency", "series", "year", "last_number")
    list_filter = ("series", "year")


@admin.register(IncomingDocument)
class IncomingDocumentAdmin(ReadOnlyAdmin):
    list_display = ("arrival_number", "arrival_year", "agency", "issuer", "subject", "status")
    list_filter = ("status", "arrival_year", "urgency", "secrecy")
    search_fields = ("code_number", "code_notation", "issuer", "subject")
    list_select_related = ("agency",)
