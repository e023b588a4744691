"""The outbox in the admin: read-only rows, and a replay action that goes through the service."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.template.response import TemplateResponse
from django.test import RequestFactory

from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user
from lienthong.exchange.models import OutboxEvent, ProcessedEvent
from lienthong.exchange.outbox import publish

pytestmark = pytest.mark.django_db


def request_as(user: Any, method: str = "get", **data: Any) -> Any:
    request = getattr(RequestFactory(), method)("/admin/exchange/outboxevent/", data)
    request.user = user
    request._dont_enforce_csrf_checks = True
    request._messages = CookieStorage(request)
    return request


@pytest.fixture
def dead() -> OutboxEvent:
    with transaction.atomic():
        event = publish("dossier.returned", "H01-DEAD", {"id": 1})
    OutboxEvent.objects.filter(pk=event.pk).update(status="dead", attempts=10, last_error="x")
    event.refresh_from_db()
    return event


@pytest.fixture
def superuser() -> Any:
    return make_user("quantri", is_superuser=True, is_staff=True, kind="official")


def test_events_and_receipts_are_read_only(superuser: Any, dead: OutboxEvent) -> None:
    for model in (OutboxEvent, ProcessedEvent):
        model_admin = admin.site._registry[model]
        request = request_as(superuser)
        assert model_admin.has_view_permission(request) is True
        assert model_admin.has_add_permission(request) is False
        assert model_admin.has_change_permission(request) is False
        assert model_admin.has_delete_permission(request) is False
    response = cast(
        TemplateResponse,
        admin.site._registry[OutboxEvent].change_view(request_as(superuser), str(dead.pk)),
    )
    response.render()
    assert "&quot;specversion&quot;: &quot;1.0&quot;" in response.content.decode()


def test_a_superuser_replays_dead_events_through_the_service(
    superuser: Any, dead: OutboxEvent
) -> None:
    # Given a dead event and a delivered one, both selected
    with transaction.atomic():
        other = publish("dossier.received", "H01-OK", {"id": 2})
    OutboxEvent.objects.filter(pk=other.pk).update(status="delivered")
    model_admin = admin.site._registry[OutboxEvent]
    request = request_as(
        superuser, "post", action="replay", _selected_action=[str(dead.pk), str(other.pk)]
    )
    # When the replay action runs
    model_admin.changelist_view(request)
    # Then only the dead one is back in the queue, recorded under the superuser's name
    dead.refresh_from_db()
    other.refresh_from_db()
    assert (dead.status, dead.attempts, other.status) == ("pending", 0, "delivered")
    entry = AuditEntry.objects.get(action="outbox.replay")
    assert (entry.actor_id, entry.object_id) == (superuser.pk, str(dead.pk))
    assert [m.message for m in request._messages] == [
        "Đã đưa 1 sự kiện trở lại hàng đợi.",
        "Bỏ qua 1 sự kiện không ở trạng thái lỗi.",
    ]


def test_staff_who_may_only_view_cannot_replay(dead: OutboxEvent) -> None:
    # Given a staff member allowed to look at the outbox and nothing more
    viewer = make_user("xem", is_staff=True, kind="official")
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxevent"))
    model_admin = admin.site._registry[OutboxEvent]
    assert "replay" not in model_admin.get_actions(request_as(viewer))
    # When they post the action anyway
    model_admin.changelist_view(
        request_as(viewer, "post", action="replay", _selected_action=[str(dead.pk)])
    )
    # Then the event stays dead and nothing is recorded
    dead.refresh_from_db()
    assert dead.status == "dead"
    assert not AuditEntry.objects.filter(action="outbox.replay").exists()
