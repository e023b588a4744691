"""Client systems: the external systems (another agency's software, the LGSP, a second Liên
Thông deployment) registered to call the platform's services and receive its events."""

from __future__ import annotations

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
