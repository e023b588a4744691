"""Box queries return exactly the parcels whose box overlaps the query box, on both DBs."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from lienthong.core.models import OrgUnit
from lienthong.registries.land.geometry import boxes_overlap
from lienthong.registries.land.models import SIZE_CLASSES, Parcel, size_class
from lienthong.registries.land.testing import make_parcel, square

pytestmark = pytest.mark.django_db


def test_size_classes() -> None:
    assert size_class((0, 0, 0.0004, 0.0005)) == 0
    assert size_class((0, 0, 0.0006, 0.0001)) == 1
    assert size_class((0, 0, 0.001, 0.001)) == 1
    assert size_class((0, 0, 0.0011, 0.001)) == 2
    assert size_class((100, 0, 120, 20)) == SIZE_CLASSES - 1


def test_random_boxes_match_brute_force(owner: OrgUnit) -> None:
    rnd = random.Random(7)
    boxes = {}
    # Lots from 2 m to 20 km wide around Thủ Dầu Một: every size class up to 15 is used.
    for n in range(1, 301):
        side = 10 ** rnd.uniform(-4.7, -0.7)
        lon, lat = 106.6 + rnd.uniform(0, 0.2), 10.9 + rnd.uniform(0, 0.2)
        parcel = make_parcel(owner, parcel_number=n, geometry=square(lon, lat, side))
        assert parcel.minx is not None and parcel.miny is not None
        assert parcel.maxx is not None and parcel.maxy is not None
        boxes[parcel.pk] = (parcel.minx, parcel.miny, parcel.maxx, parcel.maxy)
    assert len({size_class(b) for b in boxes.values()}) >= 10
    # A parcel without a shape is never on the map; a deleted one neither.
    make_parcel(owner, parcel_number=999)
    gone = make_parcel(owner, parcel_number=998, geometry=square(106.7, 11.0, 0.001))
    Parcel.all_objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    for _ in range(60):
        w, h = 10 ** rnd.uniform(-4, -0.5), 10 ** rnd.uniform(-4, -0.5)
        x, y = 106.55 + rnd.uniform(0, 0.3), 10.85 + rnd.uniform(0, 0.3)
        query = (x, y, x + w, y + h)
        expected = {pk for pk, box in boxes.items() if boxes_overlap(box, query)}
        found = set(Parcel.objects.in_bbox(query).values_list("pk", flat=True))
        assert found == expected, query


def test_touching_edges_count_and_a_gap_does_not(owner: OrgUnit) -> None:
    parcel = make_parcel(owner, geometry=square(106.66, 10.97, 0.001))
    assert list(Parcel.objects.in_bbox((106.661, 10.971, 106.7, 11.0))) == [parcel]
    assert list(Parcel.objects.in_bbox((106.6611, 10.97, 106.7, 11.0))) == []
    assert list(Parcel.objects.in_bbox((106.6, 10.9, 106.65999, 11.0))) == []
    # A box inside the parcel finds it although no corner of the parcel lies in the box.
    assert list(Parcel.objects.in_bbox((106.6604, 10.9704, 106.6605, 10.9705))) == [parcel]
