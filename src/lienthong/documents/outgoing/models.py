"""Outgoing documents (văn bản đi, Decree 30/2020/NĐ-CP Art. 11–20): drafts, review, signing,
numbering, issuing and sending, with the signers' certificates and the trusted roots."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models.audit import AuditedModel
from lienthong.documents.models import NumberSeries, Secrecy, Urgency
from lienthong.documents.visibility import DocumentQuerySet


class OutgoingStatus(models.TextChoices):
    """Where an outgoing document stands: dự thảo → trình duyệt → ký → cấp số → ban hành → gửi."""

    DRAFT = "draft", _("Dự thảo")
    UNDER_REVIEW = "under_review", _("Đang trình duyệt")
    APPROVED = "approved", _("Đã duyệt, chờ ký")
    SIGNED = "signed", _("Đã ký, chờ cấp số")
    NUMBERED = "numbered", _("Đã cấp số, chờ ban hành")
    ISSUED = "issued", _("Đã ban hành, chờ gửi")
    SENT = "sent", _("Đã gửi")


class OutgoingDocumentQuerySet(DocumentQuerySet):
    """Outgoing documents; `visible_to(user)` is the documents rule (unit and secrecy)."""

    def of_agency(self, agency: Any) -> OutgoingDocumentQuerySet:
        return self.filter(agency=agency)

    def in_register(self) -> OutgoingDocumentQuerySet:
        """Documents that have a number (the outgoing register lists only those)."""
        return self.filter(number__isnull=False)


class OutgoingDocument(AuditedModel):
    """An outgoing document (văn bản đi) of an agency, from draft to sent."""

    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="outgoing_documents",
    )
    drafting_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị soạn thảo"),
        on_delete=models.PROTECT,
        related_name="drafted_outgoing_documents",
    )
    #: Units that handle the document (the drafting unit): they see it even when it is secret.
    access_units = models.ManyToManyField(
        "core.OrgUnit", verbose_name=_("đơn vị liên quan"), related_name="+", blank=True
    )
    document_type = models.ForeignKey(
        "documents.DocumentType",
        verbose_name=_("loại văn bản"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_legal = models.BooleanField(
        _("văn bản quy phạm pháp luật"),
        default=False,
        help_text=_("Văn bản quy phạm pháp luật được cấp số theo sổ riêng."),
    )
    subject = models.CharField(_("trích yếu nội dung"), max_length=500)
    content = models.TextField(_("nội dung tóm tắt"), blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("độ khẩn"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.PositiveSmallIntegerField(
        _("độ mật"), choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=14,
        choices=OutgoingStatus.choices,
        default=OutgoingStatus.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người soạn thảo"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật"), default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_comment = models.TextField(_("ý kiến duyệt"), blank=True)
    # --- Signing ---
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_name = models.CharField(_("họ tên người ký"), max_length=150, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    signer_competence = models.CharField(
        _("thẩm quyền ký"), max_length=10, blank=True, help_text=_("TM., KT., TL., TUQ., Q.")
    )
    signed_at = models.DateTimeField(_("thời điểm ký"), null=True, blank=True)
    signing_certificate = models.ForeignKey(
        "documents_outgoing.SigningCertificate",
        verbose_name=_("chứng thư số đã dùng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # --- Numbering and issuing ---
    series = models.CharField(
        _("sổ"), max_length=10, blank=True, choices=NumberSeries.Series.choices
    )
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    number_notation = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    numbered_at = models.DateTimeField(_("thời điểm cấp số"), null=True, blank=True)
    issued_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    copies = models.PositiveIntegerField(_("số lượng bản"), default=1)
    file_copy_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị, người nhận bản lưu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipients_text = models.TextField(_("nơi nhận"), blank=True)
    due_date = models.DateField(_("hạn trả lời"), null=True, blank=True)
    sent_at = models.DateTimeField(_("ngày chuyển"), null=True, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    edxml_document_id = models.CharField(_("mã văn bản edXML"), max_length=200, blank=True)
    #: The open inbox task of the current step (review, signing, clerk's work), if any.
    current_task = models.ForeignKey(
        "workflow.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    objects = OutgoingDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản đi")
        verbose_name_plural = _("văn bản đi")
        ordering = ["-created_at", "-id"]
        constraints = [
            # No two documents of one agency's series and year share a number.
            models.UniqueConstraint(
                fields=["agency", "series", "year", "number"],
                condition=Q(number__isnull=False),
                name="outgoing_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "year", "number"], name="outgoing_register"),
            models.Index(fields=["agency", "status", "-created_at"], name="outgoing_agency_status"),
        ]

    def __str__(self) -> str:
        return self.number_notation or str(_("Dự thảo: %(s)s") % {"s": self.subject[:60]})

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("documents:documents_outgoing:detail", args=[self.pk])

    @property
    def main_file(self) -> OutgoingFile | None:
        """The file sent as the document: the signed PDF once signed, else the draft."""
        files = sorted(self.files.all(), key=lambda f: (f.kind != OutgoingFile.Kind.SIGNED, f.pk))
        for file in files:
            if file.kind in (OutgoingFile.Kind.SIGNED, OutgoingFile.Kind.MAIN):
                return file
        return None


class OutgoingFile(models.Model):
    """A file of an outgoing document: the main draft (PDF), its signed copy, or an annex."""

    class Kind(models.TextChoices):
        MAIN = "main", _("Bản chính (dự thảo)")
        SIGNED = "signed", _("Bản đã ký số")
        ATTACHMENT = "attachment", _("Phụ lục, tài liệu kèm theo")

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="files", verbose_name=_("văn bản")
    )
    kind = models.CharField(_("loại tệp"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(_("tệp"), upload_to="documents/outgoing/%Y/%m/", max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tệp văn bản đi")
        verbose_name_plural = _("tệp văn bản đi")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    """Where the copy for one recipient stands (from edXML status replies, QCVN 102:2016)."""

    PENDING = "pending", _("Chưa gửi")
    QUEUED = "queued", _("Đang chuyển")
    DELIVERED = "delivered", _("Đã đến")
    REFUSED = "refused", _("Bị từ chối")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    DONE = "done", _("Đã hoàn thành")
    RECALLED = "recalled", _("Đã lấy lại")
    MANUAL = "manual", _("Gửi ngoài hệ thống")
    ERROR = "error", _("Lỗi gửi")


#: edXML status code → delivery state of the recipient row.
STATE_BY_STATUS: dict[str, str] = {
    "01": DeliveryState.DELIVERED,
    "02": DeliveryState.REFUSED,
    "03": DeliveryState.ACCEPTED,
    "04": DeliveryState.ACCEPTED,
    "05": DeliveryState.PROCESSING,
    "06": DeliveryState.DONE,
    "13": DeliveryState.RECALLED,
}


class Recipient(models.Model):
    """One receiver of an outgoing document: an agency of this deployment or an outside organ."""

    document = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.CASCADE,
        related_name="recipients",
        verbose_name=_("văn bản"),
    )
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan nhận (trong hệ thống)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organ_id = models.CharField(_("mã định danh cơ quan nhận"), max_length=13, blank=True)
    name = models.CharField(_("tên cơ quan nhận"), max_length=255)
    electronic = models.BooleanField(
        _("gửi điện tử"),
        default=True,
        help_text=_("Bỏ chọn khi gửi bản giấy (không qua trục liên thông)."),
    )
    state = models.CharField(
        _("tình trạng"),
        max_length=12,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
    )
    status_code = models.CharField(_("mã trạng thái edXML"), max_length=2, blank=True)
    status_description = models.CharField(_("mô tả trạng thái"), max_length=500, blank=True)
    status_at = models.DateTimeField(_("thời điểm trạng thái"), null=True, blank=True)
    sent_at = models.DateTimeField(_("ngày gửi"), null=True, blank=True)
    package_id = models.PositiveBigIntegerField(_("gói tin edXML"), null=True, blank=True)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("nơi nhận")
        verbose_name_plural = _("nơi nhận")
        ordering = ["id"]
        indexes = [models.Index(fields=["package_id"], name="outgoing_recipient_package")]

    def __str__(self) -> str:
        return self.name


class HistoryEntry(models.Model):
    """One step in an outgoing document's history (trình, duyệt, trả lại, ký, cấp số, gửi)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Tạo dự thảo")
        UPDATED = "updated", _("Sửa dự thảo")
        SUBMITTED = "submitted", _("Trình duyệt")
        APPROVED = "approved", _("Duyệt")
        RETURNED = "returned", _("Trả lại")
        SIGNED = "signed", _("Ký số")
        NUMBERED = "numbered", _("Cấp số")
        ISSUED = "issued", _("Ban hành")
        SENT = "sent", _("Gửi")
        STATUS = "status", _("Trạng thái từ nơi nhận")

    document = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("văn bản"),
    )
    action = models.CharField(_("thao tác"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("ý kiến"), blank=True)

    class Meta:
        verbose_name = _("lịch sử văn bản đi")
        verbose_name_plural = _("lịch sử văn bản đi")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%d/%m/%Y %H:%M}"


class SigningCertificate(AuditedModel):
    """A signer's certificate and key as a PKCS#12 store, opened with the passphrase they type
    each time they sign (the platform never keeps the passphrase)."""

    audit_exclude: ClassVar[tuple[str, ...]] = ("pkcs12",)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        on_delete=models.CASCADE,
        related_name="signing_certificates",
    )
    pkcs12 = models.BinaryField(_("tệp PKCS#12"))
    subject = models.CharField(_("chủ thể"), max_length=500)
    common_name = models.CharField(_("tên chủ thể"), max_length=200)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    serial_number = models.CharField(_("số hiệu"), max_length=80)
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chứng thư số của người ký")
        verbose_name_plural = _("chứng thư số của người ký")
        ordering = ["-not_after"]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.not_after:%d/%m/%Y})"


class TrustedRoot(AuditedModel):
    """A root certificate signatures are trusted against (e.g. the national root CA)."""

    name = models.CharField(_("tên"), max_length=200)
    pem = models.TextField(_("chứng thư (PEM)"))
    subject = models.CharField(_("chủ thể"), max_length=500)
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    not_after = models.DateTimeField(_("hiệu lực đến"))
    is_test = models.BooleanField(
        _("chỉ để thử nghiệm"), default=False, help_text=_("CA do nền tảng tạo để thử nghiệm.")
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("chứng thư gốc tin cậy")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
