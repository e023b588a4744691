"""The parcels API: paging, filters, bbox, q, one parcel, create/update with a shape,
422 on bad input (nothing written), 401/403/404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.registries.land.models import Parcel
from lienthong.registries.land.testing import make_parcel, square

pytestmark = pytest.mark.django_db

API = "/api/registries/land/parcels/"


@pytest.fixture
def many(owner: OrgUnit) -> list[Parcel]:
    return [
        make_parcel(
            owner,
            map_sheet=1 + n // 10,
            parcel_number=n + 1,
            land_use="LUC" if n % 5 == 0 else "ODT",
            geometry=square(106.66 + n * 0.001, 10.97),
        )
        for n in range(25)
    ]


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_paging_filters_bbox(client: Client, reader: User, many: list[Parcel]) -> None:
    login(client, reader)
    first = client.get(API, {"limit": 10}).json()
    assert (first["count"], first["limit"], first["offset"], len(first["items"])) == (25, 10, 0, 10)
    last = client.get(API, {"limit": 10, "offset": 20}).json()
    assert [i["parcel_number"] for i in last["items"]] == [21, 22, 23, 24, 25]
    assert client.get(API, {"land_use": "LUC"}).json()["count"] == 5
    assert client.get(API, {"map_sheet": 3}).json()["count"] == 5
    boxed = client.get(API, {"bbox": "106.6595,10.96,106.6625,10.98"}).json()
    assert sorted(i["parcel_number"] for i in boxed["items"]) == [1, 2, 3]
    item = boxed["items"][0]
    assert item["geometry"]["type"] == "Polygon" and item["commune_name"] == "Phường Thủ Dầu Một"
    assert item["land_use"] in (["LUC"], ["ODT"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "106,10"}, "bbox"),
        ({"bbox": "107,10,106,11"}, "bbox"),
        ({"limit": 0}, "limit"),
        ({"limit": 500}, "limit"),
        ({"offset": -1}, "offset"),
        ({"land_use": "XYZ"}, "land_use"),
    ],
)
def test_bad_list_parameters_are_422(
    client: Client, reader: User, params: dict[str, Any], field: str
) -> None:
    login(client, reader)
    response = client.get(API, params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_one_parcel_and_access(
    client: Client, reader: User, outsider: User, other_editor: User, many: list[Parcel]
) -> None:
    url = f"{API}{many[0].pk}"
    assert client.get(url).status_code == 401
    login(client, outsider)
    assert client.get(url).status_code == 403
    client.logout()
    login(client, other_editor)
    assert client.get(url).status_code == 404
    client.logout()
    login(client, reader)
    data = client.get(url).json()
    assert data["bbox"] == [106.66, 10.97, pytest.approx(106.6602), pytest.approx(10.9702)]
    assert client.get(f"{API}999999").status_code == 404


def test_create_update_delete_through_the_api(client: Client, owner: OrgUnit, editor: User) -> None:
    login(client, editor)
    payload = {
        "owner": owner.pk,
        "commune_legacy": "25816",
        "map_sheet": 4,
        "parcel_number": 9,
        "area": "250.5",
        "land_use": ["ONT", "CLN"],
        "owners": [{"id": "074185000123", "name": "Nguyễn Văn An"}],
        "geometry": square(106.59, 11.34, 0.00015),
    }
    created = post(client, API, payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["commune"] == "25819" and body["land_use"] == ["ONT", "CLN"]
    assert body["owners"][0]["kind"] == "person"
    parcel_id = body["id"]
    patched = client.patch(
        f"{API}{parcel_id}",
        json.dumps(
            {"geometry": "POLYGON ((106.59 11.34, 106.5902 11.34, 106.5902 11.3402, 106.59 11.34))"}
        ),
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert patched.json()["geometry"]["coordinates"][0][1] == [106.5902, 11.34]
    history = client.get(f"{API}{parcel_id}/history").json()
    assert [v["action"] for v in history] == ["update", "create"]
    assert client.delete(f"{API}{parcel_id}").status_code == 204
    assert client.get(f"{API}{parcel_id}").status_code == 404
    assert client.post(f"{API}{parcel_id}/restore").status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"geometry": {"type": "Polygon", "coordinates": [[[106.59, 11.34], [106.6, 11.34]]]}},
            "geometry",
            "cần ít nhất 4 điểm",
        ),
        ({"geometry": square(120.5, 30.1)}, "geometry", "nằm ngoài lãnh thổ Việt Nam"),
        ({"geometry": "POLYGON ((1 2"}, "geometry", "WKT"),
        ({"land_use": "ONT+ABC"}, "land_use", "ABC"),
        ({"commune": "12345"}, "commune", "12345"),
        ({"map_sheet": 0}, "map_sheet", ""),
        ({"owners": "0100109107 Công ty X"}, "owners", "sai chữ số kiểm tra"),
    ],
)
def test_bad_parcel_is_422_and_nothing_written(
    client: Client, owner: OrgUnit, editor: User, change: dict[str, Any], field: str, message: str
) -> None:
    login(client, editor)
    payload = {
        "owner": owner.pk,
        "commune": "25747",
        "map_sheet": 1,
        "parcel_number": 1,
        "area": "100",
        "land_use": "ODT",
        **change,
    }
    entries = AuditEntry.objects.count()
    response = post(client, API, payload)
    assert response.status_code == 422
    text = json.dumps(response.json(), ensure_ascii=False)
    assert field in text and message in text
    assert not Parcel.all_objects.exists()
    assert AuditEntry.objects.count() == entries


def test_writes_need_the_registry_role(
    client: Client, owner: OrgUnit, reader: User, other_editor: User
) -> None:
    payload = {
        "owner": owner.pk,
        "commune": "25747",
        "map_sheet": 1,
        "parcel_number": 1,
        "area": "1",
        "land_use": "ODT",
    }
    assert post(client, API, payload).status_code == 401
    login(client, reader)
    assert post(client, API, payload).status_code == 403
    client.logout()
    login(client, other_editor)
    assert post(client, API, payload).status_code == 403
    assert not Parcel.all_objects.exists()
