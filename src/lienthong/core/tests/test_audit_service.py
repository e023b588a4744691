"""Recording writes through services: before/after JSON, actor context, rollback."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from lienthong.accounts.models import Role
from lienthong.core.audit import audited, field_snapshot, head_state, record, service, snapshot
from lienthong.core.context import acting
from lienthong.core.middleware import RequestContextMiddleware
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit, make_user

pytestmark = pytest.mark.django_db


# Services as an app would write them, over a real model.


@service
def create_unit(*, name: str, parent: OrgUnit | None = None, by: Any = None) -> OrgUnit:
    """Create a division under `parent`."""
    unit = OrgUnit(name=name, kind=OrgUnit.Kind.DIVISION, parent=parent)
    with audited("orgunit.create", unit):
        unit.save()
    return unit


@service
def rename_unit(unit: OrgUnit, *, name: str, by: Any = None) -> OrgUnit:
    """Rename an org unit."""
    with audited("orgunit.rename", unit):
        unit.name = name
        unit.save(update_fields=["name"])
    return unit


@service
def delete_unit(unit: OrgUnit, *, by: Any = None) -> None:
    """Delete an org unit."""
    with audited("orgunit.delete", unit):
        unit.delete()


class Refused(Exception):
    pass


@service
def rename_then_fail(unit: OrgUnit, *, name: str, by: Any = None) -> None:
    """A service that writes, records, then fails its own check."""
    rename_unit(unit, name=name, by=by)
    raise Refused


def unit_json(unit: OrgUnit, **changes: Any) -> dict[str, Any]:
    """The exact JSON the log holds for a division made by `create_unit`."""
    data: dict[str, Any] = {
        "id": unit.pk,
        "name": unit.name,
        "short_name": "",
        "kind": "division",
        "is_agency": False,
        "code": None,
        "code_is_demo": False,
        "parent_id": unit.parent_id,
        "admin_unit_id": None,
        "path": unit.path,
        "depth": unit.depth,
        "is_active": True,
        "valid_from": None,
        "valid_until": None,
    }
    return {**data, **changes}


@pytest.fixture
def agency() -> OrgUnit:
    return make_org_unit("Sở Nội vụ")


@pytest.fixture
def officer(agency: OrgUnit) -> Any:
    return make_user("canbo.noivu", roles=[(Role.SPECIALIST, agency)])


def test_create_is_recorded_with_no_before_and_the_stored_row_after(
    agency: OrgUnit, officer: Any
) -> None:
    # When an official creates a division through the service
    with acting(request_id="req-create-01", ip="203.0.113.9"):
        unit = create_unit(name="Phòng Tổ chức", parent=agency, by=officer)
    # Then one entry holds who, where from, what and the full row
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id, entry.object_repr) == (
        "orgunit.create",
        "core.orgunit",
        str(unit.pk),
        "Phòng Tổ chức",
    )
    assert (entry.actor_id, entry.actor_repr, entry.org_unit_id) == (
        officer.pk,
        "canbo.noivu",
        agency.pk,
    )
    assert (entry.request_id, entry.ip) == ("req-create-01", "203.0.113.9")
    assert entry.before is None
    assert entry.after == unit_json(unit, path=f"{agency.path}{unit.pk}/", depth=1)


def test_update_is_recorded_with_exact_before_and_after(agency: OrgUnit, officer: Any) -> None:
    unit = create_unit(name="Phòng Tổ chức", parent=agency, by=officer)
    # When it is renamed
    rename_unit(unit, name="Phòng Tổ chức cán bộ", by=officer)
    # Then the entry shows the name before and after, everything else unchanged
    entry = AuditEntry.objects.of_object(unit).last()
    assert entry is not None
    assert entry.action == "orgunit.rename"
    assert entry.before == unit_json(unit, name="Phòng Tổ chức")
    assert entry.after == unit_json(unit, name="Phòng Tổ chức cán bộ")
    assert [e.action for e in AuditEntry.objects.of_object(unit)] == [
        "orgunit.create",
        "orgunit.rename",
    ]


def test_before_is_what_the_database_held_not_what_the_instance_says(agency: OrgUnit) -> None:
    # Given an instance changed in memory before the audited block
    unit = create_unit(name="Phòng A", parent=agency)
    unit.name = "Phòng B (chưa lưu)"
    # When the write inside the block goes straight to the database
    with transaction.atomic(), audited("orgunit.rename", unit):
        OrgUnit.objects.filter(pk=unit.pk).update(name="Phòng C")
    # Then before and after are the stored rows
    entry = AuditEntry.objects.order_by("seq").last()
    assert entry is not None
    assert entry.before is not None and entry.after is not None
    assert (entry.before["name"], entry.after["name"]) == ("Phòng A", "Phòng C")


def test_delete_is_recorded_with_the_last_state_and_no_after(agency: OrgUnit, officer: Any) -> None:
    unit = create_unit(name="Phòng Tạm", parent=agency, by=officer)
    pk, expected = unit.pk, unit_json(unit)
    # When it is deleted
    delete_unit(unit, by=officer)
    # Then the entry keeps the id and the row as it was
    entry = AuditEntry.objects.order_by("seq").last()
    assert entry is not None
    assert (entry.action, entry.object_id, entry.object_repr) == (
        "orgunit.delete",
        str(pk),
        "Phòng Tạm",
    )
    assert entry.before == expected
    assert entry.after is None
    assert not OrgUnit.objects.filter(pk=pk).exists()


def test_a_queryset_delete_inside_the_block_is_seen_as_a_delete(agency: OrgUnit) -> None:
    unit = create_unit(name="Phòng Tạm", parent=agency)
    with transaction.atomic(), audited("orgunit.delete", unit):
        OrgUnit.objects.filter(pk=unit.pk).delete()
    entry = AuditEntry.objects.order_by("seq").last()
    assert entry is not None
    assert (entry.object_id, entry.after) == (str(unit.pk), None)


def test_a_failed_service_leaves_no_entry_and_no_change(agency: OrgUnit, officer: Any) -> None:
    # Given a unit and the log as it stands
    unit = create_unit(name="Phòng Tổ chức", parent=agency, by=officer)
    before = head_state()
    count = AuditEntry.objects.count()
    # When a service renames it, records it, then fails
    with pytest.raises(Refused):
        rename_then_fail(unit, name="Tên mới", by=officer)
    # Then neither the rename nor its entry exist, and the head did not move
    assert OrgUnit.objects.get(pk=unit.pk).name == "Phòng Tổ chức"
    assert AuditEntry.objects.count() == count
    assert not AuditEntry.objects.filter(action="orgunit.rename").exists()
    assert head_state() == before


def test_the_request_context_reaches_the_log_through_the_middleware(
    agency: OrgUnit, officer: Any
) -> None:
    # Given a request from an official; authentication runs after the context middleware,
    # so the user is only known inside the view
    unit = create_unit(name="Phòng Tổ chức", parent=agency)

    def view(request: HttpRequest) -> HttpResponse:
        request.user = officer
        with transaction.atomic(), audited("orgunit.rename", unit):
            unit.name = "Phòng Tổ chức – Biên chế"
            unit.save()
        return HttpResponse("ok")

    request = RequestFactory().post(
        "/", REMOTE_ADDR="198.51.100.23", HTTP_X_REQUEST_ID="trace-7f3a9c21"
    )
    # When the middleware serves it
    response = RequestContextMiddleware(view)(request)
    # Then the entry carries the request id, the address and the user resolved late
    entry = AuditEntry.objects.order_by("seq").last()
    assert entry is not None
    assert response["X-Request-ID"] == "trace-7f3a9c21"
    assert (entry.request_id, entry.ip) == ("trace-7f3a9c21", "198.51.100.23")
    assert (entry.actor_id, entry.actor_repr, entry.org_unit_id) == (
        officer.pk,
        "canbo.noivu",
        agency.pk,
    )


def test_an_anonymous_request_records_no_actor(agency: OrgUnit) -> None:
    from django.contrib.auth.models import AnonymousUser

    def view(request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        create_unit(name="Phòng Một cửa", parent=agency)
        return HttpResponse("ok")

    RequestContextMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="192.0.2.1"))
    entry = AuditEntry.objects.get(action="orgunit.create")
    assert (entry.actor_id, entry.actor_repr, entry.org_unit_id, entry.ip) == (
        None,
        "",
        None,
        "192.0.2.1",
    )


def test_a_command_context_names_the_channel(agency: OrgUnit) -> None:
    with acting(request_id="cli-units-load-1", via="cli:units load"):
        create_unit(name="Phòng Văn thư", parent=agency)
    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.actor_repr, entry.request_id, entry.ip) == (
        None,
        "cli:units load",
        "cli-units-load-1",
        None,
    )


def test_a_service_gives_all_its_entries_one_request_id_and_its_actor(
    agency: OrgUnit, officer: Any
) -> None:
    # Given no request around (a script), and a service that writes twice
    @service
    def create_two(*, by: Any) -> None:
        """Create two divisions."""
        create_unit(name="Phòng 1", parent=agency)
        create_unit(name="Phòng 2", parent=agency)

    create_two(by=officer)
    # Then both entries share one request id and name the official, who was never passed on
    first, second = AuditEntry.objects.chain_order()
    assert first.request_id == second.request_id != ""
    assert first.actor_id == second.actor_id == officer.pk


def test_an_explicit_actor_and_org_unit_win_over_the_context(agency: OrgUnit) -> None:
    other_unit = make_org_unit("Sở Tư pháp")
    leader = make_user("lanhdao", roles=[(Role.LEADER, other_unit)])
    with transaction.atomic():
        entry = record("test.explicit", agency, actor=leader, org_unit=agency)
    assert (entry.actor_id, entry.org_unit_id, entry.object_id) == (
        leader.pk,
        agency.pk,
        str(agency.pk),
    )


def test_snapshots_never_hold_passwords_and_list_many_to_many_ids(officer: Any) -> None:
    # A model without its own exclusions still never logs a password, and lists m2m ids
    data = field_snapshot(officer)
    assert "password" not in data
    assert (data["username"], data["groups"], data["user_permissions"]) == ("canbo.noivu", [], [])
    # The AuditedModel mixin's audit_exclude is honoured by snapshot()
    mixin_data = snapshot(officer)
    assert mixin_data is not None
    assert set(type(officer).audit_exclude).isdisjoint(mixin_data)
    assert mixin_data["username"] == "canbo.noivu"
