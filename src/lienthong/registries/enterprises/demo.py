"""Demo data of the enterprise registry, applied by `lienthong seed --demo` after the kernel's.

- 2,000 enterprises (`DEMO_ENTERPRISES`) owned by the demo tree's Phòng Đăng ký kinh doanh
  (where the demo login `quanlycsdl` is the registry official), made by `fakedata.Generator`
  and loaded through the shared import (a CSV file, checked, then inserted in bulk: one audit
  entry and one event for the file). Addresses: Bình Dương communes, 60 % in legacy units
  (converted to their 2025 successors, the legacy code kept), a handful written out in full.
- some status history through `services.change_status`: 3 % suspended, 1 % dissolved.
- 200 investment projects (`DEMO_PROJECTS`) owned by the Ban Quản lý các khu công nghiệp,
  each with one or two of the demo enterprises as investors.
- read grants: the Ban Quản lý reads the enterprises (its investors); Sở Kế hoạch và Đầu tư
  reads the projects (so `quanlycsdl` sees both registries).

Idempotent: a database that already has enterprises is left as it is.
"""

from __future__ import annotations

import csv
import datetime
import random
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.registries.base import importing
from lienthong.registries.base import registry as registries
from lienthong.registries.base.models import ImportJob, RegistryGrant
from lienthong.registries.enterprises import fakedata, services
from lienthong.registries.enterprises.models import Enterprise, EnterpriseStatus
from lienthong.registries.enterprises.registry import ENTERPRISES, PROJECTS

DEMO_ENTERPRISES = 2000
DEMO_PROJECTS = 200
SEED = 2025

#: Demo agencies (core/data/demo_agencies.json) by code.
PLANNING_DEPARTMENT = "000.00.14.H99"  # Sở Kế hoạch và Đầu tư
INDUSTRIAL_ZONES = "000.00.13.H99"  # Ban Quản lý các khu công nghiệp
REGISTRATION_OFFICE = "Phòng Đăng ký kinh doanh"


def _owners() -> tuple[OrgUnit, OrgUnit, OrgUnit] | None:
    planning = OrgUnit.objects.filter(code=PLANNING_DEPARTMENT).first()
    zones = OrgUnit.objects.filter(code=INDUSTRIAL_ZONES).first()
    if planning is None or zones is None:
        return None
    office = OrgUnit.objects.filter(parent=planning, name=REGISTRATION_OFFICE).first()
    return planning, office or planning, zones


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    """Rows as a CSV import file (header: the column keys)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _import(key: str, rows: list[dict[str, str]], owner: OrgUnit, by: Any) -> ImportJob:
    with tempfile.TemporaryDirectory(prefix="lienthong-demo-") as folder:
        path = Path(folder) / f"{key}.csv"
        write_csv(rows, path)
        job = importing.import_file(
            registries.get(key), path, owner=owner, by=by, original_name=f"demo-{key}.csv"
        )
    if job.status != ImportJob.Status.IMPORTED:
        raise RuntimeError(f"demo import of {key} failed: {job.errors[:5]}")
    return job


def _statuses(rng: random.Random, by: Any) -> int:
    """Suspend about 3 % of the enterprises and dissolve about 1 %, through the service."""
    changed = 0
    today = services.today()
    for enterprise in Enterprise.objects.order_by("tax_code").iterator():
        roll = rng.random()
        if roll >= 0.04:
            continue
        founded = enterprise.founded_on or datetime.date(2015, 1, 1)
        span = max((today - founded).days, 2)
        start = founded + datetime.timedelta(days=rng.randint(1, span - 1))
        if roll < 0.03:
            services.change_status(
                enterprise,
                to_status=EnterpriseStatus.SUSPENDED,
                effective_on=start,
                until=start + datetime.timedelta(days=365),
                reason=_("Tạm ngừng kinh doanh theo thông báo của doanh nghiệp"),
                by=by,
            )
        else:
            services.change_status(
                enterprise,
                to_status=EnterpriseStatus.DISSOLVED,
                effective_on=start,
                reason=_("Giải thể theo quyết định của chủ sở hữu"),
                decision=f"{rng.randint(1, 999)}/QĐ-GT",
                by=by,
            )
        changed += 1
    return changed


def seed_demo() -> list[str]:
    """Load the demo enterprises and projects (once); returns the lines to print."""
    if Enterprise.all_objects.exists():
        return [_("Doanh nghiệp: đã có dữ liệu, bỏ qua.")]
    owners = _owners()
    admin = get_user_model().objects.filter(is_superuser=True, is_active=True).first()
    places = fakedata.places_in()
    if owners is None or admin is None or not places.legacy:
        return [
            _("Doanh nghiệp: thiếu cơ quan, quản trị viên hoặc đơn vị hành chính demo, bỏ qua.")
        ]
    planning, office, zones = owners
    # A few addresses written out in full (each is parsed: about 0.1 s).
    generator = fakedata.Generator(SEED, places, text_share=0.005)
    rng = random.Random(SEED)
    rows = list(generator.enterprises(DEMO_ENTERPRISES))
    with acting(user=admin, via="lienthong seed --demo"), transaction.atomic():
        _import(ENTERPRISES, rows, office, admin)
        investors = [(r["tax_code"], r["name"]) for r in rows[: DEMO_ENTERPRISES // 2]]
        projects = [generator.project(n, investors) for n in range(1, DEMO_PROJECTS + 1)]
        _import(PROJECTS, projects, zones, admin)
        changed = _statuses(rng, admin)
        for registry, agency, purpose in (
            (ENTERPRISES, zones, _("Tra cứu nhà đầu tư khi giải quyết thủ tục đầu tư")),
            (PROJECTS, planning, _("Theo dõi, tổng hợp tình hình đầu tư")),
        ):
            RegistryGrant.objects.get_or_create(
                registry=registry, agency=agency, defaults={"purpose": purpose}
            )
    return [
        _("Doanh nghiệp: %(n)d bản ghi (%(changed)d thay đổi tình trạng), của %(owner)s.")
        % {"n": len(rows), "changed": changed, "owner": office.name},
        _("Dự án đầu tư: %(n)d bản ghi, của %(owner)s.")
        % {"n": len(projects), "owner": zones.name},
    ]
