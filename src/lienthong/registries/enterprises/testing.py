"""Factories for tests of the enterprise registry (and of apps that pre-fill from it)."""

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
from lienthong.registries.enterprises import taxcodes
from lienthong.registries.enterprises.models import (
    Enterprise,
    EnterpriseType,
    InvestmentProject,
    InvestorKind,
    ProjectInvestor,
)

_serial = itertools.count(1)


def tax_code(serial: int | None = None, province: str = "37") -> str:
    """A valid 10-digit tax code, different on every call unless `serial` is given."""
    number = 1_000_000 + (next(_serial) if serial is None else serial)
    while (code := taxcodes.make_code(province, number)) is None:
        number += 1_000_000
    return code


def make_units() -> dict[str, AdminUnit]:
    """A few real units of both eras (Thủ Dầu Một, Bình Dương → Hồ Chí Minh City)."""
    clear_unit_index()
    new, old, level = AdminUnit.Era.Y2025, AdminUnit.Era.LEGACY, AdminUnit.Level
    hcm = AdminUnit.objects.create(
        era=new,
        level=level.PROVINCE,
        code="79",
        name="Thành phố Hồ Chí Minh",
        short_name="Hồ Chí Minh",
    )
    units = {"79": hcm}
    for code, name in (("25747", "Phường Thủ Dầu Một"), ("25750", "Phường Phú Lợi")):
        units[code] = AdminUnit.objects.create(
            era=new, level=level.COMMUNE, code=code, name=name, short_name=name[7:], parent=hcm
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
    for code, name, successor in (
        ("25747", "Phường Phú Cường", "25747"),
        ("25753", "Phường Phú Thọ", "25747"),
        ("25741", "Phường Hiệp Thành", "25750"),
    ):
        units[f"old-{code}"] = AdminUnit.objects.create(
            era=old,
            level=level.COMMUNE,
            code=code,
            name=name,
            short_name=name[7:],
            parent=city,
            successor=units[successor],
        )
    clear_unit_index()
    return units


@dataclass
class World:
    """An owner agency with its registry official, a reader agency, an outsider."""

    owner: OrgUnit
    official: User
    other_owner: OrgUnit
    other_official: User
    reader_agency: OrgUnit
    reader: User
    outsider: User
    citizen: User


def make_world(*, units: bool = True) -> World:
    """Two owner agencies with registry officials, an agency granted to read, an outsider."""
    if units and not AdminUnit.objects.filter(code="25747").exists():
        make_units()
    owner = make_org_unit("Phòng Đăng ký kinh doanh thử")
    other = make_org_unit("Ban Quản lý các khu công nghiệp thử")
    reader_agency = make_org_unit("Cục Thuế thử")
    RegistryGrant.objects.create(
        registry=Enterprise.registry_key, agency=reader_agency, purpose="Quản lý thuế"
    )
    RegistryGrant.objects.create(
        registry=InvestmentProject.registry_key, agency=reader_agency, purpose="Quản lý thuế"
    )
    return World(
        owner=owner,
        official=make_user(roles=[(Role.REGISTRY_OWNER, owner)]),
        other_owner=other,
        other_official=make_user(roles=[(Role.REGISTRY_OWNER, other)]),
        reader_agency=reader_agency,
        reader=make_user(roles=[(Role.SPECIALIST, reader_agency)]),
        outsider=make_user(roles=[(Role.SPECIALIST, make_org_unit("Sở khác"))]),
        citizen=make_user(roles=[(Role.CITIZEN, None)]),
    )


def make_enterprise(owner: OrgUnit, *, lines: tuple[str, ...] = ("4632",), **fields: Any) -> Any:
    """An enterprise saved directly (no service, no audit): for tests that need rows to read."""
    values: dict[str, Any] = {
        "tax_code": tax_code(),
        "name": "Công ty TNHH Thương mại Minh Phát",
        "enterprise_type": EnterpriseType.LLC_SINGLE,
        "founded_on": datetime.date(2015, 3, 2),
        "charter_capital": 5_000_000_000,
        "representative_name": "Nguyễn Văn An",
        "representative_title": "Giám đốc",
        "address_street": "Số 12 Đường 30/4",
        "address_commune": "25747",
        **fields,
    }
    enterprise = Enterprise(owner=owner, **values)
    if lines:
        enterprise.stage_lines(lines[0], lines[1:])
    enterprise.save()
    return enterprise


def make_project(owner: OrgUnit, *, investors: tuple[Any, ...] = (), **fields: Any) -> Any:
    """A project saved directly, with its investors (enterprises or names)."""
    n = next(_serial)
    values: dict[str, Any] = {
        "code": f"74{n:08d}",
        "name": "Nhà máy sản xuất bao bì giấy Minh Phát",
        "objectives": "Sản xuất bao bì giấy, công suất 5.000 tấn/năm.",
        "capital": 120_000_000_000,
        "location_street": "Lô A1, Khu công nghiệp thử",
        "location_commune": "25747",
        "land_area": 15000,
        "duration_years": 50,
        "certificate_number": f"74{n:08d}",
        "certificate_date": datetime.date(2022, 6, 1),
        **fields,
    }
    project = InvestmentProject(owner=owner, **values)
    rows = []
    for investor in investors:
        if isinstance(investor, Enterprise):
            rows.append(
                ProjectInvestor(
                    kind=InvestorKind.ORGANISATION,
                    enterprise=investor,
                    name=investor.name,
                    identifier=investor.tax_code,
                )
            )
        else:
            rows.append(ProjectInvestor(kind=InvestorKind.PERSON, name=str(investor)))
    project.stage_investors(rows)
    project.save()
    return project
