"""Realistic made-up enterprises and investment projects, for the demo and the benchmark.

Rows come out as import rows (the column keys of `registry.enterprise_columns()` and
`project_columns()`, values as text), so the demo builds its records through the same `build`
as a file import, and the benchmark writes them to a CSV file and imports that. People's
names, streets and phone numbers come from Faker (vi_VN); enterprise names are composed
here, because Faker's vi_VN company names read like "Dương và đối tác Công ty TNHH".
Tax codes carry a correct check digit (`taxcodes.make_code`).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lienthong.core.text import fold
from lienthong.registries.enterprises import taxcodes, vsic
from lienthong.registries.enterprises.models import EnterpriseType

#: Legal forms, weighted as registrations are (most new enterprises are limited companies).
TYPE_WEIGHTS: tuple[tuple[str, int], ...] = (
    (EnterpriseType.LLC_SINGLE, 45),
    (EnterpriseType.LLC_MULTI, 25),
    (EnterpriseType.JOINT_STOCK, 18),
    (EnterpriseType.SOLE_PROPRIETORSHIP, 7),
    (EnterpriseType.COOPERATIVE, 4),
    (EnterpriseType.PARTNERSHIP, 1),
)

#: How each legal form begins its name, in Vietnamese and English.
NAME_PREFIX: dict[str, tuple[str, str, str]] = {
    EnterpriseType.LLC_SINGLE: ("Công ty TNHH", "COMPANY LIMITED", "CO., LTD"),
    EnterpriseType.LLC_MULTI: ("Công ty TNHH", "COMPANY LIMITED", "CO., LTD"),
    EnterpriseType.JOINT_STOCK: ("Công ty Cổ phần", "JOINT STOCK COMPANY", "JSC"),
    EnterpriseType.SOLE_PROPRIETORSHIP: ("Doanh nghiệp tư nhân", "PRIVATE ENTERPRISE", "PE"),
    EnterpriseType.COOPERATIVE: ("Hợp tác xã", "COOPERATIVE", "COOP"),
    EnterpriseType.PARTNERSHIP: ("Công ty Hợp danh", "PARTNERSHIP", "PARTNERS"),
}

#: Trades: words in the name (Vietnamese, English) and the VSIC classes that go with them.
TRADES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Thương mại Dịch vụ", "TRADING SERVICE", ("4690", "4610", "4659", "4649", "8299")),
    ("Xây dựng", "CONSTRUCTION", ("4101", "4102", "4212", "4299", "4321", "4330")),
    ("Sản xuất Bao bì", "PACKAGING", ("1702", "2220", "4669")),
    ("Chế biến Gỗ", "WOOD PROCESSING", ("1610", "1621", "3100", "4663")),
    ("May mặc", "GARMENT", ("1410", "4641", "4771")),
    ("Thực phẩm", "FOOD", ("1079", "1071", "4632", "46329", "4722")),
    ("Vận tải", "TRANSPORT", ("4933", "49332", "5210", "5229")),
    ("Công nghệ Thông tin", "INFORMATION TECHNOLOGY", ("6201", "6202", "6209", "4651")),
    ("Cơ khí", "MECHANICAL", ("2592", "2511", "3312", "4659")),
    ("Nhựa", "PLASTIC", ("2220", "4669")),
    ("Điện tử", "ELECTRONICS", ("2610", "2630", "4651")),
    ("Nông sản", "AGRICULTURAL PRODUCTS", ("4620", "0126", "0125", "1030")),
    ("Bất động sản", "REAL ESTATE", ("6810", "6820", "4101")),
    ("Du lịch", "TRAVEL", ("7911", "7912", "5510", "5610")),
    ("Tư vấn Thiết kế", "DESIGN CONSULTING", ("7110", "7020", "7490")),
    ("Vật liệu Xây dựng", "BUILDING MATERIALS", ("4663", "2395", "2392", "4752")),
    ("Giáo dục", "EDUCATION", ("8559", "8560", "8512")),
    ("Y tế", "HEALTHCARE", ("8620", "4772", "8699")),
    ("Môi trường", "ENVIRONMENT", ("3811", "3821", "3600")),
    ("Nhà hàng", "RESTAURANT", ("5610", "56101", "5630", "5621")),
)

#: Syllables of trade names (tên riêng), each with its unaccented English spelling.
BRAND_WORDS = (
    "An",
    "Bình",
    "Phát",
    "Thành",
    "Hưng",
    "Phú",
    "Thịnh",
    "Việt",
    "Hòa",
    "Tân",
    "Đại",
    "Nam",
    "Long",
    "Hải",
    "Minh",
    "Quang",
    "Tiến",
    "Đức",
    "Trường",
    "Sơn",
    "Kim",
    "Ngọc",
    "Hoàng",
    "Gia",
    "Khang",
    "Lộc",
    "Tài",
    "Phước",
    "Thuận",
    "Toàn",
    "Nhật",
    "Sao",
    "Mai",
    "Lâm",
    "Vĩnh",
    "Hồng",
    "Châu",
    "Á",
    "Âu",
    "Đông",
)

TITLES = ("Giám đốc", "Tổng Giám đốc", "Chủ tịch Hội đồng quản trị", "Chủ tịch công ty")

#: Kinds of project: the name (with "{product}" where a product goes) and the objectives.
PROJECT_KINDS: tuple[tuple[str, str], ...] = (
    ("Nhà máy sản xuất {product}", "Sản xuất {product}, công suất {size} tấn/năm."),
    ("Nhà máy chế biến {product}", "Chế biến {product} phục vụ xuất khẩu, {size} tấn/năm."),
    ("Trung tâm logistics", "Đầu tư kho bãi và dịch vụ logistics, {size} m² kho."),
    ("Khu nhà ở thương mại", "Xây dựng khu nhà ở thương mại, {size} căn hộ và nhà liền kề."),
    ("Trung tâm thương mại", "Kinh doanh trung tâm thương mại, {size} gian hàng."),
)
PRODUCTS = (
    "bao bì giấy",
    "đồ gỗ nội thất",
    "linh kiện điện tử",
    "sản phẩm nhựa kỹ thuật",
    "hàng may mặc",
    "thức ăn chăn nuôi",
    "gạch không nung",
    "thiết bị cơ khí",
    "hạt điều",
    "cà phê",
)


@dataclass
class Places:
    """Communes to place records in: legacy codes (written before July 2025) and 2025 codes,
    with the legacy communes' full names ("Phường X, Thành phố Y, Tỉnh Z")."""

    legacy: Sequence[str]
    current: Sequence[str]
    names: dict[str, str]


def places_in(province_legacy: str = "74") -> Places:
    """Communes of a legacy province (default Bình Dương) and their 2025 successors."""
    from lienthong.core.models import AdminUnit

    rows = (
        AdminUnit.objects.filter(
            era=AdminUnit.Era.LEGACY,
            level=AdminUnit.Level.COMMUNE,
            parent__parent__code=province_legacy,
            successor__isnull=False,
        )
        .order_by("code")
        .values_list("code", "name", "parent__name", "parent__parent__name", "successor__code")
    )
    names: dict[str, str] = {}
    current: set[str] = set()
    for code, name, district, province, successor in rows:
        names[code] = f"{name}, {district}, {province}"
        current.add(successor)
    return Places(list(names), sorted(current), names)


def _ascii(text: str) -> str:
    return fold(text).upper()


class Generator:
    """Makes enterprise and project rows from one random seed (same seed, same rows)."""

    def __init__(
        self, seed: int = 2025, places: Places | None = None, *, text_share: float = 0.0
    ) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        self.faker = Faker("vi_VN")
        self.faker.seed_instance(seed)
        self.places = places or Places([], [], {})
        #: Share of legacy addresses written out in full (parsed on import) instead of coded.
        self.text_share = text_share
        self._types = [t for t, _w in TYPE_WEIGHTS]
        self._weights = [w for _t, w in TYPE_WEIGHTS]
        self._used_codes: set[str] = set()
        self._used_names: set[str] = set()

    # --- pieces ---------------------------------------------------------------------------

    def tax_code(self, province: str = "37") -> str:
        """A new valid 10-digit tax code."""
        while True:
            code = taxcodes.random_code(self.rng, province)
            if code not in self._used_codes:
                self._used_codes.add(code)
                return code

    def personal_id(self, birth_year: int) -> str:
        """A well-formed personal ID of someone born in `birth_year` in Bình Dương (074)."""
        century = "0" if birth_year < 2000 else "2"
        if self.rng.random() < 0.45:
            century = str(int(century) + 1)
        return f"074{century}{birth_year % 100:02d}{self.rng.randint(0, 999_999):06d}"

    def person_name(self) -> str:
        return str(self.faker.name())

    def address(self) -> dict[str, str]:
        """Street and commune: 60 % written with legacy units (some in full), 40 % with 2025."""
        street = f"Số {self.rng.randint(1, 450)} {self.faker.street_name()}"
        if self.places.legacy and (not self.places.current or self.rng.random() < 0.6):
            code = self.rng.choice(self.places.legacy)
            if self.rng.random() < self.text_share:
                return {"text": f"{street}, {self.places.names[code]}"}
            return {"street": street, "commune_legacy": code}
        if self.places.current:
            return {"street": street, "commune": self.rng.choice(self.places.current)}
        return {"street": street}

    def _brand(self) -> str:
        for _attempt in range(20):
            words = self.rng.sample(BRAND_WORDS, 2)
            brand = " ".join(words)
            if brand not in self._used_names:
                self._used_names.add(brand)
                return brand
        return f"{' '.join(self.rng.sample(BRAND_WORDS, 3))}"

    # --- rows -----------------------------------------------------------------------------

    def enterprise(self, today: datetime.date | None = None) -> dict[str, str]:
        """One enterprise as an import row."""
        today = today or datetime.date.today()
        kind = self.rng.choices(self._types, self._weights)[0]
        trade_vi, trade_en, classes = self.rng.choice(TRADES)
        brand = self._brand()
        prefix_vi, suffix_en, short_en = NAME_PREFIX[kind]
        name = f"{prefix_vi} {trade_vi} {brand}"
        brand_en = _ascii(brand)
        founded = today - datetime.timedelta(days=self.rng.randint(30, 20 * 365))
        capital_millions = self.rng.choice((100, 500, 1000, 2000, 5000, 10_000, 50_000, 200_000))
        lines = self.rng.sample(classes, k=min(len(classes), self.rng.randint(1, 4)))
        birth_year = self.rng.randint(1955, 2000)
        address = self.address()
        row = {
            "tax_code": self.tax_code(),
            "name": name,
            "name_foreign": f"{brand_en} {trade_en} {suffix_en}"
            if kind != EnterpriseType.COOPERATIVE
            else "",
            "name_short": f"{brand_en} {short_en}",
            "enterprise_type": str(kind),
            "founded_on": founded.strftime("%d/%m/%Y"),
            "charter_capital": str(capital_millions * 1_000_000),
            "representative_name": self.person_name(),
            "representative_personal_id": self.personal_id(birth_year),
            "representative_title": self.rng.choice(TITLES),
            "address_street": address.get("street", ""),
            "address_commune": address.get("commune", ""),
            "address_commune_legacy": address.get("commune_legacy", ""),
            "address_address": address.get("text", ""),
            "phone": f"0274 {self.rng.randint(3500000, 3899999)}",
            "email": f"lienhe@{fold(brand).replace(' ', '')}{self.rng.randint(1, 999)}.vn",
            "main_line": lines[0],
            "other_lines": ";".join(lines[1:]),
        }
        return row

    def enterprises(self, count: int) -> Iterator[dict[str, str]]:
        """`count` enterprise rows."""
        today = datetime.date.today()
        for _n in range(count):
            yield self.enterprise(today)

    def project(
        self, number: int, investors: Sequence[tuple[str, str]], today: datetime.date | None = None
    ) -> dict[str, str]:
        """One investment project as an import row; `investors` are (tax code, name) pairs."""
        today = today or datetime.date.today()
        name, objective = self.rng.choice(PROJECT_KINDS)
        product = self.rng.choice(PRODUCTS)
        size = self.rng.randint(5, 200) * 100
        brand = self.rng.choice(investors)[1].split()[-2:] if investors else ["Bình", "Dương"]
        owners = self.rng.sample(list(investors), k=min(len(investors), self.rng.randint(1, 2)))
        issued = today - datetime.timedelta(days=self.rng.randint(60, 8 * 365))
        capital_billions = self.rng.choice((20, 50, 120, 300, 800, 1500, 4000))
        address = self.address()
        return {
            "code": f"74{number:08d}",
            "name": f"{name.format(product=product)} {' '.join(brand)}",
            "objectives": objective.format(product=product, size=size),
            "capital": str(capital_billions * 1_000_000_000),
            "location_street": address.get("street", "").replace("Số", "Lô"),
            "location_commune": address.get("commune", ""),
            "location_commune_legacy": address.get("commune_legacy", ""),
            "location_address": address.get("text", ""),
            "land_area": str(self.rng.randint(5, 500) * 100),
            "duration_years": str(self.rng.choice((20, 30, 40, 50))),
            "certificate_number": f"74{number:08d}",
            "certificate_date": issued.strftime("%d/%m/%Y"),
            "investors": "; ".join(code for code, _name in owners),
        }


def vsic_sample() -> list[str]:
    """Every class the generator uses (tests check they all exist in the VSIC data)."""
    return sorted({code for _vi, _en, classes in TRADES for code in classes})


def check_data() -> list[str]:
    """Classes the generator uses that the VSIC data lacks (should be none)."""
    known = vsic.classes()
    return [code for code in vsic_sample() if code not in known]


__all__ = ["Generator", "Places", "check_data", "places_in"]
