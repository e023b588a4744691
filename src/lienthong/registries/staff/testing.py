"""Factories for the staff registry's tests (and the benchmark's set-up)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit
from lienthong.registries.staff import services
from lienthong.registries.staff.choices import Category, SchoolLevel
from lienthong.registries.staff.models import Rank, School, StaffMember

_serial = itertools.count(1)


def personal_id(*, birth_year: int = 1985, sex: str = "male") -> str:
    """A well-formed, unique personal ID for the given birth year and sex."""
    digit = (0 if birth_year < 2000 else 2) + (1 if sex == "female" else 0)
    return f"074{digit}{birth_year % 100:02d}{next(_serial):06d}"


def make_school(
    parent: OrgUnit, *, level: str = SchoolLevel.PRIMARY, name: str | None = None
) -> School:
    """A school: an org unit below `parent` with a school profile."""
    unit = make_org_unit(
        name or "Trường thử", parent=parent, kind=OrgUnit.Kind.OTHER, is_agency=False
    )
    return School.objects.create(org_unit=unit, level=level)


def make_member(
    org_unit: OrgUnit,
    *,
    by: Any,
    rank: str | None = "01.003",
    step: int = 3,
    last_raise_date: datetime.date | None = datetime.date(2023, 1, 1),
    birth_year: int = 1985,
    sex: str = "male",
    category: str = Category.CIVIL_SERVANT,
    **values: Any,
) -> StaffMember:
    """A staff member created through the service (so its history and audit exist)."""
    fields: dict[str, Any] = {
        "personal_id": personal_id(birth_year=birth_year, sex=sex),
        "full_name": "Nguyễn Văn Thử",
        "birth_date": datetime.date(birth_year, 5, 17),
        "sex": sex,
        "org_unit": org_unit,
        "category": category,
        **values,
    }
    return services.create_member(
        values=fields,
        rank=Rank.objects.get(code=rank) if rank else None,
        salary_step=step if rank else None,
        last_raise_date=last_raise_date if rank else None,
        by=by,
    )
