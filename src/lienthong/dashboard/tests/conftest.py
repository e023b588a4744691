"""A province with two departments, their dossiers, documents and complaints, and the people
who may or may not open the dashboard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.documents.models import DocumentType, IncomingDocument
from lienthong.onestop.models import Channel, DossierStatus, Field
from lienthong.onestop.testing_stats import local, make_field, make_stats_dossier

#: The period the dossiers fall in.
JAN_FROM, JAN_TO = datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)


@dataclass
class World:
    province: OrgUnit
    justice: OrgUnit
    justice_division: OrgUnit
    health: OrgUnit
    field: Field
    province_leader: User
    justice_leader: User
    it_admin: User
    specialist: User
    citizen: User


@pytest.fixture(autouse=True)
def document_types(request: pytest.FixtureRequest) -> None:
    """The seeded document types (a transactional test elsewhere may have flushed them)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    from lienthong.documents.catalog import ensure_document_types

    ensure_document_types()


def make_incoming(
    agency: OrgUnit,
    deadline: datetime.datetime | None,
    status: str = IncomingDocument.Status.ASSIGNED,
) -> None:
    """An incoming document as the assignment service leaves it (assigned, with a deadline)."""
    IncomingDocument.objects.create(
        agency=agency,
        status=status,
        arrived_at=timezone.now() - datetime.timedelta(days=20),
        issuer="Ủy ban nhân dân tỉnh",
        document_type=DocumentType.objects.get(code="CV"),
        subject="Về việc báo cáo tình hình cải cách hành chính",
        deadline=deadline,
    )


@pytest.fixture
def world(db: None) -> World:
    province = make_org_unit("UBND tỉnh thử", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    justice = make_org_unit("Sở Tư pháp thử", parent=province)
    division = make_org_unit(
        "Phòng Hành chính tư pháp", parent=justice, is_agency=False, kind="division"
    )
    health = make_org_unit("Sở Y tế thử", parent=province)
    field = make_field("Hộ tịch")
    # Sở Tư pháp in January: early, on time, late, one pending past its date; one refused
    # (never counted) and one withdrawn.
    for day, processed, due in (
        (5, local(2026, 1, 7), datetime.date(2026, 1, 12)),
        (6, local(2026, 1, 13), datetime.date(2026, 1, 13)),
        (7, local(2026, 1, 20), datetime.date(2026, 1, 14)),
    ):
        make_stats_dossier(
            agency=justice,
            field=field,
            received_at=local(2026, 1, day),
            processed_at=processed,
            due_date=due,
        )
    make_stats_dossier(
        agency=justice,
        field=field,
        received_at=local(2026, 1, 8),
        due_date=datetime.date(2026, 1, 15),
        channel=Channel.ONLINE,
    )
    make_stats_dossier(agency=justice, field=field, received_at=None, status=DossierStatus.REFUSED)
    # Sở Y tế: two received in January (one still in time at the end of the month), one in
    # December 2025 settled on time in January.
    make_stats_dossier(
        agency=health,
        field=field,
        received_at=local(2026, 1, 26),
        due_date=datetime.date(2026, 2, 2),
    )
    make_stats_dossier(
        agency=health,
        field=field,
        received_at=local(2026, 1, 27),
        processed_at=local(2026, 1, 28),
        due_date=datetime.date(2026, 2, 3),
    )
    make_stats_dossier(
        agency=health,
        field=field,
        received_at=local(2025, 12, 22),
        processed_at=local(2026, 1, 5),
        due_date=datetime.date(2026, 1, 5),
    )
    return World(
        province=province,
        justice=justice,
        justice_division=division,
        health=health,
        field=field,
        province_leader=make_user("chutich", roles=[(Role.LEADER, province)]),
        justice_leader=make_user("giamdoc_stp", roles=[(Role.LEADER, justice)]),
        it_admin=make_user("quantri_cntt", roles=[(Role.IT_ADMIN, division)]),
        specialist=make_user("chuyenvien_stp", roles=[(Role.SPECIALIST, justice)]),
        citizen=make_user("congdan_dash", roles=[(Role.CITIZEN, None)]),
    )
