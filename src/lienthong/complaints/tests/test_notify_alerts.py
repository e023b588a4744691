"""Emails through a real SMTP server, sent by the worker from the outbox; overdue and at-risk
alerts written once a day; the `lienthong complaints` command."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from lienthong.complaints import alerts, services
from lienthong.complaints.models import Alert, Outcome
from lienthong.complaints.testing import accept_and_assign, file_case, make_team, moment
from lienthong.core.smtp_testing import SmtpServer
from lienthong.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _header(message: object, name: str) -> str:
    return " ".join(str(message[name]).split())  # type: ignore[index]


def test_the_filer_gets_an_email_for_each_step_and_a_redelivery_sends_nothing_twice(
    smtp: SmtpServer,
) -> None:
    smtp.start()
    team = make_team()
    case = file_case(team, at=moment(2026, 3, 2))
    call_command("worker", "--once")
    received = smtp.messages()
    assert [_header(m, "Subject") for m in received] == [f"Đơn {case.code} đã được tiếp nhận"]
    assert _header(received[0], "To") == team.citizen.email
    body = str(received[0].get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert f"Mã đơn: {case.code}" in body
    assert f"/khieu-nai/tra-cuu/?ma={case.code}" in body
    # the same event relayed again sends nothing
    OutboxEvent.objects.filter(type="complaint.received").update(status="pending", attempts=0)
    call_command("worker", "--once")
    assert len(smtp.messages()) == 1
    accept_and_assign(team, case, at=moment(2026, 3, 3))
    call_command("worker", "--once")
    assert [_header(m, "Subject") for m in smtp.messages()][1:] == [
        f"Đơn {case.code} đã được thụ lý"
    ]


def test_the_email_waits_for_the_smtp_server(smtp: SmtpServer) -> None:
    team = make_team()
    case = file_case(team)
    # no server yet: the handler fails, the event stays for a retry
    call_command("worker", "--once")
    assert smtp.messages() == []
    event = OutboxEvent.objects.get(type="complaint.received", subject=case.code)
    assert event.status != "delivered"
    smtp.start()
    OutboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=moment(2000, 1, 1))
    call_command("worker", "--once")
    assert [_header(m, "Subject") for m in smtp.messages()] == [
        f"Đơn {case.code} đã được tiếp nhận"
    ]


def test_alerts_once_a_day_and_the_verifier_is_emailed(smtp: SmtpServer) -> None:
    team = make_team()
    late = file_case(team, at=moment(2026, 3, 2))  # acceptance due Wed 11 March
    accept_and_assign(team, late, at=moment(2026, 3, 3))  # resolution due Thu 2 April
    close = file_case(team, at=moment(2026, 3, 30))  # acceptance due Wed 8 April
    calm = file_case(team, at=moment(2026, 4, 6))  # acceptance due Wed 15 April
    # on Monday 6 April, 10:00
    now = moment(2026, 4, 6, 10)
    found = alerts.scan(now)
    assert found.overdue == [late.code]
    assert found.at_risk == [close.code]
    assert calm.code not in found.overdue + found.at_risk
    # the same day again: nothing new
    again = alerts.scan(now + datetime.timedelta(hours=3))
    assert (again.overdue, again.at_risk) == ([], [])
    assert Alert.objects.count() == 2
    # the verifier of the late case is told by email
    smtp.start()
    call_command("worker", "--once")
    subjects = {_header(m, "To"): _header(m, "Subject") for m in smtp.messages()}
    assert subjects[team.verifier.email] == f"Cảnh báo: đơn {late.code} đã quá hạn"
    assert subjects[team.leader.email] == f"Cảnh báo: đơn {close.code} sắp đến hạn"


def test_a_concluded_case_raises_no_alert() -> None:
    team = make_team()
    case = accept_and_assign(team, file_case(team, at=moment(2026, 3, 2)), at=moment(2026, 3, 3))
    services.report(complaint=case, by=team.verifier, text="x", at=moment(2026, 3, 10))
    services.conclude(
        complaint=case,
        by=team.leader,
        outcome=Outcome.WRONG,
        conclusion="Sai",
        number="1",
        at=moment(2026, 3, 11),
    )
    assert alerts.scan(moment(2026, 6, 1)) == alerts.Found([], [])


def test_the_command_writes_alerts_and_the_report(tmp_path: Path) -> None:
    team = make_team()
    case = file_case(team, at=moment(2026, 3, 2))
    out = StringIO()
    call_command("complaints", "alerts", stdout=out)
    assert out.getvalue().strip() == "Quá hạn: 1; sắp đến hạn: 0."
    out = StringIO()
    call_command(
        "complaints", "report", "--from", "2026-03-01", "--to", "2026-03-31", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["total"]["received"] == 1 and data["total"]["open"] == 1
    target = tmp_path / "bao-cao.xlsx"
    call_command(
        "complaints",
        "report",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--by",
        "agency",
        "--xlsx",
        str(target),
        stdout=StringIO(),
    )
    sheet = load_workbook(target).active
    assert sheet is not None
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert team.agency.name in values
    with pytest.raises(CommandError, match="không phải ngày"):
        call_command("complaints", "report", "--from", "hôm qua", "--to", "2026-03-31")
    out = StringIO()
    call_command("complaints", "rules", stdout=out)
    assert "Điều 30 khoản 3 Luật Tố cáo 25/2018/QH14" in out.getvalue()
    assert case.code
