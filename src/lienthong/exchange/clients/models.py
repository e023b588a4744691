"""Client systems: the external systems (another agency's software, the LGSP, a second Liên
Thông deployment) registered to call the platform's services and receive its events."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel


class ClientSystem(AuditedModel):
    """A registered external system (hệ thống kết nối), owned by an agency."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang hoạt động")
        SUSPENDED = "suspended", _("Tạm dừng")
        REVOKED = "revoked", _("Đã thu hồi")

    code = models.CharField(
        _("mã hệ thống"),
        max_length=60,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9.-]{1,58}[a-z0-9]$",
                _("Mã hệ thống gồm chữ thường không dấu, số, dấu chấm và gạch ngang (3–60 ký tự)."),
            )
        ],
    )
    name = models.CharField(_("tên hệ thống"), max_length=255)
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan quản lý"),
        on_delete=models.PROTECT,
        related_name="client_systems",
    )
    contact_name = models.CharField(_("người liên hệ"), max_length=200, blank=True)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=20, blank=True)
    purpose = models.TextField(_("mục đích kết nối"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("giới hạn lượt gọi mỗi phút"),
        null=True,
        blank=True,
        help_text=_("Để trống: dùng mức chung của nền tảng."),
    )
    created_at = models.DateTimeField(_("ngày đăng ký"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đăng ký"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("hệ thống kết nối")
        verbose_name_plural = _("hệ thống kết nối")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def rate_limit(self) -> int:
        """Requests per minute this system may make (its own limit, else the default)."""
        from lienthong.exchange.clients.conf import setting

        return self.rate_limit_per_minute or int(setting("EXCHANGE_RATE_LIMIT_PER_MINUTE"))


class Credential(models.Model):
    """A secret a client system authenticates with (khoá truy cập): an API key, or the
    client id and secret of OAuth2 client credentials. Only the SHA-256 of the secret is kept.

    The secrets are 32 random bytes, so a fast hash is enough: nobody can guess one to match,
    and a slow password hash would cost every API call. A rotated credential keeps working
    until `expires_at` (the grace period), a revoked one stops at once.
    """

    class Kind(models.TextChoices):
        API_KEY = "api_key", _("Khoá API")
        OAUTH = "oauth", _("OAuth2 client credentials")

    client = models.ForeignKey(
        ClientSystem,
        verbose_name=_("hệ thống kết nối"),
        on_delete=models.CASCADE,
        related_name="credentials",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    #: The public part: the key's prefix ("ltk_…") or the OAuth2 client id ("ltc_…").
    key_id = models.CharField(_("mã khoá"), max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    label = models.CharField(_("ghi chú"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("khoá truy cập")
        verbose_name_plural = _("khoá truy cập")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.key_id} ({self.get_kind_display()})"

    def usable(self, now: datetime.datetime | None = None) -> bool:
        """Not revoked and not past its grace period."""
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AccessToken(models.Model):
    """An OAuth2 access token issued by `POST /api/exchange/token`; kept as its SHA-256."""

    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("khoá")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("mã truy cập OAuth2")
        verbose_name_plural = _("mã truy cập OAuth2")

    def __str__(self) -> str:
        return f"token of {self.credential_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class GrantQuerySet(models.QuerySet["Grant"]):
    """Named filters over grants."""

    def approved(self) -> GrantQuerySet:
        return self.filter(status=Grant.Status.APPROVED)

    def pending(self) -> GrantQuerySet:
        return self.filter(status=Grant.Status.REQUESTED)


class Grant(AuditedModel):
    """A client system's right to use one service of the catalogue (cấp quyền khai thác):
    the whole service (`operation` empty) or one operation of it. Requested by the client's
    agency, decided by the service's owner agency; every change audited."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Đang chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        REFUSED = "refused", _("Bị từ chối")
        REVOKED = "revoked", _("Đã thu hồi")

    client = models.ForeignKey(
        ClientSystem,
        verbose_name=_("hệ thống kết nối"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    service = models.CharField(_("dịch vụ"), max_length=200)
    operation = models.CharField(_("thao tác"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    purpose = models.TextField(_("mục đích sử dụng"), blank=True)
    requested_at = models.DateTimeField(_("ngày đề nghị"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đề nghị"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("ngày quyết định"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("ghi chú quyết định"), max_length=500, blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyền khai thác dịch vụ")
        verbose_name_plural = _("quyền khai thác dịch vụ")
        ordering = ["client", "service", "operation"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "service", "operation"], name="exchange_grant_unique"
            ),
        ]

    def __str__(self) -> str:
        target = f"{self.service}#{self.operation}" if self.operation else self.service
        return f"{self.client_id} → {target} ({self.status})"


class ServiceOwner(AuditedModel):
    """Which agency owns (and approves grants for) a service of the catalogue. A service
    without a row is owned by the platform: the provincial IT department approves."""

    service = models.CharField(_("dịch vụ"), max_length=200, unique=True)
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan chủ quản"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("cơ quan chủ quản dịch vụ")
        verbose_name_plural = _("cơ quan chủ quản dịch vụ")

    def __str__(self) -> str:
        return f"{self.service} → {self.agency_id}"


class RateWindow(models.Model):
    """Requests a client made in one minute (the database path of the rate limit)."""

    client_id = models.BigIntegerField()
    minute = models.BigIntegerField(help_text="Unix time // 60")
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "minute"], name="exchange_rate_minute"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}@{self.minute}: {self.count}"
