"""How far the outbox may be read without skipping an event that is still being written.

A cursor that moves past outbox id N promises never to look below N again. On SQLite that is
safe at the highest committed id: writers take the database's write lock in turn, so ids
commit in order. On PostgreSQL ids come from a sequence when a row is inserted, and
transactions commit in any order: id 41 may still be in flight when 42 is visible, and a
reader that jumped to 42 would lose 41 for good.

So on PostgreSQL the horizon only moves over ids it has seen without a hole. At a hole it
notes the write transactions then running in this database (`backend_xid` in
`pg_stat_activity`): the transaction that took the missing id is one of them, since a later id
is already visible. Once none of them is still running, a hole still there is a rollback (or
a purged row) and the horizon moves past it. Transactions in other databases of the cluster
are not waited for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Max

from lienthong.exchange.models import OutboxEvent


@dataclass
class _Probe:
    upto: int
    xids: list[str]


_RUNNING = (
    "SELECT backend_xid::text FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
)


class Horizon:
    """The highest outbox id below which every event that will ever exist is visible."""

    #: Ids looked at per call on PostgreSQL.
    window = 5000

    def __init__(self, start: int = 0) -> None:
        self.safe = start
        self._probe: _Probe | None = None

    def advance(self) -> int:
        """Move the horizon as far as is safe now and return it."""
        if connection.vendor != "postgresql":
            top = OutboxEvent.objects.aggregate(top=Max("id"))["top"] or 0
            self.safe = max(self.safe, top)
            return self.safe
        with connection.cursor() as cursor:
            if self._probe is not None:
                cursor.execute(_RUNNING)
                running = {row[0] for row in cursor.fetchall()}
                if running.isdisjoint(self._probe.xids):
                    self.safe = max(self.safe, self._probe.upto)
                    self._probe = None
            cursor.execute(
                "SELECT id FROM exchange_outboxevent WHERE id > %s ORDER BY id LIMIT %s",
                [self.safe, self.window],
            )
            ids = [row[0] for row in cursor.fetchall()]
            for id_ in ids:
                if id_ != self.safe + 1:
                    if self._probe is None:
                        # Read after the ids: a writer missing from this list had finished.
                        cursor.execute(_RUNNING)
                        self._probe = _Probe(upto=ids[-1], xids=[r[0] for r in cursor.fetchall()])
                        if not self._probe.xids:
                            self.safe, self._probe = ids[-1], None
                    break
                self.safe = id_
        return self.safe
