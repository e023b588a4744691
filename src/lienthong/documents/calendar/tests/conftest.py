"""Fixtures of the work-calendar tests: one agency with a division, its office and staff."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.documents.calendar import services
from lienthong.documents.calendar.models import Event, Room

TZ = datetime.timezone(datetime.timedelta(hours=7))
#: Monday of ISO week 2026-W48.
MONDAY = datetime.date(2026, 11, 23)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of week 2026-W48 in Vietnam time: day 0 is Monday 23/11/2026."""
    date = MONDAY + datetime.timedelta(days=day)
    return datetime.datetime(date.year, date.month, date.day, hour, minute, tzinfo=TZ)


@pytest.fixture
def agency(db: Any) -> OrgUnit:
    return make_org_unit("Sở Tư pháp")


@pytest.fixture
def division(agency: OrgUnit) -> OrgUnit:
    return make_org_unit(
        "Phòng Hành chính tư pháp", parent=agency, is_agency=False, kind=OrgUnit.Kind.DIVISION
    )


@pytest.fixture
def clerk(agency: OrgUnit) -> User:
    """The agency's office (văn thư): approves and publishes."""
    return make_user("vanthu", roles=[(Role.CLERK, agency)], full_name="Phạm Thị Dung")


@pytest.fixture
def leader(agency: OrgUnit) -> User:
    return make_user("giamdoc", roles=[(Role.LEADER, agency)], full_name="Lê Minh Cường")


@pytest.fixture
def deputy(agency: OrgUnit) -> User:
    return make_user("phogiamdoc", roles=[(Role.LEADER, agency)], full_name="Ngô Văn Hải")


@pytest.fixture
def specialist(division: OrgUnit) -> User:
    """A drafter: may prepare events of the agency but not publish them."""
    return make_user("chuyenvien", roles=[(Role.SPECIALIST, division)], full_name="Trần Văn Bình")


@pytest.fixture
def outsider(db: Any) -> User:
    """An official of another agency."""
    return make_user("nguoingoai", roles=[(Role.SPECIALIST, make_org_unit("Sở Y tế"))])


@pytest.fixture
def citizen(db: Any) -> User:
    return make_user("congdan", roles=[(Role.CITIZEN, None)])


@pytest.fixture
def room(agency: OrgUnit, clerk: User) -> Room:
    return services.create_room(
        agency=agency, name="Phòng họp số 1", capacity=30, location="Tầng 2", by=clerk
    )


@pytest.fixture
def video_room(agency: OrgUnit, clerk: User) -> Room:
    return services.create_room(
        agency=agency,
        name="Phòng họp trực tuyến",
        kind=Room.Kind.VIDEO,
        capacity=20,
        video_link="https://hop.binhduong.gov.vn/so-tu-phap",
        by=clerk,
    )


@pytest.fixture
def make_event(agency: OrgUnit, specialist: User) -> Callable[..., Event]:
    """Create a draft event through the service (by the specialist unless `by` is given)."""

    def make(
        title: str = "Họp giao ban",
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        *,
        by: User | None = None,
        confirm: bool = False,
        **fields: Any,
    ) -> Event:
        start = start or at(0, 8)
        data = services.EventData(
            title=title,
            starts_at=start,
            ends_at=end or start + datetime.timedelta(hours=2),
            **fields,
        )
        return services.create_event(agency=agency, data=data, by=by or specialist, confirm=confirm)

    return make


def now() -> datetime.datetime:
    return timezone.now()
