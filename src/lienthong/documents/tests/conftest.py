"""An agency with two divisions and its officials: clerk, leader, specialists of each division."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.documents.models import DocumentType
from lienthong.documents.services import IncomingData


@dataclass
class World:
    agency: OrgUnit
    division_a: OrgUnit
    division_b: OrgUnit
    other_agency: OrgUnit
    clerk: User
    leader: User
    specialist_a: User
    specialist_b: User
    agency_specialist: User
    outsider: User


@pytest.fixture(autouse=True)
def document_types(request: pytest.FixtureRequest) -> None:
    """The seeded types, also after a transactional test elsewhere flushed the tables."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    from lienthong.documents.catalog import ensure_document_types

    ensure_document_types()


@pytest.fixture
def world(db: None) -> World:
    agency = make_org_unit("Sở Tư pháp", short_name="STP")
    division_a = make_org_unit(
        "Phòng Hành chính tư pháp", parent=agency, is_agency=False, kind="division"
    )
    division_b = make_org_unit(
        "Phòng Bổ trợ tư pháp", parent=agency, is_agency=False, kind="division"
    )
    other = make_org_unit("Sở Y tế", short_name="SYT")
    return World(
        agency=agency,
        division_a=division_a,
        division_b=division_b,
        other_agency=other,
        clerk=make_user("vanthu", roles=[(Role.CLERK, agency)]),
        leader=make_user("lanhdao", roles=[(Role.LEADER, agency)]),
        specialist_a=make_user("cva", roles=[(Role.SPECIALIST, division_a)]),
        specialist_b=make_user("cvb", roles=[(Role.SPECIALIST, division_b)]),
        agency_specialist=make_user("cvso", roles=[(Role.SPECIALIST, agency)]),
        outsider=make_user("vanthu_yte", roles=[(Role.CLERK, other)]),
    )


def data(**overrides: object) -> IncomingData:
    values: dict[str, object] = {
        "issuer": "Ủy ban nhân dân tỉnh Bình Dương",
        "subject": "Về việc triển khai công tác cải cách hành chính năm 2026",
        "document_type": DocumentType.objects.get(code="CV"),
        "code_number": "123",
        "code_notation": "UBND-VP",
    }
    values.update(overrides)
    return IncomingData(**values)  # type: ignore[arg-type]
