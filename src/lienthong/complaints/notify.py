"""Emails of the complaints app, sent by the worker from the outbox (never in the request).

- To the filer, on `complaint.received`, `.accepted`, `.refused`, `.forwarded`, `.extended`,
  `.concluded`: what happened and the lookup link (the filer's own address only).
- To the officials, on `complaint.overdue` / `complaint.at_risk` (`alerts.scan`): the assigned
  verifier, or else the leaders of the resolving agency, who have an email address.

A failed send raises, so the outbox retries the event with its backoff; the consumer's
`ProcessedEvent` row makes a redelivered event send nothing twice once it succeeded.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lienthong.accounts.models import Role, User
from lienthong.complaints import events
from lienthong.complaints.models import Complaint
from lienthong.exchange.registry import CloudEvent

logger = logging.getLogger("lienthong.complaints.notify")

SUBJECTS = {
    events.RECEIVED: gettext_noop("Đơn %(code)s đã được tiếp nhận"),
    events.ACCEPTED: gettext_noop("Đơn %(code)s đã được thụ lý"),
    events.REFUSED: gettext_noop("Đơn %(code)s không được thụ lý"),
    events.FORWARDED: gettext_noop("Đơn %(code)s đã được chuyển cơ quan có thẩm quyền"),
    events.EXTENDED: gettext_noop("Đơn %(code)s được gia hạn giải quyết"),
    events.CONCLUDED: gettext_noop("Đơn %(code)s đã có kết quả giải quyết"),
    events.OVERDUE: gettext_noop("Cảnh báo: đơn %(code)s đã quá hạn"),
    events.AT_RISK: gettext_noop("Cảnh báo: đơn %(code)s sắp đến hạn"),
}


def public_url(path: str) -> str:
    """An absolute URL on the public site (`LIENTHONG["PUBLIC_URL"]`)."""
    base = str(getattr(settings, "LIENTHONG", {}).get("PUBLIC_URL") or "http://127.0.0.1:8000")
    return base.rstrip("/") + path


def lookup_url(code: str) -> str:
    """The public lookup page of a case."""
    return public_url(reverse("complaints:lookup") + "?" + urlencode({"ma": code}))


def _complaint(event: CloudEvent) -> Complaint | None:
    code = str(event.data.get("code") or event.subject or "")
    return Complaint.objects.select_related("agency").filter(code=code).first()


def officials_to_alert(complaint: Complaint) -> list[str]:
    """The verifier's address, else the addresses of the agency's leaders."""
    if complaint.handler is not None and complaint.handler.email:
        return [complaint.handler.email]
    leaders = User.objects.filter(
        is_active=True,
        role_assignments__role=Role.LEADER,
        role_assignments__org_unit=complaint.agency,
    ).exclude(email="")
    return sorted({user.email for user in leaders})


def message_for(event: CloudEvent, complaint: Complaint) -> tuple[str, str, list[str]]:
    """Subject, body and recipients of the email an event calls for."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _(SUBJECTS[event.type]) % {"code": complaint.code}
        last = complaint.history.order_by("-at", "-pk").first()
        lines = [
            _("Mã đơn: %(code)s") % {"code": complaint.code},
            _("Loại đơn: %(kind)s") % {"kind": complaint.get_kind_display()},
            _("Cơ quan giải quyết: %(agency)s") % {"agency": complaint.agency.name},
            _("Trạng thái: %(status)s") % {"status": complaint.get_status_display()},
        ]
        if complaint.due_date:
            lines.append(_("Hạn giải quyết: %(day)s") % {"day": f"{complaint.due_date:%d/%m/%Y}"})
        if event.type in events.ALERT_EVENTS:
            lines.append(public_url(reverse("complaints:detail", args=[complaint.pk])))
            recipients = officials_to_alert(complaint)
        else:
            if last is not None and last.public_note:
                lines.append("")
                lines.append(last.public_note)
            lines.append("")
            lines.append(_("Tra cứu: %(url)s") % {"url": lookup_url(complaint.code)})
            recipients = [complaint.filer_email] if complaint.filer_email else []
    return subject, "\n".join(lines) + "\n", recipients


def send_for_event(event: CloudEvent) -> int:
    """Send the email an event calls for; the number of messages sent (0 or 1)."""
    if event.type not in SUBJECTS:
        return 0
    complaint = _complaint(event)
    if complaint is None:
        logger.warning("event %s names no known complaint (%s)", event.id, event.subject)
        return 0
    subject, body, recipients = message_for(event, complaint)
    if not recipients:
        return 0
    EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
    ).send(fail_silently=False)
    return 1
