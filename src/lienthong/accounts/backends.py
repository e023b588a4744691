"""The password backend, loading the request's user (and the org-unit roles they hold) with
one fixed statement.

Django's `ModelBackend.get_user` runs on every logged-in request; through the ORM the user row
costs several times the statement itself (decision 0011), and the nav then asked the database
again for the user's roles (the dashboard link). Here one prepared SELECT returns the user's
columns joined to their role grants that carry an org unit; the roles are kept on the instance
for that request (`unit_roles`). Authentication itself (passwords, permissions) is
`ModelBackend`'s, unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from lienthong.core import sql

_readers: dict[str, Any] = {}
_statements: dict[str, str] = {}

#: Attribute of a user loaded here: the roles of their grants with an org unit.
UNIT_ROLES_ATTRIBUTE = "_lienthong_unit_roles"


def unit_roles(user: Any) -> frozenset[str] | None:
    """The role codes of `user`'s grants that carry an org unit, as loaded with the request's
    user; None when the user was loaded some other way (ask the database then)."""
    return getattr(user, UNIT_ROLES_ATTRIBUTE, None)


def _statement() -> tuple[str, Any]:
    from lienthong.accounts.models import RoleAssignment, User

    vendor = sql.connection().vendor
    reader = _readers.get(vendor)
    if reader is None:
        reader = sql.Reader(User)
        grants = RoleAssignment._meta
        _statements[vendor] = (
            "SELECT {}, r.{} FROM {} u LEFT JOIN {} r ON r.{} = u.{} AND r.{} IS NOT NULL "
            "WHERE u.{} = %s"
        ).format(
            reader.columns("u"),
            sql.quote(grants.get_field("role").column),
            sql.quote(User._meta.db_table),
            sql.quote(grants.db_table),
            sql.quote(grants.get_field("user").column),
            sql.quote(User._meta.pk.column),
            sql.quote(grants.get_field("org_unit").column),
            sql.quote(User._meta.pk.column),
        )
        _readers[vendor] = reader
    return _statements[vendor], reader


class SessionUserBackend(ModelBackend):
    """`ModelBackend` whose `get_user` is one prepared statement that also reads the roles."""

    def get_user(self, user_id: Any) -> Any:
        with sql.session():
            text, reader = _statement()
            rows = sql.fetch(text, [user_id])
            if not rows:
                return None
            user = reader.build(rows[0][: reader.width])
        setattr(
            user,
            UNIT_ROLES_ATTRIBUTE,
            frozenset(row[reader.width] for row in rows if row[reader.width] is not None),
        )
        return user if self.user_can_authenticate(user) else None
