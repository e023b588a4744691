"""Permission contract of every inbox endpoint: 401/302, 403, 200, 404 outside scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from lienthong.accounts.models import Role, User
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import Access, PermissionContract, check_outside_scope
from lienthong.workflow.models import Case, Task
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


# --- Cases, delegations, templates ------------------------------------------------------------


def _case_setup() -> tuple[Case, Case, User, User]:
    """A case of my agency at my pool's step, one of another agency, me, a citizen."""
    from lienthong.workflow.tests.helpers import make_office, vn

    mine, theirs = make_office("Sở Tư pháp"), make_office("Sở Y tế")
    at, due = vn(2025, 3, 12, 7, 30), vn(2025, 3, 19, 7, 30)
    in_scope = mine.start(at=at, due_at=due)
    outside = theirs.start(at=at, due_at=due)
    return in_scope, outside, mine.officer, make_user(roles=[(Role.CITIZEN, None)])


def _case_state(*cases: Case) -> Callable[[], list[tuple[str, int | None]]]:
    return lambda: [
        Case.objects.values_list("status", "current_step_id").get(pk=c.pk) for c in cases
    ]


class TestCasePage(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        in_scope, outside, allowed, denied = _case_setup()
        return Access(
            url=f"/inbox/case/{in_scope.pk}/",
            outside_url=f"/inbox/case/{outside.pk}/",
            allowed=allowed,
            denied=denied,
        )


class TestCaseMovePage(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        in_scope, outside, allowed, denied = _case_setup()
        return Access(
            url=f"/inbox/case/{in_scope.pk}/forward/",
            outside_url=f"/inbox/case/{outside.pk}/forward/",
            allowed=allowed,
            denied=denied,
            method="post",
            ok_status=302,
            state=_case_state(in_scope, outside),
        )


class TestCaseApi(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        in_scope, outside, allowed, denied = _case_setup()
        return Access(
            url=f"/api/inbox/cases/{in_scope.pk}",
            outside_url=f"/api/inbox/cases/{outside.pk}",
            allowed=allowed,
            denied=denied,
            api=True,
        )


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("forward", {}),
        ("pause", {"note": "Chờ."}),
        ("stop", {"note": "Dừng."}),
    ],
)
class TestCaseMoveApi(PermissionContract):
    @pytest.fixture
    def access(self, db: None, action: str, data: dict) -> Access:
        in_scope, outside, allowed, denied = _case_setup()
        return Access(
            url=f"/api/inbox/cases/{in_scope.pk}/{action}",
            outside_url=f"/api/inbox/cases/{outside.pk}/{action}",
            allowed=allowed,
            denied=denied,
            method="post",
            data=data,
            api=True,
            state=_case_state(in_scope, outside),
        )


class TestDelegationsPage(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        _in_scope, _outside, allowed, denied = _setup()
        return Access(
            url="/inbox/uy-quyen/",
            outside_url="/inbox/uy-quyen/999999/thu-hoi/",
            allowed=allowed,
            denied=denied,
        )

    def test_object_outside_scope_gets_404(self, db: None, client: Client, access: Access) -> None:
        # A list has no object outside scope; revoking a missing delegation stands in for it.
        from lienthong.core.testing_permissions import login

        login(client, access.allowed)
        assert client.post(access.outside_url).status_code == 404


class TestDelegationForm(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        _in_scope, _outside, allowed, denied = _setup()
        return Access(
            url="/inbox/uy-quyen/them/",
            outside_url="/inbox/uy-quyen/999999/thu-hoi/",
            allowed=allowed,
            denied=denied,
        )

    def test_object_outside_scope_gets_404(self, db: None, client: Client, access: Access) -> None:
        from lienthong.core.testing_permissions import login

        login(client, access.allowed)
        assert client.post(access.outside_url).status_code == 404


class TestDelegationRevoke(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        import datetime

        from lienthong.workflow.models import Delegation

        unit, other = make_org_unit(), make_org_unit()
        allowed = make_user(roles=[(Role.SPECIALIST, unit)])
        colleague = make_user(roles=[(Role.SPECIALIST, unit)])
        stranger = make_user(roles=[(Role.SPECIALIST, other)])
        stranger2 = make_user(roles=[(Role.SPECIALIST, other)])
        today = datetime.date.today()
        mine = Delegation.objects.create(
            principal=allowed, substitute=colleague, starts_on=today, ends_on=today
        )
        theirs = Delegation.objects.create(
            principal=stranger, substitute=stranger2, starts_on=today, ends_on=today
        )
        return Access(
            url=f"/api/inbox/delegations/{mine.pk}/revoke",
            outside_url=f"/api/inbox/delegations/{theirs.pk}/revoke",
            allowed=allowed,
            denied=make_user(roles=[(Role.CITIZEN, None)]),
            method="post",
            api=True,
            state=lambda: list(
                Delegation.objects.filter(pk__in=[mine.pk, theirs.pk])
                .order_by("pk")
                .values_list("revoked_at", flat=True)
            ),
        )


class TestTemplatesPage(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        _in_scope, outside, allowed, denied = _setup()
        return Access(
            url="/inbox/quy-trinh/",
            outside_url=f"/inbox/case/{outside.pk + 10**6}/",
            allowed=allowed,
            denied=denied,
        )


class TestTemplatesApi(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        _in_scope, outside, allowed, denied = _setup()
        return Access(
            url="/api/inbox/templates",
            outside_url=f"/api/inbox/cases/{outside.pk + 10**6}",
            allowed=allowed,
            denied=denied,
            api=True,
        )


class TestDelegationsApi(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        _in_scope, _outside, allowed, denied = _setup()
        return Access(
            url="/api/inbox/delegations",
            outside_url="/api/inbox/delegations/999999/revoke",
            allowed=allowed,
            denied=denied,
            api=True,
        )

    def test_object_outside_scope_gets_404(self, db: None, client: Client, access: Access) -> None:
        from lienthong.core.testing_permissions import login

        login(client, access.allowed)
        assert client.post(access.outside_url).status_code == 404
