"""Admin of the enterprise registry: the shared registry admin (history and revert, soft
delete and restore, writes through the services), with what hangs off each record shown
read-only — lines, status history, branches, investors, amendments change through this app's
pages and services, which audit them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.registries.base.admin import DeletedFilter, RegistryAdmin
from lienthong.registries.enterprises.models import (
    Branch,
    BusinessLine,
    CertificateAmendment,
    DossierSyncProblem,
    Enterprise,
    InvestmentProject,
    ProjectInvestor,
    StatusChange,
)


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their record, changed elsewhere (through the services)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BusinessLineInline(ReadOnlyInline):
    model = BusinessLine
    fields = ("code", "name", "is_main")
    readonly_fields = ("code", "name", "is_main")


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ("effective_on", "from_status", "to_status", "until", "reason", "decision")
    readonly_fields = fields


class BranchInline(ReadOnlyInline):
    model = Branch
    fields = ("kind", "tax_code", "name", "address_commune", "opened_on", "closed_on")
    readonly_fields = fields


@admin.register(Enterprise)
class EnterpriseAdmin(RegistryAdmin):
    """Enterprises: searched by tax code (exact) or name."""

    list_display = ("tax_code", "name", "enterprise_type", "status", "main_line", "owner")
    list_filter = (DeletedFilter, "status", "enterprise_type")  # type: ignore[assignment]
    search_fields = ("=tax_code", "search_text")
    raw_id_fields = ("owner",)
    inlines = (BusinessLineInline, StatusChangeInline, BranchInline)


class InvestorInline(ReadOnlyInline):
    model = ProjectInvestor
    fields = ("order", "kind", "name", "identifier", "nationality", "capital", "enterprise")
    readonly_fields = fields


class AmendmentInline(ReadOnlyInline):
    model = CertificateAmendment
    fields = ("number", "amended_on", "certificate_number", "summary", "source_dossier")
    readonly_fields = fields


@admin.register(InvestmentProject)
class InvestmentProjectAdmin(RegistryAdmin):
    """Investment projects: searched by code (exact) or name and investors."""

    list_display = ("code", "name", "capital", "certificate_date", "status", "owner")
    list_filter = (DeletedFilter, "status")  # type: ignore[assignment]
    search_fields = ("=code", "search_text")
    raw_id_fields = ("owner",)
    inlines = (InvestorInline, AmendmentInline)


@admin.register(DossierSyncProblem)
class DossierSyncProblemAdmin(admin.ModelAdmin):
    """Approved investment dossiers the registry could not be updated from."""

    list_display = ("dossier_code", "procedure_code", "agency", "at", "resolved_at")
    list_filter = ("resolved_at",)
    search_fields = ("=dossier_code",)
    readonly_fields = ("dossier_code", "procedure_code", "agency", "errors", "at")
    actions = ["mark_resolved"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Đánh dấu đã xử lý (đã nhập dự án bằng tay)"))
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        self.message_user(request, _("Đã đánh dấu %(n)d hồ sơ.") % {"n": done})
