"""Once-only: the one-stop intake pre-fills the applicant from the population registry, each
read is logged with its purpose, and the citizen sees who read their data and why."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from lienthong.core.testing_permissions import login
from lienthong.onestop import intake
from lienthong.onestop.models import Dossier
from lienthong.onestop.testing import make_citizen, make_officer, make_procedure
from lienthong.registries.base import access
from lienthong.registries.base.models import DataAccess, RegistryGrant
from lienthong.registries.population.models import Sex
from lienthong.registries.population.testing import World, make_person, make_world, personal_id_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def procedure(world: World) -> Any:
    return make_procedure(
        agencies=[world.reader_agency], code="1.001193", name="Cấp bản sao trích lục"
    )


def _counter_data(procedure: Any, agency: Any, personal_id: str, **extra: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agency": agency.pk,
        "applicant_kind": "person",
        "applicant_name": "",
        "applicant_personal_id": personal_id,
        "applicant_address": "",
        **extra,
    }
    for component in procedure.components.all():
        data[f"c{component.pk}_received"] = "on"
        data[f"c{component.pk}_originals"] = "1"
        data[f"c{component.pk}_copies"] = "0"
    return data


def test_prefill_lookup_logs_the_read(world: World) -> None:
    person = make_person(world.owner, full_name="Trương Định", permanent_street="8 Bạch Đằng")

    found = access.prefill(
        "person", person.personal_id, by=world.reader, purpose="Tiếp nhận hồ sơ X", channel="intake"
    )

    assert found is not None
    assert (found.name, found.address) == (
        "Trương Định",
        "8 Bạch Đằng, Phường Thủ Dầu Một, Thành phố Hồ Chí Minh",
    )
    read = DataAccess.objects.get()
    assert read.pk == found.access_id
    assert (read.subject_key, read.actor, read.agency, read.purpose) == (
        person.personal_id,
        world.reader,
        world.reader_agency,
        "Tiếp nhận hồ sơ X",
    )


def test_prefill_without_a_grant_is_refused_and_not_logged(world: World) -> None:
    person = make_person(world.owner)
    with pytest.raises(PermissionDenied):
        access.prefill(
            "person", person.personal_id, by=world.outsider, purpose="Xem", channel="intake"
        )
    assert (
        access.prefill("person", "074099999999", by=world.reader, purpose="Xem", channel="intake")
        is None
    )
    assert not DataAccess.objects.exists()


def test_counter_intake_prefills_and_names_the_dossier(
    client: Client, world: World, procedure: Any
) -> None:
    person = make_person(world.owner, full_name="Nguyễn Hữu Cảnh", permanent_street="1 Yersin")
    login(client, world.reader)
    url = f"/motcua/tiep-nhan/{procedure.code}/"

    response = client.post(
        url, {**_counter_data(procedure, world.reader_agency, person.personal_id), "prefill": "1"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Nguyễn Hữu Cảnh"' in html
    assert "1 Yersin, Phường Thủ Dầu Một" in html
    read = DataAccess.objects.get()
    assert read.purpose == "Tiếp nhận hồ sơ thủ tục 1.001193" and read.reference == ""
    assert Dossier.objects.count() == 0  # looking up receives nothing

    data = _counter_data(
        procedure,
        world.reader_agency,
        person.personal_id,
        applicant_name="Nguyễn Hữu Cảnh",
        applicant_address="1 Yersin, Phường Thủ Dầu Một, Thành phố Hồ Chí Minh",
        registry_access=str(read.pk),
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    dossier = Dossier.objects.get()
    read.refresh_from_db()
    assert read.reference == dossier.code
    assert read.purpose_text == f"Tiếp nhận hồ sơ thủ tục 1.001193 ({dossier.code})"


def test_counter_prefill_unknown_id_or_no_grant_says_so(
    client: Client, world: World, procedure: Any
) -> None:
    login(client, world.reader)
    url = f"/motcua/tiep-nhan/{procedure.code}/"
    unknown = personal_id_for(datetime.date(1990, 1, 1), Sex.MALE)
    html = client.post(
        url, {**_counter_data(procedure, world.reader_agency, unknown), "prefill": "1"}
    ).content.decode()
    assert "Không tìm thấy số định danh" in html

    RegistryGrant.objects.all().delete()
    person = make_person(world.owner)
    officer = make_officer(world.reader_agency)
    login(client, officer)
    html = client.post(
        url, {**_counter_data(procedure, world.reader_agency, person.personal_id), "prefill": "1"}
    ).content.decode()
    assert "chưa được cấp quyền khai thác" in html
    assert not DataAccess.objects.exists()


def test_online_form_prefills_the_citizens_address(
    world: World, procedure: Any, client: Client
) -> None:
    citizen = make_citizen(personal_id=personal_id_for(datetime.date(1992, 4, 30), Sex.FEMALE))
    make_person(
        world.owner,
        personal_id=citizen.personal_id,
        full_name=citizen.full_name,
        birth_date=datetime.date(1992, 4, 30),
        sex=Sex.FEMALE,
        permanent_street="45 Ngô Quyền",
    )
    assert intake.applicant_from_profile(citizen).address == (
        "45 Ngô Quyền, Phường Thủ Dầu Một, Thành phố Hồ Chí Minh"
    )
    login(client, citizen)
    html = client.get(f"/motcua/nop-ho-so/{procedure.code}/").content.decode()
    assert "45 Ngô Quyền, Phường Thủ Dầu Một" in html
    reads = DataAccess.objects.about(str(citizen.personal_id))
    assert reads.count() == 2 and {r.channel for r in reads} == {"online"}
    # The citizen's own reads show as "Bạn".
    page = client.get("/csdl/du-lieu-cua-toi/").content.decode()
    assert "Bạn" in page and "Điền sẵn hồ sơ trực tuyến" in page


def test_citizen_without_a_registry_record_gets_no_address(world: World) -> None:
    citizen = make_citizen()
    assert intake.applicant_from_profile(citizen).address == ""
    assert not DataAccess.objects.exists()
