"""Dossier codes `{agency code}-{yyMMdd}-{NNNN}`: format, daily reset per agency, and no
duplicate or gap when submissions race (threads and processes, on SQLite and PostgreSQL).

These tests commit (`transaction=True`): the race is between real transactions."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from lienthong.core.calendar import VN_TZ
from lienthong.onestop import intake
from lienthong.onestop.models import Dossier, DossierCounter
from lienthong.onestop.testing import (
    counter_applicant,
    make_agency,
    make_officer,
    make_procedure,
)

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
PER_THREAD = 4


def _received(procedure: Any) -> list[intake.ReceivedComponent]:
    return [
        intake.ReceivedComponent(c, originals=1, copies=0)
        for c in procedure.components.all()
        if c.is_required
    ]


def test_code_format_and_daily_reset_per_agency() -> None:
    # Given two agencies
    first = make_agency(code="000.00.06.H56")
    second = make_agency(code="000.00.07.H56")
    day = datetime.date(2023, 10, 27)
    # When numbers are taken on two days for both
    with transaction.atomic():
        codes = [
            intake.next_dossier_code(first, day),
            intake.next_dossier_code(first, day),
            intake.next_dossier_code(second, day),
            intake.next_dossier_code(first, day + datetime.timedelta(days=1)),
        ]
    # Then each agency and day counts on its own from 0001
    assert codes == [
        "000.00.06.H56-231027-0001",
        "000.00.06.H56-231027-0002",
        "000.00.07.H56-231027-0001",
        "000.00.06.H56-231028-0001",
    ]
    assert all(intake.normalise_code(code) == code for code in codes)
    assert sorted(DossierCounter.objects.values_list("day", "last_value")) == [
        (day, 1),
        (day, 2),
        (day + datetime.timedelta(days=1), 1),
    ]


def test_a_rolled_back_submission_gives_its_number_back() -> None:
    # Given an agency whose first number was taken in a transaction that rolled back
    agency = make_agency()
    day = datetime.date(2024, 3, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        intake.next_dossier_code(agency, day)
        raise RuntimeError("the submission failed later")
    # When the next submission takes a number, then it is 0001 again: no gap in the register
    with transaction.atomic():
        assert intake.next_dossier_code(agency, day).endswith("-240301-0001")


def test_the_day_of_a_code_is_the_day_in_vietnam() -> None:
    # Given a dossier received at 00:30 on 1 March in Vietnam (still 29 Feb in UTC)
    agency = make_agency(code="000.00.08.H56")
    procedure = make_procedure(agencies=[agency])
    at = datetime.datetime(2024, 3, 1, 0, 30, tzinfo=VN_TZ)
    # When it is received at the counter
    dossier = intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=counter_applicant(),
        components_received=_received(procedure),
        by=make_officer(agency),
        at=at,
    )
    # Then its code carries the Vietnamese date
    assert dossier.code == "000.00.08.H56-240301-0001"


def test_parallel_submissions_get_distinct_consecutive_codes() -> None:
    # Given one agency, one procedure and several officers' threads, each on its own
    # database connection, released together
    agency = make_agency(code="000.00.09.H56")
    procedure = make_procedure(agencies=[agency])
    officers = [make_officer(agency) for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(officer: Any) -> None:
        try:
            start.wait(timeout=30)
            for _ in range(PER_THREAD):
                dossier = intake.receive_at_counter(
                    procedure=procedure,
                    agency=agency,
                    applicant=counter_applicant(),
                    components_received=_received(procedure),
                    by=officer,
                )
                with lock:
                    codes.append(dossier.code)
        except BaseException as exc:  # reported to the main thread, which fails the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(officer,)) for officer in officers]
    # When they all submit at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    # Then every submission succeeded with its own code, numbered 1..N without a gap
    assert errors == []
    total = THREADS * PER_THREAD
    assert len(codes) == total
    assert len(set(codes)) == total
    day = f"{datetime.datetime.now(tz=VN_TZ):%y%m%d}"
    assert sorted(codes) == [f"000.00.09.H56-{day}-{n:04d}" for n in range(1, total + 1)]
    assert sorted(Dossier.objects.values_list("code", flat=True)) == sorted(codes)
    assert DossierCounter.objects.get(agency=agency).last_value == total


CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    import django
    django.setup()
    from django.db import connection
    from lienthong.accounts.models import User
    from lienthong.core.models import OrgUnit
    from lienthong.onestop import intake
    from lienthong.onestop.models import Procedure
    from lienthong.onestop.testing import counter_applicant

    procedure_id, agency_id, officer_id, count, go = sys.argv[1:6]
    procedure = Procedure.objects.get(pk=int(procedure_id))
    agency = OrgUnit.objects.get(pk=int(agency_id))
    officer = User.objects.get(pk=int(officer_id))
    received = [
        intake.ReceivedComponent(c, originals=1, copies=0)
        for c in procedure.components.all() if c.is_required
    ]
    deadline = time.monotonic() + 60
    while not Path(go).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    for _ in range(int(count)):
        dossier = intake.receive_at_counter(
            procedure=procedure, agency=agency, applicant=counter_applicant(),
            components_received=received, by=officer,
        )
        print(dossier.code, flush=True)
    connection.close()
    """
)


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"


def test_parallel_submissions_from_separate_processes(tmp_path: Path) -> None:
    # Given an agency and four separate processes (like gunicorn workers), each with its
    # own officer, waiting for a common start signal
    agency = make_agency(code="000.00.10.H56")
    procedure = make_procedure(agencies=[agency])
    processes, per_process = 4, 5
    officers = [make_officer(agency) for _ in range(processes)]
    go = tmp_path / "go"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "lienthong.settings_test",
    }
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                str(procedure.pk),
                str(agency.pk),
                str(officer.pk),
                str(per_process),
                str(go),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for officer in officers
    ]
    connection.close()  # the children must not wait on a transaction of ours
    time.sleep(1.5)  # let them import Django and reach the start line
    # When the signal is given
    go.touch()
    outputs = [child.communicate(timeout=180) for child in children]
    # Then every process succeeded, and the codes are distinct and consecutive
    assert [child.returncode for child in children] == [0] * processes, [
        err for _out, err in outputs
    ]
    codes = [line for out, _err in outputs for line in out.split()]
    total = processes * per_process
    assert len(set(codes)) == len(codes) == total
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, total + 1))
    assert Dossier.objects.filter(agency=agency).count() == total
