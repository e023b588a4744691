"""Case codes under concurrency: filings racing in threads (each its own connection and real
transaction) get distinct, consecutive numbers; a rolled-back filing gives its number back."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from lienthong.complaints.models import Complaint, ComplaintCounter, Kind
from lienthong.complaints.testing import file_case, make_team, moment

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
PER_THREAD = 3


def test_parallel_filings_get_distinct_consecutive_codes() -> None:
    team = make_team()
    start = threading.Barrier(THREADS)
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(PER_THREAD):
                case = file_case(team, at=moment(2026, 3, 2))
                with lock:
                    codes.append(case.code)
        except BaseException as exc:  # reported to the main thread, which fails the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == []
    total = THREADS * PER_THREAD
    assert sorted(codes) == [f"{team.agency.code}-TC-260302-{n:04d}" for n in range(1, total + 1)]
    assert ComplaintCounter.objects.get(agency=team.agency, kind_code="TC").last_value == total


def test_a_rolled_back_filing_gives_its_number_back() -> None:
    team = make_team()

    class Abort(Exception):
        pass

    def filed_then_aborted() -> Any:
        with transaction.atomic():
            file_case(team, kind=Kind.PETITION, at=moment(2026, 3, 2))
            raise Abort

    with pytest.raises(Abort):
        filed_then_aborted()
    case = file_case(team, kind=Kind.PETITION, at=moment(2026, 3, 2))
    assert case.code == f"{team.agency.code}-PA-260302-0001"
    assert Complaint.objects.count() == 1
