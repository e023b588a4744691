"""Admin of the registries: records through the same services as the pages (history with
"revert to this version", soft delete and restore), read grants, the access log, imports.

A registry app registers its models with `RegistryAdmin` (or a subclass)::

    admin.site.register(Person, RegistryAdmin)
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lienthong.core.models import AuditEntry
from lienthong.registries.base import services
from lienthong.registries.base.models import DataAccess, ImportJob, RegistryGrant


class DeletedFilter(admin.SimpleListFilter):
    """Live records by default; the recycle bin on request."""

    title = gettext_lazy("trạng thái")
    parameter_name = "trang_thai"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("da-xoa", _("Đã xoá")), ("tat-ca", _("Tất cả"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "da-xoa":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "tat-ca":
            return queryset
        return queryset.filter(deleted_at__isnull=True)


class HistoryAdmin(admin.ModelAdmin):
    """A record's history from the audit log, each version with "revert to this version";
    `revert` does the write (a subclass gives its registry's service)."""

    object_history_template = "admin/registry/history.html"
    #: What each audit action (its last dotted part) is called in the history.
    action_labels: dict[str, Any] = services.ACTION_LABELS

    def revert(self, request: HttpRequest, obj: Any, entry: AuditEntry) -> None:
        """Put `obj` back as `entry` left it (ValidationError or PermissionDenied if not)."""
        services.revert_record(obj, entry=entry, by=request.user)

    def get_urls(self) -> list[URLPattern]:
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<int:object_id>/history/<int:seq>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name="{}_{}_revert".format(*info),
            ),
            *super().get_urls(),
        ]

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The record's versions from the audit log, each with "revert to this version"."""
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        info = self.model._meta.app_label, self.model._meta.model_name
        context = {
            **self.admin_site.each_context(request),
            "title": _("Lịch sử thay đổi: %(record)s") % {"record": obj},
            "opts": self.model._meta,
            "object": obj,
            "versions": services.history(obj),
            "action_labels": self.action_labels,
            "can_revert": self.has_change_permission(request, obj),
            "revert_url_name": "admin:{}_{}_revert".format(*info),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def revert_view(self, request: HttpRequest, object_id: int, seq: int) -> HttpResponse:
        """POST: put the record back as version `seq` left it (through the service)."""
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if request.method != "POST" or not self.has_change_permission(request, obj):
            raise PermissionDenied
        entry = get_object_or_404(AuditEntry.objects.of_object(obj), seq=seq)
        try:
            self.revert(request, obj, entry)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(
                request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR
            )
        else:
            self.message_user(request, _("Đã trả bản ghi về phiên bản #%(seq)d.") % {"seq": seq})
        info = self.model._meta.app_label, self.model._meta.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))


class RegistryAdmin(HistoryAdmin):
    """Admin of a registry model: every write goes through `registries.base.services`."""

    list_filter = (DeletedFilter,)
    readonly_fields = ("created_at", "updated_at", "deleted_at", "deleted_by", "import_job")
    show_full_result_count = False
    actions = ["restore_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.all_objects.all()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            if change:
                services.update_record(obj, by=request.user)
            else:
                services.create_record(obj, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            # The form validated the model already; a refusal here is a permission or a race.
            raise PermissionDenied(" ".join(getattr(exc, "messages", [str(exc)]))) from exc

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.delete_record(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            services.delete_record(obj, by=request.user)

    @admin.action(description=gettext_lazy("Khôi phục các bản ghi đã chọn"))
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        restored = 0
        for obj in queryset.filter(deleted_at__isnull=False):
            try:
                services.restore_record(obj, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                restored += 1
        self.message_user(request, _("Đã khôi phục %(n)d bản ghi.") % {"n": restored})


@admin.register(RegistryGrant)
class RegistryGrantAdmin(admin.ModelAdmin):
    """Read grants between agencies, written through `services.grant_read`."""

    list_display = ("registry", "agency", "purpose", "valid_from", "valid_until", "granted_by")
    list_filter = ("registry",)
    search_fields = ("agency__name", "purpose")
    autocomplete_fields = ("agency",)
    readonly_fields = ("granted_by", "created_at")

    def save_model(self, request: HttpRequest, obj: RegistryGrant, form: Any, change: bool) -> None:
        services.grant_read(
            registry=obj.registry,
            agency=obj.agency,
            purpose=obj.purpose,
            valid_until=obj.valid_until,
            by=request.user,
        )

    def delete_model(self, request: HttpRequest, obj: RegistryGrant) -> None:
        services.revoke_read(grant=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RegistryGrant]) -> None:
        for grant in queryset:
            services.revoke_read(grant=grant, by=request.user)


@admin.register(DataAccess)
class DataAccessAdmin(admin.ModelAdmin):
    """The data-access log: read-only for everyone."""

    list_display = (
        "at",
        "registry",
        "subject_repr",
        "actor_repr",
        "agency_repr",
        "purpose",
        "reference",
        "channel",
    )
    list_filter = ("registry", "channel")
    search_fields = ("=subject_key", "actor_repr", "agency_repr", "purpose", "=reference")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Import runs and their reports: read-only."""

    list_display = (
        "pk",
        "registry",
        "original_name",
        "status",
        "total_rows",
        "imported_rows",
        "error_count",
        "uploaded_by",
        "created_at",
    )
    list_filter = ("registry", "status")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
