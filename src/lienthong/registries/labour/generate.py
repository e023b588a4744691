"""Realistic made-up job seekers and vacancies (Faker vi_VN), for the demo and the benchmark.

The mix follows an industrial province (the demo's Bình Dương): garment and footwear,
electronics assembly, wood and furniture, mechanical work, warehouses and drivers, with
fewer office, IT and service jobs. Each seeker wants one to three occupations, mostly of
one group, and has skills drawn from those groups' usual skills; each vacancy asks for up
to three of its group's skills. Personal IDs agree with birth date and sex; tax codes carry
a correct check digit. Rows come out as unsaved model instances with their derived columns
set, ready for `registries.base.bulk.insert_rows`.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import models
from django.utils import timezone
from faker import Faker
from stdnum.vn import mst

from lienthong.core.text import fold
from lienthong.registries.labour import catalogue
from lienthong.registries.labour.models import (
    Education,
    JobSeeker,
    SeekerStatus,
    Sex,
    Vacancy,
    VacancyStatus,
)

#: Occupations and how common they are among job seekers and vacancies.
OCCUPATION_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("8153", 14), ("9329", 12), ("8212", 9), ("7531", 5), ("7536", 4), ("9321", 5),
    ("7212", 5), ("7223", 3), ("8211", 3), ("7233", 2), ("8142", 3), ("8141", 2),
    ("8172", 3), ("7522", 3), ("8160", 2), ("4321", 4), ("8322", 3), ("8332", 2),
    ("8344", 2), ("9333", 3), ("5223", 3), ("5131", 2), ("5120", 1), ("5414", 2),
    ("9112", 2), ("4110", 2), ("4311", 1), ("3313", 1), ("2411", 1), ("4222", 1),
    ("2512", 1), ("2514", 1), ("3512", 1), ("3113", 1), ("3115", 1), ("7411", 2),
    ("7421", 1), ("7112", 2), ("7115", 1), ("9313", 2), ("2221", 1), ("2341", 1),
    ("6111", 1), ("1212", 1),
)  # fmt: skip

EDUCATION_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Education.NONE, 35),
    (Education.ELEMENTARY, 20),
    (Education.INTERMEDIATE, 17),
    (Education.COLLEGE, 12),
    (Education.UNIVERSITY, 14),
    (Education.POSTGRADUATE, 2),
)

#: Skills anybody may list, whatever the occupation.
GENERAL_SKILLS = ("tin-hoc-van-phong", "tieng-anh", "an-toan-lao-dong", "tieng-han", "gplx-b")

MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Hoàng", "Ngọc", "Anh")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Hồng", "Bảo")

#: Birth-registration provinces of personal IDs: mostly the province, then its neighbours
#: and the provinces its migrant workers come from.
ID_PROVINCES = ("074", "074", "074", "079", "080", "087", "040", "038", "036", "052")

#: Provinces for serials beyond the first million (bench scale).
EXTRA_ID_PROVINCES = ("001", "002", "004", "006", "008", "010", "011", "012", "014", "015")

EMPLOYER_PREFIXES = ("Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV")
EMPLOYER_TRADES: dict[str, str] = {
    "81": "Sản xuất", "82": "Điện tử", "75": "May mặc", "72": "Cơ khí", "74": "Điện",
    "93": "Sản xuất", "43": "Logistics", "83": "Vận tải", "52": "Thương mại", "51": "Dịch vụ",
    "54": "Dịch vụ Bảo vệ", "91": "Dịch vụ Vệ sinh", "41": "Thương mại Dịch vụ",
    "33": "Tư vấn", "24": "Tư vấn", "42": "Dịch vụ", "25": "Công nghệ Thông tin",
    "35": "Công nghệ", "31": "Kỹ thuật", "71": "Xây dựng", "22": "Y tế", "23": "Giáo dục",
    "61": "Nông nghiệp", "12": "Đầu tư",
}  # fmt: skip
EMPLOYER_WORDS = (
    "Bình Minh", "Phú Cường", "Sóng Thần", "Tân Phú", "Việt Hưng", "Đại Phát", "An Khang",
    "Hòa Bình", "Thành Công", "Nam Việt", "Hưng Thịnh", "Phước Lộc", "Mỹ Phước", "Á Châu",
    "Trường Sơn", "Kim Long", "Lái Thiêu", "Tân Uyên", "Sao Việt", "Hoàng Gia",
)  # fmt: skip


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _related(rng: random.Random, code: str) -> str:
    """Another occupation of the same level-2 group, else any (people switch trades)."""
    group = [c for c, _w in OCCUPATION_WEIGHTS if c[:2] == code[:2] and c != code]
    if group and rng.random() < 0.7:
        return rng.choice(group)
    return _weighted(rng, OCCUPATION_WEIGHTS)


def _skills_for(rng: random.Random, codes: list[str], count: int) -> list[str]:
    groups = {code[:2] for code in codes}
    pool = [s.code for s in catalogue.skills().values() if groups & set(s.groups)]
    chosen = rng.sample(pool, min(count, len(pool))) if pool else []
    return chosen


def personal_id(rng: random.Random, birth: datetime.date, sex: str, serial: int) -> str:
    """A personal ID agreeing with birth date and sex; `serial` keeps it unique.

    The six serial digits repeat after a million: from there, each further million gets a
    birth-registration province of its own, one not in `ID_PROVINCES`.
    """
    century = (birth.year // 100 - 19) * 2 + (1 if sex == Sex.FEMALE else 0)
    if serial < 1_000_000:
        province = rng.choice(ID_PROVINCES)
    else:
        province = EXTRA_ID_PROVINCES[serial // 1_000_000 - 1]
    return f"{province}{century}{birth.year % 100:02d}{serial % 1_000_000:06d}"


def tax_code(rng: random.Random) -> str:
    """A Bình Dương enterprise tax code (37…) with a correct check digit."""
    while True:
        body = "37" + "".join(str(rng.randrange(10)) for _i in range(7))
        digit = mst.calc_check_digit(body)
        if len(digit) == 1:
            return body + digit


def seekers(
    count: int,
    *,
    owner_id: int,
    communes: Sequence[tuple[str, str]],
    seed: int = 2025,
    first_serial: int = 0,
    today: datetime.date | None = None,
) -> Iterator[JobSeeker]:
    """`count` job seekers of `owner_id`, living in `communes` [(commune, province)]."""
    rng = random.Random(seed)
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    today = today or timezone.localdate()
    now = timezone.now()
    for n in range(count):
        sex = Sex.FEMALE if rng.random() < 0.55 else Sex.MALE
        age = rng.choices(
            range(18, 56), weights=[5 if a < 35 else 3 if a < 45 else 1 for a in range(18, 56)]
        )[0]
        birth = datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        # Family name, middle name, given name: Faker's vi_VN `name()` puts titles ("Quý cô")
        # and the family name last.
        middle = rng.choice(MIDDLE_FEMALE if sex == Sex.FEMALE else MIDDLE_MALE)
        given = fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male()
        name = f"{fake.last_name()} {middle} {given}"
        first = _weighted(rng, OCCUPATION_WEIGHTS)
        codes = [first]
        for _i in range(rng.choices((0, 1, 2), weights=(5, 4, 1))[0]):
            other = _related(rng, first)
            if other not in codes:
                codes.append(other)
        skills = _skills_for(rng, codes, rng.choices((0, 1, 2, 3, 4), weights=(2, 3, 3, 2, 1))[0])
        if rng.random() < 0.25:
            general = rng.choice(GENERAL_SKILLS)
            if general not in skills:
                skills.append(general)
        commune, province = communes[rng.randrange(len(communes))]
        education = _weighted(rng, EDUCATION_WEIGHTS)
        wage = rng.randrange(
            5_000_000, 12_000_000 if education in ("none", "elementary") else 25_000_000, 500_000
        )
        status = rng.choices(
            (SeekerStatus.ACTIVE, SeekerStatus.EMPLOYED, SeekerStatus.INACTIVE), weights=(80, 15, 5)
        )[0]
        yield JobSeeker(
            owner_id=owner_id,
            personal_id=personal_id(rng, birth, sex, first_serial + n),
            full_name=name,
            birth_date=birth,
            sex=sex,
            phone=fake.phone_number()[:20],
            commune=commune,
            province_code=province,
            street=fake.street_address()[:200],
            occupation_codes=catalogue.join_codes(codes),
            occupation_groups=catalogue.join_codes(list(dict.fromkeys(c[:2] for c in codes))),
            skill_codes=catalogue.join_codes(skills),
            education=education,
            experience_years=max(0, min(age - 18, int(rng.expovariate(1 / 4)))),
            desired_wage=wage,
            status=status,
            registered_on=today - datetime.timedelta(days=rng.randrange(0, 540)),
            search_text=fold(name),
            created_at=now,
            updated_at=now,
        )


def vacancies(
    count: int,
    *,
    owner_id: int,
    communes: Sequence[tuple[str, str]],
    seed: int = 2026,
    today: datetime.date | None = None,
) -> Iterator[Vacancy]:
    """`count` vacancies of `owner_id` from a few hundred made-up employers."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    now = timezone.now()
    employers: dict[str, tuple[str, str]] = {}
    for _n in range(count):
        code = _weighted(rng, OCCUPATION_WEIGHTS)
        group = code[:2]
        if group not in employers or rng.random() < 0.6:
            name = (
                f"{rng.choice(EMPLOYER_PREFIXES)} {EMPLOYER_TRADES.get(group, 'Thương mại')} "
                f"{rng.choice(EMPLOYER_WORDS)}"
            )
            employers[group] = (tax_code(rng), name)
        tax, employer = employers[group]
        skills = _skills_for(rng, [code], rng.choices((0, 1, 2, 3), weights=(2, 3, 3, 2))[0])
        low = rng.randrange(5_500_000, 15_000_000, 500_000)
        commune, province = communes[rng.randrange(len(communes))]
        status = rng.choices(
            (VacancyStatus.OPEN, VacancyStatus.FILLED, VacancyStatus.CLOSED), weights=(80, 12, 8)
        )[0]
        title = catalogue.occupation_name(code)
        yield Vacancy(
            owner_id=owner_id,
            employer_tax_code=tax,
            employer_name=employer,
            title=title,
            occupation_code=code,
            occupation_group=group,
            skill_codes=catalogue.join_codes(skills),
            min_education=rng.choice(("", "", Education.ELEMENTARY, Education.INTERMEDIATE)),
            commune=commune,
            province_code=province,
            quantity=rng.choice((1, 2, 3, 5, 10, 20, 50)),
            wage_min=low,
            wage_max=low + rng.randrange(1_000_000, 8_000_000, 500_000)
            if rng.random() < 0.85
            else None,
            deadline=today + datetime.timedelta(days=rng.randrange(-20, 90)),
            status=status,
            description="",
            search_text=fold(f"{title} {employer}"),
            created_at=now,
            updated_at=now,
        )


def as_row(obj: models.Model) -> dict[str, Any]:
    """The column values of an unsaved instance, for `bulk.insert_rows`."""
    return {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key
    }
