"""The API under /api/registries/legal/: paging, filters, 422 on bad input, reads by id, slug
or number, and writes for registry owners only (401 anonymous, 403 without the role)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.registries.legal.models import DocumentRelation, LegalDocument

pytestmark = pytest.mark.django_db

BASE = "/api/registries/legal"


def _state() -> tuple[int, int, int, list[Any]]:
    return (
        LegalDocument.objects.alive().count(),
        DocumentRelation.objects.filter(rejected=False).count(),
        AuditEntry.objects.count(),
        list(LegalDocument.objects.order_by("pk").values_list("title", "status")),
    )


def test_the_list_pages_and_counts(client: Client, complaints: dict[str, LegalDocument]) -> None:
    first = client.get(f"{BASE}/documents", {"limit": 2}).json()
    assert first["total"] == 5 and first["limit"] == 2 and first["offset"] == 0
    second = client.get(f"{BASE}/documents", {"limit": 2, "offset": 2}).json()
    third = client.get(f"{BASE}/documents", {"limit": 2, "offset": 4}).json()
    seen = [i["number"] for page in (first, second, third) for i in page["items"]]
    assert len(seen) == len(set(seen)) == 5
    issued = [i["issued_date"] for page in (first, second, third) for i in page["items"]]
    assert issued == sorted(issued, reverse=True)


def test_a_query_ranks_and_explains(client: Client, complaints: dict[str, LegalDocument]) -> None:
    body = client.get(f"{BASE}/documents", {"q": "khieu nai", "limit": "3"}).json()
    assert body["parsed"] == "khieu nai"
    item = body["items"][0]
    assert item["number"] == "02/2011/QH13" and item["type"] == "law"
    assert item["type_label"] == "Luật" and item["url"] == "/csdl/van-ban/02-2011-qh13/"
    assert item["score"] >= 1 and "<mark>" in item["snippet_html"]
    same = client.get(f"{BASE}/documents", {"q": "khiếu nại", "limit": "3"}).json()
    assert [i["number"] for i in same["items"]] == [i["number"] for i in body["items"]]
    assert same["total"] == body["total"]
    number = client.get(f"{BASE}/documents", {"q": "25/2018/QH14"}).json()
    assert number["items"][0]["number"] == "25/2018/QH14"


def test_filters(client: Client, complaints: dict[str, LegalDocument]) -> None:
    decrees = client.get(f"{BASE}/documents", {"type": "decree"}).json()
    assert {i["number"] for i in decrees["items"]} == {"31/2019/NĐ-CP", "64/2014/NĐ-CP"}
    by_year = client.get(f"{BASE}/documents", {"year": "2018", "issuer": "Quốc hội"}).json()
    assert [i["number"] for i in by_year["items"]] == ["25/2018/QH14"]
    amended = client.get(f"{BASE}/documents", {"status": "partly_amended"}).json()
    assert [i["number"] for i in amended["items"]] == ["02/2011/QH13"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"type": "memo"}, "type", "Loại văn bản “memo” không có trong danh mục."),
        ({"status": "valid"}, "status", "Tình trạng “valid” không hợp lệ."),
        ({"year": "năm"}, "year", "Năm ban hành phải là số, ví dụ 2015."),
        ({"year": "1800"}, "year", "Năm ban hành từ 1945 trở đi."),
        ({"limit": "0"}, "limit", "Số kết quả ít nhất là 1."),
        ({"limit": "101"}, "limit", "Số kết quả nhiều nhất là 100."),
        ({"offset": "-1"}, "offset", "Vị trí bắt đầu không được âm."),
        ({"q": "!!!"}, "q", "Hãy nhập từ khóa tìm kiếm (chữ hoặc số)."),
        ({"q": "x" * 501}, "q", "Từ khóa tìm kiếm quá dài: tối đa 500 ký tự."),
    ],
)
def test_bad_parameters_get_422_with_a_message_per_field(
    client: Client, params: dict[str, str], field: str, message: str
) -> None:
    response = client.get(f"{BASE}/documents", params)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["query", field], "msg": message, "type": response.json()["errors"][0]["type"]}
    ]


@pytest.mark.parametrize("ref", ["02/2011/QH13", "02-2011-qh13", "2/2011/qh13"])
def test_one_document_by_number_or_slug(
    client: Client, complaints: dict[str, LegalDocument], ref: str
) -> None:
    body = client.get(f"{BASE}/documents/{ref}").json()
    assert body["number"] == "02/2011/QH13" and body["text"].startswith("QUỐC HỘI")
    assert body["owner"]["name"] == "Sở Tư pháp"
    incoming = body["relations"]["incoming"]
    assert [(r["kind"], r["source_number"]) for r in incoming] == [
        ("partly_replaces", "42/2013/QH13")
    ]
    assert incoming[0]["inverse_label"] == "Hết hiệu lực một phần bởi"


def test_one_document_by_id_and_its_relations(
    client: Client, complaints: dict[str, LegalDocument]
) -> None:
    reception = complaints["42-2013-qh13"]
    assert client.get(f"{BASE}/documents/{reception.pk}").json()["number"] == "42/2013/QH13"
    relations = client.get(f"{BASE}/documents/42/2013/QH13/relations").json()
    outgoing = {(r["kind"], r["target_number"], r["target_id"]) for r in relations["outgoing"]}
    assert ("partly_replaces", "02/2011/QH13", complaints["02-2011-qh13"].pk) in outgoing
    # a document outside the registry is kept by its number
    assert ("partly_replaces", "09/1998/QH10", None) in outgoing


def test_unknown_and_deleted_documents_are_not_found(
    client: Client, complaints: dict[str, LegalDocument], editor: User
) -> None:
    assert client.get(f"{BASE}/documents/99/2099/QH99").status_code == 404
    login(client, editor)
    assert client.delete(f"{BASE}/documents/02-2011-qh13").status_code == 204
    client.logout()
    assert client.get(f"{BASE}/documents/02-2011-qh13").status_code == 404
    assert client.get(f"{BASE}/documents/02-2011-qh13/relations").status_code == 404
    listed = client.get(f"{BASE}/documents", {"q": "khieu nai"}).json()
    assert "02/2011/QH13" not in [i["number"] for i in listed["items"]]


NEW = {
    "number": "15/2026/QĐ-UBND",
    "type": "Quyết định",
    "issuer": "Ủy ban nhân dân tỉnh",
    "title": "Quyết định ban hành quy chế tiếp công dân",
    "text": (
        "Điều 1. Ban hành Quy chế.\nĐiều 2. Quyết định này thay thế Quyết định số 01/2015/QĐ-UBND."
    ),
    "issued_date": "2026-03-02",
    "effective_date": "2026-03-15",
}


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_writes_need_a_login_and_the_role(
    client: Client,
    complaints: dict[str, LegalDocument],
    specialist: User,
    citizen: User,
    other_editor: User,
) -> None:
    before = _state()
    calls = [
        lambda: _post(client, f"{BASE}/documents", NEW),
        lambda: client.patch(
            f"{BASE}/documents/02-2011-qh13", '{"title": "X"}', content_type="application/json"
        ),
        lambda: client.delete(f"{BASE}/documents/02-2011-qh13"),
        lambda: _post(
            client,
            f"{BASE}/documents/02-2011-qh13/relations",
            {"kind": "amends", "target_number": "1/2020/QH14"},
        ),
    ]
    for call in calls:
        assert call().status_code == 401
    for user in (specialist, citizen):
        login(client, user)
        for call in calls:
            assert call().status_code == 403
    login(client, other_editor)  # a registry owner of another agency
    for call in calls[1:]:
        assert call().status_code == 403
    assert _state() == before


def test_a_registry_owner_creates_edits_deletes_and_restores(
    client: Client, editor: User, owner: OrgUnit
) -> None:
    login(client, editor)
    created = _post(client, f"{BASE}/documents", {**NEW, "owner": owner.code})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["type"] == "decision" and body["status"] == "in_force"
    assert body["owner"]["id"] == owner.pk
    # "Quyết định này thay thế Quyết định số 01/2015/QĐ-UBND" is read from the text
    assert [
        (r["kind"], r["target_number"], r["origin"]) for r in body["relations"]["outgoing"]
    ] == [("replaces", "01/2015/QĐ-UBND", "parsed")]
    patched = client.patch(
        f"{BASE}/documents/15/2026/QĐ-UBND",
        json.dumps({"title": "Quy chế tiếp công dân tỉnh", "status": "expired"}),
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert patched.json()["status"] == "expired" and patched.json()["status_locked"]
    relation = _post(
        client,
        f"{BASE}/documents/15-2026-qd-ubnd/relations",
        {"kind": "guides", "target_number": "42/2013/QH13", "note": "Điều 1"},
    )
    assert relation.status_code == 201 and relation.json()["target_id"] is None
    removed = client.delete(f"{BASE}/documents/15-2026-qd-ubnd/relations/{relation.json()['id']}")
    assert removed.status_code == 204
    assert client.delete(f"{BASE}/documents/15-2026-qd-ubnd").status_code == 204
    assert client.get(f"{BASE}/documents/15-2026-qd-ubnd").status_code == 404
    restored = client.post(f"{BASE}/documents/15-2026-qd-ubnd/restore")
    assert restored.status_code == 200 and restored.json()["title"] == "Quy chế tiếp công dân tỉnh"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": "không số"}, "number"),
        ({"type": "Công văn"}, "type"),
        ({"title": ""}, "title"),
        ({"effective_date": "2026-01-01"}, "effective_date"),
        ({"owner": "000.99.99.H99"}, "owner"),
    ],
)
def test_bad_documents_get_422_and_write_nothing(
    client: Client, editor: User, owner: OrgUnit, change: dict[str, str], field: str
) -> None:
    login(client, editor)
    before = _state()
    response = _post(client, f"{BASE}/documents", {**NEW, "owner": owner.code, **change})
    assert response.status_code == 422, response.content
    assert field in [e["loc"][-1] for e in response.json()["errors"]]
    assert _state() == before


def test_a_duplicate_number_gets_422(
    client: Client, editor: User, owner: OrgUnit, complaints: dict[str, LegalDocument]
) -> None:
    login(client, editor)
    response = _post(
        client, f"{BASE}/documents", {**NEW, "number": "2/2011/QH13", "owner": owner.code}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "Đã có văn bản số 02/2011/QH13."


def test_removing_relations_and_restoring_need_the_role_too(
    client: Client,
    complaints: dict[str, LegalDocument],
    editor: User,
    specialist: User,
    other_editor: User,
) -> None:
    relation = complaints["42-2013-qh13"].relations.get(target_number="02/2011/QH13")
    remove = f"{BASE}/documents/42-2013-qh13/relations/{relation.pk}"
    login(client, editor)
    assert client.delete(f"{BASE}/documents/25-2018-qh14").status_code == 204
    client.logout()
    before = _state()
    assert client.delete(remove).status_code == 401
    assert client.post(f"{BASE}/documents/25-2018-qh14/restore").status_code == 401
    for user in (specialist, other_editor):
        login(client, user)
        assert client.delete(remove).status_code == 403
        assert client.post(f"{BASE}/documents/25-2018-qh14/restore").status_code == 403
    assert _state() == before
    login(client, editor)
    assert client.delete(f"{BASE}/documents/42-2013-qh13/relations/999999").status_code == 404
    assert client.delete(remove).status_code == 204
    assert client.post(f"{BASE}/documents/25-2018-qh14/restore").status_code == 200
