"""Writes of the workflow app other than the engine's moves: loose tasks, process templates,
delegations, and the generic transitions the inbox offers for modules without their own."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role, User
from lienthong.core.audit import audited, record, service
from lienthong.core.models import OrgUnit
from lienthong.exchange.outbox import publish
from lienthong.workflow import engine, modules
from lienthong.workflow.models import (
    Case,
    Delegation,
    ProcessStep,
    ProcessTemplate,
    Task,
    new_revision,
)

#: Roles whose holders can be given tasks (citizens are not).
TASK_ROLES = frozenset(role for role in Role if role != Role.CITIZEN)


# --- Loose tasks ------------------------------------------------------------------------------


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
    """The assignee completes their task; a pooled task, anyone holding its role for its unit;
    either, the substitute of one who could, while the delegation is in force.

    A step of a case is not completed on its own: the case moves (forward, return, …).
    """
    if not (user.is_authenticated and user.is_active and user.is_official):
        return False
    if task.case_id is not None:
        return False
    try:
        engine.actor_for(task, user)
    except PermissionDenied:
        return False
    return True


def complete_task(*, task: Task, by: User) -> Task:
    """Mark an open task done by `by` (a pooled task becomes theirs); done as a substitute,
    the task records for whom."""
    with transaction.atomic():
        # Re-read under a row lock: two officials of one pool may press "done" together.
        locked = (
            Task.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=task.pk)
        )
        if locked.case_id is not None:
            raise ValidationError(
                {
                    "task": _(
                        "Công việc này là một bước của hồ sơ; hãy chuyển bước trên trang hồ sơ."
                    )
                }
            )
        if not (by.is_active and by.is_official):
            raise PermissionDenied(_("Bạn không được giao công việc này."))
        try:
            actor = engine.actor_for(locked, by)
        except PermissionDenied:
            raise PermissionDenied(_("Bạn không được giao công việc này.")) from None
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
            locked.completed_by = by
            locked.acting_for = actor.acting_for
            if locked.assignee_id is None:
                locked.assignee = by
            locked.save(
                update_fields=["status", "completed_at", "completed_by", "acting_for", "assignee"]
            )
    return locked


def cancel_task(*, task: Task, by: User | None, reason: str) -> Task:
    """Close an open loose task as no longer needed (status CANCELLED), recording `reason`.

    Called by the services of the modules once they have decided the work is moot (e.g. the
    lead unit completed an incoming document: the co-operating units' tasks end); the caller
    checks that `by` may end it. A step of a case is never cancelled here: the case moves.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do kết thúc công việc.")})
    with transaction.atomic():
        locked = (
            Task.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=task.pk)
        )
        if locked.case_id is not None:
            raise ValidationError(
                {
                    "task": _(
                        "Công việc này là một bước của hồ sơ; hãy chuyển bước trên trang hồ sơ."
                    )
                }
            )
        if locked.status != Task.Status.OPEN:
            raise ValidationError(
                {
                    "status": _("Công việc này đã kết thúc (%(status)s).")
                    % {"status": locked.get_status_display()}
                }
            )
        before = {"status": locked.status, "completed_at": None, "completed_by": None}
        locked.status = Task.Status.CANCELLED
        locked.completed_at = timezone.now()
        locked.completed_by = by
        locked.save(update_fields=["status", "completed_at", "completed_by"])
        record(
            "workflow.task.cancel",
            locked,
            actor=by,
            org_unit=locked.org_unit,
            before=before,
            after={
                "status": locked.status,
                "completed_at": locked.completed_at.isoformat(),
                "completed_by": by.pk if by is not None else None,
                "reason": reason.strip(),
            },
        )
    return locked


# --- Process templates ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepSpec:
    """One step of a process as an administrator writes it."""

    order: int
    name: str
    role: str
    time_share: Decimal | str | int
    org_unit: OrgUnit | None = None


def can_manage_templates(user: Any) -> bool:
    """Superusers and IT administrators (of any unit) edit processes."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or user.role_assignments.filter(role=Role.IT_ADMIN).exists())


def _share(value: Decimal | str | int) -> Decimal | None:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return share if share.is_finite() else None


def step_errors(steps: Sequence[StepSpec]) -> list[str]:
    """What is wrong with a list of steps: orders unique, roles valid, shares summing to 100."""
    errors: list[str] = []
    if not steps:
        return [_("Quy trình phải có ít nhất một bước.")]
    orders = [step.order for step in steps]
    if any(order < 1 for order in orders):
        errors.append(_("Thứ tự bước phải là số nguyên dương."))
    duplicates = sorted({order for order in orders if orders.count(order) > 1})
    if duplicates:
        errors.append(
            _("Thứ tự bước bị trùng: %(orders)s.") % {"orders": ", ".join(map(str, duplicates))}
        )
    total = Decimal(0)
    for step in sorted(steps, key=lambda s: s.order):
        label = _("Bước %(order)s") % {"order": step.order}
        if not step.name.strip():
            errors.append(_("%(step)s: hãy nhập tên bước.") % {"step": label})
        if step.role not in TASK_ROLES:
            errors.append(
                _("%(step)s: vai trò không hợp lệ (%(role)s).") % {"step": label, "role": step.role}
            )
        share = _share(step.time_share)
        if share is None or share <= 0 or share > 100 or share != share.quantize(Decimal("0.01")):
            errors.append(
                _(
                    "%(step)s: tỷ lệ thời gian phải lớn hơn 0, không quá 100, "
                    "tối đa 2 chữ số thập phân."
                )
                % {"step": label}
            )
        else:
            total += share
        if step.org_unit is not None and not step.org_unit.is_active:
            errors.append(
                _("%(step)s: đơn vị “%(unit)s” đã ngừng hoạt động.")
                % {"step": label, "unit": step.org_unit}
            )
    if not errors and total != 100:
        errors.append(
            _("Tổng tỷ lệ thời gian các bước phải bằng 100%% (đang là %(total)s%%).")
            % {"total": f"{total.normalize():f}"}
        )
    return errors


def template_snapshot(template: ProcessTemplate) -> dict[str, Any]:
    """A template and its steps, for the audit log."""
    return {
        "code": template.code,
        "name": template.name,
        "module": template.module,
        "description": template.description,
        "is_active": template.is_active,
        "revision": template.revision,
        "steps": [
            {
                "order": step.order,
                "name": step.name,
                "role": step.role,
                "org_unit": step.org_unit_id,
                "time_share": str(step.time_share),
            }
            for step in template.steps.order_by("order")
        ],
    }


@service
def save_template(
    *,
    template: ProcessTemplate | None,
    code: str,
    name: str,
    module: str,
    steps: Sequence[StepSpec],
    by: User,
    description: str = "",
    is_active: bool = True,
) -> ProcessTemplate:
    """Create or change a process (quy trình nội bộ) and its steps, validated as a whole.

    Steps are matched by their order: an existing order is updated in place, a new one added,
    a missing one removed — refused while a case or task still refers to it.
    """
    if not can_manage_templates(by):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được sửa quy trình."))
    errors: dict[str, list[str]] = {}
    code = code.strip()
    if not code or slugify(code) != code:
        errors["code"] = [_("Mã quy trình chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")]
    elif (
        ProcessTemplate.objects.filter(code=code)
        .exclude(pk=template.pk if template else 0)
        .exists()
    ):
        errors["code"] = [_("Mã quy trình “%(code)s” đã có.") % {"code": code}]
    if not name.strip():
        errors["name"] = [_("Hãy nhập tên quy trình.")]
    if not module.strip():
        errors["module"] = [_("Hãy nhập phân hệ.")]
    if problems := step_errors(steps):
        errors["steps"] = problems
    if errors:
        raise ValidationError(errors)
    if template is not None:
        template = ProcessTemplate.objects.select_for_update().get(pk=template.pk)
    before = template_snapshot(template) if template is not None else None
    template = template or ProcessTemplate()
    template.code, template.name, template.module = code, name.strip(), module.strip()
    template.description, template.is_active = description.strip(), is_active
    template.revision = new_revision()
    template.save()
    existing = {step.order: step for step in template.steps.all()}
    wanted = {spec.order for spec in steps}
    for order, step in existing.items():
        if order not in wanted:
            if (
                Task.objects.filter(step=step).exists()
                or Case.objects.filter(current_step=step).exists()
            ):
                raise ValidationError(
                    {
                        "steps": [
                            _("Bước %(order)s đang được dùng trong hồ sơ nên không xoá được.")
                            % {"order": order}
                        ]
                    }
                )
            step.delete()
    for spec in steps:
        step = existing.get(spec.order) or ProcessStep(template=template, order=spec.order)
        step.name = spec.name.strip()
        step.role = spec.role
        step.org_unit = spec.org_unit
        step.time_share = Decimal(str(spec.time_share))
        step.save()
    engine.forget_steps(template.pk)
    after = template_snapshot(template)
    record("workflow.template.save", template, actor=by, before=before, after=after)
    publish(
        "workflow.template.saved",
        subject=template.code,
        data={"template": template.pk, "code": template.code, "revision": template.revision},
    )
    return template


# --- Delegations ------------------------------------------------------------------------------


def can_delegate_for(by: User, principal: User) -> bool:
    """One names a substitute for oneself; a leader or IT administrator of the principal's
    unit (or a unit above it) does it for them."""
    if not (by.is_active and by.is_official) and not by.is_superuser:
        return False
    if by.pk == principal.pk or by.is_superuser:
        return True
    unit = principal.org_unit
    return unit is not None and (by.has_role(Role.LEADER, unit) or by.has_role(Role.IT_ADMIN, unit))


def check_delegation(
    *,
    principal: User,
    substitute: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str = "",
    by: User,
) -> None:
    """Raise PermissionDenied or ValidationError if the delegation may not be made."""
    if not can_delegate_for(by, principal):
        raise PermissionDenied(_("Bạn không được ủy quyền thay cho cán bộ này."))
    errors: dict[str, list[str]] = {}
    if not (principal.is_active and principal.is_official):
        errors["principal"] = [_("Người ủy quyền phải là cán bộ đang làm việc.")]
    if not (substitute.is_active and substitute.is_official):
        errors["substitute"] = [_("Người được ủy quyền phải là cán bộ đang làm việc.")]
    elif substitute.pk == principal.pk:
        errors["substitute"] = [_("Không tự ủy quyền cho chính mình.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("Ngày kết thúc phải từ ngày bắt đầu trở đi.")]
    elif ends_on < timezone.localdate():
        errors["ends_on"] = [_("Thời gian ủy quyền đã qua.")]
    if len(reason) > 255:
        errors["reason"] = [_("Lý do tối đa 255 ký tự.")]
    if errors:
        raise ValidationError(errors)
    clash = (
        Delegation.objects.filter(principal=principal)
        .overlapping(starts_on, ends_on)
        .exclude(substitute=substitute)
        .select_related("substitute")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "starts_on": [
                    _(
                        "Trong thời gian này đã ủy quyền cho %(name)s (từ %(start)s đến %(end)s); "
                        "hãy thu hồi ủy quyền đó trước."
                    )
                    % {
                        "name": clash.substitute,
                        "start": clash.starts_on.strftime("%d/%m/%Y"),
                        "end": clash.ends_on.strftime("%d/%m/%Y"),
                    }
                ]
            }
        )


@service
def create_delegation(
    *,
    principal: User,
    substitute: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str = "",
    by: User,
) -> Delegation:
    """Name `substitute` to handle `principal`'s tasks from `starts_on` to `ends_on`."""
    # One at a time per principal, so two overlapping delegations cannot both slip through.
    User.objects.select_for_update().filter(pk=principal.pk).first()
    check_delegation(
        principal=principal,
        substitute=substitute,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        by=by,
    )
    delegation = Delegation(
        principal=principal,
        substitute=substitute,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        created_by=by,
    )
    with audited("workflow.delegation.create", delegation, actor=by, org_unit=principal.org_unit):
        delegation.save()
    publish(
        "workflow.delegation.created",
        subject=str(delegation.pk),
        data={
            "delegation": delegation.pk,
            "principal": principal.pk,
            "substitute": substitute.pk,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    return delegation


@service
def revoke_delegation(*, delegation: Delegation, by: User) -> Delegation:
    """End a delegation now (thu hồi ủy quyền)."""
    locked = (
        Delegation.objects.select_for_update().select_related("principal").get(pk=delegation.pk)
    )
    if not can_delegate_for(by, locked.principal):
        raise PermissionDenied(_("Bạn không được thu hồi ủy quyền này."))
    if locked.revoked_at is not None:
        raise ValidationError({"delegation": [_("Ủy quyền này đã được thu hồi.")]})
    if locked.ends_on < timezone.localdate():
        raise ValidationError({"delegation": [_("Ủy quyền này đã hết hạn.")]})
    with audited(
        "workflow.delegation.revoke", locked, actor=by, org_unit=locked.principal.org_unit
    ):
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    publish(
        "workflow.delegation.revoked",
        subject=str(locked.pk),
        data={"delegation": locked.pk, "principal": locked.principal_id},
    )
    return locked


# --- Generic transitions (modules without their own) ------------------------------------------

ACTIONS = ("forward", "return", "pause", "resume", "stop")


def act_on_case(
    *,
    case: Case,
    action: str,
    by: User,
    note: str = "",
    step: ProcessStep | None = None,
    assignee: User | None = None,
    due_at: datetime.datetime | None = None,
    task: Task | int | None = None,
) -> Case:
    """Move a case of a module that has no transition pages of its own; `by` must hold its
    open task (or stand in for who does) whatever the move."""
    if action not in ACTIONS:
        raise ValidationError({"action": [_("Thao tác không hợp lệ.")]})
    if not modules.generic(case.module):
        raise engine.WrongState(
            _("Hồ sơ thuộc phân hệ “%(module)s”; hãy xử lý trên trang của phân hệ đó.")
            % {"module": modules.label(case.module)}
        )
    if action == "forward":
        return engine.forward(case=case, by=by, note=note, assignee=assignee, task=task)
    if action == "return":
        if step is None:
            raise ValidationError({"step": [_("Hãy chọn bước trả lại.")]})
        return engine.return_to(
            case=case, step=step, by=by, note=note, assignee=assignee, task=task
        )
    if action == "pause":
        if not note.strip():
            raise ValidationError({"note": [_("Hãy nêu lý do tạm dừng.")]})
        return engine.pause(case=case, by=by, note=note, task=task)
    if action == "resume":
        return engine.resume(
            case=case, by=by, note=note, due_at=due_at, task=task, require_holder=True
        )
    return engine.stop(case=case, by=by, note=note, task=task, require_holder=True)
