"""Telling the applicant — thông báo cho người nộp: email through SMTP, SMS through a provider.

Two steps, both run by the worker from the outbox (`onestop/handlers.py`), never inside the
web request that caused them:

1. `queue_for_event` turns a dossier event (receipt, supplement request, financial
   obligation, apology, result ready or returned, stop, withdrawal, refusal) into
   `Notification` rows — one per channel and recipient, rendered in Vietnamese, status PENDING
   — and publishes `notification.requested` for each. The row is unique per event, channel
   and recipient, and the consumer's `ProcessedEvent` row commits with it, so a redelivered
   event queues nothing twice.
2. `deliver` sends one notification: email with Django's mail backend (settings EMAIL_*; SMTP
   in production), SMS with the `SmsBackend` named by `LIENTHONG["SMS_BACKEND"]`
   (default `LoggingSmsBackend`, which only logs). A row already SENT is skipped. A failure is
   written on the row (FAILED, the error, the attempt count) — kept, because the handler does
   not raise — and a new `notification.requested` event is scheduled after the outbox's own
   backoff (`exchange.outbox.backoff`); after `OUTBOX_MAX_ATTEMPTS` attempts it stays FAILED.
   Sending is at least once: if the database fails after the SMTP server took the message,
   the next attempt sends it again.

Email templates are `onestop/templates/onestop/email_<kind>.txt`: the first line is the
subject, the rest (after a blank line) the body. SMS texts are one short sentence with full
diacritics; a provider that only takes unaccented text folds it in its backend
(`lienthong.core.text.fold`).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from lienthong.exchange.models import OutboxEvent
from lienthong.exchange.outbox import backoff, publish, setting
from lienthong.exchange.registry import CloudEvent
from lienthong.onestop.intake import lookup_url, public_url
from lienthong.onestop.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierResult,
    FinancialObligation,
    Notification,
    SupplementRequest,
)
from lienthong.privacy import services as privacy

logger = logging.getLogger("lienthong.onestop.notify")
sms_logger = logging.getLogger("lienthong.onestop.sms")

DEFAULT_SMS_BACKEND = "lienthong.onestop.notify.LoggingSmsBackend"
#: The event that asks for one notification to be sent.
DELIVERY_EVENT = "notification.requested"


# --- SMS providers --------------------------------------------------------------------------


class SmsError(Exception):
    """The provider did not take the message."""


class SmsBackend(Protocol):
    """An SMS provider: send one text to one phone number, or raise SmsError."""

    def send(self, phone: str, text: str) -> None:
        """Send `text` to `phone`."""


class LoggingSmsBackend:
    """Writes each SMS to the log instead of sending it (the default: no provider needed)."""

    def send(self, phone: str, text: str) -> None:
        """Log the message at INFO on `lienthong.onestop.sms`."""
        sms_logger.info("SMS to %s: %s", phone, text)


def sms_backend() -> SmsBackend:
    """The configured SMS provider, from `LIENTHONG["SMS_BACKEND"]` (a dotted class path)."""
    path = getattr(settings, "LIENTHONG", {}).get("SMS_BACKEND") or DEFAULT_SMS_BACKEND
    backend: SmsBackend = import_string(path)()
    return backend


# --- What is sent for which event -----------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """How an event is told to the applicant: the kind (template) and the SMS text."""

    kind: str
    sms: Callable[[dict[str, Any]], str]


def _date(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


MESSAGES: dict[str, Message] = {
    "dossier.received": Message(
        "received",
        lambda c: (
            _("Hồ sơ %(code)s đã được tiếp nhận, hẹn trả kết quả ngày %(date)s.")
            % {"code": c["dossier"].code, "date": _date(c["dossier"].due_date)}
        ),
    ),
    "dossier.refused": Message(
        "refused",
        lambda c: (
            _("Hồ sơ %(code)s không được tiếp nhận. Xem lý do tại %(url)s")
            % {"code": c["dossier"].code, "url": c["lookup_url"]}
        ),
    ),
    "dossier.supplement_requested": Message(
        "supplement",
        lambda c: (
            _("Hồ sơ %(code)s cần bổ sung giấy tờ. Xem chi tiết tại %(url)s")
            % {"code": c["dossier"].code, "url": c["lookup_url"]}
        ),
    ),
    "dossier.obligation_requested": Message(
        "obligation",
        lambda c: (
            _("Hồ sơ %(code)s: đề nghị nộp %(amount)s đồng. Xem chi tiết tại %(url)s")
            % {
                "code": c["dossier"].code,
                "amount": f"{c['obligation'].amount:,}".replace(",", ".")
                if c["obligation"]
                else "",
                "url": c["lookup_url"],
            }
        ),
    ),
    "dossier.apologised": Message(
        "apology",
        lambda c: (
            _("Xin lỗi vì hồ sơ %(code)s bị chậm. Ngày hẹn trả kết quả mới: %(date)s.")
            % {
                "code": c["dossier"].code,
                "date": _date(c["apology"].new_due_date if c["apology"] else None),
            }
        ),
    ),
    "dossier.result_ready": Message(
        "result_ready",
        lambda c: _("Hồ sơ %(code)s đã có kết quả.") % {"code": c["dossier"].code},
    ),
    "dossier.returned": Message(
        "returned",
        lambda c: _("Hồ sơ %(code)s đã được trả kết quả.") % {"code": c["dossier"].code},
    ),
    "dossier.stopped": Message(
        "stopped",
        lambda c: (
            _("Hồ sơ %(code)s đã dừng xử lý. Xem lý do tại %(url)s")
            % {"code": c["dossier"].code, "url": c["lookup_url"]}
        ),
    ),
    "dossier.withdrawn": Message(
        "withdrawn",
        lambda c: _("Hồ sơ %(code)s đã được rút theo yêu cầu.") % {"code": c["dossier"].code},
    ),
}
#: The dossier events that tell the applicant something.
NOTIFY_EVENTS = tuple(MESSAGES)


def _dossier_of(event: CloudEvent) -> Dossier | None:
    code = str(event.data.get("code") or event.subject or "")
    return (
        Dossier.objects.select_related("procedure", "agency", "applicant").filter(code=code).first()
    )


def _ref(data: dict[str, Any], key: str) -> int:
    """An id carried by an event (0, which matches nothing, when absent)."""
    value = data.get(key)
    return value if isinstance(value, int) else 0


def _context(event: CloudEvent, dossier: Dossier) -> dict[str, Any]:
    data = event.data
    history = (
        dossier.history.filter(pk=_ref(data, "history_id")).first()
        if data.get("history_id")
        else dossier.history.order_by("-at", "-pk").first()
    )
    return {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "agency": dossier.agency,
        "event": data,
        "note": history.public_note if history is not None else "",
        "lookup_url": lookup_url(dossier.code),
        "dossier_url": public_url(reverse("onestop:my_dossier", args=[dossier.code])),
        "supplement": SupplementRequest.objects.filter(
            pk=_ref(data, "supplement_id"), dossier=dossier
        ).first(),
        "obligation": FinancialObligation.objects.filter(
            pk=_ref(data, "obligation_id"), dossier=dossier
        ).first(),
        "apology": ApologyLetter.objects.filter(pk=_ref(data, "apology_id"), dossier=dossier)
        .select_related("late_unit")
        .first(),
        "result": DossierResult.objects.filter(dossier=dossier).first(),
        "online": data.get("channel") == Channel.ONLINE,
        "province": getattr(settings, "LIENTHONG", {}).get("PROVINCE_NAME", ""),
    }


def render_email(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of an email from `onestop/email_<kind>.txt` (first line: subject)."""
    text = render_to_string(f"onestop/email_{kind}.txt", context)
    subject, _sep, body = text.lstrip().partition("\n")
    return " ".join(subject.split()), body.strip() + "\n"


def recipients(dossier: Dossier) -> list[tuple[str, str]]:
    """(channel, address) pairs of the applicant: the dossier's email and phone, else the
    account's."""
    account = dossier.applicant
    email = dossier.applicant_email or (account.email if account is not None else "")
    phone = dossier.applicant_phone or (account.phone if account is not None else "")
    found: list[tuple[str, str]] = []
    # A withdrawn consent to a channel stops it (Decree 13/2023/NĐ-CP, Art. 12(4)).
    if email and not privacy.has_withdrawn(account, privacy.NOTIFY_EMAIL):
        found.append((Notification.Channel.EMAIL, email.strip()))
    if phone and not privacy.has_withdrawn(account, privacy.NOTIFY_SMS):
        found.append((Notification.Channel.SMS, "".join(phone.split())))
    return found


def queue_for_event(event: CloudEvent) -> list[Notification]:
    """Render and queue the notifications an event calls for (run by the worker)."""
    message = MESSAGES.get(event.type)
    if message is None:
        return []
    dossier = _dossier_of(event)
    if dossier is None:
        logger.warning("event %s names no known dossier (%s)", event.id, event.subject)
        return []
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(event, dossier)
        subject, body = render_email(message.kind, context)
        sms_text = message.sms(context)
    queued: list[Notification] = []
    for channel, address in recipients(dossier):
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    dossier=dossier,
                    channel=channel,
                    recipient=address[:255],
                    subject=subject[:255] if channel == Notification.Channel.EMAIL else "",
                    body=body if channel == Notification.Channel.EMAIL else sms_text,
                    event_id=event.id,
                    kind=message.kind,
                    status=Notification.Status.PENDING,
                )
        except IntegrityError:
            continue  # queued by an earlier delivery of this event
        publish(DELIVERY_EVENT, subject=dossier.code, data={"notification": notification.pk})
        queued.append(notification)
    return queued


# --- Sending --------------------------------------------------------------------------------


def _send(notification: Notification) -> None:
    if notification.channel == Notification.Channel.EMAIL:
        EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
        ).send(fail_silently=False)
    else:
        sms_backend().send(notification.recipient, notification.body)


def deliver(notification_id: int, *, now: datetime.datetime | None = None) -> Notification | None:
    """Send one queued notification; on failure record it and schedule another attempt."""
    notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
    if notification is None or notification.status == Notification.Status.SENT:
        return notification
    now = now or timezone.now()
    notification.attempts += 1
    notification.sent_at = now
    try:
        _send(notification)
    except Exception as exc:  # SMTP, network, provider: all mean "try again later"
        notification.status = Notification.Status.FAILED
        notification.error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning(
            "notification %s to %s failed (attempt %d): %s",
            notification.pk,
            notification.channel,
            notification.attempts,
            notification.error,
        )
        if notification.attempts < int(setting("OUTBOX_MAX_ATTEMPTS")):
            retry = publish(
                DELIVERY_EVENT,
                subject=notification.dossier.code if notification.dossier else "",
                data={"notification": notification.pk, "attempt": notification.attempts + 1},
            )
            OutboxEvent.objects.filter(pk=retry.pk).update(
                next_attempt_at=now + backoff(notification.attempts)
            )
    else:
        notification.status = Notification.Status.SENT
        notification.error = ""
    notification.save(update_fields=["attempts", "sent_at", "status", "error"])
    return notification
