"""Pages under /ha-tang-cntt/: who sees and edits what, forms, import and evidence files."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lienthong.accounts.models import Role
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.ict import services
from lienthong.ict.models import ChecklistItem, Compliance, Incident, InventoryReport
from lienthong.ict.services import ReportFigures
from lienthong.ict.tests.conftest import Province

pytestmark = pytest.mark.django_db


def _report(province: Province, agency: object) -> InventoryReport:
    return services.save_report(
        agency=agency,  # type: ignore[arg-type]
        period=province.period,
        figures=ReportFigures(staff=10, staff_with_computer=8),
        by=province.it_admin,
    )


class TestReportPageAccess(PermissionContract):
    @pytest.fixture
    def access(self, province: Province) -> Access:
        mine, theirs = _report(province, province.department), _report(province, province.commune)
        return Access(
            url=f"/ha-tang-cntt/bao-cao/{mine.pk}/",
            outside_url=f"/ha-tang-cntt/bao-cao/{theirs.pk}/",
            allowed=province.department_leader,
            denied=make_user(roles=[(Role.CITIZEN, None)]),
        )


class TestEditPageAccess(PermissionContract):
    @pytest.fixture
    def access(self, province: Province) -> Access:
        _report(province, province.department)
        return Access(
            url=f"/ha-tang-cntt/bao-cao/{province.department.pk}/2024/sua/",
            outside_url=f"/ha-tang-cntt/bao-cao/{province.commune.pk}/2024/sua/",
            allowed=province.department_specialist,
            # The agency's leader reads the report but may not edit it
            denied=province.department_leader,
        )


class TestEvidenceAccess(PermissionContract):
    @pytest.fixture
    def access(self, province: Province) -> Access:
        item = ChecklistItem.objects.get(code="sao-luu")
        files = []
        for agency in (province.department, province.commune):
            files.append(
                services.set_compliance(
                    agency=agency,
                    item=item,
                    status="met",
                    evidence=SimpleUploadedFile("bb.pdf", b"%PDF-1.4\n%%EOF\n"),
                    by=province.it_admin,
                )
            )
        return Access(
            url=f"/ha-tang-cntt/an-toan/minh-chung/{files[0].pk}/",
            outside_url=f"/ha-tang-cntt/an-toan/minh-chung/{files[1].pk}/",
            allowed=province.department_leader,
            denied=make_user(roles=[(Role.CITIZEN, None)]),
        )


def test_report_form_journey(client: Client, province: Province) -> None:
    login(client, province.department_specialist)
    url = f"/ha-tang-cntt/bao-cao/{province.department.pk}/2024/sua/"
    form = {
        "staff": 10,
        "staff_with_computer": 12,
        "computers": 5,
        "computers_with_antivirus": 5,
        "servers": 1,
        "dedicated_network_points": 0,
        "lans": 1,
        "lans_protected": 1,
        "it_staff": 1,
        "software": ["qlvb"],
        "has_lan": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Số cán bộ có máy tính không được lớn hơn số cán bộ, công chức." in (
        response.content.decode()
    )
    assert not InventoryReport.objects.exists()
    form["staff_with_computer"] = 9
    response = client.post(url, form)
    report = InventoryReport.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/ha-tang-cntt/bao-cao/{report.pk}/"
    )
    response = client.post(f"/ha-tang-cntt/bao-cao/{report.pk}/gui/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    # The IT department returns it with a reason, from the page
    login(client, province.it_admin)
    page = client.get(f"/ha-tang-cntt/bao-cao/{report.pk}/").content.decode()
    assert "Chấp nhận" in page and "Lý do trả lại" in page
    client.post(f"/ha-tang-cntt/bao-cao/{report.pk}/tra-lai/", {"reason": "Sai số máy chủ"})
    report.refresh_from_db()
    assert (report.status, report.return_reason) == ("returned", "Sai số máy chủ")


def test_list_shows_the_agencies_still_to_report(client: Client, province: Province) -> None:
    _report(province, province.department)
    login(client, province.commune_clerk)
    page = client.get("/ha-tang-cntt/?period=2024").content.decode()
    assert "Sở thử" not in page
    assert f"/ha-tang-cntt/bao-cao/{province.commune.pk}/2024/sua/" in page


def test_import_page_shows_row_errors_and_writes_nothing(
    client: Client, province: Province
) -> None:
    from openpyxl import load_workbook

    login(client, province.it_admin)
    template = client.get("/ha-tang-cntt/mau.xlsx")
    assert template.status_code == 200
    workbook = load_workbook(io.BytesIO(template.content))
    sheet = workbook.active
    assert sheet is not None
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert province.commune.code in codes
    sheet.append(["000.98.98.H99", "", 1])
    out = io.BytesIO()
    workbook.save(out)
    response = client.post(
        "/ha-tang-cntt/nhap/",
        {"period": "2024", "file": SimpleUploadedFile("bc.xlsx", out.getvalue())},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Không có cơ quan mã “000.98.98.H99”." in page
    assert not InventoryReport.objects.exists()


def test_indicator_page_and_targets(client: Client, province: Province) -> None:
    login(client, province.leader)
    page = client.get("/ha-tang-cntt/chi-so/")
    assert page.status_code == 200 and "Tổng số máy chủ" in page.content.decode()
    body = {"indicator": "servers_total", "value": "5", "due": "2024-12-31"}
    assert client.post("/ha-tang-cntt/chi-so/", body).status_code == 403
    login(client, province.it_admin)
    assert client.post("/ha-tang-cntt/chi-so/", body).status_code == 302


def test_checklist_and_incident_pages(client: Client, province: Province) -> None:
    item = ChecklistItem.objects.get(code="nhat-ky")
    login(client, province.commune_clerk)
    url = f"/ha-tang-cntt/an-toan/{province.commune.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"item": item.pk, f"i{item.pk}-status": "not_met", f"i{item.pk}-note": "Chỉ lưu 1 tháng"},
    )
    assert response.status_code == 302
    assert Compliance.objects.get().status == "not_met"
    assert client.get(f"/ha-tang-cntt/an-toan/{province.department.pk}/").status_code == 404
    detected = timezone.localtime() - datetime.timedelta(hours=2)
    response = client.post(
        "/ha-tang-cntt/su-co/",
        {
            "agency": province.commune.pk,
            "title": "Dò quét cổng",
            "detected_at": detected.strftime("%Y-%m-%dT%H:%M"),
            "severity": "low",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    client.post(f"/ha-tang-cntt/su-co/{incident.pk}/", {"step": "initial"})
    incident.refresh_from_db()
    assert incident.status == "notified"
    login(client, province.department_specialist)
    assert client.get(f"/ha-tang-cntt/su-co/{incident.pk}/").status_code == 404
