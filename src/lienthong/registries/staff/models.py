"""The staff registry (cơ sở dữ liệu cán bộ, công chức, viên chức) and its teachers' sector.

`StaffMember` is the registry record (owner agency, soft delete, folded search, history from
`registries.base`); its salary placement (rank, step, coefficient, next raise) follows the
tables of Decree 204/2004/NĐ-CP kept as data in `SalaryScale` and `Rank` (see DOMAIN.md).
The records of a person's career — qualifications, training, appointments, salary changes,
rewards, discipline — hang off it and are written only through `services`, which keep the
member's current rank, step and position in step with them.

Teachers are staff members who work at a school: an org unit with a `School` profile. Their
sector fields (school, level, subjects) sit on the member's own row, so one import file, one
history and one revert cover them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.identifiers import parse_personal_id, validate_personal_id
from lienthong.core.models import AuditedModel
from lienthong.core.permissions import is_real_user
from lienthong.registries.base.models import (
    REGISTRY_OWNER_ROLE,
    RegistryQuerySet,
    RegistryRecord,
    registry_indexes,
)
from lienthong.registries.staff import pay
from lienthong.registries.staff.choices import (
    Category,
    DegreeLevel,
    DisciplineForm,
    EmploymentStatus,
    QualificationKind,
    RankKind,
    RewardForm,
    SalaryChangeReason,
    SchoolLevel,
    Sex,
)

#: How far ahead the "đến hạn nâng lương" list looks by default.
DUE_SOON_DAYS = 90

# --- Reference tables ----------------------------------------------------------------------


class SalaryScale(models.Model):
    """A salary category of Decree 204/2004/NĐ-CP (A3.1 … C1) with its coefficient per step."""

    code = models.CharField(_("mã loại"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    raise_interval_months = models.PositiveSmallIntegerField(
        _("thời gian giữ bậc (tháng)"),
        help_text=_("36 tháng với loại A0 trở lên, 24 tháng với loại B, C."),
    )
    coefficients = models.JSONField(_("hệ số lương theo bậc"), default=list)

    class Meta:
        verbose_name = _("bảng lương")
        verbose_name_plural = _("bảng lương")
        ordering = ["-code"]

    def __str__(self) -> str:
        return self.name

    @property
    def max_step(self) -> int:
        return len(self.coefficients)

    def coefficient(self, step: int) -> Decimal:
        """The coefficient of `step` (ValueError outside the scale)."""
        return pay.coefficient(self.coefficients, step)

    def clean(self) -> None:
        try:
            values = [Decimal(str(c)) for c in self.coefficients]
        except (ArithmeticError, TypeError, ValueError):
            values = []
        if not values or any(v <= 0 for v in values) or values != sorted(values):
            raise ValidationError(
                {"coefficients": _("Hệ số lương phải là dãy số dương tăng dần theo bậc.")}
            )


class Rank(models.Model):
    """A civil-servant rank (ngạch) or a public employee's professional title (chức danh
    nghề nghiệp), by its official code, with the salary category it is paid on."""

    code = models.CharField(_("mã số"), max_length=20, unique=True)
    name = models.CharField(_("tên ngạch, chức danh"), max_length=150)
    kind = models.CharField(_("loại"), max_length=20, choices=RankKind.choices)
    scale = models.ForeignKey(
        SalaryScale, verbose_name=_("bảng lương"), on_delete=models.PROTECT, related_name="ranks"
    )
    sector = models.CharField(_("ngành, lĩnh vực"), max_length=30, default="general")
    school_level = models.CharField(
        _("cấp học"), max_length=20, choices=SchoolLevel.choices, blank=True
    )
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)
    unconfirmed = models.BooleanField(
        _("chưa đối chiếu văn bản"),
        default=False,
        help_text=_("Loại lương của ngạch chưa đối chiếu được với văn bản gốc."),
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("ngạch, chức danh nghề nghiệp")
        verbose_name_plural = _("ngạch, chức danh nghề nghiệp")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_teacher_title(self) -> bool:
        return bool(self.school_level)


class Position(models.Model):
    """A post (chức vụ) a staff member may be appointed to."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên chức vụ"), max_length=150)
    is_leadership = models.BooleanField(_("chức vụ lãnh đạo, quản lý"), default=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(AuditedModel):
    """The school profile of an org unit (trường học): what makes its staff teachers."""

    org_unit = models.OneToOneField(
        "core.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="school_profile",
    )
    level = models.CharField(_("cấp học"), max_length=20, choices=SchoolLevel.choices)

    class Meta:
        verbose_name = _("trường học")
        verbose_name_plural = _("trường học")
        ordering = ["org_unit__name"]

    def __str__(self) -> str:
        return str(self.org_unit)


# --- The registry record ------------------------------------------------------------------


def scope_unit_ids(user: Any, role: str) -> list[int]:
    """Ids of the org units at or below those where `user` holds `role` (cached on the user
    object: a page asks for it for every list and check)."""
    cache: dict[str, list[int]] = user.__dict__.setdefault("_staff_scope_units", {})
    if role not in cache:
        from lienthong.core.models import OrgUnit
        from lienthong.core.permissions import grants_of

        paths = list(grants_of(user, [role]).values_list("org_unit__path", flat=True))
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        cache[role] = (
            list(OrgUnit.objects.filter(condition).values_list("pk", flat=True)) if paths else []
        )
    return cache[role]


class StaffQuerySet(RegistryQuerySet["StaffMember"]):
    """Reads of the staff registry. Who reads is the shared rule of `RegistryQuerySet`:
    superusers, agencies granted the registry, and the owner agency's registry officials
    (its personnel officers, who also edit); personal data, so nobody else."""

    def editable_by(self, user: Any) -> Self:
        """Rows owned within the units where `user` is a registry official.

        The same rule as the base, written as `owner_id IN (…)` with the ids resolved first
        (one small query, cached on the user for the request): PostgreSQL mis-estimates the
        base's correlated EXISTS on the owner's path at one row and re-scans the staff table
        once per org unit in scope (0.3–0.9 s per list at 100,000 staff, bench_staff.py);
        with a list of ids it plans the ordinary index scans (tens of milliseconds).
        """
        if not is_real_user(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(owner_id__in=scope_unit_ids(user, REGISTRY_OWNER_ROLE))

    def teachers(self) -> Self:
        """The teachers' sector: staff working at a school."""
        return self.filter(school__isnull=False)

    def within(self, unit: Any) -> Self:
        """Staff of `unit` and the units below it."""
        return self.filter(org_unit__path__startswith=unit.path)

    def due_for_raise(self, *, on: datetime.date | None = None, days: int = DUE_SOON_DAYS) -> Self:
        """Working staff whose next regular raise falls on or before `on` + `days`."""
        day = on or timezone.localdate()
        return self.filter(
            status=EmploymentStatus.WORKING,
            next_raise_due__isnull=False,
            next_raise_due__lte=day + datetime.timedelta(days=days),
        )


class StaffManager(models.Manager.from_queryset(StaffQuerySet)):  # type: ignore[misc]
    """The default manager: live rows only, with the staff QuerySet's named filters."""

    def get_queryset(self) -> StaffQuerySet:
        return StaffQuerySet(self.model, using=self._db).filter(deleted_at__isnull=True)


class StaffMember(RegistryRecord):
    """A cán bộ, công chức, viên chức or contract worker of the province (hồ sơ cán bộ).

    `owner` is the agency above the member's org unit; `next_raise_due` is derived from the
    salary placement and the discipline records (`services.refresh_next_raise`).
    """

    registry_key: ClassVar[str] = "staff"
    search_fields: ClassVar[tuple[str, ...]] = ("full_name",)
    identifier_field: ClassVar[str] = "personal_id"
    audit_exclude: ClassVar[tuple[str, ...]] = ("search_text", "updated_at")

    personal_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, validators=[validate_personal_id]
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    birth_date = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị công tác"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(_("loại cán bộ"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.WORKING,
    )
    joined_on = models.DateField(_("ngày tuyển dụng"), null=True, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    # Current post and salary placement: written by the services that also write the
    # appointment and salary history, never by the plain edit form.
    position = models.ForeignKey(
        Position,
        verbose_name=_("chức vụ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position_since = models.DateField(
        _("giữ chức vụ từ ngày"), null=True, blank=True, editable=False
    )
    rank = models.ForeignKey(
        Rank,
        verbose_name=_("ngạch, chức danh nghề nghiệp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    salary_step = models.PositiveSmallIntegerField(
        _("bậc lương"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    over_scale_percent = models.PositiveSmallIntegerField(
        _("phụ cấp thâm niên vượt khung (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
    )
    last_raise_date = models.DateField(_("ngày hưởng bậc hiện tại"), null=True, blank=True)
    next_raise_due = models.DateField(
        _("ngày đến hạn nâng lương"), null=True, blank=True, editable=False
    )
    # The teachers' sector (empty for everyone else).
    school = models.ForeignKey(
        School,
        verbose_name=_("trường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teachers",
    )
    school_level = models.CharField(
        _("cấp học"), max_length=20, choices=SchoolLevel.choices, blank=True
    )
    subjects = models.CharField(
        _("môn giảng dạy"),
        max_length=200,
        blank=True,
        help_text=_("Các môn, cách nhau bằng dấu phẩy (ví dụ: Toán, Vật lý)."),
    )

    objects: ClassVar[StaffManager] = StaffManager()
    all_objects: ClassVar[models.Manager[Any]] = models.Manager.from_queryset(StaffQuerySet)()

    class Meta:
        verbose_name = _("cán bộ, công chức, viên chức")
        verbose_name_plural = _("cán bộ, công chức, viên chức")
        ordering = ["search_text", "id"]
        indexes = [
            *registry_indexes("staff_member"),
            models.Index(fields=["personal_id"], name="staff_member_pid"),
            models.Index(
                fields=["next_raise_due"],
                name="staff_member_raise_due",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["category", "search_text"], name="staff_member_category"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["personal_id"],
                condition=Q(deleted_at__isnull=True),
                name="staff_member_unique_live_pid",
                violation_error_message=_("Đã có hồ sơ cán bộ mang số định danh này."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep `next_raise_due` in step with the placement and the discipline records
        (derived like the search text, so every path that saves the row agrees)."""
        self.refresh_next_raise()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "next_raise_due"}
        super().save(*args, **kwargs)

    def refresh_next_raise(self) -> datetime.date | None:
        """Recompute `next_raise_due` (not saved) from the placement and the discipline
        decided while in the current step (Circular 03/2021/TT-BNV)."""
        extension = 0
        if self.last_raise_date is not None and self.pk is not None:
            disciplines = Discipline.objects.filter(
                member_id=self.pk, decision_date__gte=self.last_raise_date
            ).values_list("decision_date", "form")
            extension = pay.extension_for(
                self.category, list(disciplines), since=self.last_raise_date
            )
        plan = self.raise_plan(extension_months=extension)
        self.next_raise_due = plan.due if plan is not None else None
        return self.next_raise_due

    @property
    def unit_label(self) -> str:
        """The member's unit, with its agency when the unit is a division or school of it
        ("Văn phòng Sở" alone says little in a province-wide list)."""
        if self.org_unit_id == self.owner_id:
            return self.org_unit.name
        owner = self.owner
        return f"{self.org_unit.name} — {owner.short_name or owner.name}"

    @property
    def is_teacher(self) -> bool:
        return self.school_id is not None

    @property
    def coefficient(self) -> Decimal | None:
        """The salary coefficient of the current rank and step (None when not placed)."""
        if self.rank is None or self.salary_step is None:
            return None
        try:
            return self.rank.scale.coefficient(self.salary_step)
        except ValueError:
            return None

    @property
    def monthly_salary(self) -> int | None:
        """Coefficient × today's base salary, with the beyond-scale allowance (đồng)."""
        coeff = self.coefficient
        if coeff is None:
            return None
        return pay.monthly_salary(coeff, self.over_scale_percent, timezone.localdate())

    @property
    def monthly_salary_text(self) -> str:
        """The monthly salary written the Vietnamese way (7.020.000), or ""."""
        amount = self.monthly_salary
        return "" if amount is None else f"{amount:,}".replace(",", ".")

    def raise_plan(self, *, extension_months: int = 0) -> pay.RaisePlan | None:
        """The next regular raise as the decree computes it, or None when not placed."""
        if self.rank is None or self.salary_step is None or self.last_raise_date is None:
            return None
        scale = self.rank.scale
        if not 1 <= self.salary_step <= scale.max_step:
            return None
        return pay.next_raise(
            step=self.salary_step,
            max_step=scale.max_step,
            interval_months=scale.raise_interval_months,
            over_scale_percent=self.over_scale_percent,
            last_raise_date=self.last_raise_date,
            extension_months=extension_months,
        )

    def clean(self) -> None:
        """Rules across fields: step within the rank's scale, teacher fields together."""
        errors: dict[str, list[Any]] = {}
        if self.personal_id and self.birth_date and self.sex:
            try:
                encoded = parse_personal_id(self.personal_id)
            except ValidationError:
                encoded = None
            if encoded is not None:
                if encoded["birth_year"] != self.birth_date.year:
                    errors.setdefault("birth_date", []).append(
                        _("Năm sinh không khớp với số định danh cá nhân (%(year)s).")
                        % {"year": encoded["birth_year"]}
                    )
                if encoded["sex"] != self.sex:
                    errors.setdefault("sex", []).append(
                        _("Giới tính không khớp với số định danh cá nhân.")
                    )
        if self.birth_date and self.birth_date > timezone.localdate():
            errors.setdefault("birth_date", []).append(_("Ngày sinh ở tương lai."))
        # `self.rank` (not a fresh query): an import hands in ranks fetched once per file.
        rank = self.rank if self.rank_id is not None else None
        if rank is not None and self.salary_step is not None:
            scale = rank.scale
            if not 1 <= self.salary_step <= scale.max_step:
                errors.setdefault("salary_step", []).append(
                    _("Bậc lương phải từ 1 đến %(max)s với %(scale)s.")
                    % {"max": scale.max_step, "scale": scale.name}
                )
            elif self.over_scale_percent and self.salary_step != scale.max_step:
                errors.setdefault("over_scale_percent", []).append(
                    _("Chỉ hưởng phụ cấp vượt khung khi đã ở bậc cuối của ngạch.")
                )
        if (self.rank_id is None) != (self.salary_step is None):
            errors.setdefault("salary_step", []).append(
                _("Ngạch và bậc lương phải khai cùng nhau.")
            )
        if self.school_id is not None:
            if not self.school_level:
                errors.setdefault("school_level", []).append(_("Hãy chọn cấp học của giáo viên."))
            school_unit = self.school.org_unit if self.school is not None else None
            if (
                school_unit is not None
                and self.org_unit_id is not None
                and not self.org_unit.path.startswith(school_unit.path)
            ):
                errors.setdefault("school", []).append(
                    _("Giáo viên phải công tác tại trường đã chọn (hoặc một tổ của trường).")
                )
            if rank is not None and rank.school_level and rank.school_level != self.school_level:
                errors.setdefault("rank", []).append(
                    _("Chức danh %(rank)s không phải của cấp học đã chọn.") % {"rank": rank.code}
                )
        elif self.school_level or self.subjects:
            errors.setdefault("school", []).append(
                _("Cấp học và môn giảng dạy chỉ khai cho giáo viên (chọn trường).")
            )
        if errors:
            raise ValidationError(errors)


# --- Career records -----------------------------------------------------------------------


class CareerRecord(AuditedModel):
    """Base of the rows of a member's career: audited, listed newest first."""

    member = models.ForeignKey(
        StaffMember, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True


class Qualification(CareerRecord):
    """A degree or certificate (trình độ đào tạo): professional, political theory, …"""

    kind = models.CharField(_("loại"), max_length=20, choices=QualificationKind.choices)
    level = models.CharField(_("trình độ"), max_length=20, choices=DegreeLevel.choices)
    major = models.CharField(_("chuyên ngành"), max_length=150, blank=True)
    institution = models.CharField(_("cơ sở đào tạo"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(
        _("năm tốt nghiệp"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )

    class Meta:
        verbose_name = _("trình độ đào tạo")
        verbose_name_plural = _("trình độ đào tạo")
        ordering = ["member", "-year", "-pk"]
        indexes = [models.Index(fields=["member", "-year"], name="staff_qual_member")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.major}".strip()


class TrainingCourse(CareerRecord):
    """A training course attended (đào tạo, bồi dưỡng)."""

    name = models.CharField(_("tên khóa học"), max_length=200)
    institution = models.CharField(_("cơ sở đào tạo"), max_length=200, blank=True)
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)
    certificate = models.CharField(_("văn bằng, chứng chỉ"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("khóa đào tạo, bồi dưỡng")
        verbose_name_plural = _("đào tạo, bồi dưỡng")
        ordering = ["member", "-start_date", "-pk"]
        indexes = [models.Index(fields=["member", "-start_date"], name="staff_training_member")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Ngày kết thúc trước ngày bắt đầu.")})


class Appointment(CareerRecord):
    """An appointment to a post (bổ nhiệm) by a decision, for a term (5 years by default)."""

    position = models.ForeignKey(
        Position, verbose_name=_("chức vụ"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    # Blank only for appointments carried over from an import of older records.
    decision_number = models.CharField(_("số quyết định"), max_length=50, blank=True)
    decision_date = models.DateField(_("ngày quyết định"))
    effective_date = models.DateField(_("ngày hiệu lực"))
    term_years = models.PositiveSmallIntegerField(
        _("thời hạn (năm)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    ended_on = models.DateField(_("thôi giữ chức vụ từ"), null=True, blank=True)

    class Meta:
        verbose_name = _("bổ nhiệm")
        verbose_name_plural = _("quá trình bổ nhiệm")
        ordering = ["member", "-effective_date", "-pk"]
        indexes = [models.Index(fields=["member", "-effective_date"], name="staff_appt_member")]

    def __str__(self) -> str:
        return f"{self.position} — {self.decision_number}"

    @property
    def term_ends(self) -> datetime.date:
        """The day the term ends (Law 22/2008 Art. 51.2: 5 years)."""
        return pay.add_months(self.effective_date, 12 * self.term_years)

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class SalaryChange(CareerRecord):
    """One step of a member's salary history (quá trình lương): rank, step, coefficient."""

    rank = models.ForeignKey(
        Rank, verbose_name=_("ngạch, chức danh"), on_delete=models.PROTECT, related_name="+"
    )
    step = models.PositiveSmallIntegerField(_("bậc"))
    coefficient = models.DecimalField(_("hệ số lương"), max_digits=4, decimal_places=2)
    over_scale_percent = models.PositiveSmallIntegerField(_("vượt khung (%)"), default=0)
    effective_date = models.DateField(_("ngày hưởng"))
    reason = models.CharField(_("lý do"), max_length=20, choices=SalaryChangeReason.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=50, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)

    class Meta:
        verbose_name = _("thay đổi lương")
        verbose_name_plural = _("quá trình lương")
        ordering = ["member", "-effective_date", "-pk"]
        indexes = [models.Index(fields=["member", "-effective_date"], name="staff_salary_member")]

    def __str__(self) -> str:
        return f"{self.rank.code} bậc {self.step} ({self.coefficient})"


class Reward(CareerRecord):
    """A commendation or emulation title (khen thưởng)."""

    form = models.CharField(_("hình thức"), max_length=30, choices=RewardForm.choices)
    content = models.CharField(_("nội dung"), max_length=300, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=50)
    decision_date = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cấp quyết định"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        ordering = ["member", "-decision_date", "-pk"]
        indexes = [models.Index(fields=["member", "-decision_date"], name="staff_reward_member")]

    def __str__(self) -> str:
        return f"{self.get_form_display()} — {self.decision_number}"


class Discipline(CareerRecord):
    """A disciplinary measure (kỷ luật); it may push the next regular raise back."""

    form = models.CharField(_("hình thức"), max_length=20, choices=DisciplineForm.choices)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=50)
    decision_date = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cấp quyết định"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kỷ luật")
        verbose_name_plural = _("kỷ luật")
        ordering = ["member", "-decision_date", "-pk"]
        indexes = [
            models.Index(fields=["member", "-decision_date"], name="staff_discipline_member")
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} — {self.decision_number}"


#: The career record kinds, by their URL segment: model, tab label.
CAREER_KINDS: dict[str, type[CareerRecord]] = {
    "trinh-do": Qualification,
    "dao-tao": TrainingCourse,
    "khen-thuong": Reward,
    "ky-luat": Discipline,
}
