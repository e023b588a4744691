"""GET /api/search/: results for anyone, scoped entries for their officials, 422 on bad input."""

from __future__ import annotations

import pytest

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db

URL = "/api/search/"


def test_search_returns_ranked_hits_with_total(client, make_doc):
    body_only = make_doc("Quy định chung", "Thời hiệu khiếu nại là 90 ngày.", url="/vb/1/")
    in_title = make_doc("Luật Khiếu nại", "Phạm vi điều chỉnh.", url="/vb/2/")
    make_doc("Luật Đất đai", "Không liên quan.")
    response = client.get(URL, {"q": "khieu nai"})
    assert response.status_code == 200
    data = response.json()
    assert (data["query"], data["parsed"], data["total"], data["limit"], data["offset"]) == (
        "khieu nai",
        "khieu nai",
        2,
        20,
        0,
    )
    assert [hit["object_id"] for hit in data["hits"]] == [str(in_title.pk), str(body_only.pk)]
    first = data["hits"][0]
    assert (first["content_type"], first["title"], first["url"]) == (
        "auth.group",
        "Luật Khiếu nại",
        "/vb/2/",
    )
    assert data["hits"][1]["snippet"] == "Thời hiệu khiếu nại là 90 ngày."
    assert data["hits"][1]["snippet_html"] == (
        "Thời hiệu <mark>khiếu</mark> <mark>nại</mark> là 90 ngày."
    )


def test_limit_and_offset_page_through_the_results(client, make_doc):
    docs = [make_doc("Khiếu nại", "Khiếu nại.") for _ in range(3)]
    data = client.get(URL, {"q": "khiếu nại", "limit": 1, "offset": 1}).json()
    assert data["total"] == 3
    assert [hit["object_id"] for hit in data["hits"]] == [str(docs[1].pk)]


def test_a_query_with_no_match_is_an_empty_page(client, make_doc):
    make_doc("Khiếu nại")
    data = client.get(URL, {"q": "tố cáo"}).json()
    assert (data["total"], data["hits"]) == (0, [])


EMPTY = "Hãy nhập từ khóa tìm kiếm (chữ hoặc số)."


@pytest.mark.parametrize(
    ("params", "field", "code", "message"),
    [
        ({}, "q", "empty", EMPTY),
        ({"q": ""}, "q", "empty", EMPTY),
        ({"q": "   "}, "q", "empty", EMPTY),
        ({"q": '"*" :()'}, "q", "empty", EMPTY),
        ({"q": "a " * 251}, "q", "too_long", "Từ khóa tìm kiếm quá dài: tối đa 500 ký tự."),
        ({"q": "x", "limit": "0"}, "limit", "min_value", "Số kết quả ít nhất là 1."),
        ({"q": "x", "limit": "101"}, "limit", "max_value", "Số kết quả nhiều nhất là 100."),
        ({"q": "x", "limit": "abc"}, "limit", "invalid", "Số kết quả phải là số nguyên."),
        ({"q": "x", "offset": "-1"}, "offset", "min_value", "Vị trí bắt đầu không được âm."),
        ({"q": "x", "offset": "10001"}, "offset", "max_value", "Vị trí bắt đầu tối đa là 10000."),
    ],
)
def test_bad_input_gets_422_with_the_field_and_a_vietnamese_message(
    client, make_doc, params, field, code, message
):
    make_doc("x")
    response = client.get(URL, params)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Dữ liệu không hợp lệ.",
        "errors": [{"loc": ["query", field], "msg": message, "type": code}],
    }


@pytest.mark.parametrize(
    "q", ['"khieu', "AND OR NOT", "title:(khieu)", "'; DROP TABLE x; --", "🙂 khiếu", "-x*"]
)
def test_hostile_queries_are_answered_not_failed(client, make_doc, q):
    make_doc("Khiếu nại")
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert response.json()["total"] == len(response.json()["hits"])


def test_a_scoped_entry_is_returned_only_to_officials_of_its_unit(client, make_doc):
    department = make_org_unit("Thanh tra tỉnh")
    other = make_org_unit("Sở Nội vụ")
    make_doc("Khiếu nại công khai")
    scoped = make_doc("Khiếu nại nội bộ", scope=department)

    def found() -> list[str]:
        return [hit["object_id"] for hit in client.get(URL, {"q": "khieu nai"}).json()["hits"]]

    assert str(scoped.pk) not in found()
    login(client, make_user(roles=[(Role.SPECIALIST, other)]))
    assert str(scoped.pk) not in found()
    login(client, make_user(roles=[(Role.SPECIALIST, department)]))
    assert str(scoped.pk) in found()
