"""Who may read the message log, and its bodies.

- The platform's IT administrators (an IT-admin role on a top-level unit) and the superuser
  see every entry and may download bodies.
- IT administrators and leaders of an agency see the entries of their agencies' systems
  (the entry's `agency_id` within their units); only IT administrators download bodies.
- Every body download is itself audited (`exchange.log.body_read`): bodies can hold
  personal data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from lienthong.accounts.models import Role
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user
from lienthong.exchange.messagelog.models import MessageLogEntry

READER_ROLES = frozenset({Role.IT_ADMIN, Role.LEADER})
BODY_ROLES = frozenset({Role.IT_ADMIN})


def is_platform_admin(user: Any) -> bool:
    """The superuser, or an IT administrator of a top-level unit or of the platform's agency
    (`exchange.clients.permissions.is_platform_admin`)."""
    from lienthong.exchange.clients.permissions import is_platform_admin as platform_admin

    return is_official_user(user) and platform_admin(user)


def _agency_ids(user: Any, roles: frozenset[str]) -> QuerySet[OrgUnit]:
    paths = list(
        user.role_assignments.filter(role__in=roles, org_unit__isnull=False).values_list(
            "org_unit__path", flat=True
        )
    )
    if not paths:
        return OrgUnit.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return OrgUnit.objects.filter(condition).values("pk")  # type: ignore[return-value]


def can_read_log(user: Any) -> bool:
    """Whether the user may open the message-log pages at all."""
    return is_platform_admin(user) or (
        is_official_user(user) and user.role_assignments.filter(role__in=READER_ROLES).exists()
    )


def entries_visible_to(user: Any) -> QuerySet[MessageLogEntry]:
    """Entries the user may see (filtered in the query)."""
    if is_platform_admin(user):
        return MessageLogEntry.objects.all()
    if not is_official_user(user):
        return MessageLogEntry.objects.none()
    return MessageLogEntry.objects.filter(agency_id__in=_agency_ids(user, READER_ROLES))


def can_read_bodies(user: Any, entry: MessageLogEntry) -> bool:
    """Whether the user may download this entry's request and response bodies."""
    if is_platform_admin(user):
        return True
    if not is_official_user(user) or entry.agency_id is None:
        return False
    return bool(_agency_ids(user, BODY_ROLES).filter(pk=entry.agency_id).exists())
