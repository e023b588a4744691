"""The session engine (`SESSION_ENGINE`): Django's database sessions, read with one fixed
statement.

Every logged-in request reads its session row before anything else; through the ORM that
read costs several times the statement itself (compiling the query, building the instance),
so it is built once here (`core.sql`, decision 0011) and returns just the encoded data. The
rows, their expiry, saving, cycling keys and logging out are Django's own
(`django.contrib.sessions.backends.db`), unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from lienthong.core import sql

_statement: dict[str, str] = {}


def _select() -> str:
    vendor = sql.connection().vendor
    text = _statement.get(vendor)
    if text is None:
        meta = Session._meta
        text = _statement[vendor] = "SELECT {} FROM {} WHERE {} = %s AND {} > %s".format(
            sql.quote(meta.get_field("session_data").column),
            sql.quote(meta.db_table),
            sql.quote(meta.get_field("session_key").column),
            sql.quote(meta.get_field("expire_date").column),
        )
    return text


class SessionStore(DatabaseSessionStore):
    """Database sessions whose load is one prepared SELECT of the live row's data."""

    def load(self) -> dict[str, Any]:
        key = self.session_key
        if key is None:
            return {}
        with sql.session():
            db = sql.connection()
            rows = sql.fetch(_select(), [key, db.ops.adapt_datetimefield_value(timezone.now())])
        if not rows:
            # As Django's: an unknown or expired key is forgotten, so saving makes a new one.
            self._session_key = None
            return {}
        return self.decode(rows[0][0])
