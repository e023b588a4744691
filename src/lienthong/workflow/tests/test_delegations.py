"""Delegations (ủy quyền xử lý thay): the services, the pages at /inbox/uy-quyen/, the API at
/api/inbox/delegations, and the admin."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from lienthong.accounts.models import Role, User
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.models import OutboxEvent
from lienthong.workflow.models import Delegation
from lienthong.workflow.services import create_delegation, revoke_delegation
from lienthong.workflow.tests.helpers import Office, make_office

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def office() -> Office:
    return make_office()


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


def delegate(office: Office, today: datetime.date, **kwargs: object) -> Delegation:
    arguments = {
        "principal": office.head,
        "substitute": office.specialist,
        "starts_on": today,
        "ends_on": today + 4 * DAY,
        "reason": "Đi công tác",
        "by": office.head,
        **kwargs,
    }
    return create_delegation(**arguments)  # type: ignore[arg-type]


# --- Services ---------------------------------------------------------------------------------


def test_an_official_names_their_own_substitute(office: Office, today: datetime.date) -> None:
    delegation = delegate(office, today)

    assert (
        delegation.principal,
        delegation.substitute,
        delegation.starts_on,
        delegation.ends_on,
        delegation.reason,
        delegation.created_by,
    ) == (office.head, office.specialist, today, today + 4 * DAY, "Đi công tác", office.head)
    assert delegation.is_in_force()
    entry = AuditEntry.objects.get(action="workflow.delegation.create")
    assert (entry.actor_id, entry.object_id) == (office.head.pk, str(delegation.pk))
    event = OutboxEvent.objects.get(type="workflow.delegation.created")
    assert event.data["substitute"] == office.specialist.pk


def test_a_leader_of_the_unit_names_one_for_a_member(office: Office, today: datetime.date) -> None:
    delegation = delegate(
        office, today, principal=office.specialist, substitute=office.colleague, by=office.head
    )

    assert delegation.created_by == office.head


def test_an_it_administrator_of_the_unit_may_too(office: Office, today: datetime.date) -> None:
    admin = make_user(roles=[(Role.IT_ADMIN, office.agency)])

    delegate(office, today, by=admin)

    assert Delegation.objects.count() == 1


@pytest.mark.parametrize("who", ["colleague", "citizen", "other_leader"])
def test_others_cannot_delegate_for_someone(office: Office, today: datetime.date, who: str) -> None:
    by = {
        "colleague": office.colleague,
        "citizen": make_user(roles=[(Role.CITIZEN, None)]),
        "other_leader": make_user(roles=[(Role.LEADER, make_org_unit())]),
    }[who]

    with pytest.raises(PermissionDenied):
        delegate(office, today, principal=office.specialist, substitute=office.colleague, by=by)

    assert not Delegation.objects.exists()
    assert not AuditEntry.objects.filter(action="workflow.delegation.create").exists()


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"substitute": "citizen"},
            {"substitute": ["Người được ủy quyền phải là cán bộ đang làm việc."]},
        ),
        ({"substitute": "self"}, {"substitute": ["Không tự ủy quyền cho chính mình."]}),
        ({"ends_on": -1}, {"ends_on": ["Ngày kết thúc phải từ ngày bắt đầu trở đi."]}),
        ({"starts_on": -5, "ends_on": -1}, {"ends_on": ["Thời gian ủy quyền đã qua."]}),
    ],
)
def test_bad_delegations_are_refused(
    office: Office, today: datetime.date, change: dict, errors: dict
) -> None:
    arguments: dict[str, object] = {}
    if change.get("substitute") == "citizen":
        arguments["substitute"] = make_user(roles=[(Role.CITIZEN, None)])
    elif change.get("substitute") == "self":
        arguments["substitute"] = office.head
    for key in ("starts_on", "ends_on"):
        if key in change:
            arguments[key] = today + change[key] * DAY

    with pytest.raises(ValidationError) as caught:
        delegate(office, today, **arguments)

    assert caught.value.message_dict == errors
    assert not Delegation.objects.exists()


def test_no_overlapping_delegations_to_different_substitutes(
    office: Office, today: datetime.date
) -> None:
    delegate(office, today)

    with pytest.raises(ValidationError) as caught:
        delegate(office, today, substitute=office.colleague, starts_on=today + 2 * DAY)
    # after the first one ends, or to the same substitute, it is fine
    delegate(
        office,
        today,
        substitute=office.colleague,
        starts_on=today + 5 * DAY,
        ends_on=today + 6 * DAY,
    )
    delegate(office, today, starts_on=today + 1 * DAY)

    start, end = today.strftime("%d/%m/%Y"), (today + 4 * DAY).strftime("%d/%m/%Y")
    assert caught.value.message_dict == {
        "starts_on": [
            f"Trong thời gian này đã ủy quyền cho Nguyễn Văn An (từ {start} đến {end}); "
            "hãy thu hồi ủy quyền đó trước."
        ]
    }
    assert Delegation.objects.count() == 3


def test_revoke_ends_a_delegation(office: Office, today: datetime.date) -> None:
    delegation = delegate(office, today)

    revoke_delegation(delegation=delegation, by=office.head)

    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert not delegation.is_in_force()
    assert AuditEntry.objects.filter(action="workflow.delegation.revoke").count() == 1
    # then another substitute may be named for the same days
    delegate(office, today, substitute=office.colleague)
    with pytest.raises(ValidationError) as again:
        revoke_delegation(delegation=delegation, by=office.head)
    assert again.value.message_dict == {"delegation": ["Ủy quyền này đã được thu hồi."]}


def test_the_substitute_cannot_revoke(office: Office, today: datetime.date) -> None:
    delegation = delegate(office, today)

    with pytest.raises(PermissionDenied):
        revoke_delegation(delegation=delegation, by=office.specialist)

    delegation.refresh_from_db()
    assert delegation.revoked_at is None


# --- Pages ------------------------------------------------------------------------------------


def test_the_list_shows_given_and_received(
    client: Client, office: Office, today: datetime.date
) -> None:
    delegate(office, today)
    login(client, office.specialist)

    response = client.get("/inbox/uy-quyen/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<td>Phạm Hà</td>" in html and "<td>Nguyễn Văn An</td>" in html
    assert '<span class="badge text-bg-success">Đang hiệu lực</span>' in html
    # the substitute sees it but cannot revoke it
    assert "Thu hồi</button>" not in html


def test_the_form_creates_a_delegation(
    client: Client, office: Office, today: datetime.date
) -> None:
    login(client, office.head)

    response = client.post(
        "/inbox/uy-quyen/them/",
        {
            "principal": office.head.pk,
            "substitute": office.specialist.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + DAY).isoformat(),
            "reason": "Nghỉ phép",
        },
        follow=True,
    )

    assert response.redirect_chain == [("/inbox/uy-quyen/", 302)]
    assert "Đã ủy quyền cho Nguyễn Văn An xử lý thay." in response.content.decode()
    assert Delegation.objects.get().reason == "Nghỉ phép"


def test_the_form_shows_why_it_was_refused(
    client: Client, office: Office, today: datetime.date
) -> None:
    delegate(office, today)
    login(client, office.head)

    response = client.post(
        "/inbox/uy-quyen/them/",
        {
            "principal": office.head.pk,
            "substitute": office.colleague.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + DAY).isoformat(),
        },
    )

    assert response.status_code == 422
    assert "hãy thu hồi ủy quyền đó trước." in response.content.decode()
    assert Delegation.objects.count() == 1


def test_the_form_offers_only_oneself_as_principal_to_a_specialist(
    client: Client, office: Office
) -> None:
    login(client, office.specialist)

    form = client.get("/inbox/uy-quyen/them/").context["form"]

    assert list(form.fields["principal"].queryset) == [office.specialist]
    assert office.specialist not in form.fields["substitute"].queryset
    assert office.colleague in form.fields["substitute"].queryset


def test_a_leader_picks_among_the_members_of_their_unit(client: Client, office: Office) -> None:
    login(client, office.head)

    form = client.get("/inbox/uy-quyen/them/").context["form"]

    assert set(form.fields["principal"].queryset) == {
        office.head,
        office.specialist,
        office.colleague,
    }


def test_revoke_from_the_page(client: Client, office: Office, today: datetime.date) -> None:
    delegation = delegate(office, today)
    login(client, office.head)

    response = client.post(f"/inbox/uy-quyen/{delegation.pk}/thu-hoi/", follow=True)

    assert response.redirect_chain == [("/inbox/uy-quyen/", 302)]
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_revoking_someone_elses_delegation_is_404(
    client: Client, office: Office, today: datetime.date
) -> None:
    delegation = delegate(office, today)
    login(client, make_user(roles=[(Role.SPECIALIST, make_org_unit())]))

    response = client.post(f"/inbox/uy-quyen/{delegation.pk}/thu-hoi/")

    assert response.status_code == 404
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


# --- API --------------------------------------------------------------------------------------


def test_api_create_list_and_revoke(client: Client, office: Office, today: datetime.date) -> None:
    login(client, office.head)

    created = client.post(
        "/api/inbox/delegations",
        {
            "substitute_id": office.specialist.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + DAY).isoformat(),
            "reason": "Họp",
        },
        content_type="application/json",
    )
    listed = client.get("/api/inbox/delegations")
    revoked = client.post(f"/api/inbox/delegations/{created.json()['id']}/revoke")

    assert created.status_code == 201
    body = created.json()
    assert (body["principal"], body["substitute"], body["in_force"], body["reason"]) == (
        {"id": office.head.pk, "name": "Phạm Hà"},
        {"id": office.specialist.pk, "name": "Nguyễn Văn An"},
        True,
        "Họp",
    )
    assert [d["id"] for d in listed.json()] == [body["id"]]
    assert revoked.status_code == 200
    assert revoked.json()["in_force"] is False


def test_api_refuses_bad_input_with_field_errors(
    client: Client, office: Office, today: datetime.date
) -> None:
    login(client, office.head)

    response = client.post(
        "/api/inbox/delegations",
        {
            "substitute_id": office.head.pk,
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Dữ liệu không hợp lệ.",
        "errors": {"substitute": ["Không tự ủy quyền cho chính mình."]},
    }
    assert not Delegation.objects.exists()


def test_api_refuses_a_delegation_for_someone_one_does_not_lead(
    client: Client, office: Office, today: datetime.date
) -> None:
    login(client, office.colleague)

    response = client.post(
        "/api/inbox/delegations",
        {
            "principal_id": office.specialist.pk,
            "substitute_id": office.colleague.pk,
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
        },
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Bạn không được ủy quyền thay cho cán bộ này."}
    assert not Delegation.objects.exists()


# --- Admin ------------------------------------------------------------------------------------


def test_admin_creates_through_the_service_and_shows_its_errors(
    client: Client, office: Office, today: datetime.date
) -> None:
    superuser = User.objects.create_superuser("quantri", password="x", kind="official")
    login(client, superuser)
    data = {
        "principal": office.head.pk,
        "substitute": office.specialist.pk,
        "starts_on": today.isoformat(),
        "ends_on": today.isoformat(),
        "reason": "",
    }

    created = client.post("/admin/workflow/delegation/add/", data)
    refused = client.post(
        "/admin/workflow/delegation/add/", {**data, "substitute": office.colleague.pk}
    )

    assert created.status_code == 302
    assert Delegation.objects.get().created_by == superuser
    assert refused.status_code == 200
    assert "hãy thu hồi ủy quyền đó trước." in refused.content.decode()
    assert Delegation.objects.count() == 1


def test_a_substitute_completes_a_loose_task_of_the_principal(
    office: Office, today: datetime.date
) -> None:
    from lienthong.workflow.services import can_complete, complete_task
    from lienthong.workflow.tests.helpers import make_task

    task = make_task("Báo cáo tuần", assignee=office.head, org_unit=office.division)
    assert not can_complete(task, office.specialist)
    delegate(office, today)

    done = complete_task(task=task, by=office.specialist)

    assert (done.status, done.completed_by, done.acting_for, done.assignee) == (
        "done",
        office.specialist,
        office.head,
        office.head,
    )
    entry = AuditEntry.objects.get(action="workflow.task.complete")
    assert entry.after is not None and entry.after["acting_for_id"] == office.head.pk
