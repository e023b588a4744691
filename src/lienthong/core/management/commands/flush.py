"""`flush` that can empty the append-only audit tables (tests and `lienthong flush`).

Emptying the whole database is the one sanctioned way past the audit triggers: Django's own
`flush` (which every transactional test runs at teardown) would otherwise be rejected by them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from lienthong.core.audit import append_only_guard_disabled


class Command(flush.Command):
    """Django's `flush`, run with the audit log's append-only triggers lifted."""

    def handle(self, **options: Any) -> None:
        with append_only_guard_disabled(using=options["database"]):
            super().handle(**options)
