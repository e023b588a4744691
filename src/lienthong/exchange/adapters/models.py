"""What the adapters keep: status updates owed to the national portal, edXML packages sent and
received, and the shared code lists fetched from the provincial LGSP.

No foreign keys to the domain apps: a dossier is named by its code, an edXML package is
generic (the documents module keeps the package id on its documents; see edxml_services'
hooks).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel


class PortalUpdateQuerySet(models.QuerySet["PortalUpdate"]):
    """Named filters over portal updates."""

    def unsent(self) -> PortalUpdateQuerySet:
        """Updates not yet accepted by the portal (pending or given up), oldest first."""
        return self.exclude(state=PortalUpdate.State.SENT).order_by("id")


class PortalUpdate(models.Model):
    """One status of one dossier owed to the national public service portal (Cổng Dịch vụ
    công quốc gia): written from a `dossier.status_changed` event, sent in order per dossier."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi, đã dừng thử lại")

    #: The `dossier.status_changed` event it came from: a redelivered event adds nothing.
    event_id = models.UUIDField(_("mã sự kiện"), unique=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, db_index=True)
    status = models.PositiveSmallIntegerField(_("trạng thái hồ sơ"))
    changed_at = models.DateTimeField(_("thời điểm chuyển trạng thái"))
    state = models.CharField(
        _("tình trạng đồng bộ"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    last_attempt_at = models.DateTimeField(_("lần gửi gần nhất"), null=True, blank=True)
    #: After a failure: when the scheduled retry is due (other sync requests wait for it).
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi thành công lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    #: The body last sent (or about to be): what the portal was told.
    payload = models.JSONField(_("nội dung gửi"), default=dict, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    objects = PortalUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("cập nhật gửi Cổng DVC quốc gia")
        verbose_name_plural = _("cập nhật gửi Cổng DVC quốc gia")
        indexes = [models.Index(fields=["state", "id"], name="adapters_portal_state_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_code} → {self.status}"


class EdxmlPackageQuerySet(models.QuerySet["EdxmlPackage"]):
    """Named filters over edXML packages."""

    def received(self) -> EdxmlPackageQuerySet:
        """Documents that arrived (from other deployments or a local sender), newest first."""
        return self.filter(
            direction=EdxmlPackage.Direction.INBOUND, kind=EdxmlPackage.Kind.DOCUMENT
        ).order_by("-id")

    def sent(self) -> EdxmlPackageQuerySet:
        """Documents sent (to other deployments or locally), newest first."""
        return self.filter(
            direction=EdxmlPackage.Direction.OUTBOUND, kind=EdxmlPackage.Kind.DOCUMENT
        ).order_by("-id")

    def statuses(self) -> EdxmlPackageQuerySet:
        """Status replies sent and received, newest first."""
        return self.filter(kind=EdxmlPackage.Kind.STATUS).order_by("-id")


class EdxmlPackage(AuditedModel):
    """A document package (gói tin edXML, QCVN 102:2016/BTTTT) sent to or received from
    another deployment. Generic: the envelope is kept whole, out of line, by its SHA-256."""

    audit_exclude = ("attachments",)

    class Direction(models.TextChoices):
        INBOUND = "in", _("Nhận")
        OUTBOUND = "out", _("Gửi")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        RECEIVED = "received", _("Đã nhận")
        SENT = "sent", _("Đã gửi, bên nhận đã nhận")
        ERROR = "error", _("Lỗi")

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Văn bản")
        STATUS = "status", _("Trạng thái xử lý")

    direction = models.CharField(_("chiều"), max_length=3, choices=Direction.choices)
    kind = models.CharField(
        _("loại gói tin"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT
    )
    #: Outbound: the recipient organ this package goes to; inbound: the organ of this
    #: deployment it was delivered to ("" for packages stored before issue 6).
    organ_id = models.CharField(_("mã cơ quan nhận"), max_length=20, blank=True, db_index=True)
    #: Local delivery: the other side's package (outbound ↔ inbound) in this database.
    counterpart = models.ForeignKey(
        "self",
        verbose_name=_("gói tin đối ứng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: A status package: the document package it is about (ours, in this database).
    about = models.ForeignKey(
        "self",
        verbose_name=_("về gói tin văn bản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statuses",
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices)
    #: edXML status code of the last reply (01 đã đến, 02 từ chối, …).
    status_code = models.CharField(_("mã trạng thái edXML"), max_length=2, blank=True)
    status_reason = models.TextField(_("lý do"), blank=True)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    #: Inbound: the client system that delivered it; outbound: the peer's code in settings.
    client = models.ForeignKey(
        "exchange_clients.ClientSystem",
        verbose_name=_("hệ thống gửi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    peer = models.CharField(_("nơi nhận"), max_length=60, blank=True)
    from_organ_id = models.CharField(_("mã cơ quan gửi"), max_length=20)
    from_organ_name = models.CharField(_("cơ quan gửi"), max_length=255)
    to_organs = models.JSONField(_("cơ quan nhận"), default=list)
    document_id = models.CharField(_("mã định danh văn bản"), max_length=200, blank=True)
    code_number = models.CharField(_("số"), max_length=30, blank=True)
    code_notation = models.CharField(_("ký hiệu"), max_length=60, blank=True)
    document_type = models.CharField(_("loại văn bản"), max_length=100, blank=True)
    subject = models.TextField(_("trích yếu"), blank=True)
    promulgation_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    signer = models.CharField(_("người ký"), max_length=255, blank=True)
    priority = models.PositiveSmallIntegerField(_("độ khẩn"), default=0)
    attachments = models.JSONField(_("tệp đính kèm"), default=list, blank=True)
    #: The envelope exactly as sent or received (kept here, not in the message log's body
    #: store, whose retention may remove it).
    envelope = models.FileField(_("gói tin"), upload_to="edxml/%Y/%m/", max_length=200)
    envelope_digest = models.CharField(_("SHA-256 gói tin"), max_length=64)
    envelope_size = models.BigIntegerField(_("kích thước gói tin"), default=0)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EdxmlPackageQuerySet.as_manager()

    class Meta:
        verbose_name = _("gói tin edXML")
        verbose_name_plural = _("gói tin edXML")
        constraints = [
            # The same envelope delivered twice by the same system is one package.
            models.UniqueConstraint(
                fields=["direction", "client", "envelope_digest", "organ_id"],
                name="adapters_edxml_once_per_client_organ",
            ),
        ]
        indexes = [
            models.Index(
                fields=["document_id", "direction", "kind"], name="adapters_edxml_doc_idx"
            ),
        ]

    def __str__(self) -> str:
        number = "/".join(part for part in (self.code_number, self.code_notation) if part)
        return number or self.document_id or f"edXML {self.pk}"

    @property
    def is_local(self) -> bool:
        """Delivered inside this deployment (both sides' packages are here)."""
        return self.counterpart_id is not None


class SharedCodeList(models.Model):
    """A shared code list (danh mục dùng chung) fetched from the provincial LGSP."""

    name = models.CharField(_("danh mục"), max_length=60, unique=True)
    fetched_at = models.DateTimeField(_("lấy về lúc"))
    count = models.PositiveIntegerField(_("số mục"), default=0)
    digest = models.CharField(_("SHA-256 nội dung"), max_length=64)

    class Meta:
        verbose_name = _("danh mục dùng chung")
        verbose_name_plural = _("danh mục dùng chung")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SharedCode(models.Model):
    """One entry of a shared code list: its code, name, parent code and the rest as given."""

    code_list = models.ForeignKey(
        SharedCodeList, on_delete=models.CASCADE, related_name="codes", verbose_name=_("danh mục")
    )
    code = models.CharField(_("mã"), max_length=60)
    name = models.CharField(_("tên"), max_length=500)
    parent_code = models.CharField(_("mã cấp trên"), max_length=60, blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)

    class Meta:
        verbose_name = _("mục danh mục dùng chung")
        verbose_name_plural = _("mục danh mục dùng chung")
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="adapters_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
