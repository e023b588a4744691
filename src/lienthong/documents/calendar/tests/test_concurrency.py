"""Two clerks booking the same room at the same moment: exactly one wins. These tests commit,
so they run with `transaction=True`."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.documents.calendar import services
from lienthong.documents.calendar.models import Event, Room
from lienthong.documents.calendar.tests.conftest import at

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4


def test_concurrent_bookings_of_one_room_let_exactly_one_through(
    agency: OrgUnit, clerk: User, room: Room
) -> None:
    # given several clerks, each on their own connection, released together
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def book(n: int) -> None:
        try:
            start.wait(timeout=30)
            data = services.EventData(
                title=f"Họp {n}", starts_at=at(0, 8), ends_at=at(0, 10), room=room
            )
            services.create_event(agency=agency, data=data, by=clerk, confirm=True)
            outcomes.append("saved")
        except services.RoomConflict:
            outcomes.append("refused")
        except BaseException as exc:  # reported to the main thread, which fails the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(THREADS)]
    # when they all book the same room for the same hours
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then one booking is saved and the others are refused
    assert errors == []
    assert sorted(outcomes) == ["refused"] * (THREADS - 1) + ["saved"]
    assert Event.objects.filter(room=room).count() == 1
