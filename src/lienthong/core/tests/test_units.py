"""Administrative units: the load from vietnamadminunits, successor links, address parsing."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from lienthong.cli import main as lienthong_main
from lienthong.core.models import AdminUnit, AuditEntry
from lienthong.core.tests.units_support import committed_units
from lienthong.core.units import (
    AddressNotRecognised,
    LoadReport,
    load_units,
    parse_address,
)

LEGACY, Y2025 = AdminUnit.Era.LEGACY, AdminUnit.Era.Y2025
PROVINCE, DISTRICT, COMMUNE = (
    AdminUnit.Level.PROVINCE,
    AdminUnit.Level.DISTRICT,
    AdminUnit.Level.COMMUNE,
)


@pytest.fixture(scope="module")
def units(django_db_setup: None, django_db_blocker: object) -> Iterator[LoadReport]:
    """All units of both eras, loaded once for this module."""
    with committed_units(django_db_blocker) as report:
        yield report


def unit(era: str, code: str) -> AdminUnit:
    return AdminUnit.objects.select_related("parent__parent", "successor__parent").get(
        era=era, code=code
    )


# --- Loading -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_load_creates_every_unit_of_both_eras(units: LoadReport) -> None:
    # given the module fixture ran the first load on an empty table
    # then it created exactly the package's units
    assert dict(units.created) == {
        (LEGACY, PROVINCE): 63,
        (LEGACY, DISTRICT): 696,
        (LEGACY, COMMUNE): 10035,
        (Y2025, PROVINCE): 34,
        (Y2025, COMMUNE): 3321,
    }
    assert sum(units.updated.values()) == 0
    assert units.unmapped == {}
    assert AdminUnit.objects.legacy().provinces().count() == 63
    assert AdminUnit.objects.legacy().districts().count() == 696
    assert AdminUnit.objects.legacy().communes().count() == 10035
    assert AdminUnit.objects.current().provinces().count() == 34
    assert AdminUnit.objects.current().communes().count() == 3321
    assert AdminUnit.objects.current().districts().count() == 0
    assert AdminUnit.objects.count() == 14149


@pytest.mark.django_db
def test_first_load_is_recorded_once_in_the_audit_log(units: LoadReport) -> None:
    entry = AuditEntry.objects.get(action="adminunit.load")
    assert entry.after is not None
    assert entry.after["created"] == 14149
    assert entry.after["updated"] == 0
    assert entry.object_repr == "vietnamadminunits 1.0.4"


@pytest.mark.django_db
def test_second_load_changes_nothing(units: LoadReport) -> None:
    # given the units are loaded
    before = list(
        AdminUnit.objects.order_by("pk").values_list(
            "pk", "name", "parent_id", "successor_id", "valid_from", "valid_until"
        )
    )
    audit_rows = AuditEntry.objects.count()
    # when the load runs again
    report = load_units()
    # then every row matched: nothing created, nothing updated, nothing audited
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert report.changed is False
    assert sum(report.totals.values()) == 14149
    after = list(
        AdminUnit.objects.order_by("pk").values_list(
            "pk", "name", "parent_id", "successor_id", "valid_from", "valid_until"
        )
    )
    assert after == before
    assert AuditEntry.objects.count() == audit_rows


@pytest.mark.django_db
def test_load_repairs_a_changed_row_and_touches_no_other(units: LoadReport) -> None:
    # given someone renamed a unit and cut its successor link
    AdminUnit.objects.filter(era=LEGACY, code="25747").update(name="Sai tên", successor=None)
    # when the load runs
    report = load_units()
    # then exactly that row is written back
    assert dict(+report.updated) == {(LEGACY, COMMUNE): 1}
    assert sum(report.created.values()) == 0
    repaired = unit(LEGACY, "25747")
    assert repaired.name == "Phường Phú Cường"
    assert repaired.successor is not None and repaired.successor.code == "25747"
    assert AuditEntry.objects.filter(action="adminunit.load").count() == 2


@pytest.mark.django_db
def test_units_carry_their_validity_dates(units: LoadReport) -> None:
    legacy = AdminUnit.objects.legacy()
    current = AdminUnit.objects.current()
    assert legacy.exclude(valid_until=datetime.date(2025, 6, 30)).count() == 0
    assert legacy.exclude(valid_from=None).count() == 0
    assert current.exclude(valid_from=datetime.date(2025, 7, 1)).count() == 0
    assert current.exclude(valid_until=None).count() == 0


@pytest.mark.django_db
def test_tree_of_each_era(units: LoadReport) -> None:
    phu_cuong = unit(LEGACY, "25747")
    assert phu_cuong.parent is not None and phu_cuong.parent.code == "718"
    assert phu_cuong.parent.name == "Thành phố Thủ Dầu Một"
    assert phu_cuong.parent.parent is not None and phu_cuong.parent.parent.code == "74"
    thu_dau_mot = unit(Y2025, "25747")
    assert thu_dau_mot.parent is not None and thu_dau_mot.parent.code == "79"
    assert thu_dau_mot.parent.parent is None
    assert AdminUnit.objects.legacy().communes().filter(parent__level=DISTRICT).count() == 10035
    assert AdminUnit.objects.current().communes().filter(parent__level=PROVINCE).count() == 3321
    assert AdminUnit.objects.provinces().exclude(parent=None).count() == 0


# --- Successors ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_phu_cuong_is_succeeded_by_phuong_thu_dau_mot_in_ho_chi_minh_city(
    units: LoadReport,
) -> None:
    phu_cuong = unit(LEGACY, "25747")
    assert phu_cuong.name == "Phường Phú Cường"
    successor = phu_cuong.successor
    assert successor is not None
    assert (successor.era, successor.level, successor.code) == (Y2025, COMMUNE, "25747")
    assert successor.name == "Phường Thủ Dầu Một"
    assert successor.parent is not None and successor.parent.code == "79"
    assert successor.parent.name == "Thành phố Hồ Chí Minh"
    assert sorted(successor.predecessors.values_list("code", flat=True)) == [
        "25747",
        "25753",
        "25756",
    ]


@pytest.mark.django_db
def test_every_legacy_commune_has_a_2025_successor(units: LoadReport) -> None:
    communes = AdminUnit.objects.legacy().communes()
    assert communes.filter(successor=None).count() == 0
    assert communes.exclude(successor__era=Y2025).count() == 0
    assert communes.exclude(successor__level=COMMUNE).count() == 0


@pytest.mark.django_db
def test_binh_duong_communes_all_go_to_ho_chi_minh_city(units: LoadReport) -> None:
    binh_duong = AdminUnit.objects.legacy().communes().filter(parent__parent__code="74")
    assert binh_duong.count() == 91
    assert set(binh_duong.values_list("successor__parent__code", flat=True)) == {"79"}
    # 91 communes merged into 36 (Resolution 202/2025/QH15 and the province's arrangement)
    assert binh_duong.values("successor").distinct().count() == 36


@pytest.mark.django_db
def test_divided_commune_goes_to_its_default_successor(units: LoadReport) -> None:
    # Phường Chánh Mỹ was split between Chánh Hiệp (default) and Thủ Dầu Một
    chanh_my = unit(LEGACY, "25774")
    assert chanh_my.name == "Phường Chánh Mỹ"
    assert chanh_my.successor is not None
    assert chanh_my.successor.name == "Phường Chánh Hiệp"
    # Phường Tân Đông Hiệp was split between Tân Đông Hiệp (default) and Dĩ An
    tan_dong_hiep = unit(LEGACY, "25948")
    assert tan_dong_hiep.successor is not None
    assert tan_dong_hiep.successor.name == "Phường Tân Đông Hiệp"


@pytest.mark.django_db
def test_provinces_and_island_districts_have_successors(units: LoadReport) -> None:
    binh_duong = unit(LEGACY, "74")
    assert binh_duong.successor is not None and binh_duong.successor.code == "79"
    assert AdminUnit.objects.legacy().provinces().filter(successor=None).count() == 0
    # districts were abolished; only the five island districts without communes became
    # special zones (đặc khu)
    islands = AdminUnit.objects.legacy().districts().exclude(successor=None)
    assert sorted(islands.values_list("code", "successor__name")) == [
        ("318", "Đặc khu Bạch Long Vĩ"),
        ("471", "Đặc khu Cồn Cỏ"),
        ("498", "Đặc khu Hoàng Sa"),
        ("536", "Đặc khu Lý Sơn"),
        ("755", "Đặc khu Côn Đảo"),
    ]
    assert islands.filter(children__isnull=False).count() == 0


# --- Parsing -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        "phuong phu cuong, tp thu dau mot, binh duong",
        "Phường Phú Cường, Thành phố Thủ Dầu Một, Tỉnh Bình Dương",
        "P. Phú Cường, TP. Thủ Dầu Một, Bình Dương",
        "PHUONG PHU CUONG,  THU DAU MOT , BINH DUONG",
    ],
)
def test_parse_legacy_address_with_or_without_diacritics(units: LoadReport, address: str) -> None:
    match = parse_address(address)
    assert match.era == LEGACY
    assert match.legacy_province is not None and match.legacy_province.code == "74"
    assert match.legacy_district is not None and match.legacy_district.code == "718"
    assert match.legacy_commune is not None and match.legacy_commune.code == "25747"
    assert match.province is not None and match.province.code == "79"
    assert match.commune is not None and match.commune.code == "25747"
    assert match.commune.name == "Phường Thủ Dầu Một"
    assert match.predecessors == []


@pytest.mark.django_db
def test_parse_keeps_the_street(units: LoadReport) -> None:
    match = parse_address("12 Yersin, phường Phú Cường, Thủ Dầu Một, Bình Dương")
    assert match.street == "12 Yersin"
    assert match.legacy_commune is not None and match.legacy_commune.code == "25747"


@pytest.mark.django_db
def test_parse_2025_address_lists_its_predecessors(units: LoadReport) -> None:
    match = parse_address("Phường Thủ Dầu Một, Thành phố Hồ Chí Minh")
    assert match.era == Y2025
    assert match.province is not None and match.province.code == "79"
    assert match.commune is not None and match.commune.code == "25747"
    assert match.legacy_commune is None
    assert [(p.code, p.name) for p in match.predecessors] == [
        ("25747", "Phường Phú Cường"),
        ("25753", "Phường Phú Thọ"),
        ("25756", "Phường Chánh Nghĩa"),
    ]
    data = match.as_dict()
    assert data["current"]["commune"]["code"] == "25747"
    assert data["predecessors"][0]["district"]["code"] == "718"
    assert data["predecessors"][0]["province"]["code"] == "74"


@pytest.mark.django_db
def test_parse_2025_address_without_diacritics(units: LoadReport) -> None:
    match = parse_address("phuong thu dau mot, tp ho chi minh")
    assert match.era == Y2025
    assert match.commune is not None and match.commune.code == "25747"


@pytest.mark.django_db
def test_parse_island_district_maps_to_its_special_zone(units: LoadReport) -> None:
    match = parse_address("huyện Côn Đảo, Bà Rịa - Vũng Tàu")
    assert match.era == LEGACY
    assert match.legacy_district is not None and match.legacy_district.code == "755"
    assert match.legacy_commune is None
    assert match.commune is not None and match.commune.name == "Đặc khu Côn Đảo"
    assert match.province is not None and match.province.code == "79"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "reason", "message", "recognised"),
    [
        (
            "xyz abc",
            "nothing",
            "Không nhận ra tỉnh, huyện hay xã, phường nào trong địa chỉ “xyz abc”.",
            [],
        ),
        (
            "binh duong",
            "no_commune",
            "Nhận ra Tỉnh Bình Dương nhưng không nhận ra xã, phường, đặc khu nào trong địa chỉ "
            "“binh duong”.",
            ["74"],
        ),
        (
            "thu dau mot, binh duong",
            "no_commune",
            "Nhận ra Thành phố Thủ Dầu Một, Tỉnh Bình Dương nhưng không nhận ra xã, phường, "
            "thị trấn nào trong địa chỉ “thu dau mot, binh duong”.",
            ["74", "718"],
        ),
        (
            "xa thanh an, tp ho chi minh",
            "ambiguous",
            "Trong địa chỉ “xa thanh an, tp ho chi minh”, tên xã, phường có thể là Xã Thanh An "
            "hoặc Xã Thạnh An (Thành phố Hồ Chí Minh): hãy ghi tên có dấu.",
            ["79"],
        ),
        ("   ", "empty", "Chưa nhập địa chỉ.", []),
    ],
)
def test_parse_refuses_to_guess(
    units: LoadReport, address: str, reason: str, message: str, recognised: list[str]
) -> None:
    with pytest.raises(AddressNotRecognised) as caught:
        parse_address(address)
    assert caught.value.reason == reason
    assert caught.value.message == message
    assert [u.code for u in caught.value.recognised] == recognised


@pytest.mark.django_db
def test_parse_with_diacritics_settles_a_namesake(units: LoadReport) -> None:
    assert parse_address("Xã Thạnh An, TP Hồ Chí Minh").commune.code == "27676"  # type: ignore[union-attr]
    assert parse_address("Xã Thanh An, TP Hồ Chí Minh").commune.code == "25807"  # type: ignore[union-attr]


# --- Command line --------------------------------------------------------------------------


@pytest.mark.django_db
def test_cli_parse_prints_both_eras(units: LoadReport, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("units", "parse", "phuong phu cuong, tp thu dau mot, binh duong")
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Địa chỉ: phuong phu cuong, tp thu dau mot, binh duong",
        "Địa chỉ theo đơn vị hành chính trước 1/7/2025.",
        "Trước 1/7/2025 (tỉnh – huyện – xã):",
        "  Tỉnh/thành phố: Tỉnh Bình Dương (74)",
        "  Quận/huyện: Thành phố Thủ Dầu Một (718)",
        "  Xã/phường: Phường Phú Cường (25747)",
        "Từ 1/7/2025 (tỉnh – xã):",
        "  Tỉnh/thành phố: Thành phố Hồ Chí Minh (79)",
        "  Xã/phường/đặc khu: Phường Thủ Dầu Một (25747)",
    ]


@pytest.mark.django_db
def test_cli_parse_json(units: LoadReport, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("units", "parse", "phuong thu dau mot, ho chi minh", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["era"] == "2025"
    assert data["current"]["commune"]["code"] == "25747"
    assert data["current"]["province"]["code"] == "79"
    assert [p["code"] for p in data["predecessors"]] == ["25747", "25753", "25756"]


@pytest.mark.django_db
def test_cli_parse_unmatched_address_exits_non_zero(
    units: LoadReport, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        lienthong_main(["units", "parse", "khong co dau ca"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Không nhận ra tỉnh, huyện hay xã, phường nào" in captured.err


@pytest.mark.django_db
def test_cli_load_reports_nothing_to_do(
    units: LoadReport, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = AuditEntry.objects.count()
    call_command("units", "load")
    out = capsys.readouterr().out
    assert "Trước 1/7/2025 (ba cấp) — Xã/phường/đặc khu: 10035 (mới 0, cập nhật 0)" in out
    assert "Từ 1/7/2025 (hai cấp) — Xã/phường/đặc khu: 3321 (mới 0, cập nhật 0)" in out
    assert "không có gì thay đổi" in out
    assert AuditEntry.objects.count() == rows
