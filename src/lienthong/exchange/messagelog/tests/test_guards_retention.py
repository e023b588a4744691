"""The message log in the database: append-only triggers, retention behind a checkpoint, and
`lienthong exchange verify | purge`."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone

from lienthong.core.audit import append_only_guard_disabled
from lienthong.core.models import AuditEntry
from lienthong.exchange.messagelog import bodies
from lienthong.exchange.messagelog.guards import missing_guards
from lienthong.exchange.messagelog.models import LogChainHead, LogCheckpoint, MessageLogEntry
from lienthong.exchange.messagelog.retention import purge
from lienthong.exchange.messagelog.services import Exchange, record_many, verify

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _bodies(settings: Any, tmp_path: Path) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "EXCHANGE_BODY_DIR": str(tmp_path / "bodies")}


def _entries(chain: str, ages_days: list[int]) -> None:
    record_many(
        [
            Exchange(
                service="svc",
                chain=chain,
                subject=f"{chain}-{n}",
                request=f"{chain} request {n}",
                at=NOW - datetime.timedelta(days=age),
            )
            for n, age in enumerate(ages_days)
        ]
    )


def _rows(chain: str) -> list[int]:
    return list(
        MessageLogEntry.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True)
    )


def test_every_guard_is_installed() -> None:
    assert missing_guards() == []


@pytest.mark.parametrize(
    "write",
    [
        lambda: MessageLogEntry.objects.filter(seq=1).update(subject="x"),
        lambda: MessageLogEntry.objects.filter(seq=2).delete(),
        lambda: LogChainHead.objects.filter(chain="api").delete(),
        lambda: LogChainHead.objects.filter(chain="api").update(count=1),
        lambda: MessageLogEntry.objects.create(
            chain="api",
            seq=9,
            created_at=NOW,
            direction="in",
            kind="api",
            service="forged",
            outcome="ok",
            prev_hash="0" * 64,
            hash="f" * 64,
        ),
        lambda: LogCheckpoint.objects.create(chain="api", seq=2, prev_hash="0" * 64, purged_at=NOW),
    ],
    ids=["update", "delete", "delete head", "head back", "forged insert", "bad checkpoint"],
)
def test_the_database_refuses_to_rewrite_the_log(write: Any) -> None:
    _entries("api", [1, 1, 1])
    before = list(MessageLogEntry.objects.order_by("pk").values_list("subject", "hash"))
    with pytest.raises(DatabaseError), transaction.atomic():
        write()
    assert list(MessageLogEntry.objects.order_by("pk").values_list("subject", "hash")) == before
    assert LogChainHead.objects.get(chain="api").count == 3
    assert not LogCheckpoint.objects.exists()


def test_purge_keeps_what_is_younger_and_the_chain_still_verifies() -> None:
    _entries("api", [200, 150, 100, 10, 1])
    _entries("webhook", [5])
    old_body = MessageLogEntry.objects.get(chain="api", seq=1).request_digest
    (api, webhook) = purge(older_than_days=90)
    assert (api.chain, api.removed, api.first_kept) == ("api", 3, 4)
    assert (webhook.removed, webhook.first_kept) == (0, 1)
    assert _rows("api") == [4, 5] and _rows("webhook") == [1]
    checkpoint = LogCheckpoint.objects.get(chain="api")
    assert (checkpoint.seq, checkpoint.purged_count) == (4, 3)
    assert bodies.load(old_body) is None and api.bodies_removed == 3
    assert all(c.ok for c in verify(bodies_too=True))
    audit = AuditEntry.objects.filter(action="exchange.log.purge").get()
    assert audit.after == {"chain": "api", "first_seq": 4, "removed": 3}
    # The chain goes on after the checkpoint; a second purge moves it forward.
    _entries("api", [0])
    assert _rows("api") == [4, 5, 6] and all(c.ok for c in verify())
    (api, _webhook) = purge(older_than_days=90, now=NOW + datetime.timedelta(days=85))
    assert api.removed == 1 and _rows("api") == [5, 6]
    assert LogCheckpoint.objects.get(chain="api").purged_count == 4
    assert all(c.ok for c in verify(bodies_too=True))


def test_purging_everything_then_writing_again() -> None:
    _entries("api", [120, 100])
    (api,) = purge(older_than_days=90)
    assert api.removed == 2 and _rows("api") == []
    assert verify()[0].ok
    _entries("api", [0])
    assert _rows("api") == [3] and verify()[0].ok


def test_purge_refuses_under_90_days_and_removes_nothing() -> None:
    _entries("api", [200])
    with pytest.raises(ValueError):
        purge(older_than_days=89)
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("exchange", "purge", "--older-than", "30", stderr=err)
    assert raised.value.returncode == 2 and "90" in str(raised.value)
    assert _rows("api") == [1] and not LogCheckpoint.objects.exists()


def test_purge_refuses_a_broken_chain() -> None:
    _entries("api", [200, 100])
    with append_only_guard_disabled():
        MessageLogEntry.objects.filter(seq=1).update(subject="tampered")
    (api,) = purge(older_than_days=90)
    assert api.problem and api.removed == 0 and _rows("api") == [1, 2]


def test_the_command_verifies_and_names_a_broken_chain() -> None:
    _entries("api", [1, 1])
    out = StringIO()
    call_command("exchange", "verify", "--bodies", stdout=out)
    assert "Chuỗi api: 2 bản ghi toàn vẹn" in out.getvalue()
    with append_only_guard_disabled():
        MessageLogEntry.objects.filter(seq=2).update(status=500)
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("exchange", "verify", stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert "Chuỗi api HỎNG tại bản ghi 2" in err.getvalue()
    assert "KHÔNG toàn vẹn" in str(raised.value)


def test_the_command_purges_with_the_configured_retention(settings: Any) -> None:
    _entries("api", [100, 60])
    out = StringIO()
    call_command("exchange", "purge", "--dry-run", stdout=out)
    assert "sẽ xoá 1 bản ghi" in out.getvalue() and _rows("api") == [1, 2]
    settings.LIENTHONG = {**settings.LIENTHONG, "EXCHANGE_LOG_RETENTION_DAYS": 120}
    call_command("exchange", "purge", stdout=out)
    assert _rows("api") == [1, 2]
    settings.LIENTHONG = {**settings.LIENTHONG, "EXCHANGE_LOG_RETENTION_DAYS": 90}
    call_command("exchange", "purge", stdout=out)
    assert _rows("api") == [2] and "đã xoá 1 bản ghi" in out.getvalue()
