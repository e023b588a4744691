"""The demo seed: schools, about 1,000 staff with 300 teachers, their histories; once."""

from __future__ import annotations

import datetime

import pytest

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.seed import app_demo_seeders
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.base.models import RegistryGrant
from lienthong.registries.staff import demo
from lienthong.registries.staff.models import Qualification, SalaryChange, School, StaffMember

pytestmark = pytest.mark.django_db


def test_the_seed_is_found_by_the_platform_seed() -> None:
    assert ("staff", demo.seed_demo) in app_demo_seeders()


def test_the_seed_adds_schools_staff_and_access_once() -> None:
    province = make_org_unit(
        "Ủy ban nhân dân tỉnh Bình Dương", code=demo.PROVINCE_CODE, kind="ubnd"
    )
    education = make_org_unit("Sở Giáo dục và Đào tạo", parent=province, code=demo.EDUCATION_CODE)
    home_affairs = make_org_unit("Sở Nội vụ", parent=province, code=demo.HOME_AFFAIRS_CODE)
    city = make_org_unit(
        "Ủy ban nhân dân thành phố Thủ Dầu Một", parent=province, code="000.00.21.H99", kind="ubnd"
    )
    make_org_unit("Phòng Nội vụ", parent=city, is_agency=False, kind=OrgUnit.Kind.DIVISION)
    make_org_unit(
        "Ủy ban nhân dân phường Phú Cường", parent=city, code="000.03.21.H99", kind="ubnd"
    )
    keeper = make_user(demo.EDITOR_USERNAME, roles=[(Role.SPECIALIST, home_affairs)])
    make_user("admin", is_superuser=True, kind=User.Kind.OFFICIAL)

    first = demo.seed_demo()

    assert first[0] == "Cán bộ: 1000 hồ sơ (300 giáo viên ở 7 trường)."
    assert School.objects.count() == 7  # 3 in the city, 4 upper-secondary schools
    assert StaffMember.objects.teachers().filter(school__org_unit__parent=education).exists()
    members = StaffMember.objects.all()
    assert members.filter(rank__isnull=False).count() == 1000
    # Each placement opened the salary history; everyone has a degree.
    assert SalaryChange.objects.count() == 1000
    assert Qualification.objects.values("member").distinct().count() == 1000
    # Every generated row obeys the registry's rules, and some raises are due soon.
    for member in members.select_related("rank__scale", "org_unit", "school__org_unit")[:200]:
        member.full_clean()
    assert members.due_for_raise(on=datetime.date.today(), days=90).exists()
    assert RegistryGrant.objects.filter(registry="staff", agency=home_affairs).exists()
    assert keeper.has_role(Role.REGISTRY_OWNER, education)

    assert demo.seed_demo() == []
    assert StaffMember.objects.count() == 1000 and School.objects.count() == 7
