"""`lienthong procedures`: load, import, export, list, show, and clear errors."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lienthong.onestop.models import Procedure
from lienthong.onestop.tests.test_catalogue_support import portal_record, real_record

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("procedures", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "procedures.json"
    records = [real_record("1.001193"), real_record("2.000693"), portal_record()]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_load_then_load_again(source: Path) -> None:
    out, _err = run("load", str(source))
    assert "3 thủ tục: thêm 3, cập nhật 0, không đổi 0." in out
    assert "Lĩnh vực mới: " in out

    out, _err = run("load", str(source))
    assert "3 thủ tục: thêm 0, cập nhật 0, không đổi 3." in out


def test_load_reports_each_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sai.json"
    records = [portal_record(), portal_record(code="1.000002", level=["Cấp thôn"])]
    path.write_text(json.dumps(records), encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("procedures", "load", str(path), stdout=StringIO(), stderr=err)

    assert str(caught.value) == "Không nhập: có 1 lỗi, chưa có gì được ghi."
    assert "Lỗi: dòng 2 (mã 1.000002): cấp thực hiện “Cấp thôn” không hợp lệ" in err.getvalue()
    assert Procedure.objects.count() == 0


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        run("import", str(tmp_path / "khong-co.json"))
    with pytest.raises(CommandError, match=re.escape("chỉ nhận tệp .json")):
        run("load", str(tmp_path / "danh-muc.xlsx"))


def test_export_and_import_both_formats(source: Path, tmp_path: Path) -> None:
    run("load", str(source))
    for name in ("danh-muc.json", "danh-muc.xlsx"):
        target = tmp_path / name
        out, _err = run("export", "-o", str(target))
        assert f"Đã xuất 3 thủ tục ra {target}." in out
        out, _err = run("import", str(target))
        assert "3 thủ tục: thêm 0, cập nhật 0, không đổi 3." in out
    assert (tmp_path / "danh-muc.xlsx").read_bytes()[:2] == b"PK"
    exported = json.loads((tmp_path / "danh-muc.json").read_text(encoding="utf-8"))
    assert exported["format"] == "lienthong.procedures"


def test_list_by_field_and_words(source: Path) -> None:
    run("load", str(source))

    out, _err = run("list", "--field", "ho tich")
    assert out.splitlines() == ["1.001193\tHộ tịch\tThủ tục đăng ký khai sinh", "1 thủ tục."]

    out, _err = run("list", "--q", "thai san")
    assert out.splitlines()[0].startswith("2.000693\tThực hiện chính sách BHXH")

    with pytest.raises(CommandError, match="Không có lĩnh vực"):
        run("list", "--field", "khong co")


def test_show_marks_what_the_source_did_not_give(source: Path) -> None:
    run("load", str(source))

    out, _err = run("show", "1.001193")

    lines = out.splitlines()
    assert lines[0] == "1.001193 — Thủ tục đăng ký khai sinh"
    assert "Cơ quan thực hiện: Nguồn không có thông tin" in lines
    assert "Thời hạn giải quyết: 1 (đơn vị: Nguồn không có thông tin)" in lines
    assert "Phí, lệ phí: Miễn phí" in lines
    assert lines[-1].startswith("Trang nguồn: https://dichvucong.gov.vn/")

    with pytest.raises(CommandError, match=re.escape("Không có thủ tục mã 9.999999.")):
        run("show", "9.999999")
