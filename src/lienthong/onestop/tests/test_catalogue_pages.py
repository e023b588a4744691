"""Catalogue pages: the public list (search, filters) and procedure page (missing markers),
form downloads, and the import/export page for officials."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lienthong.accounts.models import Role, User
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.onestop import catalogue
from lienthong.onestop.models import Procedure
from lienthong.onestop.tests.test_catalogue_support import portal_record, real_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune() -> OrgUnit:
    return make_org_unit("UBND phường Phú Cường", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)


@pytest.fixture
def catalogue_rows(commune: OrgUnit) -> dict[str, Procedure]:
    """Birth registration, a social insurance procedure and a small complete one."""
    records = [
        real_record("1.001193"),
        real_record("2.000693"),
        real_record("1.013076"),
        portal_record(code="1.000001", name="Cấp giấy phép thử nghiệm", field="Thử nghiệm"),
    ]
    with acting(via="test"):
        catalogue.import_procedures(records)
        template, _status = catalogue.save_process_template(
            catalogue.TemplateSpec(
                "onestop-xa-3-buoc",
                "Cấp xã",
                (
                    catalogue.StepSpec("Thẩm định hồ sơ", Role.SPECIALIST, Decimal(60)),
                    catalogue.StepSpec("Phê duyệt kết quả", Role.LEADER, Decimal(30)),
                    catalogue.StepSpec("Trả kết quả", Role.ONESTOP_OFFICER, Decimal(10)),
                ),
            )
        )
        birth = Procedure.objects.get(code="1.001193")
        catalogue.set_process_template(birth, template)
        catalogue.link_agencies(birth, [commune])
    return {p.code: p for p in Procedure.objects.all()}


@pytest.fixture
def it_admin() -> User:
    return make_user(roles=[(Role.IT_ADMIN, make_org_unit("Sở Thông tin và Truyền thông"))])


@pytest.fixture
def specialist() -> User:
    return make_user(roles=[(Role.SPECIALIST, make_org_unit("Sở Tư pháp"))])


def _codes(html: str, catalogue_rows: dict[str, Procedure]) -> list[str]:
    return sorted(code for code in catalogue_rows if f'data-code="{code}"' in html)


def test_anyone_sees_the_catalogue_with_markers_where_the_source_said_nothing(
    client: Client, catalogue_rows: dict[str, Procedure]
) -> None:
    response = client.get("/motcua/thu-tuc/")

    assert response.status_code == 200
    html = response.content.decode()
    assert _codes(html, catalogue_rows) == ["1.000001", "1.001193", "1.013076", "2.000693"]
    assert "4 thủ tục." in html
    # birth registration: "1" without a unit; the online level nobody stated
    assert 'data-missing="time_limit_unit"' in html
    assert html.count('data-missing="online_level"') == 3  # all but 1.013076
    assert "Một phần" in html  # 1.013076 says so in its name


def test_search_ignores_diacritics(client: Client, catalogue_rows: dict[str, Procedure]) -> None:
    html = client.get("/motcua/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert _codes(html, catalogue_rows) == ["1.001193"]

    html = client.get("/motcua/thu-tuc/", {"q": "1.000001"}).content.decode()
    assert _codes(html, catalogue_rows) == ["1.000001"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"field": "ho-tich"}, ["1.001193"]),
        ({"level": "province"}, ["1.013076", "2.000693"]),
        ({"online": "partial"}, ["1.013076"]),
        ({"online": "unknown"}, ["1.000001", "1.001193", "2.000693"]),
        ({"level": "commune", "q": "thu nghiem"}, ["1.000001"]),
    ],
)
def test_filters(
    client: Client,
    catalogue_rows: dict[str, Procedure],
    params: dict[str, str],
    expected: list[str],
) -> None:
    response = client.get("/motcua/thu-tuc/", params)
    assert response.status_code == 200
    assert _codes(response.content.decode(), catalogue_rows) == expected


def test_filter_by_receiving_agency(
    client: Client, catalogue_rows: dict[str, Procedure], commune: OrgUnit
) -> None:
    html = client.get("/motcua/thu-tuc/", {"agency": commune.pk}).content.decode()
    assert _codes(html, catalogue_rows) == ["1.001193"]
    assert "UBND phường Phú Cường" in html  # offered in the agency filter


def test_bad_filters_are_explained(client: Client, catalogue_rows: dict[str, Procedure]) -> None:
    response = client.get("/motcua/thu-tuc/", {"field": "khong-co", "q": "?!"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Hãy chọn một lựa chọn hợp lệ" in html
    assert _codes(html, catalogue_rows) == []


def test_an_htmx_request_gets_only_the_results(
    client: Client, catalogue_rows: dict[str, Procedure]
) -> None:
    response = client.get("/motcua/thu-tuc/", {"field": "ho-tich"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="catalogue-table"' in html


def test_the_list_takes_the_same_queries_however_many_procedures(
    client: Client, catalogue_rows: dict[str, Procedure], django_assert_max_num_queries: object
) -> None:
    with acting(via="test"):
        catalogue.import_procedures(
            [portal_record(code=f"1.00010{n}", field="Thử nghiệm") for n in range(8)]
        )
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = client.get("/motcua/thu-tuc/")
    assert "12 thủ tục." in response.content.decode()


def test_the_procedure_page_shows_everything_and_marks_each_gap(
    client: Client, catalogue_rows: dict[str, Procedure], commune: OrgUnit
) -> None:
    response = client.get("/motcua/thu-tuc/1.001193/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Thủ tục đăng ký khai sinh" in html
    for name in ("agency_text", "competent_authority", "time_limit_unit", "online_level"):
        assert f'data-missing="{name}"' in html, name
    assert 'data-missing="is_inter_agency"' in html
    assert "Nguồn không có thông tin</strong> về: Cơ quan thực hiện" in html
    assert 'href="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd' in html
    assert "Miễn phí" in html
    # legal basis: each number links to the search page
    assert f'href="/search/?q={quote("123/2015/NĐ-CP")}"' in html
    # components: documents and notes, with counts and copy type
    assert html.count('<span class="badge text-bg-secondary me-1">Ghi chú</span>') == 25
    assert "Bản chính" in html
    # the internal process with roles, owners and shares
    assert "Thẩm định hồ sơ</strong> — Chuyên viên, cơ quan tiếp nhận hồ sơ;" in html
    assert "60% thời hạn" in html
    assert commune.name in html


def test_a_procedure_without_components_says_the_source_has_none(
    client: Client, catalogue_rows: dict[str, Procedure]
) -> None:
    html = client.get("/motcua/thu-tuc/2.000693/").content.decode()
    assert 'id="components-missing"' in html
    assert 'data-missing="components"' in html
    assert "Chưa có quy trình nội bộ." in html


def test_unknown_and_inactive_procedures_are_not_found(
    client: Client, catalogue_rows: dict[str, Procedure], it_admin: User
) -> None:
    assert client.get("/motcua/thu-tuc/9.999999/").status_code == 404
    catalogue.deactivate_procedure(catalogue_rows["1.000001"])
    assert client.get("/motcua/thu-tuc/1.000001/").status_code == 404
    login(client, it_admin)
    response = client.get("/motcua/thu-tuc/1.000001/")
    assert response.status_code == 200
    assert 'id="procedure-inactive"' in response.content.decode()


def test_a_form_file_is_downloaded_from_the_procedure_page(
    client: Client, catalogue_rows: dict[str, Procedure]
) -> None:
    procedure = catalogue_rows["1.000001"]
    component = procedure.components.get(order=1)
    catalogue.attach_form_file(component, file=ContentFile(b"mau don", name="mau-01.docx"))

    html = client.get("/motcua/thu-tuc/1.000001/").content.decode()
    assert 'href="/motcua/thu-tuc/1.000001/mau/1/"' in html
    response = client.get("/motcua/thu-tuc/1.000001/mau/1/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"mau don"  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    assert client.get("/motcua/thu-tuc/1.000001/mau/2/").status_code == 404


def test_the_import_export_page_is_for_officials(
    client: Client, catalogue_rows: dict[str, Procedure], specialist: User, it_admin: User
) -> None:
    response = client.get("/motcua/thu-tuc/nhap-xuat/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    login(client, make_user(roles=[(Role.CITIZEN, None)]))
    assert client.get("/motcua/thu-tuc/nhap-xuat/").status_code == 403

    login(client, specialist)
    html = client.get("/motcua/thu-tuc/nhap-xuat/").content.decode()
    assert 'id="export-json"' in html and 'id="import-form"' not in html

    login(client, it_admin)
    html = client.get("/motcua/thu-tuc/nhap-xuat/").content.decode()
    assert 'id="import-form"' in html


def test_an_official_downloads_the_export(
    client: Client, catalogue_rows: dict[str, Procedure], specialist: User
) -> None:
    login(client, specialist)

    response = client.get("/motcua/thu-tuc/xuat/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="thu-tuc-hanh-chinh-')
    data = json.loads(response.content)
    assert sorted(p["code"] for p in data["procedures"]) == sorted(catalogue_rows)

    xlsx = client.get("/motcua/thu-tuc/xuat/", {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
    assert client.get("/motcua/thu-tuc/xuat/", {"format": "csv"}).status_code == 400


def test_a_citizen_cannot_download_the_export(client: Client) -> None:
    response = client.get("/motcua/thu-tuc/xuat/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    login(client, make_user(roles=[(Role.CITIZEN, None)]))
    assert client.get("/motcua/thu-tuc/xuat/").status_code == 403


def test_an_it_administrator_imports_a_file_and_sees_the_report(
    client: Client, it_admin: User
) -> None:
    login(client, it_admin)
    upload = SimpleUploadedFile(
        "thu-tuc.json", json.dumps([portal_record()]).encode(), content_type="application/json"
    )

    response = client.post("/motcua/thu-tuc/nhap-xuat/", {"file": upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 thủ tục: thêm 1, cập nhật 0, không đổi 0." in html
    assert Procedure.objects.get().code == "1.000001"


def test_a_bad_upload_lists_the_errors_and_writes_nothing(client: Client, it_admin: User) -> None:
    login(client, it_admin)
    records = [portal_record(), portal_record(code="1.000002", time_limit={"value": "ba"})]
    upload = SimpleUploadedFile("thu-tuc.json", json.dumps(records).encode())

    response = client.post("/motcua/thu-tuc/nhap-xuat/", {"file": upload})

    assert response.status_code == 422
    html = response.content.decode()
    assert "dòng 2 (mã 1.000002): thời hạn không hợp lệ" in html
    assert "Chưa có gì được ghi." in html
    assert Procedure.objects.count() == 0


def test_a_specialist_cannot_import_and_nothing_is_written(
    client: Client, specialist: User
) -> None:
    login(client, specialist)
    upload = SimpleUploadedFile("thu-tuc.json", json.dumps([portal_record()]).encode())

    response = client.post("/motcua/thu-tuc/nhap-xuat/", {"file": upload})

    assert response.status_code == 403
    assert Procedure.objects.count() == 0


def test_only_json_and_xlsx_files_are_accepted(client: Client, it_admin: User) -> None:
    login(client, it_admin)
    upload = SimpleUploadedFile("thu-tuc.csv", b"code,name\n")
    response = client.post("/motcua/thu-tuc/nhap-xuat/", {"file": upload})
    assert response.status_code == 422
    assert "Chỉ nhận tệp .json hoặc .xlsx." in response.content.decode()
