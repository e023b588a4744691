"""Test factories of the one-stop shop, shared by the intake, processing and statistics tests.

    agency = make_agency()
    procedure = make_procedure(agencies=[agency])           # 5 working days, 3-step process
    officer = make_officer(agency)
    dossier = make_dossier(procedure=procedure, officer=officer)   # received, PROCESSING
    new = make_dossier(procedure=procedure, channel="online", accepted=False)  # NEW

Everything is written through the intake services (`onestop.intake`), as in production; only
the catalogue rows (field, procedure, components, process template) are created directly.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import TINY_PDF, make_org_unit, make_user
from lienthong.onestop import intake
from lienthong.onestop.models import (
    CitizenDocument,
    Dossier,
    Field,
    Procedure,
    ProcedureComponent,
    TimeUnit,
)
from lienthong.workflow.models import ProcessStep, ProcessTemplate

_seq = itertools.count(1)

#: The default internal process: (step name, role, share of the time limit in %).
DEFAULT_STEPS: tuple[tuple[str, str, int], ...] = (
    ("Thụ lý, thẩm định hồ sơ", Role.SPECIALIST, 60),
    ("Phê duyệt kết quả", Role.LEADER, 30),
    ("Trả kết quả", Role.ONESTOP_OFFICER, 10),
)

#: Default components: (name, required, originals, copies).
DEFAULT_COMPONENTS: tuple[tuple[str, bool, int, int], ...] = (
    ("Tờ khai theo mẫu", True, 1, 0),
    ("Giấy tờ chứng minh nơi cư trú", True, 0, 1),
    ("Giấy ủy quyền (nếu nộp thay)", False, 1, 0),
)


#: Names given to citizens in turn.
CITIZEN_NAMES = (
    "Nguyễn Thị Minh",
    "Trần Văn Bình",
    "Lê Thị Hoa",
    "Phạm Quốc Cường",
    "Hoàng Thị Lan",
    "Võ Văn Dũng",
)


def make_agency(name: str | None = None, **extra: Any) -> OrgUnit:
    """An agency (cơ quan) with a well-formed demo code."""
    return make_org_unit(name or f"UBND phường thử {next(_seq)}", **extra)


def make_field(name: str | None = None) -> Field:
    """A field of procedures (lĩnh vực)."""
    n = next(_seq)
    return Field.objects.create(code=f"linh-vuc-{n}", name=name or f"Lĩnh vực thử {n}")


def make_template(
    steps: Sequence[tuple[str, str, int]] = DEFAULT_STEPS,
    *,
    code: str | None = None,
    org_units: Sequence[OrgUnit | None] | None = None,
) -> ProcessTemplate:
    """A process template; each step's unit is the case's agency unless `org_units` says."""
    n = next(_seq)
    template = ProcessTemplate.objects.create(
        code=code or f"quy-trinh-{n}", name=f"Quy trình thử {n}", module="onestop"
    )
    for order, (name, role, share) in enumerate(steps, start=1):
        unit = org_units[order - 1] if org_units is not None else None
        ProcessStep.objects.create(
            template=template,
            order=order,
            name=name,
            role=role,
            time_share=Decimal(share),
            org_unit=unit,
        )
    return template


def make_procedure(
    *,
    agencies: Sequence[OrgUnit] | None = None,
    code: str | None = None,
    name: str | None = None,
    field: Field | None = None,
    time_limit: Decimal | int | None = 5,
    time_unit: str = TimeUnit.WORKING_DAYS,
    components: Sequence[tuple[str, bool, int, int]] = DEFAULT_COMPONENTS,
    template: ProcessTemplate | None = None,
    with_template: bool = True,
    fee_amount: int | None = None,
    **extra: Any,
) -> Procedure:
    """A procedure received by `agencies` (a new agency if none), with components and, unless
    `with_template=False`, a 3-step process (specialist 60 / leader 30 / one-stop officer 10)."""
    n = next(_seq)
    procedure = Procedure.objects.create(
        code=code or f"1.{n:06d}.000.00.00.H99",
        name=name or f"Thủ tục thử số {n}",
        field=field or make_field(),
        time_limit_value=None if time_limit is None else Decimal(time_limit),
        time_limit_unit=time_unit if time_limit is not None else "",
        fee_amount=fee_amount,
        process_template=template or (make_template() if with_template else None),
        **extra,
    )
    procedure.agencies.set(agencies if agencies is not None else [make_agency()])
    for order, (component_name, required, originals, copies) in enumerate(components, start=1):
        ProcedureComponent.objects.create(
            procedure=procedure,
            order=order,
            name=component_name,
            is_required=required,
            originals=originals,
            copies=copies,
        )
    return procedure


def personal_id(n: int | None = None, *, province: str = "074", female: bool = True) -> str:
    """A well-formed 12-digit personal ID, unique per call unless `n` is given.

    Generated serials start at 500000, clear of the small ones tests write out by hand."""
    serial = 500_000 + next(_seq) if n is None else n
    return f"{province}{1 if female else 0}85{serial:06d}"


def make_officer(agency: OrgUnit, username: str | None = None, **extra: Any) -> User:
    """A one-stop officer (cán bộ một cửa) of `agency`."""
    return make_user(username, roles=[(Role.ONESTOP_OFFICER, agency)], **extra)


def make_citizen(username: str | None = None, **extra: Any) -> User:
    """A citizen account with a name, personal ID, phone and email."""
    n = next(_seq)
    fields: dict[str, Any] = {
        "full_name": CITIZEN_NAMES[n % len(CITIZEN_NAMES)],
        "personal_id": personal_id(),
        "phone": "0912345678",
        "email": f"congdan{n}@example.vn",
    }
    fields.update(extra)
    return make_user(username or f"congdan{n}", roles=[(Role.CITIZEN, None)], **fields)


def make_citizen_document(owner: User, title: str = "Giấy khai sinh", **extra: Any) -> Any:
    """A document in `owner`'s data store (kho dữ liệu), with a small PDF file."""
    fields = {"owner": owner, "owner_personal_id": owner.personal_id or "", **extra}
    document = CitizenDocument(title=title, **fields)
    document.file.save("giay-to.pdf", ContentFile(TINY_PDF), save=False)
    document.save()
    return document


def counter_applicant(**fields: Any) -> intake.Applicant:
    """An applicant as an officer types it at the counter."""
    values: dict[str, Any] = {
        "name": "Trần Văn An",
        "personal_id": personal_id(),
        "address": "12 Đường 30/4, phường Phú Hòa, Thủ Dầu Một, Bình Dương",
        "phone": "0274 3822 123",
        "email": "tranvanan@example.vn",
    }
    values.update(fields)
    return intake.Applicant(**values)


def make_dossier(
    *,
    procedure: Procedure | None = None,
    agency: OrgUnit | None = None,
    officer: User | None = None,
    applicant: User | None = None,
    channel: str = "counter",
    accepted: bool = True,
    at: datetime.datetime | None = None,
) -> Dossier:
    """A dossier made through the intake services.

    At the counter (default): received and accepted, status PROCESSING with its case started.
    Online: submitted by `applicant` (a new citizen if none), then accepted unless
    `accepted=False` (status NEW). `at` fixes the moment of submission and receipt.
    """
    if procedure is None:
        agency = agency or make_agency()
        procedure = make_procedure(agencies=[agency])
    agency = agency or procedure.agencies.order_by("pk").first()
    assert agency is not None, "the procedure has no receiving agency"
    officer = officer or make_officer(agency)
    everything = list(procedure.components.all())
    if channel == "online":
        applicant = applicant or make_citizen()
        uploads = [
            intake.ComponentUpload(c, file=ContentFile(TINY_PDF, name=f"thanh-phan-{c.order}.pdf"))
            for c in everything
            if c.is_required
        ]
        dossier: Dossier = intake.submit_online(
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            components=uploads,
            form_data={"ly_do": "Thử nghiệm"},
            by=applicant,
            at=at,
        )
        if accepted:
            dossier = intake.accept(dossier=dossier, by=officer, at=at)
        return dossier
    person = counter_applicant()
    if applicant is not None:
        person = intake.applicant_from_profile(applicant)
    received = [
        intake.ReceivedComponent(c, originals=max(c.originals, 1), copies=c.copies)
        for c in everything
        if c.is_required
    ]
    counter: Dossier = intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=person,
        components_received=received,
        by=officer,
        at=at,
    )
    return counter
