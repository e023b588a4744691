"""Access rules of the exchange layer (liên thông): service catalogue, client systems with
their keys and grants, event subscriptions and dead letters, the message log, adapters.

Agency A registered a client system with one API key and asked for one grant. Operations
meant for client systems (their API key or token, never a session) answer 401 to every
session actor: the rule says `Who.CLIENT`.
"""

from __future__ import annotations

from typing import Any

from lienthong.accounts.models import Role
from tests.security.vocabulary import Actor, Answer, Rule, Who, api, page
from tests.security.world import World

IT = Role.IT_ADMIN


def _service_code(world: World) -> str:
    from lienthong.exchange.clients.catalogue import api_services

    return world.get("service_code", lambda w: api_services()[0].code)


def _client(world: World) -> Any:
    from lienthong.exchange.clients.testing import make_client

    return world.get("client_system", lambda w: make_client(w.agency_a, code="acl-he-thong")[0])


def _credential(world: World) -> Any:
    return _client(world).credentials.order_by("pk").first()


def _grant(world: World) -> Any:
    from lienthong.exchange.clients.models import Grant

    def build(w: World) -> Any:
        return Grant.objects.create(
            client=_client(w), service=_service_code(w), purpose="Kiểm thử phân quyền"
        )

    return world.get("grant", build)


def client(world: World) -> dict[str, Any]:
    return {"code": _client(world).code}


def key(world: World) -> dict[str, Any]:
    return {"code": _client(world).code, "key_id": _credential(world).key_id}


OFFICIAL = Who.OFFICIAL
UNSEEN = {Actor.OTHER: Answer.HIDDEN, Actor.OWNER: Answer.HIDDEN}
NO_ENTRY = {Actor.ADMIN: Answer.HIDDEN}  # the log is empty: no entry 0
LIST: dict[str, Any] = {"who": Who.ROLE_ANY, "role": IT}
SCOPED: dict[str, Any] = {"who": Who.ROLE, "role": IT}

RULES: list[Rule] = [
    page("exchange_clients:home", Who.PUBLIC),
    page("exchange_clients:catalogue", Who.PUBLIC),
    page("exchange_clients:service", Who.PUBLIC, kwargs=lambda w: {"code": _service_code(w)}),
    page(
        "exchange_clients:service_owner",
        Who.ADMIN,
        kwargs=lambda w: {"code": _service_code(w)},
        method="POST",
    ),
    page("exchange_clients:clients", **LIST),
    page("exchange_clients:client_create", **LIST),
    page("exchange_clients:client", kwargs=client, **SCOPED),
    page("exchange_clients:client_status", kwargs=client, method="POST", **SCOPED),
    page("exchange_clients:credential_create", kwargs=client, method="POST", **SCOPED),
    page("exchange_clients:credential_rotate", kwargs=key, method="POST", **SCOPED),
    page("exchange_clients:credential_revoke", kwargs=key, method="POST", **SCOPED),
    page("exchange_clients:grant_request", kwargs=client, method="POST", **SCOPED),
    page("exchange_clients:grants", **LIST),
    # Grants are decided by the IT department; other officials do not see the grant at all.
    page(
        "exchange_clients:grant_decide",
        Who.ADMIN,
        kwargs=lambda w: {"pk": _grant(w).pk, "decision": "duyet"},
        method="POST",
        expect=UNSEEN,
    ),
    page("exchange_clients:log", Who.ADMIN),
    page("exchange_clients:log_entry", Who.ADMIN, kwargs=lambda w: {"pk": 0}, expect=NO_ENTRY),
    page(
        "exchange_clients:log_body",
        Who.ADMIN,
        kwargs=lambda w: {"pk": 0, "which": "request"},
        expect=NO_ENTRY,
    ),
    # Officials follow the events of their agency's subscriptions (filtered in the query).
    page("exchange_delivery:events", OFFICIAL),
    page(
        "exchange_delivery:replay",
        OFFICIAL,
        kwargs=lambda w: {"pk": 0},
        method="POST",
        expect={a: Answer.HIDDEN for a in (Actor.OTHER, Actor.OWNER, Actor.ADMIN)},  # none
    ),
    page("exchange_adapters:overview", Who.ADMIN),
    api(
        "GET /api/exchange/services/population/persons/{personal_id}",
        Who.CLIENT,
        kwargs=lambda w: {"personal_id": "074085000001"},
    ),
    api("GET /api/exchange/services/dossiers/{code}", Who.CLIENT, kwargs=lambda w: {"code": "X"}),
    api("POST /api/exchange/token", Who.PUBLIC),
    api("GET /api/exchange/me", Who.CLIENT),
    api("GET /api/exchange/catalogue", Who.PUBLIC),
    api(
        "GET /api/exchange/catalogue/{code}",
        Who.PUBLIC,
        kwargs=lambda w: {"code": _service_code(w)},
    ),
    api("GET /api/exchange/clients", **LIST),
    api("POST /api/exchange/clients", **LIST),
    api("GET /api/exchange/clients/{code}", kwargs=client, **SCOPED),
    api("POST /api/exchange/clients/{code}/status", kwargs=client, **SCOPED),
    api("POST /api/exchange/clients/{code}/credentials", kwargs=client, **SCOPED),
    api(
        "POST /api/exchange/credentials/{key_id}/rotate",
        kwargs=lambda w: {"key_id": _credential(w).key_id},
        **SCOPED,
    ),
    api(
        "POST /api/exchange/credentials/{key_id}/revoke",
        kwargs=lambda w: {"key_id": _credential(w).key_id},
        **SCOPED,
    ),
    api("POST /api/exchange/clients/{code}/grants", kwargs=client, **SCOPED),
    api("GET /api/exchange/grants", **LIST),
    *[
        api(
            f"POST /api/exchange/grants/{{grant_id}}/{move}",
            Who.ADMIN,
            kwargs=lambda w: {"grant_id": _grant(w).pk},
            expect=UNSEEN,
        )
        for move in ("approve", "refuse", "revoke")
    ],
    api("GET /api/exchange/subscriptions/", Who.CLIENT),
    api("POST /api/exchange/subscriptions/", Who.CLIENT),
    api(
        "DELETE /api/exchange/subscriptions/{subscription_id}",
        Who.CLIENT,
        kwargs=lambda w: {"subscription_id": 0},
    ),
    api("POST /api/exchange/edxml/inbox", Who.CLIENT),
]
