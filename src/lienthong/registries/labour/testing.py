"""Factories for tests of the labour registry (and the budget registry's agencies)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from lienthong.accounts.models import Role, User
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.base.addresses import clear_unit_index
from lienthong.registries.labour import places
from lienthong.registries.labour.models import JobSeeker, Sex, Vacancy

_serial = itertools.count(1)

#: A valid tax code (check digit right) for employers in tests.
TAX_CODE = "0100109106"
OTHER_TAX_CODE = "3700146225"


def personal_id_for(birth_date: datetime.date, sex: str) -> str:
    """A well-formed personal ID agreeing with `birth_date` and `sex` (province 074)."""
    century = (birth_date.year // 100 - 19) * 2 + (1 if sex == Sex.FEMALE else 0)
    return f"074{century}{birth_date.year % 100:02d}{next(_serial):06d}"


def make_units() -> dict[str, AdminUnit]:
    """Two 2025 provinces with communes, and one legacy commune merged into a 2025 one."""
    clear_unit_index()
    places.clear()
    new, old = AdminUnit.Era.Y2025, AdminUnit.Era.LEGACY
    level = AdminUnit.Level
    hcm = AdminUnit.objects.create(
        era=new,
        level=level.PROVINCE,
        code="79",
        name="Thành phố Hồ Chí Minh",
        short_name="Hồ Chí Minh",
    )
    dong_nai = AdminUnit.objects.create(
        era=new, level=level.PROVINCE, code="75", name="Tỉnh Đồng Nai", short_name="Đồng Nai"
    )
    units = {"79": hcm, "75": dong_nai}
    for code, name, parent in (
        ("25747", "Phường Thủ Dầu Một", hcm),
        ("25750", "Phường Phú Lợi", hcm),
        ("26068", "Phường Trấn Biên", dong_nai),
    ):
        units[code] = AdminUnit.objects.create(
            era=new, level=level.COMMUNE, code=code, name=name, short_name=name[7:], parent=parent
        )
    bd = AdminUnit.objects.create(
        era=old, level=level.PROVINCE, code="74", name="Tỉnh Bình Dương", short_name="Bình Dương"
    )
    city = AdminUnit.objects.create(
        era=old,
        level=level.DISTRICT,
        code="718",
        name="Thành phố Thủ Dầu Một",
        short_name="Thủ Dầu Một",
        parent=bd,
    )
    units["old-25741"] = AdminUnit.objects.create(
        era=old,
        level=level.COMMUNE,
        code="25741",
        name="Phường Hiệp Thành",
        short_name="Hiệp Thành",
        parent=city,
        successor=units["25747"],
    )
    clear_unit_index()
    places.clear()
    return units


@dataclass
class LabourWorld:
    """An employment service centre with its registry official, another agency, users."""

    centre: OrgUnit
    other: OrgUnit
    official: User
    outsider: User
    citizen: User


def make_world() -> LabourWorld:
    centre = make_org_unit("Trung tâm Dịch vụ việc làm")
    other = make_org_unit("Sở Y tế")
    return LabourWorld(
        centre=centre,
        other=other,
        official=make_user(roles=[(Role.REGISTRY_OWNER, centre)]),
        outsider=make_user(roles=[(Role.SPECIALIST, other)]),
        citizen=make_user(roles=[(Role.CITIZEN, None)]),
    )


def make_seeker(owner: OrgUnit, **fields: Any) -> JobSeeker:
    """A job seeker saved directly (no service, no audit): for tests that need rows."""
    birth_date = fields.pop("birth_date", datetime.date(1995, 3, 12))
    sex = fields.pop("sex", Sex.MALE)
    seeker = JobSeeker(
        owner=owner,
        personal_id=fields.pop("personal_id", None) or personal_id_for(birth_date, sex),
        full_name=fields.pop("full_name", "Nguyễn Văn An"),
        birth_date=birth_date,
        sex=sex,
        commune=fields.pop("commune", "25747"),
        occupation_codes=fields.pop("occupation_codes", "7212"),
        **fields,
    )
    seeker.save()
    return seeker


def make_vacancy(owner: OrgUnit, **fields: Any) -> Vacancy:
    """A vacancy saved directly (no service, no audit)."""
    vacancy = Vacancy(
        owner=owner,
        employer_tax_code=fields.pop("employer_tax_code", TAX_CODE),
        employer_name=fields.pop("employer_name", "Công ty TNHH Cơ khí Bình Minh"),
        title=fields.pop("title", "Thợ hàn"),
        occupation_code=fields.pop("occupation_code", "7212"),
        commune=fields.pop("commune", "25747"),
        deadline=fields.pop("deadline", datetime.date.today() + datetime.timedelta(days=30)),
        **fields,
    )
    vacancy.save()
    return vacancy
