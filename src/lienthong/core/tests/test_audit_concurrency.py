"""Committed audit writes: concurrent writers keep one chain; the real console script exits
non-zero on damage. These tests commit, so they run with `transaction=True`."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from lienthong.core.audit import (
    GENESIS,
    append_only_guard_disabled,
    head_state,
    missing_guards,
    record,
    verify_chain,
)
from lienthong.core.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
PER_THREAD = 15


def writer(name: str, start: threading.Barrier, errors: list[BaseException]) -> None:
    """One writer on its own connection, recording entries as fast as it can."""
    try:
        start.wait(timeout=30)
        for i in range(PER_THREAD):
            with transaction.atomic():
                record("test.concurrent", object_type="test.writer", object_id=f"{name}-{i}")
    except BaseException as exc:  # reported to the main thread, which fails the test
        errors.append(exc)
    finally:
        connection.close()


def test_concurrent_writers_keep_one_linear_chain() -> None:
    # Given several writers, each with its own database connection, released together
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=writer, args=(f"w{n}", start, errors)) for n in range(THREADS)
    ]
    # When they all record at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # Then nobody failed, and the entries form one chain: seq 1..N without gaps or repeats,
    # each linked to the one before, every writer's entries all present
    assert errors == []
    total = THREADS * PER_THREAD
    entries = list(AuditEntry.objects.chain_order())
    assert [e.seq for e in entries] == list(range(1, total + 1))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert len({e.hash for e in entries}) == total
    assert sorted(e.object_id for e in entries) == sorted(
        f"w{n}-{i}" for n in range(THREADS) for i in range(PER_THREAD)
    )
    assert head_state() == (total, entries[-1].hash)
    report = verify_chain()
    assert (report.ok, report.checked) == (True, total)


def test_a_writer_waits_for_an_open_transaction_instead_of_forking_the_chain() -> None:
    # Given a writer that has recorded but not yet committed
    recorded = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            with transaction.atomic():
                record("test.slow")
                recorded.set()
                release.wait(timeout=30)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def fast() -> None:
        try:
            recorded.wait(timeout=30)
            with transaction.atomic():
                record("test.fast")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for thread in threads:
        thread.start()
    recorded.wait(timeout=30)
    # When the second writer has had time to try, and the first then commits
    threads[1].join(timeout=0.5)
    assert threads[1].is_alive(), "the second writer must wait for the first one's lock"
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    # Then the second writer's entry follows the first one's
    assert errors == []
    assert list(AuditEntry.objects.chain_order().values_list("seq", "action")) == [
        (1, "test.slow"),
        (2, "test.fast"),
    ]
    assert verify_chain().ok is True


def database_url() -> str:
    """DATABASE_URL of the test database, for a subprocess to use."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"


def console(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real `lienthong` console script against the test database."""
    script = Path(sys.executable).with_name("lienthong")
    env = {**os.environ, "DATABASE_URL": database_url()}
    return subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_console_script_exits_non_zero_on_a_damaged_log() -> None:
    # Given three committed entries
    entries = []
    for i in range(3):
        with transaction.atomic():
            entries.append(record(f"test.cli{i}", object_type="core.holiday", object_id=str(i)))
    # When `lienthong audit verify` runs on the intact log
    intact = console("audit", "verify")
    # Then it exits 0 and says so
    assert (intact.returncode, intact.stdout) == (0, "Nhật ký toàn vẹn: 3 bản ghi.\n")
    # When the owner of the database alters the second row behind the triggers' back
    with append_only_guard_disabled():
        AuditEntry.objects.filter(pk=entries[1].pk).update(object_id="999")
    damaged = console("audit", "verify")
    # Then it exits 1 naming the row
    assert damaged.returncode == 1
    assert damaged.stdout == ""
    assert f"Nhật ký KHÔNG toàn vẹn tại bản ghi số 2 (id {entries[1].pk})" in damaged.stderr


def test_flush_empties_the_log_and_leaves_the_triggers_in_place() -> None:
    # Given committed entries
    with transaction.atomic():
        record("test.before_flush")
    # When the whole database is flushed (as every transactional test's teardown does)
    call_command("flush", interactive=False, verbosity=0)
    # Then the log is empty, the head gone, and a new entry is as protected as before
    assert AuditEntry.objects.count() == 0
    assert head_state() == (0, GENESIS)
    assert missing_guards() == []
    with transaction.atomic():
        entry = record("test.after_flush")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.forged")
    assert verify_chain().ok is True
