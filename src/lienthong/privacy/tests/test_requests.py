"""Data-subject requests: deadlines in working days across a weekend and a holiday (and 72
clock hours for the response), the data-protection unit's actions, overdue alerts by email."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core import calendar
from lienthong.core.models import AuditEntry, Holiday
from lienthong.core.smtp_testing import SmtpServer
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop.testing import make_citizen
from lienthong.privacy import alerts, services
from lienthong.privacy.models import DataSubjectRequest, RequestAlert, RequestStatus
from lienthong.privacy.testing import make_dpo
from lienthong.workflow.engine import WrongState

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=calendar.VN_TZ)


@pytest.fixture
def holiday() -> Holiday:
    # Monday 27 April 2026: Hùng Kings' day (10/3 lunar falls on Sunday 26, taken on Monday).
    day, _created = Holiday.objects.get_or_create(
        date=datetime.date(2026, 4, 27), defaults={"name": "Giỗ Tổ Hùng Vương (nghỉ bù)"}
    )
    assert not calendar.is_working_day(day.date)
    return day


def test_deadlines_skip_the_weekend_and_the_holiday(holiday: Holiday) -> None:
    citizen = make_citizen()
    # Friday 24 April 2026, 10:00: the day of receipt is not counted; Saturday, Sunday and
    # Monday (holiday) are not working days → Tuesday 28 (1), Wednesday 29 (2).
    request = services.file_request(
        subject=citizen,
        kind="access",
        details="Xin bản sao dữ liệu của tôi",
        by=citizen,
        at=at(2026, 4, 24),
    )
    assert request.ack_due_date == datetime.date(2026, 4, 29)
    # 72 clock hours from the moment of the request (Decree 13/2023, Art. 14(3))
    assert calendar.to_local(request.response_due_at) == at(2026, 4, 27)
    assert "Điều 14 khoản 3" in request.limit_source
    assert "chưa xác nhận" in request.limit_source
    assert AuditEntry.objects.filter(action="privacy.request.file").count() == 1
    assert OutboxEvent.objects.filter(type="privacy.request.submitted").count() == 1


def test_only_the_data_protection_unit_handles_requests(holiday: Holiday) -> None:
    citizen, dpo = make_citizen(), make_dpo()
    specialist = make_user(roles=[(Role.SPECIALIST, make_org_unit())])
    child_admin = make_user(roles=[(Role.IT_ADMIN, make_org_unit(parent=make_org_unit()))])
    request = services.file_request(
        subject=citizen, kind="deletion", details="Xóa số điện thoại cũ", by=citizen
    )
    for someone in (citizen, specialist, child_admin):
        with pytest.raises(PermissionDenied):
            services.acknowledge_request(request=request, by=someone)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    services.acknowledge_request(request=request, by=dpo)
    with pytest.raises(WrongState):
        services.acknowledge_request(request=request, by=dpo)
    done = services.respond_request(request=request, response="Đã xóa.", by=dpo)
    assert (done.status, done.response, done.closed_by) == (RequestStatus.COMPLETED, "Đã xóa.", dpo)
    with pytest.raises(WrongState):
        services.refuse_request(request=request, reason="Muộn", by=dpo)


def test_request_pages_and_api(client: Client, holiday: Holiday) -> None:
    citizen, other, dpo = make_citizen(), make_citizen(), make_dpo()
    login(client, citizen)
    # a request without content: a Vietnamese error, nothing filed
    response = client.post("/du-lieu-ca-nhan/gui-yeu-cau/", {"kind": "access", "details": ""})
    assert response.status_code == 422
    assert "Hãy nêu nội dung yêu cầu." in response.content.decode()
    assert DataSubjectRequest.objects.count() == 0
    response = client.post(
        "/du-lieu-ca-nhan/gui-yeu-cau/", {"kind": "correction", "details": "Sửa địa chỉ"}
    )
    assert response.status_code == 302
    request = DataSubjectRequest.objects.get()
    assert client.get(f"/du-lieu-ca-nhan/yeu-cau/{request.pk}/").status_code == 200
    # the citizen cannot see the queue nor act
    assert client.get("/du-lieu-ca-nhan/yeu-cau/").status_code == 403
    assert client.post(f"/api/privacy/requests/{request.pk}/acknowledge").status_code == 403
    # another citizen: 404 for the page and the API
    login(client, other)
    assert client.get(f"/du-lieu-ca-nhan/yeu-cau/{request.pk}/").status_code == 404
    assert client.get(f"/api/privacy/requests/{request.pk}").status_code == 404
    assert client.get("/api/privacy/requests").json() == []
    # the data-protection unit sees the queue and answers
    login(client, dpo)
    assert (
        f"/du-lieu-ca-nhan/yeu-cau/{request.pk}/"
        in client.get("/du-lieu-ca-nhan/yeu-cau/").content.decode()
    )
    response = client.post(f"/du-lieu-ca-nhan/yeu-cau/{request.pk}/", {"action": "respond"})
    assert response.status_code == 422
    assert "Hãy ghi nội dung trả lời hoặc lý do." in response.content.decode()
    response = client.post(
        f"/api/privacy/requests/{request.pk}/refuse",
        {"text": "Địa chỉ đã đúng theo cơ sở dữ liệu dân cư."},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "refused"
    again = client.post(
        f"/api/privacy/requests/{request.pk}/respond",
        {"text": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409
    # the API refuses an unknown kind with 422
    login(client, citizen)
    bad = client.post(
        "/api/privacy/requests", {"kind": "nope", "details": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_overdue_alert_once_a_day_emails_the_unit(smtp: SmtpServer, holiday: Holiday) -> None:
    citizen = make_citizen()
    dpo = make_dpo(email="baove.dulieu@example.vn")
    late = services.file_request(
        subject=citizen, kind="objection", details="Phản đối", by=citizen, at=at(2026, 4, 24)
    )
    calm = services.file_request(
        subject=citizen, kind="access", details="Bản sao", by=citizen, at=at(2026, 4, 29, 9)
    )
    # Wednesday 29 April, 10:00: `late` is past its 72 hours (Monday 27, 10:00) but not past
    # its acknowledgement day; `calm` is on time.
    assert alerts.scan(at(2026, 4, 29)) == [late.pk]
    assert alerts.scan(at(2026, 4, 29, 15)) == []
    assert RequestAlert.objects.count() == 1
    # answered requests raise nothing
    services.respond_request(request=late, response="Đã ngừng xử lý.", by=dpo)
    assert alerts.scan(at(2026, 4, 30)) == []
    assert calm.pk not in alerts.scan(at(2026, 4, 29, 11))
    smtp.start()
    call_command("worker", "--once")
    messages = smtp.messages()
    assert [m["To"] for m in messages] == ["baove.dulieu@example.vn"]
    assert f"số {late.pk} đã quá hạn" in str(messages[0]["Subject"])


def test_the_command_writes_the_alerts(holiday: Holiday) -> None:
    citizen = make_citizen()
    late = services.file_request(
        subject=citizen, kind="access", details="Bản sao", by=citizen, at=at(2026, 1, 5)
    )
    out = StringIO()
    call_command("privacy", "alerts", stdout=out)
    assert out.getvalue() == f"1 overdue alert(s): [{late.pk}]\n"
    out = StringIO()
    call_command("privacy", "overdue", stdout=out)
    assert out.getvalue().startswith(f"#{late.pk}\taccess\tsubmitted\t")
