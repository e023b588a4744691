"""`lienthong search query|stats|rebuild`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.search.backends import get_backend

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("search", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_query_prints_one_ranked_hit_per_line(make_doc):
    body_only = make_doc("Quy định chung", "Thời hiệu khiếu nại.", url="/vb/1/")
    in_title = make_doc("Luật Khiếu nại", "Phạm vi.", url="/vb/2/")
    out, err = run("query", "khieu nai")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("1\t")
    assert lines[0].endswith(f"\tauth.group:{in_title.pk}\tLuật Khiếu nại\t/vb/2/")
    assert lines[1].startswith("2\t")
    assert lines[1].endswith(f"\tauth.group:{body_only.pk}\tQuy định chung\t/vb/1/")
    assert err == "2/2 kết quả cho “khieu nai”.\n"


def test_limit_and_offset(make_doc):
    docs = [make_doc("Khiếu nại") for _ in range(3)]
    out, err = run("query", "khiếu nại", "--limit", "1", "--offset", "2")
    assert out.splitlines() == [out.splitlines()[0]]
    assert out.startswith("3\t")
    assert f"auth.group:{docs[2].pk}" in out
    assert err == "1/3 kết quả cho “khieu nai”.\n"


def test_no_match_prints_nothing_and_succeeds(make_doc):
    make_doc("Khiếu nại")
    out, err = run("query", "to cao")
    assert (out, err) == ("", "0/0 kết quả cho “to cao”.\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", ""], "Lỗi: từ khóa: Hãy nhập từ khóa tìm kiếm (chữ hoặc số)."),
        (["query", '"*"'], "Lỗi: từ khóa: Hãy nhập từ khóa tìm kiếm (chữ hoặc số)."),
        (["query", "a " * 251], "Lỗi: từ khóa: Từ khóa tìm kiếm quá dài: tối đa 500 ký tự."),
        (["query", "x", "--limit", "0"], "Lỗi: --limit: Số kết quả ít nhất là 1."),
        (["query", "x", "--offset", "y"], "Lỗi: --offset: Vị trí bắt đầu phải là số nguyên."),
        (["query", "x", "--user", "nobody"], "Lỗi: Không có người dùng “nobody”."),
    ],
)
def test_bad_input_exits_2_with_a_vietnamese_message(make_doc, args, message):
    make_doc("x")
    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("search", *args, stdout=StringIO(), stderr=err)
    assert exited.value.code == 2
    assert err.getvalue() == message + "\n"


def test_scoped_entries_need_a_user_of_the_unit_or_all(make_doc):
    unit = make_org_unit("Thanh tra tỉnh")
    scoped = make_doc("Khiếu nại nội bộ", scope=unit)
    official = make_user("thanhtra", roles=[(Role.SPECIALIST, unit)])
    outsider = make_user("noivu", roles=[(Role.SPECIALIST, make_org_unit("Sở Nội vụ"))])
    assert run("query", "khieu nai")[0] == ""
    assert run("query", "khieu nai", "--user", outsider.username)[0] == ""
    assert f"auth.group:{scoped.pk}" in run("query", "khieu nai", "--user", official.username)[0]
    assert f"auth.group:{scoped.pk}" in run("query", "khieu nai", "--all")[0]


def test_stats_reports_entries_and_the_index(make_doc):
    make_doc("Khiếu nại")
    make_doc("Tố cáo", scope="/1/")
    stats = json.loads(run("stats")[0])
    assert (stats["entries"], stats["public"], stats["scoped"]) == (2, 1, 1)
    assert stats["by_model"] == {"auth.group": 2}
    assert (stats["index"]["indexed"], stats["index"]["missing"]) == (2, 0)


def test_rebuild_restores_a_cleared_index(make_doc):
    make_doc("Khiếu nại")
    get_backend().clear()
    assert run("query", "khieu nai")[0] == ""
    assert run("rebuild")[0] == "Đã dựng lại chỉ mục cho 1 mục.\n"
    assert run("query", "khieu nai")[0].startswith("1\t")
