"""The demo seeder (about 5,000 parcels, idempotent) and `lienthong land …` commands."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from lienthong.accounts.models import Role, User
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.land import demo
from lienthong.registries.land.geometry import parse_geometry
from lienthong.registries.land.models import BaseLayer, Parcel, ParcelSummary
from lienthong.registries.land.testing import square

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_owner(units: dict[str, AdminUnit]) -> OrgUnit:
    User.objects.create_superuser("superuser", "su@example.vn", "mật-khẩu-thử-nghiệm-12")
    make_user("quanlycsdl", roles=[(Role.SPECIALIST, make_org_unit("Sở Nội vụ"))])
    return make_org_unit("Sở Nông nghiệp và Môi trường", code=demo.OWNER_CODE)


def test_seed_demo_is_realistic_and_idempotent(demo_owner: OrgUnit) -> None:
    lines = demo.seed_demo()
    assert "5.000 thửa đất minh họa ở 4 xã, phường" in lines[0]
    assert Parcel.objects.count() == 5000
    assert ParcelSummary.objects.aggregate(n=Sum("parcels"))["n"] == 5000
    assert set(Parcel.objects.values_list("commune", flat=True).distinct()) == {
        "25747",
        "25750",
        "25771",
        "25819",
    }
    sample = Parcel.objects.order_by("pk")[::500]
    for parcel in sample:
        shape = parse_geometry(parcel.geometry)
        assert parcel.owners and parcel.owners[0]["id"]
        assert abs(float(parcel.area) - shape.area_m2) / shape.area_m2 < 0.02
        assert parcel.area_warning() is None
    town = Parcel.objects.filter(commune="25747").aggregate(a=Sum("area"))["a"] / 1500
    assert 60 < town < 260
    assert Parcel.objects.filter(commune="25819").exclude(commune_legacy="").exists()
    layer = BaseLayer.objects.get(slug=demo.BOUNDARY_LAYER)
    assert layer.feature_count == 4
    editor = User.objects.get(username="quanlycsdl")
    assert editor.has_role("registry_owner", demo_owner)
    # Each parcel lies inside its commune's made-up boundary.
    boundaries = {
        f["properties"]["code"]: parse_geometry(f["geometry"])
        for f in json.loads(layer.geojson)["features"]
    }
    for parcel in sample:
        assert parcel.centroid_lon is not None and parcel.centroid_lat is not None
        assert boundaries[parcel.commune].contains(parcel.centroid_lon, parcel.centroid_lat)
    again = demo.seed_demo()
    assert again[0] == "Đất đai: dữ liệu thửa đất demo đã có."
    assert Parcel.objects.count() == 5000 and BaseLayer.objects.count() == 1


def test_generate_continues_sheets_and_summary_command(demo_owner: OrgUnit) -> None:
    out = StringIO()
    call_command(
        "land",
        "generate",
        "--communes",
        "25747",
        "--count",
        "300",
        "--owner",
        demo.OWNER_CODE,
        stdout=out,
    )
    call_command(
        "land",
        "generate",
        "--communes",
        "25747",
        "--count",
        "300",
        "--owner",
        demo.OWNER_CODE,
        stdout=out,
    )
    assert Parcel.objects.count() == 600
    assert ParcelSummary.objects.filter(commune="25747").aggregate(n=Sum("parcels"))["n"] == 600
    ParcelSummary.objects.all().delete()
    call_command("land", "summary", stdout=out)
    assert ParcelSummary.objects.filter(commune="25747").aggregate(n=Sum("parcels"))["n"] == 600
    with pytest.raises(CommandError, match="99999"):
        call_command("land", "generate", "--communes", "99999", "--owner", demo.OWNER_CODE)


def test_layer_command(demo_owner: OrgUnit, tmp_path: Path) -> None:
    path = tmp_path / "song.geojson"
    path.write_text(
        json.dumps({"type": "Feature", "properties": {}, "geometry": square(106.6, 10.9)})
    )
    out = StringIO()
    call_command(
        "land",
        "layer",
        str(path),
        "--name",
        "Sông Sài Gòn",
        "--kind",
        "water",
        "--owner",
        demo.OWNER_CODE,
        stdout=out,
    )
    assert "1 đối tượng" in out.getvalue()
    assert BaseLayer.objects.get().slug == "song-sai-gon"
    path.write_text("[]")
    with pytest.raises(CommandError, match="FeatureCollection"):
        call_command("land", "layer", str(path), "--name", "Hỏng", "--owner", demo.OWNER_CODE)
    assert BaseLayer.objects.count() == 1
