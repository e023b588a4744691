"""CSV/XLSX import of job seekers and vacancies: all or nothing, valid rows on request, the
row-level report, legacy communes converted; export reads back."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import exporting, importing
from lienthong.registries.base import registry as registries
from lienthong.registries.base.models import ImportJob
from lienthong.registries.labour.models import Education, JobSeeker, Sex, Vacancy
from lienthong.registries.labour.testing import TAX_CODE, LabourWorld, make_seeker, personal_id_for

SEEKER_HEADER = [
    "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã, phường (mới)",
    "Mã xã, phường (cũ)", "Mã nghề mong muốn", "Mã kỹ năng", "Trình độ chuyên môn",
    "Số năm kinh nghiệm", "Lương mong muốn",
]  # fmt: skip


def pid(year: int, sex: str) -> str:
    return personal_id_for(datetime.date(year, 1, 1), sex)


def write_csv(path: Path, rows: list[list[str]], header: list[str] = SEEKER_HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def good_rows() -> list[list[str]]:
    return [
        [pid(1990, "male"), "Phạm Văn Đức", "01/02/1990", "Nam", "25747", "", "7212, 7233",
         "han-dien, doc-ban-ve", "Trung cấp", "5", "12.000.000"],
        [pid(2001, "female"), "Võ Thị Lan", "2001-03-04", "nữ", "", "25741", "8153",
         "may-cong-nghiep", "so cap", "2", "8000000"],
    ]  # fmt: skip


def _import(
    world: LabourWorld, path: Path, *, valid_only: bool = False, key: str = "labour"
) -> ImportJob:
    return importing.import_file(
        registries.get(key), path, owner=world.centre, by=world.official, valid_only=valid_only
    )


def test_a_good_file_is_imported(world: LabourWorld, tmp_path: Path) -> None:
    job = _import(world, write_csv(tmp_path / "a.csv", good_rows()))
    assert job.status == ImportJob.Status.IMPORTED and job.imported_rows == 2
    duc, lan = JobSeeker.objects.order_by("birth_date")
    assert (duc.occupation_codes, duc.occupation_groups) == (" 7212 7233 ", " 72 ")
    assert (duc.education, duc.desired_wage, duc.province_code) == (
        Education.INTERMEDIATE,
        12_000_000,
        "79",
    )
    assert (lan.commune, lan.legacy_commune, lan.sex) == ("25747", "25741", Sex.FEMALE)
    assert lan.search_text == "vo thi lan" and lan.import_job_id == job.pk
    assert JobSeeker.objects.search("vo thi").get() == lan
    # Imported rows skip `save`: the import indexes them for matching all the same.
    from lienthong.registries.labour import matching
    from lienthong.registries.labour.testing import make_vacancy

    sewing = make_vacancy(world.centre, occupation_code="8153")
    assert [m.record for m in matching.rank_seekers(sewing, world.official)] == [lan]
    assert OutboxEvent.objects.filter(type="registry.labour.imported").count() == 1


def test_a_file_with_errors_imports_nothing(world: LabourWorld, tmp_path: Path) -> None:
    existing = make_seeker(world.centre)
    rows = [
        *good_rows(),
        [existing.personal_id, "Trùng", "12/03/1995", "Nam", "25747", "", "7212", "", "", "", ""],
        [pid(1985, "male"), "Sai mã", "01/01/1985", "Nam", "99999", "", "7212, 0000",
         "bay-luon", "", "x", "nhiều"],
    ]  # fmt: skip
    events = OutboxEvent.objects.count()
    job = _import(world, write_csv(tmp_path / "b.csv", rows))

    assert job.status == ImportJob.Status.REJECTED
    assert list(JobSeeker.objects.values_list("pk", flat=True)) == [existing.pk]
    assert OutboxEvent.objects.count() == events
    report = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert (
        report[(4, "Số định danh cá nhân")]
        == f"“{existing.personal_id}” đã có trong cơ sở dữ liệu."
    )
    assert report[(5, "Mã nghề mong muốn")] == (
        "Mã nghề không có trong danh mục nghề nghiệp (VSCO cấp 4): 0000."
    )
    assert report[(5, "Mã kỹ năng")] == "Mã kỹ năng không có trong danh mục: bay-luon."
    assert report[(5, "Số năm kinh nghiệm")] == "“x” không phải số nguyên."
    assert report[(5, "Lương mong muốn")] == "“nhiều” không phải số tiền (đồng)."
    assert job.valid_rows == 2 and job.error_count == 5


def test_valid_rows_only_on_request(world: LabourWorld, tmp_path: Path) -> None:
    rows = [
        *good_rows(),
        [pid(1985, "male"), "Sai xã", "01/01/1985", "Nam", "99999", "", "7212", "", "", "", ""],
    ]
    job = _import(world, write_csv(tmp_path / "c.csv", rows), valid_only=True)
    assert job.status == ImportJob.Status.IMPORTED and job.imported_rows == 2
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "Mã xã, phường (mới)")]
    assert JobSeeker.objects.count() == 2


def test_vacancies_from_xlsx_and_export_round_trip(world: LabourWorld, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Mã số thuế", "Tên doanh nghiệp", "Vị trí tuyển dụng", "Mã nghề",
                  "Mã kỹ năng yêu cầu", "Mã xã, phường (mới)", "Số lượng", "Lương từ",
                  "Lương đến", "Hạn nộp hồ sơ"])  # fmt: skip
    sheet.append([TAX_CODE, "Công ty TNHH Cơ khí Bình Minh", "Thợ hàn TIG", "7212", "han-tig",
                  25747, 5, 9000000, 14000000, datetime.datetime(2030, 1, 31)])  # fmt: skip
    path = tmp_path / "v.xlsx"
    workbook.save(path)
    job = _import(world, path, key="labour_vacancy")
    assert job.status == ImportJob.Status.IMPORTED, job.errors
    vacancy = Vacancy.objects.get()
    assert (vacancy.occupation_group, vacancy.skills, vacancy.deadline) == (
        "72",
        ["han-tig"],
        datetime.date(2030, 1, 31),
    )
    rows = list(exporting.export_rows(registries.get("labour_vacancy"), Vacancy.objects.all()))
    assert rows[0][:4] == ["Mã số thuế", "Tên doanh nghiệp", "Vị trí tuyển dụng", "Mã nghề"]
    assert rows[1][3:5] == ["7212", "han-tig"]
    # The export imports back (as another employer's copy would).
    out = tmp_path / "again.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    again = _import(world, out, key="labour_vacancy")
    assert again.status == ImportJob.Status.IMPORTED, again.errors
    assert Vacancy.objects.count() == 2


def test_import_needs_the_registry_role(world: LabourWorld, tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        importing.import_file(
            registries.get("labour"),
            write_csv(tmp_path / "d.csv", good_rows()),
            owner=world.centre,
            by=world.outsider,
        )
    assert not JobSeeker.objects.exists()
    assert not ImportJob.objects.exists()
