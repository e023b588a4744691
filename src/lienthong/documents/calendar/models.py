"""Work calendar (lịch công tác): meeting rooms and events (meetings, working sessions).

An event belongs to an agency (whose office publishes it), has a chair (a leader),
participants (officials, org units and free-text guests), a preparing unit and a place: a
room of the agency (a meeting room or a video-conference room) or a free-text location.
Times are stored in UTC and shown in Asia/Ho_Chi_Minh. States: draft → submitted →
published, and cancelled from any of them.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel
from lienthong.core.permissions import ScopedQuerySet, grants_of, is_official_user

if TYPE_CHECKING:
    from lienthong.accounts.models import User


class RoomQuerySet(ScopedQuerySet["Room"]):
    """Rooms of the agencies within the user's role scope."""

    scope_field = "agency"

    def active(self) -> Self:
        return self.filter(is_active=True)

    def visible_to(self, user: Any, *, roles: Iterable[str] | None = None) -> Self:
        """Every official sees every room: rooms are shared facilities, and the published
        schedules name them anyway; managing them is the agency office's (services)."""
        if not is_official_user(user):
            return self.none()
        return self.all()


class Room(AuditedModel):
    """A meeting room or video-conference room (phòng họp, phòng họp trực tuyến) of an agency."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Phòng họp")
        VIDEO = "video", _("Phòng họp trực tuyến")

    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="calendar_rooms",
    )
    name = models.CharField(_("tên phòng"), max_length=200)
    kind = models.CharField(_("loại phòng"), max_length=10, choices=Kind.choices)
    capacity = models.PositiveIntegerField(_("sức chứa (người)"), default=0)
    location = models.CharField(_("địa điểm"), max_length=255, blank=True)
    video_link = models.CharField(
        _("đường dẫn / điểm cầu trực tuyến"),
        max_length=500,
        blank=True,
        help_text=_("Địa chỉ phòng họp trực tuyến hoặc mã điểm cầu (với phòng họp trực tuyến)."),
    )
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        verbose_name = _("phòng họp")
        verbose_name_plural = _("phòng họp")
        ordering = ["agency_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="calendar_room_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class EventState(models.TextChoices):
    """Where an event is on its way to the published weekly schedule."""

    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Chờ duyệt")
    PUBLISHED = "published", _("Đã công bố")
    CANCELLED = "cancelled", _("Đã hủy")


class EventQuerySet(ScopedQuerySet["Event"]):
    """Events: officials see their agencies' events, their own, and every published one."""

    scope_field = "agency"

    def own_rows(self, user: User) -> Q:
        """The chair, participants, the author, and anyone once the event was published."""
        takes_part = Event.participants.through.objects.filter(
            event_id=OuterRef("pk"), user_id=user.pk
        )
        # Officials of a division see the events their unit prepares (drafts included).
        prepares = grants_of(user).filter(
            StartsWith(OuterRef("preparing_unit__path"), F("org_unit__path"))
        )
        return (
            Q(chair_id=user.pk)
            | Q(created_by_id=user.pk)
            | Q(Exists(takes_part))
            | Q(Exists(prepares))
            # Published (and published-then-cancelled) events form the staff-wide schedule.
            | Q(published_at__isnull=False)
        )

    def visible_to(self, user: Any, *, roles: Iterable[str] | None = None) -> Self:
        """Officials only: citizens see no work calendar."""
        if not is_official_user(user):
            return self.none()
        return super().visible_to(user, roles=roles)

    def overlapping(self, starts_at: datetime.datetime, ends_at: datetime.datetime) -> Self:
        """Events that share some time with [starts_at, ends_at) (touching ends do not)."""
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def live(self) -> Self:
        """Events that still take place (not cancelled)."""
        return self.exclude(state=EventState.CANCELLED)

    def on_schedule(self) -> Self:
        """What the published weekly view shows: published events, and cancelled ones that
        had been published (shown struck through, so staff learn of the cancellation)."""
        return self.filter(published_at__isnull=False)


class Event(AuditedModel):
    """A meeting or working session on the work calendar (cuộc họp, sự kiện lịch công tác)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="calendar_events",
    )
    title = models.CharField(_("nội dung chính"), max_length=300)
    content = models.TextField(_("nội dung chi tiết"), blank=True)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("phòng họp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    location = models.CharField(_("địa điểm"), max_length=255, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_chaired",
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thành phần tham dự"),
        blank=True,
        related_name="calendar_events",
    )
    participant_units = models.ManyToManyField(
        "core.OrgUnit",
        verbose_name=_("đơn vị tham dự"),
        blank=True,
        related_name="calendar_attended",
    )
    guests = models.TextField(_("khách mời"), blank=True, help_text=_("Mỗi dòng một khách mời."))
    preparing_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị chuẩn bị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_prepared",
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=EventState.choices, default=EventState.DRAFT
    )
    sequence = models.PositiveIntegerField(_("lần sửa"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người công bố"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.CharField(_("lý do hủy"), max_length=500, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện lịch công tác")
        verbose_name_plural = _("lịch công tác")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["agency", "starts_at"], name="calendar_event_agency_start"),
            models.Index(fields=["room", "starts_at"], name="calendar_event_room_start"),
            models.Index(fields=["chair", "starts_at"], name="calendar_event_chair_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="calendar_event_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def guest_list(self) -> list[str]:
        return [line.strip() for line in self.guests.splitlines() if line.strip()]

    @property
    def place(self) -> str:
        """The room (with its location) or the free-text location."""
        if self.room is not None:
            parts = [self.room.name, self.room.location or self.location]
            return ", ".join(part for part in parts if part)
        return self.location
