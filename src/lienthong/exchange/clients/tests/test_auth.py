"""ClientAuth: API keys and OAuth2 tokens, grants, rate limits, and every call logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lienthong.exchange.clients import services
from lienthong.exchange.clients.models import AccessToken, Credential
from lienthong.exchange.clients.testing import make_client, make_oauth_client
from lienthong.exchange.messagelog import bodies
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import verify

pytestmark = pytest.mark.django_db

DOSSIERS = "api.exchange.services.dossiers"
URL = "/api/exchange/services/dossiers/000.00.00.H99-250101-0001"


def _log() -> list[tuple[str, int | None, str, str]]:
    return [
        (e.service, e.status, e.outcome, e.error)
        for e in MessageLogEntry.objects.filter(chain="api").order_by("seq")
    ]


def test_no_key_is_401_and_logged(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 401
    assert "X-API-Key" in response.json()["detail"]
    assert _log() == [(DOSSIERS, 401, "refused", "no credential")]


def test_a_granted_key_reaches_the_service_and_the_call_is_logged(client: Client) -> None:
    system, key = make_client(grants=[DOSSIERS])
    response = client.get(URL, HTTP_X_API_KEY=key)
    assert response.status_code == 404  # no such dossier: the service ran
    entry = MessageLogEntry.objects.get(chain="api")
    assert (entry.client_id, entry.agency_id, entry.operation, entry.status) == (
        system.pk,
        system.agency_id,
        "exchange_dossier_status",
        404,
    )
    assert entry.outcome == "error" and entry.response_size > 0
    assert all(check.ok for check in verify(bodies_too=True))


def test_wrong_and_revoked_keys_are_refused(client: Client) -> None:
    system, key = make_client(grants=[DOSSIERS])
    assert client.get(URL, HTTP_X_API_KEY=key + "x").status_code == 401
    assert client.get(URL, HTTP_X_API_KEY="ltk_0000.nothing").status_code == 401
    credential = Credential.objects.get(client=system)
    services.revoke_credential(credential, by=None)
    assert client.get(URL, HTTP_X_API_KEY=key).status_code == 401
    assert [row[3] for row in _log()] == ["invalid credential"] * 3


def test_an_ungranted_operation_is_403(client: Client) -> None:
    _system, key = make_client(grants=["api.exchange.services.population"])
    response = client.get(URL, HTTP_X_API_KEY=key)
    assert response.status_code == 403
    assert _log() == [(DOSSIERS, 403, "refused", "not granted")]


def test_oauth_token_then_bearer(client: Client) -> None:
    _system, client_id, secret = make_oauth_client(grants=[DOSSIERS])
    bad = client.post(
        "/api/exchange/token",
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": "no"},
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()
    got = client.post(
        "/api/exchange/token",
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert got.status_code == 200, got.content
    body: dict[str, Any] = got.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    token = body["access_token"]
    assert AccessToken.objects.get().token_hash != token  # stored hashed
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer lta_wrong").status_code == 401
    # The token calls are logged, but neither the secret nor the token is kept in the bodies.
    calls = MessageLogEntry.objects.filter(operation="exchange_token").order_by("seq")
    assert [(e.status, e.outcome) for e in calls] == [(401, "refused"), (200, "ok")]
    for entry in calls:
        stored = (bodies.load(entry.request_digest) or b"") + (
            bodies.load(entry.response_digest) or b""
        )
        assert secret.encode() not in stored and token.encode() not in stored
        assert client_id.encode() in stored
