"""Permission contract of every inbox endpoint: 401/302, 403, 200, 404 outside scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from lienthong.accounts.models import Role, User
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import Access, PermissionContract, check_outside_scope
from lienthong.workflow.models import Task
from lienthong.workflow.tests.helpers import make_task


def _setup() -> tuple[Task, Task, User, User]:
    """A pooled task of my unit, one of another unit, a specialist, a citizen."""
    mine, other = make_org_unit(), make_org_unit()
    in_scope = make_task("in scope", org_unit=mine, role=Role.SPECIALIST)
    outside = make_task("outside", org_unit=other, role=Role.SPECIALIST)
    allowed = make_user(roles=[(Role.SPECIALIST, mine)])
    denied = make_user(roles=[(Role.CITIZEN, None)])
    return in_scope, outside, allowed, denied


def _status(*tasks: Task) -> Callable[[], list[str]]:
    return lambda: [Task.objects.get(pk=t.pk).status for t in tasks]


class TestTaskDetailPage(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        in_scope, outside, allowed, denied = _setup()
        return Access(
            url=f"/inbox/{in_scope.pk}/",
            outside_url=f"/inbox/{outside.pk}/",
            allowed=allowed,
            denied=denied,
        )


class TestTaskCompletePage(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        in_scope, outside, allowed, denied = _setup()
        return Access(
            url=f"/inbox/{in_scope.pk}/complete/",
            outside_url=f"/inbox/{outside.pk}/complete/",
            allowed=allowed,
            denied=denied,
            method="post",
            ok_status=302,
            state=_status(in_scope, outside),
        )


class TestInboxPage(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        _in_scope, outside, allowed, denied = _setup()
        return Access(
            url="/inbox/",
            # A list has no object outside scope; a missing task stands in for it.
            outside_url=f"/inbox/{outside.pk + 1000}/",
            allowed=allowed,
            denied=denied,
        )


class TestTaskApi(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        in_scope, outside, allowed, denied = _setup()
        return Access(
            url=f"/api/inbox/{in_scope.pk}",
            outside_url=f"/api/inbox/{outside.pk}",
            allowed=allowed,
            denied=denied,
            api=True,
        )


class TestTaskCompleteApi(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        in_scope, outside, allowed, denied = _setup()
        return Access(
            url=f"/api/inbox/{in_scope.pk}/complete",
            outside_url=f"/api/inbox/{outside.pk}/complete",
            allowed=allowed,
            denied=denied,
            method="post",
            api=True,
            state=_status(in_scope, outside),
        )


class TestInboxListApi(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        _in_scope, outside, allowed, denied = _setup()
        return Access(
            url="/api/inbox/",
            outside_url=f"/api/inbox/{outside.pk + 1000}",
            allowed=allowed,
            denied=denied,
            api=True,
        )


@pytest.mark.django_db
def test_the_contract_catches_a_leak(client: Client) -> None:
    """The base must fail when an endpoint shows another unit's object."""
    in_scope, _outside, allowed, denied = _setup()
    leaky = Access(
        url=f"/inbox/{in_scope.pk}/",
        outside_url=f"/inbox/{in_scope.pk}/",  # an object the user *can* see
        allowed=allowed,
        denied=denied,
    )

    with pytest.raises(AssertionError):
        check_outside_scope(client, leaky)
