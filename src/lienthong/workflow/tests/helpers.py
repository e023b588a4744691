"""Test helpers of the workflow app."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.workflow import engine
from lienthong.workflow.models import Case, ProcessStep, ProcessTemplate, Task

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A moment in Vietnam time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=VN)


def make_task(
    title: str = "Thẩm định hồ sơ",
    *,
    due_in: datetime.timedelta | None = datetime.timedelta(days=3),
    **fields: Any,
) -> Task:
    """A task due `due_in` from now (None: no due moment); other fields as given."""
    due_at = timezone.now() + due_in if due_in is not None else None
    return Task.objects.create(title=title, due_at=fields.pop("due_at", due_at), **fields)


_codes = iter(range(1, 10**9))


def make_template(
    steps: Sequence[tuple[str, str, OrgUnit | None, int | str]],
    *,
    code: str | None = None,
    module: str = "test",
    name: str | None = None,
) -> ProcessTemplate:
    """A process template with `steps` as (name, role, unit or None, share %)."""
    n = next(_codes)
    template = ProcessTemplate.objects.create(
        code=code or f"quy-trinh-thu-{n}", name=name or f"Quy trình thử {n}", module=module
    )
    for order, (step_name, role, unit, share) in enumerate(steps, start=1):
        ProcessStep.objects.create(
            template=template,
            order=order,
            name=step_name,
            role=role,
            org_unit=unit,
            time_share=Decimal(str(share)),
        )
    return template


@dataclass
class Office:
    """An agency with a division, the officials of a 5-step approval, and its process.

    Steps: 1 reception (one-stop officer, the agency) 10 %, 2 examination (specialist, the
    division) 40 %, 3 review (leader, the division) 20 %, 4 approval (leader, the agency) 20 %,
    5 result (one-stop officer, the agency) 10 %.
    """

    agency: OrgUnit
    division: OrgUnit
    officer: User
    specialist: User
    colleague: User
    head: User
    director: User
    template: ProcessTemplate

    def step(self, order: int) -> ProcessStep:
        """The template's step of that order."""
        return self.template.steps.get(order=order)

    def start(
        self,
        *,
        at: datetime.datetime,
        due_at: datetime.datetime | None,
        subject: Any = None,
        **kwargs: Any,
    ) -> Case:
        """Start a case about `subject` (a fresh org unit row by default) at `at`."""
        subject = subject or make_org_unit("Đối tượng thử", is_agency=False)
        return engine.start_case(
            template=self.template,
            subject=subject,
            agency=self.agency,
            title=kwargs.pop("title", "Hồ sơ thử"),
            due_at=due_at,
            by=kwargs.pop("by", self.officer),
            at=at,
            **kwargs,
        )


def make_office(name: str = "Sở Tư pháp") -> Office:
    """The `Office` fixture: real units, users with roles and a 5-step process."""
    agency = make_org_unit(name)
    division = make_org_unit("Phòng Hành chính - Tư pháp", parent=agency, is_agency=False)
    template = make_template(
        [
            ("Tiếp nhận", Role.ONESTOP_OFFICER, None, 10),
            ("Thẩm định", Role.SPECIALIST, division, 40),
            ("Trưởng phòng xem xét", Role.LEADER, division, 20),
            ("Lãnh đạo phê duyệt", Role.LEADER, None, 20),
            ("Trả kết quả", Role.ONESTOP_OFFICER, None, 10),
        ],
        name="Phê duyệt 5 bước",
    )
    n = next(_codes)
    return Office(
        agency=agency,
        division=division,
        officer=make_user(f"motcua{n}", roles=[(Role.ONESTOP_OFFICER, agency)], full_name="Lê Thu"),
        specialist=make_user(
            f"chuyenvien{n}", roles=[(Role.SPECIALIST, division)], full_name="Nguyễn Văn An"
        ),
        colleague=make_user(
            f"chuyenvien2{n}", roles=[(Role.SPECIALIST, division)], full_name="Trần Bình"
        ),
        head=make_user(f"truongphong{n}", roles=[(Role.LEADER, division)], full_name="Phạm Hà"),
        director=make_user(f"giamdoc{n}", roles=[(Role.LEADER, agency)], full_name="Võ Minh"),
        template=template,
    )
