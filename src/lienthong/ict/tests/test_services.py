"""Reports (draft → submitted → accepted / returned), targets, checklist and incidents."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.ict import services
from lienthong.ict.models import (
    Category,
    ChecklistItem,
    Compliance,
    Incident,
    IncidentStatus,
    InventoryReport,
    Level,
    ReportStatus,
)
from lienthong.ict.seed import ensure_catalogue
from lienthong.ict.services import ReportFigures, WrongState
from lienthong.ict.tests.conftest import Province

pytestmark = pytest.mark.django_db

GOOD = ReportFigures(
    staff=50,
    staff_with_computer=45,
    computers=48,
    computers_with_antivirus=40,
    servers=2,
    has_lan=True,
    dedicated_network=True,
    dedicated_network_points=1,
    lans=1,
    lans_protected=1,
    it_staff=1,
    software=["qlvb", "email"],
)


def test_levels_follow_the_tree(province: Province) -> None:
    assert services.classify(province.province) == (Level.PROVINCE, Category.PROVINCE_COMMITTEE)
    assert services.classify(province.department) == (Level.PROVINCE, Category.DEPARTMENT)
    assert services.classify(province.district) == (Level.DISTRICT, Category.DISTRICT_COMMITTEE)
    assert services.classify(province.commune) == (Level.COMMUNE, Category.COMMUNE_COMMITTEE)


def test_draft_submit_accept(province: Province) -> None:
    # Given the department's specialist enters the report
    report = services.save_report(
        agency=province.department,
        period=province.period,
        figures=GOOD,
        by=province.department_specialist,
    )
    assert (report.status, report.level, report.category) == ("draft", "province", "department")
    assert sorted(report.software.values_list("code", flat=True)) == ["email", "qlvb"]
    # When it is submitted and the IT department accepts it
    services.submit_report(report, by=province.department_specialist)
    report = services.accept_report(report, by=province.it_admin)
    # Then it is accepted, audited and announced
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.accepted_by == province.it_admin
    actions = list(
        AuditEntry.objects.filter(action__startswith="ict.report")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["ict.report.save", "ict.report.submit", "ict.report.accept"]
    types = list(
        OutboxEvent.objects.filter(type__startswith="ict.")
        .order_by("pk")
        .values_list("type", flat=True)
    )
    assert types == ["ict.report.submitted", "ict.report.accepted"]
    # And it can no longer be edited
    with pytest.raises(WrongState):
        services.save_report(
            agency=province.department,
            period=province.period,
            figures=GOOD,
            by=province.department_specialist,
        )


def test_return_with_a_reason_then_correct_and_resubmit(province: Province) -> None:
    report = services.save_report(
        agency=province.commune, period=province.period, figures=GOOD, by=province.commune_clerk
    )
    services.submit_report(report, by=province.commune_clerk)
    with pytest.raises(ValidationError) as missing_reason:
        services.return_report(report, reason="  ", by=province.it_admin)
    assert "reason" in missing_reason.value.message_dict
    services.return_report(report, reason="Số máy chủ chưa khớp", by=province.it_admin)
    report.refresh_from_db()
    assert (report.status, report.return_reason) == ("returned", "Số máy chủ chưa khớp")
    services.save_report(
        agency=province.commune,
        period=province.period,
        figures=ReportFigures(**{**GOOD.__dict__, "servers": 0}),
        by=province.commune_clerk,
    )
    services.submit_report(report, by=province.commune_clerk)
    report.refresh_from_db()
    assert (report.status, report.servers) == ("submitted", 0)


def test_wrong_states_and_wrong_people_change_nothing(province: Province) -> None:
    report = services.save_report(
        agency=province.department, period=province.period, figures=GOOD, by=province.it_admin
    )
    with pytest.raises(WrongState):
        services.accept_report(report, by=province.it_admin)  # still a draft
    with pytest.raises(PermissionDenied):
        services.submit_report(report, by=province.commune_clerk)  # another agency
    with pytest.raises(PermissionDenied):
        services.submit_report(report, by=province.department_leader)  # leaders read only
    services.submit_report(report, by=province.department_specialist)
    with pytest.raises(PermissionDenied):
        services.accept_report(report, by=province.leader)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action="ict.report.accept").exists()


def test_inconsistent_figures_are_refused_with_field_errors(province: Province) -> None:
    bad = ReportFigures(
        staff=10,
        staff_with_computer=11,
        computers=3,
        computers_with_antivirus=4,
        lans=1,
        lans_protected=2,
        dedicated_network=True,
        software=["khong-co"],
    )
    with pytest.raises(ValidationError) as caught:
        services.save_report(
            agency=province.department,
            period=province.period,
            figures=bad,
            by=province.department_specialist,
        )
    assert set(caught.value.message_dict) == {
        "staff_with_computer",
        "computers_with_antivirus",
        "lans_protected",
        "dedicated_network_points",
        "software",
    }
    assert not InventoryReport.objects.exists()


def test_a_closed_period_is_read_only(province: Province) -> None:
    services.set_period_open(province.period, is_open=False, by=province.it_admin)
    with pytest.raises(WrongState):
        services.save_report(
            agency=province.department,
            period=province.period,
            figures=GOOD,
            by=province.department_specialist,
        )


def test_targets_are_checked(province: Province) -> None:
    target = services.set_target(
        indicator="communes_connected",
        value=Decimal(91),
        due=datetime.date(2024, 12, 31),
        by=province.it_admin,
    )
    again = services.set_target(
        indicator="communes_connected",
        value=Decimal(95),
        due=datetime.date(2024, 12, 31),
        by=province.it_admin,
    )
    assert again.pk == target.pk and again.value == 95
    with pytest.raises(ValidationError):
        services.set_target(
            indicator="lans_protected",
            value=Decimal(120),
            due=datetime.date(2024, 12, 31),
            by=province.it_admin,
        )
    with pytest.raises(PermissionDenied):
        services.set_target(
            indicator="servers_total",
            value=Decimal(1),
            due=datetime.date(2024, 12, 31),
            by=province.leader,
        )


def test_compliance_with_an_evidence_file(province: Province) -> None:
    item = ChecklistItem.objects.get(code="sao-luu")
    pdf = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    answer = services.set_compliance(
        agency=province.department,
        item=item,
        status="met",
        note="Sao lưu hằng tuần",
        evidence=pdf,
        by=province.department_specialist,
    )
    assert (answer.evidence.name or "").startswith("ict/evidence/")
    assert answer.evidence_name == "bien-ban.pdf"
    with pytest.raises(ValidationError):
        services.set_compliance(
            agency=province.department,
            item=item,
            status="met",
            evidence=SimpleUploadedFile("x.exe", b"MZ\x90\x00 not allowed"),
            by=province.department_specialist,
        )
    with pytest.raises(PermissionDenied):
        services.set_compliance(
            agency=province.department, item=item, status="not_met", by=province.commune_clerk
        )
    assert Compliance.objects.get().status == "met"


def test_incident_clocks(province: Province) -> None:
    now = timezone.now()
    late = services.report_incident(
        agency=province.commune,
        title="Mã độc",
        detected_at=now - datetime.timedelta(hours=25),
        by=province.commune_clerk,
    )
    fresh = services.report_incident(
        agency=province.commune,
        title="Dò quét",
        detected_at=now - datetime.timedelta(hours=2),
        by=province.commune_clerk,
    )
    assert late.initial_due == late.detected_at + datetime.timedelta(hours=24)
    assert late.full_due == late.detected_at + datetime.timedelta(hours=72)
    assert late.initial_overdue(now) and not late.full_overdue(now)
    assert not fresh.initial_overdue(now)
    assert list(Incident.objects.overdue(now)) == [late]
    # Notified late: still flagged as late, but no longer on the overdue list
    services.advance_incident(late, step="initial", at=now, by=province.commune_clerk)
    late.refresh_from_db()
    assert late.status == IncidentStatus.NOTIFIED and late.initial_overdue(now)
    assert list(Incident.objects.overdue(now)) == []
    # 73 hours on without a full report: overdue again (and the fresh one lacks its notice)
    later = now + datetime.timedelta(hours=48)
    assert list(Incident.objects.overdue(later)) == [fresh, late]
    with pytest.raises(WrongState):
        services.advance_incident(fresh, step="full", by=province.commune_clerk)
    with pytest.raises(ValidationError):
        services.report_incident(
            agency=province.commune,
            title="",
            detected_at=now + datetime.timedelta(days=1),
            by=province.commune_clerk,
        )
    assert Incident.objects.count() == 2


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import load_workbook

    from lienthong.ict.spreadsheet import template_xlsx

    workbook = load_workbook(io.BytesIO(template_xlsx()))
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_import_good_file(province: Province) -> None:
    from lienthong.ict.spreadsheet import import_reports

    data = _xlsx(
        [
            [
                province.department.code,
                "Sở",
                50,
                45,
                48,
                40,
                2,
                "có",
                "có",
                "không",
                "có",
                1,
                1,
                1,
                1,
                "qlvb, email",
            ],
            [province.commune.code, "", 20, 10, 12, 12, 0, "x", "", "", "không", 0, 1, 0, 0, ""],
        ]
    )
    result = import_reports(io.BytesIO(data), period=province.period, by=province.it_admin)
    assert (result.created, result.updated) == (2, 0)
    department = InventoryReport.objects.get(agency=province.department)
    assert (department.staff, department.has_fibre, department.has_wireless) == (50, True, False)
    assert sorted(department.software.values_list("code", flat=True)) == ["email", "qlvb"]


def test_xlsx_import_bad_file_writes_nothing(province: Province) -> None:
    from lienthong.ict.spreadsheet import ImportRejected, import_reports

    data = _xlsx(
        [
            [province.department.code, "", 50, 45, 48, 40, 2, "có", "", "", "có", 1, 1, 1, 1, ""],
            ["000.99.99.H99", "", 1, 1, 1, 1, 0, "", "", "", "", 0, 0, 0, 0, ""],
            [province.commune.code, "", 20, 30, 12, 12, "hai", "có", "", "", "", 0, 1, 0, 0, "abc"],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        import_reports(data, period=province.period, by=province.it_admin)
    found = [(e.row, str(e.column), str(e.message)) for e in caught.value.errors]
    assert found == [
        (3, "Mã định danh cơ quan", "Không có cơ quan mã “000.99.99.H99”."),
        (4, "Số máy chủ", "Phải là số nguyên không âm."),
    ]
    assert not InventoryReport.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="ict.").exists()


def test_xlsx_import_consistency_and_permission_errors(province: Province) -> None:
    from lienthong.ict.spreadsheet import ImportRejected, import_reports

    data = _xlsx(
        [
            [province.department.code, "", 50, 45, 48, 40, 2, "có", "", "", "có", 1, 1, 1, 1, ""],
            [province.commune.code, "", 20, 30, 12, 12, 0, "có", "", "", "", 0, 1, 0, 0, "abc"],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        import_reports(data, period=province.period, by=province.commune_clerk)
    found = [(e.row, str(e.column), str(e.message)) for e in caught.value.errors]
    assert found == [
        (2, "Mã định danh cơ quan", "Bạn không có quyền cập nhật số liệu của cơ quan này."),
        (
            3,
            "Số cán bộ có máy tính",
            "Số cán bộ có máy tính không được lớn hơn số cán bộ, công chức.",
        ),
        (3, "Phần mềm đang dùng (mã, cách nhau bởi dấu phẩy)", "Không có phần mềm mã: abc."),
    ]
    assert not InventoryReport.objects.exists()
    with pytest.raises(ImportRejected) as not_xlsx:
        import_reports(b"not a spreadsheet", period=province.period, by=province.it_admin)
    assert not_xlsx.value.errors[0].row == 0


@pytest.mark.parametrize("flushed", [False, True])
def test_checked_checklist_sources_are_confirmed(db: None, flushed: bool) -> None:
    if flushed:  # ensure_catalogue on empty tables writes the same as the migrations
        ChecklistItem.objects.all().delete()
        ensure_catalogue()
    items = {i.code: i for i in ChecklistItem.objects.all()}
    assert len(items) == 12
    confirmed = {code for code, item in items.items() if item.source_confirmed}
    assert confirmed == {"phan-loai-cap-do", "diet-virus", "chuyen-trach", "danh-gia-dinh-ky"}
    assert items["chuyen-trach"].source == (
        "Luật An toàn thông tin mạng 86/2015/QH13, điểm b khoản 2 Điều 25"
    )
    assert items["sao-luu"].source == "Chỉ thị 14/CT-TTg ngày 07/6/2019"
