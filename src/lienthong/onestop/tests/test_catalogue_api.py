"""Catalogue API under /api/onestop/: procedures, fields, export and import (422 by row)."""

from __future__ import annotations

import io
import json
from typing import Any, get_args

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from lienthong.accounts.models import Role, User
from lienthong.core.context import acting
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import catalogue
from lienthong.onestop.api_catalogue import LevelParam
from lienthong.onestop.models import Level, Procedure
from lienthong.onestop.tests.test_catalogue_support import portal_record, real_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows() -> None:
    with acting(via="test"):
        catalogue.import_procedures(
            [
                real_record("1.001193"),
                real_record("2.000693"),
                portal_record(code="1.000001", field="Thử nghiệm", level=["Cấp tỉnh"]),
            ]
        )


@pytest.fixture
def it_admin() -> User:
    return make_user(roles=[(Role.IT_ADMIN, make_org_unit("Sở Thông tin và Truyền thông"))])


@pytest.fixture
def specialist() -> User:
    return make_user(roles=[(Role.SPECIALIST, make_org_unit("Sở Tư pháp"))])


def test_the_level_parameter_offers_every_level() -> None:
    assert set(get_args(LevelParam)) == set(Level.values)


def test_anyone_lists_procedures_with_their_gaps(client: Client, rows: None) -> None:
    body = client.get("/api/onestop/procedures").json()

    assert body["count"] == 3
    birth = next(item for item in body["items"] if item["code"] == "1.001193")
    assert birth["time_limit"] == {"value": 1.0, "unit": "", "unit_label": "", "text": ""}
    assert birth["fee"]["amount_vnd"] == 0
    assert birth["missing"] == [
        "agency_text",
        "competent_authority",
        "time_limit_unit",
        "online_level",
        "is_inter_agency",
    ]
    assert birth["url"] == "/motcua/thu-tuc/1.001193/"
    assert birth["level_labels"] == ["Cấp xã"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("field=ho-tich", ["1.001193"]),
        ("level=province", ["1.000001", "2.000693"]),
        ("online_level=unknown", ["1.000001", "1.001193", "2.000693"]),
        ("q=khai%20sinh", ["1.001193"]),
        ("q=bao%20hiem&level=commune", ["2.000693"]),
    ],
)
def test_list_filters(client: Client, rows: None, query: str, expected: list[str]) -> None:
    body = client.get(f"/api/onestop/procedures?{query}").json()
    assert sorted(item["code"] for item in body["items"]) == expected


def test_bad_filters_answer_422(client: Client, rows: None) -> None:
    response = client.get("/api/onestop/procedures?level=village")
    assert response.status_code == 422
    response = client.get("/api/onestop/procedures?q=%3F%3F")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "q"]


def test_list_is_paginated(client: Client, rows: None) -> None:
    body = client.get("/api/onestop/procedures?limit=2&offset=2").json()
    assert (body["count"], len(body["items"])) == (3, 1)


def test_one_procedure_in_full(client: Client, rows: None) -> None:
    body = client.get("/api/onestop/procedures/1.001193").json()

    assert body["name"] == "Thủ tục đăng ký khai sinh"
    assert len(body["components"]) == 33
    note = body["components"][2]
    assert (note["is_required"], note["copy_type"], note["originals"], note["copies"]) == (
        False,
        "",
        0,
        0,
    )
    assert body["components"][0]["copy_type_label"] == "Bản chính"
    assert "Đơn vị thời hạn" in body["missing_labels"]
    assert body["legal_basis"][2] == "123/2015/NĐ-CP"
    assert body["source"]["original_url"].startswith("https://dichvucong.gov.vn/")
    assert body["process"] is None


def test_a_procedure_without_components_says_so(client: Client, rows: None) -> None:
    body = client.get("/api/onestop/procedures/2.000693").json()
    assert body["components"] == []
    assert "components" in body["missing"]


def test_an_unknown_procedure_is_404(client: Client, rows: None) -> None:
    response = client.get("/api/onestop/procedures/9.999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Không có thủ tục hành chính mã 9.999999."}


def test_fields_with_their_counts(client: Client, rows: None) -> None:
    body = client.get("/api/onestop/fields").json()
    assert {(f["code"], f["procedure_count"]) for f in body} == {
        ("ho-tich", 1),
        ("thuc-hien-chinh-sach-bhxh", 1),
        ("thu-nghiem", 1),
    }


def test_export_is_for_officials(client: Client, rows: None, specialist: User) -> None:
    assert client.get("/api/onestop/procedures/export").status_code == 401
    login(client, make_user(roles=[(Role.CITIZEN, None)]))
    assert client.get("/api/onestop/procedures/export").status_code == 403

    login(client, specialist)
    response = client.get("/api/onestop/procedures/export?format=json")
    assert response.status_code == 200
    assert len(json.loads(response.content)["procedures"]) == 3
    xlsx = client.get("/api/onestop/procedures/export?format=xlsx")
    assert xlsx.content[:2] == b"PK"
    assert client.get("/api/onestop/procedures/export?format=csv").status_code == 422


def _post_json(client: Client, data: Any) -> Any:
    return client.post(
        "/api/onestop/procedures/import", json.dumps(data), content_type="application/json"
    )


def test_import_is_for_it_administrators(client: Client, specialist: User) -> None:
    assert _post_json(client, [portal_record()]).status_code == 401
    login(client, specialist)
    response = _post_json(client, [portal_record()])
    assert response.status_code == 403
    assert Procedure.objects.count() == 0


def test_an_it_administrator_imports_json(client: Client, it_admin: User) -> None:
    login(client, it_admin)

    response = _post_json(client, [portal_record()])

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["summary"]) == (
        ["1.000001"],
        "1 thủ tục: thêm 1, cập nhật 0, không đổi 0.",
    )
    assert _post_json(client, [portal_record()]).json()["unchanged"] == ["1.000001"]


def test_a_bad_import_answers_422_by_row_and_writes_nothing(client: Client, it_admin: User) -> None:
    login(client, it_admin)
    records = [portal_record(), portal_record(code="1.001193", time_limit={"value": 0})]

    response = _post_json(client, records)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Không nhập: có 1 lỗi, chưa có gì được ghi."
    assert body["errors"] == [
        {
            "loc": ["body", "file"],
            "msg": "dòng 2 (mã 1.001193): thời hạn không hợp lệ",
            "type": "import_error",
            "row": 2,
            "code": "1.001193",
            "sheet": "",
        }
    ]
    assert Procedure.objects.count() == 0
    assert not OutboxEvent.objects.exists()


def test_an_xlsx_upload_with_a_bad_row_names_the_sheet(
    client: Client, rows: None, it_admin: User
) -> None:
    workbook = load_workbook(io.BytesIO(catalogue.export_xlsx()))
    sheet = workbook["Thủ tục"]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=3, column=headers.index("Thời hạn") + 1, value="ba ngày")
    components = workbook["Thành phần hồ sơ"]
    components.cell(row=2, column=1, value="7.777777")
    out = io.BytesIO()
    workbook.save(out)
    login(client, it_admin)

    response = client.post(
        "/api/onestop/procedures/import",
        {"file": SimpleUploadedFile("danh-muc.xlsx", out.getvalue())},
    )

    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["errors"]]
    code_on_row_3 = sheet.cell(row=3, column=1).value
    assert messages == [
        "trang “Thành phần hồ sơ”, dòng 2 (mã 7.777777): "
        "không có thủ tục mã này trong trang “Thủ tục”",
        f"trang “Thủ tục”, dòng 3 (mã {code_on_row_3}): thời hạn không hợp lệ",
    ]
