"""Tasks — công việc — in officials' inboxes; the workflow engine builds on them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.accounts.models import Role
from lienthong.core.permissions import ScopedQuerySet

if TYPE_CHECKING:
    from lienthong.accounts.models import User


class TaskQuerySet(ScopedQuerySet["Task"]):
    """Named filters over tasks; officials see the tasks of their units and their own."""

    scope_field = "org_unit"

    def own_rows(self, user: User) -> Q:
        return Q(assignee=user)

    def open(self) -> TaskQuerySet:
        return self.filter(status=Task.Status.OPEN)

    def overdue(self, at: datetime.datetime | None = None) -> TaskQuerySet:
        return self.open().filter(due_at__lt=at or timezone.now())

    def by_due(self) -> TaskQuerySet:
        """Soonest due first, tasks without a due moment last."""
        return self.order_by(models.F("due_at").asc(nulls_last=True), "created_at", "pk")

    def inbox_of(self, user: User) -> TaskQuerySet:
        """Open tasks assigned to `user`, or to the pool of a unit and role the user holds.

        A pool is the exact unit: a leader of a department does not receive the pooled work
        of every division below it, though their role lets them see and take it.
        """
        pooled = Exists(
            user.role_assignments.filter(org_unit=OuterRef("org_unit"), role=OuterRef("role"))
        )
        return self.open().filter(Q(assignee=user) | Q(assignee__isnull=True) & pooled).by_due()


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

    def get_absolute_url(self) -> str:
        return reverse("workflow:task_detail", args=[self.pk])

    @property
    def handling_url(self) -> str:
        """Where the official handles the task: the module's page if it is a local path."""
        # `url` is written by other modules; only a site-relative path is followed.
        if self.url.startswith("/") and not self.url.startswith("//"):
            return self.url
        return self.get_absolute_url()

    @property
    def role_label(self) -> str:
        """The pool's role by its Vietnamese name (the role field stores the code)."""
        return str(Role(self.role).label) if self.role in Role.values else self.role

    def is_overdue(self, at: datetime.datetime | None = None) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_at is not None
            and self.due_at < (at or timezone.now())
        )

    def is_due_on(self, day: datetime.date) -> bool:
        """Whether the task falls due on `day` (a local date in Asia/Ho_Chi_Minh)."""
        return self.due_at is not None and timezone.localdate(self.due_at) == day
