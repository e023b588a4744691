"""A client system reads a person through the API: the read is logged with the system and its
agency, and the citizen sees it on /csdl/du-lieu-cua-toi/."""

from __future__ import annotations

import pytest
from django.test import Client

from lienthong.core.testing_permissions import login
from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.registries.base.models import DataAccess
from lienthong.registries.population.testing import World, make_person, make_world

pytestmark = pytest.mark.django_db

POPULATION = "api.exchange.services.population"


@pytest.fixture
def world() -> World:
    return make_world()


def test_a_granted_system_reads_a_person_and_the_citizen_sees_it(
    client: Client, world: World
) -> None:
    person = make_person(
        world.owner, personal_id=world.citizen.personal_id, full_name="Nguyễn Văn An"
    )
    system, key = make_client(world.reader_agency, grants=[POPULATION], name="Hệ thống y tế")
    url = f"/api/exchange/services/population/persons/{person.personal_id}"
    response = client.get(
        url, {"purpose": "Khám bệnh bảo hiểm y tế", "reference": "BV-1"}, HTTP_X_API_KEY=key
    )
    assert response.status_code == 200, response.content
    assert response.json()["full_name"] == "Nguyễn Văn An"
    read = DataAccess.objects.get()
    assert (read.client_system, read.agency, read.channel, read.actor) == (
        system,
        world.reader_agency,
        DataAccess.Channel.API,
        None,
    )
    assert read.actor_repr == str(system) and read.reference == "BV-1"
    entry = MessageLogEntry.objects.get(chain="api")
    assert entry.client_id == system.pk and entry.status == 200
    assert entry.correlation_id == read.request_id

    login(client, world.citizen)
    html = client.get("/csdl/du-lieu-cua-toi/").content.decode()
    assert "Hệ thống kết nối" in html and "Hệ thống y tế" in html
    assert world.reader_agency.name in html and "Khám bệnh bảo hiểm y tế" in html


def test_no_purpose_no_grant_or_no_key_reads_nothing(client: Client, world: World) -> None:
    person = make_person(world.owner, personal_id=world.citizen.personal_id)
    _system, key = make_client(world.reader_agency, grants=[POPULATION])
    _other, ungranted = make_client(world.reader_agency, grants=["api.exchange.services.dossiers"])
    url = f"/api/exchange/services/population/persons/{person.personal_id}"
    response = client.get(url, HTTP_X_API_KEY=key)
    assert response.status_code == 422 and "purpose" in response.json()["errors"]
    assert client.get(url, {"purpose": "x"}, HTTP_X_API_KEY=ungranted).status_code == 403
    assert client.get(url, {"purpose": "x"}).status_code == 401
    assert client.get(url + "9", {"purpose": "x"}, HTTP_X_API_KEY=key).status_code == 404
    assert not DataAccess.objects.exists()
    assert MessageLogEntry.objects.filter(chain="api").count() == 4
