"""Telling the applicant: email through a real SMTP server process, SMS through the provider
interface, once per event and recipient, failures recorded and retried."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from lienthong.core.smtp_testing import SmtpServer, free_port, use_server
from lienthong.exchange.models import OutboxEvent, ProcessedEvent
from lienthong.exchange.outbox import relay_pending
from lienthong.onestop import processing, results
from lienthong.onestop.models import Channel, Notification
from lienthong.onestop.notify import LoggingSmsBackend, SmsError
from lienthong.onestop.testing import TINY_PDF, make_citizen
from lienthong.onestop.testing_processing import make_team, moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings: Any, tmp_path: Path) -> Iterator[SmtpServer]:
    """An SMTP server (not started) and the settings that send mail to it."""
    server = SmtpServer(port=free_port(), maildir=tmp_path / "maildir")
    use_server(settings, server, "Một cửa Liên Thông <motcua@example.vn>")
    try:
        yield server
    finally:
        server.stop()


def _header(message: EmailMessage, name: str) -> str:
    # A long encoded header is folded; unfolded, it reads as one line.
    return " ".join(str(message[name]).split())


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_the_receipt_email_reaches_the_smtp_server(
    smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    # given a running SMTP server and a dossier just received at the counter
    smtp.start()
    team = make_team("UBND phường Phú Cường thử")
    dossier = team.dossier(at=moment("2026-02-09 09:00"))

    # when the worker relays the outbox
    with caplog.at_level(logging.INFO, logger="lienthong.onestop.sms"):
        call_command("worker", "--once")

    # then the applicant's email arrived, in Vietnamese
    received = smtp.messages()
    assert len(received) == 1
    message = received[0]
    assert _header(message, "To") == "tranvanan@example.vn"
    assert _header(message, "From") == "Một cửa Liên Thông <motcua@example.vn>"
    assert _header(message, "Subject") == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    body = _body(message)
    assert "Kính gửi ông/bà Trần Văn An," in body
    assert "Bộ phận tiếp nhận và trả kết quả UBND phường Phú Cường thử đã tiếp nhận" in body
    assert f"Mã hồ sơ: {dossier.code}" in body
    assert "Tiếp nhận lúc: 09:00 09/02/2026" in body
    assert "Ngày hẹn trả kết quả: 23/02/2026" in body
    # and the SMS went to the provider (the logging backend)
    assert (
        f"SMS to 02743822123: Hồ sơ {dossier.code} đã được tiếp nhận, hẹn trả kết quả ngày "
        "23/02/2026." in caplog.text
    )
    sent = Notification.objects.filter(dossier=dossier).order_by("channel")
    assert [(n.channel, n.recipient, n.status, n.attempts, n.kind) for n in sent] == [
        ("email", "tranvanan@example.vn", "sent", 1, "received"),
        ("sms", "02743822123", "sent", 1, "received"),
    ]


def test_a_redelivered_event_sends_no_second_email(smtp: SmtpServer) -> None:
    smtp.start()
    team = make_team()
    dossier = team.dossier()
    relay_pending()
    assert len(smtp.messages()) == 1

    # when every event is offered again (a relay that crashed before marking them delivered)
    OutboxEvent.objects.update(status=OutboxEvent.Status.PENDING, next_attempt_at=timezone.now())
    result = relay_pending()

    # then they are handled again without effect
    assert result.delivered >= 3
    assert len(smtp.messages()) == 1
    assert Notification.objects.filter(dossier=dossier).count() == 2
    received = OutboxEvent.objects.get(type="dossier.received", subject=dossier.code)
    assert (
        ProcessedEvent.objects.filter(
            consumer="onestop.notify_applicant", event_id=received.event_id
        ).count()
        == 1
    )


def test_an_smtp_failure_is_recorded_and_retried_after_the_outbox_backoff(
    smtp: SmtpServer,
) -> None:
    # given no SMTP server listening yet
    team = make_team()
    dossier = team.dossier()

    relay_pending()

    # then the email is marked failed with the error, and a new attempt waits 30 seconds
    notification = Notification.objects.get(dossier=dossier, channel="email")
    assert (notification.status, notification.attempts) == ("failed", 1)
    assert "ConnectionRefusedError" in notification.error
    first_try = notification.sent_at
    retry = OutboxEvent.objects.get(
        type="notification.requested", status="pending", data__notification=notification.pk
    )
    assert retry.next_attempt_at == first_try + datetime.timedelta(seconds=30)
    assert relay_pending(now=first_try + datetime.timedelta(seconds=29)).claimed == 0

    # when the server is up and the backoff has passed
    smtp.start()
    relay_pending(now=first_try + datetime.timedelta(seconds=31))

    # then the email is sent, once
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.error) == ("sent", 2, "")
    assert [_header(m, "Subject") for m in smtp.messages()] == [
        f"Hồ sơ {dossier.code} đã được tiếp nhận"
    ]


class FailingSmsBackend:
    """A provider that refuses every message."""

    def send(self, phone: str, text: str) -> None:
        raise SmsError("nhà mạng từ chối")


def test_an_sms_provider_failure_is_recorded(settings: Any) -> None:
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "SMS_BACKEND": "lienthong.onestop.tests.test_notify.FailingSmsBackend",
    }
    team = make_team()
    dossier = team.dossier()

    relay_pending()

    sms = Notification.objects.get(dossier=dossier, channel="sms")
    assert (sms.status, sms.error) == ("failed", "SmsError: nhà mạng từ chối")
    assert Notification.objects.get(dossier=dossier, channel="email").status == "sent"


def test_the_logging_sms_backend_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="lienthong.onestop.sms"):
        LoggingSmsBackend().send("0912345678", "Xin chào")
    assert caplog.records[-1].getMessage() == "SMS to 0912345678: Xin chào"


def _relay_and_take(kind: str) -> Any:
    relay_pending()
    return [
        m
        for m in mail.outbox
        if Notification.objects.filter(kind=kind, subject=m.subject, channel="email").exists()
    ]


def test_the_supplement_request_email_says_what_is_missing() -> None:
    team = make_team()
    citizen = make_citizen(email="chi.lan@example.vn")
    dossier = team.online_dossier(applicant=citizen)
    relay_pending()
    mail.outbox.clear()

    processing.request_supplement(
        dossier,
        items=["Sơ đồ thửa đất", "Bản sao sổ hộ khẩu"],
        reason="Thiếu giấy tờ chứng minh.",
        by=team.specialist,
    )
    relay_pending()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["chi.lan@example.vn"]
    assert message.subject == f"Hồ sơ {dossier.code}: yêu cầu bổ sung, hoàn thiện hồ sơ"
    assert "1. Sơ đồ thửa đất\n2. Bản sao sổ hộ khẩu" in message.body
    assert "Lý do: Thiếu giấy tờ chứng minh." in message.body
    assert f"/motcua/ho-so-cua-toi/{dossier.code}/thao-tac/" in message.body


def test_the_apology_email_gives_the_new_date() -> None:
    team = make_team()
    dossier = team.dossier(at=moment("2026-02-02 09:00"))
    relay_pending()
    mail.outbox.clear()

    processing.write_apology(
        dossier,
        reason="Cần xác minh thêm.",
        days=3,
        by=team.specialist,
        at=moment("2026-02-10 09:00"),
    )
    relay_pending()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Hồ sơ {dossier.code}: thư xin lỗi và hẹn lại ngày trả kết quả"
    assert "ngày hẹn trả kết quả là ngày 09/02/2026" in message.body
    assert "Lý do: Cần xác minh thêm." in message.body
    assert (
        f"{team.agency.name} thành thật xin lỗi ông/bà và hẹn trả kết quả vào ngày 13/02/2026."
        in message.body
    )


def test_the_result_emails_ready_then_returned_online() -> None:
    team = make_team()
    citizen = make_citizen(email="an.binh@example.vn")
    dossier = team.online_dossier(applicant=citizen)
    processing.forward_dossier(dossier, by=team.specialist)
    processing.forward_dossier(dossier, by=team.leader)
    results.upload_result(
        dossier,
        title="Giấy phép kinh doanh",
        number="12/GP",
        file=ContentFile(TINY_PDF, name="gp.pdf"),
        by=team.leader,
    )
    relay_pending()
    ready = [m for m in mail.outbox if "đã có kết quả" in m.subject]
    assert [m.subject for m in ready] == [f"Hồ sơ {dossier.code} đã có kết quả"]
    assert "Kết quả: Giấy phép kinh doanh (số 12/GP)" in ready[0].body
    mail.outbox.clear()

    results.return_result(dossier, by=team.officer, channel=Channel.ONLINE)
    relay_pending()

    assert [m.subject for m in mail.outbox] == [f"Hồ sơ {dossier.code} đã được trả kết quả"]
    body = mail.outbox[0].body
    assert "đã được gửi trực tuyến cho ông/bà và được lưu trong kho dữ liệu" in body
    assert (
        f"Tải kết quả tại: http://127.0.0.1:8000/motcua/ho-so-cua-toi/{dossier.code}/thao-tac/"
        in body
    )


def test_no_contact_no_notification() -> None:
    team = make_team()
    from lienthong.onestop import intake
    from lienthong.onestop.testing import counter_applicant

    dossier = intake.receive_at_counter(
        procedure=team.procedure,
        agency=team.agency,
        applicant=counter_applicant(email="", phone=""),
        components_received=[
            intake.ReceivedComponent(c, originals=1, copies=0)
            for c in team.procedure.components.filter(is_required=True)
        ],
        by=team.officer,
    )

    relay_pending()

    assert not Notification.objects.filter(dossier=dossier).exists()
    assert mail.outbox == []
