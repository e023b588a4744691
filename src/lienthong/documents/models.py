"""Official documents (Decree 30/2020/NĐ-CP): types, levels, number series, and the index.

The base shared by incoming documents (this app) and outgoing documents
(`lienthong.documents.outgoing`): document types of Appendix III, urgency and secrecy levels,
the yearly number series of each agency, and `DocumentIndex`, the one row per document that
the documents search filters on (see `searching.py`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel
from lienthong.documents.visibility import DocumentQuerySet


class Urgency(models.IntegerChoices):
    """Mức độ khẩn; the values are edXML's OtherInfo/Priority (QCVN 102:2016)."""

    NORMAL = 0, _("Thường")
    URGENT = 1, _("Khẩn")
    VERY_URGENT = 2, _("Thượng khẩn")
    FLASH = 3, _("Hỏa tốc")
    FLASH_TIMED = 4, _("Hỏa tốc hẹn giờ")


class Secrecy(models.IntegerChoices):
    """Độ mật (Law on Protection of State Secrets 2018): mật, tối mật, tuyệt mật."""

    NORMAL = 0, _("Thường")
    CONFIDENTIAL = 1, _("Mật")
    SECRET = 2, _("Tối mật")
    TOP_SECRET = 3, _("Tuyệt mật")


class Direction(models.TextChoices):
    """Văn bản đến or văn bản đi."""

    INCOMING = "incoming", _("Văn bản đến")
    OUTGOING = "outgoing", _("Văn bản đi")


class DocumentType(models.Model):
    """A type of administrative document and its abbreviation (Decree 30/2020, Appendix III)."""

    code = models.CharField(_("chữ viết tắt"), max_length=10, unique=True)
    name = models.CharField(_("tên loại văn bản"), max_length=100)
    has_code = models.BooleanField(
        _("ký hiệu có tên loại"),
        default=True,
        help_text=_("Bỏ chọn cho công văn: số, ký hiệu không có chữ viết tắt tên loại."),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("loại văn bản")
        verbose_name_plural = _("loại văn bản")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.has_code else str(self.name)


class NumberSeries(models.Model):
    """The last number given in one agency's register for one year (numbers restart on 1/1)."""

    class Series(models.TextChoices):
        INCOMING = "incoming", _("Văn bản đến")
        OUTGOING = "outgoing", _("Văn bản đi")
        LEGAL = "legal", _("Văn bản quy phạm pháp luật")
        SECRET = "secret", _("Văn bản mật")

    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="document_number_series",
    )
    series = models.CharField(_("sổ"), max_length=10, choices=Series.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    last_number = models.PositiveIntegerField(_("số cuối cùng đã cấp"), default=0)

    class Meta:
        verbose_name = _("sổ đăng ký số")
        verbose_name_plural = _("sổ đăng ký số")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "series", "year"], name="documents_numberseries_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.series}/{self.year}: {self.last_number}"


class DocumentIndex(models.Model):
    """One document (incoming or outgoing) as the documents search filters and shows it."""

    direction = models.CharField(_("loại sổ"), max_length=10, choices=Direction.choices)
    object_id = models.PositiveBigIntegerField(_("mã văn bản"))
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    access_units = models.ManyToManyField(
        "core.OrgUnit",
        verbose_name=_("đơn vị được giao"),
        related_name="+",
        blank=True,
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    date = models.DateField(_("ngày"))
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("loại văn bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number_notation = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    issuer_folded = models.CharField(max_length=255, blank=True)
    subject = models.TextField(_("trích yếu"))
    urgency = models.PositiveSmallIntegerField(
        _("độ khẩn"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.PositiveSmallIntegerField(
        _("độ mật"), choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    url = models.CharField(max_length=300, blank=True)
    entry = models.ForeignKey(
        "search.SearchEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản (chỉ mục)")
        verbose_name_plural = _("văn bản (chỉ mục)")
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "object_id"], name="documents_index_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "-date", "-id"], name="documents_index_agency_date"),
            models.Index(fields=["-date", "-id"], name="documents_index_date"),
            # A year filter (the search's most common one) then reads its year newest first
            # instead of walking every later year's rows on the date index.
            models.Index(fields=["year", "-date", "-id"], name="documents_index_year_date"),
            # An issuer filter reads that issuer's rows newest first (and the search lists the
            # distinct issuer names from it, one seek per name).
            models.Index(
                fields=["issuer_folded", "-date", "-id"], name="documents_index_issuer_date"
            ),
            # A type filter, with or without a year, reads that type newest first.
            models.Index(
                fields=["document_type", "year", "-date", "-id"], name="documents_index_type_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number_notation} {self.subject[:60]}"


# --- Incoming documents (văn bản đến) -------------------------------------------------------


class IncomingQuerySet(DocumentQuerySet):
    """Incoming documents; `visible_to(user)` applies the documents visibility rule."""

    def registered(self) -> IncomingQuerySet:
        """Documents in the register (numbered): not those merely arrived or refused."""
        return self.exclude(
            status__in=[IncomingDocument.Status.ARRIVED, IncomingDocument.Status.REFUSED]
        )


class IncomingDocument(AuditedModel):
    """An incoming document (văn bản đến) of an agency, from arrival to completion."""

    class Status(models.TextChoices):
        ARRIVED = "arrived", _("Đã đến, chờ tiếp nhận")
        REFUSED = "refused", _("Từ chối tiếp nhận")
        PRESENTED = "presented", _("Chờ phân công")
        ASSIGNED = "assigned", _("Đang xử lý")
        DONE = "done", _("Đã hoàn thành")

    class Source(models.TextChoices):
        PAPER = "paper", _("Văn bản giấy")
        ELECTRONIC = "electronic", _("Văn bản điện tử (edXML)")

    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan nhận"),
        on_delete=models.PROTECT,
        related_name="incoming_documents",
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PRESENTED
    )
    source = models.CharField(
        _("nguồn"), max_length=10, choices=Source.choices, default=Source.PAPER
    )
    arrival_year = models.PositiveSmallIntegerField(_("năm đăng ký"), null=True, blank=True)
    arrival_number = models.PositiveIntegerField(_("số đến"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("thời gian đến"))
    registered_at = models.DateTimeField(_("thời gian vào sổ"), null=True, blank=True)
    issuer = models.CharField(_("tác giả (cơ quan ban hành)"), max_length=255)
    issuer_folded = models.CharField(max_length=255, editable=False, default="")
    issuer_code = models.CharField(_("mã định danh cơ quan ban hành"), max_length=20, blank=True)
    code_number = models.CharField(_("số"), max_length=20, blank=True)
    code_notation = models.CharField(_("ký hiệu"), max_length=80, blank=True)
    issued_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("loại văn bản"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.TextField(_("trích yếu nội dung"))
    urgency = models.PositiveSmallIntegerField(
        _("độ khẩn"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.PositiveSmallIntegerField(
        _("độ mật"), choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    recipient = models.CharField(_("đơn vị hoặc người nhận"), max_length=255, blank=True)
    signer = models.CharField(_("người ký"), max_length=150, blank=True)
    due_date = models.DateField(_("hạn trả lời (ghi trên văn bản)"), null=True, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("trùng với"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refusal_reason = models.TextField(_("lý do từ chối"), blank=True)
    package = models.ForeignKey(
        "exchange_adapters.EdxmlPackage",
        verbose_name=_("gói edXML"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edxml_document_id = models.CharField(_("mã văn bản edXML"), max_length=200, blank=True)
    # Assignment by the leader.
    lead_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateTimeField(_("hạn xử lý"), null=True, blank=True)
    instruction = models.TextField(_("ý kiến chỉ đạo"), blank=True)
    assigned_at = models.DateTimeField(_("ngày chuyển"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(_("ngày hoàn thành"), null=True, blank=True)
    completed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(_("kết quả xử lý"), blank=True)
    registered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    presentation_task = models.ForeignKey(
        "workflow.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    access_units = models.ManyToManyField(
        "core.OrgUnit", verbose_name=_("đơn vị được giao"), related_name="+", blank=True
    )

    objects = IncomingQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản đến")
        verbose_name_plural = _("văn bản đến")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "arrival_year", "arrival_number"],
                name="documents_incoming_arrival_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["agency", "issuer_folded", "code_number", "code_notation"],
                name="documents_incoming_dup",
            ),
            models.Index(fields=["agency", "status"], name="documents_incoming_status"),
        ]

    def __str__(self) -> str:
        return f"{self.arrival_number or '—'}: {self.number_notation} {self.subject[:60]}"

    @property
    def number_notation(self) -> str:
        """Số, ký hiệu as written on the document: "123/QĐ-UBND"."""
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation

    @property
    def is_overdue(self) -> bool:
        """Past its handling deadline and not done."""
        from django.utils import timezone

        return (
            self.deadline is not None
            and self.status == self.Status.ASSIGNED
            and self.deadline < timezone.now()
        )

    def get_absolute_url(self) -> str:
        return f"/van-ban/den/{self.pk}/"


class IncomingFile(models.Model):
    """A file of an incoming document (the scanned paper or an edXML attachment)."""

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="files", verbose_name=_("văn bản")
    )
    file = models.FileField(_("tệp"), upload_to="documents/incoming/%Y/%m/")
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("tệp văn bản đến")
        verbose_name_plural = _("tệp văn bản đến")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A unit's part in handling an incoming document: chủ trì, phối hợp or để biết."""

    class Part(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        COOPERATE = "cooperate", _("Phối hợp")
        INFORM = "inform", _("Để biết")

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    part = models.CharField(_("vai trò xử lý"), max_length=10, choices=Part.choices)
    task = models.ForeignKey(
        "workflow.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("ngày giao"), auto_now_add=True)

    class Meta:
        verbose_name = _("phân công xử lý")
        verbose_name_plural = _("phân công xử lý")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "unit"], name="documents_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_part_display()}: {self.unit_id}"


class Opinion(models.Model):
    """An opinion (ý kiến) recorded on an incoming document by a leader or a unit."""

    class Kind(models.TextChoices):
        OPINION = "opinion", _("Ý kiến")
        FOLLOW_UP = "follow_up", _("Đôn đốc")
        RESULT = "result", _("Kết quả xử lý")

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="opinions"
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.OPINION)
    author = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người cho ý kiến"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("thời gian"), auto_now_add=True)

    class Meta:
        verbose_name = _("ý kiến xử lý")
        verbose_name_plural = _("ý kiến xử lý")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:60]
