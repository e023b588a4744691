"""Budget import: codes checked row by row, a bad file changes nothing, valid rows on request."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import importing
from lienthong.registries.base import registry as registries
from lienthong.registries.base.models import ImportJob
from lienthong.registries.budget.models import BudgetLine, Kind, Stage
from lienthong.registries.budget.testing import BudgetWorld, make_line

HEADER = ["Mã đơn vị", "Năm", "Kỳ", "Thu/chi", "Dự toán/thực hiện", "Mã chương",
          "Mã mục", "Mã tiểu mục", "Số tiền", "Diễn giải"]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def good_rows(world: BudgetWorld) -> list[list[str]]:
    h, hosp = world.health.code or "", world.hospital.code or ""
    return [
        [h, "2025", "Q1", "Chi", "Dự toán", "423", "", "6001", "300.000.000", "Lương quý 1"],
        [h, "2025", "M01", "chi", "thuc hien", "423", "6000", "6001", "100000000", ""],
        [hosp, "2025", "Tháng 2", "Chi", "Thực hiện", "423", "", "6501", "1,234,567", "Điện"],
        [h, "2025", "Y", "Thu", "Dự toán", "423", "4900", "4949", "-5.000", "Giảm thu"],
    ]


def _import(world: BudgetWorld, path: Path, **kwargs: object) -> ImportJob:
    by = kwargs.pop("by", world.health_official)
    owner = kwargs.pop("owner", world.health)
    return importing.import_file(registries.get("budget"), path, owner=owner, by=by, **kwargs)  # type: ignore[arg-type]


def test_a_good_file_is_imported(world: BudgetWorld, tmp_path: Path) -> None:
    job = _import(world, write_csv(tmp_path / "a.csv", good_rows(world)))
    assert job.status == ImportJob.Status.IMPORTED, job.errors
    assert job.imported_rows == 4
    lines = {(line.period, line.sub_item_code): line for line in BudgetLine.objects.all()}
    salary = lines[("Q1", "6001")]
    assert (salary.item_code, salary.month_from, salary.month_to, salary.amount) == (
        "6000",
        1,
        3,
        300_000_000,
    )
    assert lines[("M02", "6501")].agency == world.hospital
    assert lines[("M02", "6501")].amount == 1_234_567
    assert lines[("Y", "4949")].amount == -5000 and lines[("Y", "4949")].kind == Kind.REVENUE
    assert lines[("M01", "6001")].stage == Stage.ACTUAL
    assert {line.owner_id for line in lines.values()} == {world.health.pk}
    assert OutboxEvent.objects.filter(type="registry.budget.imported").count() == 1


def test_unknown_codes_are_row_errors_and_nothing_is_written(
    world: BudgetWorld, tmp_path: Path
) -> None:
    make_line(world.health, period="Q1", stage=Stage.PLAN, sub_item_code="6001")
    h = world.health.code or ""
    rows = [
        *good_rows(world)[1:],
        [h, "2025", "Q1", "Chi", "Dự toán", "423", "", "6001", "1", ""],  # already in the table
        [h, "2025", "M03", "Chi", "Thực hiện", "999", "", "6002", "5", ""],
        [h, "2025", "M03", "Thu", "Thực hiện", "423", "", "6001", "5", ""],
        [h, "2025", "M13", "Chi", "Thực hiện", "423", "", "6001", "1,5", ""],
        ["000.99.99.H99", "1999", "M03", "Chi", "Thực hiện", "423", "6100", "6001", "5", ""],
        [h, "2025", "M01", "Chi", "Thực hiện", "423", "", "6001", "7", ""],  # twice in the file
    ]
    before = list(BudgetLine.objects.values_list("pk", flat=True))
    events = OutboxEvent.objects.count()
    job = _import(world, write_csv(tmp_path / "b.csv", rows))

    assert job.status == ImportJob.Status.REJECTED
    assert list(BudgetLine.objects.values_list("pk", flat=True)) == before
    assert OutboxEvent.objects.count() == events
    report = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert report[(5, "Số tiền")].startswith("Đã có số liệu cho ô này")
    assert report[(6, "Mã chương")] == "Mã chương “999” không có trong mục lục ngân sách."
    assert report[(6, "Mã tiểu mục")] == "Mã tiểu mục “6002” không có trong mục lục ngân sách."
    assert report[(7, "Mã mục")] == "Mục 6000 là mục chi, không phải thu."
    assert report[(8, "Kỳ")].startswith("“M13” không phải một trong:")
    assert report[(8, "Số tiền")] == "Số tiền “1,5” phải là số nguyên đồng."
    assert report[(9, "Mã đơn vị")] == "Không có cơ quan mã “000.99.99.H99”."
    assert report[(9, "Năm")] == "Năm “1999” không hợp lệ."
    assert report[(10, "Số tiền")] == "Trùng với một dòng phía trên của tệp."
    assert job.valid_rows == 3


def test_valid_rows_only_on_request(world: BudgetWorld, tmp_path: Path) -> None:
    rows = [
        *good_rows(world),
        [world.health.code or "", "2025", "M03", "Chi", "Thực hiện", "999", "", "6001", "5", ""],
    ]
    job = _import(world, write_csv(tmp_path / "c.csv", rows), valid_only=True)
    assert job.status == ImportJob.Status.IMPORTED and job.imported_rows == 4
    assert [(e["row"], e["column"]) for e in job.errors] == [(6, "Mã chương")]


def test_lines_of_another_agency_need_the_finance_department(
    world: BudgetWorld, tmp_path: Path
) -> None:
    other = world.other.code or ""
    rows = [[other, "2025", "Y", "Chi", "Dự toán", "414", "", "6001", "10", ""]]
    refused = _import(world, write_csv(tmp_path / "d.csv", rows))
    assert refused.status == ImportJob.Status.REJECTED
    assert refused.errors[0]["column"] == "Mã đơn vị"
    accepted = _import(
        world, write_csv(tmp_path / "e.csv", rows), by=world.finance_official, owner=world.finance
    )
    assert accepted.status == ImportJob.Status.IMPORTED
    line = BudgetLine.objects.get()
    assert (line.agency, line.owner) == (world.other, world.finance)


def test_xlsx_numbers_and_codes_typed_as_numbers(world: BudgetWorld, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(
        [world.health.code, 2025, "Q2", "Chi", "Dự toán", 423, None, 6301, 45_000_000, None]
    )
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    job = _import(world, path)
    assert job.status == ImportJob.Status.IMPORTED, job.errors
    assert BudgetLine.objects.get().amount == 45_000_000


def test_import_needs_the_registry_role(world: BudgetWorld, tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _import(world, write_csv(tmp_path / "g.csv", good_rows(world)), by=world.health_leader)
    assert not BudgetLine.objects.exists()
