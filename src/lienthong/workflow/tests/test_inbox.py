"""The inbox page: which tasks, in which order, with which markers, in how many queries."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.workflow.models import Task
from lienthong.workflow.selectors import SHOW_OVERDUE, SHOW_TODAY, inbox_for, local_day_bounds
from lienthong.workflow.tests.helpers import make_task

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def unit() -> OrgUnit:
    return make_org_unit("Sở Tư pháp")


@pytest.fixture
def specialist(unit: OrgUnit) -> User:
    return make_user("chuyenvien", roles=[(Role.SPECIALIST, unit)], full_name="Nguyễn Văn An")


def ids(rows: list) -> list[int]:
    return [row.task.pk for row in rows]


def test_inbox_holds_my_tasks_and_my_pools_soonest_due_first(
    unit: OrgUnit, specialist: User
) -> None:
    colleague = make_user(roles=[(Role.SPECIALIST, unit)])
    division = make_org_unit(parent=unit, is_agency=False)
    later = make_task("later", assignee=specialist, org_unit=unit, due_in=5 * DAY)
    undated = make_task("undated", org_unit=unit, role=Role.SPECIALIST, due_in=None)
    sooner = make_task("sooner", org_unit=unit, role=Role.SPECIALIST, due_in=DAY)
    overdue = make_task("overdue", assignee=specialist, org_unit=unit, due_in=-DAY)
    # Not in my inbox: a colleague's task, another role's pool, a division's pool, done work.
    make_task("colleague's", assignee=colleague, org_unit=unit)
    make_task("leaders' pool", org_unit=unit, role=Role.LEADER)
    make_task("division pool", org_unit=division, role=Role.SPECIALIST)
    make_task("done", assignee=specialist, org_unit=unit, status=Task.Status.DONE)

    inbox = inbox_for(specialist)

    assert ids(inbox.rows) == [overdue.pk, sooner.pk, later.pk, undated.pk]
    assert (inbox.total, inbox.overdue) == (4, 1)
    assert [row.overdue for row in inbox.rows] == [True, False, False, False]


def test_due_today_counts_what_is_still_due_later_today(unit: OrgUnit, specialist: User) -> None:
    # 10:00 local time on a fixed day, tasks due around it
    now = timezone.make_aware(datetime.datetime(2025, 3, 12, 10, 0))
    _, day_end = local_day_bounds(now)
    hour = datetime.timedelta(hours=1)
    earlier_today = make_task("earlier", assignee=specialist, org_unit=unit, due_at=now - hour)
    later_today = make_task("later", assignee=specialist, org_unit=unit, due_at=now + hour)
    tonight = make_task(
        "tonight", assignee=specialist, org_unit=unit, due_at=day_end - datetime.timedelta(0, 1)
    )
    tomorrow = make_task("tomorrow", assignee=specialist, org_unit=unit, due_at=day_end)

    inbox = inbox_for(specialist, now=now)
    today_only = inbox_for(specialist, show=SHOW_TODAY, now=now)
    overdue_only = inbox_for(specialist, show=SHOW_OVERDUE, now=now)

    assert (inbox.total, inbox.overdue, inbox.due_today) == (4, 1, 2)
    assert ids(today_only.rows) == [later_today.pk, tonight.pk]
    assert ids(overdue_only.rows) == [earlier_today.pk]
    flags = {row.task.pk: (row.overdue, row.due_today) for row in inbox.rows}
    assert flags == {
        earlier_today.pk: (True, True),
        later_today.pk: (False, True),
        tonight.pk: (False, True),
        tomorrow.pk: (False, False),
    }


def test_local_day_is_the_day_in_ho_chi_minh_city() -> None:
    # 18:30 UTC on 11 March is 01:30 on 12 March in Asia/Ho_Chi_Minh (UTC+7)
    now = datetime.datetime(2025, 3, 11, 18, 30, tzinfo=datetime.UTC)

    start, end = local_day_bounds(now)

    assert start.isoformat() == "2025-03-12T00:00:00+07:00"
    assert end - start == DAY


def test_an_unknown_filter_shows_everything(unit: OrgUnit, specialist: User) -> None:
    make_task(assignee=specialist, org_unit=unit)

    assert inbox_for(specialist, show="bogus").show == "all"


def test_inbox_page_lists_tasks_with_markers(
    client: Client, unit: OrgUnit, specialist: User
) -> None:
    overdue = make_task("Hồ sơ quá hạn", assignee=specialist, org_unit=unit, due_in=-DAY)
    _, day_end = local_day_bounds(timezone.now())
    today = make_task(
        "Hồ sơ đến hạn",
        org_unit=unit,
        role=Role.SPECIALIST,
        due_at=day_end - datetime.timedelta(seconds=1),
    )
    later = make_task("Hồ sơ còn hạn", assignee=specialist, org_unit=unit, due_in=9 * DAY)
    login(client, specialist)

    response = client.get("/inbox/")

    assert response.status_code == 200
    html = response.content.decode()
    assert [row.task.pk for row in response.context["inbox"].rows] == [
        overdue.pk,
        today.pk,
        later.pk,
    ]
    assert '<p class="h3 mb-0" id="count-total">3</p>' in html
    assert '<p class="h3 mb-0 text-danger" id="count-overdue">1</p>' in html
    assert '<p class="h3 mb-0" id="count-today">1</p>' in html
    assert html.count('<span class="badge text-bg-danger">Quá hạn</span>') == 1
    assert html.count('<span class="badge text-bg-warning">Đến hạn hôm nay</span>') == 1
    assert f'<a href="/inbox/{overdue.pk}/">Hồ sơ quá hạn</a>' in html
    local_due = timezone.localtime(later.due_at).strftime("%d/%m/%Y %H:%M")
    assert local_due in html
    assert "Nhóm Chuyên viên" in html


def test_home_page_of_an_official_is_the_inbox(
    client: Client, unit: OrgUnit, specialist: User
) -> None:
    make_task("Hồ sơ quá hạn", assignee=specialist, org_unit=unit, due_in=-DAY)
    login(client, specialist)

    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "workflow/inbox.html"
    assert "Hồ sơ quá hạn" in response.content.decode()


def test_htmx_filter_returns_only_the_list(client: Client, unit: OrgUnit, specialist: User) -> None:
    make_task("Hồ sơ quá hạn", assignee=specialist, org_unit=unit, due_in=-DAY)
    make_task("Hồ sơ còn hạn", assignee=specialist, org_unit=unit, due_in=9 * DAY)
    login(client, specialist)

    response = client.get("/inbox/?show=overdue", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.templates[0].name == "workflow/_task_list.html"
    assert "<html" not in html
    assert "Hồ sơ quá hạn" in html
    assert "Hồ sơ còn hạn" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client: Client, specialist: User) -> None:
    login(client, specialist)

    response = client.get(
        "/inbox/?show=overdue",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert response.templates[0].name == "workflow/inbox.html"


def test_empty_inbox_says_so(client: Client, specialist: User) -> None:
    login(client, specialist)

    html = client.get("/inbox/").content.decode()

    assert "Không có công việc nào ở đây." in html


def test_inbox_page_does_not_grow_queries_with_tasks(
    client: Client, unit: OrgUnit, specialist: User, django_assert_num_queries: object
) -> None:
    login(client, specialist)
    other_unit = make_org_unit()
    for n in range(3):
        make_task(f"few {n}", assignee=specialist, org_unit=unit)
    with django_assert_num_queries(5) as few:  # type: ignore[operator]
        client.get("/inbox/")

    for n in range(30):
        make_task(f"many {n}", assignee=specialist, org_unit=other_unit if n % 2 else unit)
        make_task(f"pool {n}", org_unit=unit, role=Role.SPECIALIST)
    with django_assert_num_queries(5) as many:  # type: ignore[operator]
        response = client.get("/inbox/")

    assert response.context["inbox"].total == 63
    # session, user (with the roles the nav's dashboard link reads), TOTP device (second
    # factor), counts, list
    assert len(few.captured_queries) == len(many.captured_queries)


def test_task_detail_page(client: Client, unit: OrgUnit, specialist: User) -> None:
    task = make_task("Hồ sơ quá hạn", org_unit=unit, role=Role.SPECIALIST, due_in=-DAY)
    login(client, specialist)

    response = client.get(f"/inbox/{task.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Đánh dấu đã xong" in html
    assert '<span class="badge text-bg-danger">Quá hạn</span>' in html
    assert f'action="/inbox/{task.pk}/complete/"' in html


def test_task_detail_of_a_unit_task_i_cannot_complete_has_no_button(
    client: Client, unit: OrgUnit, specialist: User
) -> None:
    task = make_task(org_unit=unit, role=Role.LEADER)
    login(client, specialist)

    response = client.get(f"/inbox/{task.pk}/")

    assert response.status_code == 200
    assert response.context["can_complete"] is False
    assert "Đánh dấu đã xong" not in response.content.decode()


def test_completing_from_the_page(client: Client, unit: OrgUnit, specialist: User) -> None:
    task = make_task("Soạn tờ trình", org_unit=unit, role=Role.SPECIALIST)
    login(client, specialist)

    response = client.post(f"/inbox/{task.pk}/complete/", follow=True)

    task.refresh_from_db()
    assert (task.status, task.assignee) == (Task.Status.DONE, specialist)
    assert response.redirect_chain == [("/inbox/", 302)]
    assert "Đã hoàn thành: Soạn tờ trình" in response.content.decode()


def test_completing_a_closed_task_shows_why(
    client: Client, unit: OrgUnit, specialist: User
) -> None:
    task = make_task(assignee=specialist, org_unit=unit, status=Task.Status.DONE)
    login(client, specialist)

    response = client.post(f"/inbox/{task.pk}/complete/", follow=True)

    assert response.redirect_chain == [(f"/inbox/{task.pk}/", 302)]
    assert "Công việc này đã kết thúc (Đã xong)." in response.content.decode()


def test_complete_needs_post(client: Client, unit: OrgUnit, specialist: User) -> None:
    task = make_task(assignee=specialist, org_unit=unit)
    login(client, specialist)

    assert client.get(f"/inbox/{task.pk}/complete/").status_code == 405
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
