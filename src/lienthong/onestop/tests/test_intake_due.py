"""Due dates of received dossiers come from the calendar kernel: working days, days, hours."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from lienthong.core.audit import head_state
from lienthong.core.calendar import VN_TZ
from lienthong.core.models import Holiday
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import intake
from lienthong.onestop.models import Dossier, DossierCounter, TimeUnit
from lienthong.onestop.testing import (
    counter_applicant,
    make_agency,
    make_dossier,
    make_officer,
    make_procedure,
)
from lienthong.workflow.models import Case

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    """A moment in Vietnam time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def test_the_domain_example_five_working_days_from_friday_morning() -> None:
    # Given a 5-working-day procedure, received at 09:32 on Friday 27/10/2023
    procedure = make_procedure(time_limit=5, time_unit=TimeUnit.WORKING_DAYS)
    # When it is received at the counter
    dossier = make_dossier(procedure=procedure, at=at(2023, 10, 27, 9, 32))
    # Then the appointed date is Friday 03/11/2023, at the close of office hours
    assert dossier.due_date == datetime.date(2023, 11, 3)
    assert dossier.original_due_date == datetime.date(2023, 11, 3)
    assert dossier.due_at == at(2023, 11, 3, 17, 0)
    assert dossier.received_at == at(2023, 10, 27, 9, 32)
    # and the workflow case runs to the same moment
    assert dossier.case is not None
    assert Case.objects.get(pk=dossier.case.pk).due_at == at(2023, 11, 3, 17, 0)


def test_tet_holidays_are_skipped() -> None:
    # Given the Tết 2024 days off (Thu 8/2 – Wed 14/2/2024) in the calendar
    for day in range(8, 15):
        Holiday.objects.get_or_create(
            date=datetime.date(2024, 2, day), defaults={"name": "Tết Nguyên đán"}
        )
    procedure = make_procedure(time_limit=3)
    # When a 3-working-day dossier is received on Wednesday 7/2/2024, the eve of Tết
    dossier = make_dossier(procedure=procedure, at=at(2024, 2, 7, 15, 0))
    # Then the count resumes after Tết: Thu 15, Fri 16, Mon 19/2/2024
    assert dossier.due_date == datetime.date(2024, 2, 19)


def test_calendar_days_ending_on_a_weekend_move_to_the_next_working_day() -> None:
    # Given a 15-day procedure (calendar days), received on Thursday 3/10/2024
    procedure = make_procedure(time_limit=15, time_unit=TimeUnit.DAYS)
    # When received; 15 days later is Friday 18/10/2024 — and 16 days would be a Saturday
    dossier = make_dossier(procedure=procedure, at=at(2024, 10, 3, 10, 0))
    assert dossier.due_date == datetime.date(2024, 10, 18)
    saturday = make_procedure(time_limit=16, time_unit=TimeUnit.DAYS)
    later = make_dossier(procedure=saturday, at=at(2024, 10, 3, 10, 0))
    # Then the Saturday end moves to Monday 21/10/2024
    assert later.due_date == datetime.date(2024, 10, 21)


def test_hours_count_office_hours_only() -> None:
    # Given an 8-office-hour procedure received at 15:00 on Friday 25/10/2024
    procedure = make_procedure(time_limit=8, time_unit=TimeUnit.HOURS)
    dossier = make_dossier(procedure=procedure, at=at(2024, 10, 25, 15, 0))
    # Then 2 hours are used on Friday and 6 on Monday: 07:30–11:30 and 13:00–15:00
    assert dossier.due_at == at(2024, 10, 28, 15, 0)
    assert dossier.due_date == datetime.date(2024, 10, 28)


def test_half_a_working_day_is_four_office_hours() -> None:
    procedure = make_procedure(time_limit=Decimal("0.5"))
    dossier = make_dossier(procedure=procedure, at=at(2024, 10, 25, 8, 0))
    assert dossier.due_at == at(2024, 10, 25, 13, 30)


def test_same_day_procedure_received_after_closing_is_due_the_next_working_day() -> None:
    procedure = make_procedure(time_limit=0)
    dossier = make_dossier(procedure=procedure, at=at(2024, 10, 25, 17, 30))
    assert dossier.due_at == at(2024, 10, 28, 17, 0)


@pytest.mark.parametrize(
    ("value", "unit"),
    [(None, ""), (Decimal(5), ""), (None, TimeUnit.WORKING_DAYS)],
    ids=["no-limit", "no-unit", "no-number"],
)
def test_a_procedure_without_a_time_limit_cannot_be_received(value: Any, unit: str) -> None:
    # Given a procedure whose time limit the source did not give
    agency = make_agency()
    procedure = make_procedure(agencies=[agency])
    procedure.time_limit_value, procedure.time_limit_unit = value, unit
    procedure.save()
    officer = make_officer(agency)
    audit_before = head_state()
    # When an officer tries to receive a dossier of it
    with pytest.raises(ValidationError) as raised:
        intake.receive_at_counter(
            procedure=procedure,
            agency=agency,
            applicant=counter_applicant(),
            components_received=[intake.ReceivedComponent(c) for c in procedure.components.all()],
            by=officer,
        )
    # Then the message says what is missing and who must fix it, and nothing is written
    message = raised.value.message_dict["procedure"][0]
    assert f"Thủ tục “{procedure.code}” chưa có thời hạn giải quyết" in message
    assert "quản trị viên bổ sung thời hạn" in message
    assert Dossier.objects.count() == 0
    assert DossierCounter.objects.count() == 0
    assert OutboxEvent.objects.count() == 0
    assert head_state() == audit_before


def test_a_procedure_without_an_internal_process_cannot_be_received() -> None:
    agency = make_agency()
    procedure = make_procedure(agencies=[agency], with_template=False)
    with pytest.raises(ValidationError) as raised:
        intake.receive_at_counter(
            procedure=procedure,
            agency=agency,
            applicant=counter_applicant(),
            components_received=[intake.ReceivedComponent(c) for c in procedure.components.all()],
            by=make_officer(agency),
        )
    assert "chưa có quy trình nội bộ" in raised.value.message_dict["procedure"][0]
    assert Dossier.objects.count() == 0


def test_fractional_calendar_days_are_refused_with_a_message() -> None:
    procedure = make_procedure(time_limit=Decimal("1.5"), time_unit=TimeUnit.DAYS)
    with pytest.raises(ValidationError) as raised:
        intake.due_for(procedure, at(2024, 10, 25, 8, 0))
    assert "không phải số ngày nguyên" in raised.value.message_dict["procedure"][0]
