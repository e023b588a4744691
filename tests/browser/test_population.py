"""The population registry through the real pages: an official searches without diacritics,
states a purpose and reads a record; the one-stop officer pre-fills an applicant at the
counter; the citizen sees both reads under "Ai đã xem dữ liệu của tôi"."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lienthong.onestop.testing import make_procedure
from lienthong.registries.population.testing import make_person, make_world

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_search_read_prefill_and_the_citizens_view(browser: Any, live_server: Any) -> None:
    world = make_world()
    procedure = make_procedure(agencies=[world.reader_agency], code="1.001193")
    person = make_person(
        world.owner,
        personal_id=world.citizen.personal_id,
        full_name="Nguyễn Văn An",
        permanent_street="12 Bạch Đằng",
    )
    make_person(world.owner, full_name="Trần Thị Bình", sex="female")

    officer = browser.new_context(base_url=live_server.url, locale="vi-VN").new_page()
    log_in(officer, world.reader.username)
    # Given the officer opens the population registry from the menu
    officer.get_by_role("button", name="Cơ sở dữ liệu").click()
    officer.get_by_role("link", name="Dân cư").click()
    # When they search without diacritics and open the record, stating why
    officer.get_by_label("Tìm kiếm (không cần dấu)").fill("nguyen van an")
    officer.get_by_role("button", name="Tìm").click()
    officer.locator("#registry-table").get_by_role("link", name="Nguyễn Văn An").click()
    officer.get_by_label("Hoặc ghi rõ mục đích").fill("Xác minh nơi thường trú")
    officer.get_by_role("button", name="Tiếp tục").click()
    # Then the record shows both eras of the address
    expect(officer.locator("#person-addresses")).to_contain_text("12 Bạch Đằng, Phường Thủ Dầu Một")
    # And at the counter the applicant is filled in from the registry
    officer.goto(f"/motcua/tiep-nhan/{procedure.code}/")
    officer.get_by_label("Số định danh cá nhân").fill(person.personal_id)
    officer.get_by_role("button", name="Điền từ CSDL dân cư").click()
    expect(officer.get_by_label("Họ và tên / tên tổ chức")).to_have_value("Nguyễn Văn An")

    citizen = browser.new_context(base_url=live_server.url, locale="vi-VN").new_page()
    log_in(citizen, world.citizen.username)
    citizen.locator("#current-user").click()
    citizen.get_by_role("link", name="Ai đã xem dữ liệu của tôi").click()
    log = citizen.locator("#access-log")
    expect(log).to_contain_text("Xác minh nơi thường trú")
    expect(log).to_contain_text("Tiếp nhận hồ sơ thủ tục 1.001193")
    expect(log).to_contain_text(world.reader_agency.name)
