"""Every land page and endpoint: anonymous → login or 401, citizens and officials without a
right → 403, readers → 200; owner links only to registry records the reader may see."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login
from lienthong.registries.land import owners, services
from lienthong.registries.land.models import BaseLayer
from lienthong.registries.land.testing import make_parcel, square

pytestmark = pytest.mark.django_db

PAGES = [
    "/csdl/dat-dai/",
    "/csdl/dat-dai/ban-do/",
    "/csdl/dat-dai/xuat/?format=csv",
    "/csdl/dat-dai/xuat.geojson",
    "/csdl/dat-dai/{pk}/",
    "/csdl/dat-dai/{pk}/lich-su/",
]
APIS = [
    "/api/registries/land/parcels/",
    "/api/registries/land/parcels/{pk}",
    "/api/registries/land/parcels/export.geojson",
    "/api/registries/land/map?bbox=106,10,107,11&zoom=16",
    "/api/registries/land/tiles/10/815/481.geojson",
    "/api/registries/land/layers",
]


@pytest.fixture
def citizen(db: Any) -> User:
    return make_user("congdan", roles=[(Role.CITIZEN, None)])


@pytest.fixture
def pk(owner: OrgUnit, editor: User) -> int:
    parcel = make_parcel(owner, geometry=square(106.5, 10.5))
    services.save_layer(
        None,
        by=editor,
        geojson=json.dumps({"type": "Feature", "geometry": square(106.5, 10.5)}),
        name="Ranh giới",
        owner=owner,
    )
    return parcel.pk


def fetch(client: Client, url: str) -> Any:
    response = client.get(url)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response


@pytest.mark.parametrize("url", PAGES)
def test_pages(
    client: Client, url: str, pk: int, citizen: User, outsider: User, reader: User
) -> None:
    url = url.format(pk=pk)
    assert fetch(client, url).status_code == 302
    for user, status in ((citizen, 403), (outsider, 403), (reader, 200)):
        login(client, user)
        assert fetch(client, url).status_code == status, (user, url)
        client.logout()


@pytest.mark.parametrize("url", APIS)
def test_api(
    client: Client, url: str, pk: int, citizen: User, outsider: User, reader: User
) -> None:
    url = url.format(pk=pk)
    assert fetch(client, url).status_code == 401
    denied = (citizen, outsider) if "layers" not in url else (citizen,)
    for user in denied:
        login(client, user)
        assert fetch(client, url).status_code == 403, (user, url)
        client.logout()
    login(client, reader)
    assert fetch(client, url).status_code == 200, url


def test_layer_geojson_access(client: Client, pk: int, citizen: User, reader: User) -> None:
    slug = BaseLayer.objects.get().slug
    url = f"/api/registries/land/layers/{slug}.geojson"
    assert client.get(url).status_code == 401
    login(client, citizen)
    assert client.get(url).status_code == 403
    client.logout()
    login(client, reader)
    assert client.get(url).status_code == 200


def test_owner_links_reach_only_visible_persons(owner: OrgUnit, reader: User) -> None:
    from lienthong.registries.population.testing import make_person

    person = make_person(owner, personal_id="074185000123", full_name="Nguyễn Văn An")
    line = [{"kind": "person", "id": "074185000123", "name": "Nguyễn Văn An"}]
    admin = User.objects.create_superuser("quantri", "qt@example.vn", "mật-khẩu-thử-nghiệm-12")
    assert owners.links(line, admin)[0].url == person.get_absolute_url()
    # The land reader has no grant on the population registry: the name, no link.
    assert owners.links(line, reader)[0].url == ""
