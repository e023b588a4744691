"""Whether a client system may use a service of the catalogue (reads only; the writes that
request, approve, refuse and revoke grants are in `services.py`).

    from lienthong.exchange.clients.grants import is_granted

    is_granted(system, "event.dossier.submitted")                  # an event type
    is_granted(system, "api.exchange.population", "exchange_population_read")  # one operation

A grant covers the whole service when its `operation` is empty, else that one operation; an
event pattern ("event.dossier.*") covers every event type below it. Only an APPROVED grant of
an ACTIVE system counts.
"""

from __future__ import annotations

from django.db.models import Q

from lienthong.exchange.clients.models import ClientSystem, Grant


def is_granted(client: ClientSystem, service: str, operation: str | None = None) -> bool:
    """Whether `client` may use `service` (and `operation` of it, when given).

    Without `operation` only a grant of the whole service counts: a grant of one operation
    does not open the others.
    """
    if client is None or client.status != ClientSystem.Status.ACTIVE:
        return False
    scope = Q(operation="")
    if operation:
        scope |= Q(operation=operation)
    return Grant.objects.filter(
        scope, client=client, service__in=covering(service), status=Grant.Status.APPROVED
    ).exists()


def covering(service: str) -> list[str]:
    """The service codes whose grant covers `service`: itself and, for an event type, the
    patterns above it ("event.dossier.submitted" ← "event.dossier.*" ← "event.*")."""
    codes = [service]
    if service.startswith("event."):
        parts = service.removesuffix(".*").split(".")
        codes += [".".join(parts[:n]) + ".*" for n in range(len(parts) - 1, 0, -1)]
    return codes


def granted_services(client: ClientSystem) -> list[tuple[str, str]]:
    """(service, operation) pairs the client holds approved grants for."""
    if client.status != ClientSystem.Status.ACTIVE:
        return []
    return list(
        Grant.objects.filter(client=client, status=Grant.Status.APPROVED)
        .order_by("service", "operation")
        .values_list("service", "operation")
    )
