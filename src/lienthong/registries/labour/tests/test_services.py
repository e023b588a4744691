"""Writes go through the shared registry services: audited, evented, revertible."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import services
from lienthong.registries.labour.models import JobSeeker, Vacancy
from lienthong.registries.labour.testing import LabourWorld, make_seeker, make_vacancy


def test_update_and_revert_keep_derived_columns(world: LabourWorld) -> None:
    seeker = make_seeker(world.centre, occupation_codes="7212")
    seeker.occupation_codes = "2512, 2514"
    services.update_record(seeker, by=world.official)
    seeker.refresh_from_db()
    assert (seeker.occupation_codes, seeker.occupation_groups) == (" 2512 2514 ", " 25 ")
    event = OutboxEvent.objects.get(type="registry.labour.updated")
    assert event.data["changed"] == ["occupation_codes"]
    # The history's first version (the update's "before") brings the welder back.
    entry = AuditEntry.objects.of_object(seeker).get(action="registry.labour.update")
    services.revert_record(seeker, entry=_before_entry(entry), by=world.official)
    seeker.refresh_from_db()
    assert (seeker.occupation_codes, seeker.occupation_groups) == (" 7212 ", " 72 ")


def _before_entry(entry: AuditEntry) -> AuditEntry:
    # revert_record takes an entry's "after" (else its "before"); fake the creating version.
    entry.after = None
    return entry


def test_an_invalid_update_changes_nothing(world: LabourWorld) -> None:
    vacancy = make_vacancy(world.centre)
    events = OutboxEvent.objects.count()
    vacancy.occupation_code = "0000"
    with pytest.raises(ValidationError):
        services.update_record(vacancy, by=world.official)
    assert Vacancy.objects.get().occupation_code == "7212"
    assert OutboxEvent.objects.count() == events


def test_only_the_registry_officials_write(world: LabourWorld) -> None:
    seeker = make_seeker(world.centre)
    with pytest.raises(PermissionDenied):
        services.delete_record(seeker, by=world.outsider)
    services.delete_record(seeker, by=world.official)
    assert not JobSeeker.objects.exists()
    assert JobSeeker.all_objects.get().deleted_by == world.official
