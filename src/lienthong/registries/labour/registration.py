"""How the shared registry machinery handles job seekers and vacancies (import and export
columns, list columns, filters, forms), registered in `LabourConfig.ready()`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lienthong.registries.base import registry as registries
from lienthong.registries.base.importing import (
    Column,
    ImportContext,
    parse_choice,
    parse_date,
    parse_digits,
    parse_text,
)
from lienthong.registries.base.registry import ListColumn, ListFilter, RegistryType
from lienthong.registries.labour import catalogue
from lienthong.registries.labour.generate import as_row
from lienthong.registries.labour.models import (
    Education,
    JobSeeker,
    SeekerStatus,
    Sex,
    Vacancy,
    VacancyStatus,
    index_seekers,
)

SEEKERS = "labour"
VACANCIES = "labour_vacancy"


def parse_amount(value: str) -> int:
    """A whole number of đồng: "12.000.000", "12,000,000" and "12000000" are the same."""
    text = value.strip().replace(".", "").replace(",", "").replace(" ", "")
    if text.endswith(("đ", "d")):
        text = text[:-1]
    if not text.isdigit() or not text.isascii():
        raise ValidationError(
            _("“%(value)s” không phải số tiền (đồng).") % {"value": value.strip()}
        )
    return int(text)


def parse_count(value: str) -> int:
    """A whole number (years, people)."""
    text = value.strip()
    if not text.isdigit() or not text.isascii():
        raise ValidationError(_("“%(value)s” không phải số nguyên.") % {"value": text})
    return int(text)


def _codes_parser(clean: Callable[[Any], list[str]]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        return catalogue.join_codes(clean(value))

    return parse


def _codes_export(attribute: str) -> Callable[[Any], str]:
    return lambda obj: ", ".join(catalogue.stored_codes(getattr(obj, attribute)))


def _commune_columns() -> list[Column]:
    return [
        Column(
            "commune",
            _("Mã xã, phường (mới)"),
            parse=parse_digits(5),
            fields=("commune", "legacy_commune"),
        ),
        Column("legacy_commune", _("Mã xã, phường (cũ)"), parse=parse_digits(5)),
        Column("street", _("Số nhà, đường, thôn, ấp"), parse=parse_text(200)),
    ]


def seeker_columns() -> list[Column]:
    """The columns of a job seekers file, in order (the header may use keys or labels)."""
    return [
        Column("personal_id", _("Số định danh cá nhân"), parse=parse_digits(12), required=True),
        Column("full_name", _("Họ và tên"), parse=parse_text(100), required=True),
        Column("birth_date", _("Ngày sinh"), parse=parse_date, required=True),
        Column(
            "sex",
            _("Giới tính"),
            parse=parse_choice(Sex.choices),
            required=True,
            export=lambda s: s.get_sex_display(),
        ),
        Column("phone", _("Điện thoại"), parse=parse_text(20)),
        *_commune_columns(),
        Column(
            "occupation_codes",
            _("Mã nghề mong muốn"),
            parse=_codes_parser(catalogue.clean_occupation_codes),
            required=True,
            export=_codes_export("occupation_codes"),
        ),
        Column(
            "skill_codes",
            _("Mã kỹ năng"),
            parse=_codes_parser(catalogue.clean_skill_codes),
            export=_codes_export("skill_codes"),
        ),
        Column(
            "education",
            _("Trình độ chuyên môn"),
            parse=parse_choice(Education.choices),
            export=lambda s: s.get_education_display(),
        ),
        Column("experience_years", _("Số năm kinh nghiệm"), parse=parse_count),
        Column("desired_wage", _("Lương mong muốn"), parse=parse_amount),
        Column(
            "status",
            _("Tình trạng"),
            parse=parse_choice(SeekerStatus.choices),
            export=lambda s: s.get_status_display(),
        ),
        Column("registered_on", _("Ngày đăng ký"), parse=parse_date),
    ]


def build_seeker(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """A job seeker's column values from one import row, checked by the model's own field
    validators and `clean` (so a file and the form refuse the same things); ValidationError
    names the fields at fault.

    The uniqueness of the personal ID is checked by the import (in batches), not here.
    """
    seeker = JobSeeker(owner=ctx.owner)
    for name, value in values.items():
        setattr(seeker, name, value)
    seeker.clean_fields(exclude=["owner"])
    seeker.clean()
    return as_row(seeker)


def index_imported(ctx: ImportContext) -> None:
    """Bulk inserts skip `save`: index the imported seekers' occupations for matching."""
    index_seekers(JobSeeker.all_objects.filter(import_job=ctx.job))


def existing_seeker_ids(keys: Iterable[str]) -> set[str]:
    """The personal IDs among `keys` already registered (soft-deleted rows included)."""
    found = JobSeeker.all_objects.filter(personal_id__in=list(keys))
    return set(found.values_list("personal_id", flat=True))


def vacancy_columns() -> list[Column]:
    """The columns of a vacancies file."""
    return [
        Column("employer_tax_code", _("Mã số thuế"), parse=parse_text(14), required=True),
        Column("employer_name", _("Tên doanh nghiệp"), parse=parse_text(200), required=True),
        Column("title", _("Vị trí tuyển dụng"), parse=parse_text(200), required=True),
        Column(
            "occupation_code",
            _("Mã nghề"),
            parse=lambda v: catalogue.clean_occupation_codes(v, limit=1)[0],
            required=True,
        ),
        Column(
            "skill_codes",
            _("Mã kỹ năng yêu cầu"),
            parse=_codes_parser(catalogue.clean_skill_codes),
            export=_codes_export("skill_codes"),
        ),
        Column(
            "min_education",
            _("Trình độ tối thiểu"),
            parse=parse_choice(Education.choices),
            export=lambda v: v.get_min_education_display(),
        ),
        *_commune_columns(),
        Column("quantity", _("Số lượng"), parse=parse_count, required=True),
        Column("wage_min", _("Lương từ"), parse=parse_amount),
        Column("wage_max", _("Lương đến"), parse=parse_amount),
        Column("deadline", _("Hạn nộp hồ sơ"), parse=parse_date, required=True),
        Column(
            "status",
            _("Trạng thái"),
            parse=parse_choice(VacancyStatus.choices),
            export=lambda v: v.get_status_display(),
        ),
        Column("description", _("Mô tả công việc"), parse=parse_text(2000)),
    ]


def build_vacancy(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """A vacancy's column values from one import row, checked like `build_seeker`."""
    vacancy = Vacancy(owner=ctx.owner)
    for name, value in values.items():
        setattr(vacancy, name, value)
    vacancy.clean_fields(exclude=["owner"])
    vacancy.clean()
    return as_row(vacancy)


def _by_occupation(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    """Seekers wanting an occupation (4 digits) or any of a group (2 digits)."""
    value = value.strip()
    if len(value) == 2 and value.isdigit():
        return qs.filter(occupation_groups__contains=f" {value} ")
    if len(value) == 4 and value.isdigit():
        return qs.filter(occupation_codes__contains=f" {value} ")
    raise ValidationError(_("Mã nghề gồm 2 chữ số (nhóm) hoặc 4 chữ số (nghề)."))


def _by_skill(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    if value not in catalogue.skills():
        raise ValidationError(_("Mã kỹ năng không có trong danh mục."))
    return qs.filter(skill_codes__contains=f" {value} ")


def _by_vacancy_occupation(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    value = value.strip()
    if len(value) == 2 and value.isdigit():
        return qs.filter(occupation_group=value)
    if len(value) == 4 and value.isdigit():
        return qs.filter(occupation_code=value)
    raise ValidationError(_("Mã nghề gồm 2 chữ số (nhóm) hoặc 4 chữ số (nghề)."))


def _by_province(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    if not (len(value) == 2 and value.isdigit()):
        raise ValidationError(_("Mã tỉnh gồm 2 chữ số."))
    return qs.filter(province_code=value)


def _occupation_filter_choices() -> list[tuple[str, str]]:
    return catalogue.group_choices() + catalogue.occupation_choices()


def code_labels(obj: Any) -> dict[str, Any]:
    """The detail page's occupations and skills by name (the fields hold codes)."""
    codes = obj.occupations if isinstance(obj, JobSeeker) else [obj.occupation_code]
    return {
        "occupation_labels": [f"{c} – {catalogue.occupation_name(c)}" for c in codes],
        "skill_labels": [catalogue.skill_name(s) for s in obj.skills],
    }


def _choices(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Choices with their labels as text (filters compare and show them)."""
    return [(value, str(label)) for value, label in choices]


def register_types() -> None:
    """Register job seekers and vacancies with the shared registry machinery."""
    from lienthong.registries.labour import forms

    common_filters = [
        ListFilter("commune", _("Mã xã, phường"), lookup="commune"),
        ListFilter("province", _("Mã tỉnh"), apply=_by_province),
        ListFilter("skill", _("Kỹ năng"), choices=catalogue.skill_choices, apply=_by_skill),
    ]
    registries.register(
        RegistryType(
            key=SEEKERS,
            slug="nguoi-tim-viec",
            model=JobSeeker,
            label=str(_("người tìm việc")),
            label_plural=str(_("Người tìm việc")),
            columns=seeker_columns(),
            build=build_seeker,
            form_class=forms.JobSeekerForm,
            list_columns=[
                ListColumn(_("Số định danh"), lambda s: s.personal_id, link=True),
                ListColumn(_("Họ và tên"), lambda s: s.full_name, link=True),
                ListColumn(
                    _("Nghề mong muốn"),
                    lambda s: ", ".join(
                        f"{c} {catalogue.occupation_name(c)}" for c in s.occupations
                    ),
                ),
                ListColumn(_("Trình độ"), lambda s: s.get_education_display()),
                ListColumn(_("Xã, phường"), lambda s: s.commune_label),
                ListColumn(_("Tình trạng"), lambda s: s.get_status_display()),
            ],
            filters=[
                ListFilter(
                    "occupation",
                    _("Nghề"),
                    choices=_occupation_filter_choices,
                    apply=_by_occupation,
                ),
                ListFilter(
                    "status", _("Tình trạng"), choices=lambda: _choices(SeekerStatus.choices)
                ),
                ListFilter("education", _("Trình độ"), choices=lambda: _choices(Education.choices)),
                ListFilter("sex", _("Giới tính"), choices=lambda: _choices(Sex.choices)),
                *common_filters,
            ],
            unique_column="personal_id",
            existing_keys=existing_seeker_ids,
            after_import=index_imported,
            subject_key=lambda s: s.personal_id,
            detail_context=code_labels,
            import_help=str(
                _(
                    "Mỗi dòng một người tìm việc. Bắt buộc: số định danh (12 chữ số), họ và tên, "
                    "ngày sinh (dd/mm/yyyy), giới tính (Nam/Nữ), mã nghề mong muốn (mã VSCO "
                    "cấp 4, nhiều mã cách nhau bằng dấu phẩy). Nơi ở: mã xã mới (từ 1/7/2025) "
                    "hoặc mã xã cũ (tự chuyển sang xã mới). Mã kỹ năng theo danh mục của hệ thống."
                )
            ),
        )
    )
    registries.register(
        RegistryType(
            key=VACANCIES,
            slug="viec-lam",
            model=Vacancy,
            label=str(_("nhu cầu tuyển dụng")),
            label_plural=str(_("Nhu cầu tuyển dụng")),
            columns=vacancy_columns(),
            build=build_vacancy,
            form_class=forms.VacancyForm,
            list_columns=[
                ListColumn(_("Vị trí"), lambda v: v.title, link=True),
                ListColumn(_("Doanh nghiệp"), lambda v: v.employer_name),
                ListColumn(_("Nghề"), lambda v: f"{v.occupation_code} {v.occupation_name}"),
                ListColumn(_("Số lượng"), lambda v: v.quantity),
                ListColumn(_("Mức lương"), lambda v: v.wage_text),
                ListColumn(_("Hạn nộp"), lambda v: v.deadline),
                ListColumn(_("Trạng thái"), lambda v: v.get_status_display()),
            ],
            filters=[
                ListFilter(
                    "occupation",
                    _("Nghề"),
                    choices=_occupation_filter_choices,
                    apply=_by_vacancy_occupation,
                ),
                ListFilter(
                    "status", _("Trạng thái"), choices=lambda: _choices(VacancyStatus.choices)
                ),
                ListFilter("employer", _("Mã số thuế doanh nghiệp"), lookup="employer_tax_code"),
                *common_filters,
            ],
            detail_context=code_labels,
            import_help=str(
                _(
                    "Mỗi dòng một nhu cầu tuyển dụng. Bắt buộc: mã số thuế, tên doanh nghiệp, "
                    "vị trí, mã nghề (VSCO cấp 4), số lượng, hạn nộp hồ sơ (dd/mm/yyyy). Nơi làm "
                    "việc: mã xã mới hoặc mã xã cũ. Lương là số đồng mỗi tháng."
                )
            ),
        )
    )


__all__ = ["SEEKERS", "VACANCIES", "register_types"]
