"""Form II.06a out of the platform: the page /motcua/thong-ke/, its spreadsheet, the API
/api/onestop/stats/ii06a and `lienthong stats ii06a` — numbers, layout, bad input, access."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lienthong.accounts.models import Role
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import (
    Access,
    check_allowed,
    check_anonymous,
    check_denied,
    login,
)
from lienthong.onestop.testing_stats import (
    Scenario,
    local,
    make_field,
    make_scenario,
    make_stats_dossier,
)

PAGE = "/motcua/thong-ke/"
XLSX = "/motcua/thong-ke/ii06a.xlsx"
API = "/api/onestop/stats/ii06a"
Q1 = {"period": "custom", "from": "2025-01-01", "to": "2025-03-31"}
Q1_API = {"from": "2025-01-01", "to": "2025-03-31"}


@pytest.fixture
def world(db: None) -> Scenario:
    return make_scenario()


@pytest.fixture
def governor(world: Scenario) -> Any:
    """A leader of the province's committee: sees every agency of the scenario."""
    return make_user("lanhdaotinh", roles=[(Role.LEADER, world.province)])


@pytest.fixture
def officer(world: Scenario) -> Any:
    """A one-stop officer of the district: sees the district and the commune below it."""
    return make_user("motcuahuyen", roles=[(Role.ONESTOP_OFFICER, world.district)])


def code(unit: Any) -> str:
    """The agency's identification code (every agency of the scenario has one)."""
    assert unit.code
    return str(unit.code)


def api_errors(response: Any) -> dict[str, list[str]]:
    """The 422 body's messages per query field."""
    found: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        found.setdefault(error["loc"][-1], []).append(error["msg"])
    return found


# --- The page ------------------------------------------------------------------------------


class TestPage:
    def test_table_with_the_forms_headers_rows_and_total(
        self, client: Client, governor: Any
    ) -> None:
        login(client, governor)
        response = client.get(PAGE, Q1)
        assert response.status_code == 200
        html = response.content.decode()
        for header in (
            "Số hồ sơ nhận giải quyết",
            "Số hồ sơ đã giải quyết",
            "Số hồ sơ đang giải quyết",
            "Số kỳ trước chuyển qua",
            "Trực tiếp, dịch vụ bưu chính",
            "Trả trước hạn",
            "Chưa đến hạn",
            "Điểm tiến độ (Quyết định 766/QĐ-TTg, tối đa 20)",
        ):
            assert header in html
        report = response.context["report"]
        assert [row.label for row in report.rows] == ["Đất đai", "Hộ tịch"]
        assert report.total.values() == [17, 5, 4, 8, 7, 3, 2, 2, 8, 3, 5]
        assert (
            '<tr id="stats-total">' in html and "<td>17</td><td>5</td><td>4</td><td>8</td>" in html
        )
        assert "14.29" in html or "14,29" in html
        assert "Có 2 hồ sơ rút hoặc dừng xử lý trong kỳ" in html
        assert 'id="stats-late-units"' in html
        assert f'href="{XLSX}?period=custom&amp;from=2025-01-01&amp;to=2025-03-31"' in html

    def test_opens_on_this_quarter_without_parameters(self, client: Client, governor: Any) -> None:
        login(client, governor)
        response = client.get(PAGE)
        assert response.status_code == 200
        form = response.context["form"]
        assert form.cleaned_data["period"] == "quarter"
        assert form.cleaned_data["to"] >= date.today().replace(day=1)

    def test_month_quarter_and_year_pickers(self, client: Client, governor: Any) -> None:
        login(client, governor)
        cases = {
            ("month", "2", ""): (date(2025, 2, 1), date(2025, 2, 28)),
            ("quarter", "", "1"): (date(2025, 1, 1), date(2025, 3, 31)),
            ("year", "", ""): (date(2025, 1, 1), date(2025, 12, 31)),
        }
        for (period, month, quarter), expected in cases.items():
            response = client.get(
                PAGE, {"period": period, "year": "2025", "month": month, "quarter": quarter}
            )
            report = response.context["report"]
            assert (report.period_from, report.period_to) == expected
        february = client.get(PAGE, {"period": "month", "year": "2025", "month": "2"})
        # a2, a3, a7 and k1; a8 was refused
        assert february.context["report"].total.received_new == 4

    def test_per_agency_for_the_district_with_its_commune(
        self, client: Client, governor: Any, world: Scenario
    ) -> None:
        login(client, governor)
        response = client.get(PAGE, {**Q1, "agency": code(world.district), "by": "agency"})
        report = response.context["report"]
        assert [row.label for row in report.rows] == ["UBND huyện thử", "UBND xã thử"]
        alone = client.get(
            PAGE, {**Q1, "agency": code(world.district), "by": "agency", "subunits": "0"}
        )
        assert [row.label for row in alone.context["report"].rows] == ["UBND huyện thử"]

    def test_agency_selector_lists_only_what_the_official_may_see(
        self, client: Client, officer: Any, world: Scenario
    ) -> None:
        login(client, officer)
        response = client.get(PAGE, Q1)
        assert response.context["agency_choices"] == [
            (world.district.code, "UBND huyện thử"),
            (world.commune.code, "\u2003UBND xã thử"),  # indented under its district
        ]
        report = response.context["report"]
        assert report.total.received_total == 2  # h1 and k1: not the department

    def test_another_agency_is_refused_with_a_message(
        self, client: Client, officer: Any, world: Scenario
    ) -> None:
        login(client, officer)
        response = client.get(PAGE, {**Q1, "agency": code(world.department)})
        assert response.status_code == 422
        assert response.context["report"] is None
        html = response.content.decode()
        assert "bạn không được xem thống kê của cơ quan này" in html
        assert "Sở Tư pháp thử" not in html

    def test_bad_period_is_a_form_error(self, client: Client, governor: Any) -> None:
        login(client, governor)
        response = client.get(PAGE, {"period": "custom", "from": "2025-03-01", "to": "2025-01-31"})
        assert response.status_code == 422
        assert "Đến ngày phải bằng hoặc sau từ ngày." in response.content.decode()
        assert 'id="stats-invalid"' in response.content.decode()

    def test_query_count_does_not_grow_with_the_fields(
        self, client: Client, governor: Any, world: Scenario
    ) -> None:
        login(client, governor)
        client.get(PAGE, Q1)
        with CaptureQueriesContext(connection) as few:
            client.get(PAGE, Q1)
        for i in range(15):
            field = make_field(f"Lĩnh vực thêm {i:02d}")
            make_stats_dossier(agency=world.department, field=field, received_at=local(2025, 2, 1))
        with CaptureQueriesContext(connection) as many:
            response = client.get(PAGE, Q1)
        assert len(response.context["report"].rows) == 17
        assert len(many) == len(few)


class TestPageAccess:
    @pytest.fixture
    def access(self, world: Scenario) -> Access:
        return Access(
            url=f"{PAGE}?period=custom&from=2025-01-01&to=2025-03-31",
            outside_url="",
            allowed=make_user(roles=[(Role.SPECIALIST, world.department)]),
            denied=make_user(roles=[(Role.CITIZEN, None)]),
        )

    def test_anonymous_goes_to_login(self, client: Client, access: Access) -> None:
        check_anonymous(client, access)

    def test_citizen_gets_403(self, client: Client, access: Access) -> None:
        check_denied(client, access)

    def test_official_gets_200(self, client: Client, access: Access) -> None:
        check_allowed(client, access)

    def test_official_without_any_agency_gets_403(self, client: Client, world: Scenario) -> None:
        login(client, make_user("norole", kind="official"))
        assert client.get(PAGE, Q1).status_code == 403
        assert client.get(XLSX, Q1).status_code == 403


# --- The spreadsheet -----------------------------------------------------------------------


class TestSpreadsheet:
    def test_laid_out_like_the_form_with_the_numbers(
        self, client: Client, governor: Any, world: Scenario
    ) -> None:
        login(client, governor)
        response = client.get(XLSX, Q1)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml"
        )
        assert 'filename="II06a_20250101_20250331_field.xlsx"' in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert sheet.title == "II.06a"
        assert sheet["N1"].value == "Biểu số II.06a"
        assert sheet["A2"].value == "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
        assert sheet["A3"].value == "Từ ngày 01/01/2025 đến ngày 31/03/2025"
        assert sheet["A4"].value == "Đơn vị: Toàn tỉnh (các cơ quan được xem)"
        merged = {str(cells) for cells in sheet.merged_cells.ranges}
        assert {"A6:A8", "B6:B8", "C6:F6", "G6:J6", "K6:M6", "N6:N8", "E7:F7", "C7:C8"} <= merged
        assert [sheet.cell(row=6, column=c).value for c in (1, 2, 3, 7, 11)] == [
            "STT",
            "Lĩnh vực",
            "Số hồ sơ nhận giải quyết",
            "Số hồ sơ đã giải quyết",
            "Số hồ sơ đang giải quyết",
        ]
        assert [sheet.cell(row=7, column=c).value for c in range(3, 14)] == [
            "Tổng số",
            "Số kỳ trước chuyển qua",
            "Số mới tiếp nhận",
            None,
            "Tổng số",
            "Trả trước hạn",
            "Trả đúng hạn",
            "Trả quá hạn",
            "Tổng số",
            "Chưa đến hạn",
            "Quá hạn",
        ]
        assert (sheet["E8"].value, sheet["F8"].value) == (
            "Trực tuyến",
            "Trực tiếp, dịch vụ bưu chính",
        )
        assert [sheet.cell(row=9, column=c).value for c in (1, 2, 3, 13, 14)] == [
            "(A)",
            "(B)",
            "(1)",
            "(11)",
            "(12)",
        ]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=10, max_row=12)]
        assert rows[0] == ["1", "Đất đai", 2, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 20.0]
        assert rows[1] == ["2", "Hộ tịch", 15, 5, 3, 7, 6, 2, 2, 2, 7, 2, 5, 13.33]
        assert rows[2] == [None, "Tổng cộng", 17, 5, 4, 8, 7, 3, 2, 2, 8, 3, 5, 14.29]
        texts = [c.value for c in sheet["A"] if isinstance(c.value, str)]
        assert any(t.startswith("Có 2 hồ sơ rút hoặc dừng xử lý") for t in texts)
        late = {
            sheet.cell(row=r, column=2).value: (
                sheet.cell(row=r, column=3).value,
                sheet.cell(row=r, column=4).value,
            )
            for r in range(13, sheet.max_row + 1)
        }
        assert late["Đơn vị làm trễ hạn"] == ("Đã giải quyết quá hạn", "Đang giải quyết quá hạn")
        assert late["Sở Tư pháp thử"] == (1, 1)
        assert late["Chưa xác định đơn vị"] == (0, 3)

    def test_per_agency_names_the_column(self, client: Client, governor: Any) -> None:
        login(client, governor)
        response = client.get(XLSX, {**Q1, "by": "agency"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert sheet["B6"].value == "Cơ quan tiếp nhận"
        assert sheet["B10"].value == "UBND tỉnh thử"

    def test_bad_input_is_the_page_with_errors(self, client: Client, governor: Any) -> None:
        login(client, governor)
        response = client.get(XLSX, {"period": "custom", "from": "2025-13-01", "to": "2025-01-31"})
        assert response.status_code == 422
        assert response["Content-Type"].startswith("text/html")
        assert "Từ ngày: nhập theo dạng 2025-01-01 hoặc 01/01/2025." in response.content.decode()


# --- The API -------------------------------------------------------------------------------


class TestApi:
    def test_json_of_the_report(self, client: Client, governor: Any) -> None:
        login(client, governor)
        response = client.get(API, Q1_API)
        assert response.status_code == 200
        data = response.json()
        assert data["form"] == "II.06a"
        assert (data["period_from"], data["period_to"], data["as_of"]) == (
            "2025-01-01",
            "2025-03-31",
            "2025-03-31",
        )
        assert data["group_by"] == "field" and data["include_subunits"] is True
        assert [row["label"] for row in data["rows"]] == ["Đất đai", "Hộ tịch"]
        total = data["total"]
        assert total["key"] is None
        assert {k: total[k] for k in ("received_total", "carried_over", "settled_total")} == {
            "received_total": 17,
            "carried_over": 5,
            "settled_total": 7,
        }
        assert (total["pending_in_time"], total["pending_overdue"]) == (3, 5)
        assert total["closed_unsettled"] == 2
        assert total["progress_score"] == 14.29
        assert data["late_units"][-1] == {
            "unit_id": None,
            "label": "Chưa xác định đơn vị",
            "settled_late": 0,
            "pending_overdue": 3,
        }

    def test_by_agency_for_one_agency_by_code(
        self, client: Client, governor: Any, world: Scenario
    ) -> None:
        login(client, governor)
        response = client.get(
            API, {**Q1_API, "agency": code(world.district), "by": "agency", "subunits": "0"}
        )
        data = response.json()
        assert data["agency"] == {
            "id": world.district.pk,
            "code": world.district.code,
            "name": "UBND huyện thử",
        }
        assert [(r["key"], r["received_total"]) for r in data["rows"]] == [(world.district.pk, 1)]

    @pytest.mark.parametrize(
        ("params", "field", "message"),
        [
            (
                {"from": "2025-03-01", "to": "2025-01-31"},
                "to",
                "Đến ngày phải bằng hoặc sau từ ngày.",
            ),
            ({"from": "2020-01-01", "to": "2025-01-01"}, "to", "Kỳ báo cáo dài tối đa 5 năm."),
            (
                {"from": "01/13/2025", "to": "2025-01-31"},
                "from",
                "Từ ngày: nhập theo dạng 2025-01-01 hoặc 01/01/2025.",
            ),
            ({"to": "2025-01-31"}, "from", "Chưa nhập từ ngày."),
            (
                {**Q1_API, "by": "procedure"},
                "by",
                "Chỉ tổng hợp theo lĩnh vực (field) hoặc cơ quan (agency).",
            ),
            ({"period": "quarter", "year": "2025"}, "quarter", "Chưa chọn quý."),
            ({"period": "year", "year": "1899"}, "year", "Năm phải trong khoảng 2000–2100."),
        ],
    )
    def test_bad_input_is_422_per_field(
        self, client: Client, governor: Any, params: dict[str, str], field: str, message: str
    ) -> None:
        login(client, governor)
        response = client.get(API, params)
        assert response.status_code == 422, response.content
        assert response.json()["detail"] == "Dữ liệu không hợp lệ."
        assert api_errors(response) == {field: [message]}

    def test_five_years_exactly_is_allowed(self, client: Client, governor: Any) -> None:
        login(client, governor)
        response = client.get(API, {"from": "2021-01-01", "to": "2025-12-31"})
        assert response.status_code == 200
        # every dossier received and not refused: 9 a-, p1, 6 b-, 2 c-, h1, k1
        assert response.json()["total"]["received_total"] == 20

    def test_agency_out_of_scope_is_422_like_one_that_does_not_exist(
        self, client: Client, officer: Any, world: Scenario
    ) -> None:
        login(client, officer)
        hidden = client.get(API, {**Q1_API, "agency": code(world.department)})
        missing = client.get(API, {**Q1_API, "agency": "000.00.99.H99"})
        assert hidden.status_code == missing.status_code == 422
        assert api_errors(hidden)["agency"] == [
            f"Không tìm thấy cơ quan “{world.department.code}”, hoặc bạn không được xem thống "
            "kê của cơ quan này."
        ]
        assert api_errors(missing)["agency"][0].startswith("Không tìm thấy cơ quan “000.00.99")

    def test_scoped_to_what_the_official_may_see(self, client: Client, officer: Any) -> None:
        login(client, officer)
        data = client.get(API, Q1_API).json()
        assert [row["label"] for row in data["rows"]] == ["Đất đai"]
        assert data["total"]["received_total"] == 2  # the district's and the commune's

    def test_anonymous_401_citizen_and_roleless_official_403(
        self, client: Client, world: Scenario
    ) -> None:
        assert client.get(API, Q1_API).status_code == 401
        login(client, make_user(roles=[(Role.CITIZEN, None)]))
        assert client.get(API, Q1_API).status_code == 403
        login(client, make_user("canbo", kind="official"))
        response = client.get(API, Q1_API)
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Bạn chưa được phân quyền xem thống kê của cơ quan nào."
        }


# --- The command line ----------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


class TestCommand:
    def test_text_table(self, world: Scenario) -> None:
        output = run("ii06a", "--from", "2025-01-01", "--to", "2025-03-31")
        lines = output.splitlines()
        assert lines[0] == "Biểu số II.06a — Tình hình, kết quả giải quyết thủ tục hành chính"
        assert lines[1] == "Từ ngày 01/01/2025 đến ngày 31/03/2025"
        total = next(line for line in lines if "Tổng cộng" in line)
        assert total.split()[2:] == [
            "17",
            "5",
            "4",
            "8",
            "7",
            "3",
            "2",
            "2",
            "8",
            "3",
            "5",
            "14.29",
        ]
        assert "  Sở Tư pháp thử: 1 đã giải quyết quá hạn, 1 đang giải quyết quá hạn" in lines

    def test_json_for_one_agency_per_agency(self, world: Scenario) -> None:
        output = run(
            "ii06a",
            "--from=2025-01-01",
            "--to=2025-03-31",
            f"--agency={world.district.code}",
            "--by=agency",
            "--json",
        )
        data = json.loads(output)
        assert [(r["label"], r["received_total"]) for r in data["rows"]] == [
            ("UBND huyện thử", 1),
            ("UBND xã thử", 1),
        ]
        assert data["total"]["progress_score"] == 20.0

    def test_no_subunits(self, world: Scenario) -> None:
        data = json.loads(
            run(
                "ii06a",
                "--from=2025-01-01",
                "--to=2025-03-31",
                f"--agency={world.district.code}",
                "--no-subunits",
                "--json",
            )
        )
        assert data["include_subunits"] is False
        assert data["total"]["received_total"] == 1

    def test_xlsx_file(self, world: Scenario, tmp_path: Path) -> None:
        target = tmp_path / "q1.xlsx"
        output = run("ii06a", "--from=2025-01-01", "--to=2025-03-31", f"--xlsx={target}")
        assert output.strip() == f"Đã ghi biểu II.06a (2 dòng) vào {target}"
        sheet = load_workbook(target).active
        assert sheet is not None
        assert sheet["B12"].value == "Tổng cộng" and sheet["C12"].value == 17

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                ["--from=2025-03-01", "--to=2025-01-01"],
                "--to: Đến ngày phải bằng hoặc sau từ ngày.",
            ),
            (["--from=2019-01-01", "--to=2025-01-01"], "--to: Kỳ báo cáo dài tối đa 5 năm."),
            (
                ["--from=2025-01-01", "--to=2025-03-31", "--agency=000.00.99.H99"],
                "--agency: Không tìm thấy cơ quan “000.00.99.H99”",
            ),
            (
                ["--from=2025-01-01", "--to=2025-03-31", "--by=day"],
                "--by: Chỉ tổng hợp theo lĩnh vực (field) hoặc cơ quan (agency).",
            ),
        ],
    )
    def test_bad_input_fails_with_the_message(
        self, world: Scenario, tmp_path: Path, args: list[str], message: str
    ) -> None:
        target = tmp_path / "never.xlsx"
        with pytest.raises(CommandError) as failure:
            run("ii06a", *args, f"--xlsx={target}")
        assert str(failure.value).startswith(message)
        assert not target.exists()

    def test_without_a_report_name(self, db: None) -> None:
        with pytest.raises(CommandError, match="Hãy chọn một báo cáo"):
            run()
