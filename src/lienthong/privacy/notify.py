"""Emails of the privacy app, sent by the worker from the outbox (never in the request)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.exchange.registry import CloudEvent
from lienthong.privacy.models import DATA_PROTECTION_ROLE, DataSubjectRequest


def officials_to_alert() -> list[str]:
    """Addresses of the data-protection unit (it_admin of a top-level unit)."""
    users = User.objects.filter(
        is_active=True,
        role_assignments__role=DATA_PROTECTION_ROLE,
        role_assignments__org_unit__parent__isnull=True,
    ).exclude(email="")
    return sorted({user.email for user in users})


def public_url(path: str) -> str:
    """An absolute URL on the public site (`LIENTHONG["PUBLIC_URL"]`)."""
    base = str(getattr(settings, "LIENTHONG", {}).get("PUBLIC_URL") or "http://127.0.0.1:8000")
    return base.rstrip("/") + path


def send_overdue(event: CloudEvent) -> int:
    """Email the overdue alert of one request; the number of messages sent (0 or 1)."""
    request = DataSubjectRequest.objects.filter(pk=int(event.subject or 0)).first()
    recipients = officials_to_alert()
    if request is None or not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Cảnh báo: yêu cầu về dữ liệu cá nhân số %(id)s đã quá hạn") % {
            "id": request.pk
        }
        body = "\n".join(
            [
                _("Loại yêu cầu: %(kind)s") % {"kind": request.get_kind_display()},
                _("Trạng thái: %(status)s") % {"status": request.get_status_display()},
                _("Hạn xác nhận: %(day)s") % {"day": f"{request.ack_due_date:%d/%m/%Y}"},
                _("Hạn giải quyết: %(at)s")
                % {"at": f"{timezone.localtime(request.response_due_at):%d/%m/%Y %H:%M}"},
                public_url(reverse("privacy:request", args=[request.pk])),
            ]
        )
    EmailMessage(
        subject=subject, body=body + "\n", from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
    ).send(fail_silently=False)
    return 1
