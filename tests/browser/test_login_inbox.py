"""Main journeys of the UI shell: an official's inbox, an admin's TOTP set-up, the lockout."""

from __future__ import annotations

import datetime
import re
from base64 import b32decode
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django_otp.oath import totp
from playwright.sync_api import expect

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import current_totp_code, totp_device
from lienthong.workflow.models import Task
from lienthong.workflow.tests.helpers import make_task

pytestmark = pytest.mark.browser

PASSWORD = "mật-khẩu-thử-nghiệm-12"


def log_in(page: Any, username: str, password: str) -> None:
    """Submit the login form and wait for the answer page (which may look the same)."""
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()


def test_official_sees_an_overdue_task_and_completes_it(page: Any) -> None:
    # Given a specialist with an overdue task and one due later
    unit = make_org_unit("Sở Tư pháp")
    official = make_user("chuyenvien", roles=[(Role.SPECIALIST, unit)], full_name="Nguyễn Văn An")
    totp_device(official)
    late = make_task(
        "Thẩm định hồ sơ 000.00.06.H56-231027-0361",
        assignee=official,
        org_unit=unit,
        due_in=-datetime.timedelta(days=1),
    )
    make_task("Soạn báo cáo quý", assignee=official, org_unit=unit)

    # When they open the site (the public portal) and log in from its header
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/cong/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_role("link", name="Đăng nhập", exact=True).click()
    log_in(page, "chuyenvien", PASSWORD)

    # Then they are asked for the code their authenticator app shows (set up earlier)
    expect(page.get_by_role("heading", name="Xác thực hai lớp")).to_be_visible()
    page.get_by_label("Mã xác thực (6 chữ số)").fill(current_totp_code(official))
    with page.expect_navigation():
        page.get_by_role("button", name="Xác thực").click()

    # Then the inbox shows the task first, marked overdue, with the counts
    expect(page.get_by_role("heading", name="Hộp việc")).to_be_visible()
    rows = page.locator("#inbox-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Thẩm định hồ sơ 000.00.06.H56-231027-0361")
    expect(rows.first.locator(".badge")).to_have_text("Quá hạn")
    expect(page.locator("#count-overdue")).to_have_text("1")
    # The vendored Bootstrap and HTMX (deferred scripts) load from the site itself
    page.wait_for_function("() => Boolean(window.htmx && window.bootstrap)")

    # When they filter on overdue tasks (HTMX swaps the list and updates the address)
    page.get_by_role("link", name="Quá hạn").click()
    expect(page).to_have_url(re.compile(r"/inbox/\?show=overdue(&module=)?$"))
    expect(rows).to_have_count(1)

    # And open the task and mark it done
    page.get_by_role("link", name="Thẩm định hồ sơ 000.00.06.H56-231027-0361").click()
    page.get_by_role("button", name="Đánh dấu đã xong").click()

    # Then they are back in the inbox with a confirmation, and the task is closed
    expect(page.get_by_role("status")).to_contain_text("Đã hoàn thành: Thẩm định hồ sơ")
    expect(page.locator("#inbox-table tbody tr")).to_have_count(1)
    late.refresh_from_db()
    assert late.status == Task.Status.DONE

    # And switching the language shows English navigation
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi ngôn ngữ").click()
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("Inbox")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_it_admin_sets_up_totp_and_reaches_the_admin(page: Any) -> None:
    # Given an IT administrator who has never set up a second factor
    unit = make_org_unit("Sở Thông tin và Truyền thông")
    admin = make_user("quantri", roles=[(Role.IT_ADMIN, unit)], is_staff=True)
    admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))

    # When they log in to go to the admin
    page.goto("/accounts/login/?next=/admin/")
    log_in(page, "quantri", PASSWORD)

    # Then they are taken to the TOTP set-up page, with a QR code and the secret
    expect(page.get_by_role("heading", name="Thiết lập xác thực hai lớp")).to_be_visible()
    expect(page.locator(".lt-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").get_attribute("data-secret").replace(" ", "")
    code = f"{totp(b32decode(secret)):06d}"

    # When they enter the code their app would show
    page.get_by_label("Mã xác thực (6 chữ số)").fill(code)
    page.get_by_role("button", name="Xác nhận và bật xác thực hai lớp").click()

    # Then the admin opens
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_contain_text("Quản trị")
    expect(page.get_by_role("link", name="Người dùng").first).to_be_visible()


def test_five_wrong_passwords_lock_the_account(page: Any) -> None:
    make_user("chuyenvien", roles=[(Role.SPECIALIST, make_org_unit())])
    page.goto("/accounts/login/")

    for _ in range(4):
        log_in(page, "chuyenvien", "sai-mat-khau")
        expect(page.locator("#login-errors")).to_contain_text(
            "Tên đăng nhập hoặc mật khẩu không đúng."
        )
    log_in(page, "chuyenvien", "sai-mat-khau")

    expect(page.get_by_role("heading", name="Tạm khoá đăng nhập")).to_be_visible()
    expect(page.locator("#lockout-reopens")).to_contain_text("sau 15 phút")

    # Even the right password is refused now
    page.goto("/accounts/login/")
    log_in(page, "chuyenvien", PASSWORD)
    expect(page.get_by_role("heading", name="Tạm khoá đăng nhập")).to_be_visible()
