"""A case's page (/inbox/case/<id>/) and API (/api/inbox/cases/<id>…): the history, who sees
it, and the generic moves for modules without their own — 403, 404, 409 and 422 included."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.workflow import engine
from lienthong.workflow.models import Case, CaseTransition, Delegation, ProcessTemplate, Task
from lienthong.workflow.tests.helpers import Office, make_office, vn

pytestmark = pytest.mark.django_db

START = vn(2025, 3, 12, 7, 30)
DUE = vn(2025, 3, 19, 7, 30)


@pytest.fixture
def office() -> Office:
    return make_office()


@pytest.fixture
def case(office: Office) -> Case:
    """A case at the examination step (the division's specialists)."""
    started = office.start(at=START, due_at=DUE, title="Hồ sơ cấp phép")
    return engine.forward(case=started, by=office.officer, note="Đủ thành phần.", at=START)


def post(client: Client, url: str, data: dict | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def moves(case: Case) -> list[str]:
    return list(CaseTransition.objects.filter(case=case).values_list("action", flat=True))


# --- The page ---------------------------------------------------------------------------------


def test_case_page_shows_the_history_with_acting_for(
    client: Client, office: Office, case: Case
) -> None:
    deputy = make_user("phophong", roles=[(Role.SPECIALIST, office.division)], full_name="Đỗ Lan")
    today = datetime.date.today()
    Delegation.objects.create(
        principal=office.head, substitute=deputy, starts_on=today, ends_on=today
    )
    engine.forward(case=case, by=office.specialist, at=START)
    engine.forward(case=case, by=deputy, note="Ký thay trưởng phòng.", at=START)
    login(client, office.director)

    response = client.get(f"/inbox/case/{case.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert [t.action for t in response.context["history"]] == [
        "start",
        "forward",
        "forward",
        "forward",
    ]
    assert '<td>Đỗ Lan <span class="text-body-secondary">(thay cho Phạm Hà)</span></td>' in html
    assert "<td>Ký thay trưởng phòng.</td>" in html
    assert "<td>Đủ thành phần.</td>" in html


def test_the_holder_sees_the_moves(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)

    html = client.get(f"/inbox/case/{case.pk}/").content.decode()

    assert "Chuyển bước tiếp</button>" in html
    assert "Trả lại bước trước</button>" in html
    assert "Tạm dừng thời hạn</button>" in html


def test_someone_who_only_sees_the_case_has_no_moves(
    client: Client, office: Office, case: Case
) -> None:
    login(client, office.officer)

    response = client.get(f"/inbox/case/{case.pk}/")

    assert response.status_code == 200
    assert response.context["can_move"] is False
    assert "Chuyển bước tiếp</button>" not in response.content.decode()


def test_a_case_of_a_module_with_its_own_pages_has_no_moves_here(
    client: Client, office: Office
) -> None:
    ProcessTemplate.objects.filter(pk=office.template.pk).update(module="onestop")
    office.template.refresh_from_db()
    started = office.start(at=START, due_at=DUE)
    login(client, office.officer)

    html = client.get(f"/inbox/case/{started.pk}/").content.decode()

    assert "Chuyển bước tiếp</button>" not in html
    assert "Hồ sơ này được xử lý trên trang của phân hệ Một cửa." in html


def test_forward_from_the_page(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)
    task = case.tasks.get(status=Task.Status.OPEN)

    response = client.post(
        f"/inbox/case/{case.pk}/forward/",
        {"forward-note": "Đề nghị phê duyệt.", "forward-task": task.pk},
        follow=True,
    )

    assert response.redirect_chain == [("/inbox/", 302)]
    case.refresh_from_db()
    assert case.current_step == office.step(3)
    assert CaseTransition.objects.filter(case=case).last().note == "Đề nghị phê duyệt."  # type: ignore[union-attr]


def test_a_stale_page_cannot_move_the_case_again(
    client: Client, office: Office, case: Case
) -> None:
    login(client, office.director)  # holds step 3 (leader above the division) and step 4
    task = case.tasks.get(status=Task.Status.OPEN)
    engine.forward(case=case, by=office.specialist, at=START)

    response = client.post(
        f"/inbox/case/{case.pk}/forward/", {"forward-task": task.pk}, follow=True
    )

    assert "Hồ sơ đã được chuyển sang bước khác trong lúc bạn xem; hãy tải lại trang." in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.current_step == office.step(3)


def test_return_from_the_page_needs_a_reason(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)

    response = client.post(
        f"/inbox/case/{case.pk}/return/", {"return-step": office.step(1).pk, "return-note": ""}
    )

    assert response.status_code == 422
    assert "Hãy nêu lý do trả lại." in response.content.decode()
    assert moves(case) == ["start", "forward"]


def test_pause_and_resume_from_the_page(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)

    client.post(f"/inbox/case/{case.pk}/pause/", {"pause-note": "Chờ bổ sung giấy tờ."})
    case.refresh_from_db()
    paused = case.status
    client.post(f"/inbox/case/{case.pk}/resume/", {"resume-note": "Đã bổ sung."})

    case.refresh_from_db()
    assert (paused, case.status) == (Case.Status.PAUSED, Case.Status.ACTIVE)
    assert moves(case) == ["start", "forward", "pause", "resume"]


def test_moving_a_case_one_does_not_hold_is_403(client: Client, office: Office, case: Case) -> None:
    login(client, office.officer)

    response = client.post(f"/inbox/case/{case.pk}/stop/", {"stop-note": "Dừng."})

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Case.Status.ACTIVE


def test_an_unknown_move_is_404(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)

    assert client.post(f"/inbox/case/{case.pk}/delete/").status_code == 404


# --- The API ----------------------------------------------------------------------------------


def test_api_case_with_history(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)

    body = client.get(f"/api/inbox/cases/{case.pk}").json()

    assert (body["status"], body["module"], body["template"]) == (
        "active",
        "test",
        office.template.code,
    )
    assert body["current_step"]["name"] == "Thẩm định"
    assert body["agency"] == {"id": office.agency.pk, "name": "Sở Tư pháp"}
    assert [(h["action"], h["by"]["name"], h["note"]) for h in body["history"]] == [
        ("start", "Lê Thu", ""),
        ("forward", "Lê Thu", "Đủ thành phần."),
    ]


def test_api_forward_return_pause_resume_stop(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)
    url = f"/api/inbox/cases/{case.pk}"

    paused = post(client, f"{url}/pause", {"note": "Chờ bổ sung."})
    resumed = post(client, f"{url}/resume", {"note": "Đã bổ sung."})
    returned = post(client, f"{url}/return", {"step_id": office.step(1).pk, "note": "Sai mẫu."})
    login(client, office.officer)
    forwarded = post(client, f"{url}/forward", {"note": "Đã sửa."})
    login(client, office.specialist)
    stopped = post(client, f"{url}/stop", {"note": "Người nộp rút hồ sơ."})

    assert [r.status_code for r in (paused, resumed, returned, forwarded, stopped)] == [200] * 5
    assert [paused.json()["status"], resumed.json()["status"], stopped.json()["status"]] == [
        "paused",
        "active",
        "stopped",
    ]
    assert returned.json()["current_step"]["order"] == 1
    assert forwarded.json()["current_step"]["order"] == 2
    assert moves(case) == ["start", "forward", "pause", "resume", "return", "forward", "stop"]


def test_api_wrong_state_is_409(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)

    response = post(client, f"/api/inbox/cases/{case.pk}/resume")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Hồ sơ đang ở trạng thái “Đang giải quyết”, không thực hiện được thao tác này."
    }


def test_api_stale_task_is_409(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)
    seen = case.tasks.get(status=Task.Status.OPEN).pk
    post(client, f"/api/inbox/cases/{case.pk}/forward")

    login(client, office.director)
    response = post(client, f"/api/inbox/cases/{case.pk}/forward", {"task_id": seen})

    assert response.status_code == 409
    case.refresh_from_db()
    assert case.current_step == office.step(3)


def test_api_module_with_its_own_transitions_is_409(client: Client, office: Office) -> None:
    ProcessTemplate.objects.filter(pk=office.template.pk).update(module="onestop")
    office.template.refresh_from_db()
    started = office.start(at=START, due_at=DUE)
    login(client, office.officer)

    response = post(client, f"/api/inbox/cases/{started.pk}/forward")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Hồ sơ thuộc phân hệ “Một cửa”; hãy xử lý trên trang của phân hệ đó."
    }
    assert moves(started) == ["start"]


def test_api_not_the_holder_is_403(client: Client, office: Office, case: Case) -> None:
    login(client, office.officer)

    response = post(client, f"/api/inbox/cases/{case.pk}/forward")

    assert response.status_code == 403
    assert response.json() == {"detail": "Bạn không được giao xử lý bước này."}
    assert moves(case) == ["start", "forward"]


@pytest.mark.parametrize(
    ("path", "payload", "errors"),
    [
        ("return", {"step_id": 0, "note": "x"}, {"step_id": ["Không có bước này."]}),
        (
            "return",
            {"step_id": "STEP3", "note": "x"},
            {"step": ["Chỉ trả lại được một bước trước bước hiện tại."]},
        ),
        ("pause", {"note": " "}, {"note": ["Hãy nêu lý do tạm dừng."]}),
        ("stop", {"note": ""}, {"note": ["Hãy nêu lý do dừng xử lý."]}),
        ("forward", {"assignee_id": 0}, {"assignee_id": ["Không có cán bộ này."]}),
    ],
)
def test_api_bad_input_is_422(
    client: Client, office: Office, case: Case, path: str, payload: dict, errors: dict
) -> None:
    if payload.get("step_id") == "STEP3":
        payload = {**payload, "step_id": office.step(3).pk}
    login(client, office.specialist)

    response = post(client, f"/api/inbox/cases/{case.pk}/{path}", payload)

    assert response.status_code == 422
    assert response.json() == {"detail": "Dữ liệu không hợp lệ.", "errors": errors}
    assert moves(case) == ["start", "forward"]


def test_api_forward_to_someone_without_the_role_is_422(
    client: Client, office: Office, case: Case
) -> None:
    login(client, office.specialist)

    response = post(
        client, f"/api/inbox/cases/{case.pk}/forward", {"assignee_id": office.officer.pk}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "assignee": ["Lê Thu không giữ vai trò “Lãnh đạo” tại Phòng Hành chính - Tư pháp."]
    }


def test_api_resume_with_a_new_due_moment(client: Client, office: Office, case: Case) -> None:
    login(client, office.specialist)
    post(client, f"/api/inbox/cases/{case.pk}/pause", {"note": "Chờ."})

    response = post(
        client, f"/api/inbox/cases/{case.pk}/resume", {"due_at": "2099-01-05T17:00:00+07:00"}
    )

    assert response.status_code == 200
    assert response.json()["due_at"] == "2099-01-05T10:00:00Z"


def test_api_case_of_another_agency_is_404(client: Client, office: Office, case: Case) -> None:
    login(client, make_user(roles=[(Role.SPECIALIST, make_org_unit())]))

    assert client.get(f"/api/inbox/cases/{case.pk}").status_code == 404
    assert post(client, f"/api/inbox/cases/{case.pk}/forward").status_code == 404
    assert moves(case) == ["start", "forward"]


def test_the_inbox_api_lists_markers(client: Client, office: Office, case: Case) -> None:
    engine.pause(case=case, by=None, note="Chờ.", at=START)
    login(client, office.specialist)

    body = client.get("/api/inbox/?show=paused").json()

    assert (body["count"], body["total"], body["paused"]) == (1, 1, 1)
    (item,) = body["items"]
    assert (item["case_id"], item["paused"], item["overdue"], item["acting_for"]) == (
        case.pk,
        True,
        False,
        None,
    )
    assert item["url"] == f"/inbox/case/{case.pk}/"
    bad = client.get("/api/inbox/?show=soon")
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"show": ["Bộ lọc không hợp lệ."]}


def test_a_step_of_a_case_is_not_completed_on_its_own(
    client: Client, office: Office, case: Case
) -> None:
    task = case.tasks.get(status=Task.Status.OPEN)
    login(client, office.specialist)

    response = client.post(f"/api/inbox/{task.pk}/complete")

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "task": ["Công việc này là một bước của hồ sơ; hãy chuyển bước trên trang hồ sơ."]
    }
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
