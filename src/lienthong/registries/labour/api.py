"""The labour registry's API, under /api/registries/labour/.

`seekers/` and `vacancies/` are the shared registry endpoints (`registries.base.api`:
paging with `limit`/`offset`, filters, folded search `q`, create, update, soft delete,
restore, history, import, export). Added here:

    GET /vacancies/{id}/matches   the job seekers best matching a vacancy, explained
    GET /seekers/{id}/matches     the open vacancies best matching a seeker, explained
                                  (a read of the seeker's record: logged, with `purpose`)

Both page with `limit` (1–100, default 20) and `offset`; bad values answer 422 with one
Vietnamese message per parameter. Seekers' data need read access to the registry (its
officials, or an agency granted it): 403 otherwise; a record outside the caller's scope is
404 like a missing one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.registries.base import access
from lienthong.registries.base import registry as registries
from lienthong.registries.base.api import ErrorOut, FieldErrorsOut, build_router, iso
from lienthong.registries.base.models import DataAccess
from lienthong.registries.labour import catalogue, matching
from lienthong.registries.labour.models import REGISTRY_KEY, JobSeeker, Vacancy
from lienthong.registries.labour.registration import SEEKERS, VACANCIES

MAX_LIMIT = 100
TAGS = ["registries: thị trường lao động"]


def seeker_out(seeker: JobSeeker) -> dict[str, Any]:
    """The JSON of a job seeker."""
    return {
        "id": seeker.pk,
        "personal_id": seeker.personal_id,
        "full_name": seeker.full_name,
        "birth_date": iso(seeker.birth_date),
        "sex": seeker.sex,
        "phone": seeker.phone,
        "commune": seeker.commune,
        "legacy_commune": seeker.legacy_commune,
        "province": seeker.province_code,
        "street": seeker.street,
        "occupation_codes": seeker.occupations,
        "skill_codes": seeker.skills,
        "education": seeker.education,
        "experience_years": seeker.experience_years,
        "desired_wage": seeker.desired_wage,
        "status": seeker.status,
        "registered_on": iso(seeker.registered_on),
        "note": seeker.note,
        "owner": seeker.owner_id,
        "created_at": seeker.created_at.isoformat(),
        "updated_at": seeker.updated_at.isoformat(),
    }


def vacancy_out(vacancy: Vacancy) -> dict[str, Any]:
    """The JSON of a vacancy."""
    return {
        "id": vacancy.pk,
        "employer_tax_code": vacancy.employer_tax_code,
        "employer_name": vacancy.employer_name,
        "title": vacancy.title,
        "occupation_code": vacancy.occupation_code,
        "occupation_name": vacancy.occupation_name,
        "skill_codes": vacancy.skills,
        "min_education": vacancy.min_education,
        "commune": vacancy.commune,
        "legacy_commune": vacancy.legacy_commune,
        "province": vacancy.province_code,
        "street": vacancy.street,
        "quantity": vacancy.quantity,
        "wage_min": vacancy.wage_min,
        "wage_max": vacancy.wage_max,
        "deadline": iso(vacancy.deadline),
        "status": vacancy.status,
        "is_open": vacancy.is_open,
        "description": vacancy.description,
        "owner": vacancy.owner_id,
        "created_at": vacancy.created_at.isoformat(),
        "updated_at": vacancy.updated_at.isoformat(),
    }


class SeekerPatch(Schema):
    """Fields of a job seeker to change (only those given are changed)."""

    owner: int | None = None
    personal_id: str | None = Field(None, max_length=12)
    full_name: str | None = Field(None, min_length=1, max_length=100)
    birth_date: datetime.date | None = None
    sex: str | None = Field(None, pattern="^(male|female)$")
    phone: str | None = Field(None, max_length=20)
    commune: str | None = Field(None, max_length=5)
    legacy_commune: str | None = Field(None, max_length=5)
    street: str | None = Field(None, max_length=200)
    occupation_codes: list[str] | None = Field(None, description="Mã nghề VSCO cấp 4, tối đa 5")
    skill_codes: list[str] | None = None
    education: str | None = Field(None, max_length=12)
    experience_years: int | None = Field(None, ge=0, le=60)
    desired_wage: int | None = Field(None, ge=0)
    status: str | None = Field(None, max_length=10)
    registered_on: datetime.date | None = None
    note: str | None = None


class SeekerIn(SeekerPatch):
    """A new job seeker: owner agency, ID, name, birth date, sex, occupations required."""

    owner: int
    personal_id: str = Field(max_length=12)
    full_name: str = Field(min_length=1, max_length=100)
    birth_date: datetime.date
    sex: str = Field(pattern="^(male|female)$")
    occupation_codes: list[str] = Field(min_length=1, max_length=5)


class VacancyPatch(Schema):
    """Fields of a vacancy to change."""

    owner: int | None = None
    employer_tax_code: str | None = Field(None, max_length=14)
    employer_name: str | None = Field(None, min_length=1, max_length=200)
    title: str | None = Field(None, min_length=1, max_length=200)
    occupation_code: str | None = Field(None, max_length=4)
    skill_codes: list[str] | None = None
    min_education: str | None = Field(None, max_length=12)
    commune: str | None = Field(None, max_length=5)
    legacy_commune: str | None = Field(None, max_length=5)
    street: str | None = Field(None, max_length=200)
    quantity: int | None = Field(None, ge=1)
    wage_min: int | None = Field(None, ge=0)
    wage_max: int | None = Field(None, ge=0)
    deadline: datetime.date | None = None
    status: str | None = Field(None, max_length=10)
    description: str | None = None


class VacancyIn(VacancyPatch):
    """A new vacancy: owner, employer, title, occupation, deadline required."""

    owner: int
    employer_tax_code: str = Field(max_length=14)
    employer_name: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=200)
    occupation_code: str = Field(max_length=4)
    deadline: datetime.date


_NULLABLE = frozenset({"desired_wage", "wage_min", "wage_max"})


def _apply(obj: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    """Copy input onto a seeker or vacancy; code lists become the stored text."""
    errors: dict[str, list[str]] = {}
    if "owner" in data:
        owner = OrgUnit.objects.filter(pk=data.pop("owner")).first()
        if owner is None:
            errors["owner"] = [_("Không có cơ quan này.")]
        else:
            obj.owner = owner
    for name in ("occupation_codes", "skill_codes"):
        if name in data:
            data[name] = catalogue.join_codes(catalogue.split_codes(data[name]))
    for name, value in data.items():
        # null leaves a field as it is (its default on create); "" clears a text field.
        if value is None and name not in _NULLABLE:
            continue
        setattr(obj, name, value)
    return errors


class ReasonOut(Schema):
    kind: str = Field(description="occupation, skills, place")
    points: int
    text: str
    matched: bool


class SeekerMatchOut(Schema):
    """A job seeker for a vacancy: who, the score out of 100, and why."""

    id: int
    full_name: str
    birth_year: int
    sex: str
    commune: str
    education: str
    experience_years: int
    occupation_codes: list[str]
    score: int
    reasons: list[ReasonOut]
    matched_skills: list[str]
    missing_skills: list[str]


class SeekerMatchesOut(Schema):
    vacancy: dict[str, Any]
    total: int = Field(description="Người đang tìm việc cùng nhóm nghề mà bạn được xem")
    limit: int
    offset: int
    items: list[SeekerMatchOut]


class VacancyMatchOut(Schema):
    """An open vacancy for a seeker, with the score and why."""

    vacancy: dict[str, Any]
    score: int
    reasons: list[ReasonOut]
    matched_skills: list[str]
    missing_skills: list[str]


class VacancyMatchesOut(Schema):
    seeker: int
    total: int
    limit: int
    offset: int
    items: list[VacancyMatchOut]


def _paging(limit: str | None, offset: str | None) -> tuple[int, int, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}

    def number(value: str | None, name: str, default: int, low: int, high: int) -> int:
        if value in (None, ""):
            return default
        try:
            result = int(str(value))
        except ValueError:
            result = low - 1
        if not low <= result <= high:
            errors[name] = [
                _("%(name)s phải là số nguyên từ %(low)d đến %(high)d.")
                % {"name": name, "low": low, "high": high}
            ]
        return result

    return (
        number(limit, "limit", 20, 1, MAX_LIMIT),
        number(offset, "offset", 0, 0, 1_000_000),
        errors,
    )


def _seeker_reader(request: HttpRequest) -> Any:
    user = request.user
    if not is_official_user(user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    if not access.can_read(user, REGISTRY_KEY):
        raise HttpError(
            403, _("Chỉ cán bộ quản lý cơ sở dữ liệu lao động mới xem được người tìm việc.")
        )
    return user


def _unprocessable(errors: dict[str, list[str]]) -> Status[dict[str, Any]]:
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


seekers_router = build_router(
    registries.get(SEEKERS),
    out=seeker_out,
    create_schema=SeekerIn,
    update_schema=SeekerPatch,
    apply=_apply,
    tags=TAGS,
)
vacancies_router = build_router(
    registries.get(VACANCIES),
    out=vacancy_out,
    create_schema=VacancyIn,
    update_schema=VacancyPatch,
    apply=_apply,
    tags=TAGS,
)


@vacancies_router.get(
    "/{int:record_id}/matches",
    response={
        200: SeekerMatchesOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Người tìm việc phù hợp với một nhu cầu tuyển dụng",
    description=(
        "Xếp theo điểm phù hợp (0–100): nghề (đúng mã 50, cùng nhóm cấp 2: 25), kỹ năng (tỷ "
        "lệ kỹ năng yêu cầu × 30), nơi ở (cùng xã 20, cùng tỉnh 10); mỗi người kèm lý do. "
        "Phân trang: `limit` (1–100), `offset`."
    ),
)
def vacancy_matches(
    request: HttpRequest, record_id: int, limit: str | None = None, offset: str | None = None
) -> Any:
    user = _seeker_reader(request)
    limit_value, offset_value, errors = _paging(limit, offset)
    if errors:
        return _unprocessable(errors)
    vacancy: Vacancy = get_visible_or_404(Vacancy.objects, user, pk=record_id)
    matches = matching.rank_seekers(vacancy, user, limit=limit_value, offset=offset_value)
    return {
        "vacancy": vacancy_out(vacancy),
        "total": matching.count_seekers(vacancy, user),
        "limit": limit_value,
        "offset": offset_value,
        "items": [
            {
                "id": m.record.pk,
                "full_name": m.record.full_name,
                "birth_year": m.record.birth_date.year,
                "sex": m.record.sex,
                "commune": m.record.commune,
                "education": m.record.education,
                "experience_years": m.record.experience_years,
                "occupation_codes": m.record.occupations,
                **m.as_dict(),
            }
            for m in matches
        ],
    }


@seekers_router.get(
    "/{int:record_id}/matches",
    response={
        200: VacancyMatchesOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Việc làm đang tuyển phù hợp với một người tìm việc",
    description=(
        "Các vị trí còn hạn, cùng nhóm nghề, xếp theo điểm phù hợp kèm lý do. Đọc hồ sơ người "
        "tìm việc nên được ghi nhật ký: `purpose` (mặc định: tư vấn, giới thiệu việc làm)."
    ),
)
def seeker_matches(
    request: HttpRequest,
    record_id: int,
    limit: str | None = None,
    offset: str | None = None,
    purpose: str = "",
) -> Any:
    user = _seeker_reader(request)
    limit_value, offset_value, errors = _paging(limit, offset)
    if errors:
        return _unprocessable(errors)
    seeker: JobSeeker = get_visible_or_404(JobSeeker.objects, user, pk=record_id)
    access.log_read(
        registry=REGISTRY_KEY,
        object_id=seeker.pk,
        subject_key=seeker.personal_id,
        subject_repr=str(seeker),
        by=user,
        purpose=" ".join(purpose.split()) or _("Tư vấn, giới thiệu việc làm cho người lao động"),
        channel=DataAccess.Channel.API,
    )
    total, matches = matching.rank_vacancies(
        seeker, Vacancy.objects.visible_to(user), limit=limit_value, offset=offset_value
    )
    return {
        "seeker": seeker.pk,
        "total": total,
        "limit": limit_value,
        "offset": offset_value,
        "items": [{"vacancy": vacancy_out(m.record), **m.as_dict()} for m in matches],
    }


router = Router(tags=TAGS)
router.add_router("/seekers/", seekers_router)
router.add_router("/vacancies/", vacancies_router)
