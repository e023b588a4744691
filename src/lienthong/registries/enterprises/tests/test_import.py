"""Importing enterprises and projects through the shared import: a file with an error changes
nothing unless the user asks for the valid rows; lines and investors come along."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import exporting, importing
from lienthong.registries.base import registry as registries
from lienthong.registries.base.models import ImportJob
from lienthong.registries.enterprises.models import (
    BusinessLine,
    Enterprise,
    EnterpriseStatus,
    InvestmentProject,
    ProjectInvestor,
)
from lienthong.registries.enterprises.registry import ENTERPRISES, PROJECTS
from lienthong.registries.enterprises.testing import World, make_enterprise, make_world, tax_code

pytestmark = pytest.mark.django_db

HEADER = [
    "tax_code",
    "name",
    "enterprise_type",
    "representative_name",
    "address_street",
    "address_commune",
    "address_commune_legacy",
    "main_line",
    "other_lines",
    "charter_capital",
    "founded_on",
]


@pytest.fixture
def world() -> World:
    return make_world()


def _file(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path = tmp_path / "doanh-nghiep.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _row(code: str, name: str = "Công ty TNHH Nhựa Tân Hòa", **over: str) -> list[str]:
    values = {
        "tax_code": code,
        "name": name,
        "enterprise_type": "Công ty TNHH một thành viên",
        "representative_name": "Phạm Quốc Cường",
        "address_street": "Số 9 Lê Lợi",
        "address_commune": "",
        "address_commune_legacy": "25741",
        "main_line": "2220",
        "other_lines": "4669; 1702",
        "charter_capital": "1.500.000.000",
        "founded_on": "02/01/2020",
        **over,
    }
    return [values[k] for k in HEADER]


def _import(world: World, path: Path, *, valid_only: bool = False) -> ImportJob:
    return importing.import_file(
        registries.get(ENTERPRISES),
        path,
        owner=world.owner,
        by=world.official,
        valid_only=valid_only,
    )


def test_a_clean_file_imports_rows_lines_and_one_history_entry(
    world: World, tmp_path: Path
) -> None:
    codes = [tax_code() for _n in range(3)]
    path = _file(tmp_path, [_row(c, f"Công ty TNHH Nhựa số {i}") for i, c in enumerate(codes)])

    job = _import(world, path)

    assert (job.status, job.imported_rows, job.error_count) == ("imported", 3, 0)
    enterprise = Enterprise.objects.get(tax_code=codes[1])
    assert enterprise.owner == world.owner
    assert enterprise.import_job_id == job.pk
    assert (enterprise.address_commune, enterprise.address_commune_legacy) == ("25750", "25741")
    assert enterprise.charter_capital == 1_500_000_000
    assert enterprise.search_text == "cong ty tnhh nhua so 1"
    assert (enterprise.main_line, enterprise.other_lines) == ("2220", "4669;1702")
    assert sorted(enterprise.lines.values_list("code", "is_main")) == [
        ("1702", False),
        ("2220", True),
        ("4669", False),
    ]
    assert BusinessLine.objects.count() == 9
    assert AuditEntry.objects.filter(action="registry.enterprises.import").count() == 1
    assert OutboxEvent.objects.get(type="registry.enterprises.imported").data["rows"] == 3
    # The words are indexed: the new rows are found by a folded name search.
    assert list(Enterprise.objects.search("nhua so 2")) == [
        Enterprise.objects.get(tax_code=codes[2])
    ]


def test_a_file_with_errors_imports_nothing_and_reports_each_row(
    world: World, tmp_path: Path
) -> None:
    existing = make_enterprise(world.owner)
    good = tax_code()
    path = _file(
        tmp_path,
        [
            _row(good),
            _row("0100233480"),  # wrong check digit
            _row(tax_code(), main_line="4639"),  # unknown VSIC class
            _row(tax_code(), address_commune_legacy="99999"),  # unknown commune
            _row(existing.tax_code),  # already in the registry
            _row(good),  # twice in the file
            _row(tax_code(), enterprise_type="Công ty ma"),
        ],
    )
    before = (
        Enterprise.all_objects.count(),
        BusinessLine.objects.count(),
        AuditEntry.objects.count(),
    )

    job = _import(world, path)

    assert job.status == ImportJob.Status.REJECTED
    assert (job.total_rows, job.error_count, job.valid_rows) == (7, 6, 1)
    report = {(e["row"], e["column"]) for e in job.errors}
    assert report == {
        (3, "Mã số doanh nghiệp"),
        (4, "Ngành chính (VSIC)"),
        (5, "Trụ sở: mã xã mới"),
        (6, "Mã số doanh nghiệp"),
        (7, "Mã số doanh nghiệp"),
        (8, "Loại hình"),
    }
    assert any("sai chữ số kiểm tra" in e["message"] for e in job.errors)
    assert (
        Enterprise.all_objects.count(),
        BusinessLine.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    assert not OutboxEvent.objects.filter(type="registry.enterprises.imported").exists()
    csv_report = importing.error_report_csv(job)
    assert csv_report.splitlines()[0] == "Dòng,Cột,Lỗi"

    # The user chooses to import the valid rows: only the first one goes in.
    path2 = _file(tmp_path, [_row(good), _row("0100233480")])
    job2 = _import(world, path2, valid_only=True)
    assert (job2.status, job2.imported_rows, job2.error_count) == ("imported", 1, 1)
    assert Enterprise.objects.filter(tax_code=good).exists()
    assert BusinessLine.objects.filter(enterprise__tax_code=good).count() == 3


def test_only_the_owner_agencys_officials_import(world: World, tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    path = _file(tmp_path, [_row(tax_code())])
    for user in (world.reader, world.other_official, world.citizen):
        with pytest.raises(PermissionDenied):
            importing.import_file(registries.get(ENTERPRISES), path, owner=world.owner, by=user)
    assert not Enterprise.all_objects.exists()
    assert not ImportJob.objects.exists()


def test_export_reads_back_as_an_import(world: World, tmp_path: Path) -> None:
    first = make_enterprise(world.owner, lines=("4632", "4633", "1079"))
    make_enterprise(world.owner, name="Hợp tác xã Nông sản Tân Hòa", lines=("4620",))
    rows = list(
        exporting.export_rows(registries.get(ENTERPRISES), Enterprise.objects.order_by("pk"))
    )
    assert rows[0][0] == "Mã số doanh nghiệp"
    exported = dict(zip(rows[0], rows[1], strict=True))
    assert exported["Mã số doanh nghiệp"] == first.tax_code
    assert exported["Loại hình"] == "Công ty TNHH một thành viên"
    assert exported["Ngành chính (VSIC)"] == "4632"
    assert exported["Ngành khác (VSIC)"] == "4633;1079"
    assert exported["Tình trạng"] == "Đang hoạt động"

    # Into another database (here: after deleting them) the same file goes back in.
    path = tmp_path / "xuat.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        exporting.write_csv(iter(rows), handle)
    Enterprise.all_objects.all().delete()
    job = _import(world, path)
    assert (job.status, job.imported_rows) == ("imported", 2), job.errors
    again = Enterprise.objects.get(tax_code=first.tax_code)
    assert (again.main_line, again.other_lines, again.status) == (
        "4632",
        "4633;1079",
        EnterpriseStatus.ACTIVE,
    )


def test_projects_import_with_investors(world: World, tmp_path: Path) -> None:
    investor = make_enterprise(world.owner, name="Công ty Cổ phần Gỗ Đức Thành")
    path = tmp_path / "du-an.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Mã số dự án",
                "Tên dự án",
                "Mục tiêu",
                "Nhà đầu tư",
                "Vốn đầu tư (đồng)",
                "Địa điểm: mã xã cũ",
                "Diện tích đất (m²)",
                "Ngày cấp lần đầu",
            ]
        )
        writer.writerow(
            [
                "7400000101",
                "Nhà máy chế biến gỗ Đức Thành",
                "Chế biến gỗ xuất khẩu",
                f"{investor.tax_code}; Nguyễn Thị Minh (074185001111)",
                "80.000.000.000",
                "25753",
                "12.500,5",
                "15/08/2021",
            ]
        )
        writer.writerow(
            ["7400000102", "Dự án lỗi", "Mục tiêu", "0100233488", "1", "", "", "15/08/2021"]
        )
        writer.writerow(["7400000103", "Dự án lỗi", "Mục tiêu", "A (1)", "1", "", "", "32/13/2021"])
    job = importing.import_file(
        registries.get(PROJECTS), path, owner=world.owner, by=world.official, valid_only=True
    )
    assert (job.imported_rows, job.error_count) == (1, 2), job.errors
    assert "0100233488 chưa có trong cơ sở dữ liệu" in job.errors[0]["message"]
    assert {e["column"] for e in job.errors} == {"Nhà đầu tư", "Ngày cấp lần đầu"}
    project = InvestmentProject.objects.get(code="7400000101")
    assert str(project.land_area) == "12500.50"
    assert project.location_commune == "25747"
    assert list(
        ProjectInvestor.objects.filter(project=project).values_list(
            "order", "kind", "enterprise", "identifier"
        )
    ) == [
        (1, "organisation", investor.pk, investor.tax_code),
        (2, "person", None, "074185001111"),
    ]
    assert project.investor_names == (
        f"Công ty Cổ phần Gỗ Đức Thành ({investor.tax_code}); Nguyễn Thị Minh (074185001111)"
    )
    assert list(InvestmentProject.objects.search("duc thanh")) == [project]
