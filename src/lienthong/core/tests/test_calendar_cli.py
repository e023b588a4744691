"""`lienthong calendar …` on the command line: output, Vietnamese errors, exit status."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from lienthong.core.calendar import invalidate_cache
from lienthong.core.models import Holiday, WorkingSaturday

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    invalidate_cache()
    yield
    invalidate_cache()


def run(*args: str) -> tuple[int, str, str]:
    """Run the command in-process: (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("calendar", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_due_working_days_prints_the_date() -> None:
    assert run("due", "--from", "2023-10-27T09:32", "--working-days", "5") == (
        0,
        "2023-11-03\n",
        "",
    )


def test_due_hours_prints_the_moment_with_offset() -> None:
    assert run("due", "--from", "2023-10-27T09:32", "--hours", "8") == (
        0,
        "2023-10-30T09:32:00+07:00\n",
        "",
    )
    assert run("due", "--from", "27/10/2023 09:32", "--hours", "1.5")[1] == (
        "2023-10-27T11:02:00+07:00\n"
    )


def test_due_plain_days() -> None:
    assert run("due", "--from", "2023-10-27T09:32", "--days", "30")[1] == "2023-11-27\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "27-10-2023 9h32", "--working-days", "5"],
            "Lỗi: --from: Thời điểm “27-10-2023 9h32” không hợp lệ. Hãy nhập theo dạng "
            "2023-10-27T09:32 (giờ Việt Nam) hoặc 27/10/2023 09:32.\n",
        ),
        (["--working-days", "5"], "Lỗi: --from: Chưa nhập thời điểm.\n"),
        (
            ["--from", "2023-10-27T09:32", "--working-days", "-1"],
            "Lỗi: --working-days: Số ngày làm việc không được âm.\n",
        ),
        (
            ["--from", "2023-10-27T09:32", "--working-days", "năm"],
            "Lỗi: --working-days: Số ngày làm việc phải là một số nguyên.\n",
        ),
        (
            ["--from", "2023-10-27T09:32", "--hours", "-2"],
            "Lỗi: --hours: Số giờ làm việc không được âm.\n",
        ),
        (
            ["--from", "2023-10-27T09:32", "--working-days", "5", "--hours", "8"],
            "Lỗi: Nhập đúng một trong ba: số ngày làm việc, số ngày theo lịch hoặc số giờ làm "
            "việc. (--working-days, --days, --hours)\n",
        ),
        (
            ["--from", "2023-10-27T09:32"],
            "Lỗi: Nhập đúng một trong ba: số ngày làm việc, số ngày theo lịch hoặc số giờ làm "
            "việc. (--working-days, --days, --hours)\n",
        ),
        (
            ["--from", "1890-01-01T09:00", "--working-days", "5"],
            "Lỗi: --from: Thời điểm phải trong khoảng năm 1995–2100.\n",
        ),
    ],
)
def test_due_bad_input_exits_2_with_a_vietnamese_message(args: list[str], message: str) -> None:
    assert run("due", *args) == (2, "", message)


def test_count_prints_working_days() -> None:
    assert run("count", "--from", "2023-10-27T09:32", "--to", "2023-11-03") == (0, "5\n", "")
    assert run("count", "--from", "2024-02-07", "--to", "2024-02-15")[1] == "1\n"


def test_count_bad_input() -> None:
    assert run("count", "--from", "2023-10-27T09:32") == (
        2,
        "",
        "Lỗi: --to: Chưa nhập thời điểm.\n",
    )


def test_list_prints_the_year() -> None:
    status, out, err = run("list", "--year", "2024")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Ngày nghỉ năm 2024 ({Holiday.objects.filter(date__year=2024).count()}):"
    assert "  2024-02-08  Thứ Năm   29 Tết  [Thông báo lịch nghỉ Tết Nguyên Đán 2024" in out
    assert lines[-2] == "Ngày làm bù năm 2024 (1):"
    assert lines[-1].startswith("  2024-05-04  Thứ Bảy   Làm bù cho ngày nghỉ 29/04/2024  [")


def test_list_marks_unconfirmed_rows() -> None:
    out = run("list", "--year", "2025")[1]
    assert "  2025-02-08  Thứ Bảy   Làm bù ngày nghỉ Tết Nguyên Đán 2025 (chưa xác nhận)" in out


def test_list_of_a_year_without_data_says_how_to_seed() -> None:
    assert run("list", "--year", "2090") == (
        0,
        "Năm 2090 chưa có dữ liệu ngày nghỉ. Hãy chạy "
        "`lienthong calendar seed --from-year 2090 --to-year 2090`.\n",
        "",
    )


def test_list_bad_year() -> None:
    assert run("list", "--year", "hai nghìn") == (
        2,
        "",
        "Lỗi: --year: Năm phải là một số nguyên, ví dụ 2025.\n",
    )
    assert run("list")[0] == 2


def test_seed_is_idempotent_and_reports() -> None:
    # Given a 2024 calendar missing one day
    Holiday.objects.filter(date=date(2024, 2, 8)).delete()
    kept = (
        Holiday.objects.filter(date__year=2024).count()
        + WorkingSaturday.objects.filter(date__year=2024).count()
    )
    # When it is seeded, Then the missing day is back and the rest is kept
    assert run("seed", "--from-year", "2024", "--to-year", "2024") == (
        0,
        f"Lịch năm 2024: thêm 1 ngày nghỉ và 0 ngày làm bù; giữ nguyên {kept} ngày đã có; "
        "không tạo lại 0 ngày quản trị viên đã xoá.\n",
        "",
    )
    assert Holiday.objects.get(date=date(2024, 2, 8)).name == "29 Tết"
    # And seeding again adds nothing
    assert run("seed", "--from-year", "2024", "--to-year", "2024") == (
        0,
        f"Lịch năm 2024: thêm 0 ngày nghỉ và 0 ngày làm bù; giữ nguyên {kept + 1} ngày đã có; "
        "không tạo lại 0 ngày quản trị viên đã xoá.\n",
        "",
    )


def test_seed_bad_years_exit_2_and_write_nothing() -> None:
    Holiday.objects.filter(date__year=2024).delete()
    assert run("seed", "--from-year", "2025", "--to-year", "2024") == (
        2,
        "",
        "Lỗi: Năm bắt đầu phải không lớn hơn năm kết thúc.\n",
    )
    assert run("seed", "--from-year", "x")[0] == 2
    assert not Holiday.objects.filter(date__year=2024).exists()


def test_real_process_exit_status_and_stderr(clean_env: dict[str, str]) -> None:
    # The console script as a person runs it: bad input is refused before any database work.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lienthong.cli",
            "calendar",
            "due",
            "--from",
            "hôm qua",
            "--working-days",
            "5",
        ],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.endswith(
        "Lỗi: --from: Thời điểm “hôm qua” không hợp lệ. Hãy nhập theo dạng 2023-10-27T09:32 "
        "(giờ Việt Nam) hoặc 27/10/2023 09:32.\n"
    )
