"""The units and agencies API (/api/core/) and pages (/units/, /agencies/): public, read-only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lienthong.accounts.models import User
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.services_orgs import create_org_unit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.core.tests.units_support import committed_units
from lienthong.core.text import fold
from lienthong.core.units import LoadReport

pytestmark = pytest.mark.django_db

LEGACY_ADDRESS = "phuong phu cuong, tp thu dau mot, binh duong"


@pytest.fixture(scope="module")
def units(django_db_setup: None, django_db_blocker: object) -> Iterator[LoadReport]:
    with committed_units(django_db_blocker) as report:
        yield report


@pytest.fixture
def tree() -> dict[str, OrgUnit]:
    """A small org tree: a province, a department with a division, a district and a commune."""
    province = make_org_unit(
        "Ủy ban nhân dân tỉnh Thử", kind=OrgUnit.Kind.PEOPLES_COMMITTEE, code="000.00.00.H99"
    )
    justice = make_org_unit("Sở Tư pháp", parent=province, code="000.00.05.H99")
    division = create_org_unit(
        name="Phòng Hành chính tư pháp", parent=justice, kind=OrgUnit.Kind.DIVISION
    )
    district = make_org_unit(
        "Ủy ban nhân dân thành phố Thử",
        parent=province,
        kind=OrgUnit.Kind.PEOPLES_COMMITTEE,
        code="000.00.21.H99",
    )
    commune = make_org_unit(
        "Ủy ban nhân dân phường Thử",
        parent=district,
        kind=OrgUnit.Kind.PEOPLES_COMMITTEE,
        code="000.01.21.H99",
    )
    return {
        "province": province,
        "justice": justice,
        "division": division,
        "district": district,
        "commune": commune,
    }


# --- API: units ----------------------------------------------------------------------------


def test_units_list_filters_by_era_level_and_parent(client: Client, units: LoadReport) -> None:
    response = client.get(
        "/api/core/units",
        {"era": "legacy", "level": "commune", "parent": "718", "limit": "100"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 14
    assert [u["code"] for u in body["items"]][:3] == ["25741", "25744", "25747"]
    phu_cuong = body["items"][2]
    assert phu_cuong["name"] == "Phường Phú Cường"
    assert phu_cuong["parent"]["code"] == "718"
    assert phu_cuong["successor"] == {
        "id": phu_cuong["successor"]["id"],
        "era": "2025",
        "level": "commune",
        "code": "25747",
        "name": "Phường Thủ Dầu Một",
    }
    assert phu_cuong["valid_until"] == "2025-06-30"


@pytest.mark.parametrize("q", ["phu cuong", "Phú Cường", "PHU CUONG", "25747"])
def test_units_list_q_matches_the_folded_name(client: Client, units: LoadReport, q: str) -> None:
    response = client.get("/api/core/units", {"era": "legacy", "parent": "718", "q": q})
    assert [u["code"] for u in response.json()["items"]] == ["25747"]


def test_units_list_runs_a_fixed_number_of_queries(client: Client, units: LoadReport) -> None:
    with CaptureQueriesContext(connection) as small:
        client.get("/api/core/units", {"era": "2025", "limit": "5"})
    with CaptureQueriesContext(connection) as large:
        client.get("/api/core/units", {"era": "2025", "limit": "100"})
    assert len(small) == len(large) == 2  # the count and the page


def test_units_list_rejects_an_unknown_era_with_field_errors(
    client: Client, units: LoadReport
) -> None:
    response = client.get("/api/core/units", {"era": "1990"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Dữ liệu không hợp lệ."
    assert [e["loc"] for e in body["errors"]] == [["query", "era"]]


def test_unit_detail_of_a_legacy_commune(client: Client, units: LoadReport) -> None:
    body = client.get("/api/core/units/legacy/25747").json()
    assert body["name"] == "Phường Phú Cường"
    assert [a["code"] for a in body["ancestors"]] == ["74", "718"]
    assert body["successor"]["code"] == "25747"
    assert body["predecessors"] == []
    assert body["children_count"] == 0


def test_unit_detail_of_a_2025_commune_lists_predecessors(
    client: Client, units: LoadReport
) -> None:
    body = client.get("/api/core/units/2025/25747").json()
    assert body["name"] == "Phường Thủ Dầu Một"
    assert [a["code"] for a in body["ancestors"]] == ["79"]
    assert [p["code"] for p in body["predecessors"]] == ["25747", "25753", "25756"]
    assert body["valid_from"] == "2025-07-01"


def test_unit_detail_not_found(client: Client, units: LoadReport) -> None:
    response = client.get("/api/core/units/2025/99999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Không có đơn vị hành chính mã 99999 (thời kỳ 2025)."}


def test_parse_api_legacy_address(client: Client, units: LoadReport) -> None:
    response = client.get("/api/core/units/parse", {"address": LEGACY_ADDRESS})
    assert response.status_code == 200
    body = response.json()
    assert body["era"] == "legacy"
    assert [body["legacy"][k]["code"] for k in ("province", "district", "commune")] == [
        "74",
        "718",
        "25747",
    ]
    assert [body["current"][k]["code"] for k in ("province", "commune")] == ["79", "25747"]
    assert body["predecessors"] == []


def test_parse_api_2025_address(client: Client, units: LoadReport) -> None:
    body = client.get(
        "/api/core/units/parse", {"address": "Phường Thủ Dầu Một, TP Hồ Chí Minh"}
    ).json()
    assert body["era"] == "2025"
    assert body["legacy"] == {"province": None, "district": None, "commune": None}
    assert [(p["code"], p["district"]["code"]) for p in body["predecessors"]] == [
        ("25747", "718"),
        ("25753", "718"),
        ("25756", "718"),
    ]


def test_parse_api_unmatched_address_is_a_422_with_what_was_recognised(
    client: Client, units: LoadReport
) -> None:
    response = client.get("/api/core/units/parse", {"address": "thu dau mot, binh duong"})
    assert response.status_code == 422
    body = response.json()
    message = (
        "Nhận ra Thành phố Thủ Dầu Một, Tỉnh Bình Dương nhưng không nhận ra xã, phường, "
        "thị trấn nào trong địa chỉ “thu dau mot, binh duong”."
    )
    assert body["detail"] == message
    assert body["errors"] == [{"loc": ["query", "address"], "msg": message, "type": "no_commune"}]
    assert [u["code"] for u in body["recognised"]] == ["74", "718"]


def test_parse_api_needs_an_address(client: Client, units: LoadReport) -> None:
    response = client.get("/api/core/units/parse")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["query", "address"]]


# --- API: agencies -------------------------------------------------------------------------


def test_agencies_flat_list_in_tree_order(client: Client, tree: dict[str, OrgUnit]) -> None:
    response = client.get("/api/core/agencies")
    assert response.status_code == 200
    body = response.json()
    assert [u["name"] for u in body] == [
        "Ủy ban nhân dân tỉnh Thử",
        "Sở Tư pháp",
        "Phòng Hành chính tư pháp",
        "Ủy ban nhân dân thành phố Thử",
        "Ủy ban nhân dân phường Thử",
    ]
    justice = body[1]
    assert justice["code"] == "000.00.05.H99"
    assert justice["is_demo"] is True
    assert justice["parent_id"] == tree["province"].pk
    assert justice["depth"] == 1
    assert justice["children"] == []
    division = body[2]
    assert (division["code"], division["is_agency"], division["is_demo"]) == (None, False, False)


def test_agencies_tree_and_agencies_only(client: Client, tree: dict[str, OrgUnit]) -> None:
    roots = client.get("/api/core/agencies", {"tree": "true"}).json()
    assert [r["code"] for r in roots] == ["000.00.00.H99"]
    assert [c["code"] for c in roots[0]["children"]] == ["000.00.05.H99", "000.00.21.H99"]
    assert [c["name"] for c in roots[0]["children"][0]["children"]] == ["Phòng Hành chính tư pháp"]
    assert [c["code"] for c in roots[0]["children"][1]["children"]] == ["000.01.21.H99"]
    only = client.get("/api/core/agencies", {"agencies_only": "true"}).json()
    assert len(only) == 4
    assert all(u["is_agency"] for u in only)


def test_agency_detail(client: Client, tree: dict[str, OrgUnit]) -> None:
    body = client.get(f"/api/core/agencies/{tree['justice'].pk}").json()
    assert body["name"] == "Sở Tư pháp"
    assert [a["code"] for a in body["ancestors"]] == ["000.00.00.H99"]
    assert [c["name"] for c in body["children"]] == ["Phòng Hành chính tư pháp"]
    response = client.get("/api/core/agencies/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Không có cơ quan, đơn vị này."}


# --- Pages ---------------------------------------------------------------------------------


def test_lookup_page_without_an_address_shows_the_form(client: Client) -> None:
    response = client.get("/units/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="address-form"' in html
    assert 'id="match"' not in html


def test_lookup_page_shows_both_eras(client: Client, units: LoadReport) -> None:
    response = client.get("/units/", {"address": LEGACY_ADDRESS})
    assert response.status_code == 200
    html = response.content.decode()
    legacy = html.split('id="match-legacy"')[1].split("</dl>")[0]
    current = html.split('id="match-current"')[1].split("</dl>")[0]
    for name, code in [
        ("Tỉnh Bình Dương", "74"),
        ("Thành phố Thủ Dầu Một", "718"),
        ("Phường Phú Cường", "25747"),
    ]:
        assert f">{name}</a>" in legacy and f"mã {code})" in legacy
    assert ">Thành phố Hồ Chí Minh</a>" in current and "mã 79)" in current
    assert ">Phường Thủ Dầu Một</a>" in current and "mã 25747)" in current
    assert 'href="/units/legacy/25747/"' in legacy


def test_lookup_page_of_a_2025_address_lists_predecessors(
    client: Client, units: LoadReport
) -> None:
    html = client.get("/units/", {"address": "phuong thu dau mot, ho chi minh"}).content.decode()
    predecessors = html.split('id="match-predecessors"')[1].split("</ul>")[0]
    assert predecessors.count("<li>") == 3
    assert "Phường Phú Cường</a>" in predecessors
    assert "Thành phố Thủ Dầu Một, Tỉnh Bình Dương" in predecessors


def test_lookup_page_explains_an_unmatched_address(client: Client, units: LoadReport) -> None:
    response = client.get("/units/", {"address": "binh duong"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nhận ra Tỉnh Bình Dương nhưng không nhận ra xã, phường, đặc khu nào" in html
    assert "is-invalid" in html
    assert 'id="match"' not in html
    assert 'href="/units/legacy/74/"' in html.split('id="recognised"')[1]


def test_lookup_page_with_an_empty_address(client: Client) -> None:
    response = client.get("/units/", {"address": ""})
    assert response.status_code == 422
    assert "Hãy nhập địa chỉ cần tra cứu." in response.content.decode()


def test_unit_page(client: Client, units: LoadReport) -> None:
    html = client.get("/units/legacy/718/").content.decode()
    assert '<h1 class="h3">Thành phố Thủ Dầu Một</h1>' in html
    assert html.split('id="unit-children"')[1].split("</ul>")[0].count("<li>") == 14
    html = client.get("/units/2025/25747/").content.decode()
    assert html.split('id="unit-predecessors"')[1].split("</ul>")[0].count("<li>") == 3
    html = client.get("/units/legacy/25747/").content.decode()
    assert "Phường Thủ Dầu Một</a>" in html.split('id="unit-successor"')[1]
    assert client.get("/units/legacy/00000/").status_code == 404


def test_agency_tree_page(client: Client, tree: dict[str, OrgUnit]) -> None:
    response = client.get("/agencies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="demo-codes-note"' in html
    page_tree = html.split('id="org-tree"')[1]
    assert page_tree.index("Sở Tư pháp") < page_tree.index("Phòng Hành chính tư pháp")
    assert page_tree.index("Phòng Hành chính tư pháp") < page_tree.index("thành phố Thử")
    assert page_tree.count("<code") == 4
    assert '<code class="ms-1">000.01.21.H99</code>' in page_tree


def test_agency_tree_page_runs_one_query_however_big_the_tree(
    client: Client, tree: dict[str, OrgUnit]
) -> None:
    with CaptureQueriesContext(connection) as small:
        client.get("/agencies/")
    for n in range(20):
        make_org_unit(
            f"Phòng {n}", parent=tree["justice"], kind=OrgUnit.Kind.DIVISION, is_agency=False
        )
    with CaptureQueriesContext(connection) as large:
        response = client.get("/agencies/")
    assert response.content.decode().count("Phòng ") >= 20
    assert len(small) == len(large) == 1


def test_agency_tree_page_when_empty(client: Client) -> None:
    html = client.get("/agencies/").content.decode()
    assert 'id="org-tree-empty"' in html


def test_agency_page(client: Client, tree: dict[str, OrgUnit]) -> None:
    html = client.get(f"/agencies/{tree['justice'].pk}/").content.decode()
    assert "<code>000.00.05.H99</code>" in html
    assert "demo" in html.split('id="agency-code"')[1].split("</dd>")[0]
    assert "Phòng Hành chính tư pháp" in html.split('id="agency-children"')[1]
    html = client.get(f"/agencies/{tree['division'].pk}/").content.decode()
    assert "Không có (phòng, ban chuyên môn dùng mã của cơ quan)" in html
    assert client.get("/agencies/999999/").status_code == 404


def test_openapi_describes_the_endpoints(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/core/units",
        "/api/core/units/parse",
        "/api/core/units/{era}/{code}",
        "/api/core/agencies",
        "/api/core/agencies/{unit_id}",
    } <= set(paths)


# --- Admin ---------------------------------------------------------------------------------


def test_admin_searches_units_without_diacritics_and_cannot_change_them(
    client: Client, units: LoadReport
) -> None:
    login(client, make_user("root", kind=User.Kind.OFFICIAL, is_staff=True, is_superuser=True))
    response = client.get("/admin/core/adminunit/", {"q": "phu cuong", "era__exact": "legacy"})
    assert response.status_code == 200
    found = {(u.code, u.name) for u in response.context["cl"].result_list}
    assert ("25747", "Phường Phú Cường") in found
    assert {fold(name) for _code, name in found} == {"phuong phu cuong", "xa phu cuong"}
    phu_cuong = AdminUnit.objects.get(era="legacy", code="25747")
    assert client.get("/admin/core/adminunit/add/").status_code == 403
    assert client.get(f"/admin/core/adminunit/{phu_cuong.pk}/delete/").status_code == 403
    response = client.post(f"/admin/core/adminunit/{phu_cuong.pk}/change/", {"name": "Sai"})
    assert response.status_code == 403
    phu_cuong.refresh_from_db()
    assert phu_cuong.name == "Phường Phú Cường"
