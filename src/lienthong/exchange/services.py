"""Writes of the exchange app: putting a dead event back in the outbox, purging old rows."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role
from lienthong.core.audit import audited, record, service
from lienthong.exchange.models import OutboxEvent, ProcessedEvent


class OutboxError(Exception):
    """A request about the outbox that cannot be carried out; the message is for the user."""


def can_replay(user: Any) -> bool:
    """Whether `user` may send dead events again: platform administrators only."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.has_role(Role.IT_ADMIN))


@service
def replay_event(event_id: uuid.UUID | str, *, by: Any = None) -> OutboxEvent:
    """Put a DEAD event back to pending with a fresh set of attempts (by=None: the CLI)."""
    if by is not None and not can_replay(by):
        raise PermissionDenied(_("Bạn không có quyền chuyển lại sự kiện."))
    try:
        key = event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(str(event_id))
    except ValueError:
        raise OutboxError(_("Mã sự kiện “%(id)s” không hợp lệ.") % {"id": event_id}) from None
    event = OutboxEvent.objects.select_for_update().filter(event_id=key).first()
    if event is None:
        raise OutboxError(_("Không tìm thấy sự kiện %(id)s.") % {"id": key})
    if event.status != OutboxEvent.Status.DEAD:
        raise OutboxError(
            _("Chỉ chuyển lại được sự kiện bị lỗi; sự kiện %(id)s đang ở trạng thái “%(status)s”.")
            % {"id": key, "status": event.get_status_display()}
        )
    with audited("outbox.replay", event):
        event.status = OutboxEvent.Status.PENDING
        event.attempts = 0
        event.next_attempt_at = timezone.now()
        event.save(update_fields=["status", "attempts", "next_attempt_at"])
    return event


@dataclass(frozen=True)
class Purged:
    """What `purge_delivered` removed (or, in a dry run, would remove)."""

    before: datetime.datetime
    events: int
    processed: int


def _purge_batch(rows: Any, batch: int) -> int:
    """Delete `rows` in batches of primary keys: one short transaction each, so a purge of
    millions of rows never holds the database's write lock (SQLite) for long."""
    total = 0
    while True:
        keys = list(rows.values_list("pk", flat=True)[:batch])
        if not keys:
            return total
        total += rows.model.objects.filter(pk__in=keys).delete()[0]


def purge_delivered(
    *, older_than_days: int, dry_run: bool = False, batch: int = 5000, by: Any = None
) -> Purged:
    """Remove delivered events, and consumers' records of handled events, older than the
    given number of days (lưu giữ). Pending and dead events are never removed: they still
    need delivering or a person's attention.

    Why keeping ProcessedEvent rows that long is enough: a redelivery comes from the relay
    (only for events not yet delivered, which are kept) or from JetStream within its
    duplicate window (minutes), so a record older than the retention can no longer be needed.
    """
    if by is not None and not can_replay(by):
        raise PermissionDenied(_("Bạn không có quyền dọn hàng đợi sự kiện."))
    if older_than_days < 1:
        raise OutboxError(_("Thời gian lưu giữ phải từ 1 ngày trở lên."))
    before = timezone.now() - datetime.timedelta(days=older_than_days)
    events = OutboxEvent.objects.filter(
        status=OutboxEvent.Status.DELIVERED, delivered_at__lt=before
    )
    processed = ProcessedEvent.objects.filter(processed_at__lt=before)
    if dry_run:
        return Purged(before, events.count(), processed.count())
    result = Purged(before, _purge_batch(events, batch), _purge_batch(processed, batch))
    # One entry for the whole purge: who removed how much, and up to when.
    record(
        "outbox.purge",
        object_type="exchange.outboxevent",
        object_repr=_("Dọn sự kiện đã chuyển trước %(at)s") % {"at": before.isoformat()},
        actor=by,
        after={
            "before": before.isoformat(),
            "events": result.events,
            "processed": result.processed,
        },
    )
    return result
