"""`lienthong exchange verify` as a real process: exit 0 on a sound log, exit 1 and the broken
entry named on a tampered one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("lienthong")

WRITE = """
from lienthong.exchange.messagelog.services import Exchange, record
for n in range(3):
    record(Exchange(service="api.exchange.services.dossiers", subject=f"d{n}", request="x"))
"""
# Someone with the rights to lift the append-only triggers changes an entry.
TAMPER = """
from lienthong.core.audit import append_only_guard_disabled
from lienthong.exchange.messagelog.models import MessageLogEntry
with append_only_guard_disabled():
    MessageLogEntry.objects.filter(seq=2).update(subject="changed")
"""


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.django_db
def test_verify_exits_1_on_a_tampered_log(leg_env: dict[str, str]) -> None:
    assert _run(leg_env, "migrate", "-v0").returncode == 0
    sound = _run(leg_env, "shell", "-c", WRITE)
    assert sound.returncode == 0, sound.stderr
    ok = _run(leg_env, "exchange", "verify", "--bodies")
    assert ok.returncode == 0, ok.stderr
    assert "Chuỗi api: 3 bản ghi toàn vẹn" in ok.stdout

    tampered = _run(leg_env, "shell", "-c", TAMPER)
    assert tampered.returncode == 0, tampered.stderr
    broken = _run(leg_env, "exchange", "verify")
    assert broken.returncode == 1
    assert "Chuỗi api HỎNG tại bản ghi 2" in broken.stderr
    assert "KHÔNG toàn vẹn" in broken.stderr
