"""Geometry in plain Python: parsing GeoJSON and WKT, validation messages, area, boxes."""

from __future__ import annotations

import json
import math

import pytest

from lienthong.registries.land import geometry as geo
from lienthong.registries.land.geometry import GeometryError, parse_geometry, parse_wkt

#: A five-corner lot in Thủ Dầu Một (about 120 m × 130 m).
RING = [
    [106.65, 10.97],
    [106.6512, 10.97],
    [106.6512, 10.9708],
    [106.6503, 10.9712],
    [106.65, 10.9708],
    [106.65, 10.97],
]
POLYGON = {"type": "Polygon", "coordinates": [RING]}


def square(lon: float, lat: float, side: float = 0.001) -> list[list[float]]:
    return [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]


def error_of(value: object) -> str:
    with pytest.raises(GeometryError) as caught:
        parse_geometry(value)  # type: ignore[arg-type]
    return caught.value.message


def test_polygon_area_matches_geodesic_reference() -> None:
    """The area agrees with GeographicLib's ellipsoidal polygon area to a square decimetre."""
    geodesic = pytest.importorskip("geographiclib.geodesic")
    shape = parse_geometry(POLYGON)
    reference = geodesic.Geodesic.WGS84.Polygon()
    for lon, lat in RING[:-1]:
        reference.AddPoint(lat, lon)
    expected = abs(reference.Compute()[2])
    assert shape.area_m2 == pytest.approx(expected, abs=0.1)
    assert 14_000 < shape.area_m2 < 15_000


def test_hole_is_taken_out_and_winding_does_not_matter() -> None:
    outer = square(106.6, 10.9, 0.002)
    hole = square(106.6005, 10.9005, 0.001)
    whole = parse_geometry({"type": "Polygon", "coordinates": [outer]}).area_m2
    holed = parse_geometry({"type": "Polygon", "coordinates": [outer, hole]}).area_m2
    reversed_outer = parse_geometry({"type": "Polygon", "coordinates": [outer[::-1]]}).area_m2
    assert holed == pytest.approx(whole * 0.75, rel=1e-4)
    assert reversed_outer == pytest.approx(whole)


def test_multipolygon_bbox_centroid_and_area() -> None:
    a, b = square(106.6, 10.9), square(106.61, 10.9)
    shape = parse_geometry({"type": "MultiPolygon", "coordinates": [[a], [b]]})
    assert shape.geom_type == "MultiPolygon"
    assert shape.bbox == (106.6, 10.9, 106.611, 10.901)
    lon, lat = shape.centroid
    assert lon == pytest.approx(106.6055, abs=1e-6)
    assert lat == pytest.approx(10.9005, abs=1e-6)
    single = parse_geometry({"type": "Polygon", "coordinates": [a]}).area_m2
    assert shape.area_m2 == pytest.approx(2 * single, rel=1e-4)


def test_feature_and_text_are_unwrapped_and_coordinates_rounded() -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": POLYGON}
    assert parse_geometry(feature) == parse_geometry(json.dumps(POLYGON))
    noisy = [[x + 1e-10, y] for x, y in RING]
    noisy[-1] = noisy[0]
    stored = json.loads(parse_geometry({"type": "Polygon", "coordinates": [noisy]}).to_json())
    assert stored["coordinates"][0][0] == [106.65, 10.97]


def test_wkt_polygon_and_multipolygon_round_trip() -> None:
    shape = parse_wkt(
        "SRID=4326;POLYGON Z ((106.65 10.97 3, 106.651 10.97 3, 106.651 10.971 3, 106.65 10.97 3))"
    )
    assert shape.to_wkt() == "POLYGON ((106.65 10.97, 106.651 10.97, 106.651 10.971, 106.65 10.97))"
    multi = parse_geometry(
        "MULTIPOLYGON (((106.6 10.9, 106.601 10.9, 106.601 10.901, 106.6 10.9)),"
        " ((106.7 10.9, 106.701 10.9, 106.701 10.901, 106.7 10.9)))"
    )
    assert multi.geom_type == "MultiPolygon"
    assert parse_geometry(multi.to_wkt()) == multi


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Chưa có hình thửa đất."),
        ("{nope", "Hình thửa đất không phải GeoJSON hợp lệ."),
        (
            {"type": "Point", "coordinates": [106.6, 10.9]},
            "Chỉ nhận hình kiểu Polygon hoặc MultiPolygon, không nhận “Point”.",
        ),
        (
            {"type": "Polygon", "coordinates": [RING[:-1]]},
            "Vòng ngoài của đa giác 1 chưa khép kín: điểm cuối phải trùng điểm đầu.",
        ),
        (
            {"type": "Polygon", "coordinates": [[RING[0], RING[1], RING[0]]]},
            "Vòng ngoài của đa giác 1 cần ít nhất 4 điểm (3 đỉnh và điểm khép lại vòng).",
        ),
        (
            {"type": "Polygon", "coordinates": [[RING[0], RING[1], RING[1], RING[0]]]},
            "Vòng ngoài của đa giác 1 cần ít nhất 3 đỉnh khác nhau.",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [106.6, 10.9],
                        [106.601, 10.901],
                        [106.601, 10.9],
                        [106.6, 10.901],
                        [106.6, 10.9],
                    ]
                ],
            },
            "Vòng ngoài của đa giác 1 tự cắt nhau (các cạnh cắt chéo).",
        ),
        (
            {"type": "Polygon", "coordinates": [[[106.6, "x"], [1, 2], [3, 4], [106.6, "x"]]]},
            'Điểm [106.6, "x"] của vòng 1 không phải cặp số [kinh độ, vĩ độ].',
        ),
        (
            {"type": "Polygon", "coordinates": [square(2.35, 48.85)]},
            "Điểm (2.35, 48.85) của vòng ngoài của đa giác 1 nằm ngoài lãnh thổ Việt Nam "
            "(kinh độ 102–118, vĩ độ 6–23.5).",
        ),
        (
            "LINESTRING (106.6 10.9, 106.7 10.9)",
            "Hình thửa đất không phải WKT hợp lệ: cần POLYGON hoặc MULTIPOLYGON.",
        ),
        ("POLYGON ((106.6 10.9, 106.7 10.9, 106.7 11.0, 106.6 10.9)", "WKT thiếu dấu ngoặc đóng."),
        (
            "SRID=3405;POLYGON ((1 2, 3 4, 5 6, 1 2))",
            "Chỉ nhận tọa độ WGS 84 (SRID 4326), không nhận SRID 3405.",
        ),
    ],
)
def test_bad_shapes_are_refused_with_a_clear_message(value: object, message: str) -> None:
    assert error_of(value) == message


def test_swapped_coordinates_get_a_hint() -> None:
    swapped = [[lat, lon] for lon, lat in RING]
    message = error_of({"type": "Polygon", "coordinates": [swapped]})
    assert message.endswith("Có thể đã đảo thứ tự: GeoJSON ghi kinh độ trước, vĩ độ sau.")


def test_hole_errors_name_the_hole() -> None:
    outer = square(106.6, 10.9, 0.002)
    hole = square(106.6005, 10.9005, 0.001)[:-1]
    message = error_of({"type": "Polygon", "coordinates": [outer, hole]})
    assert message == "Lỗ thứ 1 của đa giác 1 chưa khép kín: điểm cuối phải trùng điểm đầu."


def test_islands_are_inside_vietnam() -> None:
    # Trường Sa (Spratly) island: 114.3 E, 10.4 N.
    assert parse_geometry({"type": "Polygon", "coordinates": [square(114.3, 10.4)]}).area_m2 > 0


def test_area_mismatch_is_a_warning_beyond_tolerance() -> None:
    shape = parse_geometry(POLYGON)
    measured = shape.area_m2
    assert geo.area_mismatch(shape, measured * 1.04, tolerance=0.05) is None
    warning = geo.area_mismatch(shape, measured * 1.5, tolerance=0.05)
    assert warning is not None and "lệch 50%" in warning


@pytest.mark.parametrize(
    "text",
    ["", "1,2,3", "a,b,c,d", "106,10,105,11", "106,10,107,95", "nan,1,2,3"],
)
def test_bad_bbox_is_refused(text: str) -> None:
    with pytest.raises(GeometryError):
        geo.parse_bbox(text)


def test_bbox_and_tiles() -> None:
    assert geo.parse_bbox(" 106.6, 10.9,106.7 ,11 ") == (106.6, 10.9, 106.7, 11.0)
    minx, _miny, maxx, maxy = geo.tile_bbox(0, 0, 0)
    assert (minx, maxx) == (-180, 180)
    assert maxy == pytest.approx(85.0511, abs=1e-4)
    # Tile 14/13045/7689 holds Thủ Dầu Một (106.65 E, 10.97 N).
    box = geo.tile_bbox(14, 13045, 7689)
    assert box[0] < 106.65 < box[2]
    assert box[1] < 10.97 < box[3]
    assert geo.boxes_overlap((0, 0, 1, 1), (1, 1, 2, 2))
    assert not geo.boxes_overlap((0, 0, 1, 1), (1.1, 0, 2, 1))


def test_contains() -> None:
    shape = parse_geometry(POLYGON)
    assert shape.contains(*shape.centroid)
    assert not shape.contains(106.7, 10.97)
    assert math.isclose(shape.centroid[0], 106.6506, abs_tol=1e-3)
