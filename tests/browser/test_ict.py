"""The ICT inventory in Chromium: an agency's IT officer reports, the province's IT department
returns and then accepts the report, and the indicators show its figures; a spreadsheet with a
bad row is refused whole; a checklist item gets its evidence file; an incident shows its clocks."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lienthong.accounts.models import Role
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.ict.models import Compliance, Incident, InventoryReport, ReportingPeriod
from lienthong.ict.seed import ensure_catalogue

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _province() -> tuple[OrgUnit, OrgUnit]:
    """A province with two departments and the IT department; an open period 2024."""
    ensure_catalogue()
    root = make_org_unit("UBND tỉnh thử", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    health = make_org_unit("Sở Y tế thử", parent=root)
    culture = make_org_unit("Sở Văn hóa thử", parent=root)
    it_department = make_org_unit("Sở TT&TT thử", parent=root)
    ReportingPeriod.objects.create(
        code="2024",
        name="Năm 2024",
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
    )
    make_user("quantri", roles=[(Role.IT_ADMIN, it_department)], full_name="Trần Quản Trị")
    make_user("canbo", roles=[(Role.SPECIALIST, health)], full_name="Nguyễn Văn Cán")
    return health, culture


def _fill_figures(page: Any, staff: int, with_computer: int, servers: int) -> None:
    page.get_by_label("Số cán bộ, công chức").fill(str(staff))
    page.get_by_label("Số cán bộ có máy tính").fill(str(with_computer))
    page.get_by_label("Số máy tính", exact=True).fill(str(with_computer))
    page.get_by_label("Số máy tính có phần mềm diệt virus").fill(str(with_computer))
    page.get_by_label("Số máy chủ").fill(str(servers))
    page.get_by_label("Số điểm kết nối mạng chuyên dùng").fill("0")
    page.get_by_label("Số mạng LAN", exact=True).fill("1")
    page.get_by_label("Số mạng LAN có tường lửa và phát hiện xâm nhập").fill("1")
    page.get_by_label("Số cán bộ chuyên trách CNTT").fill("1")


def test_a_report_is_returned_corrected_accepted_and_counted(
    open_as: Callable[[str | None], Any], transactional_db: None
) -> None:
    # Given an agency's IT officer and the province's IT administrator
    _province()
    officer = open_as("canbo")

    # When the officer fills in the 2024 report through the form and submits it
    officer.get_by_role("link", name="Hạ tầng CNTT").click()
    officer.locator("#missing").get_by_role("link", name="Sở Y tế thử").click()
    _fill_figures(officer, staff=20, with_computer=12, servers=3)
    officer.get_by_role("button", name="Lưu").click()
    expect(officer.locator("#status")).to_have_text("Đang soạn")
    officer.get_by_role("button", name="Gửi báo cáo").click()
    expect(officer.locator("#status")).to_have_text("Đã gửi")

    # Then the administrator returns it with a reason
    admin = open_as("quantri")
    admin.goto("/ha-tang-cntt/?period=2024")
    admin.locator("#reports").get_by_role("link", name="Sở Y tế thử").click()
    admin.get_by_label("Lý do trả lại").fill("Số cán bộ có máy tính chưa khớp kiểm kê")
    admin.get_by_role("button", name="Trả lại").click()
    expect(admin.locator("#status")).to_have_text("Bị trả lại")

    # …the officer sees the reason, corrects the figures and submits again
    officer.reload()
    expect(officer.locator("#status")).to_have_text("Bị trả lại")
    reason = officer.get_by_role("status").filter(has_text="Lý do trả lại")
    expect(reason).to_contain_text("Số cán bộ có máy tính chưa khớp kiểm kê")
    officer.get_by_role("link", name="Sửa số liệu").click()
    _fill_figures(officer, staff=20, with_computer=19, servers=3)
    officer.get_by_role("button", name="Lưu").click()
    officer.get_by_role("button", name="Gửi báo cáo").click()
    expect(officer.locator("#status")).to_have_text("Đã gửi")

    # …and the administrator accepts it
    admin.reload()
    admin.get_by_role("button", name="Chấp nhận").click()
    expect(admin.locator("#status")).to_have_text("Đã chấp nhận")
    report = InventoryReport.objects.get()
    assert (report.status, report.staff_with_computer) == ("accepted", 19)

    # And the indicators page shows the figures computed from it: 19 / 20 = 95 %, 3 servers
    admin.get_by_role("link", name="Chỉ số và chỉ tiêu").click()
    rows = admin.locator("#indicators tbody tr")
    computers = rows.filter(has_text="Tỷ lệ cán bộ, công chức cấp tỉnh và cấp huyện có máy tính")
    expect(computers.locator("td").first).to_have_text(re.compile(r"^95[,.]0\s*%$"))
    servers = rows.filter(has_text="Tổng số máy chủ")
    expect(servers.locator("td").first).to_have_text(re.compile(r"^3"))


def _spreadsheet(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    from lienthong.ict.spreadsheet import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([str(label) for _key, label in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_bad_row_refuses_the_file_and_the_checklist_and_incident_pages(
    open_as: Callable[[str | None], Any], transactional_db: None
) -> None:
    health, culture = _province()
    admin = open_as("quantri")

    # A spreadsheet with a good row and a bad one (more officials with a computer than staff)
    good = [culture.code, "", 10, 8, 8, 8, 1, "có", "có", "không", "không", 0, 1, 1, 1, "email"]
    bad = [health.code, "", 10, 12, 12, 12, 1, "có", "có", "không", "không", 0, 1, 1, 1, ""]
    admin.get_by_role("link", name="Hạ tầng CNTT").click()
    admin.get_by_role("link", name="Nhập từ tệp XLSX").click()
    admin.get_by_label("Kỳ báo cáo").select_option("2024")
    admin.get_by_label("Tệp XLSX").set_input_files(
        {
            "name": "bao-cao.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": _spreadsheet([good, bad]),
        }
    )
    admin.get_by_role("button", name="Nhập").click()
    expect(admin.get_by_role("alert").first).to_contain_text("Tệp có lỗi, chưa nhập dòng nào")
    error_rows = admin.locator("#row-errors tbody tr")
    expect(error_rows).to_have_count(1)
    expect(error_rows.first.locator("td").first).to_have_text("3")
    expect(error_rows.first).to_contain_text(
        "Số cán bộ có máy tính không được lớn hơn số cán bộ, công chức."
    )
    assert not InventoryReport.objects.exists()  # not even the good row

    # The officer answers a checklist item with an evidence file
    officer = open_as("canbo")
    officer.get_by_role("link", name="Hạ tầng CNTT").click()
    officer.get_by_role("link", name="Tiêu chí an toàn thông tin").click()
    officer.get_by_role("link", name="Sở Y tế thử").click()
    backup = officer.locator("#checklist tbody tr").filter(
        has_text="Dữ liệu quan trọng được sao lưu định kỳ và thử khôi phục"
    )
    backup.get_by_label("Kết quả").select_option(label="Đạt")
    backup.get_by_label("Minh chứng, ghi chú").fill("Sao lưu hằng tuần, thử khôi phục quý I")
    backup.get_by_label("Tệp minh chứng").set_input_files(
        {"name": "bien-ban-sao-luu.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    backup.get_by_role("button", name="Lưu").click()
    expect(officer.get_by_text("Đã lưu kết quả tiêu chí.")).to_be_visible()
    backup = officer.locator("#checklist tbody tr").filter(
        has_text="Dữ liệu quan trọng được sao lưu định kỳ và thử khôi phục"
    )
    expect(backup.locator("td").nth(1)).to_have_text("Đạt")
    expect(backup.locator("td").nth(2)).to_contain_text("Sao lưu hằng tuần")
    with officer.expect_download() as download_info:
        backup.get_by_role("link", name="Tệp").click()
    assert download_info.value.suggested_filename == "bien-ban-sao-luu.pdf"
    answer = Compliance.objects.get()
    assert answer.status == "met" and answer.evidence_name == "bien-ban-sao-luu.pdf"

    # …and reports an incident detected 30 hours ago: its 24-hour clock has run out
    detected = timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(hours=30)
    officer.get_by_role("link", name="Sự cố").click()
    officer.get_by_label("Tóm tắt").fill("Mã độc mã hóa dữ liệu máy trạm")
    officer.get_by_label("Phát hiện lúc").fill(detected.strftime("%Y-%m-%dT%H:%M"))
    officer.get_by_label("Mức độ").select_option(index=0)
    officer.get_by_role("button", name="Ghi nhận").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Mã độc mã hóa dữ liệu máy trạm")
    clocks = officer.locator("#incident")
    initial = clocks.locator("tr").filter(has_text="Hạn báo cáo ban đầu")
    full = clocks.locator("tr").filter(has_text="Hạn báo cáo đầy đủ")
    due_initial = detected + datetime.timedelta(hours=24)
    due_full = detected + datetime.timedelta(hours=72)
    expect(initial).to_contain_text(due_initial.strftime("%d/%m/%Y %H:%M"))
    expect(initial).to_contain_text("quá hạn")
    expect(full).to_contain_text(due_full.strftime("%d/%m/%Y %H:%M"))
    expect(full).not_to_contain_text("quá hạn")
    assert Incident.objects.get().detected_at == detected
