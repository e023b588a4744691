"""CSV/XLSX import of parcels (all or nothing, valid rows on request, the row report,
WKT and GeoJSON shapes, legacy communes, duplicates) and exports (CSV, XLSX, GeoJSON)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import importing
from lienthong.registries.base import registry as registries
from lienthong.registries.base.models import ImportJob
from lienthong.registries.land.models import Parcel, ParcelSummary
from lienthong.registries.land.testing import make_parcel, square

pytestmark = pytest.mark.django_db

HEADER = [
    "Mã xã, phường",
    "Mã xã, phường cũ",
    "Số tờ bản đồ",
    "Số thửa",
    "Diện tích (m²)",
    "Loại đất",
    "Người sử dụng đất",
    "Số giấy chứng nhận",
    "Hình thửa (GeoJSON hoặc WKT)",
]
WKT = (
    "POLYGON ((106.661 10.969, 106.6611 10.969, 106.6611 10.9691, 106.661 10.9691, 106.661 10.969))"
)
GOOD = [
    ["25747", "", "3", "10", "120,5", "ODT", "074185000123 Nguyễn Văn An", "CS 000001", WKT],
    [
        "",
        "25816",
        "7",
        "11",
        "1.234,5",
        "LUC",
        "Hợp tác xã Tân Lập",
        "",
        json.dumps(square(106.59, 11.34, 0.0003)),
    ],
    ["25750", "", "3", "10", "300", "ont+cln", "", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def body(response: Any) -> bytes:
    """All the bytes of a streamed response."""
    return b"".join(response.streaming_content)


def run(path: Path, owner: OrgUnit, by: User, **kwargs: Any) -> ImportJob:
    return importing.import_file(registries.get("land"), path, owner=owner, by=by, **kwargs)


def test_good_file_is_imported_with_derived_columns(
    tmp_path: Path, owner: OrgUnit, editor: User
) -> None:
    job = run(write_csv(tmp_path / "thua.csv", GOOD), owner, editor)
    assert (job.status, job.imported_rows, job.error_count) == ("imported", 3, 0)
    first = Parcel.objects.get(commune="25747")
    assert first.area == pytest.approx(120.5) and first.land_use_main == "ODT"
    assert first.owners == [{"kind": "person", "id": "074185000123", "name": "Nguyễn Văn An"}]
    assert first.minx == 106.661 and first.size_class == 0 and (first.geometry_area or 0) > 100
    assert "nguyen van an" in first.search_text
    second = Parcel.objects.get(map_sheet=7)
    assert (second.commune, second.commune_legacy) == ("25819", "25816")
    assert second.area == pytest.approx(1234.5)
    assert second.owners[0]["kind"] == "organisation"
    third = Parcel.objects.get(commune="25750")
    assert third.land_use == "ONT+CLN" and third.minx is None
    # The map summary knows the new parcels; the search finds them by owner.
    assert ParcelSummary.objects.get(commune="25747").parcels == 1
    assert list(Parcel.objects.search("nguyen van an")) == [first]
    assert AuditEntry.objects.filter(action="registry.land.import").count() == 1
    assert OutboxEvent.objects.filter(type="registry.land.imported").count() == 1


def test_file_with_errors_imports_nothing(tmp_path: Path, owner: OrgUnit, editor: User) -> None:
    make_parcel(owner, commune="25750", map_sheet=9, parcel_number=9)
    ParcelSummary.objects.rebuild()
    bad = [
        *GOOD,
        [
            "25747",
            "",
            "3",
            "12",
            "50",
            "ODT",
            "",
            "",
            "POLYGON ((106.6 10.9, 106.7 10.9, 106.7 11))",
        ],
        ["25747", "", "3", "10", "50", "ODT", "", "", ""],  # same as the first row
        ["25750", "", "9", "9", "50", "ODT", "", "", ""],  # in the table already
        ["25747", "", "0", "1", "-3", "ODT", "", "", '{"type": "Point"}'],
        ["99999", "", "1", "1", "3", "XYZ", "", "", ""],
    ]
    job = run(write_csv(tmp_path / "loi.csv", bad), owner, editor)
    assert job.status == "rejected" and job.imported_rows == 0
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "cần ít nhất 4 điểm" in messages[(5, "Hình thửa (GeoJSON hoặc WKT)")]
    assert "trùng với một dòng trước trong tệp" in messages[(6, "Số thửa")]
    assert "đã có trong cơ sở dữ liệu" in messages[(7, "Số thửa")]
    assert "Mã loại đất không có trong danh mục: XYZ." in messages[(9, "Loại đất")]
    assert "không phải số nguyên dương" in messages[(8, "Số tờ bản đồ")]
    assert "không phải diện tích" in messages[(8, "Diện tích (m²)")]
    assert "Point" in messages[(8, "Hình thửa (GeoJSON hoặc WKT)")]
    assert Parcel.objects.count() == 1
    assert list(ParcelSummary.objects.values_list("commune", "parcels")) == [("25750", 1)]
    assert not AuditEntry.objects.filter(action="registry.land.import").exists()
    # Asked for, the valid rows go in and the report still lists the others.
    job = run(write_csv(tmp_path / "loi2.csv", bad), owner, editor, valid_only=True)
    assert (job.status, job.imported_rows) == ("imported", 3)
    assert Parcel.objects.count() == 4
    assert job.error_count >= 7


def test_xlsx_and_legacy_numbers(tmp_path: Path, owner: OrgUnit, editor: User) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["so_to", "so_thua", "ma_xa", "dien_tich", "loai_dat", "hinh_thua"])
    sheet.append([5, 77, 25747, 88.8, "ODT", WKT])
    path = tmp_path / "thua.xlsx"
    workbook.save(path)
    header = ["map_sheet", "parcel_number", "commune", "area", "land_use", "geometry"]
    workbook = Workbook()
    workbook.active.append(header)
    workbook.active.append([5, 77, 25747, 88.8, "ODT", WKT])
    workbook.save(path)
    job = run(path, owner, editor)
    assert job.status == "imported", job.errors
    parcel = Parcel.objects.get()
    assert (parcel.map_sheet, parcel.parcel_number, parcel.commune) == (5, 77, "25747")


def test_import_permission(
    tmp_path: Path, owner: OrgUnit, other_editor: User, reader: User
) -> None:
    from django.core.exceptions import PermissionDenied

    path = write_csv(tmp_path / "thua.csv", GOOD)
    for user in (other_editor, reader):
        with pytest.raises(PermissionDenied):
            run(path, owner, user)
    assert not Parcel.objects.exists()


def test_api_import_422_and_201(
    client: Client, tmp_path: Path, owner: OrgUnit, editor: User
) -> None:
    login(client, editor)
    bad = write_csv(tmp_path / "loi.csv", [*GOOD, ["25747", "", "x", "1", "1", "ODT", "", "", ""]])
    with bad.open("rb") as handle:
        response = client.post(
            "/api/registries/land/parcels/import", {"file": handle, "owner": owner.pk}
        )
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 5
    assert not Parcel.objects.exists()
    good = write_csv(tmp_path / "tot.csv", GOOD)
    with good.open("rb") as handle:
        response = client.post(
            "/api/registries/land/parcels/import", {"file": handle, "owner": owner.pk}
        )
    assert response.status_code == 201
    assert response.json()["imported_rows"] == 3


def test_exports_round_trip(
    client: Client, tmp_path: Path, owner: OrgUnit, editor: User, reader: User
) -> None:
    run(write_csv(tmp_path / "thua.csv", GOOD), owner, editor)
    login(client, reader)
    response = client.get("/csdl/dat-dai/xuat/?format=csv&commune=25747")
    assert response.status_code == 200
    text = body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Mã xã, phường", "Mã xã, phường cũ", "Tên xã, phường", "Số tờ bản đồ"]
    assert len(rows) == 2 and rows[1][2] == "Phường Thủ Dầu Một"
    assert json.loads(rows[1][10])["type"] == "Polygon"
    assert rows[1][8] == "074185000123 Nguyễn Văn An"
    # The export imports back (into an empty table) unchanged.
    Parcel.all_objects.all().delete()
    ParcelSummary.objects.all().delete()
    path = tmp_path / "lai.csv"
    path.write_text(text, encoding="utf-8")
    job = run(path, owner, editor)
    assert job.status == "imported", job.errors
    assert Parcel.objects.get().owners[0]["id"] == "074185000123"
    xlsx = client.get("/csdl/dat-dai/xuat/?format=xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(body(xlsx)), read_only=True)
    assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 2
    geo = client.get("/csdl/dat-dai/xuat.geojson")
    assert geo["Content-Type"] == "application/geo+json"
    data = json.loads(body(geo))
    assert data["type"] == "FeatureCollection"
    assert data["features"][0]["properties"]["owners"] == "074185000123 Nguyễn Văn An"
    api = client.get("/api/registries/land/parcels/export.geojson?commune=25747")
    assert len(json.loads(body(api))["features"]) == 1
    assert client.get("/api/registries/land/parcels/export.geojson?bbox=1").status_code == 422
