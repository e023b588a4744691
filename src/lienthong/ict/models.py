"""ICT infrastructure and information-security inventory (hạ tầng CNTT, an toàn thông tin).

Each agency files one inventory report per reporting period (computers, servers, networks,
firewalls, antivirus, IT staff, software in use); the provincial IT department accepts or
returns it. Indicators (`indicators.py`) are computed from the accepted reports and compared
with dated targets. A security checklist (items are data) is kept per agency, and incidents
run on a 24-hour initial notice clock and a 72-hour full report clock.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel, OrgUnit
from lienthong.core.permissions import ScopedQuerySet, is_official_user, is_real_user

if TYPE_CHECKING:
    from lienthong.accounts.models import User

#: The role of the provincial IT department: sees every agency, accepts reports, keeps targets.
IT_ADMIN_ROLE = "it_admin"
#: Roles that may edit their own agency's report, checklist and incidents.
EDITOR_ROLES = frozenset({"it_admin", "specialist", "clerk"})
#: Hours from detection to the initial notice and to the full report of an incident.
INITIAL_NOTICE_HOURS = 24
FULL_REPORT_HOURS = 72


def is_ict_admin(user: Any) -> bool:
    """A superuser or an official holding the role it_admin (the provincial IT department)."""
    if not is_real_user(user):
        return False
    if user.is_superuser:
        return True
    return bool(
        is_official_user(user)
        and user.role_assignments.filter(role=IT_ADMIN_ROLE, org_unit__isnull=False).exists()
    )


class Level(models.TextChoices):
    """The administrative level an agency works at."""

    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class Category(models.TextChoices):
    """Which group of agencies the report states figures for."""

    PROVINCE_COMMITTEE = "province_committee", _("UBND tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    DISTRICT_COMMITTEE = "district_committee", _("UBND cấp huyện")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND cấp xã")
    OTHER = "other", _("Cơ quan khác")


class ScopedByAgency(ScopedQuerySet[Any]):
    """Rows of an agency: seen within role scopes, and all of them by the IT department."""

    scope_field = "agency"

    def visible_to(self, user: Any, *, roles: Any = None) -> Self:
        """Everything for the IT department; otherwise the rows of the user's units."""
        if roles is None and is_ict_admin(user):
            return self.all()
        return super().visible_to(user, roles=roles)


class ReportingPeriod(AuditedModel):
    """A reporting period (kỳ báo cáo), e.g. a year or a half-year; open or closed."""

    code = models.SlugField(_("mã kỳ"), max_length=20, unique=True)
    name = models.CharField(_("tên kỳ"), max_length=100)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    is_open = models.BooleanField(_("đang mở"), default=True)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="ict_period_end")
        ]

    def __str__(self) -> str:
        return self.name


class Software(models.Model):
    """A kind of software an agency may use (danh mục phần mềm), kept as data."""

    #: The catalogue code of document-management software (quản lý văn bản và điều hành).
    DOCUMENT_MANAGEMENT = "qlvb"

    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=150)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng trong danh mục"), default=True)

    class Meta:
        verbose_name = _("phần mềm")
        verbose_name_plural = _("danh mục phần mềm")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ReportStatus(models.TextChoices):
    """Where an inventory report stands."""

    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Bị trả lại")


class InventoryReportQuerySet(ScopedByAgency):
    """Named filters over inventory reports."""

    def counted(self) -> Self:
        """Reports whose figures count: submitted or accepted."""
        return self.filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])


class InventoryReport(AuditedModel):
    """One agency's ICT inventory for one period (báo cáo hiện trạng CNTT)."""

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("kỳ báo cáo"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    category = models.CharField(_("nhóm"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    staff = models.PositiveIntegerField(_("số cán bộ, công chức"), default=0)
    staff_with_computer = models.PositiveIntegerField(_("số cán bộ có máy tính"), default=0)
    computers = models.PositiveIntegerField(_("số máy tính"), default=0)
    computers_with_antivirus = models.PositiveIntegerField(
        _("số máy tính có phần mềm diệt virus"), default=0
    )
    servers = models.PositiveIntegerField(_("số máy chủ"), default=0)
    has_lan = models.BooleanField(_("có mạng LAN"), default=False)
    has_fibre = models.BooleanField(_("có kết nối cáp quang"), default=False)
    has_wireless = models.BooleanField(_("có mạng không dây"), default=False)
    dedicated_network = models.BooleanField(
        _("kết nối mạng truyền số liệu chuyên dùng"), default=False
    )
    dedicated_network_points = models.PositiveIntegerField(
        _("số điểm kết nối mạng chuyên dùng"), default=0
    )
    lans = models.PositiveIntegerField(_("số mạng LAN"), default=0)
    lans_protected = models.PositiveIntegerField(
        _("số mạng LAN có tường lửa và phát hiện xâm nhập"), default=0
    )
    it_staff = models.PositiveIntegerField(_("số cán bộ chuyên trách CNTT"), default=0)
    software = models.ManyToManyField(
        Software, verbose_name=_("phần mềm đang dùng"), blank=True, related_name="+"
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("chấp nhận lúc"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người chấp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = InventoryReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo hiện trạng CNTT")
        verbose_name_plural = _("báo cáo hiện trạng CNTT")
        ordering = ["period", "agency__path"]
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="ict_report_once"),
            models.CheckConstraint(
                condition=Q(staff_with_computer__lte=models.F("staff")),
                name="ict_staff_with_computer_le_staff",
            ),
            models.CheckConstraint(
                condition=Q(computers_with_antivirus__lte=models.F("computers")),
                name="ict_antivirus_le_computers",
            ),
            models.CheckConstraint(
                condition=Q(lans_protected__lte=models.F("lans")), name="ict_protected_le_lans"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.period}"

    @property
    def is_editable(self) -> bool:
        """Drafts and returned reports can still be changed by their agency."""
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class IndicatorTarget(AuditedModel):
    """A dated target for one indicator (chỉ tiêu), e.g. 91 communes connected by 31/12."""

    indicator = models.CharField(_("chỉ số"), max_length=40)
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=12, decimal_places=2)
    due = models.DateField(_("hạn"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["indicator", "due"]

    def __str__(self) -> str:
        return f"{self.indicator} ≥ {self.value} ({self.due:%d/%m/%Y})"


class ChecklistItem(AuditedModel):
    """An item of the information-security checklist (tiêu chí an toàn thông tin), as data."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    title = models.CharField(_("nội dung"), max_length=255)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    source_confirmed = models.BooleanField(
        _("căn cứ đã đối chiếu"),
        default=False,
        help_text=_("Bỏ chọn khi chưa đối chiếu được với văn bản gốc."),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("tiêu chí an toàn thông tin")
        verbose_name_plural = _("tiêu chí an toàn thông tin")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.title


class ComplianceStatus(models.TextChoices):
    """An agency's standing on one checklist item."""

    MET = "met", _("Đạt")
    NOT_MET = "not_met", _("Chưa đạt")
    NOT_APPLICABLE = "na", _("Không áp dụng")


class ComplianceQuerySet(ScopedByAgency):
    """Checklist answers, scoped by agency."""


class Compliance(AuditedModel):
    """One agency's status on one checklist item, with its evidence (minh chứng)."""

    audit_exclude = ("evidence",)

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("tiêu chí"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    status = models.CharField(_("kết quả"), max_length=8, choices=ComplianceStatus.choices)
    note = models.TextField(_("minh chứng, ghi chú"), blank=True)
    evidence = models.FileField(_("tệp minh chứng"), upload_to="ict/evidence/%Y/%m/", blank=True)
    evidence_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = ComplianceQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả tiêu chí")
        verbose_name_plural = _("kết quả tiêu chí")
        ordering = ["agency__path", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "item"], name="ict_compliance_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.item}"


class IncidentStatus(models.TextChoices):
    """Where an incident report stands."""

    OPEN = "open", _("Mới phát hiện")
    NOTIFIED = "notified", _("Đã báo cáo ban đầu")
    REPORTED = "reported", _("Đã báo cáo đầy đủ")
    CLOSED = "closed", _("Đã đóng")


class IncidentQuerySet(ScopedByAgency):
    """Named filters over incidents."""

    def overdue(self, now: datetime.datetime | None = None) -> Self:
        """Incidents whose initial notice or full report is missing past its clock."""
        now = now or timezone.now()
        initial = now - datetime.timedelta(hours=INITIAL_NOTICE_HOURS)
        full = now - datetime.timedelta(hours=FULL_REPORT_HOURS)
        return self.filter(
            Q(initial_notice_at__isnull=True, detected_at__lt=initial)
            | Q(full_report_at__isnull=True, detected_at__lt=full)
        )


class Incident(AuditedModel):
    """An information-security incident (sự cố an toàn thông tin) at an agency."""

    class Severity(models.TextChoices):
        LOW = "low", _("Thấp")
        MEDIUM = "medium", _("Trung bình")
        HIGH = "high", _("Cao")

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("tóm tắt"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    severity = models.CharField(
        _("mức độ"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    detected_at = models.DateTimeField(_("phát hiện lúc"))
    initial_notice_at = models.DateTimeField(_("báo cáo ban đầu lúc"), null=True, blank=True)
    full_report_at = models.DateTimeField(_("báo cáo đầy đủ lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=IncidentStatus.choices,
        default=IncidentStatus.OPEN,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người báo cáo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự cố an toàn thông tin")
        verbose_name_plural = _("sự cố an toàn thông tin")
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def initial_due(self) -> datetime.datetime:
        """When the initial notice is due (24 calendar hours after detection)."""
        return self.detected_at + datetime.timedelta(hours=INITIAL_NOTICE_HOURS)

    @property
    def full_due(self) -> datetime.datetime:
        """When the full report is due (72 calendar hours after detection)."""
        return self.detected_at + datetime.timedelta(hours=FULL_REPORT_HOURS)

    def initial_overdue(self, now: datetime.datetime | None = None) -> bool:
        """The initial notice is late: missing past its clock, or sent after it."""
        now = now or timezone.now()
        if self.initial_notice_at is None:
            return now > self.initial_due
        return self.initial_notice_at > self.initial_due

    def full_overdue(self, now: datetime.datetime | None = None) -> bool:
        """The full report is late: missing past its clock, or sent after it."""
        now = now or timezone.now()
        if self.full_report_at is None:
            return now > self.full_due
        return self.full_report_at > self.full_due


def user_label(user: User | None) -> str:
    """How a user is named on pages."""
    if user is None:
        return ""
    return user.full_name or user.username
