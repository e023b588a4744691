"""`lienthong legal load|search|refresh-status|reindex`: summaries, one hit per line starting
with the number, Vietnamese errors with exit statuses; and once end to end in a subprocess."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from lienthong.core.models import OrgUnit
from lienthong.registries.legal.models import LegalDocument
from lienthong.registries.legal.tests.conftest import COMPLAINTS, CORPUS, copy_corpus

LIENTHONG = [sys.executable, "-m", "lienthong.cli"]


def legal(*args: str) -> tuple[str, str, int]:
    """Run `lienthong legal …` in-process: (stdout, stderr, exit status)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("legal", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return out.getvalue(), err.getvalue(), int(exc.code or 0)
    return out.getvalue(), err.getvalue(), 0


@pytest.mark.django_db
def test_load_prints_a_summary_and_a_second_run_changes_nothing(
    tmp_path: Path, owner: OrgUnit
) -> None:
    folder = copy_corpus(tmp_path / "c", COMPLAINTS)
    out, _err, status = legal("load", str(folder), "--owner", owner.code or "")
    assert status == 0
    assert out.startswith(
        "5 tệp: thêm 5, cập nhật 0, không đổi 0, bỏ qua 0 văn bản đã xóa, 0 tệp lỗi."
    )
    assert LegalDocument.objects.filter(owner=owner).count() == 5
    out, _err, status = legal("load", str(folder))
    assert (out.strip(), status) == (
        "5 tệp: thêm 0, cập nhật 0, không đổi 5, bỏ qua 0 văn bản đã xóa, 0 tệp lỗi.",
        0,
    )


@pytest.mark.django_db
def test_load_names_the_bad_file_and_loads_nothing_unless_asked(tmp_path: Path) -> None:
    folder = copy_corpus(tmp_path / "c", ["02-2011-qh13"])
    (folder / "zz-bad.md").write_text('---\nnumber: "1/2020/QH14"\n---\n', encoding="utf-8")
    out, err, status = legal("load", str(folder))
    assert status == 1 and out == ""
    assert "Lỗi: zz-bad.md: thiếu type, issuer, title." in err
    assert "Không nạp văn bản nào vì có 1 tệp lỗi" in err
    assert not LegalDocument.objects.exists()
    out, err, status = legal("load", str(folder), "--skip-invalid")
    assert status == 1 and "thêm 1" in out and "zz-bad.md" in err
    assert LegalDocument.objects.get().number == "02/2011/QH13"


@pytest.mark.django_db
def test_load_refuses_a_missing_folder_or_owner(tmp_path: Path) -> None:
    _out, err, status = legal("load", str(tmp_path / "nowhere"))
    assert status == 2 and "Không có thư mục" in err
    _out, err, status = legal("load", str(tmp_path), "--owner", "000.99.99.H99")
    assert status == 2 and "Không có cơ quan, đơn vị “000.99.99.H99”." in err


@pytest.mark.django_db
def test_search_prints_one_hit_per_line_beginning_with_the_number(
    complaints: dict[str, LegalDocument],
) -> None:
    out, err, status = legal("search", "khieu nai", "--limit", "3")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 3
    assert lines[0] == "02/2011/QH13 Luật Khiếu nại"
    assert all(line.split(" ", 1)[0] in {d.number for d in complaints.values()} for line in lines)
    assert err.startswith("3/")
    assert legal("search", "khiếu nại", "--limit", "3")[0] == out
    assert legal("search", "25/2018/QH14")[0].splitlines()[0] == "25/2018/QH14 Luật Tố cáo"
    decrees = legal("search", "khieu nai", "--type", "decree")[0].splitlines()
    assert decrees and all("NĐ-CP" in line.split(" ", 1)[0] for line in decrees)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["!!!"], "Hãy nhập từ khóa tìm kiếm (chữ hoặc số)."),
        (["luat", "--limit", "0"], "Số kết quả ít nhất là 1."),
        (["luat", "--type", "memo"], "Loại văn bản “memo” không có trong danh mục."),
        (["luat", "--year", "hai nghìn"], "Năm ban hành phải là số"),
    ],
)
def test_search_explains_bad_input_with_status_2(args: list[str], message: str) -> None:
    out, err, status = legal("search", *args)
    assert status == 2 and out == "" and message in err


@pytest.mark.django_db
def test_refresh_status_and_reindex(complaints: dict[str, LegalDocument]) -> None:
    out, _err, status = legal("refresh-status")
    assert status == 0 and out.startswith("Tình trạng hiệu lực thay đổi ở 0 văn bản.")
    out, _err, status = legal("reindex")
    assert (out.strip(), status) == ("Đã dựng lại chỉ mục cho 5 văn bản.", 0)
    assert legal("search", "khieu nai", "--limit", "1")[0] == "02/2011/QH13 Luật Khiếu nại\n"


def test_the_command_end_to_end(leg_env: dict[str, str], tmp_path: Path) -> None:
    """The installed command, in its own process and database: migrate, load, load, search."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*LIENTHONG, *args], env=leg_env, capture_output=True, text=True, timeout=300
        )

    assert run("migrate", "--noinput", "-v", "0").returncode == 0
    folder = copy_corpus(tmp_path / "corpus", ["02-2011-qh13", "42-2013-qh13", "25-2018-qh14"])
    first = run("legal", "load", str(folder))
    assert first.returncode == 0, first.stderr
    assert "thêm 3" in first.stdout
    second = run("legal", "load", str(folder))
    assert "không đổi 3" in second.stdout and "thêm 0" in second.stdout
    plain = run("legal", "search", "khieu nai", "--limit", "5")
    marked = run("legal", "search", "khiếu nại", "--limit", "5")
    assert plain.returncode == 0 and plain.stdout == marked.stdout
    assert plain.stdout.splitlines()[0] == "02/2011/QH13 Luật Khiếu nại"
    number = run("legal", "search", "02/2011/QH13", "--limit", "1")
    assert number.stdout == "02/2011/QH13 Luật Khiếu nại\n"
    assert CORPUS.is_dir()
