"""The horizon never moves past an event whose transaction is still open."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.db.models import Max

from lienthong.exchange.delivery.horizon import Horizon
from lienthong.exchange.models import OutboxEvent
from lienthong.exchange.outbox import publish

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def hold_open(commit: bool) -> tuple[threading.Thread, threading.Event, threading.Event, list[int]]:
    """A writer on its own connection that publishes and keeps its transaction open."""
    written, release = threading.Event(), threading.Event()
    ids: list[int] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                ids.append(publish("dossier.submitted", "held", {}).pk)
                written.set()
                release.wait(30)
                if not commit:
                    raise Rollback
        except Rollback:
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(30)
    return thread, written, release, ids


def committed(event_type: str = "dossier.received") -> int:
    with transaction.atomic():
        return publish(event_type, "later", {}).pk


def eventually(condition: Callable[[], bool], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("commit", [True, False], ids=["commits", "rolls-back"])
def test_the_horizon_waits_for_an_open_writer(commit: bool) -> None:
    start = committed()
    horizon = Horizon(start=start)
    thread, _written, release, held = hold_open(commit)
    try:
        # A later event commits first; SQLite cannot have a second writer meanwhile.
        later = committed() if connection.vendor == "postgresql" else None
        # Then the horizon stays below the event still being written
        assert horizon.advance() == start
        assert horizon.advance() == start
    finally:
        release.set()
        thread.join(30)
    top = OutboxEvent.objects.aggregate(top=Max("id"))["top"]
    if commit:
        # Once it commits, the horizon passes it (and the later one)
        assert horizon.advance() == top
        assert top >= held[0]
    else:
        # A rolled-back id is a hole for ever: passed once every older transaction ended
        assert eventually(lambda: horizon.advance() == top)
        assert top == (later if later is not None else start)
