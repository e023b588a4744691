"""The map: its page (vendored Leaflet, no external URL), its API (bbox, zoom, tiles,
commune points, caps, 401/403/422), and the base layers' API."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.registries.land import selectors, services
from lienthong.registries.land.models import ParcelSummary
from lienthong.registries.land.testing import make_parcel, square

pytestmark = pytest.mark.django_db

BOX = "106.65,10.96,106.68,10.98"
LAYER = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Ranh giới"},
            "geometry": square(106.6, 10.9, 0.1),
        }
    ],
}


@pytest.fixture
def parcels(owner: OrgUnit) -> list[Any]:
    made = [
        make_parcel(owner, parcel_number=n, geometry=square(106.66 + n * 0.0003, 10.97))
        for n in range(1, 6)
    ]
    made.append(make_parcel(owner, parcel_number=50, commune="25750", geometry=square(106.7, 11.1)))
    ParcelSummary.objects.rebuild()
    return made


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match.group(1)


def get(client: Client, user: User | None, url: str) -> Any:
    if user is not None:
        login(client, user)
    return client.get(url)


def test_map_page_uses_vendored_leaflet_and_no_external_url(
    client: Client, reader: User, parcels: list[Any]
) -> None:
    response = get(client, reader, "/csdl/dat-dai/ban-do/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/land/vendor/leaflet/leaflet.js"></script>' in html
    assert 'href="/static/land/vendor/leaflet/leaflet.css"' in html
    assert 'src="/static/land/map.js"' in html
    # No CDN, no online tiles: every src and href stays on this site.
    assert not re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html)
    assert "unpkg" not in html and "tile.openstreetmap" not in html
    # The map opens on the parcels the reader may see.
    bounds = json.loads(found(r'data-bounds="([^"]+)"', html).replace("&quot;", '"'))
    assert bounds[0] == pytest.approx(106.6603) and bounds[3] == pytest.approx(11.1002)
    strings = json.loads(found(r'id="land-map-strings"[^>]*>(.*?)</script>', html))
    assert strings["truncated"].startswith("Đang hiện")


def test_vendored_files_are_served(client: Client, reader: User) -> None:
    from django.contrib.staticfiles import finders

    for name in ("leaflet.js", "leaflet.css", "images/layers.png", "images/marker-icon.png"):
        assert finders.find(f"land/vendor/leaflet/{name}"), name


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [(None, 302), ("outsider", 403), ("reader", 200), ("editor", 200)],
)
def test_map_page_access(
    client: Client, request: pytest.FixtureRequest, user_fixture: str | None, status: int
) -> None:
    user = request.getfixturevalue(user_fixture) if user_fixture else None
    assert get(client, user, "/csdl/dat-dai/ban-do/").status_code == status


def test_map_api_parcels_of_the_box(client: Client, reader: User, parcels: list[Any]) -> None:
    response = get(client, reader, f"/api/registries/land/map?bbox={BOX}&zoom=17")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["meta"] == {"mode": "parcels", "count": 5, "truncated": False, "zoom_in": False}
    numbers = sorted(f["properties"]["number"] for f in data["features"])
    assert numbers == [1, 2, 3, 4, 5]
    feature = data["features"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["group"] == "PNN"
    assert feature["properties"]["land_use"] == "ODT"
    only = get(client, None, f"/api/registries/land/map?bbox={BOX}&zoom=17&land_use=LUC").json()
    assert only["features"] == []


def test_map_api_commune_points_when_zoomed_out(
    client: Client, reader: User, parcels: list[Any]
) -> None:
    data = get(client, reader, "/api/registries/land/map?bbox=106,10,108,12&zoom=10").json()
    assert data["meta"]["mode"] == "communes"
    by_commune = {f["properties"]["commune"]: f["properties"] for f in data["features"]}
    assert by_commune["25747"]["count"] == 5
    assert by_commune["25747"]["name"] == "Phường Thủ Dầu Một"
    assert by_commune["25750"]["count"] == 1
    # A box away from a commune leaves it out.
    far = get(client, None, "/api/registries/land/map?bbox=106.69,11.05,106.8,11.2&zoom=12").json()
    assert [f["properties"]["commune"] for f in far["features"]] == ["25750"]


def test_map_is_capped_with_a_zoom_in_flag(
    owner: OrgUnit, reader: User, parcels: list[Any]
) -> None:
    answer = selectors.map_features(reader, (106.65, 10.96, 106.68, 10.98), zoom=17, cap=3)
    data = json.loads(answer.body)
    assert answer.truncated and data["meta"]["zoom_in"] and len(data["features"]) == 3


def test_map_shows_only_visible_parcels(
    client: Client, owner: OrgUnit, other_editor: User, editor: User, parcels: list[Any]
) -> None:
    mine = get(client, editor, f"/api/registries/land/map?bbox={BOX}&zoom=17").json()
    assert mine["meta"]["count"] == 5
    theirs = get(client, other_editor, f"/api/registries/land/map?bbox={BOX}&zoom=17").json()
    assert theirs["meta"]["count"] == 0
    points = get(client, other_editor, "/api/registries/land/map?bbox=106,10,108,12&zoom=9").json()
    assert points["features"] == []


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def test_tiles(client: Client, reader: User, parcels: list[Any]) -> None:
    x, y = tile_of(106.6604, 10.9701, 17)
    assert (x, y) == (104369, 61517)
    response = get(client, reader, f"/api/registries/land/tiles/17/{x}/{y}.geojson")
    assert response.status_code == 200
    assert response.json()["meta"]["mode"] == "parcels"
    assert response.json()["meta"]["count"] >= 1
    low = get(client, None, "/api/registries/land/tiles/8/203/120.geojson").json()
    assert low["meta"]["mode"] == "communes"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/registries/land/map?bbox=1,2,3&zoom=17", "bbox"),
        ("/api/registries/land/map?bbox=106,11,105,12&zoom=17", "bbox"),
        ("/api/registries/land/map?bbox=a,b,c,d", "bbox"),
        (f"/api/registries/land/map?bbox={BOX}&zoom=x", "zoom"),
        (f"/api/registries/land/map?bbox={BOX}&zoom=40", "zoom"),
        ("/api/registries/land/tiles/23/0/0.geojson", "z"),
        ("/api/registries/land/tiles/3/8/0.geojson", "x"),
        ("/api/registries/land/tiles/3/0/9.geojson", "y"),
    ],
)
def test_bad_box_or_tile_is_422(client: Client, reader: User, url: str, field: str) -> None:
    response = get(client, reader, url)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Dữ liệu không hợp lệ."
    assert body["errors"][0]["loc"][-1] == field
    assert body["errors"][0]["msg"]


def test_map_api_access(client: Client, outsider: User, reader: User) -> None:
    url = f"/api/registries/land/map?bbox={BOX}&zoom=17"
    assert client.get(url).status_code == 401
    assert get(client, outsider, url).status_code == 403
    assert get(client, reader, url).status_code == 200


def test_layers_api(client: Client, owner: OrgUnit, editor: User, reader: User) -> None:
    services.save_layer(
        None, by=editor, geojson=json.dumps(LAYER), name="Ranh giới xã", owner=owner
    )
    assert client.get("/api/registries/land/layers").status_code == 401
    listed = get(client, reader, "/api/registries/land/layers").json()
    assert [(x["slug"], x["feature_count"]) for x in listed] == [("ranh-gioi-xa", 1)]
    assert listed[0]["bbox"] == pytest.approx([106.6, 10.9, 106.7, 11.0])
    response = client.get(listed[0]["url"])
    assert response.status_code == 200
    assert response.json()["features"][0]["properties"] == {"name": "Ranh giới"}
    again = client.get(listed[0]["url"], HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get("/api/registries/land/layers/khong-co.geojson").status_code == 404
