"""The dashboard's page, PDF, API and command: who may use them, what they show, bad input."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lienthong.core.testing_permissions import login
from lienthong.dashboard.tests.conftest import JAN_FROM, JAN_TO, World
from lienthong.onestop.stats import ii06a

pytestmark = pytest.mark.django_db

JANUARY = {"from": "2026-01-01", "to": "2026-01-31"}
PAGE, PDF, API = "/bang-dieu-hanh/", "/bang-dieu-hanh/pdf/", "/api/dashboard/summary"


def chart_data(html: str) -> dict[str, Any]:
    """The page's json_script data for the charts."""
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("who", ["specialist", "citizen"])
@pytest.mark.parametrize("url", [PAGE, PDF, API])
def test_others_are_refused(client: Client, world: World, who: str, url: str) -> None:
    login(client, getattr(world, who))
    response = client.get(url, JANUARY)
    assert response.status_code == 403
    assert "Sở Tư pháp thử" not in response.content.decode()


def test_anonymous_is_sent_to_log_in_or_told_401(client: Client, world: World) -> None:
    assert client.get(PAGE).status_code == 302
    assert client.get(PDF).status_code == 302
    assert client.get(API).status_code == 401


def test_the_page_shows_the_leaders_agency_only(client: Client, world: World) -> None:
    login(client, world.justice_leader)
    response = client.get(PAGE, JANUARY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Tư pháp thử" in html
    assert "Sở Y tế thử" not in html
    # one chart container per panel, each with its table, and the data for the charts
    for chart in ("agencies", "trend", "documents", "complaints"):
        assert f'id="chart-{chart}"' in html
        assert f'id="table-{chart}"' in html
    data = chart_data(html)
    assert data["agencies"]["labels"] == ["Sở Tư pháp thử"]
    assert data["agencies"]["received"] == [4]
    assert 'id="kpi-received">4<' in html
    # no inline script or style (strict CSP)
    assert "<script>" not in html and 'style="' not in html
    assert "/static/dashboard/dashboard" in html and "echarts" in html


def test_the_nav_links_the_dashboard_for_those_who_may_see_it(client: Client, world: World) -> None:
    login(client, world.justice_leader)
    assert 'href="/bang-dieu-hanh/"' in client.get("/inbox/").content.decode()
    login(client, world.specialist)
    assert 'href="/bang-dieu-hanh/"' not in client.get("/inbox/").content.decode()


def test_the_province_leader_picks_an_agency(client: Client, world: World) -> None:
    login(client, world.province_leader)
    html = client.get(PAGE, {**JANUARY, "agency": str(world.health.code)}).content.decode()
    assert "Sở Y tế thử và các cơ quan trực thuộc" in html
    data = chart_data(html)
    assert data["agencies"]["labels"] == ["Sở Y tế thử"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-02-01", "to": "2026-01-01"}, "Đến ngày phải sau hoặc bằng từ ngày."),
        ({"from": "hôm qua", "to": "2026-01-01"}, "Từ ngày: nhập theo dạng"),
        ({"period": "custom", "from": "2026-01-01"}, "Nhập cả từ ngày và đến ngày."),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "Kỳ dài nhất là 5 năm."),
        ({"period": "tuan"}, "Kỳ phải là tháng này, năm nay"),
    ],
)
def test_bad_filters_get_a_vietnamese_message(
    client: Client, world: World, query: dict[str, str], message: str
) -> None:
    login(client, world.justice_leader)
    response = client.get(PAGE, query)
    assert response.status_code == 422
    assert message in response.content.decode()
    api = client.get(API, query)
    assert api.status_code == 422
    assert message in json.dumps(api.json(), ensure_ascii=False)


def test_another_agency_is_refused_like_a_missing_one(client: Client, world: World) -> None:
    login(client, world.justice_leader)
    for value in (str(world.health.code), "000.99.99.H99"):
        response = client.get(PAGE, {**JANUARY, "agency": value})
        assert response.status_code == 422
        assert "Không có cơ quan" in response.content.decode()
        assert "Sở Y tế thử" not in response.content.decode()
        api = client.get(API, {**JANUARY, "agency": value})
        assert api.status_code == 422
        assert [e["loc"] for e in api.json()["errors"]] == [["query", "agency"]]


def test_api_gives_the_same_numbers(client: Client, world: World) -> None:
    login(client, world.it_admin)
    body = client.get(API, JANUARY).json()
    report = ii06a(JAN_FROM, JAN_TO, group_by="agency")
    assert [r["label"] for r in body["onestop"]["rows"]] == [r.label for r in report.rows]
    assert body["onestop"]["total"]["received_total"] == report.total.received_total == 7
    assert body["onestop"]["trend"][-1] == {
        "month": "01/2026",
        "received": 6,
        "settled": 5,
        "on_time": 4,
        "on_time_share": 80.0,
    }
    assert body["documents"]["due_working_days"] == 3
    assert body["ict"]["available"] in (True, False)
    login(client, world.justice_leader)
    body = client.get(API, JANUARY).json()
    assert [r["label"] for r in body["onestop"]["rows"]] == ["Sở Tư pháp thử"]
    assert "Sở Y tế thử" not in json.dumps(body, ensure_ascii=False)


def test_the_summary_is_in_the_openapi_schema(client: Client, world: World) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/dashboard/summary"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"from", "to", "agency"}
    assert "SummaryOut" in json.dumps(operation["responses"]["200"])


def test_the_pdf_holds_the_figures_and_the_agency_names(client: Client, world: World) -> None:
    login(client, world.province_leader)
    response = client.get(PDF, JANUARY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Sở Tư pháp thử" in text and "Sở Y tế thử" in text
    assert "Bảng điều hành".upper() in text.upper()
    assert "13,33" in text  # Sở Tư pháp's progress score, Vietnamese decimal comma


def test_the_leaders_pdf_leaves_other_agencies_out(client: Client, world: World) -> None:
    login(client, world.justice_leader)
    text = pdf_text(client.get(PDF, JANUARY).content)
    assert "Sở Tư pháp thử" in text
    assert "Sở Y tế thử" not in text


def test_a_bad_pdf_request_gets_the_page_with_the_message(client: Client, world: World) -> None:
    login(client, world.justice_leader)
    response = client.get(PDF, {"from": "2026-02-01", "to": "2026-01-01"})
    assert response.status_code == 422
    assert "Đến ngày phải sau hoặc bằng từ ngày." in response.content.decode()


def test_the_command_writes_the_same_pdf(world: World, tmp_path: Path) -> None:
    out = tmp_path / "dashboard.pdf"
    call_command(
        "dashboard", "pdf", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out)
    )
    content = out.read_bytes()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Sở Tư pháp thử" in text and "Sở Y tế thử" in text


def test_the_command_refuses_bad_dates_and_writes_nothing(world: World, tmp_path: Path) -> None:
    out = tmp_path / "dashboard.pdf"
    with pytest.raises(CommandError, match=re.escape("Đến ngày phải sau hoặc bằng từ ngày.")):
        call_command(
            "dashboard", "pdf", "--from", "2026-02-01", "--to", "2026-01-01", "--out", str(out)
        )
    assert not out.exists()


def test_the_command_prints_the_summary(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("dashboard", "summary", "--from", "2026-01-01", "--to", "2026-01-31")
    body = json.loads(capsys.readouterr().out)
    assert body["onestop"]["total"]["received_total"] == 7
