"""Official documents end to end through the real pages (issue 6).

Incoming: the clerk registers a paper document with its PDF, the leader assigns a lead, a
co-operating and a for-information unit, a specialist of the lead unit completes it from the
inbox. Outgoing: in agency A a specialist drafts, a reviewer approves, the leader signs with
their certificate (passphrase typed in the page), the clerk numbers, issues and sends it to
agency B of the same deployment; B's clerk accepts it, B's leader assigns it, and A's page shows
B's edXML statuses coming back. Only the org tree, the accounts and the certificates are set up
directly; every step after that is a click in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import expect

from lienthong.accounts.models import Role
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.documents.catalog import ensure_document_types
from lienthong.documents.models import IncomingDocument
from lienthong.documents.outgoing import services as outgoing
from lienthong.documents.outgoing import signing
from lienthong.documents.outgoing.testing import PASSPHRASE
from lienthong.onestop.testing import TINY_PDF
from lienthong.workflow.models import Task

pytestmark = pytest.mark.browser

INCOMING_SUBJECT = "Về việc triển khai công tác cải cách hành chính năm 2026"
OUTGOING_SUBJECT = "Quyết định ban hành quy chế làm việc của Sở"

Open = Callable[[str], Any]


def pdf_file(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": data}


def open_from_inbox(page: Any, title: str) -> None:
    """From the inbox, open the one task whose title contains `title`."""
    page.goto("/inbox/")
    link = page.locator("#inbox-table").get_by_role("link", name=re.compile(re.escape(title)))
    expect(link).to_have_count(1)
    link.click()


class Cast:
    """Agency A (Sở Tư pháp) with three divisions and its officials; agency B (Sở Y tế)."""

    def __init__(self) -> None:
        ensure_document_types()
        self.agency = make_org_unit(
            "Sở Tư pháp tỉnh Thử Nghiệm", code="000.00.21.H98", short_name="STP"
        )
        self.lead = self._division("Phòng Hành chính tư pháp", self.agency)
        self.cooperating = self._division("Phòng Bổ trợ tư pháp", self.agency)
        self.informed = self._division("Thanh tra Sở", self.agency)
        self.other = make_org_unit(
            "Sở Y tế tỉnh Thử Nghiệm", code="000.00.22.H98", short_name="SYT"
        )
        self.clerk = make_user(
            "vanthu", roles=[(Role.CLERK, self.agency)], full_name="Phạm Thị Thư"
        )
        self.leader = make_user(
            "giamdoc",
            roles=[(Role.LEADER, self.agency)],
            full_name="Nguyễn Văn Ký",
            position="Giám đốc",
        )
        self.reviewer = make_user(
            "truongphong", roles=[(Role.LEADER, self.lead)], full_name="Trần Thị Duyệt"
        )
        self.specialist = make_user(
            "chuyenvien", roles=[(Role.SPECIALIST, self.lead)], full_name="Lê Văn Soạn"
        )
        self.other_clerk = make_user(
            "vanthu_yte", roles=[(Role.CLERK, self.other)], full_name="Đỗ Thị Nhận"
        )
        self.other_leader = make_user(
            "giamdoc_yte", roles=[(Role.LEADER, self.other)], full_name="Hoàng Văn Giao"
        )
        self.other_division = self._division("Phòng Nghiệp vụ Y", self.other)
        self.authority = authority = signing.make_test_authority()
        outgoing.add_trusted_root(pem=authority.pem().encode("ascii"), by=None, name="CA thử")
        p12 = signing.make_test_signer(authority, "Nguyễn Văn Ký", PASSPHRASE)
        outgoing.import_certificate(user=self.leader, pkcs12=p12, passphrase=PASSPHRASE, by=None)

    @staticmethod
    def _division(name: str, agency: OrgUnit) -> OrgUnit:
        return make_org_unit(name, parent=agency, is_agency=False, kind=OrgUnit.Kind.DIVISION)


def _a_pdf() -> bytes:
    import weasyprint

    data: bytes = weasyprint.HTML(
        string="<h1>QUYẾT ĐỊNH</h1><p>Về việc ban hành quy chế làm việc của Sở.</p>"
    ).write_pdf()
    return data


def test_incoming_and_outgoing_documents_through_the_pages(open_as: Open) -> None:
    cast = Cast()

    # --- (a) The clerk registers an incoming paper document with its PDF ---------------------
    clerk = open_as("vanthu")
    clerk.goto("/van-ban/")
    clerk.get_by_role("link", name="Vào sổ văn bản đến").click()
    form = clerk.locator("#incoming-form")
    form.get_by_label("Cơ quan nhận").select_option(label=cast.agency.name)
    form.get_by_label("Cơ quan ban hành (tác giả)").fill("Ủy ban nhân dân tỉnh Thử Nghiệm")
    form.get_by_label("Số", exact=True).fill("123")
    form.get_by_label("Ký hiệu").fill("UBND-VP")
    form.get_by_label("Loại văn bản").select_option(label="Công văn")
    form.get_by_label("Trích yếu nội dung").fill(INCOMING_SUBJECT)
    form.get_by_label("Tệp văn bản").set_input_files(pdf_file("cong-van-123.pdf", TINY_PDF))
    form.get_by_role("button", name="Vào sổ").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("Văn bản đến số 1")
    expect(clerk.locator("#incoming-status")).to_have_text("Chờ phân công")
    expect(clerk.locator("#incoming-files")).to_contain_text("cong-van-123.pdf")

    # --- (b) The leader opens it from the inbox and assigns three units with a deadline ------
    leader = open_as("giamdoc")
    open_from_inbox(leader, "Văn bản đến số 1:")
    assign = leader.locator("#incoming-assign")
    assign.get_by_label("Đơn vị chủ trì").select_option(label=cast.lead.name)
    assign.get_by_label("Đơn vị phối hợp").select_option(label=[cast.cooperating.name])
    assign.get_by_label("Đơn vị để biết").select_option(label=[cast.informed.name])
    assign.get_by_label("Hạn xử lý").fill("2099-12-31")
    assign.get_by_label("Ý kiến chỉ đạo").fill("Phòng HCTP chủ trì, tham mưu trả lời.")
    assign.get_by_role("button", name="Phân công").click()
    expect(leader.locator("#incoming-status")).to_have_text("Đang xử lý")
    assignments = leader.locator("#incoming-assignments")
    expect(assignments).to_contain_text(f"Chủ trì: {cast.lead.name} — Đang xử lý")
    expect(assignments).to_contain_text(f"Phối hợp: {cast.cooperating.name} — Đang xử lý")
    expect(assignments).to_contain_text(f"Để biết: {cast.informed.name} — Đang xử lý")
    expect(leader.locator("#incoming-fields")).to_contain_text("31/12/2099")

    # --- (c) A specialist of the lead unit writes an opinion and completes it ---------------
    specialist = open_as("chuyenvien")
    open_from_inbox(specialist, "[Chủ trì] Văn bản đến số 1:")
    specialist.get_by_label("Ý kiến").fill("Đã dự thảo văn bản trả lời.")
    specialist.get_by_role("button", name="Gửi ý kiến").click()
    expect(specialist.locator("#incoming-opinions")).to_contain_text("Đã dự thảo văn bản trả lời.")
    specialist.get_by_label("Kết quả xử lý").fill("Đã ban hành văn bản trả lời.")
    specialist.get_by_role("button", name="Hoàn thành").click()
    expect(specialist.locator("#incoming-status")).to_have_text("Đã hoàn thành")
    expect(assignments := specialist.locator("#incoming-assignments")).to_contain_text(
        f"Chủ trì: {cast.lead.name} — Đã xong"
    )
    # The co-operating and for-information units' work ended with the document
    expect(assignments).to_contain_text(f"Phối hợp: {cast.cooperating.name} — Đã huỷ")
    expect(assignments).to_contain_text(f"Để biết: {cast.informed.name} — Đã huỷ")
    assert not Task.objects.filter(module="documents", status=Task.Status.OPEN).exists()
    clerk.goto("/van-ban/den/")
    row = clerk.locator("#incoming-register tbody tr", has_text=INCOMING_SUBJECT)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("123/UBND-VP")
    expect(row).to_contain_text("Đã hoàn thành")

    # --- (d) Agency A drafts, reviews, signs, numbers, issues and sends an outgoing one -------
    specialist.goto("/van-ban/di/moi/")
    draft = specialist.locator("#outgoing-new-form")
    draft.get_by_label("Đơn vị soạn thảo").select_option(label=cast.lead.name)
    draft.get_by_label("Loại văn bản").select_option(label="Quyết định (QĐ)")
    draft.get_by_label("Trích yếu nội dung").fill(OUTGOING_SUBJECT)
    draft.get_by_label("Nơi nhận trong tỉnh (gửi điện tử)").select_option(label=[cast.other.name])
    draft.get_by_label("Nơi nhận (ghi trên văn bản)").fill("Như trên;\nLưu: VT.")
    draft.get_by_label("Bản chính (PDF)").set_input_files(pdf_file("quyet-dinh.pdf", _a_pdf()))
    draft.get_by_role("button", name="Tạo dự thảo").click()
    expect(specialist.locator("#outgoing-status")).to_have_text("Dự thảo")
    submit = specialist.locator("#action-submit")
    submit.get_by_label("Người duyệt").select_option(label=str(cast.reviewer))
    submit.get_by_label("Người ký").select_option(label=str(cast.leader))
    submit.get_by_role("button", name="Trình duyệt").click()
    expect(specialist.locator("#outgoing-status")).to_have_text("Đang trình duyệt")
    outgoing_url = specialist.url

    reviewer = open_as("truongphong")
    reviewer.goto(outgoing_url)
    reviewer.locator("#action-approve").get_by_label("Ý kiến").fill("Đồng ý trình ký.")
    reviewer.locator("#action-approve").get_by_role("button", name="Duyệt").click()
    expect(reviewer.locator("#outgoing-status")).to_have_text("Đã duyệt, chờ ký")

    leader.goto(outgoing_url)
    sign = leader.locator("#action-sign")
    sign.get_by_label("Mật khẩu chứng thư số").fill(PASSPHRASE)
    sign.get_by_role("button", name="Ký số").click()
    expect(leader.locator("#outgoing-status")).to_have_text("Đã ký, chờ cấp số")

    clerk.goto(outgoing_url)
    clerk.locator("#action-number").get_by_role("button", name="Cấp số").click()
    expect(clerk.locator("#outgoing-number")).to_have_text(re.compile(r"^01/QĐ-STP \("))
    clerk.locator("#action-issue").get_by_role("button", name="Ban hành").click()
    expect(clerk.locator("#outgoing-status")).to_have_text("Đã ban hành, chờ gửi")
    clerk.locator("#action-send").get_by_role("button", name="Gửi văn bản").click()
    expect(clerk.locator("#outgoing-status")).to_have_text("Đã gửi")
    recipient = clerk.locator("#outgoing-recipients tbody tr", has_text=cast.other.name)
    edxml_status = recipient.locator("td").nth(3)
    expect(edxml_status).to_have_text(re.compile(r"^01 "))
    expect(recipient.locator("td").nth(2)).to_have_text("Đã đến")

    # The signed PDF downloaded from A verifies
    signed_row = clerk.locator("#outgoing-files li", has_text="Bản đã ký số")
    expect(signed_row).to_have_count(1)
    signed_link = signed_row.get_by_role("link")
    response = clerk.request.get(signed_link.get_attribute("href"))
    assert response.status == 200
    # pyHanko validates through asyncio.run(), which cannot run in this thread: Playwright's
    # sync API keeps an event loop running here. A worker thread has none.
    with ThreadPoolExecutor(max_workers=1) as worker:
        result = worker.submit(
            signing.verify_pdf, response.body(), trust_roots=[cast.authority.certificate]
        ).result()
    assert (result.intact, result.trusted, result.signer) == (True, True, "Nguyễn Văn Ký")

    # --- (e) Agency B's clerk finds it waiting and accepts it into the register --------------
    other_clerk = open_as("vanthu_yte")
    other_clerk.goto("/van-ban/")
    other_clerk.get_by_role("link", name="Văn bản điện tử chờ tiếp nhận").click()
    row = other_clerk.locator("#incoming-register tbody tr", has_text=OUTGOING_SUBJECT)
    expect(row).to_contain_text("Đã đến, chờ tiếp nhận")
    row.get_by_role("link", name="01/QĐ-STP", exact=True).click()
    other_clerk.get_by_role("button", name="Tiếp nhận, vào sổ").click()
    expect(other_clerk.get_by_role("heading", level=1)).to_contain_text("Văn bản đến số 1")
    expect(other_clerk.locator("#incoming-status")).to_have_text("Chờ phân công")

    # --- (f) A sees the recipient's status come back: 03/04, then 05 once B assigns ----------
    clerk.reload()
    expect(edxml_status).to_have_text(re.compile(r"^0[34] "))
    expect(recipient.locator("td").nth(2)).to_have_text("Đã tiếp nhận")
    other_leader = open_as("giamdoc_yte")
    open_from_inbox(other_leader, "Văn bản đến số 1:")
    other_leader.locator("#incoming-assign").get_by_label("Đơn vị chủ trì").select_option(
        label=cast.other_division.name
    )
    other_leader.locator("#incoming-assign").get_by_role("button", name="Phân công").click()
    expect(other_leader.locator("#incoming-status")).to_have_text("Đang xử lý")
    clerk.reload()
    expect(edxml_status).to_have_text(re.compile(r"^05 "))
    expect(recipient.locator("td").nth(2)).to_have_text("Đang xử lý")
    assert IncomingDocument.objects.filter(agency=cast.other).count() == 1
