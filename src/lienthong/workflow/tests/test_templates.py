"""Process templates: the service that saves them, the admin with its inline steps, the
read-only page, the API listing and the command."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from lienthong.accounts.models import Role, User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.models import OutboxEvent
from lienthong.workflow import engine
from lienthong.workflow.models import ProcessStep, ProcessTemplate
from lienthong.workflow.services import StepSpec, save_template
from lienthong.workflow.tests.helpers import make_office, vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> OrgUnit:
    return make_org_unit("Sở Thông tin và Truyền thông")


@pytest.fixture
def it_admin(unit: OrgUnit) -> User:
    return make_user("quantri", roles=[(Role.IT_ADMIN, unit)], is_staff=True)


def steps(*shares: str | int, role: str = Role.SPECIALIST) -> list[StepSpec]:
    return [
        StepSpec(order=n, name=f"Bước {n}", role=role, time_share=share)
        for n, share in enumerate(shares, start=1)
    ]


def test_save_a_new_template_with_its_steps(it_admin: User, unit: OrgUnit) -> None:
    division = make_org_unit("Phòng CNTT", parent=unit, is_agency=False)

    template = save_template(
        template=None,
        code="cap-phep-bao-chi",
        name="Cấp phép xuất bản bản tin",
        module="onestop",
        steps=[
            StepSpec(1, "Tiếp nhận", Role.ONESTOP_OFFICER, "12.5"),
            StepSpec(2, "Thẩm định", Role.SPECIALIST, "62.5", division),
            StepSpec(3, "Phê duyệt", Role.LEADER, 25),
        ],
        by=it_admin,
    )

    rows = list(
        template.steps.order_by("order").values_list("name", "role", "org_unit", "time_share")
    )
    assert rows == [
        ("Tiếp nhận", Role.ONESTOP_OFFICER, None, Decimal("12.50")),
        ("Thẩm định", Role.SPECIALIST, division.pk, Decimal("62.50")),
        ("Phê duyệt", Role.LEADER, None, Decimal("25.00")),
    ]
    entry = AuditEntry.objects.get(action="workflow.template.save")
    assert entry.before is None and entry.after is not None
    assert [s["time_share"] for s in entry.after["steps"]] == ["12.50", "62.50", "25.00"]
    assert OutboxEvent.objects.filter(type="workflow.template.saved").count() == 1


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([], "Quy trình phải có ít nhất một bước."),
        (steps(50, 40), "Tổng tỷ lệ thời gian các bước phải bằng 100% (đang là 90%)."),
        (steps("60.5", "40"), "Tổng tỷ lệ thời gian các bước phải bằng 100% (đang là 100.5%)."),
        (
            [StepSpec(1, "A", Role.SPECIALIST, 50), StepSpec(1, "B", Role.LEADER, 50)],
            "Thứ tự bước bị trùng: 1.",
        ),
        (steps(50, 50, role=Role.CITIZEN), "Bước 1: vai trò không hợp lệ (citizen)."),
        (
            steps(0, 100),
            "Bước 1: tỷ lệ thời gian phải lớn hơn 0, không quá 100, tối đa 2 chữ số thập phân.",
        ),
        (
            steps("33.333", "66.667"),
            "Bước 1: tỷ lệ thời gian phải lớn hơn 0, không quá 100, tối đa 2 chữ số thập phân.",
        ),
        ([StepSpec(1, " ", Role.LEADER, 100)], "Bước 1: hãy nhập tên bước."),
        ([StepSpec(0, "A", Role.LEADER, 100)], "Thứ tự bước phải là số nguyên dương."),
    ],
)
def test_bad_steps_are_refused_and_nothing_is_written(
    it_admin: User, specs: list[StepSpec], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        save_template(
            template=None,
            code="quy-trinh",
            name="Quy trình",
            module="test",
            steps=specs,
            by=it_admin,
        )

    assert message in caught.value.message_dict["steps"]
    assert not ProcessTemplate.objects.exists()
    assert not AuditEntry.objects.filter(action="workflow.template.save").exists()


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"code": "Quy trình 1"},
            {"code": ["Mã quy trình chỉ gồm chữ thường không dấu, số và dấu gạch ngang."]},
        ),
        ({"name": " "}, {"name": ["Hãy nhập tên quy trình."]}),
        ({"module": ""}, {"module": ["Hãy nhập phân hệ."]}),
    ],
)
def test_bad_fields_are_refused(it_admin: User, fields: dict, errors: dict) -> None:
    arguments = {"code": "quy-trinh", "name": "Quy trình", "module": "test", **fields}

    with pytest.raises(ValidationError) as caught:
        save_template(template=None, steps=steps(100), by=it_admin, **arguments)

    assert caught.value.message_dict == errors


def test_codes_are_unique(it_admin: User) -> None:
    save_template(template=None, code="a", name="A", module="test", steps=steps(100), by=it_admin)

    with pytest.raises(ValidationError) as caught:
        save_template(
            template=None, code="a", name="B", module="test", steps=steps(100), by=it_admin
        )

    assert caught.value.message_dict == {"code": ["Mã quy trình “a” đã có."]}


def test_only_it_administrators_save_templates(unit: OrgUnit) -> None:
    leader = make_user(roles=[(Role.LEADER, unit)])

    with pytest.raises(PermissionDenied):
        save_template(template=None, code="a", name="A", module="test", steps=steps(100), by=leader)

    assert not ProcessTemplate.objects.exists()


def test_changing_steps_moves_the_revision_and_running_cases_follow(it_admin: User) -> None:
    office = make_office()
    case = office.start(at=vn(2025, 3, 12, 7, 30), due_at=vn(2025, 3, 19, 7, 30))
    old_revision = office.template.revision
    current = [
        StepSpec(s.order, s.name, s.role, s.time_share, s.org_unit)
        for s in office.template.steps.order_by("order")
    ]
    current[1] = StepSpec(2, "Thẩm định lại", Role.LEADER, current[1].time_share, office.division)

    save_template(
        template=office.template,
        code=office.template.code,
        name=office.template.name,
        module="test",
        steps=current,
        by=it_admin,
    )

    office.template.refresh_from_db()
    assert office.template.revision != old_revision
    engine.forward(case=case, by=office.officer, at=vn(2025, 3, 12, 8, 0))
    task = case.tasks.get(status="open")
    assert (task.role, task.title) == (Role.LEADER, "Hồ sơ thử — Thẩm định lại")


def test_a_step_in_use_cannot_be_removed(it_admin: User) -> None:
    office = make_office()
    office.start(at=vn(2025, 3, 12, 7, 30), due_at=vn(2025, 3, 19, 7, 30))

    with pytest.raises(ValidationError) as caught:
        save_template(
            template=office.template,
            code=office.template.code,
            name=office.template.name,
            module="test",
            steps=[StepSpec(2, "Chỉ còn một bước", Role.LEADER, 100)],
            by=it_admin,
        )

    assert caught.value.message_dict == {
        "steps": ["Bước 1 đang được dùng trong hồ sơ nên không xoá được."]
    }
    assert office.template.steps.count() == 5


# --- Admin ------------------------------------------------------------------------------------


def admin_post(template: ProcessTemplate | None, rows: list[tuple], **fields: str) -> dict:
    data = {
        "code": "quy-trinh-admin",
        "name": "Quy trình qua trang quản trị",
        "module": "test",
        "description": "",
        "is_active": "on",
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for i, (order, name, role, share) in enumerate(rows):
        data.update(
            {
                f"steps-{i}-order": str(order),
                f"steps-{i}-name": name,
                f"steps-{i}-role": role,
                f"steps-{i}-time_share": str(share),
                f"steps-{i}-org_unit": "",
            }
        )
    return data


def test_admin_saves_a_template_whose_shares_add_up(client: Client, it_admin: User) -> None:
    login(client, it_admin)

    response = client.post(
        "/admin/workflow/processtemplate/add/",
        admin_post(None, [(1, "Tiếp nhận", Role.ONESTOP_OFFICER, 30), (2, "Ký", Role.LEADER, 70)]),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    template = ProcessTemplate.objects.get(code="quy-trinh-admin")
    assert list(template.steps.values_list("order", "role")) == [
        (1, Role.ONESTOP_OFFICER),
        (2, Role.LEADER),
    ]
    entry = AuditEntry.objects.get(action="workflow.template.save")
    assert entry.actor_id == it_admin.pk
    assert entry.after is not None and len(entry.after["steps"]) == 2


def test_admin_refuses_shares_that_do_not_add_up(client: Client, it_admin: User) -> None:
    login(client, it_admin)

    response = client.post(
        "/admin/workflow/processtemplate/add/",
        admin_post(None, [(1, "Tiếp nhận", Role.ONESTOP_OFFICER, 30), (2, "Ký", Role.LEADER, 60)]),
    )

    assert response.status_code == 200
    assert (
        "Tổng tỷ lệ thời gian các bước phải bằng 100% (đang là 90%)." in response.content.decode()
    )
    assert not ProcessTemplate.objects.exists()


def test_admin_refuses_the_citizen_role_for_a_step(client: Client, it_admin: User) -> None:
    login(client, it_admin)

    response = client.post(
        "/admin/workflow/processtemplate/add/",
        admin_post(None, [(1, "Tiếp nhận", Role.CITIZEN, 100)]),
    )

    assert response.status_code == 200
    assert not ProcessTemplate.objects.exists()


def test_admin_templates_are_closed_to_officials_without_the_role(client: Client) -> None:
    unit = make_org_unit()
    leader = make_user(roles=[(Role.LEADER, unit)], is_staff=True)
    login(client, leader)

    assert client.get("/admin/workflow/processtemplate/add/").status_code == 403


# --- Read-only page, API, command -------------------------------------------------------------


def test_templates_page_lists_processes_and_steps(client: Client) -> None:
    office = make_office()
    login(client, office.specialist)

    response = client.get("/inbox/quy-trinh/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Phê duyệt 5 bước" in html
    assert "<td>Trưởng phòng xem xét</td>" in html
    assert "<td>Phòng Hành chính - Tư pháp</td>" in html
    assert '<td class="text-end">40%</td>' in html


def test_templates_api(client: Client) -> None:
    office = make_office()
    login(client, office.specialist)

    body = client.get("/api/inbox/templates").json()

    (template,) = body
    assert (template["code"], template["module"], template["is_active"]) == (
        office.template.code,
        "test",
        True,
    )
    assert [(s["order"], s["role"], s["time_share"]) for s in template["steps"]] == [
        (1, "onestop_officer", "10.00"),
        (2, "specialist", "40.00"),
        (3, "leader", "20.00"),
        (4, "leader", "20.00"),
        (5, "onestop_officer", "10.00"),
    ]
    assert template["steps"][1]["org_unit"] == {
        "id": office.division.pk,
        "name": "Phòng Hành chính - Tư pháp",
    }
    assert client.get("/api/inbox/templates?module=other").json() == []


def test_command_lists_templates() -> None:
    office = make_office()
    out = io.StringIO()

    call_command("workflow", "templates", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == f"{office.template.code}  Phê duyệt 5 bước  (test)"
    assert lines[2] == "  2. Thẩm định — Chuyên viên, Phòng Hành chính - Tư pháp — 40%"
    assert lines[1] == "  1. Tiếp nhận — Cán bộ một cửa, cơ quan giải quyết — 10%"


def test_command_prints_a_cases_history() -> None:
    office = make_office()
    case = office.start(at=vn(2025, 3, 12, 7, 30), due_at=vn(2025, 3, 19, 7, 30))
    engine.forward(case=case, by=office.officer, note="Đủ hồ sơ.", at=vn(2025, 3, 12, 8, 15))
    out = io.StringIO()

    call_command("workflow", "case", str(case.pk), stdout=out)

    text = out.getvalue()
    assert f"Hồ sơ: #{case.pk} Hồ sơ thử" in text
    assert "Bước hiện tại: 2. Thẩm định" in text
    assert "12/03/2025 08:15  Chuyển bước tiếp  Tiếp nhận → Thẩm định  Lê Thu — Đủ hồ sơ." in text


def test_command_about_a_missing_case_fails() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("workflow", "case", "999999")

    assert str(caught.value) == "Không có hồ sơ công việc số 999999."
    assert caught.value.returncode == 2


def test_steps_of_is_in_order() -> None:
    office = make_office()

    assert [s.order for s in engine.steps_of(office.template)] == [1, 2, 3, 4, 5]
    assert ProcessStep.objects.count() == 5
