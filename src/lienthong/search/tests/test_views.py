"""The search page at /search/: box, ranked results, messages, HTMX fragment, query count."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db

URL = "/search/"


def test_the_page_opens_with_an_empty_box(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert 'name="q"' in html
    assert 'id="search-summary"' not in html
    assert 'id="search-error"' not in html


def test_results_are_listed_best_first_with_matches_marked(client, make_doc):
    make_doc("Quy định chung", "Thời hiệu khiếu nại là 90 ngày.", url="/vb/1/")
    make_doc("Luật Khiếu nại", "Phạm vi điều chỉnh.", url="/vb/2/")
    response = client.get(URL, {"q": "khieu nai"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tìm thấy 2 kết quả cho “khieu nai”." in html
    first = html.index('<a href="/vb/2/">Luật <mark>Khiếu</mark> <mark>nại</mark></a>')
    second = html.index('<a href="/vb/1/">Quy định chung</a>')
    assert first < second
    assert "Thời hiệu <mark>khiếu</mark> <mark>nại</mark> là 90 ngày." in html


def test_an_empty_query_gets_a_message_and_no_results(client, make_doc):
    make_doc("Khiếu nại")
    for q in ("", "   ", '"*"'):
        html = client.get(URL, {"q": q}).content.decode()
        assert "Hãy nhập từ khóa tìm kiếm (chữ hoặc số)." in html
        assert 'id="search-hits"' not in html


def test_a_query_over_500_characters_gets_a_message(client):
    html = client.get(URL, {"q": "ab " * 200}).content.decode()
    assert "Từ khóa tìm kiếm quá dài: tối đa 500 ký tự." in html


def test_no_match_says_so(client, make_doc):
    make_doc("Khiếu nại")
    html = client.get(URL, {"q": "tố cáo"}).content.decode()
    assert "Không tìm thấy kết quả nào cho “tố cáo”." in html


def test_titles_and_query_are_escaped(client, make_doc):
    make_doc('<script>alert("x")</script> Khiếu nại')
    html = client.get(URL, {"q": 'khieu <img src=x onerror="y">'}).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;y&quot;&gt;" in html


def test_an_htmx_request_gets_the_results_fragment_only(client, make_doc):
    make_doc("Luật Khiếu nại")
    response = client.get(URL, {"q": "khieu nai"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "Tìm thấy 1 kết quả" in html


def test_pages_link_to_each_other(client, make_doc):
    for _ in range(25):
        make_doc("Khiếu nại")
    html = client.get(URL, {"q": "khieu nai"}).content.decode()
    assert "Trang 1/2." in html
    assert html.count('<li class="mb-3') == 20
    assert "?q=khieu%20nai&amp;page=2" in html
    second = client.get(URL, {"q": "khieu nai", "page": "2"}).content.decode()
    assert second.count('<li class="mb-3') == 5
    assert "?q=khieu%20nai&amp;page=1" in second
    # a page past the last shows the last one
    past = client.get(URL, {"q": "khieu nai", "page": "9"}).content.decode()
    assert "Trang 2/2." in past
    assert past.count('<li class="mb-3') == 5
    # a page number that is not one shows the first page
    assert (
        client.get(URL, {"q": "khieu nai", "page": "x"}).content.decode().count('<li class="mb-3')
        == 20
    )


def test_an_official_sees_the_scoped_entries_of_their_unit(client, make_doc):
    unit = make_org_unit("Thanh tra tỉnh")
    make_doc("Hồ sơ khiếu nại nội bộ", scope=unit)
    assert "Không tìm thấy kết quả nào" in client.get(URL, {"q": "khieu nai"}).content.decode()
    login(client, make_user(roles=[(Role.SPECIALIST, unit)]))
    html = client.get(URL, {"q": "khieu nai"}).content.decode()
    assert "Hồ sơ <mark>khiếu</mark> <mark>nại</mark> nội bộ" in html
    assert "Nội bộ</span>" in html


def _queries(client, q: str) -> tuple[int, int]:
    """All queries of the page, and those on the search tables."""
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"q": q}).status_code == 200
    on_search = [q for q in captured.captured_queries if "search_searchentry" in q["sql"]]
    return len(captured), len(on_search)


def test_the_number_of_queries_does_not_grow_with_the_hits(client, make_doc):
    make_doc("Tố cáo")
    for _ in range(20):
        make_doc("Khiếu nại", "Khiếu nại.")
    one_hit, twenty_hits = _queries(client, "to cao"), _queries(client, "khieu nai")
    assert one_hit == twenty_hits
    # count, ranked ids, then the entries with their content types in one query
    assert twenty_hits[1] == 3
