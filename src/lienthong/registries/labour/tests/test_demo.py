"""The demo seed: job seekers and vacancies that pass the registry's rules and match; once."""

from __future__ import annotations

from typing import Any

from lienthong.accounts.models import Role, User
from lienthong.core.seed import app_demo_seeders
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.labour import demo, matching
from lienthong.registries.labour.models import JobSeeker, Vacancy


def test_the_seed_is_found_by_the_platform_seed() -> None:
    assert ("labour", demo.seed_demo) in app_demo_seeders()


def test_the_seed_adds_seekers_vacancies_and_access_once(units: Any) -> None:
    home_affairs = make_org_unit("Sở Nội vụ tỉnh Bình Dương", code=demo.HOME_AFFAIRS_CODE)
    keeper = make_user(demo.EDITOR_USERNAME, roles=[(Role.SPECIALIST, home_affairs)])
    make_user("admin", is_superuser=True, kind=User.Kind.OFFICIAL)

    first = demo.seed_demo(seekers=300, vacancies=40)

    assert first[0] == "Thị trường lao động: 300 người tìm việc, 40 nhu cầu tuyển dụng."
    assert keeper.has_role(Role.REGISTRY_OWNER, home_affairs)
    seekers = JobSeeker.objects.filter(owner=home_affairs)
    assert seekers.count() == 300 and Vacancy.objects.count() == 40
    assert seekers.values("personal_id").distinct().count() == 300
    for seeker in seekers[:100]:
        seeker.full_clean()  # IDs agree with birth date and sex, codes are known
        assert seeker.search_text and seeker.province_code == "79"
    for vacancy in Vacancy.objects.all():
        vacancy.full_clean()
    # The demo is useful: an open vacancy of a common trade finds people.
    common = Vacancy.objects.open_on().filter(occupation_group="81").first()
    assert common is not None
    assert matching.rank_seekers(common, keeper)
    first = seekers.first()
    assert first is not None
    assert JobSeeker.objects.search(first.full_name.split()[-1]).exists()

    assert demo.seed_demo(seekers=300, vacancies=40) == []
    assert JobSeeker.objects.count() == 300


def test_without_units_the_seed_says_so(db: Any) -> None:
    make_org_unit("Sở Nội vụ", code=demo.HOME_AFFAIRS_CODE)
    assert demo.seed_demo() == ["Thị trường lao động: chưa nạp đơn vị hành chính, bỏ qua."]
    assert not JobSeeker.objects.exists()
