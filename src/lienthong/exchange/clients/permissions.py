"""Who may manage client systems and decide grants.

- A client system is managed (registered, edited, its keys issued, rotated, revoked, grants
  requested) by the IT administrators and leaders of its agency (or a unit above it).
- A grant is decided (approved, refused, revoked) by the IT administrators, leaders and
  registry officials of the service's owner agency; a service without an owner belongs to the
  platform, decided by the IT administrators of a top-level unit.
- The superuser may do all of it; `by=None` is the operator at the command line.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from lienthong.accounts.models import Role, RoleAssignment
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user, is_real_user
from lienthong.exchange.clients.models import ClientSystem, Grant, ServiceOwner

CLIENT_MANAGER_ROLES = frozenset({Role.IT_ADMIN, Role.LEADER})
GRANT_DECIDER_ROLES = frozenset({Role.IT_ADMIN, Role.LEADER, Role.REGISTRY_OWNER})


def _holds(user: Any, roles: frozenset[str], unit: OrgUnit) -> bool:
    ancestor_ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    return bool(user.role_assignments.filter(role__in=roles, org_unit_id__in=ancestor_ids).exists())


def is_operator(user: Any) -> bool:
    """The command line (no user) or the superuser."""
    return user is None or (is_real_user(user) and user.is_superuser)


def can_manage_clients_of(user: Any, agency: OrgUnit) -> bool:
    """Whether `user` may register and manage the client systems of `agency`."""
    if is_operator(user):
        return True
    return is_official_user(user) and _holds(user, CLIENT_MANAGER_ROLES, agency)


def can_manage(user: Any, client: ClientSystem) -> bool:
    return can_manage_clients_of(user, client.agency)


#: The `ServiceOwner` row naming the platform's own agency (the provincial IT department),
#: which owns every service without an owner of its own.
PLATFORM = "*"


def owner_of(service: str) -> OrgUnit | None:
    """The agency that owns a service: its own owner, else the platform's agency (None when
    neither is named)."""
    rows = {
        row.service: row.agency
        for row in ServiceOwner.objects.select_related("agency").filter(
            service__in=[service, PLATFORM]
        )
    }
    return rows.get(service) or rows.get(PLATFORM)


def can_decide(user: Any, service: str) -> bool:
    """Whether `user` may approve, refuse or revoke grants of `service`."""
    if is_operator(user):
        return True
    if not is_official_user(user):
        return False
    own = ServiceOwner.objects.select_related("agency").filter(service=service).first()
    if own is not None:
        return _holds(user, GRANT_DECIDER_ROLES, own.agency)
    # The platform's service: its agency's deciders, or the platform's IT administrators.
    platform = owner_of(PLATFORM)
    return (platform is not None and _holds(user, GRANT_DECIDER_ROLES, platform)) or (
        is_platform_admin(user)
    )


def is_platform_admin(user: Any) -> bool:
    """The operator, the superuser, or an IT administrator of a top-level unit or of the
    platform's agency (`ServiceOwner` "*"): names the owners of services, sees every system
    and the whole message log."""
    if is_operator(user):
        return True
    if not is_official_user(user):
        return False
    if user.role_assignments.filter(
        role=Role.IT_ADMIN, org_unit__isnull=False, org_unit__parent__isnull=True
    ).exists():
        return True
    platform = ServiceOwner.objects.select_related("agency").filter(service=PLATFORM).first()
    return platform is not None and _holds(user, frozenset({Role.IT_ADMIN}), platform.agency)


def _in_scope(user: Any, roles: frozenset[str], path_field: str) -> Q:
    grants = RoleAssignment.objects.filter(
        user=user, role__in=roles, org_unit__isnull=False
    ).filter(StartsWith(OuterRef(path_field), F("org_unit__path")))
    return Q(Exists(grants))


def clients_visible_to(user: Any) -> QuerySet[ClientSystem]:
    """Client systems an official may see: their agencies' (as manager) and those that asked
    for or hold a grant of a service their agency owns (as decider)."""
    qs = ClientSystem.objects.select_related("agency")
    if is_operator(user):
        return qs.all()
    if not is_official_user(user):
        return qs.none()
    owned = ServiceOwner.objects.filter(_in_scope(user, GRANT_DECIDER_ROLES, "agency__path"))
    decides = Exists(
        Grant.objects.filter(client=OuterRef("pk"), service__in=owned.values("service"))
    )
    return qs.filter(_in_scope(user, CLIENT_MANAGER_ROLES, "agency__path") | Q(decides))


def grants_to_decide(user: Any) -> QuerySet[Grant]:
    """Grants of services the user's agencies own (every grant for the operator)."""
    qs = Grant.objects.select_related("client", "client__agency")
    if is_operator(user):
        return qs.all()
    if not is_official_user(user):
        return qs.none()
    owned = ServiceOwner.objects.filter(_in_scope(user, GRANT_DECIDER_ROLES, "agency__path"))
    condition = Q(service__in=owned.values("service"))
    platform_decider = owned.filter(service=PLATFORM).exists() or (
        not ServiceOwner.objects.filter(service=PLATFORM).exists() and is_platform_admin(user)
    )
    if platform_decider:
        condition |= ~Q(service__in=ServiceOwner.objects.values("service"))
    return qs.filter(condition)
