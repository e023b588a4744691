"""The transactional outbox: events written with the change that caused them."""

from __future__ import annotations

import datetime
import os
import time
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_event_id() -> uuid.UUID:
    """A time-ordered UUID (version 7, RFC 9562): 48 bits of Unix milliseconds, then random.

    Events are inserted in time order, so their ids append at the right edge of the unique
    index instead of landing on a random leaf page each time (a UUID4 did: one more page
    written, and sooner or later read, per event; docs/decisions/0012-lean-audit-indexes.md).
    Still unguessable enough for an event id: 74 random bits.
    """
    millis = time.time_ns() // 1_000_000 & 0xFFFF_FFFF_FFFF
    value = millis << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # the RFC's variant
    return uuid.UUID(int=value)


class OutboxEventQuerySet(models.QuerySet["OutboxEvent"]):
    """Named filters over outbox events."""

    def pending(self, at: datetime.datetime | None = None) -> OutboxEventQuerySet:
        """Events not yet relayed whose next attempt is due."""
        return self.filter(
            status=OutboxEvent.Status.PENDING, next_attempt_at__lte=at or timezone.now()
        ).order_by("id")


class OutboxEvent(models.Model):
    """An event in CloudEvents 1.0 shape, waiting to be (or already) relayed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ chuyển")
        DELIVERED = "delivered", _("Đã chuyển")
        DEAD = "dead", _("Chuyển lỗi")

    event_id = models.UUIDField(_("mã sự kiện"), default=new_event_id, unique=True, editable=False)
    type = models.CharField(_("loại"), max_length=120)
    source = models.CharField(_("nguồn"), max_length=200)
    subject = models.CharField(_("đối tượng"), max_length=200, blank=True)
    time = models.DateTimeField(_("thời điểm"), default=timezone.now)
    data = models.JSONField(_("dữ liệu"), default=dict)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("số lần chuyển"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = OutboxEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện chờ chuyển")
        verbose_name_plural = _("sự kiện chờ chuyển")
        indexes = [
            # The relay's queue: due pending events in order.
            models.Index(fields=["status", "next_attempt_at", "id"]),
            # The admin's filter by type. A plain index: `db_index` on a CharField also gives
            # PostgreSQL a LIKE-pattern index nothing uses, one more page per event.
            models.Index(fields=["type"], name="exchange_event_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"

    def as_cloudevent(self) -> dict[str, object]:
        """The event as a CloudEvents 1.0 JSON object (structured mode)."""
        return {
            "specversion": "1.0",
            "id": str(self.event_id),
            "type": self.type,
            "source": self.source,
            "subject": self.subject,
            "time": self.time.isoformat(),
            "datacontenttype": "application/json",
            "data": self.data,
        }


class ProcessedEvent(models.Model):
    """A consumer's record that it handled an event, so a redelivery has no second effect."""

    consumer = models.CharField(max_length=120)
    event_id = models.UUIDField()
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sự kiện đã xử lý")
        verbose_name_plural = _("sự kiện đã xử lý")
        constraints = [
            models.UniqueConstraint(fields=["consumer", "event_id"], name="processed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} {self.event_id}"
