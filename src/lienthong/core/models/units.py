"""Administrative units (đơn vị hành chính) of both eras: legacy and from 1 July 2025."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminUnitQuerySet(models.QuerySet["AdminUnit"]):
    """Named filters over administrative units."""

    def legacy(self) -> AdminUnitQuerySet:
        return self.filter(era=AdminUnit.Era.LEGACY)

    def current(self) -> AdminUnitQuerySet:
        return self.filter(era=AdminUnit.Era.Y2025)

    def provinces(self) -> AdminUnitQuerySet:
        return self.filter(level=AdminUnit.Level.PROVINCE)

    def districts(self) -> AdminUnitQuerySet:
        return self.filter(level=AdminUnit.Level.DISTRICT)

    def communes(self) -> AdminUnitQuerySet:
        return self.filter(level=AdminUnit.Level.COMMUNE)


class AdminUnit(models.Model):
    """An administrative unit — đơn vị hành chính — of one era, with its successor link."""

    class Era(models.TextChoices):
        LEGACY = "legacy", _("Trước 1/7/2025 (ba cấp)")
        Y2025 = "2025", _("Từ 1/7/2025 (hai cấp)")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/thành phố")
        DISTRICT = "district", _("Quận/huyện")
        COMMUNE = "commune", _("Xã/phường/đặc khu")

    era = models.CharField(_("thời kỳ"), max_length=8, choices=Era.choices)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    code = models.CharField(_("mã"), max_length=5)
    name = models.CharField(_("tên"), max_length=120)
    short_name = models.CharField(_("tên ngắn"), max_length=100)
    unit_type = models.CharField(_("loại"), max_length=40, blank=True)
    key = models.CharField(_("khoá tra cứu"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa (từ 1/7/2025)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["era", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["era", "level", "code"], name="adminunit_unique_code"),
        ]
        indexes = [models.Index(fields=["code"]), models.Index(fields=["key"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
