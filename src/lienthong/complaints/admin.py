"""Admin of the complaints app.

The time-limit rules are edited here (the law changes; the code does not). Cases, receptions
and inspections are browsed read-only: they change only through the services, which keep the
history, the workflow case, the audit log and the outbox in step. The filer of a denunciation
is shown masked to every admin user `Complaint.identity_visible_to` does not name, in the list
and on the page alike; the list cannot be searched by the filer's identity.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lienthong.complaints.models import (
    MASK,
    Complaint,
    Extension,
    History,
    Inspection,
    InspectionPlan,
    Reception,
    Recommendation,
    TimeLimitRule,
)

IDENTITY_FIELDS = (
    "filer_name",
    "filer_personal_id",
    "filer_address",
    "filer_phone",
    "filer_email",
)


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(admin.ModelAdmin):
    """The statutory time limits, with their articles."""

    list_display = (
        "kind",
        "stage",
        "phase",
        "complexity",
        "remote",
        "days",
        "day_kind",
        "max_times",
        "article",
    )
    list_filter = ("kind", "phase", "day_kind")


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HistoryInline(_ReadOnlyInline):
    """The case's history."""

    model = History
    fields = ("at", "action", "status", "public_note", "internal_note", "by")
    readonly_fields = fields


class ExtensionInline(_ReadOnlyInline):
    """The written extensions."""

    model = Extension
    fields = ("number", "days", "notice_number", "previous_due_date", "new_due_date", "article")
    readonly_fields = fields


def _filer_column(user: Any) -> Any:
    """A list column showing the filer's name, masked for `user` where required."""

    def filer(obj: Complaint) -> str:
        return obj.filer_name if obj.identity_visible_to(user) else MASK

    filer.short_description = _("người gửi")  # type: ignore[attr-defined]
    return filer


def _identity_field(user: Any) -> Any:
    """A read-only field of the filer's identity as `user` may see it."""

    def filer_identity(obj: Complaint) -> str:
        return " · ".join(value for value in obj.filer_for(user).values() if value)

    filer_identity.short_description = _("danh tính người gửi")  # type: ignore[attr-defined]
    return filer_identity


def _person_field(user: Any) -> Any:
    """The person of a reception as `user` may see them."""

    def person(obj: Reception) -> str:
        return " · ".join(value for value in obj.person_for(user).values() if value)

    person.short_description = _("người đến")  # type: ignore[attr-defined]
    return person


@admin.register(Complaint)
class ComplaintAdmin(_ReadOnly):
    """Browse cases (scoped like the officials' list); the denouncer masked.

    The masked columns are built per request (closures over its user), never kept on the
    admin instance, which every thread shares.
    """

    list_filter = ("kind", "status", "field", "channel")
    search_fields = ("code", "subject")
    inlines = (HistoryInline, ExtensionInline)
    # The filer's account names them too.
    exclude = (*IDENTITY_FIELDS, "filer_user")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Complaint]:
        return Complaint.objects.visible_to(request.user).select_related("agency")

    def get_list_display(self, request: HttpRequest) -> Any:
        return (
            "code",
            "kind",
            "agency",
            _filer_column(request.user),
            "status",
            "received_at",
            "due_date",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (_identity_field(request.user),)


@admin.register(Reception)
class ReceptionAdmin(_ReadOnly):
    """Browse the reception register (the person masked where a denouncer is hidden)."""

    exclude = ("person_name", "person_personal_id", "address")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reception]:
        return Reception.objects.visible_to(request.user).select_related("agency")

    def get_list_display(self, request: HttpRequest) -> Any:
        return ("pk", "agency", "received_at", _person_field(request.user), "people_count")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (_person_field(request.user),)


@admin.register(InspectionPlan)
class InspectionPlanAdmin(_ReadOnly):
    """Browse inspection plans."""

    list_display = ("year", "title", "agency", "decision_number")

    def get_queryset(self, request: HttpRequest) -> QuerySet[InspectionPlan]:
        return InspectionPlan.objects.visible_to(request.user)


class RecommendationInline(_ReadOnlyInline):
    """The recommendations of a conclusion."""

    model = Recommendation
    fields = ("text", "responsible", "due_date", "status", "follow_up", "done_on")
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(_ReadOnly):
    """Browse inspections."""

    list_display = ("subject", "agency", "status", "decision_number", "conclusion_number")
    list_filter = ("status",)
    inlines = (RecommendationInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Inspection]:
        return Inspection.objects.visible_to(request.user).distinct()
