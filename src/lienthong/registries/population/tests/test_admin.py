"""The registry admin: history with "revert to this version" through the service, soft
delete and restore, the read-only access log."""

from __future__ import annotations

import pytest
from django.test import Client

from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login
from lienthong.registries.base import services
from lienthong.registries.population.models import Person
from lienthong.registries.population.testing import World, make_person, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def admin_client(client: Client) -> Client:
    login(client, make_user("quantri-csdl", is_superuser=True, is_staff=True, kind="official"))
    return client


def test_admin_history_reverts_through_the_service(admin_client: Client, world: World) -> None:
    person = make_person(world.owner, full_name="Phan Bội Châu")
    person.full_name = "Phan Châu Trinh"
    services.update_record(person, by=world.official)
    first = AuditEntry.objects.of_object(person).get()

    url = f"/admin/population/person/{person.pk}/history/"
    page = admin_client.get(url).content.decode()
    assert "Phan Bội Châu" in page and "Phan Châu Trinh" in page

    # The only entry is the newest: reverting to it changes nothing, so no button; make one more.
    person.hometown = "Nghệ An"
    services.update_record(person, by=world.official)
    response = admin_client.post(f"{url}{first.seq}/revert/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.hometown) == ("Phan Châu Trinh", "")
    assert AuditEntry.objects.of_object(person).last().action == "registry.population.revert"  # type: ignore[union-attr]


def test_admin_delete_is_soft_and_restorable(admin_client: Client, world: World) -> None:
    person = make_person(world.owner, full_name="Hoàng Hoa Thám")
    admin_client.post(f"/admin/population/person/{person.pk}/delete/", {"post": "yes"})
    assert not Person.objects.filter(pk=person.pk).exists()
    assert Person.all_objects.filter(pk=person.pk).exists()
    admin_client.get("/admin/population/person/")  # shows the "deleted" message once
    listing = admin_client.get("/admin/population/person/").content.decode()
    assert "Hoàng Hoa Thám" not in listing
    assert (
        "Hoàng Hoa Thám"
        in admin_client.get("/admin/population/person/?trang_thai=da-xoa").content.decode()
    )
    admin_client.post(
        "/admin/population/person/?trang_thai=da-xoa",
        {"action": "restore_selected", "_selected_action": [person.pk]},
    )
    assert Person.objects.filter(pk=person.pk).exists()


def test_access_log_is_read_only(admin_client: Client, world: World) -> None:
    assert admin_client.get("/admin/registry/dataaccess/").status_code == 200
    assert admin_client.get("/admin/registry/dataaccess/add/").status_code == 403
