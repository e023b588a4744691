"""Parcels through the services: validation, derived columns, history, soft delete, summary."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import services as registry
from lienthong.registries.land import services
from lienthong.registries.land.models import Parcel, ParcelSummary
from lienthong.registries.land.testing import make_parcel, square

pytestmark = pytest.mark.django_db

SHAPE = square(106.661, 10.969, 0.0003)  # about 33 m × 33 m ≈ 1,080 m²


def data(**extra: Any) -> dict[str, Any]:
    return {
        "commune": "25747",
        "map_sheet": 12,
        "parcel_number": 345,
        "area": Decimal("1080.0"),
        "land_use": "ont+cln",
        "owners": "074185000123 Nguyễn Văn An; 0100109106 Công ty Viettel",
        "certificate_number": "cs  012345",
        "geometry": SHAPE,
        **extra,
    }


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_create_fills_derived_columns_audit_and_event(owner: OrgUnit, editor: User) -> None:
    parcel = services.create_parcel(owner=owner, data=data(), by=editor)
    parcel.refresh_from_db()
    assert parcel.land_use == "ONT+CLN"
    assert parcel.land_use_main == "ONT"
    assert parcel.certificate_number == "CS 012345"
    assert parcel.owners == [
        {"kind": "person", "id": "074185000123", "name": "Nguyễn Văn An"},
        {"kind": "organisation", "id": "0100109106", "name": "Công ty Viettel"},
    ]
    assert (parcel.minx, parcel.miny) == (106.661, 10.969)
    assert parcel.maxx == pytest.approx(106.6613)
    assert parcel.size_class == 0
    assert parcel.geometry_area == pytest.approx(1080, rel=0.02)
    assert json.loads(parcel.geometry)["type"] == "Polygon"
    assert "nguyen van an" in parcel.search_text and "074185000123" in parcel.search_text
    assert "thu dau mot" in parcel.search_text
    assert (
        AuditEntry.objects.filter(action="registry.land.create", object_id=str(parcel.pk)).count()
        == 1
    )
    assert OutboxEvent.objects.filter(type="registry.land.created", subject=str(parcel.pk)).exists()
    summary = ParcelSummary.objects.get(commune="25747")
    assert (summary.parcels, summary.area, summary.located) == (1, Decimal("1080.0"), 1)


def test_legacy_commune_is_converted_and_kept(owner: OrgUnit, editor: User) -> None:
    parcel = services.create_parcel(
        owner=owner, data=data(commune="", commune_legacy="25816"), by=editor
    )
    assert (parcel.commune, parcel.commune_legacy) == ("25819", "25816")
    assert parcel.commune_name == "Xã Trừ Văn Thố"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"commune": "99999"}, "commune", "Không có xã, phường, đặc khu (từ 1/7/2025) mã “99999”."),
        ({"land_use": "ONT+XYZ"}, "land_use", "Mã loại đất không có trong danh mục: XYZ."),
        (
            {"owners": "12345678901 Ai đó"},
            "owners",
            "không phải số định danh cá nhân (12 số) hay mã số thuế",
        ),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[106.6, 10.9], [106.7, 10.9], [106.7, 11.0]]],
                }
            },
            "geometry",
            "Vòng ngoài của đa giác 1 cần ít nhất 4 điểm (3 đỉnh và điểm khép lại vòng).",
        ),
        (
            {"geometry": square(2.35, 48.85)},
            "geometry",
            "nằm ngoài lãnh thổ Việt Nam",
        ),
        ({"area": Decimal("0")}, "area", ""),
    ],
)
def test_bad_data_is_refused_and_nothing_written(
    owner: OrgUnit, editor: User, extra: dict[str, Any], field: str, message: str
) -> None:
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.create_parcel(owner=owner, data=data(**extra), by=editor)
    assert field in errors_of(caught)
    assert message in " ".join(errors_of(caught)[field])
    assert Parcel.all_objects.count() == 0
    assert AuditEntry.objects.count() == entries
    assert not ParcelSummary.objects.exists()


def test_number_is_unique_per_commune_and_sheet(owner: OrgUnit, editor: User) -> None:
    services.create_parcel(owner=owner, data=data(), by=editor)
    services.create_parcel(owner=owner, data=data(map_sheet=13), by=editor)
    services.create_parcel(owner=owner, data=data(commune="25750"), by=editor)
    with pytest.raises(ValidationError) as caught:
        services.create_parcel(owner=owner, data=data(), by=editor)
    assert "Xã, phường này đã có thửa đất cùng số tờ bản đồ và số thửa." in str(caught.value)
    assert Parcel.objects.count() == 3


def test_area_mismatch_is_only_a_warning(owner: OrgUnit, editor: User) -> None:
    parcel = services.create_parcel(owner=owner, data=data(area=Decimal("2000")), by=editor)
    warning = parcel.area_warning()
    assert warning is not None and "lệch" in warning
    close = services.create_parcel(owner=owner, data=data(parcel_number=9), by=editor)
    assert close.area_warning() is None


def test_wkt_shape_is_stored_as_geojson(owner: OrgUnit, editor: User) -> None:
    wkt = (
        "POLYGON ((106.661 10.969, 106.6613 10.969, 106.6613 10.9693, 106.661 10.9693, "
        "106.661 10.969))"
    )
    parcel = services.create_parcel(owner=owner, data=data(geometry=wkt), by=editor)
    assert json.loads(parcel.geometry)["coordinates"][0][0] == [106.661, 10.969]


def test_permissions(owner: OrgUnit, editor: User, other_editor: User, reader: User) -> None:
    with pytest.raises(PermissionDenied):
        services.create_parcel(owner=owner, data=data(), by=other_editor)
    with pytest.raises(PermissionDenied):
        services.create_parcel(owner=owner, data=data(), by=reader)
    parcel = services.create_parcel(owner=owner, data=data(), by=editor)
    with pytest.raises(PermissionDenied):
        services.update_parcel(parcel, data={"area": Decimal("1")}, by=other_editor)
    assert Parcel.objects.get().area == Decimal("1080.0")
    assert list(Parcel.objects.visible_to(reader)) == [parcel]
    assert list(Parcel.objects.visible_to(other_editor)) == []
    assert list(Parcel.objects.editable_by(reader)) == []


def test_update_history_revert_delete_restore(owner: OrgUnit, editor: User) -> None:
    parcel = services.create_parcel(owner=owner, data=data(), by=editor)
    services.update_parcel(
        parcel, data={"land_use": "ODT", "geometry": square(106.662, 10.97, 0.001)}, by=editor
    )
    parcel.refresh_from_db()
    assert parcel.size_class == 1 and parcel.minx == 106.662
    versions = registry.history(parcel)
    assert [v.action for v in versions] == ["update", "create"]
    changed = {c.field for c in versions[0].changes}
    assert {"land_use", "geometry"} <= changed
    assert not changed & {"minx", "size_class", "search_text"}
    registry.revert_record(parcel, entry=versions[1].entry, by=editor)
    parcel.refresh_from_db()
    # Reverting the shape recomputes what derives from it.
    assert (parcel.land_use, parcel.minx, parcel.size_class) == ("ONT+CLN", 106.661, 0)
    services.delete_parcel(parcel, by=editor)
    assert not Parcel.objects.exists()
    assert not ParcelSummary.objects.filter(commune="25747").exists()
    with pytest.raises(ValidationError):
        services.create_parcel(owner=owner, data=data(), by=editor)
    services.restore_parcel(Parcel.all_objects.get(), by=editor)
    assert ParcelSummary.objects.get(commune="25747").parcels == 1


def test_moving_a_parcel_updates_both_summaries(owner: OrgUnit) -> None:
    parcel = make_parcel(owner, commune="25747", geometry=square(106.66, 10.97))
    make_parcel(owner, commune="25750", geometry=square(106.67, 10.98))
    parcel.commune = "25750"
    parcel.save()
    assert not ParcelSummary.objects.filter(commune="25747").exists()
    assert ParcelSummary.objects.get(commune="25750").parcels == 2


def test_owner_links_follow_visibility(owner: OrgUnit, editor: User) -> None:
    from lienthong.registries.land import owners

    links = owners.links(
        [{"kind": "person", "id": "074185000123", "name": "Nguyễn Văn An"}], editor
    )
    assert links[0].name == "Nguyễn Văn An" and links[0].url == ""
