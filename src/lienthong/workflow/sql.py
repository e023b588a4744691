"""The engine's hand-built statements: the helpers live in `lienthong.core.sql`.

They moved to the core so the audit log and the outbox, which every transition also writes,
can use them too; this module keeps the names the engine (and anyone who imported them from
here) uses.
"""

from __future__ import annotations

from lienthong.core.sql import Reader, connection, fetch, insert, literal, quote, session, update

__all__ = ["Reader", "connection", "fetch", "insert", "literal", "quote", "session", "update"]
