"""The calendar page and the admin of holidays and working Saturdays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from django.test import Client

from lienthong.core.calendar import VN_TZ, add_working_days, invalidate_cache
from lienthong.core.calendar_seed import seed_calendar
from lienthong.core.models import AuditEntry, Holiday, WorkingSaturday
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2023, 10, 27, 9, 32, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    invalidate_cache()
    yield
    invalidate_cache()


@pytest.fixture
def admin_client(client: Client) -> Client:
    login(client, make_user("calendar-admin", is_superuser=True, is_staff=True))
    return client


def test_page_lists_the_year_with_sources(client: Client, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(4):
        response = client.get("/calendar/", {"year": "2024"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lịch ngày làm việc năm 2024" in html
    assert '<time datetime="2024-04-30">30/04/2024</time>' in html
    assert "Ngày Chiến thắng" in html
    assert "Công văn 2450/VPCP-KGVX; holidays 0.109" in html
    assert '<time datetime="2024-05-04">04/05/2024</time>' in html
    assert "Thứ Bảy" in html
    # Anonymous visitors see no link to the admin.
    assert "Sửa trong trang quản trị" not in html


def test_page_marks_unconfirmed_days(client: Client) -> None:
    html = client.get("/calendar/", {"year": "2025"}).content.decode()
    assert "Làm bù ngày nghỉ Tết Nguyên Đán 2025" in html
    assert "Chưa xác nhận" in html


def test_page_defaults_to_the_current_year_and_survives_a_bad_year(client: Client) -> None:
    this_year = date.today().year
    assert f"Lịch ngày làm việc năm {this_year}" in client.get("/calendar/").content.decode()
    html = client.get("/calendar/", {"year": "abc"}).content.decode()
    assert "Năm phải là một số nguyên, ví dụ 2025." in html
    assert f"Đang hiển thị năm {this_year}." in html


def test_page_warns_about_a_year_without_data(client: Client) -> None:
    html = client.get("/calendar/", {"year": "2090"}).content.decode()
    assert "Năm 2090 chưa có dữ liệu ngày nghỉ." in html


def test_calculator_gives_the_due_date(client: Client) -> None:
    response = client.get("/calendar/", {"from": "2023-10-27T09:32", "working_days": "5"})
    assert response.status_code == 200
    assert "Hạn giải quyết: 03/11/2023 (Thứ Sáu)." in response.content.decode()


def test_calculator_gives_the_due_moment_for_hours(client: Client) -> None:
    html = client.get("/calendar/", {"from": "2023-10-27T09:32", "hours": "8"}).content.decode()
    assert "Hạn giải quyết: 09:32 30/10/2023 (Thứ Hai)." in html


def test_calculator_shows_errors_next_to_the_fields(client: Client) -> None:
    response = client.get("/calendar/", {"from": "27-10-2023", "working_days": "-3", "hours": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thời điểm “27-10-2023” không hợp lệ." in html
    assert "Số ngày làm việc không được âm." in html
    assert "Hạn giải quyết:" not in html


def test_admin_sees_the_edit_link(admin_client: Client) -> None:
    html = admin_client.get("/calendar/", {"year": "2024"}).content.decode()
    assert "/admin/core/holiday/?year=2024" in html


def test_admin_list_by_year_with_search(admin_client: Client) -> None:
    response = admin_client.get("/admin/core/holiday/", {"year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mùng hai Tết Nguyên Đán" in html
    assert "Tết Dương lịch" in html
    assert "Công văn 8726/VPCP-KGVX" in html
    assert "Ngày Chiến thắng" in html
    # Only 2025 rows.
    assert "29/04/2024" not in html and "Ngày nghỉ (thay cho ngày 04/05/2024)" not in html
    found = admin_client.get("/admin/core/holiday/", {"q": "12729"}).content.decode()
    assert "Nghỉ Tết Dương lịch 2026" in found
    assert "Ngày Chiến thắng" not in found


def test_admin_adding_a_holiday_is_audited_and_changes_the_next_due_date(
    admin_client: Client,
) -> None:
    # Given the DOMAIN example computed (the calendar is now cached)
    assert add_working_days(RECEIVED, 5) == date(2023, 11, 3)
    # When an administrator adds a day off on Monday 30/10/2023 in the admin
    response = admin_client.post(
        "/admin/core/holiday/add/",
        {
            "date": "2023-10-30",
            "name": "Nghỉ đột xuất",
            "source": "Quyết định thử",
            "is_confirmed": "on",
        },
    )
    assert response.status_code == 302
    # Then the row exists, the write is in the audit log, and the next due date moves
    assert Holiday.objects.get(date=date(2023, 10, 30)).name == "Nghỉ đột xuất"
    entry = AuditEntry.objects.get(action="calendar.holiday.create")
    assert entry.after is not None and entry.after["date"] == "2023-10-30"
    assert add_working_days(RECEIVED, 5) == date(2023, 11, 6)


def test_admin_refuses_a_holiday_on_a_saturday(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/core/holiday/add/", {"date": "2023-10-28", "name": "Thử", "source": ""}
    )
    assert response.status_code == 200
    assert "Ngày nghỉ phải là một ngày từ thứ Hai đến thứ Sáu." in response.content.decode()
    assert not Holiday.objects.filter(date=date(2023, 10, 28)).exists()
    assert not AuditEntry.objects.filter(action__startswith="calendar.").exists()


def test_admin_refuses_a_working_saturday_on_a_weekday(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/core/workingsaturday/add/", {"date": "2023-10-30", "name": "Thử"}
    )
    assert response.status_code == 200
    assert "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật." in response.content.decode()
    assert not WorkingSaturday.objects.filter(date=date(2023, 10, 30)).exists()


def test_admin_bulk_delete_is_audited_per_row_and_not_reseeded(admin_client: Client) -> None:
    # Given the two package-only 2026 rows an administrator finds wrong
    wrong = list(
        Holiday.objects.filter(date__in=[date(2026, 8, 31), date(2026, 11, 24)]).order_by("date")
    )
    # When they are deleted with the admin's bulk action
    response = admin_client.post(
        "/admin/core/holiday/",
        {
            "action": "delete_selected",
            "_selected_action": [str(row.pk) for row in wrong],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    # Then each deletion is logged, and seeding does not bring them back
    assert AuditEntry.objects.filter(action="calendar.holiday.delete").count() == 2
    result = seed_calendar(from_year=2026, to_year=2026)
    assert result.skipped_deleted == [date(2026, 8, 31), date(2026, 11, 24)]
    assert not Holiday.objects.filter(date__in=[date(2026, 8, 31), date(2026, 11, 24)]).exists()


def test_staff_without_calendar_rights_cannot_edit(client: Client) -> None:
    clerk = make_user("clerk", is_staff=True)
    login(client, clerk)
    response = client.post(
        "/admin/core/holiday/add/", {"date": "2023-10-30", "name": "Thử", "source": ""}
    )
    assert response.status_code == 403
    assert not Holiday.objects.filter(date=date(2023, 10, 30)).exists()
