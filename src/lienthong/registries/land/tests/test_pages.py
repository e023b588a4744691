"""The registry's pages for parcels: list and search, detail with its small map, edit with
shape and owners, history and revert, permissions, query counts; base-layer pages."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.registries.land import services
from lienthong.registries.land.models import BaseLayer, Parcel
from lienthong.registries.land.testing import make_parcel, square

pytestmark = pytest.mark.django_db

LAYER = {
    "type": "FeatureCollection",
    "features": [{"type": "Feature", "properties": {}, "geometry": square(106.6, 10.9, 0.1)}],
}


@pytest.fixture
def parcel(owner: OrgUnit, editor: User) -> Parcel:
    return services.create_parcel(
        owner=owner,
        data={
            "commune": "25747",
            "map_sheet": 12,
            "parcel_number": 345,
            "area": Decimal("2000"),
            "land_use": "ODT+CLN",
            "owners": "074185000123 Nguyễn Văn An",
            "certificate_number": "CS 012345",
            "geometry": square(106.661, 10.969, 0.0003),
        },
        by=editor,
    )


def page(client: Client, user: User | None, url: str) -> Any:
    if user is not None:
        login(client, user)
    return client.get(url)


def test_list_search_and_filters(
    client: Client, reader: User, parcel: Parcel, owner: OrgUnit
) -> None:
    make_parcel(owner, commune="25750", map_sheet=3, parcel_number=7, land_use="LUC")
    response = page(client, reader, "/csdl/dat-dai/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phường Thủ Dầu Một" in html and "Bản đồ đất đai" in html
    cases = {
        "?q=nguyen+van+an": [345],
        "?q=Nguyễn": [345],
        "?q=074185000123": [345],
        "?owner=nguyen%20van": [345],
        "?commune=25747&map_sheet=12&parcel_number=345": [345],
        "?commune=25750": [7],
        "?land_use=CLN": [345],
        "?land_use=LUC": [7],
        "?map_sheet=12&parcel_number=1": [],
        "?bbox=106.66,10.96,106.67,10.97": [345],
        "?q=cs+012345": [345],
    }
    for query, numbers in cases.items():
        response = client.get(f"/csdl/dat-dai/{query}")
        assert response.status_code == 200, query
        rows = response.context["rows"]
        assert sorted(r["obj"].parcel_number for r in rows) == numbers, query
    bad = client.get("/csdl/dat-dai/?bbox=1,2,3")
    assert bad.status_code == 422
    assert "Khung bản đồ (bbox) phải là 4 số" in bad.content.decode()


def test_list_query_count_does_not_grow_with_rows(
    client: Client, reader: User, owner: OrgUnit
) -> None:
    login(client, reader)
    for n in range(3):
        make_parcel(owner, parcel_number=100 + n)
    client.get("/csdl/dat-dai/")  # warm caches (units, grants) before counting
    with CaptureQueriesContext(connection) as few:
        assert client.get("/csdl/dat-dai/").status_code == 200
    for n in range(20):
        make_parcel(owner, parcel_number=200 + n)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/csdl/dat-dai/").status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 12


def test_detail_shows_owners_uses_warning_and_map(
    client: Client, reader: User, parcel: Parcel
) -> None:
    response = page(client, reader, f"/csdl/dat-dai/{parcel.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thửa 345, tờ 12, Phường Thủ Dầu Một" in html
    assert "Nguyễn Văn An" in html and "074185000123" in html
    assert "Đất ở tại đô thị" in html and "Đất trồng cây lâu năm" in html
    assert 'id="area-warning"' in html and "lệch" in html
    assert 'src="/static/land/vendor/leaflet/leaflet.js"' in html
    assert 'id="parcel-shape"' in html and 'id="parcel-map"' in html
    assert "CS 012345" in html


@pytest.mark.parametrize(
    ("who", "status"), [(None, 302), ("outsider", 403), ("other_editor", 404), ("reader", 200)]
)
def test_detail_access(
    client: Client, request: pytest.FixtureRequest, parcel: Parcel, who: str | None, status: int
) -> None:
    user = request.getfixturevalue(who) if who else None
    assert page(client, user, f"/csdl/dat-dai/{parcel.pk}/").status_code == status


def test_edit_page_validates_shape_and_owners(client: Client, editor: User, parcel: Parcel) -> None:
    login(client, editor)
    url = f"/csdl/dat-dai/{parcel.pk}/sua/"
    form = client.get(url)
    assert form.status_code == 200
    assert "074185000123 Nguyễn Văn An" in form.content.decode()
    data = {
        "owner": parcel.owner_id,
        "commune": "25747",
        "commune_legacy": "",
        "map_sheet": "12",
        "parcel_number": "345",
        "area": "1100",
        "land_use": "ODT",
        "address": "",
        "certificate_number": "CS 012345",
        "note": "",
        "owners_text": "074185000123 Nguyễn Văn An; 0100109106 Công ty Viettel",
        "geometry": "POLYGON ((106.661 10.969, 106.662 10.969, 106.662 10.97))",
    }
    entries = AuditEntry.objects.count()
    bad = client.post(url, data)
    assert bad.status_code == 422
    assert "cần ít nhất 4 điểm" in bad.content.decode()
    bad_owner = client.post(url, {**data, "geometry": "", "owners_text": "0100109107 Công ty X"})
    assert bad_owner.status_code == 422
    assert "sai chữ số kiểm tra" in bad_owner.content.decode()
    assert AuditEntry.objects.count() == entries
    data["geometry"] = (
        "POLYGON ((106.661 10.969, 106.6613 10.969, 106.6613 10.9693, 106.661 10.9693, "
        "106.661 10.969))"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    parcel.refresh_from_db()
    assert parcel.land_use == "ODT" and len(parcel.owners) == 2
    assert parcel.area == Decimal("1100")
    assert parcel.area_warning() is None


def test_edit_denied_to_readers_and_other_agencies(
    client: Client, reader: User, other_editor: User, parcel: Parcel
) -> None:
    assert page(client, reader, f"/csdl/dat-dai/{parcel.pk}/sua/").status_code == 403
    client.logout()
    assert page(client, other_editor, f"/csdl/dat-dai/{parcel.pk}/sua/").status_code == 404
    response = client.post(f"/csdl/dat-dai/{parcel.pk}/xoa/")
    assert response.status_code == 404
    assert Parcel.objects.filter(pk=parcel.pk).exists()


def test_history_and_revert(client: Client, editor: User, parcel: Parcel) -> None:
    services.update_parcel(parcel, data={"land_use": "TMD"}, by=editor)
    login(client, editor)
    history = client.get(f"/csdl/dat-dai/{parcel.pk}/lich-su/")
    assert history.status_code == 200
    assert "TMD" in history.content.decode()
    first = AuditEntry.objects.filter(action="registry.land.create").get()
    response = client.post(f"/csdl/dat-dai/{parcel.pk}/lich-su/{first.seq}/tra-ve/")
    assert response.status_code == 302
    parcel.refresh_from_db()
    assert parcel.land_use == "ODT+CLN" and parcel.land_use_main == "ODT"


def test_layer_pages(client: Client, owner: OrgUnit, editor: User, reader: User) -> None:
    login(client, editor)
    listing = client.get("/csdl/dat-dai/lop-nen/")
    assert listing.status_code == 200 and 'id="land-layer-form"' in listing.content.decode()
    bad = client.post(
        "/csdl/dat-dai/lop-nen/them/",
        {
            "name": "Sông",
            "kind": "water",
            "color": "#0000ff",
            "position": "1",
            "owner": owner.pk,
            "file": SimpleUploadedFile("song.geojson", b'{"type": "FeatureCollection"}'),
        },
    )
    assert bad.status_code == 422
    assert "FeatureCollection có danh sách features" in bad.content.decode()
    assert not BaseLayer.objects.exists()
    good = client.post(
        "/csdl/dat-dai/lop-nen/them/",
        {
            "name": "Ranh giới xã",
            "kind": "boundary",
            "color": "#FF0000",
            "position": "0",
            "shown_by_default": "on",
            "owner": owner.pk,
            "file": SimpleUploadedFile("rg.geojson", json.dumps(LAYER).encode()),
        },
    )
    assert good.status_code == 302
    layer = BaseLayer.objects.get()
    assert (layer.slug, layer.color, layer.feature_count) == ("ranh-gioi-xa", "#ff0000", 1)
    assert AuditEntry.objects.filter(action="land.layer.create").exists()
    client.logout()
    login(client, reader)
    assert client.get("/csdl/dat-dai/lop-nen/ranh-gioi-xa/sua/").status_code == 403
    assert client.post("/csdl/dat-dai/lop-nen/ranh-gioi-xa/xoa/").status_code == 403
    assert client.post("/csdl/dat-dai/lop-nen/them/", {"name": "x"}).status_code == 403
    client.logout()
    login(client, editor)
    assert client.post("/csdl/dat-dai/lop-nen/ranh-gioi-xa/xoa/").status_code == 302
    assert not BaseLayer.objects.alive().exists()


def test_list_is_in_cadastral_order(client: Client, reader: User, owner: OrgUnit) -> None:
    for commune, sheet, number in [
        ("25750", 1, 1),
        ("25747", 10, 1),
        ("25747", 2, 10),
        ("25747", 2, 9),
    ]:
        make_parcel(owner, commune=commune, map_sheet=sheet, parcel_number=number)
    rows = page(client, reader, "/csdl/dat-dai/").context["rows"]
    keys = [(r["obj"].commune, r["obj"].map_sheet, r["obj"].parcel_number) for r in rows]
    assert keys == [("25747", 2, 9), ("25747", 2, 10), ("25747", 10, 1), ("25750", 1, 1)]


def test_admin_pages(client: Client, parcel: Parcel, owner: OrgUnit, editor: User) -> None:
    services.save_layer(None, by=editor, geojson=json.dumps(LAYER), name="Ranh giới", owner=owner)
    admin = User.objects.create_superuser("quantri", "qt@example.vn", "mật-khẩu-thử-nghiệm-12")
    login(client, admin)
    for url in (
        "/admin/land/parcel/",
        f"/admin/land/parcel/{parcel.pk}/change/",
        f"/admin/land/parcel/{parcel.pk}/history/",
        "/admin/land/baselayer/",
    ):
        assert client.get(url).status_code == 200, url
