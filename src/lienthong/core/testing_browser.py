"""Browser-test helpers shared by `tests/browser/` and the apps' own browser tests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from lienthong.core.testing_permissions import current_totp_code, totp_device

#: The password the browser tests give their accounts (make_user's default).
PASSWORD = "mật-khẩu-thử-nghiệm-12"


def log_in(page: Any, username: str, password: str = PASSWORD, next_url: str = "") -> None:
    """Log in through the login page and, for an official, the TOTP page with the code their
    authenticator app shows (the app was set up earlier: the device exists before the login);
    then wait until the page it leads to shows the user."""
    user = get_user_model().objects.filter(username=username).first()
    if user is not None and user.needs_second_factor:
        totp_device(user)
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    if user is not None and "/accounts/otp/" in page.url:
        page.get_by_label("Mã xác thực (6 chữ số)").fill(current_totp_code(user))
        with page.expect_navigation():
            page.get_by_role("button", name="Xác thực").click()
    expect(page.locator("#current-user")).to_be_visible()
