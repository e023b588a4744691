"""Writes to the population registry through the shared services: validation, history,
revert, soft delete, events, permissions as query filters, folded search."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import services
from lienthong.registries.population import services as population
from lienthong.registries.population.models import Person, Sex
from lienthong.registries.population.testing import World, make_person, make_world, personal_id_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def _new_person(world: World, **fields: object) -> Person:
    birth = fields.pop("birth_date", datetime.date(1985, 3, 2))
    sex = fields.pop("sex", Sex.FEMALE)
    values: dict[str, object] = {
        "owner": world.owner,
        "personal_id": personal_id_for(birth, sex),  # type: ignore[arg-type]
        "full_name": "Trần Thị Bích Ngọc",
        "birth_date": birth,
        "sex": sex,
        "ethnicity": "01",
        "permanent_commune": "25747",
        **fields,
    }
    return Person(**values)


def test_create_validates_audits_and_publishes(world: World) -> None:
    person = population.create_person(_new_person(world), by=world.official)

    assert person.search_text == "tran thi bich ngoc"
    entry = AuditEntry.objects.of_object(person).get()
    assert entry.action == "registry.population.create"
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["full_name"] == "Trần Thị Bích Ngọc"
    assert "search_text" not in entry.after
    event = OutboxEvent.objects.get(type="registry.population.created")
    assert event.subject == str(person.pk)
    assert event.data == {"registry": "population", "id": person.pk, "owner": world.owner.pk}


def test_id_that_disagrees_with_birth_year_and_sex_writes_nothing(world: World) -> None:
    person = _new_person(world, personal_id=personal_id_for(datetime.date(1986, 1, 1), Sex.MALE))

    with pytest.raises(ValidationError) as caught:
        population.create_person(person, by=world.official)

    messages = caught.value.message_dict["personal_id"]
    assert any("năm sinh 1986" in m and "năm 1985" in m for m in messages)
    assert any("giới tính Nam" in m and "Nữ" in m for m in messages)
    assert not Person.all_objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="registry.").exists()
    assert not OutboxEvent.objects.filter(type__startswith="registry.").exists()


def test_legacy_commune_is_converted_keeping_the_original(world: World) -> None:
    person = _new_person(world, permanent_commune="", permanent_commune_legacy="25753")

    population.create_person(person, by=world.official)

    person.refresh_from_db()
    assert (person.permanent_commune, person.permanent_commune_legacy) == ("25747", "25753")
    assert person.address_text("permanent") == "Phường Thủ Dầu Một, Thành phố Hồ Chí Minh"
    assert "Phường Phú Thọ" in person.legacy_address_text("permanent")


def test_unknown_commune_is_a_field_error(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        population.create_person(_new_person(world, permanent_commune="99999"), by=world.official)
    assert "99999" in caught.value.message_dict["permanent_commune"][0]


def test_history_and_revert_go_through_the_service(world: World) -> None:
    person = population.create_person(_new_person(world), by=world.official)
    person.full_name = "Trần Thị Ngọc"
    population.update_person(person, by=world.official)
    person.hometown = "Hà Nội"
    population.update_person(person, by=world.official)

    versions = services.history(person)
    assert [v.action for v in versions] == ["update", "update", "create"]
    assert [(c.field, c.before, c.after) for c in versions[1].changes] == [
        ("full_name", "Trần Thị Bích Ngọc", "Trần Thị Ngọc")
    ]

    created = versions[-1].entry
    services.revert_record(person, entry=created, by=world.official)

    person.refresh_from_db()
    assert (person.full_name, person.hometown) == ("Trần Thị Bích Ngọc", "")
    assert person.search_text == "tran thi bich ngoc"
    latest = services.history(person)[0]
    assert latest.action == "revert"
    event = OutboxEvent.objects.filter(type="registry.population.updated").last()
    assert event is not None
    assert event.data["reverted_to"] == created.seq
    assert event.data["changed"] == ["full_name", "hometown"]


def test_soft_delete_hides_everywhere_and_restore_brings_back(world: World) -> None:
    person = population.create_person(_new_person(world), by=world.official)

    population.delete_person(person, by=world.official)

    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Person.objects.visible_to(world.reader).filter(pk=person.pk).exists()
    assert not Person.objects.search("ngoc").exists()
    assert not Person.objects.search(person.personal_id).exists()
    stored = Person.all_objects.get(pk=person.pk)
    assert stored.deleted_by == world.official
    assert OutboxEvent.objects.filter(type="registry.population.deleted").count() == 1

    again = _new_person(world, personal_id=person.personal_id)
    with pytest.raises(ValidationError) as caught:
        population.create_person(again, by=world.official)
    assert "hãy khôi phục" in caught.value.message_dict["personal_id"][0]

    services.restore_record(stored, by=world.official)
    assert Person.objects.search("ngoc").get() == person
    assert [v.action for v in services.history(person)][:2] == ["restore", "delete"]


def test_only_the_owner_agencys_registry_officials_edit(world: World) -> None:
    person = population.create_person(_new_person(world), by=world.official)

    for user in (world.reader, world.outsider, world.citizen):
        person.full_name = "Đổi tên"
        with pytest.raises(PermissionDenied):
            population.update_person(person, by=user)
        with pytest.raises(PermissionDenied):
            population.delete_person(person, by=user)
    with pytest.raises(PermissionDenied):
        population.create_person(_new_person(world), by=world.reader)

    person.refresh_from_db()
    assert person.full_name == "Trần Thị Bích Ngọc"
    assert Person.objects.count() == 1
    assert AuditEntry.objects.filter(action__startswith="registry.").count() == 1


def test_visibility_is_a_query_filter(world: World) -> None:
    mine = make_person(world.owner, full_name="Lê Văn Tám")
    elsewhere = make_person(world.other_agency, full_name="Phạm Văn Đồng")

    assert set(Person.objects.visible_to(world.official)) == {mine}
    assert set(Person.objects.editable_by(world.official)) == {mine}
    assert set(Person.objects.visible_to(world.reader)) == {mine, elsewhere}
    assert not Person.objects.editable_by(world.reader).exists()
    assert not Person.objects.visible_to(world.outsider).exists()
    assert not Person.objects.visible_to(world.citizen).exists()


def test_expired_grant_reads_nothing(world: World) -> None:
    from lienthong.registries.base.models import RegistryGrant

    make_person(world.owner)
    RegistryGrant.objects.update(valid_until=datetime.date(2020, 1, 1))
    world.reader.__dict__.pop("_registry_read_grants", None)

    assert not Person.objects.visible_to(world.reader).exists()


def test_folded_search_by_words_prefix_and_id(world: World) -> None:
    an = make_person(world.owner, full_name="Nguyễn Văn An")
    anh = make_person(world.owner, full_name="Nguyễn Thị Anh", sex=Sex.FEMALE)
    binh = make_person(world.owner, full_name="Trần Văn Bình")

    assert set(Person.objects.search("nguyễn văn an")) == {an}
    assert set(Person.objects.search("NGUYEN van AN")) == {an}
    assert set(Person.objects.search("nguyen an")) == {an, anh}
    assert set(Person.objects.search("van")) == {an, binh}
    assert set(Person.objects.search("binh tran")) == {binh}
    assert set(Person.objects.search(an.personal_id)) == {an}
    assert set(Person.objects.search(an.personal_id[:6])) >= {an}
    assert not Person.objects.search("đặng").exists()
    assert not Person.objects.search("!!!").exists()
    assert Person.objects.search("").count() == 3
