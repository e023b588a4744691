"""Client systems, credentials and grants through the services: permissions, audit, events,
and nothing written when refused."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.exchange.clients import services
from lienthong.exchange.clients.grants import is_granted
from lienthong.exchange.clients.models import AccessToken, ClientSystem, Credential, Grant
from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db

POPULATION = "api.exchange.services.population"
DOSSIERS = "api.exchange.services.dossiers"


def _state() -> tuple[int, int, int, int, int]:
    return (
        ClientSystem.objects.count(),
        Credential.objects.count(),
        Grant.objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
    )


@pytest.fixture
def world() -> dict[str, Any]:
    root = make_org_unit("UBND tỉnh thử")
    owner = make_org_unit("Công an tỉnh thử", parent=root)
    consumer = make_org_unit("Sở Y tế thử", parent=root)
    services.set_service_owner(POPULATION, owner, by=None)
    return {
        "root": root,
        "owner": owner,
        "consumer": consumer,
        "platform_admin": make_user(roles=[(Role.IT_ADMIN, root)]),
        "owner_leader": make_user(roles=[(Role.LEADER, owner)]),
        "consumer_admin": make_user(roles=[(Role.IT_ADMIN, consumer)]),
        "specialist": make_user(roles=[(Role.SPECIALIST, consumer)]),
    }


def _register(world: dict[str, Any], by: Any) -> ClientSystem:
    return services.register_client(
        code="he-thong-y-te",
        name="Hệ thống quản lý y tế",
        agency=world["consumer"],
        purpose="Tra cứu công dân khi khám bệnh",
        by=by,
    )


def test_the_agency_it_admin_registers_a_system_audited_with_an_event(
    world: dict[str, Any],
) -> None:
    client = _register(world, world["consumer_admin"])
    assert client.created_by == world["consumer_admin"] and client.is_active
    entry = AuditEntry.objects.get(action="exchange.client.register")
    assert entry.after is not None and entry.after["code"] == "he-thong-y-te"
    assert entry.actor_id == world["consumer_admin"].pk
    event = OutboxEvent.objects.get(type="exchange.client.registered")
    assert event.subject == "he-thong-y-te"


@pytest.mark.parametrize("who", ["specialist", "owner_leader"])
def test_others_cannot_register_for_the_agency_and_nothing_is_written(
    world: dict[str, Any], who: str
) -> None:
    before = _state()
    with pytest.raises(PermissionDenied):
        _register(world, world[who])
    assert _state() == before


def test_a_bad_code_is_refused_and_nothing_is_written(world: dict[str, Any]) -> None:
    before = _state()
    with pytest.raises(ValidationError) as raised:
        services.register_client(
            code="Mã Có Dấu", name="x", agency=world["consumer"], purpose="y", by=None
        )
    assert "code" in raised.value.message_dict
    assert _state() == before


def test_keys_are_hashed_shown_once_rotatable_with_grace_and_revocable(
    world: dict[str, Any],
) -> None:
    client = _register(world, None)
    credential, key = services.issue_credential(client, by=world["consumer_admin"])
    assert (
        key.startswith(credential.key_id + ".")
        and key.split(".", 1)[1] not in credential.secret_hash
    )
    assert credential.secret_hash == services.hash_secret(key.split(".", 1)[1])
    assert services.authenticate_api_key(key) == credential

    new, new_key = services.rotate_credential(credential, by=world["consumer_admin"], grace_hours=2)
    credential.refresh_from_db()
    assert credential.expires_at is not None
    assert timezone.now() + datetime.timedelta(hours=1.9) < credential.expires_at
    assert services.authenticate_api_key(key) == credential  # still valid in the grace period
    assert services.authenticate_api_key(new_key) == new
    Credential.objects.filter(pk=credential.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert services.authenticate_api_key(key) is None

    services.revoke_credential(new, by=world["consumer_admin"])
    assert services.authenticate_api_key(new_key) is None
    actions = list(
        AuditEntry.objects.filter(action__startswith="exchange.credential")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "exchange.credential.issue",
        "exchange.credential.issue",
        "exchange.credential.rotate",
        "exchange.credential.revoke",
    ]
    assert key not in str(list(AuditEntry.objects.values_list("after", flat=True)))


def test_revoking_an_oauth_credential_ends_its_tokens(world: dict[str, Any]) -> None:
    client = _register(world, None)
    credential, secret = services.issue_credential(client, kind=Credential.Kind.OAUTH, by=None)
    issued = services.issue_token(credential.key_id, secret)
    assert issued is not None
    token, _ttl, _cred = issued
    assert services.authenticate_token(token) == credential
    services.revoke_credential(credential, by=None)
    assert services.authenticate_token(token) is None
    assert not AccessToken.objects.exists()
    assert services.issue_token(credential.key_id, secret) is None


def test_suspending_a_system_stops_its_keys_and_grants(world: dict[str, Any]) -> None:
    client, key = make_client(world["consumer"], grants=[DOSSIERS])
    assert is_granted(client, DOSSIERS) and services.authenticate_api_key(key) is not None
    services.set_client_status(client, ClientSystem.Status.SUSPENDED, by=world["consumer_admin"])
    assert not is_granted(client, DOSSIERS) and services.authenticate_api_key(key) is None
    services.set_client_status(client, ClientSystem.Status.ACTIVE, by=world["consumer_admin"])
    assert services.authenticate_api_key(key) is not None
    services.set_client_status(client, ClientSystem.Status.REVOKED, by=world["consumer_admin"])
    assert not Credential.objects.filter(client=client, revoked_at__isnull=True).exists()
    with pytest.raises(ValidationError):
        services.set_client_status(client, ClientSystem.Status.ACTIVE, by=None)


def test_grant_requested_by_the_client_agency_decided_by_the_owner(world: dict[str, Any]) -> None:
    client = _register(world, None)
    grant = services.request_grant(
        client, service=POPULATION, purpose="Khám bệnh", by=world["consumer_admin"]
    )
    assert grant.status == Grant.Status.REQUESTED and not is_granted(client, POPULATION)

    # The client's own agency cannot approve its request; the owner agency can.
    before = _state()
    with pytest.raises(PermissionDenied):
        services.approve_grant(grant, by=world["consumer_admin"])
    assert _state() == before
    grant.refresh_from_db()
    assert grant.status == Grant.Status.REQUESTED

    services.approve_grant(grant, by=world["owner_leader"], note="Đồng ý")
    assert is_granted(client, POPULATION)
    assert is_granted(client, POPULATION, "exchange_population_person")
    assert not is_granted(client, DOSSIERS)

    services.revoke_grant(grant, by=world["owner_leader"], note="Hết hạn thoả thuận")
    assert not is_granted(client, POPULATION)
    actions = list(
        AuditEntry.objects.filter(action__startswith="exchange.grant")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "exchange.grant.request",
        "exchange.grant.approved",
        "exchange.grant.revoked",
    ]
    types = list(
        OutboxEvent.objects.filter(type__startswith="exchange.grant")
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert types == [
        "exchange.grant.requested",
        "exchange.grant.approved",
        "exchange.grant.revoked",
    ]


def test_refusal_needs_a_reason_and_a_refused_grant_can_be_asked_again(
    world: dict[str, Any],
) -> None:
    client = _register(world, None)
    grant = services.request_grant(client, service=POPULATION, purpose="Khám bệnh", by=None)
    before = _state()
    with pytest.raises(ValidationError):
        services.refuse_grant(grant, by=world["owner_leader"], note=" ")
    assert _state() == before
    services.refuse_grant(grant, by=world["owner_leader"], note="Chưa có văn bản thoả thuận")
    assert not is_granted(client, POPULATION)
    again = services.request_grant(client, service=POPULATION, purpose="Có thoả thuận", by=None)
    assert again.pk == grant.pk and again.status == Grant.Status.REQUESTED and again.note == ""


def test_a_platform_service_is_decided_by_the_platform_it_admin(world: dict[str, Any]) -> None:
    client = _register(world, None)
    grant = services.request_grant(client, service=DOSSIERS, purpose="Theo dõi hồ sơ", by=None)
    with pytest.raises(PermissionDenied):
        services.approve_grant(grant, by=world["owner_leader"])
    services.approve_grant(grant, by=world["platform_admin"])
    assert is_granted(client, DOSSIERS)


@pytest.mark.parametrize(
    ("service", "operation", "field"),
    [
        ("api.nothing", "", "service"),
        (POPULATION, "no_such_operation", "operation"),
        ("api.onestop", "", "service"),  # officials' API: not open to client systems
        ("event.dossier.submitted", "x", "operation"),
    ],
)
def test_grants_of_unknown_or_closed_services_are_refused(
    world: dict[str, Any], service: str, operation: str, field: str
) -> None:
    client = _register(world, None)
    before = _state()
    with pytest.raises(ValidationError) as raised:
        services.request_grant(client, service=service, operation=operation, purpose="p", by=None)
    assert field in raised.value.message_dict
    assert _state() == before


def test_an_event_type_and_one_operation_can_be_granted(world: dict[str, Any]) -> None:
    client = _register(world, None)
    event = services.request_grant(client, service="event.dossier.submitted", purpose="p", by=None)
    one = services.request_grant(
        client, service=POPULATION, operation="exchange_population_person", purpose="p", by=None
    )
    services.approve_grant(event, by=None)
    services.approve_grant(one, by=None)
    assert is_granted(client, "event.dossier.submitted")
    assert not is_granted(client, "event.dossier.received")
    assert is_granted(client, POPULATION, "exchange_population_person")
    assert not is_granted(client, POPULATION)  # one operation does not open the whole service


def test_only_the_platform_names_owners(world: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.set_service_owner(DOSSIERS, world["owner"], by=world["owner_leader"])
    services.set_service_owner(DOSSIERS, world["owner"], by=world["platform_admin"])
    unit = OrgUnit.objects.get(pk=world["owner"].pk)
    assert services.set_service_owner(DOSSIERS, None, by=None) is None and unit.is_agency


def test_an_event_pattern_grant_covers_the_types_below_it(world: dict[str, Any]) -> None:
    client = _register(world, None)
    grant = services.request_grant(client, service="event.dossier.*", purpose="p", by=None)
    assert not is_granted(client, "event.dossier.submitted")
    services.approve_grant(grant, by=world["platform_admin"])
    assert is_granted(client, "event.dossier.submitted")
    assert is_granted(client, "event.dossier.*")
    assert not is_granted(client, "event.procedure.created")
    with pytest.raises(ValidationError):
        services.request_grant(client, service="event.nothing.*", purpose="p", by=None)


def test_the_platform_agency_decides_services_without_an_owner(world: dict[str, Any]) -> None:
    it_department = make_org_unit("Sở Thông tin và Truyền thông thử", parent=world["root"])
    it_admin = make_user(roles=[(Role.IT_ADMIN, it_department)])
    client = _register(world, None)
    grant = services.request_grant(client, service=DOSSIERS, purpose="p", by=None)
    with pytest.raises(PermissionDenied):
        services.approve_grant(grant, by=it_admin)
    services.set_service_owner("*", it_department, by=world["platform_admin"])
    services.approve_grant(grant, by=it_admin)
    assert is_granted(client, DOSSIERS)
    # A service with an owner of its own stays with that owner.
    other = services.request_grant(client, service=POPULATION, purpose="p", by=None)
    with pytest.raises(PermissionDenied):
        services.approve_grant(other, by=it_admin)


def test_the_demo_seed_is_idempotent() -> None:
    from lienthong.exchange.clients import demo

    root = make_org_unit("UBND tỉnh demo", code="000.00.00.H98")
    make_org_unit("Sở Thông tin và Truyền thông", parent=root, code=demo.PLATFORM_AGENCY)
    make_org_unit("Sở Y tế", parent=root, code=demo.HEALTH_AGENCY)
    (line,) = demo.seed_demo()
    key = line.split("khoá API ")[1].split(",")[0]
    system = ClientSystem.objects.get(code=demo.CODE)
    assert services.authenticate_api_key(key) is not None
    assert is_granted(system, "event.dossier.submitted")
    assert is_granted(system, DOSSIERS) and not is_granted(system, POPULATION)
    assert demo.seed_demo() == []
    assert ClientSystem.objects.filter(code=demo.CODE).count() == 1
