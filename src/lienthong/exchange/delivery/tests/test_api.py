"""A client system subscribes through the API and receives its events signed and in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.delivery.deliverer import Deliverer
from lienthong.exchange.delivery.models import Subscription
from lienthong.exchange.delivery.testing import Receiver
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import verify
from lienthong.exchange.outbox import publish


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Path) -> None:
    settings.NATS_URL = ""
    settings.LIENTHONG = {**settings.LIENTHONG, "EXCHANGE_BODY_DIR": str(tmp_path / "bodies")}


@pytest.mark.django_db(transaction=True)
def test_a_granted_system_subscribes_and_receives_signed_events_in_order(client: Client) -> None:
    system, key = make_client(grants=["event.dossier.submitted"])
    with Receiver("") as receiver:
        response = client.post(
            "/api/exchange/subscriptions/",
            {"types": ["dossier.submitted"], "url": receiver.url},
            content_type="application/json",
            HTTP_X_API_KEY=key,
        )
        assert response.status_code == 201, response.content
        created = response.json()
        receiver.secret = created["secret"]
        assert created["types"] == ["dossier.submitted"] and created["status"] == "active"
        with transaction.atomic():
            events = [publish("dossier.submitted", "H01", {"n": n}) for n in range(3)]
        deliverer = Deliverer()
        while deliverer.run_once().busy:
            pass
        assert receiver.effects == [str(e.event_id) for e in events]
        assert receiver.bad_signatures == 0
    listed = client.get("/api/exchange/subscriptions/", HTTP_X_API_KEY=key).json()
    assert [(s["id"], s["delivered_count"]) for s in listed] == [(created["id"], 3)]
    assert "secret" not in listed[0]
    # Every exchange is in the log: the API calls and the deliveries, and the log verifies
    assert MessageLogEntry.objects.filter(chain="api", client_id=system.pk).count() == 2
    assert MessageLogEntry.objects.filter(chain="webhook", client_id=system.pk).count() == 3
    assert all(check.ok for check in verify(bodies_too=True))


@pytest.mark.django_db
def test_a_type_without_grant_is_refused_with_422_and_nothing_written(client: Client) -> None:
    _system, key = make_client(grants=["event.dossier.submitted"])
    response = client.post(
        "/api/exchange/subscriptions/",
        {"types": ["dossier.submitted", "registry.population.changed"], "url": "https://h.vn/x"},
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert response.status_code == 422
    assert "registry.population.changed" in response.json()["detail"]
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_without_a_key_401_and_another_systems_subscription_404(client: Client) -> None:
    owner, _owner_key = make_client(grants=["event.dossier.submitted"])
    sub = Subscription.objects.create(
        client=owner, types=["dossier.submitted"], url="https://h.vn/x", secret="s" * 20
    )
    _other, other_key = make_client(grants=["event.dossier.submitted"])
    assert client.get("/api/exchange/subscriptions/").status_code == 401
    response = client.delete(f"/api/exchange/subscriptions/{sub.pk}", HTTP_X_API_KEY=other_key)
    assert response.status_code == 404
    assert Subscription.objects.filter(pk=sub.pk).exists()
    assert client.get("/api/exchange/subscriptions/", HTTP_X_API_KEY=other_key).json() == []
