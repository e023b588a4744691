"""Working-day calendar data: public holidays and Saturdays worked in exchange."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """A weekday on which offices are closed — ngày nghỉ lễ, Tết or a swapped day off."""

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên"), max_length=200)
    source = models.CharField(
        _("căn cứ"), max_length=255, blank=True, help_text=_("Văn bản hoặc nguồn dữ liệu.")
    )
    is_confirmed = models.BooleanField(_("đã xác nhận"), default=True)

    class Meta:
        verbose_name = _("ngày nghỉ")
        verbose_name_plural = _("ngày nghỉ")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class WorkingSaturday(models.Model):
    """A Saturday worked in exchange for a day off — ngày làm bù."""

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("lý do"), max_length=200)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    is_confirmed = models.BooleanField(_("đã xác nhận"), default=True)

    class Meta:
        verbose_name = _("ngày làm bù")
        verbose_name_plural = _("ngày làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
