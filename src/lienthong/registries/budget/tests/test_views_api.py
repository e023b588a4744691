"""Budget pages and API: the report (HTML, XLSX, JSON), who may see it, paging and 422."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.registries.budget.models import BudgetLine, Kind, Stage
from lienthong.registries.budget.testing import BudgetWorld, make_line

API = "/api/registries/budget"


@pytest.fixture
def lines(world: BudgetWorld) -> BudgetWorld:
    make_line(world.health, period="Q1", stage=Stage.PLAN, sub_item_code="6001", amount=300_000_000)
    make_line(
        world.health, period="M01", stage=Stage.ACTUAL, sub_item_code="6001", amount=100_000_001
    )
    make_line(
        world.hospital, period="M02", stage=Stage.ACTUAL, sub_item_code="6501", amount=7_654_321
    )
    make_line(
        world.other,
        period="M01",
        stage=Stage.ACTUAL,
        chapter_code="414",
        sub_item_code="6001",
        amount=5,
    )
    return world


class TestReportPage(PermissionContract):
    @pytest.fixture
    def access(self, lines: BudgetWorld) -> Access:
        return Access(
            url="/csdl/ngan-sach/bao-cao/",
            outside_url=f"/csdl/ngan-sach/bao-cao/?year=2025&period=Y&agency={lines.other.pk}",
            allowed=lines.health_leader,
            denied=lines.citizen,
        )

    def test_object_outside_scope_gets_404(self, db: None, client: Client, access: Access) -> None:
        """The report has no object of its own: another agency's report is simply empty."""
        login(client, access.allowed)
        response = client.get(access.outside_url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Không có số liệu nào cho lựa chọn này" in text and 'data-code="6001"' not in text


class TestLineDetailAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: BudgetWorld) -> Access:
        mine = make_line(world.health)
        theirs = make_line(world.other, chapter_code="414")
        return Access(
            url=f"/csdl/ngan-sach/{mine.pk}/",
            outside_url=f"/csdl/ngan-sach/{theirs.pk}/",
            allowed=world.health_official,
            denied=world.citizen,
        )


class TestLineApiAccess(PermissionContract):
    @pytest.fixture
    def access(self, world: BudgetWorld) -> Access:
        mine = make_line(world.health)
        theirs = make_line(world.other, chapter_code="414")
        return Access(
            url=f"{API}/lines/{mine.pk}",
            outside_url=f"{API}/lines/{theirs.pk}",
            allowed=world.health_official,
            denied=world.citizen,
            api=True,
        )


def test_report_scope(client: Client, lines: BudgetWorld) -> None:
    login(client, lines.health_leader)
    text = client.get("/csdl/ngan-sach/bao-cao/?year=2025&period=Q1").content.decode()
    assert "300.000.000" in text and "100.000.001" in text and "7.654.321" in text
    assert "33,33 %" in text
    # Sở Tư pháp's 5 đồng is not the health leader's to see.
    assert 'data-code="6001"' in text
    body = client.get(f"{API}/report?year=2025&period=Q1").json()
    assert body["totals"]["expenditure"]["actual"] == 100_000_001 + 7_654_321
    login(client, lines.finance_reader)
    body = client.get(f"{API}/report?year=2025&period=Q1").json()
    assert body["totals"]["expenditure"]["actual"] == 100_000_001 + 7_654_321 + 5


def test_report_api_for_an_agency(client: Client, lines: BudgetWorld) -> None:
    login(client, lines.finance_reader)
    code = lines.health.code
    body = client.get(f"{API}/report?year=2025&period=Q1&agency={code}&include_units=false").json()
    rows = {(r["level"], r["code"]): r for r in body["rows"]}
    salaries = rows[("sub_item", "6001")]
    assert (salaries["plan"], salaries["actual"], salaries["rate"]) == (
        300_000_000,
        100_000_001,
        "33.33",
    )
    assert ("sub_item", "6501") not in rows
    assert body["totals"]["expenditure"]["plan_year"] == 300_000_000
    assert body["line_count"] == 2
    with_units = client.get(f"{API}/report?year=2025&period=Q1&agency={lines.health.pk}").json()
    assert with_units["totals"]["expenditure"]["actual"] == 100_000_001 + 7_654_321


@pytest.mark.parametrize(
    ("query", "field"),
    [("period=Y", "year"), ("year=1999", "year"), ("year=2025&period=Q5", "period"),
     ("year=2025&agency=000.99.99.H99", "agency"), ("year=2025&chapter=999", "chapter")],
)  # fmt: skip
def test_report_api_422(client: Client, lines: BudgetWorld, query: str, field: str) -> None:
    login(client, lines.finance_reader)
    response = client.get(f"{API}/report?{query}")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert client.get(f"{API}/report.xlsx?{query}").status_code == 422


def test_report_api_403(client: Client, lines: BudgetWorld) -> None:
    login(client, lines.citizen)
    assert client.get(f"{API}/report?year=2025").status_code == 403
    client.logout()
    assert client.get(f"{API}/report?year=2025").status_code == 401


def test_report_xlsx_page_and_api(client: Client, lines: BudgetWorld) -> None:
    login(client, lines.finance_reader)
    for url in (
        "/csdl/ngan-sach/bao-cao/xlsx/?year=2025&period=Q1",
        f"{API}/report.xlsx?year=2025&period=Q1",
    ):
        response = client.get(url)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        codes = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)]
        assert "6001" in codes and "6501" in codes
    response = client.get("/csdl/ngan-sach/bao-cao/xlsx/?year=abc")
    assert response.status_code == 422


def test_report_page_bad_input(client: Client, lines: BudgetWorld) -> None:
    login(client, lines.finance_reader)
    response = client.get("/csdl/ngan-sach/bao-cao/?year=1800&period=Q1")
    assert response.status_code == 422
    assert "report-table" not in response.content.decode()


def test_report_page_query_count_does_not_grow(client: Client, lines: BudgetWorld) -> None:
    login(client, lines.finance_reader)
    url = "/csdl/ngan-sach/bao-cao/?year=2025&period=Y"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for month in range(2, 13):
        for sub in ("6101", "6301", "6302", "6501", "6551"):
            make_line(lines.health, period=f"M{month:02d}", stage=Stage.ACTUAL, sub_item_code=sub)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_lines_api_filters_and_paging(client: Client, lines: BudgetWorld) -> None:
    login(client, lines.finance_reader)
    body = client.get(f"{API}/lines/?year=2025&agency={lines.health.code}&limit=1").json()
    assert (body["count"], len(body["items"])) == (3, 1)
    assert client.get(f"{API}/lines/?item=6501").json()["count"] == 1
    assert client.get(f"{API}/lines/?item=6000").json()["count"] == 3
    assert client.get(f"{API}/lines/?chapter=414").json()["count"] == 1
    assert client.get(f"{API}/lines/?period=M01").json()["count"] == 2
    for query in ("item=6002", "chapter=999", "year=abc", "limit=500", "period=Q9"):
        response = client.get(f"{API}/lines/?{query}")
        assert response.status_code == 422, query


def test_create_line_through_api(client: Client, lines: BudgetWorld) -> None:
    login(client, lines.health_official)
    payload = {
        "owner": lines.health.pk, "agency": lines.hospital.code, "year": 2025, "period": "M03",
        "kind": "expenditure", "stage": "actual", "chapter_code": "423", "sub_item_code": "6302",
        "amount": 12_345,
    }  # fmt: skip
    response = client.post(f"{API}/lines/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["item_code"] == "6300"
    bad = {**payload, "period": "M04", "sub_item_code": "6002", "kind": "revenue"}
    response = client.post(f"{API}/lines/", bad, content_type="application/json")
    assert response.status_code == 422
    assert "sub_item_code" in response.json()["errors"]
    assert BudgetLine.objects.filter(period="M04").count() == 0
    other = {**payload, "owner": lines.other.pk, "agency": lines.other.pk, "chapter_code": "414"}
    response = client.post(f"{API}/lines/", other, content_type="application/json")
    assert response.status_code == 403


def test_leader_reads_but_does_not_edit(client: Client, lines: BudgetWorld) -> None:
    line = BudgetLine.objects.filter(agency=lines.health, kind=Kind.EXPENDITURE).first()
    assert line is not None
    login(client, lines.health_leader)
    response = client.patch(
        f"{API}/lines/{line.pk}", {"amount": 1}, content_type="application/json"
    )
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.amount != 1


def test_list_page_query_count(client: Client, lines: BudgetWorld) -> None:
    login(client, lines.finance_official)
    url = "/csdl/ngan-sach/?year=2025"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for month in range(3, 13):
        make_line(lines.hospital, period=f"M{month:02d}", stage=Stage.ACTUAL, sub_item_code="6501")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and "Bệnh viện Đa khoa tỉnh" in response.content.decode()
    assert len(many) == len(few)


def test_create_line_through_the_form(client: Client, world: BudgetWorld) -> None:
    login(client, world.health_official)
    data = {
        "owner": world.health.pk, "agency": world.hospital.pk, "year": "2025", "period": "Q3",
        "kind": "expenditure", "stage": "plan", "chapter_code": "423", "item_code": "",
        "sub_item_code": "6501", "amount": "450000000", "description": "Tiền điện quý 3",
    }  # fmt: skip
    response = client.post("/csdl/ngan-sach/them/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    line = BudgetLine.objects.get(description="Tiền điện quý 3")
    assert (line.item_code, line.month_from, line.month_to) == ("6500", 7, 9)
    assert line.amount == 450_000_000
    wrong = {**data, "period": "Q4", "kind": "revenue", "description": "Sai"}
    response = client.post("/csdl/ngan-sach/them/", wrong)
    assert response.status_code == 422
    assert "Mục 6500 là mục chi, không phải thu." in response.content.decode()
    assert not BudgetLine.objects.filter(description="Sai").exists()
