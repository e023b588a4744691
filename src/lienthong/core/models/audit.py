"""Append-only, hash-chained audit log (nhật ký) of every write done through a service."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One write, chained to the one before it by a SHA-256 hash.

    No foreign keys on purpose: deleting a user or an object must never touch these rows.
    """

    seq = models.BigIntegerField(_("số thứ tự"), unique=True)
    created_at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor_id = models.BigIntegerField(_("người thực hiện"), null=True, blank=True)
    actor_repr = models.CharField(max_length=200, blank=True)
    org_unit_id = models.BigIntegerField(_("đơn vị"), null=True, blank=True)
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The single row holding the chain's length and last hash; writers lock it in turn."""

    count = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")


class AuditedModel(models.Model):
    """Mixin for models whose writes are audited: gives the JSON snapshot of a row."""

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def audit_snapshot(self) -> dict[str, Any]:
        """The row as JSON-ready data, for the before/after columns of the audit log."""
        from lienthong.core.audit import to_jsonable

        data = model_to_dict(self, exclude=list(self.audit_exclude))
        data["id"] = self.pk
        return {key: to_jsonable(value) for key, value in data.items()}
