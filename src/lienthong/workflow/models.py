"""The workflow kernel: process templates, cases moving through steps, tasks in inboxes.

A dossier, an incoming document and a complaint are all *cases* (`Case`) running a
`ProcessTemplate`: ordered steps, each owned by an org unit and role and given its share of
the case's time limit in working time. Each step is a `Task` in an inbox. Every move is a
`CaseTransition`; clocks pause while the case waits on someone outside (a supplement).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
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
        """Tasks assigned to the user, and those they hold for someone who delegated to them."""
        return Q(assignee=user) | self.reach(user, through_delegation_only=True)

    def open(self) -> TaskQuerySet:
        return self.filter(status=Task.Status.OPEN)

    def overdue(self, at: datetime.datetime | None = None) -> TaskQuerySet:
        return self.open().filter(due_at__lt=at or timezone.now())

    def by_due(self) -> TaskQuerySet:
        """Soonest due first, tasks without a due moment last."""
        return self.order_by(models.F("due_at").asc(nulls_last=True), "created_at", "pk")

    @staticmethod
    def reach(
        user: User, on: datetime.date | None = None, *, through_delegation_only: bool = False
    ) -> Q:
        """Tasks the user holds: assigned to them or pooled for a unit and role they hold —
        and the same for the officials who have named them their substitute for `on`.

        A pool is the exact unit: a leader of a department does not receive the pooled work
        of every division below it, though their role lets them see and take it.
        """
        from lienthong.accounts.models import RoleAssignment

        principals = Subquery(
            Delegation.objects.in_force(on)
            .filter(substitute=user, principal__is_active=True)
            .values("principal_id")
        )
        holders = (
            Q(user__in=principals)
            if through_delegation_only
            else (Q(user=user) | Q(user__in=principals))
        )
        pooled = Exists(
            RoleAssignment.objects.filter(
                holders, org_unit=OuterRef("org_unit"), role=OuterRef("role")
            )
        )
        assigned = (
            Q(assignee__in=principals)
            if through_delegation_only
            else (Q(assignee=user) | Q(assignee__in=principals))
        )
        return assigned | (Q(assignee__isnull=True) & Q(pooled))

    def held_by(self, user: User) -> TaskQuerySet:
        """Open tasks the user holds themselves (no delegation)."""
        from lienthong.accounts.models import RoleAssignment

        pooled = Exists(
            RoleAssignment.objects.filter(
                user=user, org_unit=OuterRef("org_unit"), role=OuterRef("role")
            )
        )
        return self.open().filter(Q(assignee=user) | Q(assignee__isnull=True) & pooled)

    def inbox_of(self, user: User, on: datetime.date | None = None) -> TaskQuerySet:
        """The user's inbox: the tasks they hold, and those of the officials who have named
        them their substitute for `on` (today by default), soonest due first."""
        return self.open().filter(self.reach(user, on)).by_due()


class Task(models.Model):
    """One piece of work for an official or for a unit's pool, with its due moment.

    Foreign keys the inbox never filters on alone carry no index of their own (`db_index=False`):
    every transition writes and rewrites task rows, and each index is one more page written per
    commit (the composite indexes below serve the inbox).
    """

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
        db_index=False,
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,
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
        db_index=False,
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hoàn thành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("xử lý thay cho"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("công việc")
        verbose_name_plural = _("công việc")
        indexes = [
            models.Index(fields=["status", "assignee", "due_at"]),
            models.Index(fields=["status", "org_unit", "role"], name="workflow_task_pool_idx"),
        ]
        constraints = [
            # The engine keeps one open task per case; two officials forwarding a case at
            # the same moment must not leave it with two.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="open"),
                name="task_one_open_per_case",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workflow:task_detail", args=[self.pk])

    @property
    def handling_url(self) -> str:
        """Where the official handles the task: the module's page if it is a local path, else
        the case's page for a step of a case, else the task's own page."""
        # `url` is written by other modules; only a site-relative path is followed.
        if self.url.startswith("/") and not self.url.startswith("//"):
            return self.url
        if self.case_id is not None:
            return reverse("workflow:case_detail", args=[self.case_id])
        return self.get_absolute_url()

    @property
    def role_label(self) -> str:
        """The pool's role by its Vietnamese name (the role field stores the code)."""
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def is_paused(self) -> bool:
        """Whether the task's case has its clock stopped (reads the case: select it along)."""
        return self.case_id is not None and self.case.status == Case.Status.PAUSED  # type: ignore[union-attr]

    def is_overdue(self, at: datetime.datetime | None = None) -> bool:
        """Open and past its due moment; a task whose case clock is stopped is never overdue."""
        return (
            self.status == self.Status.OPEN
            and self.due_at is not None
            and self.due_at < (at or timezone.now())
            and not self.is_paused
        )

    def is_due_on(self, day: datetime.date) -> bool:
        """Whether the task falls due on `day` (a local date in Asia/Ho_Chi_Minh)."""
        return self.due_at is not None and timezone.localdate(self.due_at) == day


def new_revision() -> str:
    """A fresh revision tag for a template's steps."""
    return uuid.uuid4().hex


class ProcessTemplate(models.Model):
    """An internal process — quy trình nội bộ — as ordered steps with their time shares."""

    code = models.SlugField(_("mã quy trình"), max_length=80, unique=True)
    name = models.CharField(_("tên quy trình"), max_length=255)
    module = models.CharField(_("phân hệ"), max_length=30)
    description = models.TextField(_("mô tả"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    # Changes whenever the steps change (`services.save_template`, the admin): the engine
    # keeps each process's steps in memory under (id, revision), read with the case's row.
    revision = models.CharField(max_length=32, default=new_revision, editable=False)

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

    @property
    def role_label(self) -> str:
        """The step's role by its Vietnamese name."""
        return str(Role(self.role).label) if self.role in Role.values else self.role


class CaseQuerySet(ScopedQuerySet["Case"]):
    """Named filters over cases; officials see the cases of their units' agencies, those with
    a task in their units, and those with a task assigned to them."""

    scope_field = "agency"

    def own_rows(self, user: User) -> Q:
        """Cases with a task assigned to the user, or one they hold as someone's substitute."""
        return Q(
            Exists(
                Task.objects.filter(case=OuterRef("pk")).filter(
                    Q(assignee=user) | TaskQuerySet.reach(user, through_delegation_only=True)
                )
            )
        )

    def scope_condition(self, user: User, *, roles: Iterable[str] | None = None) -> Q:
        from django.db.models import F
        from django.db.models.lookups import StartsWith

        from lienthong.core.permissions import grants_of

        agency = super().scope_condition(user, roles=roles)
        grants = grants_of(user, roles if roles is not None else self.scope_roles)
        task_units = Exists(
            Task.objects.filter(case=OuterRef("pk")).filter(
                Exists(grants.filter(StartsWith(OuterRef("org_unit__path"), F("org_unit__path"))))
            )
        )
        return agency | Q(task_units)

    def active(self) -> CaseQuerySet:
        """Cases still running, clock on or stopped."""
        return self.filter(status__in=[Case.Status.ACTIVE, Case.Status.PAUSED])


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
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", db_index=False
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
        db_index=False,
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

    objects = CaseQuerySet.as_manager()

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

    def get_absolute_url(self) -> str:
        return reverse("workflow:case_detail", args=[self.pk])


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
        ProcessStep,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    to_step = models.ForeignKey(
        ProcessStep,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thay cho"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
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
        """Delegations not revoked whose period includes `on` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day, revoked_at__isnull=True)

    def current(self) -> DelegationQuerySet:
        """Delegations not revoked that have not ended yet (in force or to come)."""
        return self.filter(ends_on__gte=timezone.localdate(), revoked_at__isnull=True)

    def overlapping(self, starts_on: datetime.date, ends_on: datetime.date) -> DelegationQuerySet:
        """Delegations not revoked whose period shares a day with [starts_on, ends_on]."""
        return self.filter(starts_on__lte=ends_on, ends_on__gte=starts_on, revoked_at__isnull=True)

    def involving(self, user: User) -> DelegationQuerySet:
        """Delegations the user gave or received."""
        return self.filter(Q(principal=user) | Q(substitute=user))


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
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

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

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        """Whether the delegation applies on `on` (today by default)."""
        day = on or timezone.localdate()
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on
