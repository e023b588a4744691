"""Test factories of the complaints app.

team = make_team()                      # an agency with a leader, two specialists, a clerk
case = file_denunciation(team)          # RECEIVED, filed online by team.citizen
accept_and_assign(team, case)           # ACCEPTED, then VERIFYING by team.verifier
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from lienthong.accounts.models import Role, User
from lienthong.complaints import services
from lienthong.complaints.models import Channel, Complaint, Field, Kind, Stage
from lienthong.core.calendar import VN_TZ
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user

_seq = itertools.count(1)


def moment(year: int, month: int, day: int, hour: int = 9) -> datetime.datetime:
    """A Vietnam-time moment."""
    return datetime.datetime(year, month, day, hour, tzinfo=VN_TZ)


def personal_id(n: int) -> str:
    """A well-formed 12-digit personal ID (Hà Nội 001, a man born in 1985)."""
    return f"001085{n:06d}"


@dataclass
class Team:
    """An inspectorate with its officials and a citizen."""

    agency: OrgUnit
    leader: User
    verifier: User
    other_specialist: User
    clerk: User
    citizen: User


def make_team(name: str | None = None) -> Team:
    """An agency (the inspectorate) with a leader, two specialists, a clerk and a citizen."""
    n = next(_seq)
    agency = make_org_unit(name or f"Thanh tra tỉnh thử {n}")
    return Team(
        agency=agency,
        leader=make_user(
            f"lanhdao{n}",
            roles=[(Role.LEADER, agency)],
            full_name="Lê Minh Cường",
            email=f"lanhdao{n}@example.vn",
        ),
        verifier=make_user(
            f"xacminh{n}",
            roles=[(Role.SPECIALIST, agency)],
            full_name="Trần Văn Bình",
            email=f"xacminh{n}@example.vn",
        ),
        other_specialist=make_user(
            f"chuyenvien{n}", roles=[(Role.SPECIALIST, agency)], full_name="Phạm Thu Hà"
        ),
        clerk=make_user(f"vanthu{n}", roles=[(Role.CLERK, agency)], full_name="Vũ Thị Lan"),
        citizen=make_user(
            f"congdan{n}",
            full_name="Đỗ Thị Hoa",
            personal_id=personal_id(n),
            email=f"congdan{n}@example.vn",
        ),
    )


def file_case(
    team: Team,
    *,
    kind: str = Kind.DENUNCIATION,
    stage: str = Stage.FIRST,
    at: datetime.datetime | None = None,
    known_on: datetime.date | None = None,
    online: bool = True,
    **extra: Any,
) -> Complaint:
    """A case filed online by the team's citizen (or at the desk by the verifier)."""
    at = at or moment(2026, 3, 2)
    if kind == Kind.COMPLAINT and known_on is None:
        known_on = at.date() - datetime.timedelta(days=10)
    return services.file_case(
        kind=kind,
        stage=stage,
        agency=team.agency,
        field=extra.pop("field", Field.LAND),
        channel=Channel.ONLINE if online else Channel.RECEPTION,
        filer=services.Filer(
            name=team.citizen.full_name,
            address="12 Lê Lợi, phường Bến Thành",
            personal_id=team.citizen.personal_id or "",
            email=team.citizen.email,
            phone="0912345678",
        ),
        subject=extra.pop("subject", "Cán bộ địa chính thu tiền trái quy định"),
        content=extra.pop("content", "Ngày 01/02/2026 ông X yêu cầu nộp 5 triệu đồng."),
        respondent=extra.pop("respondent", "Ông Nguyễn Văn X, cán bộ địa chính"),
        known_on=known_on,
        by=team.citizen if online else team.verifier,
        at=at,
        **extra,
    )


def accept_and_assign(
    team: Team, complaint: Complaint, at: datetime.datetime | None = None
) -> Complaint:
    """Accept the case and assign the team's verifier."""
    at = at or moment(2026, 3, 3)
    services.accept(complaint=complaint, by=team.leader, at=at)
    return services.assign(complaint=complaint, handler=team.verifier, by=team.leader, at=at)
