"""CSV/XLSX import of staff: all or nothing, valid rows on request, the row-level report, the
salary history and appointments written after the rows; export round trip."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import exporting, importing
from lienthong.registries.base import registry as registries
from lienthong.registries.base.models import ImportJob
from lienthong.registries.staff.choices import SalaryChangeReason, SchoolLevel
from lienthong.registries.staff.models import Appointment, SalaryChange, StaffMember
from lienthong.registries.staff.testing import make_member, personal_id

HEADER = [
    "Số định danh cá nhân",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Loại cán bộ",
    "Mã cơ quan",
    "Đơn vị, trường",
    "Mã ngạch, chức danh",
    "Bậc lương",
    "Ngày hưởng bậc",
    "Chức vụ",
    "Ngày bổ nhiệm",
    "Cấp học",
    "Môn giảng dạy",
]


def rows_for(org: Any) -> list[list[str]]:
    code = org.department.code
    return [
        [
            personal_id(birth_year=1980),
            "Nguyễn Văn Hùng",
            "01/02/1980",
            "Nam",
            "Công chức",
            code,
            "Phòng Ngân sách",
            "01.003",
            "4",
            "01/07/2023",
            "Trưởng phòng",
            "15/03/2022",
            "",
            "",
        ],
        [
            personal_id(birth_year=1990, sex="female"),
            "Lê Thị Hoa",
            "1990-03-04",
            "nữ",
            "cong chuc",
            code,
            "",
            "06.031",
            "2",
            "2024-01-01",
            "",
            "",
            "",
            "",
        ],
        [
            personal_id(birth_year=1975),
            "Trần Minh Tâm",
            "05/06/1975",
            "NAM",
            "Hợp đồng lao động",
            code,
            "phong ngan sach",
            "01.005",
            "12",
            "01/01/2024",
            "",
            "",
            "",
            "",
        ],
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def import_(owner: Any, by: Any, path: Path, *, valid_only: bool = False) -> ImportJob:
    return importing.import_file(
        registries.get("staff"), path, owner=owner, by=by, valid_only=valid_only
    )


def bad_rows(org: Any) -> list[list[str]]:
    code = org.department.code
    good = rows_for(org)
    return [
        *good,
        # Row 5: step 10 on A1 (9 steps); row 6: the same ID as row 2; row 7: another agency,
        # an unknown unit and an unknown rank; row 8: a teacher's level outside a school.
        [
            personal_id(birth_year=1985),
            "Phạm Văn Bậc",
            "01/01/1985",
            "Nam",
            "Công chức",
            code,
            "",
            "01.003",
            "10",
            "01/01/2024",
            "",
            "",
            "",
            "",
        ],
        [
            good[0][0],
            "Người Trùng",
            "01/02/1980",
            "Nam",
            "Công chức",
            code,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            personal_id(birth_year=1970),
            "Vũ Thị Lạc",
            "01/01/1970",
            "Nữ",
            "Công chức",
            org.other.code,
            "Phòng Không Có",
            "99.999",
            "1",
            "01/01/2024",
            "",
            "",
            "",
            "",
        ],
        [
            personal_id(birth_year=1988),
            "Đỗ Văn Dạy",
            "01/01/1988",
            "Nam",
            "Viên chức",
            code,
            "",
            "",
            "",
            "",
            "",
            "",
            "Tiểu học",
            "Toán",
        ],
    ]


def test_a_good_file_imports_rows_history_and_appointments(
    org: Any, editor: Any, tmp_path: Path
) -> None:
    job = import_(org.department, editor, write_csv(tmp_path / "can-bo.csv", rows_for(org)))

    assert (job.status, job.imported_rows, job.error_count) == (ImportJob.Status.IMPORTED, 3, 0)
    hung = StaffMember.objects.get(full_name="Nguyễn Văn Hùng")
    assert hung.org_unit == org.division and hung.owner == org.department
    assert hung.coefficient == Decimal("3.33")
    assert hung.next_raise_due == datetime.date(2026, 7, 1)
    assert hung.search_text == "nguyen van hung"
    [change] = SalaryChange.objects.filter(member=hung)
    assert (change.reason, change.coefficient) == (SalaryChangeReason.INITIAL, Decimal("3.33"))
    [appointment] = Appointment.objects.filter(member=hung)
    assert (appointment.position.code, appointment.effective_date) == (
        "truong-phong",
        datetime.date(2022, 3, 15),
    )
    assert hung.position == appointment.position
    # The B/C categories rise every 24 months; the last step of C1 is 12.
    tam = StaffMember.objects.get(full_name="Trần Minh Tâm")
    assert tam.coefficient == Decimal("3.63") and tam.next_raise_due == datetime.date(2026, 1, 1)
    assert AuditEntry.objects.filter(action="registry.staff.import").count() == 1
    assert OutboxEvent.objects.filter(type="registry.staff.imported").count() == 1


def test_a_file_with_errors_imports_nothing_and_reports_each_row(
    org: Any, editor: Any, tmp_path: Path
) -> None:
    job = import_(org.department, editor, write_csv(tmp_path / "loi.csv", bad_rows(org)))

    assert job.status == ImportJob.Status.REJECTED
    assert not StaffMember.all_objects.exists()
    assert not SalaryChange.objects.exists() and not Appointment.objects.exists()
    assert not OutboxEvent.objects.filter(type__startswith="registry.staff").exists()
    by_row: dict[int, list[str]] = {}
    for error in job.errors:
        by_row.setdefault(error["row"], []).append(error["column"])
    assert sorted(by_row) == [5, 6, 7, 8]
    assert by_row[5] == ["Bậc lương"]
    assert by_row[6] == ["Số định danh cá nhân"]
    assert set(by_row[7]) == {"Mã cơ quan", "Đơn vị, trường", "Mã ngạch, chức danh"}
    assert by_row[8] == ["Cấp học"]
    assert (job.total_rows, job.valid_rows) == (7, 3)


def test_valid_only_imports_the_good_rows(org: Any, editor: Any, tmp_path: Path) -> None:
    job = import_(
        org.department, editor, write_csv(tmp_path / "loi.csv", bad_rows(org)), valid_only=True
    )
    assert (job.status, job.imported_rows) == (ImportJob.Status.IMPORTED, 3)
    assert StaffMember.objects.count() == 3
    assert job.error_count == 6


def test_an_id_already_in_the_registry_is_an_error(org: Any, editor: Any, tmp_path: Path) -> None:
    existing = make_member(org.department, by=editor, birth_year=1990, sex="female")
    rows = rows_for(org)
    rows[1][0] = existing.personal_id
    job = import_(org.department, editor, write_csv(tmp_path / "trung.csv", rows))
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors[0]["row"] == 3 and "đã có" in job.errors[0]["message"]
    assert StaffMember.objects.count() == 1


def test_only_the_agencys_registry_officials_import(org: Any, leader: Any, tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_(org.department, leader, write_csv(tmp_path / "can-bo.csv", rows_for(org)))
    assert not StaffMember.all_objects.exists() and not ImportJob.objects.exists()


def test_teachers_from_an_xlsx_file(org: Any, district_editor: Any, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(
        [
            personal_id(birth_year=1992, sex="female"),
            "Ngô Thị Lan",
            datetime.date(1992, 9, 2),
            "Nữ",
            "Viên chức",
            org.district.code,
            "Trường Tiểu học Thử",
            "V.07.03.29",
            3,
            datetime.date(2023, 9, 1),
            "",
            None,
            "Tiểu học",
            "Tiếng Việt, Toán",
        ]
    )
    path = tmp_path / "giao-vien.xlsx"
    workbook.save(path)

    job = import_(org.district, district_editor, path)

    assert job.status == ImportJob.Status.IMPORTED, job.errors
    teacher = StaffMember.objects.teachers().get()
    assert (teacher.school, teacher.school_level, teacher.subjects) == (
        org.school,
        SchoolLevel.PRIMARY,
        "Tiếng Việt, Toán",
    )
    assert teacher.coefficient == Decimal("3.00")


def test_an_export_imports_back(org: Any, editor: Any, tmp_path: Path) -> None:
    import_(org.department, editor, write_csv(tmp_path / "can-bo.csv", rows_for(org)))
    registry_type = registries.get("staff")
    out = io.StringIO()
    exporting.write_csv(
        exporting.export_rows(registry_type, StaffMember.objects.order_by("pk")), out
    )
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0][0] == "Số định danh cá nhân" and len(lines) == 4
    assert lines[1][lines[0].index("Hệ số lương")] == "3.33"
    # Delete and bring them back from the export.
    StaffMember.objects.all().delete()
    SalaryChange.objects.all().delete()
    path = tmp_path / "xuat.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    job = import_(org.department, editor, path)
    assert (job.status, job.imported_rows) == (ImportJob.Status.IMPORTED, 3), job.errors


def test_the_import_page_reports_and_imports_nothing_until_confirmed(
    client: Any, org: Any, editor: Any, tmp_path: Path
) -> None:
    from lienthong.core.testing_permissions import login

    login(client, editor)
    path = write_csv(tmp_path / "loi.csv", bad_rows(org))
    with path.open("rb") as handle:
        response = client.post("/csdl/can-bo/nhap/", {"file": handle, "owner": org.department.pk})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    report = client.get(response["Location"]).content.decode()
    assert "Bậc lương phải từ 1 đến 9" in report
    assert not StaffMember.all_objects.exists()
    client.post(response["Location"], {})  # import all: refused, the file has errors
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED and not StaffMember.all_objects.exists()
    # A new upload of the same file, this time importing the valid rows.
    with path.open("rb") as handle:
        again = client.post("/csdl/can-bo/nhap/", {"file": handle, "owner": org.department.pk})
    client.post(again["Location"], {"valid_only": "on"})
    assert StaffMember.objects.count() == 3
    errors = client.get(again["Location"] + "loi.csv")
    assert errors.status_code == 200 and "Bậc lương" in errors.content.decode("utf-8-sig")
