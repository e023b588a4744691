"""Writes to the staff registry: members, salary changes, appointments, career records.

Every function is a `@service` (one transaction, `by` is the actor): it checks that `by` is a
registry official of the member's owner agency, validates, writes the history row (salary
change, appointment, …) with its own audit entry, keeps the member's current placement and
`next_raise_due` in step, and goes through `registries.base.services` for the member itself
(audit before/after, event `registry.staff.created|updated`). The pages, the API, the admin
and the seeders all call these.
"""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, service
from lienthong.core.models import OrgUnit
from lienthong.exchange.outbox import publish
from lienthong.registries.base import services as base
from lienthong.registries.base.registry import for_model
from lienthong.registries.staff.choices import (
    DISCIPLINE_FORMS_BY_CATEGORY,
    SalaryChangeReason,
)
from lienthong.registries.staff.models import (
    Appointment,
    CareerRecord,
    Discipline,
    Position,
    Rank,
    SalaryChange,
    StaffMember,
)

_C = TypeVar("_C", bound=CareerRecord)

#: Fields the plain edit form and the API's PATCH may change. The current post and salary
#: placement change only through `appoint` / `change_salary`, which write their history.
EDITABLE_FIELDS = (
    "personal_id",
    "full_name",
    "birth_date",
    "sex",
    "org_unit",
    "category",
    "status",
    "joined_on",
    "phone",
    "email",
    "school",
    "school_level",
    "subjects",
)


def owner_of(org_unit: OrgUnit) -> OrgUnit:
    """The agency that owns the records of staff working in `org_unit` (the one above it)."""
    agency = org_unit.agency
    if agency is None:
        raise ValidationError({"org_unit": _("Đơn vị này không thuộc cơ quan nào.")})
    return agency


def refresh_next_raise(member: StaffMember) -> datetime.date | None:
    """Recompute `member.next_raise_due` (not saved; `save` does it too)."""
    return member.refresh_next_raise()


def _placement_errors(rank: Rank | None, step: int | None, over_scale_percent: int) -> None:
    if rank is None or step is None:
        raise ValidationError({"rank": _("Hãy chọn ngạch và bậc lương.")})
    if not 1 <= step <= rank.scale.max_step:
        raise ValidationError(
            {
                "step": _("Bậc lương phải từ 1 đến %(max)s với %(scale)s.")
                % {"max": rank.scale.max_step, "scale": rank.scale.name}
            }
        )
    if over_scale_percent and step != rank.scale.max_step:
        raise ValidationError(
            {"over_scale_percent": _("Chỉ hưởng phụ cấp vượt khung khi đã ở bậc cuối của ngạch.")}
        )


@service
def create_member(
    *,
    values: dict[str, Any],
    rank: Rank | None = None,
    salary_step: int | None = None,
    over_scale_percent: int = 0,
    last_raise_date: datetime.date | None = None,
    decision_number: str = "",
    by: Any,
) -> StaffMember:
    """Add a staff member; a salary placement, when given, opens the salary history."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    member = StaffMember(**values)
    if member.org_unit_id is None:
        raise ValidationError({"org_unit": _("Hãy chọn đơn vị công tác.")})
    member.owner = owner_of(member.org_unit)
    if rank is not None or salary_step is not None:
        _placement_errors(rank, salary_step, over_scale_percent)
        if last_raise_date is None:
            raise ValidationError({"last_raise_date": _("Hãy nhập ngày hưởng bậc lương.")})
        member.rank, member.salary_step = rank, salary_step
        member.over_scale_percent = over_scale_percent
        member.last_raise_date = last_raise_date
    refresh_next_raise(member)
    base.create_record(member, by=by)
    if member.rank is not None and member.salary_step is not None and last_raise_date:
        _write_salary_change(
            member,
            reason=SalaryChangeReason.INITIAL,
            effective_date=last_raise_date,
            decision_number=decision_number,
            decision_date=None,
        )
    return member


@service
def update_member(member: StaffMember, *, values: dict[str, Any], by: Any) -> StaffMember:
    """Change a member's personal and sector data (not the placement: see `change_salary`)."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Ngạch, bậc lương và chức vụ chỉ thay đổi qua quyết định nâng lương, bổ nhiệm.")
        )
    for name, value in values.items():
        setattr(member, name, value)
    if "org_unit" in values:
        member.owner = owner_of(member.org_unit)
    # The category changes how discipline extends the interval.
    refresh_next_raise(member)
    return base.update_record(member, by=by)


def _write_salary_change(
    member: StaffMember,
    *,
    reason: str,
    effective_date: datetime.date,
    decision_number: str,
    decision_date: datetime.date | None,
) -> SalaryChange:
    assert member.rank is not None and member.salary_step is not None
    change = SalaryChange(
        member=member,
        rank=member.rank,
        step=member.salary_step,
        coefficient=member.rank.scale.coefficient(member.salary_step),
        over_scale_percent=member.over_scale_percent,
        effective_date=effective_date,
        reason=reason,
        decision_number=decision_number,
        decision_date=decision_date,
    )
    change.full_clean()
    with audited("registry.staff.salary_change", change):
        change.save()
    return change


@service
def change_salary(
    member: StaffMember,
    *,
    rank: Rank,
    step: int,
    effective_date: datetime.date,
    reason: str,
    over_scale_percent: int = 0,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    by: Any,
) -> SalaryChange:
    """Place a member on a rank and step from `effective_date` (a raise, a promotion, a
    transfer, a correction): the salary history row, the member's placement and next raise."""
    base.check_editable(member, by)
    if reason not in SalaryChangeReason.values:
        raise ValidationError({"reason": _("Lý do thay đổi lương không hợp lệ.")})
    _placement_errors(rank, step, over_scale_percent)
    if decision_date and decision_date > effective_date + datetime.timedelta(days=366):
        raise ValidationError({"decision_date": _("Ngày quyết định không hợp lý.")})
    member.rank, member.salary_step = rank, step
    member.over_scale_percent = over_scale_percent
    member.last_raise_date = effective_date
    change = _write_salary_change(
        member,
        reason=reason,
        effective_date=effective_date,
        decision_number=decision_number,
        decision_date=decision_date,
    )
    refresh_next_raise(member)
    base.update_record(member, by=by, action="salary")
    return change


@service
def apply_regular_raise(
    member: StaffMember,
    *,
    decision_number: str,
    decision_date: datetime.date | None = None,
    effective_date: datetime.date | None = None,
    by: Any,
) -> SalaryChange:
    """The next regular raise as the decree computes it: one step, or the beyond-scale
    allowance; effective on the due date unless another date is given."""
    base.check_editable(member, by)
    plan = member.raise_plan()
    if plan is None or member.rank is None:
        raise ValidationError(_("Cán bộ này chưa được xếp ngạch, bậc lương."))
    due = member.next_raise_due or plan.due
    if effective_date is not None and effective_date < due:
        # Earlier than the decree allows is a raise "trước thời hạn", a decision of its own.
        raise ValidationError(
            {
                "effective_date": _(
                    "Chưa đến hạn nâng lương thường xuyên (%(due)s); nâng lương trước thời hạn "
                    "hãy ghi bằng quyết định lương khác."
                )
                % {"due": due.strftime("%d/%m/%Y")}
            }
        )
    reason = (
        SalaryChangeReason.OVER_SCALE if plan.is_over_scale else SalaryChangeReason.REGULAR_RAISE
    )
    return change_salary(
        member,
        rank=member.rank,
        step=plan.to_step,
        over_scale_percent=plan.to_over_scale_percent,
        effective_date=effective_date or due,
        reason=reason,
        decision_number=decision_number,
        decision_date=decision_date,
        by=by,
    )


@service
def appoint(
    member: StaffMember,
    *,
    position: Position,
    decision_number: str,
    decision_date: datetime.date,
    effective_date: datetime.date,
    term_years: int = 5,
    org_unit: OrgUnit | None = None,
    by: Any,
) -> Appointment:
    """Appoint a member to a post (bổ nhiệm) for a term; the post held before ends that day."""
    base.check_editable(member, by)
    appointment = Appointment(
        member=member,
        position=position,
        org_unit=org_unit or member.org_unit,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        effective_date=effective_date,
        term_years=term_years,
    )
    appointment.full_clean()
    if effective_date < decision_date:
        raise ValidationError({"effective_date": _("Ngày hiệu lực trước ngày quyết định.")})
    for current in Appointment.objects.filter(member=member, ended_on__isnull=True):
        with audited("registry.staff.appointment_end", current):
            current.ended_on = effective_date
            current.save(update_fields=["ended_on"])
    with audited("registry.staff.appointment", appointment):
        appointment.save()
    member.position = position
    member.position_since = effective_date
    base.update_record(member, by=by, action="appoint")
    return appointment


@service
def end_appointment(appointment: Appointment, *, ended_on: datetime.date, by: Any) -> Appointment:
    """End a post (thôi giữ chức vụ, miễn nhiệm); the member then holds no post."""
    member = StaffMember.objects.get(pk=appointment.member_id)
    base.check_editable(member, by)
    if appointment.ended_on is not None:
        raise ValidationError(_("Chức vụ này đã kết thúc."))
    if ended_on < appointment.effective_date:
        raise ValidationError({"ended_on": _("Ngày thôi giữ chức vụ trước ngày bổ nhiệm.")})
    with audited("registry.staff.appointment_end", appointment):
        appointment.ended_on = ended_on
        appointment.save(update_fields=["ended_on"])
    if member.position_id == appointment.position_id:
        member.position = None
        member.position_since = None
        base.update_record(member, by=by, action="appoint")
    return appointment


def _career_event(member: StaffMember, kind: str) -> None:
    registry_type = for_model(StaffMember)
    publish(
        "registry.staff.updated",
        subject=str(member.pk),
        data=base.event_data(registry_type, member, changed=[kind]),
    )


@service
def add_career_record(member: StaffMember, record: _C, *, by: Any) -> _C:
    """Add a qualification, training course, reward or discipline to a member's file."""
    base.check_editable(member, by)
    if member.is_deleted:
        raise ValidationError(_("Hồ sơ đã bị xoá; hãy khôi phục trước khi sửa."))
    record.member = member
    record.full_clean()
    if isinstance(record, Discipline):
        allowed = DISCIPLINE_FORMS_BY_CATEGORY.get(member.category, frozenset())
        if record.form not in allowed:
            raise ValidationError(
                {
                    "form": _("Hình thức “%(form)s” không áp dụng cho %(category)s.")
                    % {
                        "form": record.get_form_display(),
                        "category": member.get_category_display().lower(),
                    }
                }
            )
    label = type(record)._meta.model_name
    with audited(f"registry.staff.{label}", record):
        record.save()
    if isinstance(record, Discipline):
        refresh_next_raise(member)
        base.update_record(member, by=by, action="discipline")
    else:
        _career_event(member, str(label))
    return record


@service
def delete_career_record(record: CareerRecord, *, by: Any) -> None:
    """Remove a row entered by mistake from a member's file (audited with its content)."""
    member = StaffMember.objects.get(pk=record.member_id)
    base.check_editable(member, by)
    label = type(record)._meta.model_name
    with audited(f"registry.staff.{label}_delete", record):
        record.delete()
    if isinstance(record, Discipline):
        refresh_next_raise(member)
        base.update_record(member, by=by, action="discipline")
    else:
        _career_event(member, str(label))


def check_can_create(by: Any, org_unit: OrgUnit) -> None:
    """Refuse early (before a form is even shown) when `by` cannot add staff to `org_unit`."""
    if not base.can_edit_for(by, owner_of(org_unit)):
        raise PermissionDenied(_("Bạn không có quyền thêm hồ sơ cho cơ quan này."))
