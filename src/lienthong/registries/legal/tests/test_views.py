"""Pages under /csdl/van-ban/: public search and document pages, print view, and the editing
pages for registry owners (login for anonymous visitors, 403 without the role)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.registries.legal.models import DocumentRelation, DocumentStatus, LegalDocument

pytestmark = pytest.mark.django_db

LIST = "/csdl/van-ban/"


def _numbers(html: str) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', html)


def test_anyone_searches_and_a_query_without_diacritics_finds_the_same(
    client: Client, complaints: dict[str, LegalDocument]
) -> None:
    plain = client.get(LIST, {"q": "khieu nai"})
    assert plain.status_code == 200
    html = plain.content.decode()
    assert _numbers(html)[0] == "02/2011/QH13"
    assert _numbers(html) == _numbers(client.get(LIST, {"q": "khiếu nại"}).content.decode())
    assert "<mark>" in html
    summary = re.search(r'<p id="legal-summary">\s*(.*?)\s*</p>', html, re.S)
    assert summary is not None
    assert summary.group(1) == f"{len(_numbers(html))} văn bản khớp “khieu nai”."


def test_filters_and_an_htmx_request_gets_the_results_only(
    client: Client, complaints: dict[str, LegalDocument]
) -> None:
    response = client.get(LIST, {"type": "decree"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert sorted(_numbers(html)) == ["31/2019/NĐ-CP", "64/2014/NĐ-CP"]
    page = client.get(LIST).content.decode()
    # the filters offer the issuers and years that exist
    assert '<option value="Chính phủ">' in page and '<option value="2018">' in page


def test_bad_filters_are_explained_in_vietnamese(client: Client) -> None:
    response = client.get(LIST, {"type": "memo", "year": "abc"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Loại văn bản “memo” không có trong danh mục." in html
    assert "Năm ban hành phải là số, ví dụ 2015." in html


def test_the_list_takes_the_same_queries_however_many_documents(
    client: Client,
    load: Any,
    django_assert_max_num_queries: Any,
) -> None:
    # ranked ids with the total, the page's rows, their heads, (the whole text of those
    # whose match lies past the head), issuers, years; on PostgreSQL the ranking query
    # also sets and restores a planner setting inside a savepoint (4 statements more)
    bound = 6 if connection.vendor == "sqlite" else 10
    load(["02-2011-qh13", "42-2013-qh13"])
    with django_assert_max_num_queries(bound):
        client.get(LIST, {"q": "khieu nai"})
    load(["25-2018-qh14", "64-2014-nd-cp", "31-2019-nd-cp", "24-2018-qh14", "35-2013-qh13"])
    with django_assert_max_num_queries(bound):
        response = client.get(LIST, {"q": "khieu nai"})
    assert len(_numbers(response.content.decode())) >= 5
    with django_assert_max_num_queries(8):
        client.get(LIST)


def test_the_document_page_has_contents_anchors_and_relations_both_ways(
    client: Client, complaints: dict[str, LegalDocument]
) -> None:
    response = client.get("/csdl/van-ban/02-2011-qh13/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h3 class="lt-article h6 mt-4" id="dieu-1">' in html
    assert '<a href="#dieu-1">Điều 1. Phạm vi điều chỉnh</a>' in html
    assert 'href="#chuong-1"' in html and "Mục lục (70 điều)" in html
    # 42/2013/QH13 ended Chapter V of this law: shown from this side as "… bởi"
    assert 'data-source="42/2013/QH13"' in html and "Hết hiệu lực một phần bởi" in html
    # and what this law itself ended, outside the registry, by number
    assert 'data-target="09/1998/QH10"' in html and "chưa có trong cơ sở dữ liệu" in html
    assert "Hết hiệu lực một phần" in html  # the status
    assert 'id="legal-edit-link"' not in html  # not for visitors
    reception = client.get("/csdl/van-ban/42-2013-qh13/").content.decode()
    assert 'href="/csdl/van-ban/02-2011-qh13/"' in reception


def test_the_print_view_is_the_text_alone(
    client: Client, complaints: dict[str, LegalDocument]
) -> None:
    html = client.get("/csdl/van-ban/02-2011-qh13/in/").content.decode()
    assert "Luật Khiếu nại" in html and 'id="dieu-70"' in html
    assert "navbar" not in html and "legal.css" in html


def test_unknown_and_deleted_documents_are_not_found_by_visitors(
    client: Client, complaints: dict[str, LegalDocument], editor: User
) -> None:
    assert client.get("/csdl/van-ban/99-2099-qh99/").status_code == 404
    login(client, editor)
    client.post("/csdl/van-ban/02-2011-qh13/xoa/")
    # the owner still sees it, marked deleted, with a restore button
    html = client.get("/csdl/van-ban/02-2011-qh13/").content.decode()
    assert 'id="legal-deleted"' in html and 'id="legal-restore"' in html
    client.logout()
    assert client.get("/csdl/van-ban/02-2011-qh13/").status_code == 404
    assert client.get("/csdl/van-ban/02-2011-qh13/in/").status_code == 404
    assert "02/2011/QH13" not in _numbers(client.get(LIST).content.decode())


EDIT_PAGES = [
    ("get", "/csdl/van-ban/them/"),
    ("get", "/csdl/van-ban/02-2011-qh13/sua/"),
    ("post", "/csdl/van-ban/02-2011-qh13/sua/"),
    ("get", "/csdl/van-ban/02-2011-qh13/xoa/"),
    ("post", "/csdl/van-ban/02-2011-qh13/xoa/"),
    ("post", "/csdl/van-ban/02-2011-qh13/quan-he/"),
    ("get", "/csdl/van-ban/02-2011-qh13/lich-su/"),
    ("get", "/csdl/van-ban/da-xoa/"),
]


def _state() -> tuple[Any, ...]:
    return (
        list(LegalDocument.objects.order_by("pk").values_list("title", "deleted_at", "status")),
        DocumentRelation.objects.filter(rejected=False).count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(("method", "url"), EDIT_PAGES)
def test_editing_pages_send_visitors_to_log_in_and_refuse_others(
    client: Client,
    complaints: dict[str, LegalDocument],
    specialist: User,
    citizen: User,
    method: str,
    url: str,
) -> None:
    before = _state()
    data = {"title": "X", "kind": "amends", "target_number": "1/2020/QH14"}
    response = getattr(client, method)(url, data if method == "post" else None)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (specialist, citizen):
        login(client, user)
        assert getattr(client, method)(url, data if method == "post" else None).status_code == 403
    assert _state() == before


def test_a_registry_owner_of_another_agency_cannot_edit_this_one(
    client: Client, complaints: dict[str, LegalDocument], other_editor: User
) -> None:
    login(client, other_editor)
    before = _state()
    assert client.get("/csdl/van-ban/02-2011-qh13/sua/").status_code == 403
    assert client.post("/csdl/van-ban/02-2011-qh13/xoa/").status_code == 403
    assert client.get("/csdl/van-ban/them/").status_code == 200  # may add under their agency
    assert _state() == before


def _form(document: LegalDocument, **changes: Any) -> dict[str, Any]:
    data = {
        "number": document.number,
        "doc_type": document.doc_type,
        "issuer": document.issuer,
        "issued_date": document.issued_date.isoformat() if document.issued_date else "",
        "effective_date": document.effective_date.isoformat() if document.effective_date else "",
        "expiry_date": "",
        "effective_note": document.effective_note,
        "title": document.title,
        "owner": document.owner_id or "",
        "source": document.source,
        "source_url": document.source_url,
        "text": document.text,
        "status": "",
    }
    data.update(changes)
    return data


def test_a_registry_owner_edits_with_history(
    client: Client, complaints: dict[str, LegalDocument], editor: User
) -> None:
    law = complaints["02-2011-qh13"]
    login(client, editor)
    assert client.get(f"/csdl/van-ban/{law.slug}/").content.decode().count("legal-edit-link") == 1
    response = client.post(
        f"/csdl/van-ban/{law.slug}/sua/", _form(law, title="Luật Khiếu nại năm 2011")
    )
    assert response.status_code == 302
    law.refresh_from_db()
    assert law.title == "Luật Khiếu nại năm 2011" and law.updated_by == editor
    assert law.status == DocumentStatus.PARTLY_AMENDED  # still computed
    history = client.get(f"/csdl/van-ban/{law.slug}/lich-su/").content.decode()
    assert "legal.document.update" in history and "bientap" in history
    assert "Luật Khiếu nại năm 2011" in history


def test_a_bad_edit_shows_the_messages_and_writes_nothing(
    client: Client, complaints: dict[str, LegalDocument], editor: User
) -> None:
    law = complaints["02-2011-qh13"]
    login(client, editor)
    before = _state()
    response = client.post(
        f"/csdl/van-ban/{law.slug}/sua/",
        _form(law, number="42/2013/QH13", effective_date="2001-01-01"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Đã có văn bản số 42/2013/QH13." in html
    assert "Ngày có hiệu lực không được trước ngày ban hành." in html
    assert _state() == before


def test_a_registry_owner_adds_a_document(client: Client, editor: User, owner: OrgUnit) -> None:
    login(client, editor)
    response = client.post(
        "/csdl/van-ban/them/",
        {
            "number": "15/2026/QĐ-UBND",
            "doc_type": "decision",
            "issuer": "Ủy ban nhân dân tỉnh",
            "issued_date": "2026-03-02",
            "effective_date": "2026-03-15",
            "title": "Quyết định ban hành quy chế tiếp công dân",
            "owner": owner.pk,
            "text": "Điều 1. Ban hành Quy chế tiếp công dân.",
            "status": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/csdl/van-ban/15-2026-qd-ubnd/"
    document = LegalDocument.objects.get(slug="15-2026-qd-ubnd")
    assert document.owner == owner and document.created_by == editor


def test_relations_are_added_and_removed_on_the_page(
    client: Client, complaints: dict[str, LegalDocument], editor: User
) -> None:
    login(client, editor)
    response = client.post(
        "/csdl/van-ban/25-2018-qh14/quan-he/",
        {"kind": "guides", "target_number": "02/2011/QH13", "note": ""},
    )
    assert response.status_code == 302
    relation = DocumentRelation.objects.get(source__slug="25-2018-qh14", kind="guides")
    assert relation.target == complaints["02-2011-qh13"]
    bad = client.post(
        "/csdl/van-ban/25-2018-qh14/quan-he/", {"kind": "guides", "target_number": "không"}
    )
    assert bad.status_code == 422 and "không hợp lệ" in bad.content.decode()
    removed = client.post(f"/csdl/van-ban/25-2018-qh14/quan-he/{relation.pk}/xoa/")
    assert removed.status_code == 302
    assert not DocumentRelation.objects.filter(pk=relation.pk).exists()


def test_deleted_documents_are_listed_for_their_owners_and_restored(
    client: Client, complaints: dict[str, LegalDocument], editor: User, other_editor: User
) -> None:
    login(client, editor)
    client.post("/csdl/van-ban/25-2018-qh14/xoa/")
    assert "25/2018/QH14" in _numbers(client.get("/csdl/van-ban/da-xoa/").content.decode())
    login(client, other_editor)
    assert _numbers(client.get("/csdl/van-ban/da-xoa/").content.decode()) == []
    assert client.post("/csdl/van-ban/25-2018-qh14/khoi-phuc/").status_code == 404
    login(client, editor)
    assert client.post("/csdl/van-ban/25-2018-qh14/khoi-phuc/").status_code == 302
    assert not LegalDocument.objects.get(slug="25-2018-qh14").is_deleted
