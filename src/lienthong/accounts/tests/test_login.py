"""Login, lockout after five failures, logout, and the second factor for officials."""

from __future__ import annotations

import re
from base64 import b32decode
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lienthong.accounts.models import Role, User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "mật-khẩu-thử-nghiệm-12"


@pytest.fixture
def unit() -> OrgUnit:
    return make_org_unit()


@pytest.fixture
def official(unit: OrgUnit) -> User:
    return make_user("chuyenvien", roles=[(Role.SPECIALIST, unit)])


@pytest.fixture
def it_admin(unit: OrgUnit) -> User:
    return make_user("quantri", roles=[(Role.IT_ADMIN, unit)], is_staff=True)


def post_login(client: Client, username: str, password: str, next_url: str = "") -> Any:
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=device.t0, step=device.step, drift=offset):06d}"


def test_login_page_is_in_vietnamese(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()

    assert '<label class="form-label" for="id_username">Tên đăng nhập</label>' in html
    assert '<label class="form-label" for="id_password">Mật khẩu</label>' in html
    assert 'autocomplete="current-password"' in html


def test_official_logs_in_with_the_second_factor_and_lands_on_the_inbox(
    client: Client, official: User
) -> None:
    device = totp_device(official)
    response = post_login(client, "chuyenvien", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    asked = client.get("/")
    assert asked.status_code == 302 and asked["Location"] == "/accounts/otp/?next=%2F"
    verified = client.post("/accounts/otp/", {"token": code_for(device), "next": "/"})
    assert verified.status_code == 302 and verified["Location"] == "/"
    assert client.get("/").templates[0].name == "workflow/inbox.html"


def test_login_follows_a_local_next_only(client: Client, official: User) -> None:
    assert post_login(client, "chuyenvien", PASSWORD, "/inbox/?show=overdue")["Location"] == (
        "/inbox/?show=overdue"
    )
    client.logout()
    assert post_login(client, "chuyenvien", PASSWORD, "https://evil.example/")["Location"] == "/"


def test_wrong_password_says_so_and_counts(client: Client, official: User) -> None:
    response = post_login(client, "chuyenvien", "sai-mat-khau")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_even_with_the_right_password(
    client: Client, official: User
) -> None:
    for _ in range(4):
        assert post_login(client, "chuyenvien", "sai-mat-khau").status_code == 200

    fifth = post_login(client, "chuyenvien", "sai-mat-khau")
    then_right = post_login(client, "chuyenvien", PASSWORD)

    assert fifth.status_code == 429
    html = fifth.content.decode()
    assert "Đăng nhập sai 5 lần liên tiếp" in html
    assert "Bạn có thể đăng nhập lại sau 15 phút" in html
    assert then_right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_fifth_failure_resets_the_count(
    client: Client, official: User
) -> None:
    for _ in range(4):
        post_login(client, "chuyenvien", "sai-mat-khau")
    assert post_login(client, "chuyenvien", PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert post_login(client, "chuyenvien", "sai-mat-khau").status_code == 200


def test_logout_is_post_only(client: Client, official: User) -> None:
    client.force_login(official)

    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post("/accounts/logout/", follow=True)

    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert "Bạn đã đăng xuất." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_every_official_is_sent_to_otp_by_default(client: Client, official: User) -> None:
    client.force_login(official)

    response = client.get("/inbox/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/")
    assert client.get("/api/inbox/tasks").status_code == 403


def test_with_otp_for_admins_only_an_ordinary_official_goes_straight_in(
    client: Client, official: User, settings: Any
) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "OTP_REQUIRED_FOR": "admins"}
    client.force_login(official)

    assert client.get("/inbox/").status_code == 200


def test_a_citizen_needs_no_second_factor(client: Client) -> None:
    citizen = make_user(roles=[(Role.CITIZEN, None)])
    client.force_login(citizen)

    assert not citizen.needs_second_factor
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/inbox/", "/admin/", "/admin/accounts/user/"])
def test_an_admin_without_second_factor_is_sent_to_otp(
    client: Client, it_admin: User, path: str
) -> None:
    client.force_login(it_admin)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/otp/?next={path.replace('/', '%2F')}"


def test_admin_logs_in_sets_up_totp_and_reaches_the_admin(client: Client, it_admin: User) -> None:
    # Given the admin logged in with the password and was sent to the OTP page
    login = post_login(client, "quantri", PASSWORD, "/admin/")
    assert login["Location"] == "/admin/"
    to_otp = client.get("/admin/")
    assert to_otp["Location"] == "/accounts/otp/?next=%2Fadmin%2F"

    # When the setup page shows a QR code and the secret, and the first code is entered
    page = client.get(to_otp["Location"])
    html = page.content.decode()
    assert page.templates[0].name == "accounts/otp_setup.html"
    assert "<svg" in html and "otpauth" not in html.split("<svg")[0]
    match = re.search(r'data-secret="([A-Z2-7 ]+)"', html)
    assert match is not None
    secret = match.group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=it_admin)
    assert b32decode(secret) == device.bin_key
    response = client.post("/accounts/otp/", {"token": code_for(device), "next": "/admin/"})

    # Then the device is confirmed, recorded, and the admin opens
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="accounts.otp.confirm", actor_id=it_admin.pk).exists()
    assert client.get("/admin/").status_code == 200


def test_the_setup_secret_stays_the_same_across_reloads(client: Client, it_admin: User) -> None:
    client.force_login(it_admin)

    first = client.get("/accounts/otp/").context["secret"]
    second = client.get("/accounts/otp/").context["secret"]

    assert first == second
    assert TOTPDevice.objects.filter(user=it_admin).count() == 1


def test_a_wrong_first_code_leaves_the_device_unconfirmed(client: Client, it_admin: User) -> None:
    client.force_login(it_admin)
    client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=it_admin)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/otp/", {"token": wrong})

    assert response.status_code == 200
    assert "Mã xác thực không đúng." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not AuditEntry.objects.filter(action="accounts.otp.confirm").exists()
    assert client.get("/admin/").status_code == 302


def test_a_malformed_code_is_a_form_error(client: Client, it_admin: User) -> None:
    client.force_login(it_admin)

    response = client.post("/accounts/otp/", {"token": "12ab"})

    assert response.context["form"].errors == {"token": ["Mã xác thực gồm đúng 6 chữ số."]}


def test_an_enrolled_admin_verifies_with_a_code(client: Client, it_admin: User) -> None:
    device = TOTPDevice.objects.create(user=it_admin, name="app", confirmed=True)
    client.force_login(it_admin)

    page = client.get("/accounts/otp/?next=/admin/")
    response = client.post(
        "/accounts/otp/",
        {"token": f"{code_for(device)[:3]} {code_for(device)[3:]}", "next": "/admin/"},
    )

    assert page.templates[0].name == "accounts/otp_verify.html"
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_verify_ignores_a_next_outside_the_site(client: Client, it_admin: User) -> None:
    device = TOTPDevice.objects.create(user=it_admin, name="app", confirmed=True)
    client.force_login(it_admin)

    response = client.post(
        "/accounts/otp/", {"token": code_for(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_after_a_wrong_code_the_next_try_must_wait(client: Client, it_admin: User) -> None:
    device = TOTPDevice.objects.create(user=it_admin, name="app", confirmed=True)
    client.force_login(it_admin)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    refused = client.post("/accounts/otp/", {"token": wrong})
    too_soon = client.post("/accounts/otp/", {"token": code_for(device)})

    assert "Mã xác thực không đúng hoặc đã hết hạn." in refused.content.decode()
    assert "Bạn vừa nhập sai mã. Hãy đợi vài giây rồi thử lại." in too_soon.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_used_code_cannot_be_replayed(client: Client, it_admin: User) -> None:
    device = TOTPDevice.objects.create(user=it_admin, name="app", confirmed=True)
    code = code_for(device)
    other = Client()
    client.force_login(it_admin)
    other.force_login(it_admin)

    assert client.post("/accounts/otp/", {"token": code}).status_code == 302
    replay = other.post("/accounts/otp/", {"token": code})

    assert replay.status_code == 200
    assert other.get("/admin/").status_code == 302


def test_otp_page_needs_a_login(client: Client) -> None:
    response = client.get("/accounts/otp/")

    assert response["Location"] == "/accounts/login/?next=/accounts/otp/"


def test_unverified_admin_may_still_log_out_and_switch_language(
    client: Client, it_admin: User
) -> None:
    client.force_login(it_admin)

    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
