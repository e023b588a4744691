"""Personal data protection — bảo vệ dữ liệu cá nhân.

Decree 13/2023/NĐ-CP (in force 1/7/2023), replaced from 1/1/2026 by the Personal Data
Protection Law 91/2025/QH15 and Decree 356/2025: consent recorded per purpose (Art. 11) and
withdrawable (Art. 12), data subjects' rights (Art. 9, 14–16) with time limits, sensitive data
(ID-card images, e-ID credentials) under stricter protection (Art. 28). Purposes and time limits
are rows (seeded by migration 0002, editable in the admin), each with its legal source; what
could not be read in the 2025 texts is marked unconfirmed.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.permissions import ScopedQuerySet

if TYPE_CHECKING:
    from lienthong.accounts.models import User

#: The role of the data-protection unit: `it_admin` granted for a top-level (province) unit.
DATA_PROTECTION_ROLE = "it_admin"


class Channel(models.TextChoices):
    """Where a consent or a request was given."""

    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Tại bộ phận một cửa")
    API = "api", _("Qua API")


class ConsentPurpose(models.Model):
    """A purpose the platform asks consent for (mục đích xử lý dữ liệu), with its notice."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("mục đích"), max_length=255)
    notice_text = models.TextField(_("nội dung thông báo"))
    notice_version = models.CharField(_("phiên bản thông báo"), max_length=20)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("mục đích xử lý dữ liệu")
        verbose_name_plural = _("mục đích xử lý dữ liệu")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ConsentQuerySet(models.QuerySet["Consent"]):
    """Named filters over consents."""

    def in_force(self) -> ConsentQuerySet:
        """Consents given and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """One consent given by a data subject (sự đồng ý); withdrawal is recorded, never deleted."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ thể dữ liệu"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    purpose = models.ForeignKey(
        ConsentPurpose, verbose_name=_("mục đích"), on_delete=models.PROTECT, related_name="+"
    )
    notice_version = models.CharField(_("phiên bản thông báo"), max_length=20)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    context = models.CharField(_("gắn với"), max_length=100, blank=True)
    given_at = models.DateTimeField(_("đồng ý lúc"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("rút lại lúc"), null=True, blank=True)
    withdrawal_channel = models.CharField(
        _("kênh rút lại"), max_length=10, choices=Channel.choices, blank=True
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự đồng ý")
        verbose_name_plural = _("sự đồng ý")
        ordering = ["-given_at", "-pk"]
        indexes = [models.Index(fields=["subject", "purpose", "given_at"])]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.purpose_id} {self.given_at:%Y-%m-%d}"


class RequestKind(models.TextChoices):
    """What a data subject asks for (Decree 13/2023/NĐ-CP, Art. 9)."""

    ACCESS = "access", _("Truy cập, cung cấp bản sao dữ liệu")
    CORRECTION = "correction", _("Chỉnh sửa dữ liệu")
    DELETION = "deletion", _("Xóa dữ liệu")
    RESTRICTION = "restriction", _("Hạn chế xử lý dữ liệu")
    OBJECTION = "objection", _("Phản đối xử lý dữ liệu")
    WITHDRAWAL = "withdrawal", _("Rút lại sự đồng ý")


class LimitUnit(models.TextChoices):
    """How a time limit is counted."""

    HOURS = "hours", _("Giờ (liên tục)")
    WORKING_DAYS = "working_days", _("Ngày làm việc")


class RequestTimeLimit(models.Model):
    """The time limits of one kind of request, with their sources (data, not code)."""

    kind = models.CharField(_("loại yêu cầu"), max_length=20, choices=RequestKind.choices)
    valid_from = models.DateField(_("áp dụng từ"))
    ack_working_days = models.PositiveSmallIntegerField(_("hạn xác nhận (ngày làm việc)"))
    ack_source = models.CharField(_("căn cứ hạn xác nhận"), max_length=255)
    response_amount = models.PositiveSmallIntegerField(_("hạn giải quyết"))
    response_unit = models.CharField(
        _("đơn vị"), max_length=15, choices=LimitUnit.choices, default=LimitUnit.HOURS
    )
    response_source = models.CharField(_("căn cứ hạn giải quyết"), max_length=255)
    confirmed = models.BooleanField(
        _("đã đối chiếu văn bản"),
        default=False,
        help_text=_("Bỏ chọn khi chưa đọc được quy định trong văn bản gốc (chưa xác nhận)."),
    )

    class Meta:
        verbose_name = _("thời hạn xử lý yêu cầu")
        verbose_name_plural = _("thời hạn xử lý yêu cầu")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="privacy_limit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.valid_from:%d/%m/%Y})"


class RequestStatus(models.TextChoices):
    """Where a request stands."""

    SUBMITTED = "submitted", _("Mới gửi")
    ACKNOWLEDGED = "acknowledged", _("Đã xác nhận tiếp nhận")
    COMPLETED = "completed", _("Đã giải quyết")
    REFUSED = "refused", _("Từ chối")


OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED)


class RequestQuerySet(models.QuerySet["DataSubjectRequest"]):
    """Named filters over data-subject requests."""

    def visible_to(self, user: Any) -> RequestQuerySet:
        """The data-protection unit sees all; a citizen their own; others none."""
        if is_data_protection_official(user):
            return self
        if getattr(user, "is_authenticated", False):
            return self.filter(subject=user)
        return self.none()

    def open(self) -> RequestQuerySet:
        """Requests still waiting for an answer."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: datetime.datetime) -> RequestQuerySet:
        """Open requests past the acknowledgement or the response deadline."""
        from lienthong.core import calendar

        today = calendar.local_date(now)
        late_ack = Q(status=RequestStatus.SUBMITTED, ack_due_date__lt=today)
        return self.open().filter(late_ack | Q(response_due_at__lt=now))


class DataSubjectRequest(models.Model):
    """A data subject's request (yêu cầu của chủ thể dữ liệu) under its time limits."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ thể dữ liệu"),
        on_delete=models.PROTECT,
        related_name="data_requests",
    )
    kind = models.CharField(_("loại yêu cầu"), max_length=20, choices=RequestKind.choices)
    details = models.TextField(_("nội dung yêu cầu"))
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("trạng thái"),
        max_length=15,
        choices=RequestStatus.choices,
        default=RequestStatus.SUBMITTED,
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    ack_due_date = models.DateField(_("hạn xác nhận"))
    response_due_at = models.DateTimeField(_("hạn giải quyết"))
    limit_source = models.CharField(_("căn cứ thời hạn"), max_length=600)
    acknowledged_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.TextField(_("trả lời"), blank=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "response_due_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class RequestAlert(models.Model):
    """An overdue alert sent for a request (at most one per request and day)."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "day"], name="privacy_alert_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.day}"


class AccessQuerySet(ScopedQuerySet["SensitiveAccess"]):
    """The access log, scoped by the agency whose file was opened."""

    scope_field = "agency"
    scope_roles = frozenset({DATA_PROTECTION_ROLE})

    def about(self, user: User) -> AccessQuerySet:
        """Accesses to the sensitive data of `user`."""
        return self.filter(subject=user)


class SensitiveAccess(models.Model):
    """An official opened a sensitive file (ID-card image, …): who, when, what, why.

    Append-only: the app refuses to change or delete a row (and the admin is read-only).
    """

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người truy cập"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ thể dữ liệu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sensitive_accesses",
    )
    subject_personal_id = models.CharField(_("số định danh"), max_length=12, blank=True)
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    record = models.CharField(_("hồ sơ"), max_length=60, blank=True)
    what = models.CharField(_("dữ liệu"), max_length=500)
    object_ref = models.CharField(_("tham chiếu"), max_length=100)
    purpose = models.CharField(_("mục đích, chức năng"), max_length=200)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("truy cập dữ liệu nhạy cảm")
        verbose_name_plural = _("nhật ký truy cập dữ liệu nhạy cảm")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.object_ref}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionDenied("sensitive-data access entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("sensitive-data access entries cannot be deleted")


def is_data_protection_official(user: object) -> bool:
    """The data-protection unit: a superuser, or an official holding `it_admin` for a
    top-level unit (the province's IT department)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    if not getattr(user, "is_official", False):
        return False
    grants = user.role_assignments  # type: ignore[attr-defined]
    return bool(
        grants.filter(role=DATA_PROTECTION_ROLE, org_unit__isnull=False)
        .filter(org_unit__parent__isnull=True)
        .exists()
    )
