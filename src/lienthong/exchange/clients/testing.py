"""Test factories for client systems, shared with the other exchange helpers' tests.

    from lienthong.exchange.clients.testing import make_client

    system, key = make_client(grants=["event.dossier.submitted",
                                      ("api.exchange.services.population", "")])
    response = client.get(url, HTTP_X_API_KEY=key)

Grants are written approved, straight to the table (no catalogue check), so a test can grant
a service whose router another helper is still writing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit
from lienthong.exchange.clients import services
from lienthong.exchange.clients.models import ClientSystem, Credential, Grant

_seq = itertools.count(1)


def make_client(
    agency: OrgUnit | None = None,
    grants: Iterable[str | tuple[str, str]] = (),
    *,
    code: str | None = None,
    name: str | None = None,
    rate_limit_per_minute: int | None = None,
) -> tuple[ClientSystem, str]:
    """A registered, active client system with an API key and approved `grants` (service
    codes, or (service, operation) pairs); returns the system and its plain API key."""
    n = next(_seq)
    agency = agency or make_org_unit(f"Cơ quan có hệ thống kết nối {n}")
    client = services.register_client(
        code=code or f"he-thong-thu-{n}-{agency.pk}",
        name=name or f"Hệ thống thử {n}",
        agency=agency,
        purpose="Kiểm thử liên thông",
        contact_email="lienthong@example.vn",
        rate_limit_per_minute=rate_limit_per_minute,
        by=None,
    )
    for item in grants:
        service, operation = (item, "") if isinstance(item, str) else item
        Grant.objects.create(
            client=client,
            service=service,
            operation=operation,
            status=Grant.Status.APPROVED,
            purpose="Kiểm thử",
        )
    _credential, key = services.issue_credential(client, kind=Credential.Kind.API_KEY, by=None)
    return client, key


def make_oauth_client(
    agency: OrgUnit | None = None, grants: Iterable[str | tuple[str, str]] = ()
) -> tuple[ClientSystem, str, str]:
    """Like `make_client`, with OAuth2 client credentials: (system, client_id, secret)."""
    client, _key = make_client(agency, grants)
    credential, secret = services.issue_credential(client, kind=Credential.Kind.OAUTH, by=None)
    return client, credential.key_id, secret
