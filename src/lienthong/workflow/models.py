"""The workflow kernel: process templates, cases moving through steps, tasks in inboxes.

A dossier, an incoming document and a complaint are all *cases* (`Case`) running a
`ProcessTemplate`: ordered steps, each owned by an org unit and role and given its share of
the case's time limit in working time. Each step is a `Task` in an inbox. Every move is a
`CaseTransition`; clocks pause while the case waits on someone outside (a supplement).
"""

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
    case = models.ForeignKey(
        "workflow.Case",
        verbose_name=_("hồ sơ công việc"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    step = models.ForeignKey(
        "workflow.ProcessStep",
        verbose_name=_("bước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hoàn thành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("xử lý thay cho"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

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


class ProcessTemplate(models.Model):
    """An internal process — quy trình nội bộ — as ordered steps with their time shares."""

    code = models.SlugField(_("mã quy trình"), max_length=80, unique=True)
    name = models.CharField(_("tên quy trình"), max_length=255)
    module = models.CharField(_("phân hệ"), max_length=30)
    description = models.TextField(_("mô tả"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("quy trình")
        verbose_name_plural = _("quy trình")
        ordering = ["module", "code"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step of a process: who owns it and its share of the case's time limit."""

    template = models.ForeignKey(
        ProcessTemplate, on_delete=models.CASCADE, related_name="steps", verbose_name=_("quy trình")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=255)
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Trống: cơ quan đang giải quyết hồ sơ."),
    )
    role = models.CharField(_("vai trò"), max_length=20)
    time_share = models.DecimalField(
        _("tỷ lệ thời gian (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Phần trăm thời hạn giải quyết dành cho bước này."),
    )

    class Meta:
        verbose_name = _("bước quy trình")
        verbose_name_plural = _("bước quy trình")
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="processstep_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Case(models.Model):
    """One run of a process for a subject (dossier, document, complaint) — hồ sơ công việc."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang giải quyết")
        PAUSED = "paused", _("Tạm dừng tính thời hạn")
        FINISHED = "finished", _("Đã hoàn thành")
        STOPPED = "stopped", _("Dừng xử lý")

    template = models.ForeignKey(
        ProcessTemplate, on_delete=models.PROTECT, related_name="cases", verbose_name=_("quy trình")
    )
    module = models.CharField(_("phân hệ"), max_length=30)
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=64)
    title = models.CharField(_("tiêu đề"), max_length=255)
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    current_step = models.ForeignKey(
        ProcessStep,
        verbose_name=_("bước hiện tại"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("bắt đầu"), default=timezone.now)
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True)
    budget_seconds = models.BigIntegerField(
        _("thời hạn (giây làm việc)"), help_text=_("Tổng thời gian làm việc được phép.")
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining_at_pause = models.BigIntegerField(
        null=True, blank=True, help_text=_("Thời gian làm việc còn lại khi tạm dừng (giây).")
    )
    finished_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ công việc")
        verbose_name_plural = _("hồ sơ công việc")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="case_unique_subject"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return self.title


class CaseTransition(models.Model):
    """A move of a case — chuyển bước: forward, return, hand-over, pause, resume, stop."""

    class Action(models.TextChoices):
        START = "start", _("Bắt đầu")
        FORWARD = "forward", _("Chuyển bước tiếp")
        RETURN = "return", _("Trả lại bước trước")
        HANDOVER = "handover", _("Chuyển cơ quan khác")
        PAUSE = "pause", _("Tạm dừng thời hạn")
        RESUME = "resume", _("Tiếp tục tính thời hạn")
        STOP = "stop", _("Dừng xử lý")
        FINISH = "finish", _("Hoàn thành")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("hành động"), max_length=10, choices=Action.choices)
    from_step = models.ForeignKey(
        ProcessStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_step = models.ForeignKey(
        ProcessStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thay cho"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        verbose_name = _("lượt chuyển")
        verbose_name_plural = _("lượt chuyển")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} — {self.get_action_display()}"


class DelegationQuerySet(models.QuerySet["Delegation"]):
    """Named filters over delegations."""

    def in_force(self, on: datetime.date | None = None) -> DelegationQuerySet:
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day, revoked_at__isnull=True)


class Delegation(models.Model):
    """An official's substitute for a period — ủy quyền xử lý thay."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ủy quyền"),
        on_delete=models.CASCADE,
        related_name="delegations_given",
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người được ủy quyền"),
        on_delete=models.CASCADE,
        related_name="delegations_received",
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("ủy quyền")
        verbose_name_plural = _("ủy quyền")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="delegation_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal} → {self.substitute}"
