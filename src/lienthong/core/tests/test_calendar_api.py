"""The calendar API at /api/core/calendar/: public, read-only, 422 with field errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.test import Client

from lienthong.core.calendar import invalidate_cache
from lienthong.core.models import Holiday

pytestmark = pytest.mark.django_db

BASE = "/api/core/calendar"


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    invalidate_cache()
    yield
    invalidate_cache()


def test_due_working_days_for_an_anonymous_caller(client: Client) -> None:
    response = client.get(f"{BASE}/due", {"from": "2023-10-27T09:32", "working_days": "5"})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2023-10-27T09:32:00+07:00",
        "rule": "working_days",
        "amount": "5",
        "due_date": "2023-11-03",
        "due_at": None,
        "years_without_data": [],
    }


def test_due_hours_gives_the_moment(client: Client) -> None:
    response = client.get(f"{BASE}/due", {"from": "2023-10-27T09:32+07:00", "hours": "8"})
    assert response.status_code == 200
    body = response.json()
    assert (body["rule"], body["due_date"], body["due_at"]) == (
        "hours",
        "2023-10-30",
        "2023-10-30T09:32:00+07:00",
    )


def test_due_plain_days(client: Client) -> None:
    response = client.get(f"{BASE}/due", {"from": "2024-01-08T09:00", "days": "31"})
    assert response.json()["due_date"] == "2024-02-15"


def test_unencoded_offset_is_understood(client: Client) -> None:
    # A client that forgot to encode "+" sends a space.
    response = client.get(f"{BASE}/due?from=2023-10-27T02:32+00:00&working_days=5")
    assert response.status_code == 200
    assert response.json()["start"] == "2023-10-27T09:32:00+07:00"


def test_due_bad_input_is_422_with_field_errors(client: Client) -> None:
    response = client.get(f"{BASE}/due", {"from": "hôm nay", "working_days": "-1"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Dữ liệu không hợp lệ.",
        "errors": [
            {
                "loc": ["query", "from"],
                "msg": "Thời điểm “hôm nay” không hợp lệ. Hãy nhập theo dạng 2023-10-27T09:32 "
                "(giờ Việt Nam) hoặc 27/10/2023 09:32.",
                "type": "invalid",
            },
            {
                "loc": ["query", "working_days"],
                "msg": "Số ngày làm việc không được âm.",
                "type": "min_value",
            },
        ],
    }


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2023-10-27T09:32"},
        {"from": "2023-10-27T09:32", "working_days": "5", "hours": "8"},
        {"from": "2023-10-27T09:32", "working_days": "5", "days": "5"},
    ],
)
def test_due_needs_exactly_one_rule(client: Client, params: dict[str, str]) -> None:
    response = client.get(f"{BASE}/due", params)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["query"],
            "msg": "Nhập đúng một trong ba: số ngày làm việc, số ngày theo lịch hoặc số giờ "
            "làm việc.",
            "type": "one_rule",
        }
    ]


def test_due_hours_not_a_number_and_missing_start(client: Client) -> None:
    response = client.get(f"{BASE}/due", {"hours": "tám"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["query", "from"], "msg": "Chưa nhập thời điểm.", "type": "required"},
        {
            "loc": ["query", "hours"],
            "msg": "Số giờ làm việc phải là một số, ví dụ 4 hoặc 1.5.",
            "type": "invalid",
        },
    ]


def test_count(client: Client) -> None:
    response = client.get(f"{BASE}/count", {"from": "2023-10-27T09:32", "to": "2023-10-30T09:32"})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2023-10-27T09:32:00+07:00",
        "end": "2023-10-30T09:32:00+07:00",
        "working_days": 1,
        "working_seconds": 28800,
        "working_hours": "8.0000",
        "years_without_data": [],
    }


def test_count_bad_input(client: Client) -> None:
    response = client.get(f"{BASE}/count", {"from": "2023-10-27T09:32", "to": "mai"})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [["query", "to"]]


def test_holidays_of_a_year(client: Client) -> None:
    response = client.get(f"{BASE}/holidays", {"year": "2024"})
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["has_data"]) == (2024, True)
    assert len(body["holidays"]) == Holiday.objects.filter(date__year=2024).count()
    assert body["holidays"][0] == {
        "date": "2024-01-01",
        "weekday": "Thứ Hai",
        "name": "Tết Dương lịch",
        "source": "holidays 0.109",
        "is_confirmed": True,
    }
    assert [day["date"] for day in body["working_saturdays"]] == ["2024-05-04"]


def test_holidays_of_a_year_without_data(client: Client) -> None:
    body = client.get(f"{BASE}/holidays", {"year": "2090"}).json()
    assert body == {"year": 2090, "has_data": False, "holidays": [], "working_saturdays": []}


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (None, "Chưa nhập năm."),
        ("abc", "Năm phải là một số nguyên, ví dụ 2025."),
        ("3000", "Năm phải từ 1995 đến 2100."),
    ],
)
def test_holidays_bad_year(client: Client, year: str | None, message: str) -> None:
    response = client.get(f"{BASE}/holidays", {"year": year} if year else {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "year"]
    assert response.json()["errors"][0]["msg"] == message


def test_api_is_read_only(client: Client) -> None:
    count = Holiday.objects.count()
    response = client.post(f"{BASE}/holidays", {"year": "2024"})
    assert response.status_code == 405
    assert Holiday.objects.count() == count
    assert not Holiday.objects.filter(date=date(2090, 1, 1)).exists()


def test_schema_documents_the_calendar_endpoints(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {f"/api/core/calendar/{name}" for name in ("due", "count", "holidays")} <= set(paths)
