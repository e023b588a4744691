"""Demo data of the labour registry: 3,000 job seekers and 300 vacancies, in seconds.

`seed_demo()` (run by `lienthong seed --demo`) adds to the demo province of `core`:

- job seekers and vacancies made by `generate` (Faker vi_VN), kept by the Department of
  Home Affairs (Sở Nội vụ, which took over labour and employment in 2025), living and
  working in the 2025 communes that succeeded the demo province's communes; each record is
  validated by the model's own `clean` and inserted in bulk;
- the demo registry official (`quanlycsdl`) as registry official of Sở Nội vụ, so the
  seekers' personal data can be seen by logging in as that user.

Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.core.audit import record
from lienthong.core.context import acting
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.registries.base import bulk
from lienthong.registries.base.models import REGISTRY_OWNER_ROLE
from lienthong.registries.labour import generate
from lienthong.registries.labour.models import JobSeeker, Vacancy, index_seekers

HOME_AFFAIRS_CODE = "000.00.03.H99"
LEGACY_PROVINCE_CODE = "74"
EDITOR_USERNAME = "quanlycsdl"
SEEKERS = 3000
VACANCIES = 300
SEED = 2025


def demo_communes() -> list[tuple[str, str]]:
    """(2025 commune, province) succeeding the demo province's legacy communes."""
    rows = (
        AdminUnit.objects.legacy()
        .communes()
        .filter(parent__parent__code=LEGACY_PROVINCE_CODE, successor__isnull=False)
        .values_list("successor__code", "successor__parent__code")
        .distinct()
        .order_by("successor__code")
    )
    return [(code, province or "") for code, province in rows]


def _insert(objects: list[JobSeeker] | list[Vacancy]) -> int:
    for obj in objects:
        # The generator's rows pass the same checks as a form or an import row.
        obj.clean()
    model = type(objects[0]) if objects else JobSeeker
    bulk.insert_rows(model, [generate.as_row(obj) for obj in objects])
    return len(objects)


def seed_demo(*, seekers: int = SEEKERS, vacancies: int = VACANCIES) -> list[str]:
    """Add the demo job seekers and vacancies (idempotent); returns the lines to print."""
    owner = OrgUnit.objects.filter(code=HOME_AFFAIRS_CODE).first()
    if owner is None:
        return [_("Thị trường lao động: chưa có tổ chức mẫu của tỉnh, bỏ qua.")]
    communes = demo_communes()
    if not communes:
        return [_("Thị trường lao động: chưa nạp đơn vị hành chính, bỏ qua.")]
    lines: list[str] = []
    with acting(via="lienthong seed --demo"), transaction.atomic():
        if not JobSeeker.all_objects.filter(owner=owner).exists():
            count = _insert(
                list(generate.seekers(seekers, owner_id=owner.pk, communes=communes, seed=SEED))
            )
            index_seekers(JobSeeker.all_objects.filter(owner=owner))
            jobs = _insert(
                list(
                    generate.vacancies(
                        vacancies, owner_id=owner.pk, communes=communes, seed=SEED + 1
                    )
                )
            )
            record(
                "registry.labour.demo",
                after={"seekers": count, "vacancies": jobs, "owner": owner.pk},
                object_type="labour.jobseeker",
            )
            lines.append(
                _("Thị trường lao động: %(seekers)d người tìm việc, %(jobs)d nhu cầu tuyển dụng.")
                % {"seekers": count, "jobs": jobs}
            )
        _access(owner, lines)
    return lines


def _access(owner: OrgUnit, lines: list[str]) -> None:
    """The demo registry official keeps the labour registry of Sở Nội vụ."""
    from lienthong.accounts import services as accounts

    user_model = get_user_model()
    editor = user_model.objects.filter(username=EDITOR_USERNAME, kind="official").first()
    granter = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if editor and granter and not editor.has_role(REGISTRY_OWNER_ROLE, owner):
        accounts.grant_role(user=editor, role=REGISTRY_OWNER_ROLE, org_unit=owner, by=granter)
        lines.append(
            _("Thị trường lao động: %(user)s được giao quản lý dữ liệu của %(unit)s.")
            % {"user": EDITOR_USERNAME, "unit": owner}
        )
