"""The demo data: about 20,000 persons, idempotent, linked to the demo citizen (its speed is
measured by bench/bench_population.py, not asserted here)."""

from __future__ import annotations

import pytest

from lienthong.accounts.models import User
from lienthong.core.seed import seed_demo as seed_kernel
from lienthong.registries.base.addresses import clear_unit_index
from lienthong.registries.base.models import DataAccess, RegistryGrant
from lienthong.registries.population import demo
from lienthong.registries.population.models import Household, Person


@pytest.mark.django_db
def test_demo_seeds_persons_fast_and_once() -> None:
    seed_kernel()
    clear_unit_index()

    lines = demo.seed_demo()

    assert Person.objects.count() == demo.PERSONS + 1  # and the demo citizen
    assert any("công dân" in line for line in lines)
    household = Household.objects.exclude(head=None).first()
    assert household is not None and household.head is not None
    assert household.head.relation_to_head == "head"
    assert Household.objects.filter(head=None).count() == 0
    sample = Person.objects.exclude(personal_id=demo.CITIZEN_ID).first()
    assert sample is not None
    sample.full_clean()  # generated rows obey the model's rules (ID vs birth year and sex)
    assert Person.objects.search(sample.full_name).filter(pk=sample.pk).exists()

    citizen = User.objects.get(username=demo.CITIZEN)
    assert citizen.personal_id == demo.CITIZEN_ID
    assert DataAccess.objects.for_user(citizen).count() == 1
    assert RegistryGrant.objects.filter(registry="population").count() == 2

    assert demo.seed_demo()[-1] == "Dân cư: đã có dữ liệu demo."
    assert Person.objects.count() == demo.PERSONS + 1
