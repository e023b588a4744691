"""The home page for each kind of visitor, and the UI shell around every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.utils import translation

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db

BASE_TEMPLATE = Path(settings.BASE_DIR) / "templates" / "base.html"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # The English test leaves English active in the test thread; give it back.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _landing_page_at_the_root(settings: Any) -> None:
    """The shell is checked on the landing page; a deployment sends visitors to the portal."""
    settings.LIENTHONG = {**settings.LIENTHONG, "PORTAL_AT_ROOT": False}


def test_visitors_of_the_root_are_sent_to_the_public_portal(client: Client, settings: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "PORTAL_AT_ROOT": True}
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/cong/"


def test_without_the_portal_at_the_root_visitors_get_a_landing_page_with_a_login_button(
    client: Client,
) -> None:
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "core/home_landing.html"
    assert '<a class="btn btn-primary btn-lg" href="/accounts/login/" id="landing-login">' in html
    assert "Đăng nhập" in html


def test_citizens_get_their_start_page(client: Client) -> None:
    citizen = make_user("congdan", roles=[(Role.CITIZEN, None)], full_name="Phạm Thị Em")
    login(client, citizen)

    response = client.get("/")

    assert response.templates[0].name == "core/home_citizen.html"
    html = response.content.decode()
    assert "Xin chào, Phạm Thị Em" in html
    assert "Hồ sơ của tôi" in html
    # A citizen's first menu item is the home page, not an inbox
    assert re.search(r'aria-current="page">\s*Trang chủ\s*</a>', html)


def test_officials_get_the_inbox(client: Client) -> None:
    login(client, make_user(roles=[(Role.CLERK, make_org_unit())]))

    response = client.get("/")

    assert response.templates[0].name == "workflow/inbox.html"
    assert re.search(r'aria-current="page">\s*Hộp việc\s*</a>', response.content.decode())


def test_a_superuser_without_a_kind_is_treated_as_an_official(client: Client) -> None:
    login(client, make_user(kind="", is_superuser=True, is_staff=True))

    assert client.get("/").templates[0].name == "workflow/inbox.html"


def test_shell_has_landmarks_skip_link_and_language(client: Client) -> None:
    html = client.get("/").content.decode()

    assert html.startswith("<!doctype html>")
    assert '<html lang="vi">' in html
    assert '<a class="visually-hidden-focusable lt-skip-link" href="#main">' in html
    assert '<main id="main" tabindex="-1"' in html
    assert (
        '<nav class="navbar navbar-expand-lg navbar-dark lt-navbar" aria-label="Điều hướng chính">'
        in html
    )
    assert "<header>" in html and "<footer" in html
    assert '<label for="lt-language" class="visually-hidden">Ngôn ngữ</label>' in html
    for label in ("Tra cứu địa chỉ", "Cơ quan", "Lịch làm việc", "Tìm kiếm"):
        assert label in html
    assert "Liên Thông 0.1.0" in html


def test_admin_link_only_for_staff(client: Client) -> None:
    unit = make_org_unit()
    login(client, make_user(roles=[(Role.LEADER, unit)]))
    assert 'href="/admin/"' not in client.get("/").content.decode()

    login(client, make_user(kind="official", is_staff=True))
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_logout_is_a_form_not_a_link(client: Client) -> None:
    login(client, make_user(roles=[(Role.LEADER, make_org_unit())]))

    html = client.get("/").content.decode()

    assert '<form action="/accounts/logout/" method="post">' in html
    assert 'href="/accounts/logout/"' not in html


@override_settings(INSECURE_HTTP=True)
def test_insecure_demo_shows_a_banner(client: Client) -> None:
    html = client.get("/").content.decode()

    assert "Bản demo: chạy HTTP không mã hoá" in html


@override_settings(INSECURE_HTTP=False)
def test_no_banner_over_https(client: Client) -> None:
    assert "Bản demo: chạy HTTP không mã hoá" not in client.get("/").content.decode()


def test_switching_to_english_shows_english_navigation(client: Client) -> None:
    login(client, make_user(roles=[(Role.SPECIALIST, make_org_unit())]))

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert re.search(r'aria-current="page">\s*Inbox\s*</a>', html)
    for label in ("Address lookup", "Agencies", "Working calendar", "Search", "Log out"):
        assert label in html
    assert "Tra cứu địa chỉ" not in html
    # And back to Vietnamese
    back = client.post("/i18n/setlang/", {"language": "vi", "next": "/"}, follow=True)
    assert "Tra cứu địa chỉ" in back.content.decode()


def test_vendored_assets_are_local_and_exist(client: Client) -> None:
    html = client.get("/").content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)

    assert sorted(assets) == [
        "/static/lienthong/behaviour.js",
        "/static/lienthong/shell.css",
        "/static/vendor/bootstrap-5.3.9/css/bootstrap.min.css",
        "/static/vendor/bootstrap-5.3.9/js/bootstrap.bundle.min.js",
        "/static/vendor/htmx.org-2.0.11/htmx.min.js",
    ]
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    for licence in ("vendor/bootstrap-5.3.9/LICENSE", "vendor/htmx.org-2.0.11/LICENSE"):
        assert finders.find(licence), licence


def test_no_page_of_the_shell_loads_anything_from_another_site() -> None:
    template = BASE_TEMPLATE.read_text()

    assert not re.search(r'(?:src|href)="(?:https?:)?//', template)
