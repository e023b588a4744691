"""The once-only person lookup reads the live record by one fixed statement: the same person,
field for field, as `Person.objects`, and nothing for a soft-deleted record or an unknown ID."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lienthong.registries.population.lookups import PersonLookup
from lienthong.registries.population.models import Person
from lienthong.registries.population.testing import make_person, make_world

pytestmark = pytest.mark.django_db


def test_the_lookup_reads_the_live_person_as_the_orm_does() -> None:
    # Given a person in the registry
    world = make_world()
    person = make_person(world.owner, full_name="Trần Thị Bình", permanent_street="12 Lê Lợi")
    # When the lookup finds them by personal ID
    found = PersonLookup().find(person.personal_id)
    # Then it answers with the record the ORM reads
    expected = Person.objects.get(pk=person.pk)
    assert found is not None
    assert (found.record_id, found.key, found.name) == (
        expected.pk,
        expected.personal_id,
        expected.full_name,
    )
    assert found.address == expected.address_text("permanent")
    assert found.data["birth_date"] == expected.birth_date.isoformat()


def test_a_soft_deleted_or_unknown_person_is_not_found() -> None:
    # Given a person whose record was soft-deleted
    world = make_world()
    person = make_person(world.owner)
    Person.all_objects.filter(pk=person.pk).update(deleted_at=timezone.now())
    # When the lookup asks for them, or for an ID nobody has, then nothing is found
    assert PersonLookup().find(person.personal_id) is None
    assert PersonLookup().find("079999999999") is None
