"""The inbox with tasks of cases: markers from the case's clock (overdue, at risk, paused, due
today), tasks reached through a delegation, filters by marker and module, and its queries."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.workflow import engine, modules
from lienthong.workflow.models import Case, Delegation, Task
from lienthong.workflow.selectors import (
    SHOW_AT_RISK,
    SHOW_OVERDUE,
    SHOW_PAUSED,
    SHOW_TODAY,
    inbox_for,
)
from lienthong.workflow.tests.helpers import Office, make_office, make_task, make_template, vn

pytestmark = pytest.mark.django_db

START = vn(2025, 3, 12, 7, 30)
DUE = vn(2025, 3, 19, 7, 30)


@pytest.fixture
def office() -> Office:
    return make_office()


def at_examination(office: Office, **kwargs: object) -> Case:
    case = office.start(at=START, due_at=DUE, **kwargs)
    return engine.forward(case=case, by=office.officer, at=START)


def by_title(rows: list) -> dict[str, object]:
    return {row.task.title: row for row in rows}


def test_markers_follow_the_cases_clock(office: Office) -> None:
    # Given four cases at the examination step, one of them paused
    fine = at_examination(office, title="Còn hạn")
    risky = office.start(at=vn(2025, 3, 5, 7, 30), due_at=DUE, title="Nguy cơ")
    risky = engine.forward(case=risky, by=office.officer, at=vn(2025, 3, 17, 7, 30))
    late = office.start(at=vn(2025, 3, 5, 7, 30), due_at=vn(2025, 3, 17, 7, 30), title="Trễ")
    late = engine.forward(case=late, by=office.officer, at=vn(2025, 3, 14, 7, 30))
    waiting = at_examination(office, title="Chờ bổ sung")
    engine.pause(case=waiting, by=office.specialist, note="Chờ bổ sung.", at=START)
    now = vn(2025, 3, 17, 9, 0)

    # When the specialist opens the inbox on Monday 17/3 at 09:00
    inbox = inbox_for(office.specialist, now=now)

    # Then each task carries its marker, and the counts add up
    rows = by_title(inbox.rows)
    marks = {
        title.split(" — ")[0]: (row.overdue, row.at_risk, row.paused)  # type: ignore[attr-defined]
        for title, row in rows.items()
    }
    assert marks == {
        "Còn hạn": (True, False, False),  # its step was due Thu 13/3 17:00 (16 h from Wed 07:30)
        "Nguy cơ": (False, True, False),  # 14.5 h left to Wed 19/3; the later steps need 48 h
        "Trễ": (True, False, False),  # the case itself was due at 07:30 today
        "Chờ bổ sung": (False, False, True),
    }
    assert (inbox.total, inbox.overdue, inbox.at_risk, inbox.paused) == (4, 2, 1, 1)
    assert fine.pk and late.pk


def test_at_risk_agrees_with_the_engine(office: Office) -> None:
    case = office.start(at=vn(2025, 3, 5, 7, 30), due_at=DUE)
    case = engine.forward(case=case, by=office.officer, at=vn(2025, 3, 17, 7, 30))
    case.refresh_from_db()

    for now in (vn(2025, 3, 17, 7, 30), vn(2025, 3, 13, 8, 0), vn(2025, 3, 18, 16, 0)):
        (row,) = inbox_for(office.specialist, now=now).rows
        assert row.at_risk == (engine.risk_of(case, now) == engine.Risk.AT_RISK), now


def test_filters_by_marker(office: Office) -> None:
    at_examination(office, title="Còn hạn")
    risky = office.start(at=vn(2025, 3, 5, 7, 30), due_at=DUE, title="Nguy cơ")
    engine.forward(case=risky, by=office.officer, at=vn(2025, 3, 17, 7, 30))
    waiting = at_examination(office, title="Chờ")
    engine.pause(case=waiting, by=None, note="Chờ.", at=START)
    today = make_task(
        "Hôm nay", org_unit=office.division, role=Role.SPECIALIST, due_at=vn(2025, 3, 17, 16, 0)
    )
    now = vn(2025, 3, 17, 9, 0)

    def titles(show: str) -> list[str]:
        rows = inbox_for(office.specialist, show=show, now=now).rows
        return [row.task.title.split(" — ")[0] for row in rows]

    assert titles(SHOW_OVERDUE) == ["Còn hạn"]
    assert titles(SHOW_AT_RISK) == ["Nguy cơ"]
    assert titles(SHOW_PAUSED) == ["Chờ"]
    assert titles(SHOW_TODAY) == ["Hôm nay"]
    assert today.pk


def test_filter_by_module_and_the_modules_present(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a module registered the way a domain app does it in its AppConfig.ready
    monkeypatch.setitem(modules._registry, "documents", modules.Module("documents", "Văn bản"))
    at_examination(office, title="Hồ sơ quy trình")
    make_task("Văn bản đến", module="documents", org_unit=office.division, role=Role.SPECIALIST)

    inbox = inbox_for(office.specialist, module="documents")

    assert [row.task.title for row in inbox.rows] == ["Văn bản đến"]
    assert [(m.code, m.label, m.count) for m in inbox.modules] == [
        ("documents", "Văn bản", 1),
        ("test", "test", 1),
    ]
    assert inbox.total == 2


def test_a_substitute_sees_the_principals_tasks_marked(office: Office) -> None:
    # Given the division head's step and a task assigned to the head personally
    case = at_examination(office, title="Cần trưởng phòng")
    engine.forward(case=case, by=office.specialist, at=START)
    personal = make_task(
        "Việc riêng của trưởng phòng", assignee=office.head, org_unit=office.division
    )
    deputy = make_user("phophong", roles=[(Role.SPECIALIST, office.division)], full_name="Đỗ Lan")
    today = datetime.date.today()

    before = inbox_for(deputy)
    Delegation.objects.create(
        principal=office.head, substitute=deputy, starts_on=today, ends_on=today
    )
    after = inbox_for(deputy)

    assert before.total == 0
    rows = by_title(after.rows)
    assert set(rows) == {"Cần trưởng phòng — Trưởng phòng xem xét", personal.title}
    assert {title: row.acting_for for title, row in rows.items()} == {  # type: ignore[attr-defined]
        "Cần trưởng phòng — Trưởng phòng xem xét": office.head,
        personal.title: office.head,
    }


def test_own_tasks_are_not_marked_as_acting_for_anyone(office: Office) -> None:
    at_examination(office, title="Của tôi")
    today = datetime.date.today()
    Delegation.objects.create(
        principal=office.colleague, substitute=office.specialist, starts_on=today, ends_on=today
    )

    (row,) = inbox_for(office.specialist).rows

    assert row.acting_for is None


def test_a_revoked_or_future_delegation_brings_nothing(office: Office) -> None:
    make_task("Việc riêng", assignee=office.head, org_unit=office.division)
    deputy = make_user(roles=[(Role.SPECIALIST, office.division)])
    today = datetime.date.today()
    Delegation.objects.create(
        principal=office.head, substitute=deputy, starts_on=today, ends_on=today, revoked_at=START
    )
    Delegation.objects.create(
        principal=office.head,
        substitute=deputy,
        starts_on=today + datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=3),
    )

    assert inbox_for(deputy).total == 0


def test_inbox_page_shows_markers_and_for_whom(client: Client, office: Office) -> None:
    case = at_examination(office, title="Thay trưởng phòng")
    engine.forward(case=case, by=office.specialist, at=START)
    deputy = make_user("phophong", roles=[(Role.SPECIALIST, office.division)], full_name="Đỗ Lan")
    today = datetime.date.today()
    Delegation.objects.create(
        principal=office.head, substitute=deputy, starts_on=today, ends_on=today
    )
    waiting = at_examination(office, title="Chờ bổ sung")
    engine.pause(case=waiting, by=None, note="Chờ.", at=START)
    login(client, deputy)

    html = client.get("/inbox/").content.decode()

    assert html.count('<span class="badge text-bg-info">xử lý thay cho Phạm Hà</span>') == 1
    # the head's step, and the paused examination in the deputy's own pool
    assert '<p class="h3 mb-0" id="count-total">2</p>' in html
    login(client, office.specialist)
    html = client.get("/inbox/?show=paused").content.decode()
    assert '<span class="badge text-bg-secondary">Tạm dừng</span>' in html
    assert f'href="/inbox/case/{waiting.pk}/"' in html
    assert '<p class="h3 mb-0" id="count-paused">1</p>' in html


def test_inbox_queries_do_not_grow_with_cases_and_delegations(
    client: Client, office: Office, django_assert_num_queries: object
) -> None:
    login(client, office.specialist)
    at_examination(office, title="Một")
    with django_assert_num_queries(5) as few:  # type: ignore[operator]
        client.get("/inbox/")

    # Many cases of two processes, tasks of a principal, loose tasks of another module
    other = make_template([("Xem xét", Role.SPECIALIST, office.division, 100)], module="docs")
    for n in range(15):
        at_examination(office, title=f"Hồ sơ {n}")
        engine.start_case(
            template=other,
            subject=make_org_unit(is_agency=False),
            agency=office.agency,
            title=f"Văn bản {n}",
            due_at=DUE,
            by=None,
            at=START,
        )
        make_task(f"Việc của đồng nghiệp {n}", assignee=office.colleague, org_unit=office.division)
    today = datetime.date.today()
    Delegation.objects.create(
        principal=office.colleague, substitute=office.specialist, starts_on=today, ends_on=today
    )
    with django_assert_num_queries(6) as many:  # type: ignore[operator]
        response = client.get("/inbox/")

    assert response.context["inbox"].total == 46
    # session, user (with the roles the nav's dashboard link reads), TOTP device, the inbox's
    # columns, the page of tasks;
    # with tasks held for someone else, their names (one query, however many)
    assert len(many.captured_queries) == len(few.captured_queries) + 1
    assert Task.objects.filter(status=Task.Status.OPEN).count() == 46
