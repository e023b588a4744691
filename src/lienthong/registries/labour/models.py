"""Labour market registry (cơ sở dữ liệu thị trường lao động): job seekers and vacancies.

Both are registry records (`registries.base`): owner agency (the employment service centre
or the commune that registered them), history, soft delete, folded search. Codes are data:
occupations from the Vietnamese occupation classification (VSCO 2020, level 4) and skills
from the registry's own list (`labour.catalogue`). Multi-valued codes are stored as
space-padded text (" 7212 7233 "), so one record is one row: history, revert, import and
export handle it like any other field, and matching finds a whole code with one LIKE.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lienthong.core.identifiers import parse_personal_id, validate_personal_id, validate_tax_code
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import grants_of, is_official_user, is_real_user
from lienthong.registries.base.models import (
    REGISTRY_OWNER_ROLE,
    RegistryManager,
    RegistryQuerySet,
    RegistryRecord,
    has_read_grant,
    registry_indexes,
)
from lienthong.registries.labour import catalogue, places

REGISTRY_KEY = "labour"


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Education(models.TextChoices):
    """Highest training level (trình độ chuyên môn kỹ thuật), lowest first."""

    NONE = "none", _("Chưa qua đào tạo")
    ELEMENTARY = "elementary", _("Sơ cấp")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    UNIVERSITY = "university", _("Đại học")
    POSTGRADUATE = "postgraduate", _("Trên đại học")


#: Order of the training levels, for "at least" comparisons.
EDUCATION_RANK = {value: rank for rank, value in enumerate(Education.values)}


class SeekerStatus(models.TextChoices):
    ACTIVE = "active", _("Đang tìm việc")
    EMPLOYED = "employed", _("Đã có việc làm")
    INACTIVE = "inactive", _("Ngừng tìm việc")


class VacancyStatus(models.TextChoices):
    OPEN = "open", _("Đang tuyển")
    FILLED = "filled", _("Đã tuyển đủ")
    CLOSED = "closed", _("Đã đóng")


class CommuneMixin(models.Model):
    """A place of work or residence: the 2025 commune code, the legacy one it came from, the
    street, and the province code kept beside the commune for "same province" matching."""

    commune = models.CharField(
        _("xã, phường (mã 2025)"),
        max_length=5,
        blank=True,
        help_text=_("Mã đơn vị hành chính cấp xã từ 1/7/2025 (5 chữ số)."),
    )
    legacy_commune = models.CharField(
        _("xã, phường trước 1/7/2025"),
        max_length=5,
        blank=True,
        help_text=_("Có thể nhập mã xã cũ thay cho mã mới: hệ thống tự chuyển sang xã kế thừa."),
    )
    street = models.CharField(_("số nhà, đường, thôn, ấp"), max_length=200, blank=True)
    province_code = models.CharField(_("tỉnh, thành phố"), max_length=2, blank=True, editable=False)

    class Meta:
        abstract = True

    def clean_commune(self) -> None:
        """The commune must be a 2025 unit (a legacy code is converted, and kept)."""
        from lienthong.registries.base.addresses import resolve_address

        try:
            resolved = resolve_address(
                commune=self.commune or "", legacy_commune=self.legacy_commune
            )
        except ValidationError as exc:
            raise ValidationError({"commune": exc.messages}) from exc
        self.commune = resolved.commune
        if not self.commune:
            raise ValidationError({"commune": gettext("Cần mã xã, phường.")})

    @property
    def commune_label(self) -> str:
        return places.commune_name(self.commune)


class JobSeekerQuerySet(RegistryQuerySet["JobSeeker"]):
    """Reads of job seekers. Personal data: only the registry's officials (the owner agency's
    `registry_owner`s) and agencies granted the `labour` registry see them — the base rule."""

    def active(self) -> Self:
        return self.filter(status=SeekerStatus.ACTIVE)

    def wanting_group(self, group: str) -> Self:
        """Seekers with at least one desired occupation in a level-2 group."""
        return self.filter(occupation_groups__contains=f" {group} ")

    def wanting(self, code: str) -> Self:
        """Seekers wanting one level-4 occupation."""
        return self.filter(occupation_codes__contains=f" {code} ")


def visible_owners(user: Any) -> models.QuerySet[OrgUnit] | None:
    """The owner units whose seekers `user` may read (None: all; empty: none).

    The base rule (`RegistryQuerySet.visible_to`: superusers and agencies granted the
    registry read all, registry officials the records owned within their units) as a list of
    units the database finds once, for filters over many rows (the match index).
    """
    if not is_real_user(user):
        return OrgUnit.objects.none()
    if user.is_superuser or has_read_grant(user, REGISTRY_KEY):
        return None
    return OrgUnit.objects.filter(
        Exists(
            grants_of(user, [REGISTRY_OWNER_ROLE]).filter(
                StartsWith(OuterRef("path"), F("org_unit__path"))
            )
        )
    )


class _SeekerLiveManager(RegistryManager.from_queryset(JobSeekerQuerySet)):  # type: ignore[misc]
    """The default manager: the base's (soft-deleted rows hidden) with this QuerySet."""


class _SeekerManager(models.Manager.from_queryset(JobSeekerQuerySet)):  # type: ignore[misc]
    """Every seeker, soft-deleted ones included."""


class JobSeeker(CommuneMixin, RegistryRecord):
    """A job seeker (người tìm việc) registered with the public employment service."""

    registry_key: ClassVar[str] = REGISTRY_KEY
    search_fields: ClassVar[tuple[str, ...]] = ("full_name",)
    identifier_field: ClassVar[str] = "personal_id"
    audit_exclude: ClassVar[tuple[str, ...]] = (
        "search_text",
        "updated_at",
        "occupation_groups",
        "province_code",
    )

    personal_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, validators=[validate_personal_id]
    )
    full_name = models.CharField(_("họ và tên"), max_length=100)
    birth_date = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    occupation_codes = models.CharField(
        _("nghề mong muốn (mã VSCO)"),
        max_length=40,
        help_text=_("Mã nghề cấp 4, tối đa 5 nghề, cách nhau bằng dấu cách hoặc dấu phẩy."),
    )
    occupation_groups = models.CharField(
        _("nhóm nghề cấp 2"), max_length=30, blank=True, editable=False
    )
    skill_codes = models.CharField(_("kỹ năng"), max_length=400, blank=True)
    education = models.CharField(
        _("trình độ chuyên môn"), max_length=12, choices=Education.choices, default=Education.NONE
    )
    experience_years = models.PositiveSmallIntegerField(
        _("số năm kinh nghiệm"), default=0, validators=[MaxValueValidator(60)]
    )
    desired_wage = models.PositiveBigIntegerField(
        _("mức lương mong muốn (đồng/tháng)"), null=True, blank=True
    )
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=SeekerStatus.choices, default=SeekerStatus.ACTIVE
    )
    registered_on = models.DateField(_("ngày đăng ký"), default=timezone.localdate)
    note = models.TextField(_("ghi chú"), blank=True)

    objects: ClassVar[_SeekerLiveManager] = _SeekerLiveManager()
    all_objects: ClassVar[_SeekerManager] = _SeekerManager()

    class Meta:
        verbose_name = _("người tìm việc")
        verbose_name_plural = _("người tìm việc")
        ordering = ["search_text", "pk"]
        # No index on status: four seekers in five are active, and SQLite (without ANALYZE
        # statistics) would walk such an index instead of the match index's few candidates.
        indexes = registry_indexes("labour_seeker")
        # A constraint, not unique=True: no second (LIKE) index on PostgreSQL.
        constraints = [
            models.UniqueConstraint(fields=["personal_id"], name="labour_seeker_personal_id"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personal_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the derived columns and the match index in step (a revert, an admin edit, a
        soft delete all go through here)."""
        self.derive()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "occupation_codes",
                "occupation_groups",
                "skill_codes",
                "province_code",
            }
        super().save(*args, **kwargs)
        index_seekers([self.pk])

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("labour:jobseeker_detail", args=[self.pk])

    # --- Derived columns ------------------------------------------------------------------

    @property
    def occupations(self) -> list[str]:
        return catalogue.stored_codes(self.occupation_codes)

    @property
    def skills(self) -> list[str]:
        return catalogue.stored_codes(self.skill_codes)

    def derive(self) -> None:
        """Normalise the code lists and fill the derived columns (bulk inserts skip `save`)."""
        codes = catalogue.split_codes(self.occupation_codes)
        self.occupation_codes = catalogue.join_codes(codes)
        groups = list(dict.fromkeys(code[:2] for code in codes))
        self.occupation_groups = catalogue.join_codes(groups)
        self.skill_codes = catalogue.join_codes(catalogue.split_codes(self.skill_codes))
        self.province_code = places.province_of(self.commune)

    def clean(self) -> None:
        """Codes known, commune a 2025 unit, birth date and sex as the personal ID says."""
        errors: dict[str, Any] = {}
        try:
            self.occupation_codes = catalogue.join_codes(
                catalogue.clean_occupation_codes(self.occupation_codes)
            )
        except ValidationError as exc:
            errors["occupation_codes"] = exc.messages
        try:
            self.skill_codes = catalogue.join_codes(catalogue.clean_skill_codes(self.skill_codes))
        except ValidationError as exc:
            errors["skill_codes"] = exc.messages
        try:
            self.clean_commune()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        errors.update(self._identity_errors())
        if errors:
            raise ValidationError(errors)
        self.derive()

    def _identity_errors(self) -> dict[str, str]:
        try:
            encoded = parse_personal_id(self.personal_id or "")
        except ValidationError:
            return {}  # the field's own validator reports it
        errors: dict[str, str] = {}
        if self.birth_date and self.birth_date.year != encoded["birth_year"]:
            errors["birth_date"] = gettext(
                "Năm sinh %(year)s không khớp với số định danh (năm %(id_year)s)."
            ) % {"year": self.birth_date.year, "id_year": encoded["birth_year"]}
        if self.sex and self.sex != encoded["sex"]:
            errors["sex"] = gettext("Giới tính không khớp với số định danh cá nhân.")
        if self.birth_date and self.birth_date > timezone.localdate():
            errors["birth_date"] = gettext("Ngày sinh ở tương lai.")
        return errors


class VacancyQuerySet(RegistryQuerySet["Vacancy"]):
    """Reads of vacancies: no personal data, so every official reads them (employers publish
    them to be found); editing stays with the registry's officials."""

    def visible_to(self, user: Any, *, roles: Any = None) -> Self:
        if not is_real_user(user):
            return self.none()
        if is_official_user(user):
            return self.all()
        return super().visible_to(user, roles=roles)

    def open_on(self, day: datetime.date | None = None) -> Self:
        """Vacancies still recruiting on `day` (default today)."""
        day = day or timezone.localdate()
        return self.filter(status=VacancyStatus.OPEN, deadline__gte=day)

    def in_groups(self, groups: list[str]) -> Self:
        return self.filter(occupation_group__in=groups)


class SeekerMatch(models.Model):
    """Match index (chỉ mục kết nối): one narrow row per active job seeker and occupation
    group they want, holding what the score needs (codes of the group, skills, place).

    Derived, never edited: rebuilt by `index_seekers` on every save of a seeker and after
    bulk inserts (imports, the demo), which skip `save`. A seeker not looking for work, or
    deleted, has no row. Ranking a vacancy's candidates reads a range of this small table
    instead of the wide seeker rows (bench/bench_labour.py).
    """

    seeker = models.ForeignKey(JobSeeker, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=2)
    codes = models.CharField(max_length=40)
    skills = models.CharField(max_length=400, blank=True)
    commune = models.CharField(max_length=5, blank=True)
    province = models.CharField(max_length=2, blank=True)
    # The seeker's owner, for the permission filter without reading the seeker row.
    owner = models.ForeignKey(
        "core.OrgUnit", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    registered_on = models.DateField()

    class Meta:
        verbose_name = _("chỉ mục kết nối việc làm")
        verbose_name_plural = _("chỉ mục kết nối việc làm")
        constraints = [
            models.UniqueConstraint(fields=["seeker", "group"], name="labour_match_seeker_group"),
        ]
        indexes = [
            # Covering: a group's candidates are one contiguous range holding every column the
            # score reads, so ranking never jumps to table rows scattered by insertion order
            # (measured: 19,000 scattered row reads cost 60 ms on SQLite, the range 5 ms).
            models.Index(
                fields=[
                    "group",
                    "owner",
                    "registered_on",
                    "seeker",
                    "commune",
                    "province",
                    "codes",
                    "skills",
                ],
                name="labour_match_covering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seeker_id} → {self.group}"


def index_seekers(
    seekers: models.QuerySet[JobSeeker] | Iterable[int] | None = None, *, batch: int = 5000
) -> int:
    """Rebuild the match index of some seekers (a QuerySet or ids; every seeker when None);
    returns the rows written.

    Called by `JobSeeker.save` and after bulk inserts (imports, the demo), which skip it. A
    QuerySet stays a subquery, so an import of a million seekers sends no million ids.
    """
    from lienthong.registries.base import bulk

    chosen: Any = None
    if isinstance(seekers, models.QuerySet):
        chosen = seekers.values("pk")
    elif seekers is not None:
        chosen = list(seekers)
    live = JobSeeker.objects.filter(status=SeekerStatus.ACTIVE)
    existing = SeekerMatch.objects.all()
    if chosen is not None:
        live = live.filter(pk__in=chosen)
        existing = existing.filter(seeker_id__in=chosen)
    existing.delete()
    written = 0
    rows: list[dict[str, Any]] = []
    columns = (
        "pk",
        "occupation_codes",
        "skill_codes",
        "commune",
        "province_code",
        "owner_id",
        "registered_on",
    )
    for pk, codes, skills, commune, province, owner, registered in live.values_list(
        *columns
    ).iterator(chunk_size=batch):
        by_group: dict[str, list[str]] = {}
        for code in catalogue.stored_codes(codes):
            by_group.setdefault(code[:2], []).append(code)
        for group, group_codes in by_group.items():
            rows.append(
                {
                    "seeker_id": pk,
                    "group": group,
                    "codes": catalogue.join_codes(group_codes),
                    "skills": skills,
                    "commune": commune,
                    "province": province,
                    "owner_id": owner,
                    "registered_on": registered,
                }
            )
        if len(rows) >= batch:
            bulk.insert_rows(SeekerMatch, rows)
            written += len(rows)
            rows = []
    bulk.insert_rows(SeekerMatch, rows)
    return written + len(rows)


class _VacancyLiveManager(RegistryManager.from_queryset(VacancyQuerySet)):  # type: ignore[misc]
    """The default manager: the base's (soft-deleted rows hidden) with this QuerySet."""


class _VacancyManager(models.Manager.from_queryset(VacancyQuerySet)):  # type: ignore[misc]
    """Every vacancy, soft-deleted ones included."""


class Vacancy(CommuneMixin, RegistryRecord):
    """A vacancy (nhu cầu tuyển dụng) an employer registered: occupation, skills, place, wage."""

    registry_key: ClassVar[str] = REGISTRY_KEY
    search_fields: ClassVar[tuple[str, ...]] = ("title", "employer_name")
    identifier_field: ClassVar[str] = "employer_tax_code"
    audit_exclude: ClassVar[tuple[str, ...]] = (
        "search_text",
        "updated_at",
        "occupation_group",
        "province_code",
    )

    employer_tax_code = models.CharField(
        _("mã số thuế doanh nghiệp"), max_length=14, validators=[validate_tax_code]
    )
    employer_name = models.CharField(_("tên doanh nghiệp"), max_length=200)
    title = models.CharField(_("vị trí tuyển dụng"), max_length=200)
    occupation_code = models.CharField(_("mã nghề (VSCO cấp 4)"), max_length=4)
    occupation_group = models.CharField(_("nhóm nghề cấp 2"), max_length=2, editable=False)
    skill_codes = models.CharField(_("kỹ năng yêu cầu"), max_length=400, blank=True)
    min_education = models.CharField(
        _("trình độ tối thiểu"), max_length=12, choices=Education.choices, blank=True
    )
    quantity = models.PositiveIntegerField(
        _("số lượng cần tuyển"), default=1, validators=[MinValueValidator(1)]
    )
    wage_min = models.PositiveBigIntegerField(_("lương từ (đồng/tháng)"), null=True, blank=True)
    wage_max = models.PositiveBigIntegerField(_("lương đến (đồng/tháng)"), null=True, blank=True)
    deadline = models.DateField(_("hạn nộp hồ sơ"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=VacancyStatus.choices, default=VacancyStatus.OPEN
    )
    description = models.TextField(_("mô tả công việc"), blank=True)

    objects: ClassVar[_VacancyLiveManager] = _VacancyLiveManager()
    all_objects: ClassVar[_VacancyManager] = _VacancyManager()

    class Meta:
        verbose_name = _("nhu cầu tuyển dụng")
        verbose_name_plural = _("nhu cầu tuyển dụng")
        ordering = ["deadline", "pk"]
        indexes = [
            *registry_indexes("labour_vacancy"),
            models.Index(fields=["status", "deadline"], name="labour_vacancy_open"),
            models.Index(fields=["occupation_group", "status"], name="labour_vacancy_group"),
            models.Index(fields=["employer_tax_code"], name="labour_vacancy_employer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(wage_min__isnull=True)
                | Q(wage_max__isnull=True)
                | Q(wage_min__lte=models.F("wage_max")),
                name="labour_vacancy_wage_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.employer_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the derived columns in step."""
        self.derive()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "occupation_group",
                "skill_codes",
                "province_code",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("labour:vacancy_detail", args=[self.pk])

    @property
    def skills(self) -> list[str]:
        return catalogue.stored_codes(self.skill_codes)

    @property
    def occupation_name(self) -> str:
        return catalogue.occupation_name(self.occupation_code)

    @property
    def is_open(self) -> bool:
        return self.status == VacancyStatus.OPEN and self.deadline >= timezone.localdate()

    def derive(self) -> None:
        """Fill the derived columns (bulk inserts skip `save`)."""
        self.occupation_group = (self.occupation_code or "")[:2]
        self.skill_codes = catalogue.join_codes(catalogue.split_codes(self.skill_codes))
        self.province_code = places.province_of(self.commune)

    def clean(self) -> None:
        """Codes known, commune a 2025 unit, the wage range in order."""
        errors: dict[str, Any] = {}
        try:
            codes = catalogue.clean_occupation_codes(self.occupation_code, limit=1)
            self.occupation_code = codes[0]
        except ValidationError as exc:
            errors["occupation_code"] = exc.messages
        try:
            self.skill_codes = catalogue.join_codes(catalogue.clean_skill_codes(self.skill_codes))
        except ValidationError as exc:
            errors["skill_codes"] = exc.messages
        try:
            self.clean_commune()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if (
            self.wage_min is not None
            and self.wage_max is not None
            and self.wage_min > self.wage_max
        ):
            errors["wage_max"] = gettext("Mức lương đến phải không nhỏ hơn mức lương từ.")
        if errors:
            raise ValidationError(errors)
        self.derive()

    @property
    def wage_text(self) -> str:
        """ "8.000.000 – 12.000.000 đ" or "Thỏa thuận"."""
        from lienthong.registries.labour.formatting import money

        if self.wage_min is None and self.wage_max is None:
            return gettext("Thỏa thuận")
        if self.wage_max is None:
            return gettext("Từ %(min)s") % {"min": money(self.wage_min)}
        if self.wage_min is None:
            return gettext("Đến %(max)s") % {"max": money(self.wage_max)}
        return f"{money(self.wage_min)} – {money(self.wage_max)}"
