"""The access-control matrix: every rule × every actor, each with exactly the expected answer.

One world (agencies, actors, objects) is built for the module inside a transaction that is
rolled back at the end; every request runs in a savepoint of its own, rolled back after it.
A refused write must change nothing: the audit log, the outbox and the rule's `counts` models
are counted before and after. `LIENTHONG_ACL_RECORD=<file>` appends what each actor got, as
JSON lines, to help draft the rule of a new endpoint.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from tests.security.rules import all_rules
from tests.security.vocabulary import Actor, Answer, Rule
from tests.security.world import World

RULES = all_rules()
# The marker makes pytest-django set the test database up; each test also runs in a savepoint
# of the module's transaction, rolled back after it.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world, with every rule's objects and every actor built before the first request."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = World()
        built.prepare(RULES)
        yield built
        transaction.set_rollback(True)


def url_of(rule: Rule, kwargs: Mapping[str, Any], world: World) -> str:
    """The address to call: the API path template filled in, or the page reversed."""
    if rule.is_api:
        path = rule.endpoint.split(" ", 1)[1].format(**kwargs)
    elif rule.path is not None:
        path = rule.path.format(**kwargs)
    else:
        path = reverse(rule.endpoint, kwargs=dict(kwargs) or None)
    query = rule.query.format(agency_a=world.agency_a.pk)
    return f"{path}?{query}" if query else path


def send(client: Client, rule: Rule, url: str) -> HttpResponse:
    """Call with the endpoint's real method: a JSON body for the API, a form for pages."""
    call = getattr(client, rule.method.lower())
    if rule.method == "GET":
        response: HttpResponse = call(url)
    elif rule.is_api:
        response = call(
            url, data=json.dumps(dict(rule.data or {})), content_type="application/json"
        )
    else:
        response = call(url, data=dict(rule.data or {}))
    return response


def classify(rule: Rule, url: str, response: HttpResponse) -> str:
    """The answer as the vocabulary names it, or `status N` when it is none of them."""
    status = response.status_code
    if status in (301, 302, 303):
        target = urlsplit(response["Location"])
        if target.path == reverse("accounts:login"):
            back = parse_qs(target.query).get("next")
            if back is None:
                return Answer.OK  # sent to the login page on purpose (after logging out)
            return Answer.LOGIN if back == [url] else f"login with next={back}, not {url}"
        if target.path == reverse("admin:login"):
            return Answer.ADMIN_LOGIN
        if target.path == reverse("accounts:otp"):
            return Answer.OTP
        return Answer.OK
    if status == 401 and rule.is_api:
        return Answer.LOGIN
    if status == 403:
        return Answer.DENIED
    if status == 404:
        return Answer.HIDDEN
    if status in (401, 405) or status >= 500:
        return f"status {status}"
    if status in (400, 422) and rule.body_first:
        return Answer.INVALID
    return Answer.OK


def footprint(rule: Rule) -> tuple[int, ...]:
    """Row counts a refused write must leave alone."""
    models: list[type[Model]] = [AuditEntry, OutboxEvent]
    models += [apps.get_model(label) for label in rule.counts]
    return tuple(model._default_manager.count() for model in models)


def _record(rule: Rule, actor: Actor, got: str, status: int) -> None:
    target = os.environ.get("LIENTHONG_ACL_RECORD")
    if target:
        line = {"endpoint": rule.endpoint, "actor": actor.value, "got": got, "status": status}
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


@pytest.mark.parametrize("actor", list(Actor), ids=[a.value for a in Actor])
@pytest.mark.parametrize("rule", RULES, ids=[r.endpoint for r in RULES])
def test_matrix(world: World, rule: Rule, actor: Actor) -> None:
    expected = rule.answer(actor)
    kwargs = world.kwargs_of(rule)
    user = world.actor(actor, rule.role)
    url = url_of(rule, kwargs, world)
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        if user is not None:
            world.log_in(client, user)
        before = footprint(rule)
        response = send(client, rule, url)
        got = classify(rule, url, response)
        after = footprint(rule)
        transaction.set_rollback(True)
    _record(rule, actor, got, response.status_code)
    # Exports and files stream: read them through the test client's wrapper, which closes the
    # response without closing the database connection (response.close() would).
    content = response.getvalue() if response.streaming else response.content
    body = content[:300].decode(errors="replace")
    if expected == Answer.OK and got == Answer.INVALID:
        got = Answer.OK  # an allowed caller refused for the empty body has passed the gate
    assert got == expected, f"{rule.method} {url} as {actor}: {response.status_code} {body}"
    if expected != Answer.OK and rule.method != "GET":
        assert after == before, f"a refused {rule.method} changed rows: {before} → {after}"
