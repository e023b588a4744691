"""A denunciation end to end through the real pages (issue 8, item 7).

A citizen files online, the inspectorate's leader accepts it from the inbox, assigns the
verifier, extends the time limit once by written notice, the verifier reports, the leader
concludes, and the citizen sees the outcome by looking the code up. Along the way an official
who is not authorised sees the denouncer masked. Only the org tree and the accounts are set up
directly (complaints.testing); every step after that is a click in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from lienthong.complaints.models import Complaint, Status
from lienthong.complaints.testing import make_team

pytestmark = pytest.mark.browser


Open = Callable[[str | None], Any]


def open_task(page: Any, code: str, step: str) -> None:
    """From the inbox (home page), open the case's task of `step`."""
    page.goto("/inbox/")
    link = page.get_by_role("link", name=re.compile(re.escape(code) + r".*" + re.escape(step)))
    expect(link).to_have_count(1)
    link.click()
    expect(page.locator("#complaint-code")).to_have_text(code)


def act(page: Any, title: str) -> Any:
    """Open the action `title` on the case page; its form."""
    page.locator("details > summary", has_text=re.compile(f"^{re.escape(title)}$")).click()
    return page.get_by_role("form", name=title)


def test_a_denunciation_from_online_filing_to_the_outcome_the_citizen_sees(
    open_as: Open,
) -> None:
    team = make_team("Thanh tra tỉnh Bình Dương")
    name = team.citizen.full_name

    # --- The citizen files online ----------------------------------------------------------
    citizen = open_as(team.citizen.username)
    citizen.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Gửi đơn khiếu nại, tố cáo"
    ).click()
    expect(citizen.get_by_label("Họ và tên người gửi")).to_have_value(name)
    citizen.get_by_label("Loại đơn").select_option(label="Tố cáo")
    citizen.get_by_label("Gửi đến cơ quan").select_option(
        label=f"{team.agency.name} ({team.agency.code})"
    )
    citizen.get_by_label("Lĩnh vực").select_option(label="Đất đai")
    citizen.get_by_label("Địa chỉ", exact=True).fill("12 Lê Lợi, phường Phú Cường")
    citizen.get_by_label("Người, cơ quan bị khiếu nại, tố cáo").fill("Ông Nguyễn Văn X")
    citizen.get_by_label("Tóm tắt nội dung").fill("Cán bộ địa chính thu tiền trái quy định")
    citizen.get_by_label("Nội dung đơn").fill("Ông X yêu cầu nộp 5 triệu đồng để cấp giấy.")
    citizen.get_by_role("button", name="Gửi đơn").click()
    expect(citizen.locator("#found-status")).to_have_text("Đã tiếp nhận, chờ thụ lý")
    code = citizen.locator("#found-code").inner_text()
    assert code.startswith(f"{team.agency.code}-TC-")

    # --- The leader accepts it from the inbox -----------------------------------------------
    leader = open_as(team.leader.username)
    open_task(leader, code, "Xem xét thụ lý")
    expect(leader.locator("#filer-name")).to_have_text(name)
    act(leader, "Thụ lý").get_by_role("button", name="Thụ lý").click()
    expect(leader.locator("#complaint-status")).to_have_text("Đã thụ lý, chờ giao xác minh")

    # --- and assigns the verifier ------------------------------------------------------------
    form = act(leader, "Giao xác minh")
    form.get_by_label("Người xác minh").select_option(label=team.verifier.full_name)
    form.get_by_role("button", name="Giao xác minh").click()
    expect(leader.locator("#complaint-status")).to_have_text("Đang xác minh")

    # another specialist of the inspectorate sees the case, not the denouncer
    other = open_as(team.other_specialist.username)
    other.goto(f"/khieu-nai/{Complaint.objects.get(code=code).pk}/")
    expect(other.locator("#filer-name")).to_have_text("***")
    expect(other.locator("body")).not_to_contain_text(name)

    # --- The leader extends the time limit once (complex case, Law 25/2018/QH14 Art. 30) -----
    before = leader.locator("#due-date").inner_text()
    form = act(leader, "Gia hạn giải quyết")
    form.get_by_label("Mức độ").select_option(label="Phức tạp")
    form.get_by_label("Số văn bản gia hạn").fill("12/TB-TTr")
    form.get_by_label("Lý do gia hạn").fill("Phải xác minh tại nhiều địa điểm")
    form.get_by_role("button", name="Gia hạn giải quyết").click()
    expect(leader.get_by_text("Lần 1, văn bản 12/TB-TTr")).to_be_visible()
    assert leader.locator("#due-date").inner_text() != before

    # --- The verifier reports ----------------------------------------------------------------
    verifier = open_as(team.verifier.username)
    open_task(verifier, code, "Xác minh nội dung")
    expect(verifier.locator("#filer-name")).to_have_text(name)
    form = act(verifier, "Báo cáo kết quả xác minh")
    form.get_by_label("Báo cáo kết quả xác minh").fill("Có căn cứ: đã thu 5 triệu đồng.")
    form.get_by_role("button", name="Báo cáo kết quả xác minh").click()
    expect(verifier.locator("#complaint-status")).to_have_text("Đã báo cáo kết quả xác minh")

    # --- The leader concludes ------------------------------------------------------------------
    open_task(leader, code, "Kết luận, quyết định giải quyết")
    form = act(leader, "Kết luận, quyết định")
    form.get_by_label("Kết quả").select_option(label="Đúng một phần")
    form.get_by_label("Số văn bản").fill("05/KL-TTr")
    form.get_by_label("Nội dung kết luận, quyết định").fill(
        "Tố cáo đúng một phần; buộc hoàn trả 5 triệu đồng."
    )
    form.get_by_role("button", name="Kết luận, quyết định").click()
    expect(leader.locator("#complaint-status")).to_have_text(
        "Đã có kết luận, quyết định giải quyết"
    )

    # --- The citizen looks the code up and sees the outcome ------------------------------------
    visitor = open_as(None)
    visitor.goto("/khieu-nai/tra-cuu/")
    visitor.get_by_label("Mã đơn").fill(code)
    visitor.get_by_role("button", name="Tra cứu").click()
    expect(visitor.locator("#found-outcome")).to_contain_text("Đúng một phần — 05/KL-TTr")
    expect(visitor.locator("#found-history")).to_contain_text("gia hạn lần 1")
    expect(visitor.locator("body")).not_to_contain_text(name)

    case = Complaint.objects.get(code=code)
    assert (case.status, case.outcome, case.extensions.count()) == (Status.CONCLUDED, "partly", 1)
