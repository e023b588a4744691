"""The API under /api/ict/: access per endpoint, and 422 / 409 / 404 as the house does."""

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
from lienthong.ict.models import InventoryReport, ReportStatus
from lienthong.ict.services import ReportFigures
from lienthong.ict.tests.conftest import Province

pytestmark = pytest.mark.django_db

FIGURES = ReportFigures(staff=10, staff_with_computer=8, computers=9, computers_with_antivirus=9)


def _report(province: Province, agency: object, status: str = "draft") -> InventoryReport:
    report = services.save_report(
        agency=agency,  # type: ignore[arg-type]
        period=province.period,
        figures=FIGURES,
        by=province.it_admin,
    )
    if status in ("submitted", "accepted"):
        services.submit_report(report, by=province.it_admin)
    if status == "accepted":
        services.accept_report(report, by=province.it_admin)
    return report


def _status(pk: int) -> str:
    return InventoryReport.objects.get(pk=pk).status


class TestReportDetailAccess(PermissionContract):
    @pytest.fixture
    def access(self, province: Province) -> Access:
        mine = _report(province, province.department)
        theirs = _report(province, province.commune)
        return Access(
            url=f"/api/ict/reports/{mine.pk}",
            outside_url=f"/api/ict/reports/{theirs.pk}",
            allowed=province.department_leader,
            denied=make_user(roles=[(Role.CITIZEN, None)]),
            api=True,
        )


class TestSubmitAccess(PermissionContract):
    @pytest.fixture
    def access(self, province: Province) -> Access:
        mine = _report(province, province.department)
        theirs = _report(province, province.commune)
        return Access(
            url=f"/api/ict/reports/{mine.pk}/submit",
            outside_url=f"/api/ict/reports/{theirs.pk}/submit",
            allowed=province.department_specialist,
            # A leader of the agency sees the report but may not submit it
            denied=province.department_leader,
            method="post",
            api=True,
            state=lambda: sorted(InventoryReport.objects.values_list("status", flat=True)),
        )


class TestAcceptAccess(PermissionContract):
    @pytest.fixture
    def access(self, province: Province) -> Access:
        mine = _report(province, province.department, "submitted")
        # The IT department sees every agency: "outside" is a report that does not exist
        return Access(
            url=f"/api/ict/reports/{mine.pk}/accept",
            outside_url="/api/ict/reports/999999/accept",
            allowed=province.it_admin,
            denied=province.leader,
            method="post",
            api=True,
            state=lambda: _status(mine.pk),
        )


class TestIncidentAccess(PermissionContract):
    @pytest.fixture
    def access(self, province: Province) -> Access:
        now = timezone.now()
        mine = services.report_incident(
            agency=province.commune, title="A", detected_at=now, by=province.commune_clerk
        )
        theirs = services.report_incident(
            agency=province.department, title="B", detected_at=now, by=province.it_admin
        )
        return Access(
            url=f"/api/ict/incidents/{mine.pk}",
            outside_url=f"/api/ict/incidents/{theirs.pk}",
            allowed=province.commune_clerk,
            denied=make_user(roles=[(Role.CITIZEN, None)]),
            api=True,
        )


def test_lists_are_scoped(client: Client, province: Province) -> None:
    _report(province, province.department)
    _report(province, province.commune)
    login(client, province.commune_clerk)
    rows = client.get("/api/ict/reports").json()
    assert [r["agency_name"] for r in rows] == ["UBND xã thử"]
    login(client, province.it_admin)
    assert len(client.get("/api/ict/reports").json()) == 2


def test_save_with_bad_figures_is_422_and_writes_nothing(
    client: Client, province: Province
) -> None:
    login(client, province.department_specialist)
    url = f"/api/ict/agencies/{province.department.code}/reports/"
    body = {"staff": 5, "staff_with_computer": 9}
    response = client.post(url + "2024", body, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["staff_with_computer"]
    response = client.post(url + "1999", body, content_type="application/json")
    assert response.status_code == 422 and "period" in response.json()["errors"]
    # Another agency's report: 404, as for one that does not exist
    other = f"/api/ict/agencies/{province.commune.code}/reports/2024"
    assert client.post(other, body, content_type="application/json").status_code == 404
    assert not InventoryReport.objects.exists()
    body["staff_with_computer"] = 4
    response = client.post(url + "2024", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    # The agency's leader sees it but may not write: 403
    login(client, province.department_leader)
    assert client.post(url + "2024", body, content_type="application/json").status_code == 403


def test_accepting_a_draft_is_409(client: Client, province: Province) -> None:
    report = _report(province, province.department)
    login(client, province.it_admin)
    response = client.post(f"/api/ict/reports/{report.pk}/accept")
    assert response.status_code == 409
    assert _status(report.pk) == ReportStatus.DRAFT


def test_return_needs_a_reason(client: Client, province: Province) -> None:
    report = _report(province, province.department, "submitted")
    login(client, province.it_admin)
    url = f"/api/ict/reports/{report.pk}/return"
    response = client.post(url, {"reason": ""}, content_type="application/json")
    assert response.status_code == 422 and "reason" in response.json()["errors"]
    response = client.post(url, {"reason": "Thiếu số liệu"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["return_reason"] == "Thiếu số liệu"


def test_import_errors_by_row(client: Client, province: Province) -> None:
    from openpyxl import load_workbook

    from lienthong.ict.spreadsheet import template_xlsx

    workbook = load_workbook(io.BytesIO(template_xlsx()))
    sheet = workbook.active
    assert sheet is not None
    sheet.append([province.department.code, "", 5, 9])
    out = io.BytesIO()
    workbook.save(out)
    login(client, province.it_admin)
    upload = SimpleUploadedFile("bc.xlsx", out.getvalue())
    response = client.post("/api/ict/reports/import?period=2024", {"file": upload})
    assert response.status_code == 422
    assert response.json()["errors"]["rows"] == [
        "Dòng 2, Số cán bộ có máy tính: "
        "Số cán bộ có máy tính không được lớn hơn số cán bộ, công chức."
    ]
    assert not InventoryReport.objects.exists()
    response = client.post("/api/ict/reports/import?period=2024")
    assert response.status_code == 422 and "file" in response.json()["errors"]


def test_indicators_and_targets(client: Client, province: Province) -> None:
    _report(province, province.department, "accepted")
    login(client, province.leader)
    rows = {r["code"]: r for r in client.get("/api/ict/indicators").json()}
    assert rows["officials_with_computer"]["value"] == "80.0"
    assert client.get("/api/ict/indicators?period=1999").status_code == 404
    body = {"indicator": "servers_total", "value": "10", "due": "2024-12-31"}
    assert client.post("/api/ict/targets", body, content_type="application/json").status_code == 403
    login(client, province.it_admin)
    assert client.post("/api/ict/targets", body, content_type="application/json").status_code == 200
    body["indicator"] = "nope"
    response = client.post("/api/ict/targets", body, content_type="application/json")
    assert response.status_code == 422


def test_checklist_and_incidents(client: Client, province: Province) -> None:
    login(client, province.commune_clerk)
    url = f"/api/ict/agencies/{province.commune.code}/checklist"
    body = {"item": "sao-luu", "status": "met"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    rows = client.get(url).json()
    assert [r["status"] for r in rows if r["item"] == "sao-luu"] == ["met"]
    assert len(rows) == 12
    other = f"/api/ict/agencies/{province.department.code}/checklist"
    assert client.get(other).status_code == 404
    detected = (timezone.now() - datetime.timedelta(hours=30)).isoformat()
    body = {"title": "Mã độc", "detected_at": detected}
    url = f"/api/ict/agencies/{province.commune.code}/incidents"
    incident = client.post(url, body, content_type="application/json").json()
    assert incident["initial_overdue"] is True and incident["full_overdue"] is False
    overdue = client.get("/api/ict/incidents?overdue=true").json()
    assert [i["id"] for i in overdue] == [incident["id"]]
    url = f"/api/ict/incidents/{incident['id']}/full"
    assert client.post(url, {}, content_type="application/json").status_code == 409
    url = f"/api/ict/incidents/{incident['id']}/initial"
    assert client.post(url, {}, content_type="application/json").status_code == 200
