"""Tasks — công việc — in officials' inboxes; the workflow engine builds on them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskQuerySet(models.QuerySet["Task"]):
    """Named filters over tasks."""

    def open(self) -> TaskQuerySet:
        return self.filter(status=Task.Status.OPEN)

    def overdue(self, at: datetime.datetime | None = None) -> TaskQuerySet:
        return self.open().filter(due_at__lt=at or timezone.now())

    def inbox_of(self, user: settings.AUTH_USER_MODEL) -> TaskQuerySet:  # type: ignore[valid-type]
        """Open tasks assigned to `user`, or to the pool of a unit and role the user holds."""
        grants = user.role_assignments.values_list("org_unit_id", "role")
        pooled = Q(pk__in=[])
        for unit_id, role in grants:
            pooled |= Q(assignee__isnull=True, org_unit_id=unit_id, role=role)
        return self.open().filter(Q(assignee=user) | pooled).order_by(
            models.F("due_at").asc(nulls_last=True), "created_at"
        )


class Task(models.Model):
    """One piece of work for an official or for a unit's pool, with its due moment."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang xử lý")
        DONE = "done", _("Đã xong")
        CANCELLED = "cancelled", _("Đã huỷ")

    title = models.CharField(_("nội dung"), max_length=255)
    module = models.CharField(_("phân hệ"), max_length=30, blank=True)
    url = models.CharField(_("đường dẫn xử lý"), max_length=255, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    role = models.CharField(_("vai trò"), max_length=20, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    due_at = models.DateTimeField(_("hạn xử lý"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày giao"), default=timezone.now)
    completed_at = models.DateTimeField(_("ngày hoàn thành"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("công việc")
        verbose_name_plural = _("công việc")
        indexes = [models.Index(fields=["status", "assignee", "due_at"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, at: datetime.datetime | None = None) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_at is not None
            and self.due_at < (at or timezone.now())
        )
