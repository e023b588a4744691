"""Inspections (thanh tra): the annual plan, inspection decisions and teams, conclusions, and
the follow-up of each recommendation until it is done.

Who: specialists and leaders of the inspecting agency (the inspectorate) write plans and
inspections and follow up recommendations; only a leader issues the inspection decision and
the conclusion. Each write is one transaction with its audit entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.complaints.models import Inspection, InspectionPlan, Recommendation
from lienthong.complaints.services import is_leader, may_work
from lienthong.core.audit import audited, service
from lienthong.workflow.engine import WrongState

if TYPE_CHECKING:
    from lienthong.accounts.models import User
    from lienthong.core.models import OrgUnit


def _require_worker(user: User, agency: OrgUnit) -> None:
    if not may_work(user, agency):
        raise PermissionDenied(_("Bạn không thuộc cơ quan thanh tra này."))


def _require_leader(user: User, agency: OrgUnit) -> None:
    if not is_leader(user, agency):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan thanh tra mới thực hiện được thao tác này."))


@service
def create_plan(
    *,
    agency: OrgUnit,
    year: int,
    title: str,
    by: User,
    approved_on: datetime.date | None = None,
    decision_number: str = "",
) -> InspectionPlan:
    """Write the agency's inspection plan for a year (one a year)."""
    _require_worker(by, agency)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Hãy nhập tên kế hoạch.")
    if not 2000 <= year <= 2100:
        errors["year"] = _("Năm không hợp lệ.")
    elif InspectionPlan.objects.filter(agency=agency, year=year).exists():
        errors["year"] = _("Cơ quan đã có kế hoạch thanh tra năm %(year)s.") % {"year": year}
    if errors:
        raise ValidationError(errors)
    plan = InspectionPlan(
        agency=agency,
        year=year,
        title=title.strip(),
        approved_on=approved_on,
        decision_number=decision_number.strip(),
    )
    with audited("complaints.plan.create", plan):
        plan.save()
    return plan


@service
def create_inspection(
    *,
    agency: OrgUnit,
    subject: str,
    target: str,
    by: User,
    plan: InspectionPlan | None = None,
) -> Inspection:
    """Add an inspection: to the plan, or unscheduled (thanh tra đột xuất) without one."""
    _require_worker(by, agency)
    errors: dict[str, str] = {}
    if not subject.strip():
        errors["subject"] = _("Hãy nhập nội dung thanh tra.")
    if not target.strip():
        errors["target"] = _("Hãy nhập đối tượng thanh tra.")
    if plan is not None and plan.agency_id != agency.pk:
        errors["plan"] = _("Kế hoạch thuộc cơ quan khác.")
    if errors:
        raise ValidationError(errors)
    inspection = Inspection(
        agency=agency,
        plan=plan,
        subject=subject.strip(),
        target=target.strip(),
        scheduled=plan is not None,
    )
    with audited("complaints.inspection.create", inspection):
        inspection.save()
    return inspection


@service
def decide(
    *,
    inspection: Inspection,
    decision_number: str,
    decision_date: datetime.date,
    duration_days: int,
    team_leader: User,
    members: Sequence[User],
    by: User,
) -> Inspection:
    """Issue the inspection decision with its team (quyết định thanh tra, đoàn thanh tra)."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require_leader(by, inspection.agency)
    if inspection.status != Inspection.Status.PLANNED:
        raise WrongState(_("Cuộc thanh tra đã có quyết định."))
    errors: dict[str, str] = {}
    if not decision_number.strip():
        errors["decision_number"] = _("Hãy nhập số quyết định.")
    if duration_days < 1:
        errors["duration_days"] = _("Thời hạn thanh tra phải từ 1 ngày.")
    if not team_leader.is_official:
        errors["team_leader"] = _("Trưởng đoàn phải là cán bộ, công chức.")
    if any(not member.is_official for member in members):
        errors["members"] = _("Thành viên đoàn phải là cán bộ, công chức.")
    if errors:
        raise ValidationError(errors)
    with audited("complaints.inspection.decide", inspection):
        inspection.decision_number = decision_number.strip()
        inspection.decision_date = decision_date
        inspection.duration_days = duration_days
        inspection.team_leader = team_leader
        inspection.status = Inspection.Status.DECIDED
        inspection.save()
        inspection.team.set([team_leader, *members])
    return inspection


@dataclass(frozen=True)
class RecommendationSpec:
    """A recommendation of a conclusion."""

    text: str
    responsible: str
    due_date: datetime.date | None = None
    amount_recovered: int = 0


@service
def conclude(
    *,
    inspection: Inspection,
    conclusion: str,
    number: str,
    recommendations: Sequence[RecommendationSpec],
    by: User,
    concluded_on: datetime.date | None = None,
) -> Inspection:
    """Issue the inspection conclusion (kết luận thanh tra) with its recommendations."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require_leader(by, inspection.agency)
    if inspection.status != Inspection.Status.DECIDED:
        raise WrongState(_("Chỉ kết luận được cuộc thanh tra đã có quyết định, chưa kết luận."))
    errors: dict[str, str] = {}
    if not conclusion.strip():
        errors["conclusion"] = _("Hãy nhập nội dung kết luận.")
    if not number.strip():
        errors["number"] = _("Hãy nhập số kết luận.")
    for spec in recommendations:
        if not spec.text.strip() or not spec.responsible.strip():
            errors["recommendations"] = _("Mỗi kiến nghị cần nội dung và đơn vị thực hiện.")
        if spec.amount_recovered < 0:
            errors["recommendations"] = _("Số tiền không được âm.")
    if errors:
        raise ValidationError(errors)
    with audited("complaints.inspection.conclude", inspection):
        inspection.conclusion = conclusion.strip()
        inspection.conclusion_number = number.strip()
        inspection.concluded_on = concluded_on or timezone.localdate()
        inspection.status = (
            Inspection.Status.CONCLUDED if recommendations else Inspection.Status.CLOSED
        )
        inspection.save()
    for spec in recommendations:
        item = Recommendation(
            inspection=inspection,
            text=spec.text.strip(),
            responsible=spec.responsible.strip(),
            due_date=spec.due_date,
            amount_recovered=spec.amount_recovered,
        )
        with audited("complaints.recommendation.create", item):
            item.save()
    return inspection


@service
def follow_up(
    *,
    recommendation: Recommendation,
    status: str,
    note: str,
    by: User,
    done_on: datetime.date | None = None,
) -> Recommendation:
    """Record how a recommendation is carried out; the inspection closes when all are done."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    inspection = recommendation.inspection
    _require_worker(by, inspection.agency)
    if recommendation.status == Recommendation.Status.DONE:
        raise WrongState(_("Kiến nghị này đã thực hiện xong."))
    if status not in Recommendation.Status.values:
        raise ValidationError({"status": _("Tình trạng không hợp lệ.")})
    if not note.strip():
        raise ValidationError({"note": _("Hãy ghi kết quả theo dõi, đôn đốc.")})
    with audited("complaints.recommendation.follow_up", recommendation):
        stamp = timezone.localdate().strftime("%d/%m/%Y")
        recommendation.follow_up = (
            recommendation.follow_up + f"\n[{stamp}] {note.strip()}"
        ).strip()
        recommendation.status = status
        if status == Recommendation.Status.DONE:
            recommendation.done_on = done_on or timezone.localdate()
        recommendation.save()
    open_left = inspection.recommendations.exclude(status=Recommendation.Status.DONE).exists()
    if not open_left and inspection.status == Inspection.Status.CONCLUDED:
        with audited("complaints.inspection.close", inspection):
            inspection.status = Inspection.Status.CLOSED
            inspection.save(update_fields=["status"])
    return recommendation
