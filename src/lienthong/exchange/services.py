"""Writes of the exchange app: putting a dead event back in the outbox."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role
from lienthong.core.audit import audited, service
from lienthong.exchange.models import OutboxEvent


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
