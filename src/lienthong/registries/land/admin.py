"""Admin of the land registry: parcels through the shared `RegistryAdmin` (services, history
with "revert to this version", soft delete and restore), base layers read-only with soft delete
through the land services. Rows are never hard-deleted, so their audit history keeps its subject.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lienthong.registries.base.admin import RegistryAdmin
from lienthong.registries.land import services
from lienthong.registries.land.models import BaseLayer, Parcel


class ParcelAdmin(RegistryAdmin):
    """Parcels: written through the registry services, with history and revert (shared)."""

    list_display = (
        "commune",
        "map_sheet",
        "parcel_number",
        "area",
        "land_use",
        "certificate_number",
        "owner",
        "deleted_at",
        "page",
    )
    list_filter: ClassVar[Any] = (*RegistryAdmin.list_filter, "land_use_main")
    search_fields = ("search_text", "=certificate_number")
    ordering = ("commune", "map_sheet", "parcel_number")
    readonly_fields: ClassVar[Any] = (
        *RegistryAdmin.readonly_fields,
        "land_use_main",
        "minx",
        "miny",
        "maxx",
        "maxy",
        "size_class",
        "centroid_lon",
        "centroid_lat",
        "geometry_area",
        "page",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("owner")

    @admin.display(description=_("trang"))
    def page(self, obj: Parcel) -> str:
        if obj.pk is None:  # the add form: no page yet (reversing it crashed the form)
            return "-"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Xem trên trang"))


admin.site.register(Parcel, ParcelAdmin)


class DeletedFilter(admin.SimpleListFilter):
    """Live or soft-deleted layers."""

    title = _("đã xoá")
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("Đang dùng")), ("yes", _("Đã xoá"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


@admin.register(BaseLayer)
class BaseLayerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "feature_count", "owner", "deleted_at")
    list_filter = (DeletedFilter, "kind")
    search_fields = ("name", "slug")
    exclude = ("geojson",)
    actions = ("soft_delete",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in BaseLayer._meta.concrete_fields if f.name != "geojson"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Xoá các lớp đã chọn"))
    def soft_delete(self, request: HttpRequest, queryset: QuerySet[BaseLayer]) -> None:
        done = 0
        for layer in queryset.filter(deleted_at__isnull=True):
            if services.can_edit_layer(request.user, layer):
                services.delete_layer(layer, by=request.user)
                done += 1
        messages.success(request, _("Đã xoá %(n)d lớp.") % {"n": done})
