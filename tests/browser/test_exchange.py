"""The exchange layer through the real pages: an agency's leader registers a system,
gets its key once and asks for a grant; the owner agency's leader approves it; the system then
reads a person with its key over HTTP, and the citizen sees that read with the system named."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from lienthong.accounts.models import Role
from lienthong.core.testing import make_user
from lienthong.exchange.clients import services
from lienthong.registries.population.testing import make_person, make_world

from .conftest import log_in

pytestmark = pytest.mark.browser

POPULATION = "api.exchange.services.population"


@pytest.mark.django_db(transaction=True)
def test_register_grant_call_and_the_citizens_view(browser: Any, live_server: Any) -> None:
    world = make_world()
    # A leader (IT administrators must set up a second factor first, which is another test's).
    admin = make_user("lanhdao-yte", roles=[(Role.LEADER, world.reader_agency)])
    owner = make_user("lanhdao-ca", roles=[(Role.LEADER, world.owner)])
    services.set_service_owner(POPULATION, world.owner, by=None)
    person = make_person(
        world.owner, personal_id=world.citizen.personal_id, full_name="Nguyễn Văn An"
    )

    # Given the agency's leader opens "Liên thông" from the menu
    it = browser.new_context(base_url=live_server.url, locale="vi-VN").new_page()
    log_in(it, admin.username)
    it.locator("#main-nav").get_by_role("link", name="Liên thông").click()
    it.get_by_role("link", name="Hệ thống kết nối").click()
    it.get_by_role("link", name="Đăng ký hệ thống").click()
    # When they register the hospital system
    it.get_by_label("Mã hệ thống").fill("his-benh-vien")
    it.get_by_label("Tên hệ thống").fill("HIS Bệnh viện tỉnh")
    it.get_by_label("Cơ quan quản lý").select_option(label=world.reader_agency.name)
    it.get_by_label("Mục đích kết nối").fill("Xác minh nhân thân người bệnh")
    it.get_by_role("button", name="Đăng ký").click()
    expect(it.locator("h1")).to_contain_text("HIS Bệnh viện tỉnh")
    # And issue an API key, shown once
    it.get_by_role("button", name="Cấp khoá mới").click()
    secret = it.locator("#new-secret code").inner_text()
    assert secret.startswith("ltk_")
    it.reload()
    expect(it.locator("#new-secret")).to_have_count(0)
    # And ask for the population lookup
    it.locator("#id_service").select_option(value=POPULATION)
    it.locator("#id_purpose").fill("Khám bệnh bảo hiểm y tế")
    it.get_by_role("button", name="Đề nghị cấp quyền").click()
    expect(it.locator("#grants-table")).to_contain_text("Đang chờ duyệt")

    # Then the owner agency's leader approves it
    leader = browser.new_context(base_url=live_server.url, locale="vi-VN").new_page()
    log_in(leader, owner.username)
    leader.goto("/lien-thong/quyen/")
    expect(leader.locator("#decide-table")).to_contain_text("his-benh-vien")
    leader.get_by_placeholder("Ghi chú").fill("Theo thoả thuận")
    leader.get_by_role("button", name="Duyệt").click()
    leader.goto("/lien-thong/quyen/?status=approved")
    expect(leader.locator("#decide-table")).to_contain_text("his-benh-vien")

    # And the system reads the person with its key
    query = urllib.parse.urlencode({"purpose": "Khám bệnh bảo hiểm y tế"})
    request = urllib.request.Request(
        f"{live_server.url}/api/exchange/services/population/persons/{person.personal_id}?{query}",
        headers={"X-API-Key": secret},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["full_name"] == "Nguyễn Văn An"

    # And the call is in the message log, and the citizen sees the read
    it.goto("/lien-thong/nhat-ky/")
    expect(it.locator("#log-table")).to_contain_text(POPULATION)
    citizen = browser.new_context(base_url=live_server.url, locale="vi-VN").new_page()
    log_in(citizen, world.citizen.username)
    citizen.goto("/csdl/du-lieu-cua-toi/")
    expect(citizen.locator("#access-log")).to_contain_text("HIS Bệnh viện tỉnh")
    expect(citizen.locator("#access-log")).to_contain_text(world.reader_agency.name)
    expect(citizen.locator("#access-log")).to_contain_text("Khám bệnh bảo hiểm y tế")
