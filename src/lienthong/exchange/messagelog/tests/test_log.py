"""The message log: entries chained per chain, bodies out of line, tampering found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from lienthong.core.audit import append_only_guard_disabled
from lienthong.exchange.messagelog import bodies
from lienthong.exchange.messagelog.models import LogChainHead, MessageLogEntry
from lienthong.exchange.messagelog.services import Exchange, record, record_many, verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bodies(settings: Any, tmp_path: Path) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "EXCHANGE_BODY_DIR": str(tmp_path / "bodies")}


def test_entries_chain_per_chain_and_verify() -> None:
    first = record(Exchange(service="registry.population.read", request={"id": "1"}, status=200))
    record_many(
        [
            Exchange(service="event.dossier.submitted", chain="webhook", direction="out"),
            Exchange(service="event.dossier.accepted", chain="webhook", direction="out"),
            Exchange(service="registry.population.read", response=b"x" * 100_000),
        ]
    )
    assert [(e.chain, e.seq) for e in MessageLogEntry.objects.order_by("pk")] == [
        ("api", 1),
        ("webhook", 1),
        ("webhook", 2),
        ("api", 2),
    ]
    assert LogChainHead.objects.get(chain="api").count == 2
    assert bodies.load(first.request_digest) == b'{"id": "1"}'
    big = MessageLogEntry.objects.get(chain="api", seq=2)
    assert big.response_size == 100_000 and len(bodies.load(big.response_digest) or b"") == 100_000
    checks = verify(bodies_too=True)
    assert [(c.chain, c.checked, c.ok) for c in checks] == [("api", 2, True), ("webhook", 2, True)]


def test_a_changed_entry_a_removed_last_entry_and_a_lost_body_are_found() -> None:
    # Someone with the rights to lift the append-only triggers (migration 0002) changes rows.
    for n in range(3):
        record(Exchange(service="s", subject=f"d{n}", request=f"body {n}"))
    with append_only_guard_disabled():
        MessageLogEntry.objects.filter(seq=2).update(subject="tampered")
    (check,) = verify()
    assert not check.ok and check.broken_at == 2 and "changed" in check.problem

    with append_only_guard_disabled():
        MessageLogEntry.objects.filter(seq=2).update(subject="d1")
    assert verify()[0].ok
    last = MessageLogEntry.objects.get(seq=3)
    bodies.path_of(last.request_digest).unlink()
    check = verify(bodies_too=True)[0]
    assert not check.ok and check.missing_bodies == [last.request_digest]

    with append_only_guard_disabled():
        last.delete()
    (check,) = verify()
    assert not check.ok and "removed from the end" in check.problem


def test_an_entry_written_in_a_rolled_back_transaction_leaves_no_entry() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record(Exchange(service="s"))
        raise RuntimeError("the exchange's effect failed")
    assert not MessageLogEntry.objects.exists()
    assert not LogChainHead.objects.filter(count__gt=0).exists()
