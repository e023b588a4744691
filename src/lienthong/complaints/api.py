"""Complaints API under /api/complaints/.

    GET  /cases                    the cases the caller may see (filer masked where required)
    POST /cases                    file a case (a citizen online; an official: reception/post)
    GET  /cases/{code}             one case, its history and extensions
    POST /cases/{code}/accept      thụ lý (complexity, remote)
    POST /cases/{code}/refuse      không thụ lý, with the reason
    POST /cases/{code}/forward     to the competent agency (by its code), with the reason
    POST /cases/{code}/assign      the verifier (user id)
    POST /cases/{code}/extend      written extension of a denunciation
    POST /cases/{code}/report      the verifier's report
    POST /cases/{code}/conclude    the conclusion or decision
    GET  /stats                    statistics of a period by kind, field, agency or outcome
    GET  /receptions, POST /receptions   the citizen reception register
    GET  /inspections              inspections with their recommendations
    GET  /inspections/{id}         one inspection, its team and recommendations
    GET  /inspection-plans, POST /inspection-plans   the annual plans (one per agency and year)
    POST /inspections              add an inspection (to a year's plan, or unscheduled)
    POST /inspections/{id}/decide  the inspection decision and its team (leader)
    POST /inspections/{id}/conclude   the conclusion with its recommendations (leader)
    POST /inspections/{id}/recommendations/{rid}/follow-up   follow a recommendation up
    GET  /lookup/{code}            public: status, public notes, outcome (no login)

Errors: 422 with field errors, 409 when the case's state does not allow the action, 403 when
the caller may see the case but not do this, 404 for what the caller may not see, 401 when not
logged in. The denouncer's identity is masked ("***") for every caller `identity_visible_to`
does not name.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field

from lienthong.accounts.models import User
from lienthong.complaints import inspections as inspection_services
from lienthong.complaints import selectors, services
from lienthong.complaints.models import (
    Channel,
    Complaint,
    Complexity,
    Inspection,
    InspectionPlan,
    Reception,
    Recommendation,
    Stage,
)
from lienthong.complaints.services import LeaderCheck
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.workflow.engine import WrongState

router = Router(tags=["complaints: khiếu nại, tố cáo"], auth=django_auth)


class ErrorOut(Schema):
    """An error with its Vietnamese explanation."""

    detail: str


class FieldErrorsOut(Schema):
    """Bad input: a summary and the messages per field."""

    detail: str
    errors: dict[str, list[str]]


class FilerOut(Schema):
    """Who filed (masked with *** where the caller may not see a denouncer)."""

    name: str
    personal_id: str
    address: str
    phone: str
    email: str


class HistoryOut(Schema):
    """One step of the history."""

    at: datetime.datetime
    action: str
    status: str
    public_note: str
    internal_note: str | None


class ExtensionOut(Schema):
    """One written extension."""

    number: int
    days: int
    notice_number: str
    previous_due_date: datetime.date
    new_due_date: datetime.date
    article: str


class CaseOut(Schema):
    """A case as the caller may see it."""

    code: str
    kind: str
    stage: str
    agency: str
    agency_name: str
    field: str
    channel: str
    status: str
    status_label: str
    subject: str
    filer: FilerOut
    identity_masked: bool
    received_at: datetime.datetime
    accept_due_date: datetime.date | None
    due_date: datetime.date | None
    rule_article: str
    complexity: str
    handler: int | None
    outcome: str
    conclusion: str
    conclusion_number: str
    actions: list[str]


class CaseDetailOut(CaseOut):
    """A case with its content, history and extensions."""

    content: str
    respondent: str
    history: list[HistoryOut]
    extensions: list[ExtensionOut]


class FileIn(Schema):
    """A new case."""

    kind: str = Field(description="complaint | denunciation | petition")
    stage: str = Field(Stage.FIRST, description="first | second | disciplinary (khiếu nại)")
    agency: str = Field(description="Mã định danh cơ quan giải quyết")
    field: str = Field(description="land, construction, finance, …")
    channel: str = Field(Channel.ONLINE, description="online (công dân) | reception | post")
    filer_name: str = Field("", max_length=150)
    filer_personal_id: str = Field("", max_length=12)
    filer_address: str = Field(max_length=255)
    filer_phone: str = Field("", max_length=20)
    filer_email: str = Field("", max_length=254)
    respondent: str = Field("", max_length=255)
    subject: str = Field(max_length=255)
    content: str = Field(max_length=20000)
    known_on: datetime.date | None = None
    late_reason: str = Field("", max_length=2000)
    remote: bool = False
    reception: int | None = None


class AcceptIn(Schema):
    """Acceptance."""

    complexity: str = Complexity.NORMAL
    remote: bool | None = None


class ReasonIn(Schema):
    """A reason."""

    reason: str = Field(max_length=2000)


class ForwardIn(ReasonIn):
    """The competent agency."""

    agency: str


class AssignIn(Schema):
    """The verifier."""

    handler: int
    note: str = Field("", max_length=2000)


class ExtendIn(Schema):
    """A written extension."""

    complexity: str
    notice_number: str = Field(max_length=60)
    reason: str = Field(max_length=2000)
    days: int | None = Field(None, ge=1, le=366)


class ReportIn(Schema):
    """The verification report."""

    text: str = Field(max_length=20000)


class ConcludeIn(Schema):
    """The conclusion or decision."""

    outcome: str
    conclusion: str = Field(max_length=20000)
    number: str = Field(max_length=60)


class ReceptionIn(Schema):
    """A row of the reception register."""

    agency: str
    person_name: str = Field(max_length=150)
    person_personal_id: str = Field("", max_length=12)
    address: str = Field(max_length=255)
    people_count: int = Field(1, ge=1, le=10000)
    content: str = Field(max_length=20000)
    earlier_handling: str = Field("", max_length=5000)
    requests: str = Field("", max_length=5000)
    result: str = Field("", max_length=5000)


class ReceptionOut(Schema):
    """A row of the reception register (the person masked where a denouncer is hidden)."""

    id: int
    agency: str
    received_at: datetime.datetime
    person_name: str
    address: str
    people_count: int
    content: str
    result: str
    cases: list[str]


class StatsRowOut(Schema):
    """One line of statistics."""

    label: str
    counts: dict[str, int]


class StatsOut(Schema):
    """Statistics of a period."""

    start: datetime.date
    end: datetime.date
    by: str
    rows: list[StatsRowOut]
    total: dict[str, int]


class RecommendationOut(Schema):
    """A recommendation and its follow-up."""

    id: int
    text: str
    responsible: str
    due_date: datetime.date | None
    amount_recovered: int
    status: str
    follow_up: str
    done_on: datetime.date | None


class InspectionOut(Schema):
    """An inspection."""

    id: int
    agency: str
    plan_year: int | None
    scheduled: bool
    subject: str
    target: str
    status: str
    status_label: str
    decision_number: str
    decision_date: datetime.date | None
    duration_days: int | None
    team_leader: int | None
    team: list[int]
    conclusion: str
    conclusion_number: str
    concluded_on: datetime.date | None
    recommendations: list[RecommendationOut]


class PlanIn(Schema):
    """An annual inspection plan."""

    agency: str = Field(description="Mã định danh cơ quan thanh tra")
    year: int
    title: str = Field(max_length=255)
    approved_on: datetime.date | None = None
    decision_number: str = Field("", max_length=60)


class PlanOut(Schema):
    """An annual inspection plan."""

    id: int
    agency: str
    year: int
    title: str
    approved_on: datetime.date | None
    decision_number: str


class InspectionIn(Schema):
    """A new inspection: in the agency's plan of `plan_year`, or unscheduled without it."""

    agency: str = Field(description="Mã định danh cơ quan thanh tra")
    subject: str = Field(max_length=255)
    target: str = Field(max_length=255)
    plan_year: int | None = Field(None, description="năm của kế hoạch; trống: đột xuất")


class DecideIn(Schema):
    """The inspection decision and its team (user ids)."""

    decision_number: str = Field(max_length=60)
    decision_date: datetime.date
    duration_days: int = Field(ge=1, le=3650)
    team_leader: int
    members: list[int] = []


class RecommendationIn(Schema):
    """A recommendation of a conclusion."""

    text: str = Field(max_length=20000)
    responsible: str = Field(max_length=255)
    due_date: datetime.date | None = None
    amount_recovered: int = Field(0, ge=0)


class InspectionConcludeIn(Schema):
    """The inspection conclusion with its recommendations (none: the inspection closes)."""

    conclusion: str = Field(max_length=20000)
    number: str = Field(max_length=60)
    concluded_on: datetime.date | None = None
    recommendations: list[RecommendationIn] = []


class FollowUpIn(Schema):
    """How a recommendation is being carried out."""

    status: str = Field(description="open | in_progress | done")
    note: str = Field(max_length=5000)
    done_on: datetime.date | None = None


class LookupOut(Schema):
    """What anyone with the code sees."""

    code: str
    kind: str
    agency: str
    status: str
    status_label: str
    due_date: datetime.date | None
    outcome: str
    conclusion: str
    history: list[dict[str, Any]]


RESPONSES: dict[int, Any] = {
    200: CaseDetailOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: FieldErrorsOut,
}


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: list(messages) for key, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


def _invalid(errors: dict[str, list[str]]) -> Any:
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _agency(code: str, field: str) -> OrgUnit:
    agency = OrgUnit.objects.filter(code=code.strip(), is_agency=True).first()
    if agency is None:
        raise ValidationError({field: _("Không có cơ quan mã %(code)s.") % {"code": code}})
    return agency


def case_out(
    complaint: Complaint, user: Any, *, detail: bool = False, leads: LeaderCheck | None = None
) -> dict[str, Any]:
    """The case as `user` may see it (`leads`: a list's shared answer to "does the user lead
    this agency", asked once per agency rather than once per case)."""
    from lienthong.complaints.views import available_actions

    official = is_official_user(user)
    leader = (leads or services.leader_check(user))(complaint.agency)
    visible = complaint.identity_visible_to(user, leader=leader)
    out: dict[str, Any] = {
        "code": complaint.code,
        "kind": complaint.kind,
        "stage": complaint.stage,
        "agency": complaint.agency.code or "",
        "agency_name": complaint.agency.name,
        "field": complaint.field,
        "channel": complaint.channel,
        "status": complaint.status,
        "status_label": complaint.get_status_display(),
        "subject": complaint.subject,
        "filer": complaint.filer_for(user, visible=visible),
        "identity_masked": not visible,
        "received_at": complaint.received_at,
        "accept_due_date": complaint.accept_due_date,
        "due_date": complaint.due_date,
        "rule_article": complaint.rule_article,
        "complexity": complaint.complexity,
        "handler": complaint.handler_id if official else None,
        "outcome": complaint.outcome,
        "conclusion": complaint.conclusion,
        "conclusion_number": complaint.conclusion_number,
        "actions": available_actions(complaint, user, leader=leader) if official else [],
    }
    if detail:
        out["content"] = complaint.content
        out["respondent"] = complaint.respondent
        out["history"] = [
            {
                "at": row.at,
                "action": row.action,
                "status": row.status,
                "public_note": row.public_note,
                "internal_note": row.internal_note if official else None,
            }
            for row in complaint.history.order_by("at", "pk")
        ]
        out["extensions"] = list(
            complaint.extensions.order_by("number").values(
                "number", "days", "notice_number", "previous_due_date", "new_due_date", "article"
            )
        )
    return out


def _visible(request: HttpRequest, code: str) -> Complaint:
    return get_visible_or_404(Complaint.objects.select_related("agency"), request.user, code=code)


def _transition(request: HttpRequest, code: str, call: Callable[[Complaint, User], object]) -> Any:
    complaint = _visible(request, code)
    user = cast(User, request.user)
    if not is_official_user(user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    try:
        call(complaint, user)
    except ValidationError as exc:
        return _invalid(_errors(exc))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không có quyền thực hiện thao tác này.")) from exc
    except WrongState as exc:
        raise HttpError(409, str(exc)) from exc
    complaint.refresh_from_db()
    return case_out(complaint, user, detail=True)


# --- Endpoints ------------------------------------------------------------------------------


@router.get("/cases", response={200: list[CaseOut], 401: ErrorOut}, summary="Danh sách đơn")
def list_cases(
    request: HttpRequest, kind: str = "", status: str = "", limit: int = 100, offset: int = 0
) -> Any:
    """The cases the caller may see, newest first."""
    cases = Complaint.objects.visible_to(request.user).select_related("agency")
    if kind:
        cases = cases.filter(kind=kind)
    if status:
        cases = cases.filter(status=status)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    leads = services.leader_check(request.user)
    return [case_out(case, request.user, leads=leads) for case in cases[offset : offset + limit]]


@router.post("/cases", response=RESPONSES, summary="Gửi, tiếp nhận đơn")
def file_case(request: HttpRequest, payload: FileIn) -> Any:
    """A citizen files online for themself; an official registers a case of their agency."""
    user = cast(User, request.user)
    try:
        agency = _agency(payload.agency, "agency")
        reception = None
        if payload.reception is not None:
            reception = Reception.objects.visible_to(user).filter(pk=payload.reception).first()
            if reception is None:
                raise ValidationError({"reception": _("Không tìm thấy lượt tiếp công dân.")})
        complaint = services.file_case(
            kind=payload.kind,
            stage=payload.stage,
            agency=agency,
            field=payload.field,
            channel=payload.channel,
            filer=services.Filer(
                name=payload.filer_name or (user.full_name if user.is_citizen else ""),
                address=payload.filer_address,
                personal_id=payload.filer_personal_id
                or ((user.personal_id or "") if user.is_citizen else ""),
                phone=payload.filer_phone,
                email=payload.filer_email,
            ),
            subject=payload.subject,
            content=payload.content,
            respondent=payload.respondent,
            known_on=payload.known_on,
            late_reason=payload.late_reason,
            remote=payload.remote,
            reception=reception,
            by=user,
        )
    except ValidationError as exc:
        return _invalid(_errors(exc))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return case_out(complaint, user, detail=True)


@router.get(
    "/cases/{code}",
    response={200: CaseDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="Chi tiết đơn",
)
def case_detail(request: HttpRequest, code: str) -> Any:
    """One case the caller may see (a citizen: their own)."""
    return case_out(_visible(request, code), request.user, detail=True)


@router.post("/cases/{code}/accept", response=RESPONSES, summary="Thụ lý")
def accept(request: HttpRequest, code: str, payload: AcceptIn) -> Any:
    """Accept the case; the resolution time limit starts."""
    return _transition(
        request,
        code,
        lambda c, u: services.accept(
            complaint=c, by=u, complexity=payload.complexity, remote=payload.remote
        ),
    )


@router.post("/cases/{code}/refuse", response=RESPONSES, summary="Không thụ lý")
def refuse(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    """Do not accept the case."""
    return _transition(
        request, code, lambda c, u: services.refuse(complaint=c, by=u, reason=payload.reason)
    )


@router.post("/cases/{code}/forward", response=RESPONSES, summary="Chuyển đơn")
def forward(request: HttpRequest, code: str, payload: ForwardIn) -> Any:
    """Send the case to the competent agency."""
    return _transition(
        request,
        code,
        lambda c, u: services.forward_to(
            complaint=c,
            to_agency=_agency(payload.agency, "agency"),
            by=u,
            reason=payload.reason,
        ),
    )


@router.post("/cases/{code}/assign", response=RESPONSES, summary="Giao xác minh")
def assign(request: HttpRequest, code: str, payload: AssignIn) -> Any:
    """Assign the verifier."""

    def call(complaint: Complaint, user: User) -> object:
        handler = User.objects.filter(pk=payload.handler, is_active=True).first()
        if handler is None:
            raise ValidationError({"handler": _("Không có cán bộ này.")})
        return services.assign(complaint=complaint, handler=handler, by=user, note=payload.note)

    return _transition(request, code, call)


@router.post("/cases/{code}/extend", response=RESPONSES, summary="Gia hạn giải quyết")
def extend(request: HttpRequest, code: str, payload: ExtendIn) -> Any:
    """Extend a denunciation's time limit by written notice."""
    return _transition(
        request,
        code,
        lambda c, u: services.extend(
            complaint=c,
            by=u,
            complexity=payload.complexity,
            notice_number=payload.notice_number,
            reason=payload.reason,
            days=payload.days,
        ),
    )


@router.post("/cases/{code}/report", response=RESPONSES, summary="Báo cáo kết quả xác minh")
def report(request: HttpRequest, code: str, payload: ReportIn) -> Any:
    """The verifier's report."""
    return _transition(
        request, code, lambda c, u: services.report(complaint=c, by=u, text=payload.text)
    )


@router.post("/cases/{code}/conclude", response=RESPONSES, summary="Kết luận, quyết định")
def conclude(request: HttpRequest, code: str, payload: ConcludeIn) -> Any:
    """Issue the conclusion or decision."""
    return _transition(
        request,
        code,
        lambda c, u: services.conclude(
            complaint=c,
            by=u,
            outcome=payload.outcome,
            conclusion=payload.conclusion,
            number=payload.number,
        ),
    )


@router.get(
    "/stats",
    response={200: StatsOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Thống kê",
)
def stats(request: HttpRequest, start: datetime.date, end: datetime.date, by: str = "kind") -> Any:
    """Counts of the visible cases received in the period, grouped by kind, field, agency or
    outcome."""
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới xem được thống kê."))
    errors: dict[str, list[str]] = {}
    if by not in selectors.GROUPS:
        errors["by"] = [_("Chọn kind, field, agency hoặc outcome.")]
    if end < start:
        errors["end"] = [_("Ngày cuối phải từ ngày đầu trở đi.")]
    if errors:
        return _invalid(errors)
    data = selectors.report(Complaint.objects.visible_to(request.user), start=start, end=end, by=by)
    return {
        "start": data.start,
        "end": data.end,
        "by": data.by,
        "rows": [{"label": row.label, "counts": row.counts} for row in data.rows],
        "total": data.total.counts,
    }


def _reception_out(row: Reception, user: Any) -> dict[str, Any]:
    person = row.person_for(user)
    return {
        "id": row.pk,
        "agency": row.agency.code or "",
        "received_at": row.received_at,
        "person_name": person["name"],
        "address": person["address"],
        "people_count": row.people_count,
        "content": row.content,
        "result": row.result,
        "cases": [case.code for case in row.cases.all()],
    }


@router.get(
    "/receptions", response={200: list[ReceptionOut], 401: ErrorOut}, summary="Sổ tiếp công dân"
)
def receptions(request: HttpRequest, limit: int = 100) -> Any:
    """The reception register of the caller's agencies."""
    rows = (
        Reception.objects.visible_to(request.user)
        .select_related("agency")
        .prefetch_related("cases")[: max(1, min(limit, 500))]
    )
    return [_reception_out(row, request.user) for row in rows]


@router.post(
    "/receptions",
    response={200: ReceptionOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Ghi sổ tiếp công dân",
)
def record_reception(request: HttpRequest, payload: ReceptionIn) -> Any:
    """Write a row of the reception register."""
    user = cast(User, request.user)
    data = payload.dict()
    try:
        agency = _agency(data.pop("agency"), "agency")
        row = services.record_reception(agency=agency, by=user, **data)
    except ValidationError as exc:
        return _invalid(_errors(exc))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _reception_out(row, user)


INSPECTION_RESPONSES: dict[int, Any] = {
    200: InspectionOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: FieldErrorsOut,
}


def inspection_rows() -> Any:
    """Inspections with what `inspection_out` reads (not yet scoped to a user)."""
    return (
        Inspection.objects.select_related("agency", "plan")
        .prefetch_related("recommendations", "team")
        .distinct()
    )


def _inspections(user: Any) -> Any:
    return inspection_rows().visible_to(user)


def _visible_inspection(request: HttpRequest, pk: int) -> Inspection:
    return get_visible_or_404(inspection_rows(), request.user, pk=pk)


def inspection_out(row: Inspection) -> dict[str, Any]:
    """An inspection with its team (user ids) and recommendations."""
    return {
        "id": row.pk,
        "agency": row.agency.code or "",
        "plan_year": row.plan.year if row.plan is not None else None,
        "scheduled": row.scheduled,
        "subject": row.subject,
        "target": row.target,
        "status": row.status,
        "status_label": row.get_status_display(),
        "decision_number": row.decision_number,
        "decision_date": row.decision_date,
        "duration_days": row.duration_days,
        "team_leader": row.team_leader_id,
        "team": sorted(member.pk for member in row.team.all()),
        "conclusion": row.conclusion,
        "conclusion_number": row.conclusion_number,
        "concluded_on": row.concluded_on,
        "recommendations": [
            {
                "id": item.pk,
                "text": item.text,
                "responsible": item.responsible,
                "due_date": item.due_date,
                "amount_recovered": item.amount_recovered,
                "status": item.status,
                "follow_up": item.follow_up,
                "done_on": item.done_on,
            }
            for item in sorted(row.recommendations.all(), key=lambda item: item.pk)
        ],
    }


def _plan_out(plan: InspectionPlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "agency": plan.agency.code or "",
        "year": plan.year,
        "title": plan.title,
        "approved_on": plan.approved_on,
        "decision_number": plan.decision_number,
    }


def _official(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not is_official_user(user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    return user


def _inspection_write(request: HttpRequest, call: Callable[[User], Inspection]) -> Any:
    """Run a write of the inspections service; its errors as 422 / 403 / 409."""
    user = _official(request)
    try:
        inspection = call(user)
    except ValidationError as exc:
        return _invalid(_errors(exc))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không có quyền thực hiện thao tác này.")) from exc
    except WrongState as exc:
        raise HttpError(409, str(exc)) from exc
    return inspection_out(inspection_rows().get(pk=inspection.pk))


def _officials(ids: list[int], field: str) -> list[User]:
    found = {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {field: _("Không có cán bộ mã %(ids)s.") % {"ids": ", ".join(missing)}}
        )
    return [found[pk] for pk in ids]


@router.get("/inspections", response={200: list[InspectionOut], 401: ErrorOut}, summary="Thanh tra")
def inspections(request: HttpRequest, status: str = "", limit: int = 100) -> Any:
    """Inspections of the caller's agencies (and those whose team they are on), newest first,
    with their recommendations."""
    rows = _inspections(request.user)
    if status:
        rows = rows.filter(status=status)
    return [inspection_out(row) for row in rows[: max(1, min(limit, 500))]]


@router.get(
    "/inspections/{inspection_id}",
    response={200: InspectionOut, 401: ErrorOut, 404: ErrorOut},
    summary="Chi tiết cuộc thanh tra",
)
def inspection_detail(request: HttpRequest, inspection_id: int) -> Any:
    """One inspection the caller may see."""
    return inspection_out(_visible_inspection(request, inspection_id))


@router.get(
    "/inspection-plans",
    response={200: list[PlanOut], 401: ErrorOut},
    summary="Kế hoạch thanh tra",
)
def plans(request: HttpRequest, year: int | None = None) -> Any:
    """The annual plans of the caller's agencies."""
    rows = InspectionPlan.objects.visible_to(request.user).select_related("agency")
    if year is not None:
        rows = rows.filter(year=year)
    return [_plan_out(plan) for plan in rows[:500]]


@router.post(
    "/inspection-plans",
    response={200: PlanOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Thêm kế hoạch thanh tra năm",
)
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    """Write the agency's inspection plan for a year (one a year)."""
    user = _official(request)
    try:
        plan = inspection_services.create_plan(
            agency=_agency(payload.agency, "agency"),
            year=payload.year,
            title=payload.title,
            approved_on=payload.approved_on,
            decision_number=payload.decision_number,
            by=user,
        )
    except ValidationError as exc:
        return _invalid(_errors(exc))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _plan_out(plan)


@router.post("/inspections", response=INSPECTION_RESPONSES, summary="Thêm cuộc thanh tra")
def create_inspection(request: HttpRequest, payload: InspectionIn) -> Any:
    """Add an inspection to the agency's plan of `plan_year`, or unscheduled without it."""

    def call(user: User) -> Inspection:
        agency = _agency(payload.agency, "agency")
        plan = None
        if payload.plan_year is not None:
            plan = InspectionPlan.objects.filter(agency=agency, year=payload.plan_year).first()
            if plan is None:
                raise ValidationError({"plan_year": _("Chưa có kế hoạch năm này.")})
        return inspection_services.create_inspection(
            agency=agency, subject=payload.subject, target=payload.target, plan=plan, by=user
        )

    return _inspection_write(request, call)


@router.post(
    "/inspections/{inspection_id}/decide",
    response=INSPECTION_RESPONSES,
    summary="Quyết định thanh tra, đoàn thanh tra",
)
def decide(request: HttpRequest, inspection_id: int, payload: DecideIn) -> Any:
    """Issue the inspection decision with its team."""
    inspection = _visible_inspection(request, inspection_id)

    def call(user: User) -> Inspection:
        leader = _officials([payload.team_leader], "team_leader")[0]
        members = _officials([pk for pk in payload.members if pk != leader.pk], "members")
        return inspection_services.decide(
            inspection=inspection,
            decision_number=payload.decision_number,
            decision_date=payload.decision_date,
            duration_days=payload.duration_days,
            team_leader=leader,
            members=members,
            by=user,
        )

    return _inspection_write(request, call)


@router.post(
    "/inspections/{inspection_id}/conclude",
    response=INSPECTION_RESPONSES,
    summary="Kết luận thanh tra",
)
def conclude_inspection(
    request: HttpRequest, inspection_id: int, payload: InspectionConcludeIn
) -> Any:
    """Issue the conclusion with its recommendations (none: the inspection closes)."""
    inspection = _visible_inspection(request, inspection_id)
    return _inspection_write(
        request,
        lambda user: inspection_services.conclude(
            inspection=inspection,
            conclusion=payload.conclusion,
            number=payload.number,
            concluded_on=payload.concluded_on,
            recommendations=[
                inspection_services.RecommendationSpec(
                    text=item.text,
                    responsible=item.responsible,
                    due_date=item.due_date,
                    amount_recovered=item.amount_recovered,
                )
                for item in payload.recommendations
            ],
            by=user,
        ),
    )


@router.post(
    "/inspections/{inspection_id}/recommendations/{recommendation_id}/follow-up",
    response=INSPECTION_RESPONSES,
    summary="Theo dõi, đôn đốc thực hiện kiến nghị",
)
def follow_up(
    request: HttpRequest, inspection_id: int, recommendation_id: int, payload: FollowUpIn
) -> Any:
    """Record how a recommendation is carried out; the inspection closes when all are done."""
    inspection = _visible_inspection(request, inspection_id)
    recommendation = Recommendation.objects.filter(
        inspection=inspection, pk=recommendation_id
    ).first()
    if recommendation is None:
        raise Http404

    def call(user: User) -> Inspection:
        inspection_services.follow_up(
            recommendation=recommendation,
            status=payload.status,
            note=payload.note,
            done_on=payload.done_on,
            by=user,
        )
        return inspection

    return _inspection_write(request, call)


@router.get(
    "/lookup/{code}", response={200: LookupOut, 404: ErrorOut}, auth=None, summary="Tra cứu đơn"
)
def lookup(request: HttpRequest, code: str) -> Any:
    """Public lookup by code: status, public notes, outcome; no identity, no content."""
    found = selectors.public_lookup(code)
    if found is None:
        raise Http404
    return {**found, "history": [{**row, "at": row["at"].isoformat()} for row in found["history"]]}
