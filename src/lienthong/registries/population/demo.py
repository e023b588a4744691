"""Demo data of the population registry, applied by `lienthong seed --demo`.

About 20,000 persons in some 5,000 households of Bình Dương (names from Faker vi_VN, the
province's real commune codes before July 2025 and their successors), owned by the demo
agency *Công an tỉnh Bình Dương*; a registry official `quanlydancu`; read grants for the city
of Thủ Dầu Một (where the demo one-stop officers work) and the Department of Justice; and a
record for the demo citizen `congdan`, with one logged read, so that "Ai đã xem dữ liệu của
tôi" shows something. Rows go in through `bulk.insert_rows` (seconds, not minutes), recorded
as one audit entry. Idempotent: a second run finds the agency's persons and stops.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts import services as accounts_services
from lienthong.accounts.models import Role, User
from lienthong.core.audit import audited, record
from lienthong.core.context import acting
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.seed import demo_data
from lienthong.core.services_orgs import create_org_unit
from lienthong.registries.base.access import prefill
from lienthong.registries.base.bulk import deferred_word_index, insert_rows
from lienthong.registries.base.models import DataAccess, RegistryGrant
from lienthong.registries.population.models import REGISTRY, Household, Person
from lienthong.registries.population.registry import set_household_heads_of

#: Persons the demo holds (the issue asks for about 20,000).
PERSONS = 20_000
AGENCY_NAME = "Công an tỉnh Bình Dương"
AGENCY_CODE = "000.00.40.H99"
OFFICIAL = "quanlydancu"
#: The demo citizen's personal ID (the one the one-stop demo submits with).
CITIZEN = "congdan"
CITIZEN_ID = "074185003217"
#: Agencies (refs of core/data/demo_agencies.json) granted to read the registry.
GRANTED = (
    ("ubnd-718", "Tiếp nhận, giải quyết thủ tục hành chính tại thành phố Thủ Dầu Một"),
    ("so-tu-phap", "Giải quyết thủ tục hộ tịch, lý lịch tư pháp"),
)
SEED = 20250701

_MIDDLE_MALE = ("Văn", "Văn", "Văn", "Minh", "Hoàng", "Quốc", "Thanh", "Đức", "Hữu", "Công")
_MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Kim", "Mỹ", "Phương")
_OTHER_ETHNICITIES = ("02", "03", "04", "05", "06", "07", "17")


def seed_demo() -> list[str]:
    """Apply the demo data; returns the lines to print."""
    with acting(via="lienthong seed --demo"):
        agency = _agency()
        if agency is None:
            return [_("Dân cư: bỏ qua (chưa có cây tổ chức demo).")]
        lines = [*_official(agency), *_grants()]
        if Person.all_objects.filter(owner=agency).exists():
            lines.append(_("Dân cư: đã có dữ liệu demo."))
            return lines
        count, households = _persons(agency)
        lines.append(
            _("Dân cư: %(n)d công dân, %(h)d hộ gia đình (Công an tỉnh Bình Dương).")
            % {"n": count, "h": households}
        )
        lines += _citizen(agency)
    return lines


def _units() -> dict[str, OrgUnit]:
    codes = {e["ref"]: e["code"] for e in demo_data()["org_units"] if e["code"]}
    found = {u.code: u for u in OrgUnit.objects.filter(code__in=codes.values())}
    return {ref: found[code] for ref, code in codes.items() if code in found}


def _agency() -> OrgUnit | None:
    agency = OrgUnit.objects.filter(name=AGENCY_NAME).first()
    if agency is not None:
        return agency
    province = _units().get("ubnd-tinh")
    if province is None:
        return None
    return create_org_unit(
        name=AGENCY_NAME,
        short_name="Công an tỉnh",
        kind=OrgUnit.Kind.OTHER,
        is_agency=True,
        code=AGENCY_CODE,
        code_is_demo=True,
        admin_unit=province.admin_unit,
    )


def _official(agency: OrgUnit) -> list[str]:
    if User.objects.filter(username=OFFICIAL).exists():
        return []
    admin = User.objects.filter(username="admin", is_superuser=True).first()
    if admin is None:
        return []
    password = next(u["password"] for u in demo_data()["users"] if u["username"] == "motcua")
    accounts_services.create_official(
        username=OFFICIAL,
        full_name="Trịnh Văn Dân",
        org_unit=agency,
        by=admin,
        password=password,
        position=_("Cán bộ quản lý cơ sở dữ liệu dân cư"),
        roles=[Role.REGISTRY_OWNER],
    )
    return [_("Dân cư: tài khoản %(u)s (quản lý CSDL dân cư).") % {"u": OFFICIAL}]


def _grants() -> list[str]:
    units = _units()
    lines = []
    for ref, purpose in GRANTED:
        unit = units.get(ref)
        if unit is None or RegistryGrant.objects.filter(registry=REGISTRY, agency=unit).exists():
            continue
        grant = RegistryGrant(registry=REGISTRY, agency=unit, purpose=purpose)
        with audited("registry.grant", grant):
            grant.save()
        lines.append(_("Dân cư: cấp quyền khai thác cho %(unit)s.") % {"unit": unit.name})
    return lines


def _communes() -> list[tuple[str, str]]:
    """(legacy code, 2025 code) of Bình Dương's communes before July 2025."""
    rows = (
        AdminUnit.objects.legacy()
        .communes()
        .filter(parent__parent__code="74", successor__isnull=False)
    )
    return list(rows.values_list("code", "successor__code"))


def _birth(rng: random.Random, first: int, last: int) -> datetime.date:
    start = datetime.date(first, 1, 1).toordinal()
    end = datetime.date(last, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end))


def _personal_id(birth: datetime.date, female: bool, serial: int) -> str:
    century = (birth.year // 100 - 19) * 2 + (1 if female else 0)
    return f"074{century}{birth.year % 100:02d}{serial:06d}"


def _persons(agency: OrgUnit) -> tuple[int, int]:
    """The generated households and persons, inserted in bulk."""
    from faker import Faker

    fake = Faker("vi_VN")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    communes = _communes() or [("", "")]
    now = timezone.now()
    households: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    serial = 500_000  # the one-stop demo's IDs use lower serials

    def person(
        family: str, female: bool, birth: datetime.date, relation: str, address: dict[str, str]
    ) -> None:
        nonlocal serial
        serial += 1
        middle = rng.choice(_MIDDLE_FEMALE if female else _MIDDLE_MALE)
        given = fake.first_name_female() if female else fake.first_name_male()
        name = f"{family} {middle} {given}"
        moved = rng.random() < 0.1
        current = rng.choice(communes)
        people.append(
            {
                "owner_id": agency.pk,
                "created_at": now,
                "updated_at": now,
                "personal_id": _personal_id(birth, female, serial),
                "full_name": name,
                "search_text": Person.search_text_of({"full_name": name}),
                "birth_date": birth,
                "sex": "female" if female else "male",
                "ethnicity": "01" if rng.random() < 0.95 else rng.choice(_OTHER_ETHNICITIES),
                "hometown": fake.province() if rng.random() < 0.3 else "Bình Dương",
                **{f"permanent_{key}": value for key, value in address.items()},
                "current_street": fake.street_address() if moved else address["street"],
                "current_commune": current[1] if moved else address["commune"],
                "current_commune_legacy": current[0] if moved else address["commune_legacy"],
                "household_code": address["household"],
                "relation_to_head": relation,
            }
        )

    while len(people) < PERSONS:
        code = f"HK74{len(households) + 1:07d}"
        legacy, commune = rng.choice(communes)
        street = fake.street_address()
        households.append(
            {
                "owner_id": agency.pk,
                "created_at": now,
                "updated_at": now,
                "code": code,
                "search_text": Household.search_text_of({"code": code, "address_street": street}),
                "address_street": street,
                "address_commune": commune,
                "address_commune_legacy": legacy,
            }
        )
        address = {
            "street": street,
            "commune": commune,
            "commune_legacy": legacy,
            "address_original": "",
            "household": code,
        }
        family = fake.last_name()
        head_female = rng.random() < 0.25
        head_birth = _birth(rng, 1945, 1998)
        person(family, head_female, head_birth, "head", address)
        size = rng.choices((1, 2, 3, 4, 5, 6), (8, 17, 25, 30, 13, 7))[0]
        if size >= 2:
            spouse_birth = _birth(
                rng, max(1940, head_birth.year - 6), min(2000, head_birth.year + 6)
            )
            person(fake.last_name(), not head_female, spouse_birth, "spouse", address)
        for _child in range(size - 2):
            first = min(head_birth.year + 18, 2024)
            person(
                family,
                rng.random() < 0.5,
                _birth(rng, first, min(first + 25, 2024)),
                "child",
                address,
            )

    with transaction.atomic(), deferred_word_index(Household, Person):
        insert_rows(Household, households)
        ids = dict(Household.all_objects.filter(owner=agency).values_list("code", "pk"))
        for row in people:
            row["household_id"] = ids[row.pop("household_code")]
        for start in range(0, len(people), 5000):
            insert_rows(Person, people[start : start + 5000])
        set_household_heads_of(Household.all_objects.filter(owner=agency))
        record(
            "registry.population.seed",
            agency,
            after={"persons": len(people), "households": len(households)},
        )
    return len(people), len(households)


def _citizen(agency: OrgUnit) -> list[str]:
    """The demo citizen's record, their account linked to it, and one logged read."""
    citizen = User.objects.filter(username=CITIZEN).first()
    if citizen is None or Person.all_objects.filter(personal_id=CITIZEN_ID).exists():
        return []
    communes = dict(_communes())
    person = Person(
        owner=agency,
        personal_id=CITIZEN_ID,
        full_name=citizen.full_name or "Đỗ Thị Hoa",
        birth_date=datetime.date(1985, 8, 19),
        sex="female",
        ethnicity="01",
        hometown="Bình Dương",
        permanent_street="12 Đường Yersin",
        permanent_commune=communes.get("25747", ""),
        permanent_commune_legacy="25747" if "25747" in communes else "",
    )
    with transaction.atomic():
        person.full_clean()
        person.save()
        if not citizen.personal_id:
            with audited("accounts.user.update", citizen):
                citizen.personal_id = CITIZEN_ID
                citizen.save(update_fields=["personal_id"])
    officer = User.objects.filter(username="motcua").first()
    if officer is not None:
        prefill(
            "person",
            CITIZEN_ID,
            by=officer,
            purpose=_("Tiếp nhận hồ sơ tại quầy (dữ liệu demo)"),
            channel=DataAccess.Channel.INTAKE,
        )
    return [_("Dân cư: hồ sơ công dân của tài khoản %(u)s.") % {"u": CITIZEN}]
