"""Lateness: the late unit's apology letter with a new return date (form 04)."""

from __future__ import annotations

import datetime
import io

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.accounts.models import Role, User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import processing
from lienthong.onestop.models import ApologyLetter, Dossier, DossierStatus, Timeliness
from lienthong.onestop.testing import make_template
from lienthong.onestop.testing_processing import (
    Team,
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

# Received Monday 2/2/2026 09:00; 5 working days → due Monday 9/2/2026 17:00.
RECEIVED = "2026-02-02 09:00"


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _team_with_division() -> tuple[Team, OrgUnit, User]:
    """A team whose first step belongs to a division (phòng) of the agency."""
    team = make_team("Sở Tư pháp thử")
    division = make_org_unit(
        "Phòng Hành chính tư pháp", parent=team.agency, kind=OrgUnit.Kind.DIVISION, is_agency=False
    )
    team.procedure.process_template = make_template(org_units=[division, None, None])
    team.procedure.save()
    specialist = make_user(roles=[(Role.SPECIALIST, division)])
    return team, division, specialist


def _risk(dossier: Dossier, at: str) -> str:
    return engine.risk_of(processing.case_of(dossier), moment(at))


def test_the_late_division_apologises_and_sets_a_new_return_date() -> None:
    # given a dossier due 9/2/2026, still at the division's step on Tuesday 10/2 (overdue)
    team, division, specialist = _team_with_division()
    dossier = team.dossier(at=moment(RECEIVED))
    assert _risk(dossier, "2026-02-10 09:00") == engine.Risk.OVERDUE
    mark = last_event_id()

    # when the division's specialist writes the apology with 3 more working days
    apology = processing.write_apology(
        dossier,
        reason="Phải xác minh thêm thông tin tại địa phương.",
        days=3,
        by=specialist,
        at=moment("2026-02-10 09:00"),
    )

    # then the new return date is Friday 13/2/2026; the receipt's date and the late unit stay
    dossier.refresh_from_db()
    assert (apology.late_unit, apology.original_due_date, apology.new_due_date) == (
        division,
        datetime.date(2026, 2, 9),
        datetime.date(2026, 2, 13),
    )
    assert (dossier.due_date, dossier.due_at, dossier.original_due_date, dossier.late_unit) == (
        datetime.date(2026, 2, 13),
        moment("2026-02-13 17:00"),
        datetime.date(2026, 2, 9),
        division,
    )
    case = processing.case_of(dossier)
    assert (case.status, case.due_at) == (Case.Status.ACTIVE, moment("2026-02-13 17:00"))
    assert _risk(dossier, "2026-02-10 09:30") == engine.Risk.OK
    assert event_types(dossier, mark) == ["dossier.apologised"]
    event = OutboxEvent.objects.get(pk__gt=mark, type="dossier.apologised")
    assert (event.data["late_unit"], event.data["new_due_date"]) == (division.pk, "2026-02-13")
    row = dossier.history.order_by("-pk")[0]
    assert (row.org_unit, row.public_note) == (
        division,
        "Phòng Hành chính tư pháp xin lỗi vì chậm giải quyết hồ sơ (lý do: Phải xác minh thêm "
        "thông tin tại địa phương.) và hẹn lại ngày trả kết quả: 13/02/2026.",
    )
    assert AuditEntry.objects.filter(action="onestop.dossier.apologise").count() == 1

    # and when it is settled by the new date it still counts as late against the receipt
    processing.forward_dossier(dossier, by=specialist, at=moment("2026-02-11 09:00"))
    processing.forward_dossier(dossier, by=team.leader, at=moment("2026-02-12 09:00"))
    dossier.refresh_from_db()
    assert (dossier.status, dossier.timeliness, dossier.late_unit) == (
        DossierStatus.PROCESSED,
        Timeliness.LATE,
        division,
    )


def test_the_apology_letter_pdf_names_the_unit_the_dates_and_the_reason() -> None:
    team, _division, specialist = _team_with_division()
    dossier = team.dossier(at=moment(RECEIVED))
    apology = processing.write_apology(
        dossier,
        reason="Phải xác minh thêm thông tin tại địa phương.",
        new_due_date=datetime.date(2026, 2, 13),
        by=specialist,
        at=moment("2026-02-10 09:00"),
    )

    text = _pdf_text(processing.apology_letter_pdf(apology))

    flat = " ".join(text.split())
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in flat
    assert f"Mã hồ sơ: {dossier.code}" in flat
    assert "SỞ TƯ PHÁP THỬ" in flat
    assert "ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả: ngày 09/02/2026." in flat
    assert "Lý do: Phải xác minh thêm thông tin tại địa phương." in flat
    assert (
        "Phòng Hành chính tư pháp xin lỗi ông/bà và sẽ trả kết quả giải quyết hồ sơ cho ông/bà "
        "vào ngày 13/02/2026." in flat
    )
    assert "Trần Văn An" in flat


def test_a_leader_of_the_late_unit_may_write_it_but_not_the_one_stop_officer() -> None:
    team, _division, _specialist = _team_with_division()
    dossier = team.dossier(at=moment(RECEIVED))
    before = footprint(dossier)

    with pytest.raises(PermissionDenied):
        processing.write_apology(
            dossier, reason="Chậm", days=2, by=team.officer, at=moment("2026-02-10 09:00")
        )
    assert footprint(dossier) == before

    # the agency's leader leads the division too (a grant covers the units below)
    processing.write_apology(
        dossier, reason="Chậm", days=2, by=team.leader, at=moment("2026-02-10 09:00")
    )
    assert ApologyLetter.objects.get().created_by == team.leader


def test_no_apology_while_the_dossier_is_on_time() -> None:
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    assert _risk(dossier, "2026-02-03 09:00") == engine.Risk.OK
    before = footprint(dossier)

    with pytest.raises(WrongState, match="còn trong hạn và không có nguy cơ trễ hạn"):
        processing.write_apology(
            dossier, reason="Chậm", days=2, by=team.specialist, at=moment("2026-02-03 09:00")
        )

    assert footprint(dossier) == before


def test_an_apology_when_at_risk_before_the_due_date() -> None:
    # at 08:00 on the due day the leader's and the desk's shares (40 %) no longer fit
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    assert _risk(dossier, "2026-02-09 08:00") == engine.Risk.AT_RISK

    apology = processing.write_apology(
        dossier,
        reason="Khối lượng hồ sơ lớn.",
        days=2,
        by=team.specialist,
        at=moment("2026-02-09 08:00"),
    )

    assert (apology.late_unit, apology.new_due_date) == (team.agency, datetime.date(2026, 2, 11))


def test_the_new_appointment_is_given_only_once() -> None:
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    processing.write_apology(
        dossier, reason="Chậm", days=1, by=team.specialist, at=moment("2026-02-10 09:00")
    )
    before = footprint(dossier)

    with pytest.raises(WrongState, match="không quá một lần"):
        processing.write_apology(
            dossier, reason="Chậm nữa", days=2, by=team.specialist, at=moment("2026-02-12 09:00")
        )

    assert footprint(dossier) == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "", "days": 2}, "reason"),
        ({"reason": "Chậm"}, "days"),
        ({"reason": "Chậm", "days": 0}, "days"),
        ({"reason": "Chậm", "new_due_date": datetime.date(2026, 2, 14)}, "new_due_date"),
        ({"reason": "Chậm", "new_due_date": datetime.date(2026, 2, 10)}, "new_due_date"),
    ],
)
def test_bad_apologies_are_refused(kwargs: dict[str, object], field: str) -> None:
    team = make_team()
    dossier = team.dossier(at=moment(RECEIVED))
    before = footprint(dossier)

    with pytest.raises(ValidationError) as caught:
        processing.write_apology(
            dossier,
            by=team.specialist,
            at=moment("2026-02-10 09:00"),
            **kwargs,  # type: ignore[arg-type]
        )

    assert list(caught.value.message_dict) == [field]
    assert footprint(dossier) == before
