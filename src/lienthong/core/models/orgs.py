"""Agencies (cơ quan) and their org units (đơn vị) as one tree."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from lienthong.core.identifiers import validate_agency_code
from lienthong.core.models.audit import AuditedModel


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    """Named filters over the org tree."""

    def agencies(self) -> OrgUnitQuerySet:
        return self.filter(is_agency=True)

    def active(self) -> OrgUnitQuerySet:
        return self.filter(is_active=True)

    def within(self, unit: OrgUnit) -> OrgUnitQuerySet:
        """The unit itself and everything below it."""
        return self.filter(path__startswith=unit.path)


class OrgUnit(AuditedModel):
    """A node of the province's organisation tree: an agency or a division inside one.

    Agencies (cơ quan: people's committees, departments) carry the 13-character
    identification code `xxx.xx.xx.Xnn` (Decision 20/2020/QĐ-TTg); divisions (phòng) do not.
    """

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "ubnd", _("Ủy ban nhân dân")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        OFFICE = "office", _("Văn phòng")
        DIVISION = "division", _("Phòng, ban chuyên môn")
        OTHER = "other", _("Đơn vị khác")

    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    is_agency = models.BooleanField(_("là cơ quan"), default=False)
    code = models.CharField(
        _("mã định danh"),
        max_length=13,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_agency_code],
        help_text=_("Mã định danh điện tử xxx.xx.xx.Xnn (Quyết định 20/2020/QĐ-TTg)."),
    )
    code_is_demo = models.BooleanField(
        _("mã demo"),
        default=False,
        help_text=_("Mã theo đúng khuôn dạng nhưng không phải mã chính thức."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    admin_unit = models.ForeignKey(
        "core.AdminUnit",
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="org_units",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the materialised path (`/1/7/42/`) that scope queries filter on."""
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {**kwargs, "force_insert": False}
        parent_path = self.parent.path if self.parent_id and self.parent else "/"
        self.path = f"{parent_path}{self.pk}/"
        self.depth = self.path.count("/") - 2
        super().save(*args, **kwargs)

    @property
    def agency(self) -> OrgUnit | None:
        """The nearest agency at or above this unit."""
        node: OrgUnit | None = self
        while node is not None and not node.is_agency:
            node = node.parent
        return node

    def ancestors(self) -> OrgUnitQuerySet:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return OrgUnit.objects.filter(pk__in=ids).order_by("depth")
