"""Admin of the legal registry: browse every document (deleted ones too), soft-delete and
restore through the services, and each document's history (from the audit log) with "Trả về
phiên bản này", as every registry's admin has (`registries.base.admin.HistoryAdmin`).
Documents are added and edited on the registry's own pages (/csdl/van-ban/), which check the
owner agency and keep the index and relations in step; rows are never hard-deleted here, so
their audit history keeps its subject."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditEntry
from lienthong.registries.base.admin import HistoryAdmin
from lienthong.registries.base.services import ACTION_LABELS
from lienthong.registries.legal import services
from lienthong.registries.legal.models import DocumentRelation, LegalDocument


class DeletedFilter(admin.SimpleListFilter):
    """Alive (default view shows both), or soft-deleted documents."""

    title = _("đã xóa")
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("Đang dùng")), ("yes", _("Đã xóa"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


class RelationInline(admin.TabularInline):
    model = DocumentRelation
    fk_name = "source"
    extra = 0
    fields = ("kind", "target_number", "target", "origin", "rejected", "note")
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LegalDocument)
class LegalDocumentAdmin(HistoryAdmin):
    list_display = ("number", "doc_type", "issuer", "issued_date", "status", "deleted_at", "page")
    list_filter = (DeletedFilter, "doc_type", "status", "issuer")
    search_fields = ("number", "title")
    ordering = ("-issued_date", "number")
    date_hierarchy = "issued_date"
    actions = ("soft_delete", "restore")
    inlines = (RelationInline,)
    readonly_fields = (
        "number",
        "number_key",
        "slug",
        "doc_type",
        "issuer",
        "issued_date",
        "effective_date",
        "expiry_date",
        "effective_note",
        "title",
        "status",
        "status_locked",
        "owner",
        "source",
        "source_url",
        "text_form",
        "source_digest",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "deleted_at",
        "deleted_by",
        "page",
    )

    action_labels = {
        **ACTION_LABELS,
        "status": _("Tình trạng hiệu lực"),
        "relations_parsed": _("Quan hệ đọc từ nội dung"),
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[LegalDocument]:
        return super().get_queryset(request).select_related("owner")

    def revert(self, request: HttpRequest, obj: Any, entry: AuditEntry) -> None:
        """The fields as the version left them, through the registry's service."""
        services.revert_document(obj, entry=entry, by=request.user)

    @admin.display(description=_("trang"))
    def page(self, obj: LegalDocument) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Xem, sửa"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Xóa (xóa mềm) các văn bản đã chọn"))
    def soft_delete(self, request: HttpRequest, queryset: QuerySet[LegalDocument]) -> None:
        done = 0
        for document in queryset.filter(deleted_at__isnull=True):
            if services.can_edit(request.user, document):
                services.delete_document(document, by=request.user)
                done += 1
        messages.success(request, _("Đã xóa %(n)d văn bản.") % {"n": done})

    @admin.action(description=_("Khôi phục các văn bản đã chọn"))
    def restore(self, request: HttpRequest, queryset: QuerySet[LegalDocument]) -> None:
        done = 0
        for document in queryset.filter(deleted_at__isnull=False):
            if services.can_edit(request.user, document):
                services.restore_document(document, by=request.user)
                done += 1
        messages.success(request, _("Đã khôi phục %(n)d văn bản.") % {"n": done})
