"""Demo inventory of period 2012 for the demo org chart (117 agencies of Bình Dương).

The per-agency figures are generated deterministically (`random.Random(2012)`) and varied per
agency, then the totals are fitted so that the indicators computed from the records show the
figures of the 2012 provincial ICT report:

- 95.0 % of provincial- and district-level officials with a computer;
- 145 servers; 94 points connected to the dedicated data network;
- 66.0 % of LANs behind a firewall and intrusion detection;
- 92.0 % of computers with antivirus ("over 90 %");
- 96.0 % of departments and district committees with document-management software: the
  report says about 95 %, but the demo has 25 such agencies (15 departments, the Office of
  the People's Committee and 9 districts), so the nearest is 24 of 25 = 96 %;
- a target of 91 communes connected by 31/12/2012, against 52 connected in the records.

Written through the services (audit entries, events) and accepted by the demo superuser.
Idempotent: once the period has reports, nothing is added.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.models import OrgUnit
from lienthong.ict import services
from lienthong.ict.models import (
    Category,
    ChecklistItem,
    ComplianceStatus,
    InventoryReport,
    Level,
    ReportingPeriod,
    ReportStatus,
)
from lienthong.ict.seed import ensure_catalogue
from lienthong.ict.services import ReportFigures

PERIOD_CODE = "2012"
SERVERS = 145
NETWORK_POINTS = 94
COMMUNES_CONNECTED = 52
COMMUNES_TARGET = 91
#: Fractions as (numerator, denominator) so that the fitted totals are exact.
WITH_COMPUTER = (95, 100)
LANS_PROTECTED = (66, 100)
ANTIVIRUS = (92, 100)


def allot(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """Split `total` over the entries in proportion to `weights`, none above its cap (largest
    remainders first); raises ValueError when the caps cannot hold the total."""
    if total > sum(caps):
        raise ValueError("the caps cannot hold the total")
    shares = [0] * len(weights)
    left = total
    while left > 0:
        room = [i for i in range(len(weights)) if shares[i] < caps[i]]
        weight = sum(weights[i] for i in room) or len(room)
        ideal = {i: left * (weights[i] or 1 / len(room)) / weight for i in room}
        given = 0
        for i in room:
            add = min(int(ideal[i]), caps[i] - shares[i])
            shares[i] += add
            given += add
        left -= given
        if given == 0:
            for i in sorted(room, key=lambda j: (-(ideal[j] - int(ideal[j])), j)):
                if left == 0:
                    break
                if shares[i] < caps[i]:
                    shares[i] += 1
                    left -= 1
    return shares


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


def _pad(
    figures: list[ReportFigures], indexes: list[int], attr: str, step: int, *, only: bool = False
) -> int:
    """Add one at a time, round robin over `indexes`, until the total of `attr` (over all the
    figures, or over `indexes` only) is a multiple of `step`; returns that total."""
    counted = [figures[i] for i in indexes] if only else figures
    total = sum(getattr(f, attr) for f in counted)
    for k in range(_round_up(total, step) - total):
        f = figures[indexes[k % len(indexes)]]
        setattr(f, attr, getattr(f, attr) + 1)
    return _round_up(total, step)


def demo_figures(categories: Sequence[str], seed: int = 2012) -> list[ReportFigures]:
    """Figures per agency (given each agency's category, in order) that yield the report's
    indicators exactly; the same every run."""
    rnd = random.Random(seed)
    n = len(categories)
    commune = [c == Category.COMMUNE_COMMITTEE for c in categories]
    upper = [i for i in range(n) if not commune[i]]
    figures = [ReportFigures() for _i in range(n)]
    staff_range = {
        Category.PROVINCE_COMMITTEE: (70, 90),
        Category.DEPARTMENT: (60, 240),
        Category.DISTRICT_COMMITTEE: (140, 300),
        Category.COMMUNE_COMMITTEE: (18, 30),
    }
    for i, f in enumerate(figures):
        low, high = staff_range.get(Category(categories[i]), (20, 60))
        f.staff = rnd.randint(low, high)
    # Provincial and district officials: the staff total is made a multiple of 20 so that
    # exactly 95 % of it have a computer.
    upper_staff = _pad(figures, upper, "staff", 20, only=True)
    with_computer = allot(
        upper_staff * WITH_COMPUTER[0] // WITH_COMPUTER[1],
        [figures[i].staff * rnd.uniform(0.85, 1.0) for i in upper],
        [figures[i].staff for i in upper],
    )
    for i, count in zip(upper, with_computer, strict=True):
        figures[i].staff_with_computer = count
    for i in range(n):
        if commune[i]:
            figures[i].staff_with_computer = round(figures[i].staff * rnd.uniform(0.45, 0.8))
        # Some machines are shared or kept for the one-stop counter.
        figures[i].computers = figures[i].staff_with_computer + rnd.randint(1, 6)
    computers = _pad(figures, upper, "computers", 25)
    antivirus = allot(
        computers * ANTIVIRUS[0] // ANTIVIRUS[1],
        [f.computers * (1.0 if not commune[i] else 0.8) for i, f in enumerate(figures)],
        [f.computers for f in figures],
    )
    for f, count in zip(figures, antivirus, strict=True):
        f.computers_with_antivirus = count
    # Servers sit at the provincial and district agencies; communes have none.
    servers = allot(SERVERS, [rnd.uniform(1, 4) for _i in upper], [12] * len(upper))
    for i, count in zip(upper, servers, strict=True):
        figures[i].servers = count
    # LANs: one per commune, one to four elsewhere; the total made a multiple of 50.
    for i, f in enumerate(figures):
        f.has_lan = True
        f.lans = 1 if commune[i] else rnd.randint(1, 4)
        f.has_fibre = not commune[i] or rnd.random() < 0.5
        f.has_wireless = rnd.random() < (0.8 if not commune[i] else 0.3)
    lans = _pad(figures, upper, "lans", 50)
    protected = allot(
        lans * LANS_PROTECTED[0] // LANS_PROTECTED[1],
        [f.lans * (3.0 if not commune[i] else 1.0) for i, f in enumerate(figures)],
        [f.lans for f in figures],
    )
    for f, count in zip(figures, protected, strict=True):
        f.lans_protected = count
    # The dedicated network: every upper agency, and the first communes in a shuffled order.
    communes = [i for i in range(n) if commune[i]]
    connected = set(rnd.sample(communes, min(COMMUNES_CONNECTED, len(communes))))
    points = allot(
        NETWORK_POINTS - len(connected) - len(upper),
        [rnd.uniform(0.5, 2) for _i in upper],
        [3] * len(upper),
    )
    for i, extra in zip(upper, points, strict=True):
        figures[i].dedicated_network = True
        figures[i].dedicated_network_points = 1 + extra
    for i in connected:
        figures[i].dedicated_network = True
        figures[i].dedicated_network_points = 1
    # IT staff: every upper agency, a third of the communes.
    for i, f in enumerate(figures):
        f.it_staff = rnd.randint(1, 4) if not commune[i] else int(rnd.random() < 0.33)
    # Software: document management everywhere above the communes but one district.
    districts = [i for i in range(n) if categories[i] == Category.DISTRICT_COMMITTEE]
    without_qlvb = districts[-1] if districts else -1
    for i, f in enumerate(figures):
        codes = ["email"]
        if not commune[i]:
            codes += ["website", "ketoan", "nhansu"]
            if i != without_qlvb:
                codes.append("qlvb")
        elif rnd.random() < 0.4:
            codes.append("qlvb")
        if categories[i] in (Category.DISTRICT_COMMITTEE, Category.COMMUNE_COMMITTEE) or (
            rnd.random() < 0.5
        ):
            codes.append("motcua")
        f.software = codes
    return figures


@transaction.atomic
def seed_demo() -> list[str]:
    """The 2012 inventory of every demo agency, accepted, once; returns the lines to print."""
    ensure_catalogue()
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    agencies = list(OrgUnit.objects.agencies().order_by("path"))
    if admin is None or not agencies:
        return [_("Hạ tầng CNTT: thiếu cơ quan hoặc tài khoản quản trị demo, bỏ qua số liệu mẫu.")]
    period = ReportingPeriod.objects.filter(code=PERIOD_CODE).first()
    if period is not None and InventoryReport.objects.filter(period=period).exists():
        return []
    if period is None:
        period = services.create_period(
            code=PERIOD_CODE,
            name="Năm 2012",
            start=datetime.date(2012, 1, 1),
            end=datetime.date(2012, 12, 31),
            by=admin,
        )
    categories = [services.classify(agency)[1] for agency in agencies]
    for agency, figures in zip(agencies, demo_figures(categories), strict=True):
        report = services.save_report(agency=agency, period=period, figures=figures, by=admin)
        services.submit_report(report, by=admin)
        services.accept_report(report, by=admin)
    services.set_target(
        indicator="communes_connected",
        value=Decimal(COMMUNES_TARGET),
        due=datetime.date(2012, 12, 31),
        note="Báo cáo CNTT tỉnh Bình Dương năm 2012",
        by=admin,
    )
    _seed_security(agencies[:6], admin)
    services.set_period_open(period, is_open=False, by=admin)
    accepted = InventoryReport.objects.filter(period=period, status=ReportStatus.ACCEPTED)
    return [
        _("Hạ tầng CNTT: %(count)s báo cáo kỳ %(period)s, chỉ tiêu, tiêu chí ATTT, sự cố mẫu.")
        % {"count": accepted.count(), "period": period.name}
    ]


def _seed_security(agencies: list[OrgUnit], admin: object) -> None:
    """A few checklist answers and two incidents (one past its 24-hour clock)."""
    items = list(ChecklistItem.objects.filter(is_active=True))
    statuses = [ComplianceStatus.MET, ComplianceStatus.MET, ComplianceStatus.NOT_MET]
    for a, agency in enumerate(agencies):
        for i, item in enumerate(items):
            services.set_compliance(
                agency=agency,
                item=item,
                status=statuses[(a + i) % len(statuses)],
                note="Số liệu mẫu",
                by=admin,
            )
    now = timezone.now()
    services.report_incident(
        agency=agencies[-1],
        title="Máy trạm nhiễm mã độc qua thư điện tử",
        detected_at=now - datetime.timedelta(hours=30),
        severity="high",
        by=admin,
    )
    done = services.report_incident(
        agency=agencies[0],
        title="Tấn công từ chối dịch vụ vào cổng thông tin",
        detected_at=now - datetime.timedelta(hours=10),
        by=admin,
    )
    services.advance_incident(done, step="initial", at=now - datetime.timedelta(hours=8), by=admin)


__all__ = ["Level", "allot", "demo_figures", "seed_demo"]
