"""Factories for tests of the population registry (and of apps that pre-fill from it)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from lienthong.accounts.models import Role, User
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.base.addresses import clear_unit_index
from lienthong.registries.base.models import RegistryGrant
from lienthong.registries.population.models import Person, Sex

_serial = itertools.count(1)


def personal_id_for(birth_date: datetime.date, sex: str, serial: int | None = None) -> str:
    """A well-formed personal ID (province 074) agreeing with `birth_date` and `sex`."""
    century = (birth_date.year // 100 - 19) * 2 + (1 if sex == Sex.FEMALE else 0)
    number = next(_serial) if serial is None else serial
    return f"074{century}{birth_date.year % 100:02d}{number:06d}"


def make_units() -> dict[str, AdminUnit]:
    """A few real units of both eras (Thủ Dầu Một, Bình Dương → Hồ Chí Minh City)."""
    clear_unit_index()
    new = AdminUnit.Era.Y2025
    old = AdminUnit.Era.LEGACY
    level = AdminUnit.Level
    hcm = AdminUnit.objects.create(
        era=new,
        level=level.PROVINCE,
        code="79",
        name="Thành phố Hồ Chí Minh",
        short_name="Hồ Chí Minh",
    )
    tdm = AdminUnit.objects.create(
        era=new,
        level=level.COMMUNE,
        code="25747",
        name="Phường Thủ Dầu Một",
        short_name="Thủ Dầu Một",
        parent=hcm,
    )
    phu_loi = AdminUnit.objects.create(
        era=new,
        level=level.COMMUNE,
        code="25750",
        name="Phường Phú Lợi",
        short_name="Phú Lợi",
        parent=hcm,
    )
    bd = AdminUnit.objects.create(
        era=old,
        level=level.PROVINCE,
        code="74",
        name="Tỉnh Bình Dương",
        short_name="Bình Dương",
        successor=hcm,
    )
    city = AdminUnit.objects.create(
        era=old,
        level=level.DISTRICT,
        code="718",
        name="Thành phố Thủ Dầu Một",
        short_name="Thủ Dầu Một",
        parent=bd,
    )
    units = {"79": hcm, "25747": tdm, "25750": phu_loi, "74": bd, "718": city}
    for code, name, successor in (
        ("25747", "Phường Phú Cường", tdm),
        ("25753", "Phường Phú Thọ", tdm),
        ("25741", "Phường Hiệp Thành", phu_loi),
    ):
        units[f"old-{code}"] = AdminUnit.objects.create(
            era=old,
            level=level.COMMUNE,
            code=code,
            name=name,
            short_name=name[7:],
            parent=city,
            successor=successor,
        )
    clear_unit_index()
    return units


def make_person(owner: OrgUnit, **fields: Any) -> Person:
    """A person saved directly (no service, no audit): for tests that need rows to read."""
    birth_date = fields.pop("birth_date", datetime.date(1990, 5, 17))
    sex = fields.pop("sex", Sex.MALE)
    person = Person(
        owner=owner,
        personal_id=fields.pop("personal_id", None) or personal_id_for(birth_date, sex),
        full_name=fields.pop("full_name", "Nguyễn Văn An"),
        birth_date=birth_date,
        sex=sex,
        ethnicity=fields.pop("ethnicity", "01"),
        permanent_commune=fields.pop("permanent_commune", "25747"),
        **fields,
    )
    person.save()
    return person


@dataclass
class World:
    """The people of a registry test: the owner agency and who may do what."""

    owner: OrgUnit
    reader_agency: OrgUnit
    other_agency: OrgUnit
    #: Registry official of the owner agency: edits.
    official: User
    #: Official of an agency granted to read the registry.
    reader: User
    #: Official of an agency without a grant.
    outsider: User
    citizen: User


def make_world(*, grant: bool = True) -> World:
    """Units, agencies and users for registry tests; the reader's agency holds a grant."""
    make_units()
    owner = make_org_unit("Công an tỉnh Bình Dương (thử)")
    reader_agency = make_org_unit("Ủy ban nhân dân phường Phú Cường (thử)")
    other_agency = make_org_unit("Sở Xây dựng (thử)")
    if grant:
        RegistryGrant.objects.create(
            registry="population", agency=reader_agency, purpose="Tiếp nhận hồ sơ một cửa"
        )
    return World(
        owner=owner,
        reader_agency=reader_agency,
        other_agency=other_agency,
        official=make_user(roles=[(Role.REGISTRY_OWNER, owner)], full_name="Cán bộ dân cư"),
        reader=make_user(roles=[(Role.ONESTOP_OFFICER, reader_agency)], full_name="Cán bộ một cửa"),
        outsider=make_user(roles=[(Role.SPECIALIST, other_agency)], full_name="Chuyên viên khác"),
        citizen=make_user(
            roles=[(Role.CITIZEN, None)],
            full_name="Nguyễn Văn An",
            personal_id=personal_id_for(datetime.date(1990, 5, 17), Sex.MALE, serial=999),
        ),
    )
