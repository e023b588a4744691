"""The leaders' dashboard in Chromium: a department leader logs in, follows the nav link,
picks a period, sees every chart drawn (ECharts under the strict CSP) with only their agency,
and downloads the PDF."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from lienthong.accounts.models import Role
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.onestop.testing_stats import local, make_field, make_stats_dossier

pytestmark = pytest.mark.browser

CHARTS = ("agencies", "trend", "documents", "complaints")


def test_a_leader_sees_the_charts_and_downloads_the_pdf(
    open_as: Callable[[str | None], Any], transactional_db: None
) -> None:
    # Given two departments with January's dossiers, and the leader of one of them
    province = make_org_unit("UBND tỉnh thử", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    justice = make_org_unit("Sở Tư pháp thử", parent=province)
    health = make_org_unit("Sở Y tế thử", parent=province)
    field = make_field("Hộ tịch")
    for agency, day in ((justice, 5), (justice, 6), (health, 7)):
        make_stats_dossier(
            agency=agency,
            field=field,
            received_at=local(2026, 1, day),
            processed_at=local(2026, 1, day + 2),
            due_date=datetime.date(2026, 1, day + 5),
        )
    make_user("giamdoc", roles=[(Role.LEADER, justice)], full_name="Lê Minh Cường")

    # When they log in and open the dashboard from the nav
    page = open_as("giamdoc")
    page.get_by_role("link", name="Bảng điều hành").click()
    expect(page.get_by_role("heading", name="Bảng điều hành", level=1)).to_be_visible()
    # …and ask for January 2026
    page.get_by_label("Từ ngày").fill("2026-01-01")
    page.get_by_label("Đến ngày").fill("2026-01-31")
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"from=2026-01-01"))

    # Then every chart is drawn, and only their agency is counted
    for chart in CHARTS:
        expect(page.locator(f"#chart-{chart}").locator("svg, canvas").first).to_be_attached()
    expect(page.locator("#kpi-received")).to_have_text("2")
    expect(page.locator("#table-agencies tbody tr")).to_have_count(1)
    expect(page.locator("#table-agencies tbody")).to_contain_text("Sở Tư pháp thử")
    expect(page.locator("#chart-agencies")).to_contain_text("Sở Tư pháp thử")
    expect(page.locator("main")).not_to_contain_text("Sở Y tế thử")

    # And the PDF downloads with the same filters
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải PDF").click()
    download = download_info.value
    assert download.suggested_filename == "bang-dieu-hanh_20260101_20260131.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
