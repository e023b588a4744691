"""Crash safety with real processes: a bulk import and a run of dossier receipts, each killed
with SIGKILL part-way, leave the database consistent — no partial rows, no orphans, an intact
audit chain — and the next run works (DESIGN: writes are one transaction each).

The killed process is `lienthong` itself, in a subprocess on this test's database.
"""

from __future__ import annotations

import csv
import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest
from django.db import connection

from lienthong.core.audit import head_state, verify_chain
from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import intake
from lienthong.onestop.models import Dossier, DossierHistory
from lienthong.onestop.testing import counter_applicant, make_agency, make_officer, make_procedure
from lienthong.registries.base import importing
from lienthong.registries.base import registry as registries
from lienthong.registries.base.models import ImportJob
from lienthong.registries.population.models import Person
from lienthong.registries.population.testing import make_world, personal_id_for
from lienthong.workflow.models import Case, Task

pytestmark = pytest.mark.django_db(transaction=True)

LIENTHONG = [sys.executable, "-m", "lienthong.cli"]
PERSONS = 30_000


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"


def child_env() -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url(), "NATS_URL": ""}


def read_until(stream: IO[str], marker: str, limit: int = 100_000) -> list[str]:
    """Lines of `stream` up to and including the first that contains `marker`."""
    lines = []
    for _ in range(limit):
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"the child ended before printing {marker!r}: {''.join(lines)[-2000:]}")


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL


def write_persons(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc",
             "Thường trú: mã xã mới", "Thường trú: mã xã cũ", "Số hộ", "Quan hệ với chủ hộ"]
        )  # fmt: skip
        for n in range(1, count + 1):
            born = datetime.date(1950 + n % 50, 1 + n % 12, 1 + n % 28)
            sex, word = ("female", "Nữ") if n % 2 else ("male", "Nam")
            writer.writerow(
                [personal_id_for(born, sex, n), f"Trần Thị Sập {n}", born.strftime("%d/%m/%Y"),
                 word, "Kinh", "25747", "", "", ""]
            )  # fmt: skip


def test_an_import_killed_while_writing_leaves_no_row_and_the_next_import_is_whole(
    tmp_path: Path,
) -> None:
    # Given a population file large enough to be killed while its rows are being written
    world = make_world()
    path = tmp_path / "dan-cu.csv"
    write_persons(path, PERSONS)
    audit_before = AuditEntry.objects.count()
    events_before = OutboxEvent.objects.count()

    # When `lienthong registry import` is killed after it reported its first written batch
    process = subprocess.Popen(
        [*LIENTHONG, "registry", "-v", "2", "import", "population", str(path),
         "--owner", str(world.owner.pk)],
        env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    read_until(process.stderr, "đã ghi")
    kill(process)

    # Then none of its rows, no audit entry and no event were kept, and the chain holds
    assert Person.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before
    assert not OutboxEvent.objects.filter(type="registry.population.imported").exists()
    assert OutboxEvent.objects.count() == events_before
    assert verify_chain().ok
    assert not ImportJob.objects.filter(status=ImportJob.Status.IMPORTED).exists()
    if connection.vendor == "sqlite":
        # The import drops the word index's insert trigger for its transaction: it is back.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [f"{Person._meta.db_table}_fts_ai"],
            )
            assert cursor.fetchone()[0] == 1

    # And the same file imported again arrives whole and is found by the search index
    job = importing.import_file(registries.get("population"), path, owner=world.owner, by=None)
    assert job.status == ImportJob.Status.IMPORTED
    assert Person.objects.count() == PERSONS
    found = Person.objects.search("Sập 29999")
    assert [p.full_name for p in found] == ["Trần Thị Sập 29999"]
    assert verify_chain().ok


RECEIVE = """
from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.onestop import intake
from lienthong.onestop.models import Procedure
from lienthong.onestop.testing import counter_applicant
procedure = Procedure.objects.get(pk={procedure})
agency = OrgUnit.objects.get(pk={agency})
officer = User.objects.get(pk={officer})
received = [
    intake.ReceivedComponent(c, originals=1, copies=2)
    for c in procedure.components.order_by("order")
]
while True:
    dossier = intake.receive_at_counter(
        procedure=procedure, agency=agency, applicant=counter_applicant(),
        components_received=received, by=officer,
    )
    print("DONE", dossier.code, flush=True)
"""


def assert_consistent(agency_code: str) -> list[str]:
    """Every dossier whole (case, one open task, history, its events), nothing without its
    dossier, numbers 1…N without a gap, the audit chain intact; the dossiers' codes."""
    dossiers = list(Dossier.objects.order_by("code"))
    codes = [d.code for d in dossiers]
    for dossier in dossiers:
        assert dossier.case_id is not None, dossier.code
        assert Task.objects.filter(case_id=dossier.case_id, status=Task.Status.OPEN).count() == 1
        assert DossierHistory.objects.filter(dossier=dossier).exists(), dossier.code
        received = OutboxEvent.objects.filter(type="dossier.received", subject=dossier.code)
        assert received.count() == 1, dossier.code
    assert Case.objects.filter(module="onestop").count() == len(dossiers)
    subjects = set(
        OutboxEvent.objects.filter(type__startswith="dossier.").values_list("subject", flat=True)
    )
    assert subjects == set(codes)
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, len(codes) + 1))
    assert all(code.startswith(agency_code + "-") for code in codes)
    report = verify_chain()
    assert report.ok, report.reason
    assert head_state()[0] == AuditEntry.objects.count()
    return codes


def test_dossier_receipts_killed_mid_stream_keep_every_acknowledged_dossier_whole() -> None:
    # Given an agency, a procedure and an officer at the counter
    agency = make_agency("UBND phường Chánh Nghĩa", code="000.00.07.H56")
    procedure = make_procedure(agencies=[agency])
    officer = make_officer(agency)
    script = RECEIVE.format(procedure=procedure.pk, agency=agency.pk, officer=officer.pk)
    acknowledged: list[str] = []
    for stop_after in (3, 11, 17):
        # When a process receiving dossiers one after another is killed at some point
        process = subprocess.Popen(
            [*LIENTHONG, "shell", "-c", script],
            env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stdout is not None
        for _ in range(stop_after):
            acknowledged.append(read_until(process.stdout, "DONE")[-1].split()[1])
        kill(process)

        # Then every dossier it acknowledged is there and whole, with nothing half-written
        codes = assert_consistent(str(agency.code))
        assert set(acknowledged) <= set(codes)
        # (at most one more: committed, killed before it printed)
        assert len(set(codes) - set(acknowledged)) <= 1

    # And the counter goes on from the last committed number
    dossier = intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=counter_applicant(),
        components_received=[
            intake.ReceivedComponent(c, originals=1, copies=2)
            for c in procedure.components.order_by("order")
        ],
        by=officer,
    )
    codes = assert_consistent(str(agency.code))
    assert dossier.code == codes[-1]
    assert int(dossier.code.rsplit("-", 1)[1]) == len(codes)
