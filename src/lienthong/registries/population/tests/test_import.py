"""CSV/XLSX import into the population registry: all or nothing, valid rows only on request,
the row-level report, households, legacy addresses; export and the command line."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import importing
from lienthong.registries.base import registry as registries
from lienthong.registries.base.models import ImportJob
from lienthong.registries.population.models import Household, Person, Sex
from lienthong.registries.population.testing import World, make_person, make_world, personal_id_for

pytestmark = pytest.mark.django_db

HEADER = [
    "Số định danh cá nhân",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Thường trú: mã xã mới",
    "Thường trú: mã xã cũ",
    "Số hộ",
    "Quan hệ với chủ hộ",
]


@pytest.fixture
def world() -> World:
    return make_world()


def pid(year: int, sex: str, serial: int) -> str:
    return personal_id_for(datetime.date(year, 1, 1), sex, serial)


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


GOOD = [
    [
        pid(1980, "male", 1),
        "Nguyễn Văn Hùng",
        "01/02/1980",
        "Nam",
        "Kinh",
        "25747",
        "",
        "HK-1",
        "Chủ hộ",
    ],
    [
        pid(1982, "female", 2),
        "Lê Thị Hoa",
        "1982-03-04",
        "nữ",
        "01",
        "",
        "25753",
        "HK-1",
        "vo/chong",
    ],
    [
        pid(2010, "male", 3),
        "Nguyễn Văn Nam",
        "05/06/2010",
        "NAM",
        "Tày",
        "25747",
        "",
        "HK-1",
        "Con",
    ],
]


def import_(world: World, path: Path, *, valid_only: bool = False) -> ImportJob:
    return importing.import_file(
        registries.get("population"),
        path,
        owner=world.owner,
        by=world.official,
        valid_only=valid_only,
    )


def bad_file(tmp_path: Path) -> Path:
    rows = [
        *GOOD,
        # Row 5: the ID says born 1990, the date says 1991; row 6: duplicate of row 2.
        [pid(1990, "male", 4), "Trần Văn Lộc", "01/01/1991", "Nam", "Kinh", "25747", "", "", ""],
        [GOOD[0][0], "Người Trùng", "01/02/1980", "Nam", "Kinh", "25747", "", "", ""],
        # Row 7: bad date, unknown sex, unknown ethnicity, unknown commune.
        [
            pid(1975, "female", 5),
            "Phạm Thị Mai",
            "31/02/1975",
            "khác",
            "Ả Rập",
            "99999",
            "",
            "",
            "",
        ],
    ]
    return write_csv(tmp_path / "dan-cu.csv", rows)


def test_a_file_with_errors_imports_nothing(world: World, tmp_path: Path) -> None:
    job = import_(world, bad_file(tmp_path))

    assert job.status == ImportJob.Status.REJECTED
    assert (job.total_rows, job.valid_rows, job.imported_rows) == (6, 3, 0)
    assert not Person.all_objects.exists()
    assert not Household.all_objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="registry.").exists()
    assert not OutboxEvent.objects.filter(type__startswith="registry.").exists()


def test_the_report_names_row_column_and_problem(world: World, tmp_path: Path) -> None:
    job = import_(world, bad_file(tmp_path))

    report = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "năm sinh 1990" in report[(5, "Số định danh cá nhân")]
    assert report[(6, "Số định danh cá nhân")] == f"“{GOOD[0][0]}” trùng với dòng 2 của tệp."
    assert "31/02/1975" in report[(7, "Ngày sinh")]
    assert "Nam, Nữ" in report[(7, "Giới tính")]
    assert "Ả Rập" in report[(7, "Dân tộc")]
    assert job.error_count == 5
    assert [e["row"] for e in job.errors] == sorted(e["row"] for e in job.errors)
    assert importing.error_report_csv(job).splitlines()[0] == "Dòng,Cột,Lỗi"


def test_valid_only_imports_the_valid_rows(world: World, tmp_path: Path) -> None:
    job = import_(world, bad_file(tmp_path), valid_only=True)

    assert job.status == ImportJob.Status.IMPORTED
    assert job.imported_rows == 3
    assert job.error_count == 5  # the report still says what was left out
    people = {p.full_name: p for p in Person.objects.all()}
    assert set(people) == {"Nguyễn Văn Hùng", "Lê Thị Hoa", "Nguyễn Văn Nam"}
    hoa = people["Lê Thị Hoa"]
    assert (hoa.permanent_commune, hoa.permanent_commune_legacy) == ("25747", "25753")
    assert hoa.sex == Sex.FEMALE and hoa.relation_to_head == "spouse"
    assert people["Nguyễn Văn Nam"].ethnicity == "02"
    assert hoa.search_text == "le thi hoa" and hoa.import_job == job and hoa.owner == world.owner
    household = Household.objects.get(code="HK-1")
    assert household.head == people["Nguyễn Văn Hùng"]
    assert set(household.members.all()) == set(people.values())
    assert Person.objects.search("le thi hoa").get() == hoa
    assert Household.objects.search("hk 1").get() == household
    # The word index filled once at the end of the import; its triggers are back for the rest.
    later = make_person(world.owner, full_name="Đoàn Thị Điểm", sex=Sex.FEMALE)
    assert Person.objects.search("doan thi diem").get() == later
    entry = AuditEntry.objects.get(action="registry.population.import")
    assert entry.after is not None
    assert entry.after["rows"] == 3 and entry.after["valid_only"] is True
    event = OutboxEvent.objects.get(type="registry.population.imported")
    assert event.data["rows"] == 3


def test_ids_already_in_the_registry_are_errors(world: World, tmp_path: Path) -> None:
    make_person(
        world.owner, personal_id=GOOD[1][0], birth_date=datetime.date(1982, 3, 4), sex=Sex.FEMALE
    )

    job = import_(world, write_csv(tmp_path / "a.csv", GOOD))

    assert job.status == ImportJob.Status.REJECTED
    assert job.errors == [
        {
            "row": 3,
            "column": "Số định danh cá nhân",
            "message": f"“{GOOD[1][0]}” đã có trong cơ sở dữ liệu.",
        }
    ]
    assert Person.objects.count() == 1


def test_header_problems_are_reported_on_row_1(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", [["x"]], header=["Họ và tên", "Cột lạ", "Họ và tên"])

    job = import_(world, path, valid_only=True)

    assert job.status == ImportJob.Status.REJECTED
    messages = {(e["row"], e["column"], e["message"]) for e in job.errors}
    assert (1, "Cột lạ", "Cột “Cột lạ” không có trong mẫu nhập.") in messages
    assert (1, "Họ và tên", "Cột “Họ và tên” xuất hiện hai lần.") in messages
    assert (1, "Số định danh cá nhân", "Thiếu cột bắt buộc “Số định danh cá nhân”.") in messages
    assert not Person.all_objects.exists()


def test_xlsx_with_numbers_and_date_cells(world: World, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["personal_id", "full_name", "birth_date", "sex", "ethnicity", "permanent_address"]
    )
    # A spreadsheet keeps an ID typed as a number without its leading zero.
    number_id = pid(1995, "female", 42)
    sheet.append(
        [
            int(number_id),
            "Võ Thị Sáu",
            datetime.datetime(1995, 7, 1),
            "Nữ",
            "Kinh",
            "12 Bạch Đằng, Phường Phú Cường, Thành phố Thủ Dầu Một, Tỉnh Bình Dương",
        ]
    )
    path = tmp_path / "dan-cu.xlsx"
    workbook.save(path)

    job = import_(world, path)

    assert job.status == ImportJob.Status.IMPORTED, job.errors
    person = Person.objects.get()
    assert person.personal_id == number_id
    assert person.birth_date == datetime.date(1995, 7, 1)
    assert (person.permanent_commune, person.permanent_commune_legacy) == ("25747", "25747")
    assert person.permanent_street == "12 Bạch Đằng"
    assert person.permanent_address_original.startswith("12 Bạch Đằng, Phường Phú Cường")


def test_export_reads_back_as_an_import(world: World, tmp_path: Path) -> None:
    import_(world, write_csv(tmp_path / "a.csv", GOOD))
    out = tmp_path / "out.csv"

    call_command("registry", "export", "population", "-o", str(out))

    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert rows[0][:3] == ["Số định danh cá nhân", "Họ và tên", "Ngày sinh"]
    assert len(rows) == 4
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[GOOD[1][0]][1:5] == ["Lê Thị Hoa", "04/03/1982", "Nữ", "Kinh"]
    Person.all_objects.all().delete()
    Household.all_objects.all().delete()
    job = import_(world, out)
    assert job.status == ImportJob.Status.IMPORTED, job.errors
    assert Person.objects.count() == 3


def test_xlsx_export(world: World, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    import_(world, write_csv(tmp_path / "a.csv", GOOD))
    out = tmp_path / "out.xlsx"
    call_command(
        "registry", "export", "population", "--format", "xlsx", "-o", str(out), "-q", "nguyen"
    )

    sheet = load_workbook(out, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert {r[1] for r in rows[1:]} == {"Nguyễn Văn Hùng", "Nguyễn Văn Nam"}


def test_command_line_import(world: World, tmp_path: Path) -> None:
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError, match="--valid-only"):
        call_command(
            "registry",
            "import",
            "population",
            str(bad_file(tmp_path)),
            "--owner",
            world.owner.code,
            stdout=out,
            stderr=err,
        )
    assert "Dòng 5, cột “Số định danh cá nhân”" in err.getvalue()
    assert not Person.all_objects.exists()

    call_command(
        "registry",
        "import",
        "population",
        str(bad_file(tmp_path)),
        "--owner",
        world.owner.code,
        "--valid-only",
        stdout=out,
        stderr=err,
    )
    assert "6 dòng, 3 hợp lệ, 5 lỗi; đã nhập 3 bản ghi" in out.getvalue()
    assert Person.objects.count() == 3
    # Run by the operator (no --by): the audit entry says so.
    assert AuditEntry.objects.get(action="registry.population.import").actor_repr == (
        "lienthong registry import"
    )


def test_command_line_refuses_a_user_without_the_right(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", GOOD)
    with pytest.raises(CommandError, match="không có quyền"):
        call_command(
            "registry",
            "import",
            "population",
            str(path),
            "--owner",
            world.owner.code,
            "--by",
            world.reader.username,
        )
    assert not Person.all_objects.exists()


def test_an_import_leaves_the_word_index_complete_and_compact(world: World, tmp_path: Path) -> None:
    """SQLite: the FTS rows of the import are written at its end. PostgreSQL: the GIN index
    keeps a short pending list, and the import merges what it added (every search would
    read it in full until vacuum)."""
    from django.db import connection

    from lienthong.registries.base.fulltext import GIN_PENDING_LIST_KB, fts_table, gin_index

    import_(world, write_csv(tmp_path / "ok.csv", GOOD))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'SELECT count(*) FROM "{fts_table(Person)}"')
            assert cursor.fetchone()[0] == 3
            return
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [gin_index(Person)])
        assert cursor.fetchone()[0] == [f"gin_pending_list_limit={GIN_PENDING_LIST_KB}"]
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        cursor.execute(
            "SELECT pending_tuples FROM pgstatginindex(%s::regclass)", [gin_index(Person)]
        )
        assert cursor.fetchone()[0] == 0
    assert Person.objects.search("nguyen van").count() == 2
