"""The events page: subscriptions and dead letters of the official's agency, and replay."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.delivery.models import DeadLetter, Subscription

pytestmark = pytest.mark.django_db


def dead_letter(agency: Any = None) -> DeadLetter:
    client, _key = make_client(agency, grants=["event.dossier.submitted"])
    sub = Subscription.objects.create(
        client=client, types=["dossier.submitted"], url="https://h.vn/hook", secret="x" * 20
    )
    event_id = uuid.uuid4()
    return DeadLetter.objects.create(
        subscription=sub,
        outbox_id=1,
        event_id=event_id,
        type="dossier.submitted",
        subject="H01",
        event={"id": str(event_id), "type": "dossier.submitted"},
        attempts=8,
        last_error="HTTP 503 Service Unavailable",
    )


def test_an_official_sees_and_replays_their_agencys_dead_letters(client: Client) -> None:
    mine = dead_letter()
    theirs = dead_letter()
    official = make_user(roles=[(Role.SPECIALIST, mine.subscription.client.agency)])
    login(client, official)
    page = client.get("/lien-thong/su-kien/")
    assert page.status_code == 200
    text = page.content.decode()
    assert str(mine.event_id) in text and mine.subscription.client.code in text
    assert str(theirs.event_id) not in text and theirs.subscription.client.code not in text
    assert "HTTP 503 Service Unavailable" in text

    response = client.post(f"/lien-thong/su-kien/thu-chet/{mine.pk}/chuyen-lai/", follow=True)
    assert response.status_code == 200
    assert "vào hàng chuyển lại" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == "queued" and mine.replayed_by == official
    assert AuditEntry.objects.filter(action="exchange.deadletter.replay").count() == 1


def test_another_agencys_dead_letter_is_not_found_and_stays_dead(client: Client) -> None:
    theirs = dead_letter()
    login(client, make_user(roles=[(Role.SPECIALIST, make_org_unit())]))
    response = client.post(f"/lien-thong/su-kien/thu-chet/{theirs.pk}/chuyen-lai/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "dead" and theirs.replayed_at is None
    assert not AuditEntry.objects.filter(action="exchange.deadletter.replay").exists()


def test_an_admin_sees_every_agencys_letters(client: Client) -> None:
    first, second = dead_letter(), dead_letter()
    login(client, make_user(roles=[(Role.IT_ADMIN, make_org_unit())]))
    text = client.get("/lien-thong/su-kien/").content.decode()
    assert str(first.event_id) in text and str(second.event_id) in text


def test_anonymous_visitors_go_to_login_and_citizens_are_refused(client: Client) -> None:
    letter = dead_letter()
    response = client.get("/lien-thong/su-kien/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    login(client, make_user(roles=[(Role.CITIZEN, None)]))
    assert client.get("/lien-thong/su-kien/").status_code == 403
    assert client.post(f"/lien-thong/su-kien/thu-chet/{letter.pk}/chuyen-lai/").status_code == 403
    letter.refresh_from_db()
    assert letter.status == "dead"
