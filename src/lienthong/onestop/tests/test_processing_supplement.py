"""Supplement requests (the clock stops, then restarts from the start) and financial
obligations (the clock waits while the applicant pays)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import processing
from lienthong.onestop.models import DossierStatus, SupplementRequest
from lienthong.onestop.testing import TINY_PDF, make_citizen
from lienthong.onestop.testing_processing import (
    event_types,
    footprint,
    last_event_id,
    make_team,
    moment,
)
from lienthong.workflow import engine
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case

pytestmark = pytest.mark.django_db


def test_a_supplement_request_stops_the_clock_and_tells_what_is_missing() -> None:
    # given a dossier received Monday 2/2/2026 (due Monday 9/2) at the specialist's step
    team = make_team()
    dossier = team.dossier(at=moment("2026-02-02 09:00"))
    assert dossier.due_date == datetime.date(2026, 2, 9)
    mark = last_event_id()

    # when the specialist asks for a supplement on Wednesday
    supplement = processing.request_supplement(
        dossier,
        items=["Bản sao giấy chứng nhận quyền sử dụng đất", "  ", "Sơ đồ thửa đất"],
        reason="Thiếu giấy tờ chứng minh quyền sử dụng đất.",
        by=team.specialist,
        at=moment("2026-02-04 10:00"),
    )

    # then the dossier waits on the applicant, the case is paused, the applicant is told
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert supplement.items == [
        "Bản sao giấy chứng nhận quyền sử dụng đất",
        "Sơ đồ thửa đất",
    ]
    case = processing.case_of(dossier)
    assert (case.status, case.paused_at) == (Case.Status.PAUSED, moment("2026-02-04 10:00"))
    assert engine.risk_of(case) == engine.Risk.PAUSED
    assert event_types(dossier, mark) == ["dossier.supplement_requested", "dossier.status_changed"]
    event = OutboxEvent.objects.get(pk__gt=mark, type="dossier.supplement_requested")
    assert event.data["supplement_id"] == supplement.pk
    assert dossier.history.order_by("-pk")[0].public_note == (
        "Yêu cầu bổ sung: Bản sao giấy chứng nhận quyền sử dụng đất; Sơ đồ thửa đất. "
        "Lý do: Thiếu giấy tờ chứng minh quyền sử dụng đất."
    )
    assert AuditEntry.objects.filter(action="onestop.dossier.request_supplement").count() == 1


def test_resupply_restarts_the_time_limit_from_the_start_across_tet() -> None:
    # given a 5-working-day dossier received on Monday 2/2/2026, supplement asked on 4/2
    team = make_team()
    dossier = team.dossier(at=moment("2026-02-02 09:00"))
    processing.request_supplement(
        dossier,
        items=["Sơ đồ thửa đất"],
        reason="Thiếu sơ đồ.",
        by=team.specialist,
        at=moment("2026-02-04 10:00"),
    )
    mark = last_event_id()

    # when the complete dossier is back on Thursday 12/2/2026 at 10:00
    supplement = processing.confirm_supplement(
        dossier, by=team.officer, note="Đã nhận bản chính.", at=moment("2026-02-12 10:00")
    )

    # then 5 working days count again from that day: Fri 13/2, (Tết 16–20/2 off),
    # Mon 23, Tue 24, Wed 25, Thu 26/2/2026 — due at the close of office that day
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    assert (dossier.due_date, dossier.original_due_date, dossier.due_at) == (
        datetime.date(2026, 2, 26),
        datetime.date(2026, 2, 26),
        moment("2026-02-26 17:00"),
    )
    assert (supplement.supplied_at, supplement.supplied_by, supplement.new_due_date) == (
        moment("2026-02-12 10:00"),
        team.officer,
        datetime.date(2026, 2, 26),
    )
    case = processing.case_of(dossier)
    assert (case.status, case.due_at) == (Case.Status.ACTIVE, moment("2026-02-26 17:00"))
    # the specialist's task gets its 60 % share of the restarted budget (12/2 10:00 → 26/2
    # 17:00 is 45.5 office hours; 60 % is 27.3 h): 5.5 h on 12/2, 8 h on 13/2, Tết, 8 h on
    # 23/2, then 5.8 h on 24/2 → 14:48
    task = engine.current_task(case)
    assert task is not None
    assert task.due_at == moment("2026-02-24 14:48")
    assert event_types(dossier, mark) == ["dossier.supplemented", "dossier.status_changed"]
    assert (
        OutboxEvent.objects.get(pk__gt=mark, type="dossier.supplemented").data["due_date"]
        == "2026-02-26"
    )
    assert dossier.history.order_by("-pk")[0].public_note == (
        "Đã nhận đủ hồ sơ bổ sung; thời hạn giải quyết được tính lại từ đầu. "
        "Ngày hẹn trả kết quả mới: 26/02/2026."
    )


def test_only_one_supplement_request_is_allowed() -> None:
    team = make_team()
    dossier = team.dossier(at=moment("2026-02-02 09:00"))
    processing.request_supplement(
        dossier, items=["Sơ đồ"], reason="Thiếu", by=team.specialist, at=moment("2026-02-03 09:00")
    )
    processing.confirm_supplement(dossier, by=team.officer, at=moment("2026-02-05 09:00"))
    before = footprint(dossier)

    with pytest.raises(WrongState, match="chỉ được yêu cầu sửa đổi, bổ sung một lần"):
        processing.request_supplement(
            dossier, items=["Tờ khai"], reason="Thiếu chữ ký", by=team.specialist
        )

    assert footprint(dossier) == before


def test_a_supplement_needs_items_a_reason_and_the_holder_of_the_step() -> None:
    team = make_team()
    dossier = team.dossier(at=moment("2026-02-02 09:00"))
    before = footprint(dossier)

    with pytest.raises(ValidationError) as caught:
        processing.request_supplement(dossier, items=[" "], reason="", by=team.specialist)
    assert caught.value.message_dict == {
        "items": ["Hãy nêu ít nhất một giấy tờ hoặc nội dung cần bổ sung."],
        "reason": ["Hãy nêu lý do yêu cầu bổ sung."],
    }
    with pytest.raises(PermissionDenied):
        processing.request_supplement(dossier, items=["Sơ đồ"], reason="Thiếu", by=team.leader)

    assert footprint(dossier) == before
    assert not SupplementRequest.objects.exists()


def test_a_late_supplement_request_is_noted_internally() -> None:
    team = make_team()
    dossier = team.dossier(at=moment("2026-02-02 09:00"))

    processing.request_supplement(
        dossier, items=["Sơ đồ"], reason="Thiếu", by=team.specialist, at=moment("2026-02-06 09:00")
    )

    assert dossier.history.order_by("-pk")[0].internal_note == (
        "Yêu cầu bổ sung sau quá 3 ngày làm việc kể từ ngày tiếp nhận "
        "(khoản 4 Điều 19 Nghị định 61/2018/NĐ-CP)."
    )


def test_the_applicant_uploads_the_supplement_and_an_official_confirms_it() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen, at=moment("2026-02-02 09:00"))
    processing.request_supplement(
        dossier, items=["Sơ đồ thửa đất"], reason="Thiếu", by=team.specialist
    )
    mark = last_event_id()

    supplement = processing.submit_supplement(
        dossier,
        files=[("Sơ đồ thửa đất", ContentFile(TINY_PDF, name="so-do.pdf"))],
        note="Gửi bổ sung sơ đồ.",
        by=citizen,
    )

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    component = supplement.components.get()
    assert (component.name, component.received, str(component.file.name).endswith(".pdf")) == (
        "Sơ đồ thửa đất",
        False,
        True,
    )
    assert event_types(dossier, mark) == ["dossier.supplement_submitted"]

    processing.confirm_supplement(dossier, by=team.specialist)

    component.refresh_from_db()
    assert component.received is True
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING


def test_only_the_applicant_uploads_and_only_accepted_types(tmp_path: object) -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = team.online_dossier(applicant=citizen)
    processing.request_supplement(dossier, items=["Sơ đồ"], reason="Thiếu", by=team.specialist)
    before = footprint(dossier)

    with pytest.raises(PermissionDenied):
        processing.submit_supplement(
            dossier, files=[("Sơ đồ", ContentFile(TINY_PDF, name="a.pdf"))], by=make_citizen()
        )
    with pytest.raises(ValidationError) as caught:
        processing.submit_supplement(
            dossier, files=[("Sơ đồ", ContentFile(b"MZ\x90\x00", name="a.pdf"))], by=citizen
        )
    assert list(caught.value.message_dict) == ["files"]
    assert "chỉ nhận tệp" in caught.value.message_dict["files"][0]

    assert footprint(dossier) == before


def test_a_new_online_dossier_can_be_asked_to_supplement_before_acceptance() -> None:
    team = make_team()
    dossier = team.online_dossier(accepted=False)

    processing.request_supplement(dossier, items=["Tờ khai"], reason="Chưa ký", by=team.officer)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED

    processing.confirm_supplement(dossier, by=team.officer)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.due_date) == (DossierStatus.NEW, None)


def test_a_financial_obligation_pauses_the_clock_until_paid() -> None:
    # given a dossier due Monday 9/2/2026 17:00, at the specialist's step
    team = make_team()
    dossier = team.dossier(at=moment("2026-02-02 09:00"))
    mark = last_event_id()

    # when the specialist asks for the registration fee on Wednesday 4/2 at 17:00 (end of
    # day: 3 working days left — Thu 5, Fri 6, Mon 9)
    obligation = processing.request_obligation(
        dossier,
        amount=1_500_000,
        description="Lệ phí trước bạ",
        by=team.specialist,
        at=moment("2026-02-04 17:00"),
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINANCIAL_OBLIGATION
    assert processing.case_of(dossier).status == Case.Status.PAUSED
    assert dossier.history.order_by("-pk")[0].public_note == (
        "Đề nghị thực hiện nghĩa vụ tài chính: Lệ phí trước bạ — 1.500.000 đồng."
    )

    # and the payment is recorded on Wednesday 11/2 at 07:30
    processing.confirm_obligation_paid(
        dossier, by=team.officer, reference="BL-0001", at=moment("2026-02-11 07:30")
    )

    # then the three working days left run on: Wed 11, Thu 12, Fri 13/2 17:00
    dossier.refresh_from_db()
    obligation.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    assert (dossier.due_at, dossier.due_date, dossier.original_due_date) == (
        moment("2026-02-13 17:00"),
        datetime.date(2026, 2, 13),
        datetime.date(2026, 2, 13),
    )
    assert (obligation.paid_at, obligation.payment_reference, obligation.confirmed_by) == (
        moment("2026-02-11 07:30"),
        "BL-0001",
        team.officer,
    )
    assert event_types(dossier, mark) == [
        "dossier.obligation_requested",
        "dossier.status_changed",
        "dossier.obligation_paid",
        "dossier.status_changed",
    ]


def test_a_bad_obligation_is_refused_and_nothing_is_written() -> None:
    team = make_team()
    dossier = team.dossier()
    before = footprint(dossier)

    with pytest.raises(ValidationError) as caught:
        processing.request_obligation(dossier, amount=0, description="", by=team.specialist)
    assert set(caught.value.message_dict) == {"amount", "description"}
    with pytest.raises(WrongState):
        processing.confirm_obligation_paid(dossier, by=team.officer)

    assert footprint(dossier) == before
