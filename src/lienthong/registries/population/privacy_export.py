"""The population registry's part of a citizen's data export (`privacy.exports`): the
record under the account's personal ID, if any. The household is named by its number only:
the other members are other people's data."""

from __future__ import annotations

from lienthong.accounts.models import User
from lienthong.privacy.exports import Part
from lienthong.registries.population.models import Person


def export_part(user: User) -> Part | None:
    """The registry record linked to the account by personal ID."""
    if not user.personal_id:
        return None
    person = Person.objects.select_related("household").filter(personal_id=user.personal_id).first()
    if person is None:
        return None
    return Part(
        {
            "personal_id": person.personal_id,
            "full_name": person.full_name,
            "birth_date": person.birth_date,
            "sex": person.get_sex_display(),
            "ethnicity": person.ethnicity,
            "hometown": person.hometown,
            "permanent_address": person.permanent_address_original or person.permanent_street,
            "permanent_commune": person.permanent_commune,
            "current_address": person.current_address_original or person.current_street,
            "current_commune": person.current_commune,
            "household": person.household.code if person.household else "",
            "relation_to_head": person.get_relation_to_head_display(),
        }
    )
