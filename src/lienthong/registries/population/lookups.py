"""The population registry's answer to once-only lookups: a person by personal ID."""

from __future__ import annotations

from lienthong.registries.base.access import LookupResult
from lienthong.registries.population.models import REGISTRY, Person


class PersonLookup:
    """Kind "person": the live record with a personal ID (registered in `ready()`)."""

    kind = "person"
    registry = REGISTRY

    def find(self, key: str) -> LookupResult | None:
        """The person with personal ID `key`, with their permanent address (2025 units)."""
        person = Person.objects.filter(personal_id=key).first()
        if person is None:
            return None
        return LookupResult(
            registry=REGISTRY,
            record_id=person.pk,
            key=person.personal_id,
            name=person.full_name,
            address=person.address_text("permanent"),
            commune=person.permanent_commune,
            data={
                "birth_date": person.birth_date.isoformat(),
                "sex": person.sex,
                "ethnicity": person.ethnicity_name,
                "current_address": person.address_text("current"),
            },
        )
