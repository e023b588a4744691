"""Parallel saves of parcels of one commune keep the map summary right. PostgreSQL: four
transactions open at once, each recounting the commune. SQLite: four threads start their
transactions at once and queue on the write lock (BEGIN IMMEDIATE), each recounting after the
one before committed."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from lienthong.registries.land.models import ParcelSummary
from lienthong.registries.land.testing import make_parcel, make_units, square

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_saves_in_one_commune(transactional_db: Any) -> None:
    from lienthong.core.testing import make_org_unit

    make_units()
    owner = make_org_unit("Sở Nông nghiệp và Môi trường")
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    # SQLite's transaction takes the write lock when it begins: a barrier inside it would
    # wait for threads that wait for that lock.
    inside = connection.vendor == "postgresql"

    def work(n: int) -> None:
        try:
            if not inside:
                barrier.wait(timeout=10)
            with transaction.atomic():
                if inside:
                    barrier.wait(timeout=10)
                make_parcel(owner, parcel_number=n, geometry=square(106.66 + n * 0.001, 10.97))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    total = ParcelSummary.objects.filter(commune="25747").aggregate(n=Sum("parcels"))["n"]
    assert total == 4
