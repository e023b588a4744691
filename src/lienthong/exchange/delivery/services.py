"""Writes of event delivery: subscribing a client system, pausing, removing, replaying."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, record, service
from lienthong.exchange.delivery.models import (
    DeadLetter,
    Subscription,
    _agency_ids_of,
    manages_all,
)
from lienthong.exchange.models import OutboxEvent

#: An event type ("dossier.submitted") or a pattern with `*` for whole words ("dossier.*").
_TYPE_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.([a-z0-9_]+|\*))+)$")


class DeliveryError(Exception):
    """A request about event delivery that cannot be carried out; the message is for the user."""


def can_manage(user: Any, client: Any) -> bool:
    """Admins, and officials of the client system's agency (or of a unit inside it)."""
    if manages_all(user):
        return True
    if user is None or getattr(user, "kind", "") != "official" or not user.is_active:
        return False
    return client.agency_id in _agency_ids_of(user)


def _check(by: Any, client: Any) -> None:
    if by is not None and not can_manage(by, client):
        raise PermissionDenied(
            _("Bạn không có quyền quản lý đăng ký nhận sự kiện của hệ thống này.")
        )


def event_service(event_type: str) -> str:
    """The catalogue's service code of an event type (what a grant names)."""
    return f"event.{event_type}"


def granted(client: Any, pattern: str) -> bool:
    """Whether the client may receive events of this type (or pattern, granted as written)."""
    from lienthong.exchange.clients.grants import is_granted

    return bool(is_granted(client, event_service(pattern)))


def _clean_types(types: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for value in types:
        value = str(value).strip()
        if not value:
            continue
        if not _TYPE_PATTERN.match(value) or len(value) > 120:
            raise DeliveryError(
                _("“%(type)s” không phải loại sự kiện (ví dụ: dossier.submitted, dossier.*).")
                % {"type": value}
            )
        if value not in cleaned:
            cleaned.append(value)
    if not cleaned:
        raise DeliveryError(_("Cần ít nhất một loại sự kiện."))
    return cleaned


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise DeliveryError(_("Địa chỉ nhận phải là một URL http:// hoặc https:// hợp lệ."))
    return url


@service
def subscribe(
    client: Any,
    *,
    types: Iterable[str],
    url: str,
    by: Any = None,
    secret: str | None = None,
) -> Subscription:
    """Subscribe a client system's webhook to event types it is granted (đăng ký nhận sự kiện).

    Delivery starts with the events published after this call. The secret (generated unless
    given) signs every delivery; the caller shows it once. by=None: the command line or the
    client system itself through the API.
    """
    _check(by, client)
    if not client.is_active:
        raise DeliveryError(_("Hệ thống %(client)s không hoạt động.") % {"client": client})
    cleaned = _clean_types(types)
    refused = [t for t in cleaned if not granted(client, t)]
    if refused:
        raise DeliveryError(
            _("Hệ thống %(client)s chưa được cấp quyền nhận sự kiện: %(types)s.")
            % {"client": client.code, "types": ", ".join(refused)}
        )
    if secret is not None and len(secret) < 16:
        raise DeliveryError(_("Khoá ký phải dài ít nhất 16 ký tự."))
    subscription = Subscription(
        client=client,
        types=cleaned,
        url=_clean_url(url),
        secret=secret or secrets.token_urlsafe(32),
        position=OutboxEvent.objects.aggregate(top=Max("id"))["top"] or 0,
        created_by=by,
    )
    with audited("exchange.subscription.create", subscription):
        subscription.save()
    return subscription


@service
def set_status(subscription: Subscription, status: str, *, by: Any = None) -> Subscription:
    """Pause or resume a subscription; a resumed one goes on from where it stopped."""
    _check(by, subscription.client)
    if status not in Subscription.Status.values:
        raise DeliveryError(_("Trạng thái không hợp lệ."))
    with audited("exchange.subscription.status", subscription):
        subscription.status = status
        subscription.next_attempt_at = timezone.now()
        subscription.save(update_fields=["status", "next_attempt_at"])
    return subscription


@service
def unsubscribe(subscription: Subscription, *, by: Any = None) -> None:
    """Remove a subscription and its dead letters."""
    _check(by, subscription.client)
    with audited("exchange.subscription.delete", subscription):
        subscription.delete()


@service
def replay_dead_letter(dead_letter: DeadLetter, *, by: Any = None) -> DeadLetter:
    """Queue a dead letter for one more delivery by `lienthong deliver`.

    A replayed event reaches the receiver after events that followed it: receivers that care
    about order compare the events' `sequence`.
    """
    letter = DeadLetter.objects.select_for_update().select_related("subscription__client")
    dead_letter = letter.get(pk=dead_letter.pk)
    _check(by, dead_letter.subscription.client)
    if dead_letter.status != DeadLetter.Status.DEAD:
        raise DeliveryError(
            _("Sự kiện %(id)s không ở trạng thái lỗi (đang: “%(status)s”).")
            % {"id": dead_letter.event_id, "status": dead_letter.get_status_display()}
        )
    dead_letter.status = DeadLetter.Status.QUEUED
    dead_letter.replayed_at = timezone.now()
    dead_letter.replayed_by = by
    dead_letter.save(update_fields=["status", "replayed_at", "replayed_by"])
    record(
        "exchange.deadletter.replay",
        dead_letter,
        after={"event_id": str(dead_letter.event_id), "subscription": dead_letter.subscription_id},
    )
    return dead_letter


@service
def replay_dead_letters(letters: Iterable[DeadLetter], *, by: Any = None) -> int:
    """Queue several dead letters at once (all or nothing); how many."""
    count = 0
    for letter in letters:
        replay_dead_letter(letter, by=by)
        count += 1
    return count
