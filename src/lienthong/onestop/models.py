"""Một cửa điện tử: procedures (thủ tục hành chính), dossiers (hồ sơ) and what they produce.

Statuses and channels carry the codes of the national synchronisation (DOMAIN.md, "One-stop
shop"); time limits are counted by the calendar kernel only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel
from lienthong.core.permissions import ScopedQuerySet, grants_of

if TYPE_CHECKING:
    from lienthong.accounts.models import User
    from lienthong.core.models import OrgUnit


class Field(models.Model):
    """A field of procedures — lĩnh vực — e.g. Hộ tịch, Đất đai."""

    code = models.SlugField(_("mã lĩnh vực"), max_length=120, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255, unique=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    """Level of government that handles a procedure (cấp thực hiện), as stable codes."""

    MINISTRY = "ministry", _("Cấp bộ")
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")
    OTHER = "other", _("Cơ quan khác")


class TimeUnit(models.TextChoices):
    """How a statutory time limit is counted."""

    WORKING_DAYS = "working_days", _("Ngày làm việc")
    DAYS = "days", _("Ngày")
    HOURS = "hours", _("Giờ làm việc")


class OnlineLevel(models.TextChoices):
    """Level of online service (Decree 45/2020)."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")


class ProcedureQuerySet(models.QuerySet["Procedure"]):
    """Named filters over the catalogue (public data: no scope)."""

    def active(self) -> ProcedureQuerySet:
        return self.filter(is_active=True)

    def at_level(self, level: str) -> ProcedureQuerySet:
        """Procedures handled at `level` (a `Level` code).

        `levels` is a short JSON list of distinct codes; SQLite has no JSON containment
        lookup, so each position is compared (the same SQL shape on both databases).
        """
        condition = Q()
        for position in range(len(Level.values)):
            condition |= Q(**{f"levels__{position}": level})
        return self.filter(condition)

    def received_by(self, agency: OrgUnit) -> ProcedureQuerySet:
        """Procedures the agency receives (its own links, not those of units below it)."""
        return self.filter(agencies=agency)


class Procedure(AuditedModel):
    """An administrative procedure — thủ tục hành chính — as published in the catalogue.

    Values the source did not give are null and named in `missing`, so the UI can say so.
    """

    code = models.CharField(_("mã thủ tục"), max_length=40, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=1000)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("lĩnh vực")
    )
    levels = models.JSONField(_("cấp thực hiện"), default=list, blank=True)
    agency_text = models.CharField(_("cơ quan thực hiện"), max_length=1000, blank=True)
    competent_authority = models.CharField(_("cơ quan có thẩm quyền"), max_length=1000, blank=True)
    agencies = models.ManyToManyField(
        "core.OrgUnit",
        verbose_name=_("cơ quan tiếp nhận"),
        related_name="procedures",
        blank=True,
    )
    time_limit_value = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    time_limit_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=15, choices=TimeUnit.choices, blank=True
    )
    time_limit_text = models.CharField(_("thời hạn theo nguồn"), max_length=500, blank=True)
    fee_amount = models.BigIntegerField(_("phí, lệ phí (đồng)"), null=True, blank=True)
    fee_text = models.TextField(_("phí, lệ phí theo nguồn"), blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    legal_basis_text = models.TextField(_("căn cứ pháp lý (văn bản gốc)"), blank=True)
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=10, choices=OnlineLevel.choices, blank=True
    )
    channels = models.JSONField(_("cách thức thực hiện"), default=list, blank=True)
    is_inter_agency = models.BooleanField(_("liên thông"), default=False)
    applicant_types = models.TextField(_("đối tượng thực hiện"), blank=True)
    result_text = models.TextField(_("kết quả thực hiện"), blank=True)
    procedure_type = models.CharField(_("loại thủ tục"), max_length=255, blank=True)
    publishing_decision = models.CharField(_("quyết định công bố"), max_length=255, blank=True)
    source = models.JSONField(_("nguồn dữ liệu"), default=dict, blank=True)
    missing = models.JSONField(
        _("thông tin nguồn không có"),
        default=list,
        blank=True,
        help_text=_("Tên các trường mà nguồn dữ liệu không cung cấp."),
    )
    process_template = models.ForeignKey(
        "workflow.ProcessTemplate",
        verbose_name=_("quy trình nội bộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["field__name", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level_labels(self) -> list[str]:
        """The levels by their names (Cấp tỉnh, Cấp xã), in stored order."""
        return [str(Level(code).label) if code in Level.values else code for code in self.levels]


class ProcedureComponent(models.Model):
    """A document the applicant submits — thành phần hồ sơ."""

    class CopyType(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        CERTIFIED_COPY = "certified_copy", _("Bản sao có chứng thực")
        COPY = "copy", _("Bản sao")
        ORIGINAL_OR_COPY = "original_or_copy", _("Bản chính hoặc bản sao")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    # The portal's group headings run to 700 characters (whole sentences describing a case).
    group = models.TextField(_("nhóm"), blank=True)
    name = models.TextField(_("tên giấy tờ"))
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    copy_type = models.CharField(_("loại bản"), max_length=20, choices=CopyType.choices, blank=True)
    form_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=255, blank=True)
    form_file = models.FileField(_("tệp mẫu"), upload_to="onestop/forms/", blank=True)
    is_required = models.BooleanField(_("bắt buộc"), default=True)
    # Sensitive personal data (Decree 13/2023/NĐ-CP, Art. 2(4)): officials' downloads of such
    # files are written to the privacy app's access log (`views_intake.component_file`).
    sensitive = models.BooleanField(
        _("dữ liệu nhạy cảm"),
        default=False,
        help_text=_("Ảnh căn cước, giấy tờ tùy thân: mỗi lần cán bộ tải tệp đều được ghi nhật ký."),
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "order"], name="component_unique_order"),
        ]

    def __str__(self) -> str:
        return self.name[:120]


class DossierStatus(models.IntegerChoices):
    """Dossier statuses with the codes used for national synchronisation."""

    NEW = 1, _("Mới đăng ký")
    ACCEPTED = 2, _("Được tiếp nhận")
    REFUSED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung")
    FINANCIAL_OBLIGATION = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    PROCESSED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


class Channel(models.TextChoices):
    """How a dossier reached the one-stop desk."""

    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Dịch vụ bưu chính")


class Timeliness(models.TextChoices):
    """On-time class of a settled dossier (DOMAIN.md)."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class DossierQuerySet(ScopedQuerySet["Dossier"]):
    """Named filters over dossiers.

    Visibility (`visible_to`): the applicant sees their own dossiers; an official sees a
    dossier when one of their role grants covers the receiving agency (the one-stop desk that
    returns the result), the agency handling its case now (after a hand-over — một cửa liên
    thông), or the unit of any task of its case (a step owned by another unit); and a dossier
    whose case has a task assigned to them personally.
    """

    scope_field = "agency"

    def own_rows(self, user: User) -> Q:
        return Q(applicant=user)

    def scope_condition(self, user: User, *, roles: Iterable[str] | None = None) -> Q:
        from lienthong.workflow.models import Task

        receiving = super().scope_condition(user, roles=roles)
        grants = grants_of(user, roles if roles is not None else self.scope_roles)
        handling = Exists(
            grants.filter(StartsWith(OuterRef("case__agency__path"), F("org_unit__path")))
        )
        # Grants covering a task's unit: correlated to the task, itself correlated to the row.
        covers_task = Exists(
            grants.filter(StartsWith(OuterRef("org_unit__path"), F("org_unit__path")))
        )
        task_units = Exists(
            Task.objects.filter(case_id=OuterRef("case_id")).filter(covers_task | Q(assignee=user))
        )
        return receiving | Q(handling) | Q(task_units)

    def awaiting_applicant(self) -> DossierQuerySet:
        """Dossiers waiting on the applicant: a supplement or a financial obligation."""
        return self.filter(
            status__in=[DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.FINANCIAL_OBLIGATION]
        )


class Dossier(AuditedModel):
    """A dossier — hồ sơ thủ tục hành chính — from submission to returned result."""

    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("Cá nhân")
        ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")

    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục")
    )
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("lĩnh vực")
    )
    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=Channel.choices)
    status = models.PositiveSmallIntegerField(
        _("trạng thái"), choices=DossierStatus.choices, default=DossierStatus.NEW
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản người nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant_kind = models.CharField(
        _("loại người nộp"),
        max_length=15,
        choices=ApplicantKind.choices,
        default=ApplicantKind.PERSON,
    )
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=255)
    applicant_personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    applicant_tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    applicant_admin_unit = models.ForeignKey(
        "core.AdminUnit",
        verbose_name=_("xã/phường cư trú"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), default=timezone.now)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("ngày hẹn trả"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True)
    original_due_date = models.DateField(_("ngày hẹn trả ban đầu"), null=True, blank=True)
    processed_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    timeliness = models.CharField(
        _("tiến độ"), max_length=10, choices=Timeliness.choices, blank=True
    )
    late_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị làm trễ hạn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_reason = models.TextField(_("lý do từ chối"), blank=True)
    fee_amount = models.BigIntegerField(_("phí, lệ phí (đồng)"), null=True, blank=True)
    case = models.OneToOneField(
        "workflow.Case",
        verbose_name=_("hồ sơ công việc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier",
    )

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["applicant_personal_id"]),
            models.Index(fields=["status", "due_at"]),
            # Statistics (onestop.stats, form II.06a): each report query walks one of these
            # per field or per agency over a range of moments, answered from the index alone.
            models.Index(
                fields=["field", "received_at", "status", "channel", "agency"],
                name="dossier_stats_field_received",
            ),
            models.Index(
                fields=["agency", "received_at", "status", "channel", "field"],
                name="dossier_stats_agency_received",
            ),
            models.Index(
                fields=[
                    "field",
                    "processed_at",
                    "status",
                    "timeliness",
                    "received_at",
                    "original_due_date",
                    "due_date",
                    "late_unit",
                    "agency",
                ],
                name="dossier_stats_field_processed",
            ),
            models.Index(
                fields=[
                    "agency",
                    "processed_at",
                    "status",
                    "timeliness",
                    "received_at",
                    "original_due_date",
                    "due_date",
                    "late_unit",
                    "field",
                ],
                name="dossier_stats_agency_processed",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class DossierCounter(models.Model):
    """The day's last dossier number per agency: codes are `{agency}-{yyMMdd}-{NNNN}`."""

    agency = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossiercounter_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last_value}"


class DossierComponent(models.Model):
    """A document received with a dossier (ticked at the counter or uploaded online)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        ProcedureComponent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.TextField(_("tên giấy tờ"))
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    received = models.BooleanField(_("đã nhận"), default=False)
    file = models.FileField(_("tệp"), upload_to="onestop/dossiers/%Y/%m/", blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    reused_document = models.ForeignKey(
        "onestop.CitizenDocument",
        verbose_name=_("dùng lại giấy tờ đã có"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("giấy tờ của hồ sơ")
        verbose_name_plural = _("giấy tờ của hồ sơ")

    def __str__(self) -> str:
        return self.name[:120]


class DossierHistory(models.Model):
    """A status change of a dossier, as the applicant and the portal see it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="history")
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=DossierStatus.choices)
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_note = models.TextField(_("thông tin cho người nộp"), blank=True)
    internal_note = models.TextField(_("ghi chú nội bộ"), blank=True)

    class Meta:
        verbose_name = _("lịch sử hồ sơ")
        verbose_name_plural = _("lịch sử hồ sơ")
        ordering = ["dossier", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.get_status_display()}"


class SupplementRequest(models.Model):
    """A request to complete the dossier — phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (form 02)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    items = models.JSONField(_("giấy tờ cần bổ sung"), default=list)
    reason = models.TextField(_("lý do"))
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    supplied_at = models.DateTimeField(null=True, blank=True)
    supplied_note = models.TextField(blank=True)
    submitted_at = models.DateTimeField(_("người nộp gửi bổ sung lúc"), null=True, blank=True)
    submitted_note = models.TextField(_("ghi chú của người nộp"), blank=True)
    components = models.ManyToManyField(
        DossierComponent, verbose_name=_("giấy tờ đã bổ sung"), blank=True, related_name="+"
    )
    supplied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận đã nhận đủ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_due_date = models.DateField(_("ngày hẹn trả mới"), null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")

    def __str__(self) -> str:
        return f"{self.dossier} {self.requested_at:%d/%m/%Y}"


class FinancialObligation(models.Model):
    """A fee or tax the applicant must pay before the result — nghĩa vụ tài chính."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="obligations")
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    description = models.TextField(_("nội dung"))
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận đã nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("nghĩa vụ tài chính")
        verbose_name_plural = _("nghĩa vụ tài chính")

    def __str__(self) -> str:
        return f"{self.dossier} {self.amount}"


class ApologyLetter(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả, written by the unit that made it late."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    late_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    reason = models.TextField(_("lý do"))
    original_due_date = models.DateField(_("ngày hẹn trả cũ"))
    new_due_date = models.DateField(_("ngày hẹn trả mới"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("phiếu xin lỗi")
        verbose_name_plural = _("phiếu xin lỗi")

    def __str__(self) -> str:
        return f"{self.dossier} → {self.new_due_date:%d/%m/%Y}"


class DossierResult(models.Model):
    """The result document of a dossier — kết quả giải quyết."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="result")
    title = models.CharField(_("tên kết quả"), max_length=500)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    file = models.FileField(_("tệp kết quả"), upload_to="onestop/results/%Y/%m/")
    issued_at = models.DateTimeField(_("ngày ban hành"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)

    class Meta:
        verbose_name = _("kết quả giải quyết")
        verbose_name_plural = _("kết quả giải quyết")

    def __str__(self) -> str:
        return self.title


class CitizenDocumentQuerySet(models.QuerySet["CitizenDocument"]):
    """Named filters over the applicants' data store."""

    def owned_by(self, user: User) -> CitizenDocumentQuerySet:
        """Documents of the user's account, or issued to their personal ID."""
        condition = Q(owner=user)
        if getattr(user, "personal_id", None):
            condition |= Q(owner_personal_id=user.personal_id)
        return self.filter(condition)

    def valid_on(self, day: datetime.date) -> CitizenDocumentQuerySet:
        """Documents still in force on `day` (no end date, or one not yet passed)."""
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


class CitizenDocument(models.Model):
    """A document kept for reuse in the applicant's data store — kho dữ liệu điện tử
    (Decree 45/2020): a result issued once need not be submitted again."""

    owner_personal_id = models.CharField(max_length=12, blank=True, db_index=True)
    owner_tax_code = models.CharField(max_length=14, blank=True, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    title = models.CharField(_("tên giấy tờ"), max_length=500)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    file = models.FileField(_("tệp"), upload_to="onestop/store/%Y/%m/")
    issued_at = models.DateTimeField(_("ngày cấp"), default=timezone.now)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    source_dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CitizenDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("giấy tờ trong kho dữ liệu")

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """A message sent to an applicant (email or SMS), kept as proof it was sent."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Thư điện tử")
        SMS = "sms", _("Tin nhắn")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")

    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    event_id = models.UUIDField(null=True, blank=True)
    kind = models.CharField(_("loại thông báo"), max_length=30, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        constraints = [
            # One message per event, channel and recipient: a redelivered event adds none.
            models.UniqueConstraint(
                fields=["event_id", "channel", "recipient"],
                condition=Q(event_id__isnull=False),
                name="notification_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient}"
