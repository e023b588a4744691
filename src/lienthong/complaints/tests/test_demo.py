"""Demo cases: one in each state, written through the services, all or none, once."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.accounts.models import Role
from lienthong.complaints import demo
from lienthong.complaints.models import Complaint, Reception, Status
from lienthong.core.audit import verify_chain
from lienthong.core.testing import make_org_unit, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_cases_cover_each_state_once(django_user_model: Any) -> None:
    # Given the kernel's demo agency and logins
    agency = make_org_unit(demo.AGENCY)
    make_user("lanhdao", roles=[(Role.LEADER, agency)], full_name="Lê Minh Cường")
    make_user(
        "congdan",
        roles=[(Role.CITIZEN, None)],
        full_name="Nguyễn Thị Hoa",
        personal_id="074185003217",
        email="congdan@example.vn",
    )
    django_user_model.objects.create_superuser("admin", password="x-demo-12345", kind="official")
    # When the demo is seeded twice
    first = demo.seed_demo()
    second = demo.seed_demo()
    # Then five cases exist in their states, with the verifier created once
    statuses = sorted(Complaint.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [Status.RECEIVED, Status.VERIFYING, Status.VERIFYING, Status.CONCLUDED, Status.CONCLUDED]
    )
    assert Reception.objects.count() == 1
    assert django_user_model.objects.filter(username=demo.VERIFIER).count() == 1
    assert len(first) == 1 and "5 đơn mẫu" in first[0]
    assert second == []
    assert verify_chain().ok


def test_without_the_demo_agency_nothing_is_written() -> None:
    assert demo.seed_demo() == [
        "Khiếu nại, tố cáo: thiếu cơ quan hoặc tài khoản demo, bỏ qua đơn mẫu."
    ]
    assert not Complaint.objects.exists()
