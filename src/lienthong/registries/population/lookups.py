"""The population registry's answer to once-only lookups: a person by personal ID."""

from __future__ import annotations

from lienthong.core import sql
from lienthong.registries.base.access import LookupResult
from lienthong.registries.population.models import REGISTRY, Person

_reader: sql.Reader[Person] | None = None


def _live_person(personal_id: str) -> Person | None:
    """The live (not soft-deleted, as `Person.objects`) person with this personal ID.

    One fixed statement: every online submission pre-fills its applicant through here, and the
    ORM's query cost several times the statement (decision 0011). The ID is unique.
    """
    global _reader
    if _reader is None:
        _reader = sql.Reader(Person)
    text = "SELECT {} FROM {} p WHERE p.{} = %s AND p.{} IS NULL".format(
        _reader.columns("p"),
        sql.quote(Person._meta.db_table),
        sql.quote(Person._meta.get_field("personal_id").column),
        sql.quote(Person._meta.get_field("deleted_at").column),
    )
    with sql.session():
        rows = sql.fetch(text, [personal_id])
        return _reader.build(rows[0]) if rows else None


class PersonLookup:
    """Kind "person": the live record with a personal ID (registered in `ready()`)."""

    kind = "person"
    registry = REGISTRY

    def find(self, key: str) -> LookupResult | None:
        """The person with personal ID `key`, with their permanent address (2025 units)."""
        person = _live_person(key)
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
