"""Reads of the staff registry beyond the shared list: the raise report, a member's file.

Every function takes a QuerySet already narrowed by `.visible_to(user)`; none widens it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lienthong.registries.staff import pay
from lienthong.registries.staff.models import (
    Appointment,
    Discipline,
    Qualification,
    Reward,
    SalaryChange,
    StaffMember,
    StaffQuerySet,
    TrainingCourse,
)


@dataclass(frozen=True)
class DueRaise:
    """One line of the "đến hạn nâng lương" report: who, from what to what, when."""

    member: StaffMember
    due: datetime.date
    coefficient: Decimal | None
    to_step: int
    to_coefficient: Decimal | None
    to_over_scale_percent: int
    overdue: bool

    @property
    def kind(self) -> str:
        if self.to_over_scale_percent:
            return _("Vượt khung %(percent)s%%") % {"percent": self.to_over_scale_percent}
        return _("Nâng bậc")


def due_for_raise(qs: StaffQuerySet, *, on: datetime.date, days: int) -> StaffQuerySet:
    """Working staff whose regular raise is due by `on` + `days`, soonest first."""
    return (
        qs.due_for_raise(on=on, days=days)
        .select_related("org_unit", "owner", "rank__scale", "position")
        .order_by("next_raise_due", "search_text", "pk")
    )


def due_raise_of(member: StaffMember, on: datetime.date) -> DueRaise | None:
    """What a member's next raise gives (the due date already includes extensions)."""
    plan = member.raise_plan()
    if plan is None or member.next_raise_due is None or member.rank is None:
        return None
    scale = member.rank.scale
    return DueRaise(
        member=member,
        due=member.next_raise_due,
        coefficient=member.coefficient,
        to_step=plan.to_step,
        to_coefficient=pay.coefficient(scale.coefficients, plan.to_step),
        to_over_scale_percent=plan.to_over_scale_percent,
        overdue=member.next_raise_due < on,
    )


def due_rows(qs: QuerySet[StaffMember], *, on: datetime.date) -> Iterator[DueRaise]:
    """The report's lines for an already filtered `due_for_raise` QuerySet, streamed."""
    for member in qs.iterator(chunk_size=2000):
        line = due_raise_of(member, on)
        if line is not None:
            yield line


def report_header() -> list[str]:
    """Column headers of the raise report (XLSX and screen)."""
    return [
        _("Họ và tên"),
        _("Số định danh"),
        _("Đơn vị"),
        _("Ngạch, chức danh"),
        _("Bậc hiện tại"),
        _("Hệ số hiện tại"),
        _("Ngày hưởng"),
        _("Nâng lên"),
        _("Hệ số mới"),
        _("Ngày đến hạn"),
    ]


def report_cells(line: DueRaise) -> list[Any]:
    """One line of the raise report as spreadsheet cells."""
    member = line.member
    assert member.rank is not None
    target = (
        _("Bậc %(step)s") % {"step": line.to_step}
        if not line.to_over_scale_percent
        else _("Vượt khung %(percent)s%%") % {"percent": line.to_over_scale_percent}
    )
    return [
        member.full_name,
        member.personal_id,
        member.unit_label,
        f"{member.rank.name} ({member.rank.code})",
        member.salary_step,
        float(line.coefficient) if line.coefficient is not None else "",
        member.last_raise_date.strftime("%d/%m/%Y") if member.last_raise_date else "",
        target,
        float(line.to_coefficient) if line.to_coefficient is not None else "",
        line.due.strftime("%d/%m/%Y"),
    ]


@dataclass(frozen=True)
class MemberFile:
    """Everything on a member's detail page, each list fetched in one query."""

    qualifications: list[Qualification]
    training: list[TrainingCourse]
    appointments: list[Appointment]
    salary: list[SalaryChange]
    rewards: list[Reward]
    disciplines: list[Discipline]


def member_file(member: StaffMember) -> MemberFile:
    """The career records of a member, newest first."""
    return MemberFile(
        qualifications=list(Qualification.objects.filter(member=member)),
        training=list(TrainingCourse.objects.filter(member=member)),
        appointments=list(
            Appointment.objects.filter(member=member).select_related("position", "org_unit")
        ),
        salary=list(SalaryChange.objects.filter(member=member).select_related("rank")),
        rewards=list(Reward.objects.filter(member=member)),
        disciplines=list(Discipline.objects.filter(member=member)),
    )


def discipline_in_last_year(member: StaffMember, on: datetime.date) -> Discipline | None:
    """A discipline decided in the 12 months before `on`: no appointment or promotion then
    (Law 22/2008 Art. 82.2; Law 58/2010 Art. 56.2) — shown as a warning."""
    since = pay.add_months(on, -12)
    return (
        Discipline.objects.filter(member=member, decision_date__gt=since, decision_date__lte=on)
        .order_by("-decision_date")
        .first()
    )
