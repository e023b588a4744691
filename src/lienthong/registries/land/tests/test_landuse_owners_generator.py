"""Land-use codes, the owners line, and the synthetic parcel generator (no database)."""

from __future__ import annotations

import statistics

import pytest
from django.core.exceptions import ValidationError

from lienthong.registries.land import generator, landuse, owners
from lienthong.registries.land.geometry import validate


def test_official_codes_with_names_and_groups() -> None:
    codes = landuse.by_code()
    assert codes["ONT"].name == "Đất ở tại nông thôn"
    assert codes["ODT"].name == "Đất ở tại đô thị"
    assert codes["LUC"].group == "NNP"
    assert codes["CLN"].name == "Đất trồng cây lâu năm"
    assert codes["BCS"].group == "CSD"
    assert set(landuse.groups()) == {"NNP", "PNN", "CSD"}
    assert all(t.group in landuse.groups() for t in landuse.all_types())
    assert all(len(t.code) == 3 and t.code.isupper() for t in landuse.all_types())
    assert ("ONT", "ONT — Đất ở tại nông thôn") in landuse.choices()


def test_parse_codes() -> None:
    assert landuse.parse_codes("ont+cln") == ["ONT", "CLN"]
    assert landuse.parse_codes(" ODT, CLN ;ODT") == ["ODT", "CLN"]
    assert landuse.parse_codes(["LUC"]) == ["LUC"]
    with pytest.raises(ValueError, match=r"Mã loại đất không có trong danh mục: XYZ, ABC\."):
        landuse.parse_codes("ONT+XYZ+ABC")
    with pytest.raises(ValueError, match=r"Chưa có mã loại đất\."):
        landuse.parse_codes(" ")


def test_owners_line_is_parsed_by_identifier_and_name() -> None:
    parsed = owners.parse_owners(
        "079185000123 Nguyễn Văn An; 0100109106 Công ty Viettel;Trương Thị Bình; Hợp tác xã Tân Lập"
    )
    assert parsed == [
        {"kind": "person", "id": "079185000123", "name": "Nguyễn Văn An"},
        {"kind": "organisation", "id": "0100109106", "name": "Công ty Viettel"},
        {"kind": "person", "id": "", "name": "Trương Thị Bình"},
        {"kind": "organisation", "id": "", "name": "Hợp tác xã Tân Lập"},
    ]
    assert owners.parse_owners(owners.format_owners(parsed)) == parsed
    assert owners.parse_owners(parsed) == parsed
    assert owners.parse_owners("") == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("12345678901 Nguyễn Văn An", "không phải số định danh cá nhân (12 số) hay mã số thuế"),
        ("079185000123", "Thiếu tên người sử dụng đất"),
        ("0100109107 Công ty X", "Mã số thuế “0100109107” sai chữ số kiểm tra."),
        ("999185000123 Lê Văn C", "không phải mã tỉnh nơi đăng ký khai sinh"),
    ],
)
def test_bad_owners_are_refused(line: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        owners.parse_owners(line)
    assert message in " ".join(caught.value.messages)


def test_generator_lays_out_valid_realistic_parcels() -> None:
    boundary = generator.commune_boundary(106.661, 10.969, radius_m=2000, seed=3)
    made = list(generator.parcels(106.661, 10.969, count=3000, seed=3, boundary=boundary))
    assert len(made) == 3000
    keys = {(p.sheet, p.number) for p in made}
    assert len(keys) == 3000
    # Every generated shape passes the same validation as an imported one.
    for parcel in made[::50]:
        validate(parcel.geometry.polygons)
        assert boundary.contains(*parcel.geometry.centroid)
    mean = statistics.mean(p.area_m2 for p in made)
    assert 60 < mean < 250  # town lots
    assert {p.land_use[0] for p in made} <= set(landuse.by_code())
    fields = list(generator.parcels(105.8, 21.0, count=500, seed=1, urban=False))
    assert statistics.mean(p.area_m2 for p in fields) > 300


def test_generator_is_deterministic() -> None:
    first = list(generator.parcels(106.6, 10.9, count=50, seed=9))
    again = list(generator.parcels(106.6, 10.9, count=50, seed=9))
    assert first == again
