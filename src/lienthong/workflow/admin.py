"""Django admin for tasks: read-only, since tasks move only through the workflow services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lienthong.workflow.models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Tasks for looking up and support; a non-superuser sees those of their units."""

    list_display = ("title", "status", "org_unit", "role", "assignee", "due_at", "overdue")
    list_filter = ("status", "module", "role")
    search_fields = ("title", "assignee__username", "assignee__full_name")
    list_select_related = ("org_unit", "assignee")
    date_hierarchy = "due_at"
    ordering = ("-created_at",)

    @admin.display(boolean=True, description=_("quá hạn"))
    def overdue(self, task: Task) -> bool:
        return task.is_overdue()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        return Task.objects.visible_to(request.user).select_related("org_unit", "assignee")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
