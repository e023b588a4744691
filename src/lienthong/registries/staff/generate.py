"""Realistic staff rows (Faker vi_VN) for the demo seeder and the benchmark.

Rows are dicts of import-file cells (the column keys of `registry.staff_columns`, dates as
dd/mm/yyyy), so the same generator feeds a CSV for the import benchmark and the demo's bulk
insert, and everything it makes passes the registry's own validation. Deterministic for a
given seed. No database access: the rank data come from the package files.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from faker import Faker

from lienthong.registries.staff import pay
from lienthong.registries.staff.choices import Category, SchoolLevel

#: Province of birth registration in generated personal IDs (Bình Dương, legacy code 74).
PROVINCE = "074"

_MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Hoàng", "Ngọc", "Xuân")
_MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Minh", "Thanh", "Kim", "Bích", "Thị Thu", "Hồng", "Mỹ")

SUBJECTS: dict[str, tuple[str, ...]] = {
    SchoolLevel.PRESCHOOL: ("Giáo dục mầm non",),
    SchoolLevel.PRIMARY: (
        "Tiếng Việt, Toán",
        "Tiếng Anh",
        "Âm nhạc",
        "Mỹ thuật",
        "Giáo dục thể chất",
        "Tin học",
    ),
    SchoolLevel.LOWER_SECONDARY: (
        "Toán",
        "Ngữ văn",
        "Tiếng Anh",
        "Khoa học tự nhiên",
        "Lịch sử và Địa lý",
        "Giáo dục công dân",
        "Tin học",
        "Công nghệ",
        "Giáo dục thể chất",
        "Âm nhạc",
        "Mỹ thuật",
    ),
    SchoolLevel.UPPER_SECONDARY: (
        "Toán",
        "Ngữ văn",
        "Tiếng Anh",
        "Vật lý",
        "Hóa học",
        "Sinh học",
        "Lịch sử",
        "Địa lý",
        "Giáo dục kinh tế và pháp luật",
        "Tin học",
        "Công nghệ",
        "Giáo dục thể chất",
    ),
}

#: Teachers' titles per level, lowest first (hạng III, II, I) and how common each is.
_TITLE_WEIGHTS = (55, 38, 7)

#: Ranks of administrative staff per category, with weights.
_ADMIN_RANKS: dict[str, tuple[tuple[str, int], ...]] = {
    Category.OFFICIAL: (("01.003", 50), ("01.002", 45), ("01.001", 5)),
    Category.CIVIL_SERVANT: (
        ("01.003", 55),
        ("01.002", 15),
        ("01.001", 2),
        ("06.031", 8),
        ("06.030", 2),
        ("01.004", 5),
        ("02.007", 5),
        ("04.025", 5),
        ("04.024", 3),
    ),
    Category.PUBLIC_EMPLOYEE: (("01.003", 70), ("06.031", 20), ("01.004", 10)),
    Category.CONTRACT: (("01.005", 70), ("01.004", 30)),
}
_ADMIN_CATEGORIES = (
    (Category.CIVIL_SERVANT, 72),
    (Category.PUBLIC_EMPLOYEE, 8),
    (Category.CONTRACT, 10),
    (Category.OFFICIAL, 10),
)
_ADMIN_POSTS = (("truong-phong", 4), ("pho-truong-phong", 8))
_SCHOOL_POSTS = (("hieu-truong", 2), ("pho-hieu-truong", 4), ("to-truong-chuyen-mon", 8))


@dataclass(frozen=True)
class Slot:
    """Where generated staff work: an agency (by code) and, below it, a unit by name."""

    agency_code: str
    unit_name: str = ""
    school_level: str = ""
    weight: int = 1


@dataclass(frozen=True)
class RankInfo:
    """What the generator needs to know of a rank: its steps and raise interval."""

    code: str
    max_step: int
    interval_months: int
    school_level: str


@cache
def rank_table() -> dict[str, RankInfo]:
    """The package's ranks with their scales' steps and intervals."""
    scales = {s["code"]: s for s in pay.reference_data("scales")["scales"]}
    table = {}
    for row in pay.reference_data("ranks")["ranks"]:
        scale = scales[row["scale"]]
        table[row["code"]] = RankInfo(
            row["code"],
            len(scale["coefficients"]),
            int(scale["raise_interval_months"]),
            row.get("school_level", ""),
        )
    return table


def teacher_titles(level: str) -> list[str]:
    """The title codes of a school level, lowest first (hạng III, II, I)."""
    codes = [r.code for r in rank_table().values() if r.school_level == level]
    return sorted(codes, reverse=True)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def staff_rows(
    count: int,
    slots: list[Slot],
    *,
    seed: int = 2025,
    today: datetime.date | None = None,
    first_serial: int = 0,
) -> Iterator[dict[str, str]]:
    """`count` staff rows spread over `slots` (by weight); teachers where a slot is a school.

    Personal IDs are unique within one call (serials `first_serial` … in a shuffled order);
    give another `first_serial` range to generate more without clashes.
    """
    rng = random.Random(seed)
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    today = today or datetime.date.today()
    ranks = rank_table()
    weights = [s.weight for s in slots]
    # A multiplicative permutation of the serial range keeps IDs unique without a set.
    stride = 7919
    span = 1_000_000
    for index in range(count):
        slot = rng.choices(slots, weights=weights)[0]
        sex = "male" if rng.random() < (0.3 if slot.school_level else 0.55) else "female"
        age = rng.randint(23, 59)
        birth = datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        century_digit = (0 if birth.year < 2000 else 2) + (1 if sex == "female" else 0)
        serial = ((first_serial + index) * stride) % span
        personal_id = f"{PROVINCE}{century_digit}{birth.year % 100:02d}{serial:06d}"
        middle = rng.choice(_MIDDLE_MALE if sex == "male" else _MIDDLE_FEMALE)
        first = fake.first_name_male() if sex == "male" else fake.first_name_female()
        full_name = f"{fake.last_name()} {middle} {first}"
        joined = birth + datetime.timedelta(days=365 * rng.randint(22, max(22, age - 1)))
        joined = min(joined, today - datetime.timedelta(days=30))
        row = {
            "personal_id": personal_id,
            "full_name": full_name,
            "birth_date": _date(birth),
            "sex": "Nam" if sex == "male" else "Nữ",
            "agency_code": slot.agency_code,
            "unit_name": slot.unit_name,
            "joined_on": _date(joined),
            "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
        }
        if slot.school_level:
            category = Category.PUBLIC_EMPLOYEE
            titles = teacher_titles(slot.school_level)
            rank = rng.choices(titles, weights=_TITLE_WEIGHTS[: len(titles)])[0]
            row["school_level"] = str(SchoolLevel(slot.school_level).label)
            row["subjects"] = rng.choice(SUBJECTS[slot.school_level])
            post = _pick(rng, _SCHOOL_POSTS) if rng.random() < 0.08 else ""
        else:
            category = Category(_pick(rng, _ADMIN_CATEGORIES))
            rank = _pick(rng, _ADMIN_RANKS[category])
            post = _pick(rng, _ADMIN_POSTS) if rng.random() < 0.1 else ""
        info = ranks[rank]
        years = max(0, (today - joined).days // 365)
        step = min(info.max_step, 1 + years * 12 // info.interval_months)
        # The last raise fell within the past interval (plus a few overdue months), so due
        # dates spread over the coming years and some are already due.
        last_raise = today - datetime.timedelta(days=rng.randint(0, info.interval_months * 31))
        last_raise = max(last_raise, joined)
        row.update(
            {
                "category": str(category.label),
                "rank": rank,
                "salary_step": str(step),
                "last_raise_date": _date(last_raise),
            }
        )
        if step == info.max_step and rng.random() < 0.5:
            row["over_scale_percent"] = str(rng.randint(5, 12))
            # Beyond the scale the allowance grows every 12 months: the last change is recent.
            since = today - datetime.timedelta(days=rng.randint(0, 13 * 31))
            row["last_raise_date"] = _date(max(since, joined))
        if post:
            row["position"] = post
            row["position_decision"] = f"{rng.randint(1, 999)}/QĐ-UBND"
            row["position_date"] = _date(
                max(joined, today - datetime.timedelta(days=rng.randint(30, 1700)))
            )
        yield row
