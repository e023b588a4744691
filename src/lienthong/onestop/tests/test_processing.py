"""Processing a dossier through its steps: forward, approve, return, stop, withdraw."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import processing
from lienthong.onestop.models import Dossier, DossierStatus, Timeliness
from lienthong.onestop.testing import make_citizen
from lienthong.onestop.testing_processing import (
    event_types,
    footprint,
    last_event_id,
    make_team,
    moment,
)
from lienthong.workflow import engine
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case, Task

pytestmark = pytest.mark.django_db

RECEIVED = "2026-02-09 09:00"  # Monday; 5 working days across Tết 2026 → Monday 23/02/2026


def _open_task(dossier: Dossier) -> Task:
    task = engine.current_task(processing.case_of(dossier))
    assert task is not None
    return task


def test_the_specialist_forwards_to_the_leader() -> None:
    # given a dossier received on Monday 9/2/2026, due on Monday 23/2 (Tết in between)
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    assert dossier.due_date == datetime.date(2026, 2, 23)
    mark = last_event_id()

    # when the specialist finishes the first step
    dossier = processing.forward_dossier(
        dossier, by=team.specialist, note="Hồ sơ hợp lệ.", at=moment("2026-02-10 10:00")
    )

    # then the dossier is still processing, with the leader's step open
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    task = _open_task(dossier)
    assert task.step is not None
    assert (task.step.name, task.role, task.org_unit) == (
        "Phê duyệt kết quả",
        Role.LEADER,
        team.agency,
    )
    row = dossier.history.order_by("-pk").first()
    assert row is not None
    assert (row.status, row.by, row.org_unit, row.public_note) == (
        DossierStatus.PROCESSING,
        team.specialist,
        team.agency,
        "",
    )
    assert row.internal_note == (
        "Chuyển từ bước “Thụ lý, thẩm định hồ sơ” sang bước “Phê duyệt kết quả”. Hồ sơ hợp lệ."
    )
    assert event_types(dossier, mark) == ["dossier.forwarded"]
    event = OutboxEvent.objects.get(pk__gt=mark, type="dossier.forwarded")
    assert (event.data["code"], event.data["status"], event.data["to_step"]) == (
        dossier.code,
        DossierStatus.PROCESSING,
        "Phê duyệt kết quả",
    )
    # no personal data in the event
    assert "applicant_name" not in event.data and dossier.applicant_name not in str(event.data)
    entry = AuditEntry.objects.filter(action="onestop.dossier.forward").get()
    assert (entry.object_id, entry.actor_id) == (str(dossier.pk), team.specialist.pk)


@pytest.mark.parametrize(
    ("approved", "timeliness"),
    [
        ("2026-02-13 15:00", Timeliness.EARLY),
        ("2026-02-23 16:30", Timeliness.ON_TIME),
        ("2026-02-24 08:00", Timeliness.LATE),
    ],
)
def test_the_leader_approves_and_the_dossier_is_processed(approved: str, timeliness: str) -> None:
    # given a dossier due on 23/02/2026 at the leader's step
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    processing.forward_dossier(dossier, by=team.specialist, at=moment("2026-02-10 10:00"))
    mark = last_event_id()

    # when the leader approves
    processing.forward_dossier(dossier, by=team.leader, at=moment(approved))

    # then it is processed, classified against the appointment, waiting at the desk
    dossier.refresh_from_db()
    assert (dossier.status, dossier.processed_at, dossier.timeliness) == (
        DossierStatus.PROCESSED,
        moment(approved),
        timeliness,
    )
    task = _open_task(dossier)
    assert task.step is not None
    assert (task.step.name, task.role) == ("Trả kết quả", Role.ONESTOP_OFFICER)
    assert event_types(dossier, mark) == ["dossier.processed", "dossier.status_changed"]
    changed = OutboxEvent.objects.get(pk__gt=mark, type="dossier.status_changed")
    assert (changed.data["from_status"], changed.data["to_status"]) == (
        DossierStatus.PROCESSING,
        DossierStatus.PROCESSED,
    )
    assert dossier.history.order_by("-pk")[0].public_note == (
        "Hồ sơ đã được giải quyết xong, chờ trả kết quả."
    )


def test_the_last_step_of_a_template_without_a_return_step_processes_the_dossier() -> None:
    from lienthong.onestop.testing import make_template

    team = make_team(template=make_template([("Giải quyết", Role.SPECIALIST, 100)]))
    dossier = team.dossier(at=moment(RECEIVED))

    processing.forward_dossier(dossier, by=team.specialist, at=moment("2026-02-11 09:00"))

    dossier.refresh_from_db()
    assert (dossier.status, dossier.timeliness) == (DossierStatus.PROCESSED, Timeliness.EARLY)
    assert processing.case_of(dossier).status == Case.Status.FINISHED


def test_someone_not_holding_the_step_cannot_forward_and_nothing_is_written() -> None:
    team = make_team()
    other = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    before = footprint(dossier)

    # the leader (not the specialist's step), another agency's specialist, a citizen
    for intruder in (team.leader, other.specialist, make_citizen()):
        with pytest.raises(PermissionDenied):
            processing.forward_dossier(dossier, by=intruder, at=moment("2026-02-10 10:00"))

    assert footprint(dossier) == before


def test_a_processed_dossier_cannot_be_forwarded_again() -> None:
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    processing.forward_dossier(dossier, by=team.specialist, at=moment("2026-02-10 10:00"))
    processing.forward_dossier(dossier, by=team.leader, at=moment("2026-02-11 10:00"))
    before = footprint(dossier)

    with pytest.raises(WrongState, match="Đã xử lý xong"):
        processing.forward_dossier(dossier, by=team.officer, at=moment("2026-02-11 11:00"))

    assert footprint(dossier) == before


def test_the_leader_returns_the_dossier_to_the_specialist() -> None:
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    processing.forward_dossier(dossier, by=team.specialist, at=moment("2026-02-10 10:00"))
    first = processing.case_of(dossier).template.steps.get(order=1)
    mark = last_event_id()

    processing.return_to_step(
        dossier,
        step=first,
        by=team.leader,
        note="Thiếu ý kiến thẩm định.",
        at=moment("2026-02-11 10:00"),
    )

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    assert _open_task(dossier).role == Role.SPECIALIST
    assert event_types(dossier, mark) == ["dossier.step_returned"]
    assert dossier.history.order_by("-pk")[0].internal_note == (
        "Trả lại từ bước “Phê duyệt kết quả” về bước “Thụ lý, thẩm định hồ sơ”: "
        "Thiếu ý kiến thẩm định."
    )
    assert AuditEntry.objects.filter(action="onestop.dossier.return_step").count() == 1


def test_returning_without_a_reason_is_refused_and_nothing_is_written() -> None:
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    processing.forward_dossier(dossier, by=team.specialist, at=moment("2026-02-10 10:00"))
    first = processing.case_of(dossier).template.steps.get(order=1)
    before = footprint(dossier)

    with pytest.raises(ValidationError) as caught:
        processing.return_to_step(dossier, step=first, by=team.leader, note="  ")

    assert caught.value.message_dict == {"note": ["Hãy nêu lý do trả lại."]}
    assert footprint(dossier) == before


def test_the_leader_stops_processing_with_a_reason() -> None:
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    mark = last_event_id()

    processing.stop_dossier(
        dossier,
        reason="Thửa đất đang có tranh chấp.",
        by=team.leader,
        at=moment("2026-02-10 14:00"),
    )

    dossier.refresh_from_db()
    assert (dossier.status, dossier.processed_at, dossier.timeliness) == (
        DossierStatus.STOPPED,
        moment("2026-02-10 14:00"),
        "",
    )
    case = processing.case_of(dossier)
    assert case.status == Case.Status.STOPPED
    assert not case.tasks.filter(status=Task.Status.OPEN).exists()
    assert event_types(dossier, mark) == ["dossier.stopped", "dossier.status_changed"]
    assert dossier.history.order_by("-pk")[0].public_note == (
        "Dừng xử lý hồ sơ. Lý do: Thửa đất đang có tranh chấp."
    )
    assert AuditEntry.objects.filter(action="onestop.dossier.stop").count() == 1


def test_an_officer_who_neither_holds_the_step_nor_leads_cannot_stop() -> None:
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    before = footprint(dossier)

    with pytest.raises(PermissionDenied):
        processing.stop_dossier(dossier, reason="Không rõ", by=team.officer)
    with pytest.raises(ValidationError):
        processing.stop_dossier(dossier, reason="", by=team.leader)

    assert footprint(dossier) == before


def test_the_applicant_withdraws_online() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen, at=moment(RECEIVED))
    mark = last_event_id()

    processing.withdraw_dossier(
        dossier, reason="Tôi không còn nhu cầu.", by=citizen, at=moment("2026-02-10 08:00")
    )

    dossier.refresh_from_db()
    assert (dossier.status, dossier.processed_at) == (
        DossierStatus.WITHDRAWN,
        moment("2026-02-10 08:00"),
    )
    assert processing.case_of(dossier).status == Case.Status.STOPPED
    assert event_types(dossier, mark) == ["dossier.withdrawn", "dossier.status_changed"]
    row = dossier.history.order_by("-pk")[0]
    assert (row.by, row.org_unit, row.public_note) == (
        citizen,
        None,
        "Người nộp rút hồ sơ. Lý do: Tôi không còn nhu cầu.",
    )


def test_a_new_online_dossier_can_be_withdrawn_before_acceptance() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen, accepted=False)

    processing.withdraw_dossier(dossier, reason="Nộp nhầm thủ tục.", by=citizen)

    dossier.refresh_from_db()
    assert (dossier.status, dossier.case_id) == (DossierStatus.WITHDRAWN, None)


def test_the_officer_withdraws_at_the_counter_on_the_applicants_request() -> None:
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))

    processing.withdraw_dossier(dossier, reason="Đơn xin rút hồ sơ ngày 10/02.", by=team.officer)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.WITHDRAWN
    assert dossier.history.order_by("-pk")[0].org_unit == team.agency


def test_someone_else_cannot_withdraw_and_a_processed_dossier_cannot_be_withdrawn() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen, at=moment(RECEIVED))
    before = footprint(dossier)

    for intruder in (make_citizen(), team.specialist, make_user(roles=[(Role.LEADER, None)])):
        with pytest.raises(PermissionDenied):
            processing.withdraw_dossier(dossier, reason="Rút", by=intruder)
    assert footprint(dossier) == before

    processing.forward_dossier(dossier, by=team.specialist)
    processing.forward_dossier(dossier, by=team.leader)
    before = footprint(dossier)
    with pytest.raises(WrongState):
        processing.withdraw_dossier(dossier, reason="Rút", by=citizen)
    assert footprint(dossier) == before


def test_a_whole_journey_leaves_one_audit_entry_history_row_and_event_per_transition() -> None:
    from django.core.files.base import ContentFile

    from lienthong.onestop import results
    from lienthong.onestop.testing import TINY_PDF

    commune = make_team()
    department = make_team()
    citizen = make_citizen()
    dossier = commune.online_dossier(applicant=citizen)
    first = processing.case_of(dossier).template.steps.get(order=1)
    mark = last_event_id()
    rows = dossier.history.count()
    audit_mark = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]

    processing.forward_dossier(dossier, by=commune.specialist)
    processing.return_to_step(dossier, step=first, by=commune.leader, note="Bổ sung ý kiến")
    processing.request_supplement(dossier, items=["Sơ đồ"], reason="Thiếu", by=commune.specialist)
    processing.submit_supplement(
        dossier, files=[("Sơ đồ", ContentFile(TINY_PDF, name="so-do.pdf"))], by=citizen
    )
    processing.confirm_supplement(dossier, by=commune.officer)
    processing.request_obligation(
        dossier, amount=50_000, description="Lệ phí", by=commune.specialist
    )
    processing.confirm_obligation_paid(dossier, by=commune.officer)
    processing.hand_over_dossier(
        dossier, to_agency=department.agency, by=commune.specialist, note="Phối hợp"
    )
    processing.forward_dossier(dossier, by=department.specialist)
    processing.forward_dossier(dossier, by=department.leader)
    results.upload_result(
        dossier, title="Giấy phép", file=ContentFile(TINY_PDF, name="gp.pdf"), by=commune.officer
    )
    results.return_result(dossier, by=commune.officer)

    actions = list(
        AuditEntry.objects.filter(seq__gt=audit_mark, action__startswith="onestop.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "onestop.dossier.forward",
        "onestop.dossier.return_step",
        "onestop.dossier.request_supplement",
        "onestop.dossier.submit_supplement",
        "onestop.dossier.confirm_supplement",
        "onestop.dossier.request_obligation",
        "onestop.dossier.obligation_paid",
        "onestop.dossier.hand_over",
        "onestop.dossier.forward",
        "onestop.dossier.forward",
        "onestop.dossier.upload_result",
        "onestop.dossier.return_result",
        "onestop.document.store",
    ]
    assert [t for t in event_types(dossier, mark) if t != "dossier.status_changed"] == [
        "dossier.forwarded",
        "dossier.step_returned",
        "dossier.supplement_requested",
        "dossier.supplement_submitted",
        "dossier.supplemented",
        "dossier.obligation_requested",
        "dossier.obligation_paid",
        "dossier.handed_over",
        "dossier.forwarded",
        "dossier.processed",
        "dossier.result_ready",
        "dossier.returned",
    ]
    assert dossier.history.count() == rows + 12
    statuses = list(dossier.history.order_by("pk").values_list("status", flat=True))[rows:]
    assert statuses == [4, 4, 5, 5, 4, 6, 4, 4, 4, 9, 9, 10]
