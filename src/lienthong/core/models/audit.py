"""Append-only, hash-chained audit log (nhật ký) of every write done through a service."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Named filters over the audit log."""

    def chain_order(self) -> AuditEntryQuerySet:
        """Entries in the order the chain links them (by `seq`, not by `id`)."""
        return self.order_by("seq")

    def of_object(self, obj: models.Model) -> AuditEntryQuerySet:
        """Entries about one row, oldest first."""
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).chain_order()

    def of_request(self, request_id: str) -> AuditEntryQuerySet:
        """Entries written while serving one request (or one command run)."""
        return self.filter(request_id=request_id).chain_order()


class AuditEntry(models.Model):
    """One write, chained to the one before it by a SHA-256 hash.

    No foreign keys on purpose: deleting a user or an object must never touch these rows.
    Database triggers (migration 0003) reject UPDATE and DELETE, and an INSERT that does not
    extend the chain held by `AuditChainHead`.
    """

    seq = models.BigIntegerField(_("số thứ tự"), unique=True)
    # Indexed for the admin's date filter and drill-down (append-only: its last page only).
    created_at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor_id = models.BigIntegerField(_("người thực hiện"), null=True, blank=True)
    actor_repr = models.CharField(max_length=200, blank=True)
    org_unit_id = models.BigIntegerField(_("đơn vị"), null=True, blank=True)
    action = models.CharField(_("hành động"), max_length=100)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    # Not unique, not indexed: nothing looks a row up by its hash, and the chain holds without
    # it (each hash covers its unique seq; the triggers link every row to the head). As a
    # UNIQUE index it cost a random leaf page per entry (docs/decisions/0012-lean-audit-indexes.md).
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["id"]
        # Every index costs a page written per entry, and every write of the platform appends
        # an entry, so each one here answers a question asked of the log
        # (docs/decisions/0012-lean-audit-indexes.md). `seq` (unique) is the chain's order.
        indexes = [
            # The history of one object (`of_object`).
            models.Index(fields=["object_type", "object_id"]),
            # "What did this person do" and "what did this request do" are the two questions
            # an inspector asks first; without these they scan the whole log.
            models.Index(fields=["actor_id", "created_at"], name="core_audit_actor_idx"),
            models.Index(fields=["request_id"], name="core_audit_request_idx"),
            # The admin's filter by action, and reading back what was deleted
            # (`calendar_seed.deleted_by_administrators`). A plain index: `db_index` on a
            # CharField also gives PostgreSQL a second, LIKE-pattern index nothing uses.
            models.Index(fields=["action"], name="core_audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The single row holding the chain's length and last hash; writers lock it in turn.

    Triggers let it only move forward by one linked row at a time and never be deleted.
    """

    count = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"{self.count} {self.last_hash}"


class AuditedModel(models.Model):
    """Mixin for models whose writes are audited: gives the JSON snapshot of a row.

    `audit_exclude` names fields kept out of the log (secrets, large blobs).
    """

    audit_exclude: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def audit_snapshot(self) -> dict[str, Any]:
        """The row as JSON-ready data, for the before/after columns of the audit log."""
        from lienthong.core.audit import field_snapshot

        return field_snapshot(self, exclude=self.audit_exclude)
