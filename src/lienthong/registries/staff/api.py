"""The staff registry's API, under /api/registries/staff/.

- `members/`: the shared registry endpoints (`registries.base.api.build_router`): paged list
  with filters `unit` (org unit and the units below it), `category`, `rank`, `status`,
  `due_days` (regular raise due within N days) and folded search `q`; one member (with
  `purpose`, logged); create, PATCH, soft delete, restore, history, import, export.
- `members/{id}/file`: the career records (salary history, appointments, qualifications,
  training, rewards, discipline); a read of personal data, so `purpose` is required and logged.
- `members/{id}/salary-changes` (POST: a salary decision), `members/{id}/regular-raise`
  (POST: the raise the decree computes), `members/{id}/appointments` (POST), and
  `appointments/{id}/end` (POST); `members/{id}/{qualifications|training|rewards|disciplines}`
  (POST) and `.../{record_id}` (DELETE).
- `due-for-raise`: who is due for a regular raise within `days`, soonest first.
- `teachers`: the teachers' sector, filters `school`, `level`, `title`, `subject`, `q`.
- `ranks`, `scales`: the reference tables (any official).

Permissions are the shared ones: reading needs a grant of the registry or the registry-
official role (403 otherwise), and only rows of the caller's scope are found (404 otherwise);
writing needs the owner agency's registry official. Bad input is 422 with field errors.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.registries.base import access
from lienthong.registries.base import registry as registries
from lienthong.registries.base import services as base
from lienthong.registries.base.api import ErrorOut, FieldErrorsOut, build_router, iso
from lienthong.registries.base.models import DataAccess
from lienthong.registries.base.views import count_capped
from lienthong.registries.staff import selectors, services
from lienthong.registries.staff.choices import (
    Category,
    DegreeLevel,
    DisciplineForm,
    EmploymentStatus,
    QualificationKind,
    RewardForm,
    SalaryChangeReason,
    SchoolLevel,
    Sex,
)
from lienthong.registries.staff.models import (
    Appointment,
    CareerRecord,
    Discipline,
    Position,
    Qualification,
    Rank,
    Reward,
    SalaryScale,
    School,
    StaffMember,
    TrainingCourse,
)
from lienthong.registries.staff.registry import STAFF

MAX_LIMIT = 100


def _choices_pattern(values: list[str]) -> str:
    return "^(" + "|".join(values) + ")$"


def member_out(member: StaffMember) -> dict[str, Any]:
    """The JSON of a member: personal and sector data, placement, next raise."""
    rank = member.rank
    coefficient = member.coefficient
    return {
        "id": member.pk,
        "personal_id": member.personal_id,
        "full_name": member.full_name,
        "birth_date": iso(member.birth_date),
        "sex": member.sex,
        "org_unit": member.org_unit_id,
        "org_unit_name": member.org_unit.name,
        "owner": member.owner_id,
        "unit_label": member.unit_label,
        "category": member.category,
        "status": member.status,
        "joined_on": iso(member.joined_on),
        "phone": member.phone,
        "email": member.email,
        "position": member.position.code if member.position_id and member.position else None,
        "position_since": iso(member.position_since),
        "rank": rank.code if rank is not None else None,
        "rank_name": rank.name if rank is not None else None,
        "scale": rank.scale.code if rank is not None else None,
        "salary_step": member.salary_step,
        "coefficient": str(coefficient) if coefficient is not None else None,
        "over_scale_percent": member.over_scale_percent,
        "last_raise_date": iso(member.last_raise_date),
        "next_raise_due": iso(member.next_raise_due),
        "school": member.school_id,
        "school_level": member.school_level or None,
        "subjects": member.subjects,
        "created_at": member.created_at.isoformat(),
        "updated_at": member.updated_at.isoformat(),
    }


class MemberPatch(Schema):
    """Fields of a member to change (only those given). The placement and the post change
    through `salary-changes` and `appointments`, which keep their history."""

    personal_id: str | None = Field(None, max_length=12)
    full_name: str | None = Field(None, min_length=1, max_length=150)
    birth_date: datetime.date | None = None
    sex: str | None = Field(None, pattern=_choices_pattern(Sex.values))
    org_unit: int | None = None
    category: str | None = Field(None, pattern=_choices_pattern(Category.values))
    status: str | None = Field(None, pattern=_choices_pattern(EmploymentStatus.values))
    joined_on: datetime.date | None = None
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    school: int | None = None
    school_level: str | None = Field(None, pattern="^(|" + "|".join(SchoolLevel.values) + ")$")
    subjects: str | None = Field(None, max_length=200)


class MemberIn(MemberPatch):
    """A new member: ID, name, birth date, sex, unit and category are required."""

    personal_id: str = Field(max_length=12)
    full_name: str = Field(min_length=1, max_length=150)
    birth_date: datetime.date
    sex: str = Field(pattern=_choices_pattern(Sex.values))
    org_unit: int
    category: str = Field(pattern=_choices_pattern(Category.values))


def _apply(member: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    """Copy input onto a member: the unit sets the owner agency; unknown ids are errors."""
    errors: dict[str, list[str]] = {}
    if "org_unit" in data:
        unit = OrgUnit.objects.filter(pk=data.pop("org_unit")).first()
        if unit is None:
            errors["org_unit"] = [_("Không có đơn vị này.")]
        else:
            member.org_unit = unit
            try:
                member.owner = services.owner_of(unit)
            except ValidationError as exc:
                errors["org_unit"] = exc.messages
    if "school" in data:
        school_id = data.pop("school")
        school = School.objects.filter(pk=school_id).first() if school_id else None
        if school_id and school is None:
            errors["school"] = [_("Không có trường này.")]
        member.school = school
    for name, value in data.items():
        # null clears a nullable date; for other fields it means "not given" (the create
        # schema sends every field), so defaults such as `status` stay.
        if value is None and name != "joined_on":
            continue
        setattr(member, name, value)
    return errors


router = Router(tags=["registries: staff"], auth=django_auth)
router.add_router(
    "/members/",
    build_router(
        registries.get(STAFF),
        out=member_out,
        create_schema=MemberIn,
        update_schema=MemberPatch,
        apply=_apply,
        tags=["registries: staff"],
    ),
)


# --- Helpers ----------------------------------------------------------------------------------


def _unprocessable(errors: dict[str, list[str]]) -> Status[dict[str, Any]]:
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


def _reader(request: HttpRequest) -> Any:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    if not access.can_read(request.user, STAFF):
        raise HttpError(403, _("Cơ quan của bạn chưa được cấp quyền khai thác cơ sở dữ liệu này."))
    return request.user


def _editable(request: HttpRequest, member_id: int) -> StaffMember:
    """A member the caller edits: 403 for non-editors, 404 outside their agencies."""
    user = request.user
    if not is_official_user(user) or not base.owner_agencies(user).exists():
        raise HttpError(403, _("Chỉ cán bộ quản lý cơ sở dữ liệu mới được sửa dữ liệu."))
    member: StaffMember = get_object_or_404(
        StaffMember.objects.editable_by(user).select_related("rank__scale", "org_unit"),
        pk=member_id,
    )
    return member


def _write(call: Any) -> Any:
    try:
        return call()
    except ValidationError as exc:
        return _unprocessable(_errors_of(exc))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không có quyền.")) from exc


def _page_args(limit: int, offset: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = [_("limit phải từ 1 đến %(max)d.") % {"max": MAX_LIMIT}]
    if not 0 <= offset <= 1_000_000:
        errors["offset"] = [_("offset phải từ 0 đến 1.000.000.")]
    return errors


# --- A member's file --------------------------------------------------------------------------


class SalaryChangeOut(Schema):
    id: int
    rank: str
    step: int
    coefficient: str
    over_scale_percent: int
    effective_date: datetime.date
    reason: str
    decision_number: str
    decision_date: datetime.date | None


class AppointmentOut(Schema):
    id: int
    position: str
    position_name: str
    org_unit: int
    decision_number: str
    decision_date: datetime.date
    effective_date: datetime.date
    term_years: int
    term_ends: datetime.date
    ended_on: datetime.date | None


class FileOut(Schema):
    """A member's career records, newest first."""

    salary: list[SalaryChangeOut]
    appointments: list[AppointmentOut]
    qualifications: list[dict[str, Any]]
    training: list[dict[str, Any]]
    rewards: list[dict[str, Any]]
    disciplines: list[dict[str, Any]]


def _salary_out(change: Any) -> dict[str, Any]:
    return {
        "id": change.pk,
        "rank": change.rank.code,
        "step": change.step,
        "coefficient": str(change.coefficient),
        "over_scale_percent": change.over_scale_percent,
        "effective_date": change.effective_date,
        "reason": change.reason,
        "decision_number": change.decision_number,
        "decision_date": change.decision_date,
    }


def _appointment_out(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "position": a.position.code,
        "position_name": a.position.name,
        "org_unit": a.org_unit_id,
        "decision_number": a.decision_number,
        "decision_date": a.decision_date,
        "effective_date": a.effective_date,
        "term_years": a.term_years,
        "term_ends": a.term_ends,
        "ended_on": a.ended_on,
    }


def _row_out(record: CareerRecord, fields: tuple[str, ...]) -> dict[str, Any]:
    return {"id": record.pk, **{name: getattr(record, name) for name in fields}}


_CAREER_API: dict[str, tuple[type[CareerRecord], tuple[str, ...]]] = {
    "qualifications": (Qualification, ("kind", "level", "major", "institution", "year")),
    "training": (TrainingCourse, ("name", "institution", "start_date", "end_date", "certificate")),
    "rewards": (Reward, ("form", "content", "decision_number", "decision_date", "issuer")),
    "disciplines": (Discipline, ("form", "reason", "decision_number", "decision_date", "issuer")),
}


@router.get(
    "/members/{int:member_id}/file",
    response={200: FileOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="Quá trình công tác của một cán bộ",
    description="Bắt buộc `purpose` (mục đích khai thác); lượt đọc được ghi nhật ký.",
)
def member_file(request: HttpRequest, member_id: int, purpose: str = "") -> Any:
    user = _reader(request)
    member: StaffMember = get_visible_or_404(StaffMember.objects, user, pk=member_id)
    purpose = " ".join(purpose.split())
    if len(purpose) < 5:
        return _unprocessable(
            {"purpose": [_("Hãy cho biết mục đích khai thác dữ liệu (ít nhất 5 ký tự).")]}
        )
    access.log_read(
        registry=STAFF,
        object_id=member.pk,
        subject_key=member.personal_id,
        subject_repr=str(member),
        by=user,
        purpose=purpose,
        channel=DataAccess.Channel.API,
    )
    file = selectors.member_file(member)
    return {
        "salary": [_salary_out(c) for c in file.salary],
        "appointments": [_appointment_out(a) for a in file.appointments],
        **{
            key: [_row_out(r, fields) for r in getattr(file, key)]
            for key, (_model, fields) in _CAREER_API.items()
        },
    }


# --- Decisions --------------------------------------------------------------------------------


class SalaryChangeIn(Schema):
    """A salary decision: the member is on `rank` step `step` from `effective_date`."""

    rank: str = Field(max_length=20, description="Mã ngạch, chức danh (01.003, V.07.03.29…)")
    step: int = Field(ge=1, le=20)
    over_scale_percent: int = Field(0, ge=0, le=100)
    effective_date: datetime.date
    reason: str = Field(pattern=_choices_pattern(SalaryChangeReason.values))
    decision_number: str = Field("", max_length=50)
    decision_date: datetime.date | None = None


@router.post(
    "/members/{int:member_id}/salary-changes",
    response={
        201: SalaryChangeOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Quyết định lương (xếp lương, nâng ngạch, chuyển ngạch, điều chỉnh)",
)
def add_salary_change(request: HttpRequest, member_id: int, payload: SalaryChangeIn) -> Any:
    member = _editable(request, member_id)
    rank = Rank.objects.select_related("scale").filter(code=payload.rank).first()
    if rank is None:
        return _unprocessable(
            {"rank": [_("Không có ngạch, chức danh mã “%(code)s”.") % {"code": payload.rank}]}
        )
    result = _write(
        lambda: services.change_salary(
            member,
            rank=rank,
            step=payload.step,
            over_scale_percent=payload.over_scale_percent,
            effective_date=payload.effective_date,
            reason=payload.reason,
            decision_number=payload.decision_number,
            decision_date=payload.decision_date,
            by=request.user,
        )
    )
    return result if isinstance(result, Status) else Status(201, _salary_out(result))


class RegularRaiseIn(Schema):
    decision_number: str = Field(min_length=1, max_length=50)
    decision_date: datetime.date | None = None
    effective_date: datetime.date | None = Field(None, description="Mặc định: ngày đến hạn")


@router.post(
    "/members/{int:member_id}/regular-raise",
    response={
        201: SalaryChangeOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Nâng lương thường xuyên theo quy định (một bậc, hoặc vượt khung)",
)
def regular_raise(request: HttpRequest, member_id: int, payload: RegularRaiseIn) -> Any:
    member = _editable(request, member_id)
    result = _write(
        lambda: services.apply_regular_raise(
            member,
            decision_number=payload.decision_number,
            decision_date=payload.decision_date,
            effective_date=payload.effective_date,
            by=request.user,
        )
    )
    return result if isinstance(result, Status) else Status(201, _salary_out(result))


class AppointmentIn(Schema):
    position: str = Field(max_length=40, description="Mã chức vụ (truong-phong, hieu-truong…)")
    decision_number: str = Field(min_length=1, max_length=50)
    decision_date: datetime.date
    effective_date: datetime.date
    term_years: int = Field(5, ge=1, le=5)


@router.post(
    "/members/{int:member_id}/appointments",
    response={
        201: AppointmentOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Bổ nhiệm chức vụ",
)
def appoint(request: HttpRequest, member_id: int, payload: AppointmentIn) -> Any:
    member = _editable(request, member_id)
    position = Position.objects.filter(code=payload.position, is_active=True).first()
    if position is None:
        return _unprocessable(
            {"position": [_("Không có chức vụ “%(code)s”.") % {"code": payload.position}]}
        )
    result = _write(
        lambda: services.appoint(
            member,
            position=position,
            decision_number=payload.decision_number,
            decision_date=payload.decision_date,
            effective_date=payload.effective_date,
            term_years=payload.term_years,
            by=request.user,
        )
    )
    return result if isinstance(result, Status) else Status(201, _appointment_out(result))


class EndAppointmentIn(Schema):
    ended_on: datetime.date


@router.post(
    "/appointments/{int:appointment_id}/end",
    response={
        200: AppointmentOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Thôi giữ chức vụ",
)
def end_appointment(request: HttpRequest, appointment_id: int, payload: EndAppointmentIn) -> Any:
    appointment = get_object_or_404(
        Appointment.objects.select_related("position"), pk=appointment_id
    )
    _editable(request, appointment.member_id)
    result = _write(
        lambda: services.end_appointment(appointment, ended_on=payload.ended_on, by=request.user)
    )
    return result if isinstance(result, Status) else _appointment_out(result)


class QualificationIn(Schema):
    kind: str = Field(pattern=_choices_pattern(QualificationKind.values))
    level: str = Field(pattern=_choices_pattern(DegreeLevel.values))
    major: str = Field("", max_length=150)
    institution: str = Field("", max_length=200)
    year: int = Field(ge=1950, le=2100)


class TrainingIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    institution: str = Field("", max_length=200)
    start_date: datetime.date
    end_date: datetime.date | None = None
    certificate: str = Field("", max_length=150)


class RewardIn(Schema):
    form: str = Field(pattern=_choices_pattern(RewardForm.values))
    content: str = Field("", max_length=300)
    decision_number: str = Field(min_length=1, max_length=50)
    decision_date: datetime.date
    issuer: str = Field("", max_length=200)


class DisciplineIn(Schema):
    form: str = Field(pattern=_choices_pattern(DisciplineForm.values))
    reason: str = Field("", max_length=300)
    decision_number: str = Field(min_length=1, max_length=50)
    decision_date: datetime.date
    issuer: str = Field("", max_length=200)


def _career_endpoint(key: str, schema: type[Schema], summary: str) -> None:
    model, fields = _CAREER_API[key]

    @router.post(
        f"/members/{{int:member_id}}/{key}",
        response={
            201: dict[str, Any],
            401: ErrorOut,
            403: ErrorOut,
            404: ErrorOut,
            422: FieldErrorsOut,
        },
        summary=summary,
        operation_id=f"staff_add_{key}",
    )
    def add(request: HttpRequest, member_id: int, payload: schema) -> Any:  # type: ignore[valid-type]
        member = _editable(request, member_id)
        record = model(**payload.dict())  # type: ignore[attr-defined]
        result = _write(lambda: services.add_career_record(member, record, by=request.user))
        return result if isinstance(result, Status) else Status(201, _row_out(result, fields))

    @router.delete(
        f"/members/{{int:member_id}}/{key}/{{int:record_id}}",
        response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary=summary + " — xoá dòng nhập nhầm",
        operation_id=f"staff_delete_{key}",
    )
    def delete(request: HttpRequest, member_id: int, record_id: int) -> Any:
        member = _editable(request, member_id)
        record = get_object_or_404(model, pk=record_id, member=member)
        _write(lambda: services.delete_career_record(record, by=request.user))
        return Status(204, None)


_career_endpoint("qualifications", QualificationIn, "Thêm trình độ đào tạo")
_career_endpoint("training", TrainingIn, "Thêm khóa đào tạo, bồi dưỡng")
_career_endpoint("rewards", RewardIn, "Thêm khen thưởng")
_career_endpoint("disciplines", DisciplineIn, "Thêm kỷ luật")


# --- Lists ------------------------------------------------------------------------------------


class DueOut(Schema):
    member: int
    full_name: str
    org_unit_name: str
    rank: str
    salary_step: int
    coefficient: str | None
    to_step: int
    to_coefficient: str | None
    to_over_scale_percent: int
    due: datetime.date
    overdue: bool


class DuePageOut(Schema):
    count: int
    count_capped: bool
    limit: int
    offset: int
    items: list[DueOut]


@router.get(
    "/due-for-raise",
    response={200: DuePageOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Danh sách đến hạn nâng lương thường xuyên",
    description=(
        "Người đến hạn trong `days` ngày tới (kể cả đã quá hạn), sớm nhất trước; `unit` lọc "
        "theo đơn vị và cấp dưới."
    ),
)
def due_for_raise(
    request: HttpRequest, days: int = 90, unit: int | None = None, limit: int = 20, offset: int = 0
) -> Any:
    user = _reader(request)
    errors = _page_args(limit, offset)
    if not 0 <= days <= 3660:
        errors["days"] = [_("Số ngày phải là số nguyên từ 0 đến 3660.")]
    qs = StaffMember.objects.visible_to(user)
    if unit is not None:
        unit_row = OrgUnit.objects.filter(pk=unit).first()
        if unit_row is None:
            errors["unit"] = [_("Không có đơn vị này.")]
        else:
            qs = qs.within(unit_row)
    if errors:
        return _unprocessable(errors)
    today = timezone.localdate()
    qs = selectors.due_for_raise(qs, on=today, days=days)
    count, capped = count_capped(qs)
    items = []
    for member in qs[offset : offset + limit]:
        line = selectors.due_raise_of(member, today)
        if line is None or member.rank is None:
            continue
        items.append(
            {
                "member": member.pk,
                "full_name": member.full_name,
                "org_unit_name": member.unit_label,
                "rank": member.rank.code,
                "salary_step": member.salary_step,
                "coefficient": str(line.coefficient) if line.coefficient is not None else None,
                "to_step": line.to_step,
                "to_coefficient": str(line.to_coefficient)
                if line.to_coefficient is not None
                else None,
                "to_over_scale_percent": line.to_over_scale_percent,
                "due": line.due,
                "overdue": line.overdue,
            }
        )
    return {
        "count": count,
        "count_capped": capped,
        "limit": limit,
        "offset": offset,
        "items": items,
    }


class TeacherPageOut(Schema):
    count: int
    count_capped: bool
    limit: int
    offset: int
    items: list[dict[str, Any]]


@router.get(
    "/teachers",
    response={200: TeacherPageOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Giáo viên (ngành giáo dục)",
    description=(
        "Lọc: `school` (mã trường), `level` (preschool, primary, lower_secondary, "
        "upper_secondary), `title` (mã chức danh V.07…), `subject`, `q`."
    ),
)
def teachers(request: HttpRequest, limit: int = 20, offset: int = 0) -> Any:
    from lienthong.registries.staff.views import teachers_queryset

    _reader(request)
    errors = _page_args(limit, offset)
    qs, filter_errors = teachers_queryset(request)
    errors.update(filter_errors)
    if errors:
        return _unprocessable(errors)
    count, capped = count_capped(qs)
    items = [
        {**member_out(m), "school_name": m.school.org_unit.name if m.school else None}
        for m in qs[offset : offset + limit]
    ]
    return {
        "count": count,
        "count_capped": capped,
        "limit": limit,
        "offset": offset,
        "items": items,
    }


class ScaleOut(Schema):
    code: str
    name: str
    raise_interval_months: int
    coefficients: list[str]


class RankOut(Schema):
    code: str
    name: str
    kind: str
    scale: str
    school_level: str
    source: str
    unconfirmed: bool


@router.get(
    "/scales",
    response={200: list[ScaleOut], 401: ErrorOut, 403: ErrorOut},
    summary="Bảng lương (Nghị định 204/2004/NĐ-CP)",
)
def scales(request: HttpRequest) -> Any:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    return [
        {
            "code": s.code,
            "name": s.name,
            "raise_interval_months": s.raise_interval_months,
            "coefficients": [str(c) for c in s.coefficients],
        }
        for s in SalaryScale.objects.order_by("code")
    ]


@router.get(
    "/ranks",
    response={200: list[RankOut], 401: ErrorOut, 403: ErrorOut},
    summary="Ngạch, chức danh nghề nghiệp",
)
def ranks(request: HttpRequest) -> Any:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    return [
        {
            "code": r.code,
            "name": r.name,
            "kind": r.kind,
            "scale": r.scale.code,
            "school_level": r.school_level,
            "source": r.source,
            "unconfirmed": r.unconfirmed,
        }
        for r in Rank.objects.filter(is_active=True).select_related("scale").filter(~Q(code=""))
    ]
