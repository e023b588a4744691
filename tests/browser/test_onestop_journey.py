"""The one-stop shop end to end through the real pages (issue 3, item 11).

A citizen submits online, the one-stop officer accepts and prints the receipt, a specialist
asks for a supplement, the citizen supplies it, the clock restarts, the leader approves, the
officer returns the result, the citizen downloads it and anyone can look the dossier up. Only
the catalogue rows, the org tree and the accounts are set up directly (onestop.testing); every
step after that is a click in Chromium.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pypdf
import pytest
from playwright.sync_api import expect

from lienthong.accounts.models import Role, User
from lienthong.core.calendar import local_date
from lienthong.core.testing import make_org_unit, make_user
from lienthong.onestop import catalogue, intake
from lienthong.onestop.models import (
    CitizenDocument,
    Dossier,
    DossierStatus,
    Procedure,
    Timeliness,
)
from lienthong.onestop.testing import (
    TINY_PDF,
    make_citizen,
    make_officer,
    make_procedure,
    make_template,
    personal_id,
)
from lienthong.workflow.models import Case

pytestmark = pytest.mark.browser

CITIZEN_ID = personal_id(123)
#: A result document: a real (tiny) PDF with a recognisable tail, to compare what comes back.
RESULT_PDF = TINY_PDF + b"% the result of the journey\n"

Open = Callable[[str | None], Any]


def pdf_text(content: bytes) -> str:
    """The text of a PDF on single spaces (line breaks fall wherever the layout wraps)."""
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def fetch_pdf(page: Any, link: Any) -> str:
    """Follow a PDF link with the page's session and return the PDF's text."""
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body: bytes = response.body()
    assert body.startswith(b"%PDF-")
    return pdf_text(body)


def open_task(page: Any, code: str, step: str) -> None:
    """From the inbox (home page), open the dossier's task of `step`."""
    page.goto("/")
    expect(page.get_by_role("heading", name="Hộp việc")).to_be_visible()
    link = page.get_by_role("link", name=re.compile(re.escape(code) + r".*" + re.escape(step)))
    expect(link).to_have_count(1)
    link.click()
    expect(page.locator("#dossier-code")).to_have_text(code)


def act(page: Any, title: str) -> Any:
    """Open the action disclosure `title` on the officials' dossier page; its form."""
    page.locator("details > summary", has_text=title).click()
    return page.get_by_role("form", name=title)


def nav(page: Any, name: str) -> Any:
    """A link of the main navigation."""
    return page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name=name)


def fmt(day: Any) -> str:
    return f"{day:%d/%m/%Y}"


class Cast:
    """Who takes part: the Sở Tư pháp, its division, its officials and a citizen."""

    def __init__(self) -> None:
        self.agency = make_org_unit("Sở Tư pháp tỉnh Bình Dương", code="000.00.05.H99")
        self.division = make_org_unit(
            "Phòng Hành chính tư pháp", parent=self.agency, is_agency=False
        )
        template = make_template(
            (
                ("Thẩm định hồ sơ (Phòng Hành chính tư pháp)", Role.SPECIALIST, 60),
                ("Phê duyệt kết quả (lãnh đạo Sở)", Role.LEADER, 30),
                ("Trả kết quả (bộ phận một cửa)", Role.ONESTOP_OFFICER, 10),
            ),
            org_units=[self.division, None, None],
        )
        self.procedure: Procedure = make_procedure(
            agencies=[self.agency],
            code="2.000587",
            name="Thủ tục cấp thẻ cộng tác viên trợ giúp pháp lý",
            time_limit=7,
            template=template,
            components=(
                ("Đơn đề nghị làm cộng tác viên trợ giúp pháp lý", True, 1, 0),
                ("Sơ yếu lý lịch cá nhân có xác nhận của Ủy ban nhân dân xã", True, 1, 0),
                ("02 ảnh màu chân dung cỡ 2 cm x 3 cm", False, 2, 0),
            ),
        )
        # Found by the catalogue's search, as the demo's procedures are
        catalogue.index_procedure(self.procedure)
        self.officer = make_officer(self.agency, "motcua", full_name="Nguyễn Thị Mai")
        self.specialist = make_user(
            "chuyenvien", roles=[(Role.SPECIALIST, self.division)], full_name="Trần Văn Bình"
        )
        self.leader = make_user(
            "lanhdao", roles=[(Role.LEADER, self.agency)], full_name="Lê Minh Cường"
        )
        self.citizen: User = make_citizen(
            "congdan",
            full_name="Đỗ Thị Hoa",
            personal_id=CITIZEN_ID,
            phone="0912345678",
            email="dothihoa@example.vn",
        )


def test_a_dossier_goes_from_online_submission_to_the_returned_result(open_as: Open) -> None:
    cast = Cast()
    procedure = cast.procedure
    form_component, cv_component, _photos = procedure.components.order_by("order")

    # --- The citizen finds the procedure and submits online --------------------------------
    citizen = open_as("congdan")
    nav(citizen, "Thủ tục hành chính").click()
    citizen.get_by_label("Từ khóa").fill("cong tac vien tro giup phap ly")
    citizen.get_by_label("Từ khóa").press("Enter")
    citizen.get_by_role("link", name="Thủ tục cấp thẻ cộng tác viên trợ giúp pháp lý").click()
    expect(citizen.locator("#procedure")).to_have_attribute("data-code", "2.000587")
    citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()

    expect(citizen.get_by_role("heading", level=1)).to_have_text(procedure.name)
    # Pre-filled from the account; what the account proves cannot be changed
    expect(citizen.get_by_label("Họ và tên")).to_have_value("Đỗ Thị Hoa")
    expect(citizen.get_by_label("Họ và tên")).to_be_disabled()
    expect(citizen.get_by_label("Số định danh cá nhân")).to_have_value(CITIZEN_ID)
    citizen.get_by_label("Địa chỉ").fill("12 Đường 30/4, phường Phú Cường, Thủ Dầu Một")
    for component, name in ((form_component, "don-de-nghi.pdf"), (cv_component, "ly-lich.pdf")):
        citizen.locator(f"#component-{component.pk}").get_by_label("Tải tệp lên").set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": TINY_PDF}
        )
    citizen.get_by_label("Nội dung đề nghị").fill("Đề nghị cấp thẻ cộng tác viên trợ giúp pháp lý.")
    citizen.get_by_label("Tôi đồng ý để cơ quan nhà nước xử lý dữ liệu cá nhân").check()
    citizen.get_by_role("button", name="Nộp hồ sơ").click()

    # Then they see the code and the status "new"
    expect(citizen.get_by_role("status")).to_contain_text("Đã nộp hồ sơ, mã hồ sơ")
    code = citizen.locator("#dossier-code").inner_text()
    assert re.fullmatch(r"000\.00\.05\.H99-\d{6}-0001", code), code
    expect(citizen.locator("#dossier-status")).to_have_text("Mới đăng ký")
    expect(citizen.locator("#dossier-components")).to_contain_text("Tải tệp")
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == DossierStatus.NEW
    assert dossier.applicant == cast.citizen

    # --- The one-stop officer accepts it and prints the receipt -------------------------------
    officer = open_as("motcua")
    officer.get_by_role("button", name="Một cửa").click()
    officer.get_by_role("link", name="Hồ sơ trực tuyến chờ tiếp nhận").click()
    expect(officer.locator("#queue-table caption")).to_have_text("1 hồ sơ đang chờ.")
    officer.get_by_role("link", name=code).click()
    expect(officer.locator("#dossier-facts")).to_contain_text("Đỗ Thị Hoa")
    expect(officer.locator("#dossier-facts")).to_contain_text(
        "Đề nghị cấp thẻ cộng tác viên trợ giúp pháp lý."
    )
    officer.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    expect(officer.get_by_role("heading", name="Đã tiếp nhận hồ sơ")).to_be_visible()
    dossier.refresh_from_db()
    first_due = dossier.due_date
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.received_at is not None and dossier.case_id is not None
    assert first_due == intake.due_for(procedure, dossier.received_at).date
    expect(officer.get_by_role("status")).to_have_text(
        f"Đã tiếp nhận hồ sơ {code}, hẹn trả ngày {fmt(first_due)}."
    )
    expect(officer.locator("#received-facts")).to_contain_text(fmt(first_due))
    receipt = fetch_pdf(
        officer, officer.get_by_role("link", name="In giấy tiếp nhận và hẹn trả kết quả (PDF)")
    )
    assert code in receipt
    assert "Đỗ Thị Hoa" in receipt
    assert fmt(first_due) in receipt

    # --- The specialist takes it from the inbox and asks for a supplement ---------------------
    specialist = open_as("chuyenvien")
    open_task(specialist, code, "Thẩm định hồ sơ")
    expect(specialist.locator("#dossier-status")).to_have_text("Đang xử lý")
    expect(specialist.locator("#current-task")).to_contain_text(
        "Thẩm định hồ sơ (Phòng Hành chính tư pháp)"
    )
    form = act(specialist, "Yêu cầu bổ sung hồ sơ")
    form.get_by_label("Giấy tờ, nội dung cần bổ sung (mỗi dòng một mục)").fill(
        "Giấy chứng nhận đã nghỉ hưu"
    )
    form.get_by_label("Lý do").fill("Hồ sơ chưa có giấy tờ chứng minh đã nghỉ hưu.")
    form.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    expect(specialist.get_by_role("status")).to_have_text(
        "Đã gửi yêu cầu bổ sung; thời hạn giải quyết tạm dừng."
    )
    expect(specialist.locator("#dossier-status")).to_have_text("Yêu cầu bổ sung")
    expect(specialist.locator("#dossier-risk")).to_have_text("Tạm dừng tính thời hạn")

    # --- The citizen sees the request on their dossier page and supplies the document --------
    nav(citizen, "Hồ sơ của tôi").click()
    row = citizen.locator("#my-dossiers tbody tr", has_text=code)
    expect(row).to_contain_text("Yêu cầu bổ sung")
    row.get_by_role("link", name=code).click()
    request_card = citizen.locator("#supplement-request")
    expect(request_card).to_contain_text("Giấy chứng nhận đã nghỉ hưu")
    expect(request_card).to_contain_text("Hồ sơ chưa có giấy tờ chứng minh đã nghỉ hưu.")
    request_card.get_by_label("Giấy chứng nhận đã nghỉ hưu").set_input_files(
        {"name": "giay-nghi-huu.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}
    )
    request_card.get_by_role("button", name="Gửi giấy tờ bổ sung").click()
    expect(citizen.get_by_role("status")).to_have_text(
        "Đã gửi giấy tờ bổ sung; cán bộ sẽ kiểm tra."
    )
    expect(citizen.locator("#supplement-request")).to_contain_text("Bạn đã gửi bổ sung lúc")

    # --- The specialist confirms: the time limit counts again from the start -----------------
    specialist.reload()
    expect(specialist.locator("#dossier-components")).to_contain_text("Giấy chứng nhận đã nghỉ hưu")
    form = act(specialist, "Xác nhận đã nhận đủ hồ sơ bổ sung")
    form.get_by_role("button", name="Xác nhận, tính lại thời hạn").click()
    expect(specialist.get_by_role("status")).to_have_text(
        "Đã nhận đủ hồ sơ bổ sung; thời hạn giải quyết được tính lại từ đầu."
    )
    dossier.refresh_from_db()
    supplement = dossier.supplements.get()
    assert supplement.supplied_at is not None
    restarted = intake.due_for(procedure, supplement.supplied_at)
    assert (dossier.due_date, dossier.due_at) == (restarted.date, restarted.at)
    assert dossier.original_due_date == restarted.date
    assert Case.objects.get(pk=dossier.case_id).due_at == restarted.at
    expect(specialist.locator("#dossier-status")).to_have_text("Đang xử lý")
    expect(specialist.locator("#dossier-due")).to_have_text(fmt(restarted.date))
    expect(specialist.locator("#dossier-history")).to_contain_text(
        f"Ngày hẹn trả kết quả mới: {fmt(restarted.date)}."
    )

    # --- The specialist forwards, the leader approves -----------------------------------------
    form = act(specialist, "Hoàn thành bước “Thẩm định hồ sơ (Phòng Hành chính tư pháp)”")
    form.get_by_label("Ý kiến xử lý").fill("Hồ sơ đủ điều kiện, trình lãnh đạo Sở.")
    form.get_by_role("button", name="Chuyển tiếp").click()
    expect(specialist.get_by_role("status")).to_have_text("Đã chuyển hồ sơ sang bước tiếp theo.")
    expect(specialist.locator("#no-actions")).to_be_visible()

    leader = open_as("lanhdao")
    open_task(leader, code, "Phê duyệt kết quả")
    form = act(leader, "Hoàn thành bước “Phê duyệt kết quả (lãnh đạo Sở)”")
    form.get_by_role("button", name="Chuyển tiếp").click()
    expect(leader.locator("#dossier-status")).to_have_text("Đã xử lý xong")
    expect(leader.locator("#dossier-history")).to_contain_text(
        "Hồ sơ đã được giải quyết xong, chờ trả kết quả."
    )

    # --- The officer uploads the result and returns it online --------------------------------
    open_task(officer, code, "Trả kết quả")
    form = act(officer, "Tải kết quả giải quyết lên")
    form.get_by_label("Tên kết quả").fill("Thẻ cộng tác viên trợ giúp pháp lý")
    form.get_by_label("Số, ký hiệu").fill("15/TCTV-STP")
    form.get_by_label("Tệp kết quả").set_input_files(
        {"name": "the-cong-tac-vien.pdf", "mimeType": "application/pdf", "buffer": RESULT_PDF}
    )
    form.get_by_role("button", name="Tải lên").click()
    expect(officer.get_by_role("status")).to_have_text("Đã tải kết quả giải quyết lên.")
    expect(officer.locator("#dossier-result")).to_contain_text(
        "Thẻ cộng tác viên trợ giúp pháp lý (số 15/TCTV-STP)"
    )
    form = act(officer, "Trả kết quả")
    form.get_by_label("Hình thức trả").select_option(label="Gửi trực tuyến")
    form.get_by_role("button", name="Trả kết quả").click()
    expect(officer.get_by_role("status")).to_have_text("Đã trả kết quả cho người nộp.")
    expect(officer.locator("#dossier-status")).to_have_text("Đã trả kết quả")

    # --- The citizen sees "returned" and downloads the result --------------------------------
    nav(citizen, "Hồ sơ của tôi").click()
    row = citizen.locator("#my-dossiers tbody tr", has_text=code)
    expect(row).to_contain_text("Đã trả kết quả")
    row.get_by_role("link", name=code).click()
    expect(citizen.locator("#dossier-status")).to_have_text("Đã trả kết quả")
    result_card = citizen.locator("#result")
    expect(result_card).to_contain_text("Thẻ cộng tác viên trợ giúp pháp lý (số 15/TCTV-STP)")
    with citizen.expect_download() as download_info:
        result_card.get_by_role("link", name="Tải kết quả").click()
    with open(download_info.value.path(), "rb") as downloaded:
        assert downloaded.read() == RESULT_PDF
    # …and it is kept in their data store for reuse (once-only)
    result_card.get_by_role("link", name="Kho dữ liệu của tôi").click()
    expect(citizen.locator("main")).to_contain_text("Thẻ cộng tác viên trợ giúp pháp lý")

    # --- Anyone with the code sees the history, without personal data -----------------------
    visitor = open_as(None)
    visitor.goto("/")
    nav(visitor, "Tra cứu hồ sơ").click()
    visitor.get_by_label("Mã hồ sơ (in trên giấy tiếp nhận)").fill(code.lower())
    visitor.get_by_role("button", name="Tra cứu").click()
    found = visitor.locator("#lookup-found")
    expect(visitor.locator("#lookup-status")).to_have_text("Đã trả kết quả")
    expect(found).to_contain_text("Đỗ T. H.")
    expect(visitor.locator("#lookup-history li")).to_have_count(10)
    statuses = [
        text.split(" — ", 1)[1].split(":", 1)[0].strip()
        for text in visitor.locator("#lookup-history li").all_inner_texts()
    ]
    assert statuses == [
        "Mới đăng ký",
        "Được tiếp nhận",
        "Đang xử lý",
        "Yêu cầu bổ sung",
        "Yêu cầu bổ sung",
        "Đang xử lý",
        "Đang xử lý",
        "Đã xử lý xong",
        "Đã xử lý xong",
        "Đã trả kết quả",
    ]
    shown = visitor.locator("main").inner_text()
    for private in ("Đỗ Thị Hoa", CITIZEN_ID, "0912345678", "dothihoa@example.vn", "30/4"):
        assert private not in shown
    # Internal notes stay internal
    assert "trình lãnh đạo Sở" not in shown

    # --- And the database says the same ---------------------------------------------------------
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    assert list(dossier.history.order_by("at", "pk").values_list("status", flat=True)) == [
        DossierStatus.NEW,
        DossierStatus.ACCEPTED,
        DossierStatus.PROCESSING,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.PROCESSING,
        DossierStatus.PROCESSING,
        DossierStatus.PROCESSED,
        DossierStatus.PROCESSED,
        DossierStatus.RETURNED,
    ]
    assert dossier.processed_at is not None and dossier.returned_at is not None
    # Settled the same day, well before the restarted appointment
    assert dossier.due_date is not None
    assert local_date(dossier.processed_at) < dossier.due_date
    assert dossier.timeliness == Timeliness.EARLY
    assert dossier.late_unit is None
    assert Case.objects.get(pk=dossier.case_id).status == Case.Status.FINISHED
    result = dossier.result
    assert (result.return_channel, result.returned_by) == ("online", cast.officer)
    assert CitizenDocument.objects.get(source_dossier=dossier).owner == cast.citizen


def test_the_officer_receives_a_dossier_at_the_counter_and_prints_the_receipt(
    open_as: Open,
) -> None:
    cast = Cast()
    procedure = cast.procedure
    applicant_id = personal_id(456)

    # When the officer picks the procedure at the counter (searching without accents)
    officer = open_as("motcua")
    officer.get_by_role("button", name="Một cửa").click()
    officer.get_by_role("link", name="Tiếp nhận tại quầy").click()
    expect(officer.get_by_role("heading", name="Tiếp nhận hồ sơ tại quầy")).to_be_visible()
    officer.get_by_label("Tìm thủ tục theo tên hoặc mã (gõ có dấu hoặc không dấu)").fill(
        "the cong tac vien"
    )
    officer.get_by_role("button", name="Tìm").click()
    expect(officer.locator("#procedure-list a")).to_have_count(1)
    officer.get_by_role("link", name=re.compile("Thủ tục cấp thẻ cộng tác viên")).click()

    # And enters the applicant and ticks what was handed over
    expect(officer.get_by_role("heading", level=1)).to_have_text(procedure.name)
    officer.get_by_label("Họ và tên / tên tổ chức").fill("Phạm Quốc Cường")
    officer.get_by_label("Số định danh cá nhân").fill(applicant_id)
    officer.get_by_label("Điện thoại").fill("0274 3822 123")
    officer.get_by_label("Địa chỉ").fill("5 Đường Yersin, phường Phú Cường")
    table = officer.locator("#component-table")
    table.get_by_label("1. Đơn đề nghị làm cộng tác viên trợ giúp pháp lý").check()
    table.get_by_label("2. Sơ yếu lý lịch cá nhân có xác nhận của Ủy ban nhân dân xã").check()
    officer.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    # Then the dossier is received, in processing, with its appointment
    expect(officer.get_by_role("heading", name="Đã tiếp nhận hồ sơ")).to_be_visible()
    code = officer.locator("#dossier-code").inner_text()
    dossier = Dossier.objects.get(code=code)
    assert dossier.channel == "counter"
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.received_by == cast.officer
    assert list(dossier.components.order_by("pk").values_list("name", "received")) == [
        ("Đơn đề nghị làm cộng tác viên trợ giúp pháp lý", True),
        ("Sơ yếu lý lịch cá nhân có xác nhận của Ủy ban nhân dân xã", True),
    ]
    assert dossier.due_date is not None
    expect(officer.get_by_role("status")).to_have_text(
        f"Đã tiếp nhận hồ sơ {code}, hẹn trả ngày {fmt(dossier.due_date)}."
    )
    expect(officer.locator("#received-facts")).to_contain_text("Phạm Quốc Cường")

    # And the receipt is a PDF with the code, the applicant, the papers and the appointment
    receipt = fetch_pdf(
        officer, officer.get_by_role("link", name="In giấy tiếp nhận và hẹn trả kết quả (PDF)")
    )
    for fact in (
        code,
        "Phạm Quốc Cường",
        applicant_id,
        "Đơn đề nghị làm cộng tác viên trợ giúp pháp lý",
        fmt(dossier.due_date),
    ):
        assert fact in receipt
    assert "02 ảnh màu chân dung" not in receipt

    # And the specialists of the division have it in their inbox
    specialist = open_as("chuyenvien")
    open_task(specialist, code, "Thẩm định hồ sơ")
    expect(specialist.locator("#dossier-facts")).to_contain_text("Phạm Quốc Cường")
