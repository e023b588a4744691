"""`lienthong ict indicators | import | incidents`."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lienthong.ict import services
from lienthong.ict.models import InventoryReport
from lienthong.ict.services import ReportFigures
from lienthong.ict.tests.conftest import Province

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("ict", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_indicators(province: Province) -> None:
    report = services.save_report(
        agency=province.department,
        period=province.period,
        figures=ReportFigures(staff=20, staff_with_computer=19, servers=3),
        by=province.it_admin,
    )
    services.submit_report(report, by=province.it_admin)
    text = _run("indicators")
    assert "Năm 2024" in text and "Tổng số máy chủ: 3" in text
    rows = {r["code"]: r for r in json.loads(_run("indicators", "--period", "2024", "--json"))}
    assert rows["officials_with_computer"]["value"] == "95.0"
    with pytest.raises(CommandError):
        _run("indicators", "--period", "1999")


def test_import_all_or_nothing(province: Province, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from lienthong.ict.spreadsheet import template_xlsx

    workbook = load_workbook(io.BytesIO(template_xlsx()))
    sheet = workbook.active
    assert sheet is not None
    sheet.append([province.commune.code, "", 20, 10])
    sheet.append([province.department.code, "", 20, 30])
    path = tmp_path / "bc.xlsx"
    workbook.save(path)
    with pytest.raises(CommandError, match="1 lỗi"):
        _run("import", str(path), "--period", "2024", "--as", province.it_admin.username)
    assert not InventoryReport.objects.exists()
    sheet.delete_rows(3)
    workbook.save(path)
    text = _run("import", str(path), "--period", "2024", "--as", province.it_admin.username)
    assert "Đã nhập 1 báo cáo mới" in text
    assert InventoryReport.objects.get().agency == province.commune


def test_incidents_overdue(province: Province) -> None:
    now = timezone.now()
    services.report_incident(
        agency=province.commune,
        title="Mã độc",
        detected_at=now - datetime.timedelta(hours=80),
        by=province.commune_clerk,
    )
    services.report_incident(
        agency=province.commune, title="Mới", detected_at=now, by=province.commune_clerk
    )
    text = _run("incidents", "--overdue")
    assert "Mã độc" in text and "quá hạn báo cáo đầy đủ (72 giờ)" in text
    assert "Mới" not in text
    assert len(json.loads(_run("incidents", "--json"))) == 2
