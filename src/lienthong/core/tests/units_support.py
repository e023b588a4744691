"""Loading the ~14,000 administrative units once per test module or class, not once per test.

Each test runs in a transaction that is rolled back; the units are committed beforehand and
removed afterwards, together with the audit entry the load wrote, so the next module starts
from the same empty database as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from lienthong.core.audit import append_only_guard_disabled, head_state
from lienthong.core.models import AdminUnit, AuditChainHead, AuditEntry
from lienthong.core.units import LoadReport, load_units


@contextmanager
def committed_units(django_db_blocker: Any) -> Iterator[LoadReport]:
    """Commit a full load for the duration of the block; undo it afterwards."""
    with django_db_blocker.unblock():
        count, last_hash = head_state()
        report = load_units()
    try:
        yield report
    finally:
        with django_db_blocker.unblock():
            with append_only_guard_disabled():
                AuditEntry.objects.filter(seq__gt=count).delete()
                if count == 0:
                    AuditChainHead.objects.filter(pk=1).delete()
                else:
                    AuditChainHead.objects.filter(pk=1).update(count=count, last_hash=last_hash)
            # One statement: the rows' links to each other all go with them, and the ORM's
            # row-by-row collection of 14,000 self-referencing rows would take seconds.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {AdminUnit._meta.db_table}")
