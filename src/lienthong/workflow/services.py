"""Writes on tasks (công việc): creating them for an official or a pool, completing them."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role, User
from lienthong.core.audit import audited
from lienthong.core.models import OrgUnit
from lienthong.workflow.models import Task

#: Roles whose holders can be given tasks (citizens are not).
TASK_ROLES = frozenset(role for role in Role if role != Role.CITIZEN)


def create_task(
    *,
    title: str,
    by: User | None,
    assignee: User | None = None,
    org_unit: OrgUnit | None = None,
    role: str = "",
    due_at: datetime.datetime | None = None,
    module: str = "",
    url: str = "",
) -> Task:
    """Put a task in an official's inbox, or in the pool of `org_unit` for `role`.

    Called by the services of the modules (one-stop, documents, complaints) once they have
    checked that `by` may move the case on; `by` is None for work the platform itself starts.
    """
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Hãy nhập nội dung công việc.")
    if assignee is not None and not assignee.is_official:
        errors["assignee"] = _("Chỉ giao việc cho cán bộ, công chức.")
    if assignee is None and (org_unit is None or not role):
        errors["assignee"] = _("Hãy giao việc cho một cán bộ, hoặc cho một đơn vị kèm vai trò.")
    if role and role not in TASK_ROLES:
        errors["role"] = _("Vai trò không hợp lệ: %(role)s.") % {"role": role}
    if due_at is not None and timezone.is_naive(due_at):
        errors["due_at"] = _("Hạn xử lý phải kèm múi giờ.")
    if errors:
        raise ValidationError(errors)
    task = Task(
        title=title.strip(),
        assignee=assignee,
        org_unit=org_unit if org_unit is not None else getattr(assignee, "org_unit", None),
        role=role,
        due_at=due_at,
        module=module,
        url=url,
    )
    with audited("workflow.task.create", task, actor=by, org_unit=task.org_unit):
        task.save()
    return task


def can_complete(task: Task, user: User) -> bool:
    """The assignee completes their task; a pooled task, anyone holding its role for its unit."""
    if not (user.is_authenticated and user.is_active and user.is_official):
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.pk
    return task.org_unit is not None and bool(task.role) and user.has_role(task.role, task.org_unit)


def complete_task(*, task: Task, by: User) -> Task:
    """Mark an open task done by `by` (a pooled task becomes theirs)."""
    with transaction.atomic():
        # Re-read under a row lock: two officials of one pool may press "done" together.
        locked = (
            Task.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=task.pk)
        )
        if not can_complete(locked, by):
            raise PermissionDenied(_("Bạn không được giao công việc này."))
        if locked.status != Task.Status.OPEN:
            raise ValidationError(
                {
                    "status": _("Công việc này đã kết thúc (%(status)s).")
                    % {"status": locked.get_status_display()}
                }
            )
        with audited("workflow.task.complete", locked, actor=by, org_unit=locked.org_unit):
            locked.status = Task.Status.DONE
            locked.completed_at = timezone.now()
            if locked.assignee_id is None:
                locked.assignee = by
            locked.save(update_fields=["status", "completed_at", "assignee"])
    return locked
