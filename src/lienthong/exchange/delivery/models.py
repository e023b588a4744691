"""Event delivery: client systems' subscriptions (đăng ký nhận sự kiện), the events that could
not be delivered (sự kiện lỗi) and the bridge's position in the outbox.

Each destination reads the outbox through its own cursor (`position`: the last outbox id it
is done with), in id order, so one slow or failing receiver holds up only itself.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel


def _agency_ids_of(user: Any) -> list[int]:
    """The org units at and above the user's own: the agencies whose systems they manage."""
    unit = getattr(user, "org_unit", None)
    if unit is None:
        return []
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def manages_all(user: Any) -> bool:
    """Platform administrators see and manage every subscription."""
    from lienthong.accounts.models import Role

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.has_role(Role.IT_ADMIN))


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    """Named filters over subscriptions."""

    def active(self) -> SubscriptionQuerySet:
        return self.filter(status=Subscription.Status.ACTIVE, client__status="active")

    def visible_to(self, user: Any) -> SubscriptionQuerySet:
        """Subscriptions of the systems of the user's agency (admins: all)."""
        if manages_all(user):
            return self.all()
        if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "official":
            return self.none()
        return self.filter(client__agency_id__in=_agency_ids_of(user))


class Subscription(AuditedModel):
    """A client system's subscription to event types, delivered to its webhook (đăng ký)."""

    audit_exclude = ("secret", "position", "attempts", "next_attempt_at", "last_error")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang nhận")
        PAUSED = "paused", _("Tạm dừng")

    client = models.ForeignKey(
        "exchange_clients.ClientSystem",
        verbose_name=_("hệ thống kết nối"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    #: Event types or shell-style patterns ("dossier.submitted", "dossier.*").
    types = models.JSONField(_("loại sự kiện"), default=list)
    url = models.URLField(_("địa chỉ nhận (webhook)"), max_length=500)
    #: The shared HMAC key; kept in clear because every delivery is signed with it.
    secret = models.CharField(max_length=100)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    #: The last outbox id this subscription is done with (delivered, skipped or dead).
    position = models.BigIntegerField(default=0)
    #: Failed attempts at the event after `position`; its next try is at `next_attempt_at`.
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    last_delivered_at = models.DateTimeField(_("chuyển lần cuối"), null=True, blank=True)
    delivered_count = models.BigIntegerField(_("đã chuyển"), default=0)
    created_at = models.DateTimeField(_("ngày đăng ký"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đăng ký"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("đăng ký nhận sự kiện")
        verbose_name_plural = _("đăng ký nhận sự kiện")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.url}"

    def matches(self, event_type: str) -> bool:
        """Whether events of this type go to this subscription."""
        return any(fnmatchcase(event_type, pattern) for pattern in self.types)


class DeadLetterQuerySet(models.QuerySet["DeadLetter"]):
    """Named filters over dead letters."""

    def visible_to(self, user: Any) -> DeadLetterQuerySet:
        if manages_all(user):
            return self.all()
        if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "official":
            return self.none()
        return self.filter(subscription__client__agency_id__in=_agency_ids_of(user))

    def dead(self) -> DeadLetterQuerySet:
        return self.filter(status=DeadLetter.Status.DEAD)


class DeadLetter(models.Model):
    """An event a subscription's receiver did not accept after every attempt (sự kiện lỗi).

    Holds a copy of the event, so a replay works after the outbox purged the original.
    """

    class Status(models.TextChoices):
        DEAD = "dead", _("Chuyển lỗi")
        QUEUED = "queued", _("Chờ chuyển lại")
        DELIVERED = "delivered", _("Đã chuyển lại")

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("đăng ký"),
        on_delete=models.CASCADE,
        related_name="dead_letters",
    )
    outbox_id = models.BigIntegerField()
    event_id = models.UUIDField(_("mã sự kiện"))
    type = models.CharField(_("loại"), max_length=120)
    subject = models.CharField(_("đối tượng"), max_length=200, blank=True)
    event = models.JSONField(_("sự kiện"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DEAD
    )
    attempts = models.PositiveIntegerField(_("số lần chuyển"), default=0)
    last_error = models.CharField(_("lỗi"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    replayed_at = models.DateTimeField(_("chuyển lại lúc"), null=True, blank=True)
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người chuyển lại"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("đã chuyển lúc"), null=True, blank=True)

    objects = DeadLetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện chuyển lỗi")
        verbose_name_plural = _("sự kiện chuyển lỗi")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="exchange_deadletter_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="exchange_deadletter_status")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class DeliveryCursor(models.Model):
    """How far a bridge (the NATS JetStream publisher) has read the outbox."""

    name = models.CharField(max_length=100, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vị trí chuyển sự kiện")

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"
