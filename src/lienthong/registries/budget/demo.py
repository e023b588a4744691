"""Demo data of the budget registry: plans and actuals of the demo agencies, two years.

`seed_demo()` (run by `lienthong seed --demo`) adds, for every agency of the demo province
(departments, district and commune committees), for the previous and the current year:

- expenditure plans per quarter (dự toán quý) on the sub-items a unit of its kind spends on
  (salaries, allowances, contributions, utilities, office supplies, travel, professional
  costs), and monthly actuals (thực hiện) for the months already past, near the plan —
  quarterly actuals for communes;
- revenue plans and actuals for the committees (fees, taxes on land and households, fines)
  and the Department of Finance;

with the chapter (chương) of the agency's field. Amounts are whole thousands of đồng. The
Department of Finance gets a read grant of the budget registry (the finance department
reads every agency's budget), and the demo registry official (`quanlycsdl`) keeps its lines.

Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, record
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.core.text import fold
from lienthong.registries.base import bulk
from lienthong.registries.base.models import REGISTRY_OWNER_ROLE, RegistryGrant
from lienthong.registries.budget import codes
from lienthong.registries.budget.models import REGISTRY_KEY, BudgetLine, Kind, Stage, period_months

PROVINCE_CODE = "000.00.00.H99"
FINANCE_CODE = "000.00.04.H99"
EDITOR_USERNAME = "quanlycsdl"
SEED = 2024

#: Chapters of the demo departments, by agency code (Thông tư 324/2016/TT-BTC, Phụ lục I).
DEPARTMENT_CHAPTERS = {
    "000.00.00.H99": "402", "000.00.01.H99": "402", "000.00.02.H99": "405",
    "000.00.03.H99": "404", "000.00.04.H99": "418", "000.00.05.H99": "414",
    "000.00.06.H99": "419", "000.00.07.H99": "416", "000.00.08.H99": "412",
    "000.00.09.H99": "426", "000.00.10.H99": "422", "000.00.11.H99": "423",
    "000.00.12.H99": "425", "000.00.13.H99": "435", "000.00.14.H99": "417",
    "000.00.15.H99": "428", "000.00.16.H99": "427",
}  # fmt: skip

#: Expenditure sub-items and their yearly plan for a department, in millions of đồng (a
#: district committee spends about the same, a commune a fifth).
SPENDING = (
    ("6001", 3600), ("6051", 420), ("6101", 240), ("6112", 300), ("6301", 630),
    ("6302", 108), ("6501", 180), ("6551", 60), ("6601", 48), ("6701", 90), ("7012", 600),
    ("7761", 30),
)  # fmt: skip
COMMUNE_SPENDING = ("6001", "6301", "6501", "7012")

#: Revenue sub-items of committees, yearly plan in millions of đồng (district scale).
REVENUE = (
    ("1003", 9000), ("1602", 2500), ("1603", 4000), ("1701", 30000), ("2862", 900),
    ("2863", 400), ("2864", 600), ("3601", 5000), ("4254", 300), ("4949", 700),
)  # fmt: skip
COMMUNE_REVENUE = ("1602", "2864")
COMMUNE_REVENUE_PLAN = {"1602": 600, "2864": 120}


def _chapter(agency: OrgUnit) -> str:
    if agency.code in DEPARTMENT_CHAPTERS:
        return DEPARTMENT_CHAPTERS[agency.code]
    return "800" if agency.depth >= 2 else "600"


def _cells(agency: OrgUnit) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(spending, revenue) sub-items with yearly plans in millions of đồng for an agency."""
    commune = agency.kind == OrgUnit.Kind.PEOPLES_COMMITTEE and agency.depth >= 2
    if commune:
        plans = dict(SPENDING)
        spending = [(sub, plans[sub] // 5) for sub in COMMUNE_SPENDING]
        revenue = [(sub, COMMUNE_REVENUE_PLAN[sub]) for sub in COMMUNE_REVENUE]
        return spending, revenue
    revenue = list(REVENUE) if agency.kind == OrgUnit.Kind.PEOPLES_COMMITTEE else []
    if agency.code == FINANCE_CODE:
        revenue = [("4254", 200), ("4949", 1500)]
    return list(SPENDING), revenue


def _round(amount: float) -> int:
    """Whole thousands of đồng, as budget tables write them."""
    return round(amount / 1000.0) * 1000


def lines_for(
    agency: OrgUnit, years: list[int], *, today: datetime.date, rng: random.Random
) -> Iterator[dict[str, object]]:
    """Quarterly plans and monthly actuals (quarterly for communes) of one agency, for
    `years`, as column values for `bulk.insert_rows`."""
    chapter = _chapter(agency)
    spending, revenue = _cells(agency)
    # Communes report quarterly: fewer, larger actuals.
    quarterly = agency.kind == OrgUnit.Kind.PEOPLES_COMMITTEE and agency.depth >= 2
    scale = rng.uniform(0.6, 1.6)
    now = timezone.now()
    for year in years:
        last_month = 12 if year < today.year else max(today.month - 1, 1)
        growth = 1.0 + 0.07 * (year - years[0])
        for kind, cells in ((Kind.EXPENDITURE, spending), (Kind.REVENUE, revenue)):
            for sub, millions in cells:
                yearly = millions * 1_000_000 * scale * growth
                for quarter in range(1, 5):
                    plan = _round(yearly / 4 * rng.uniform(0.9, 1.1))
                    yield _line(
                        agency, year, f"Q{quarter}", kind, Stage.PLAN, chapter, sub, plan, now
                    )
                    # Spending runs near plan, a little under; revenue swings more.
                    spread = (0.8, 1.02) if kind == Kind.EXPENDITURE else (0.6, 1.35)
                    if quarterly:
                        if 3 * quarter <= last_month:
                            actual = _round(plan * rng.uniform(*spread))
                            yield _line(
                                agency,
                                year,
                                f"Q{quarter}",
                                kind,
                                Stage.ACTUAL,
                                chapter,
                                sub,
                                actual,
                                now,
                            )
                        continue
                    for month in range(3 * quarter - 2, 3 * quarter + 1):
                        if month > last_month:
                            break
                        actual = _round(plan / 3 * rng.uniform(*spread))
                        yield _line(
                            agency,
                            year,
                            f"M{month:02d}",
                            kind,
                            Stage.ACTUAL,
                            chapter,
                            sub,
                            actual,
                            now,
                        )


def _line(
    agency: OrgUnit,
    year: int,
    period: str,
    kind: str,
    stage: str,
    chapter: str,
    sub: str,
    amount: int,
    now: datetime.datetime,
) -> dict[str, object]:
    first, last = period_months(period)
    description = codes.sub_item_name(sub)
    return {
        "owner_id": agency.pk,
        "agency_id": agency.pk,
        "year": year,
        "period": period,
        "month_from": first,
        "month_to": last,
        "kind": kind,
        "stage": stage,
        "chapter_code": chapter,
        "item_code": codes.item_of(sub),
        "sub_item_code": sub,
        "amount": amount,
        "description": description,
        "search_text": fold(description),
        "created_at": now,
        "updated_at": now,
    }


def _check_codes() -> None:
    """The demo's codes are in the classification (a typo here must fail loudly)."""
    used = {sub for sub, _m in SPENDING} | {sub for sub, _m in REVENUE} | set(COMMUNE_REVENUE)
    missing = sorted(used - set(codes.sub_items()))
    chapters = set(DEPARTMENT_CHAPTERS.values()) | {"600", "800"}
    missing += sorted(chapters - set(codes.chapters()))
    if missing:
        raise RuntimeError(f"demo budget codes not in the classification: {missing}")


def seed_demo() -> list[str]:
    """Add the demo budget lines (idempotent); returns the lines to print."""
    province = OrgUnit.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        return [_("Ngân sách: chưa có tổ chức mẫu của tỉnh, bỏ qua.")]
    _check_codes()
    today = timezone.localdate()
    years = [today.year - 1, today.year]
    lines: list[str] = []
    with acting(via="lienthong seed --demo"), transaction.atomic():
        if not BudgetLine.all_objects.filter(agency__path__startswith=province.path).exists():
            rng = random.Random(SEED)
            agencies = list(OrgUnit.objects.agencies().within(province).order_by("path"))
            rows = [
                row for agency in agencies for row in lines_for(agency, years, today=today, rng=rng)
            ]
            bulk.insert_rows(BudgetLine, rows)
            record(
                "registry.budget.demo",
                after={"lines": len(rows), "agencies": len(agencies), "years": years},
                object_type="budget.budgetline",
            )
            lines.append(
                _("Ngân sách: %(rows)d số liệu thu, chi của %(agencies)d đơn vị, năm %(years)s.")
                % {
                    "rows": len(rows),
                    "agencies": len(agencies),
                    "years": " và ".join(str(y) for y in years),
                }
            )
        _access(lines)
    return lines


def _access(lines: list[str]) -> None:
    """Sở Tài chính reads every agency's budget; the demo registry official keeps its lines."""
    from lienthong.accounts import services as accounts

    finance = OrgUnit.objects.filter(code=FINANCE_CODE).first()
    if finance is None:
        return
    if not RegistryGrant.objects.filter(registry=REGISTRY_KEY, agency=finance).exists():
        grant = RegistryGrant(
            registry=REGISTRY_KEY,
            agency=finance,
            purpose=_("Quản lý, tổng hợp thu chi ngân sách toàn tỉnh"),
        )
        with audited("registry.grant", grant):
            grant.save()
        lines.append(
            _("Ngân sách: %(agency)s được khai thác số liệu ngân sách.") % {"agency": finance}
        )
    user_model = get_user_model()
    editor = user_model.objects.filter(username=EDITOR_USERNAME, kind="official").first()
    granter = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if editor and granter and not editor.has_role(REGISTRY_OWNER_ROLE, finance):
        accounts.grant_role(user=editor, role=REGISTRY_OWNER_ROLE, org_unit=finance, by=granter)
        lines.append(
            _("Ngân sách: %(user)s được giao quản lý số liệu của %(unit)s.")
            % {"user": EDITOR_USERNAME, "unit": finance}
        )
