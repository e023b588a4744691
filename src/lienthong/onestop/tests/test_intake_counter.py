"""Counter intake (tiếp nhận trực tiếp): received, accepted and started in one action."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.accounts.models import Role
from lienthong.core.audit import head_state
from lienthong.core.calendar import VN_TZ
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import intake
from lienthong.onestop.models import (
    Channel,
    Dossier,
    DossierCounter,
    DossierHistory,
    DossierStatus,
)
from lienthong.onestop.testing import (
    counter_applicant,
    make_agency,
    make_citizen,
    make_officer,
    make_procedure,
)
from lienthong.workflow.models import Case, Task

pytestmark = pytest.mark.django_db

RECEIVED_AT = datetime.datetime(2023, 10, 27, 9, 32, tzinfo=VN_TZ)


@pytest.fixture
def desk() -> tuple:
    """An agency, its procedure (3 components, 2 required) and a one-stop officer."""
    agency = make_agency("UBND phường Phú Hòa", code="000.00.06.H56")
    procedure = make_procedure(agencies=[agency], fee_amount=50_000)
    return agency, procedure, make_officer(agency, "motcua")


def _all(procedure: object) -> list[intake.ReceivedComponent]:
    components = procedure.components.order_by("order")  # type: ignore[attr-defined]
    return [intake.ReceivedComponent(c, originals=1, copies=2) for c in components]


def _state() -> tuple:
    return (
        Dossier.objects.count(),
        DossierCounter.objects.count(),
        DossierHistory.objects.count(),
        OutboxEvent.objects.count(),
        Case.objects.count(),
        Task.objects.count(),
        head_state(),
    )


def test_counter_intake_receives_and_starts_processing(desk: tuple) -> None:
    agency, procedure, officer = desk
    # When the officer receives a dossier with all components ticked
    dossier = intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=counter_applicant(name="  Trần   Văn An ", personal_id="074085000123"),
        components_received=_all(procedure),
        by=officer,
        at=RECEIVED_AT,
    )
    # Then the dossier is received, accepted and processing, with its code and due date
    dossier.refresh_from_db()
    assert dossier.code == "000.00.06.H56-231027-0001"
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.channel == Channel.COUNTER
    assert (dossier.received_at, dossier.received_by) == (RECEIVED_AT, officer)
    assert dossier.submitted_at == RECEIVED_AT
    assert dossier.due_date == datetime.date(2023, 11, 3)
    assert dossier.field_id == procedure.field_id
    assert dossier.fee_amount == 50_000
    assert dossier.applicant_name == "Trần Văn An"
    assert dossier.applicant is None
    assert [(c.name, c.originals, c.copies, c.received) for c in dossier.components.all()] == [
        ("Tờ khai theo mẫu", 1, 2, True),
        ("Giấy tờ chứng minh nơi cư trú", 1, 2, True),
        ("Giấy ủy quyền (nếu nộp thay)", 1, 2, True),
    ]
    # and the history shows accepted, then processing
    assert [(h.status, h.by, h.org_unit) for h in dossier.history.all()] == [
        (DossierStatus.ACCEPTED, officer, agency),
        (DossierStatus.PROCESSING, officer, agency),
    ]
    assert "03/11/2023" in dossier.history.first().public_note  # type: ignore[union-attr]
    # and the case runs, its first task in the specialists' pool of the agency
    case = dossier.case
    assert case is not None
    assert case.subject_id == str(dossier.pk)
    assert case.agency == agency
    task = Task.objects.get(case=case)
    assert (task.org_unit, task.role, task.status) == (agency, Role.SPECIALIST, "open")
    # and the audit log records the receipt by the officer
    entry = AuditEntry.objects.filter(action="onestop.dossier.receive").get()
    assert (entry.actor_id, entry.object_id) == (officer.pk, str(dossier.pk))
    assert entry.after is not None
    assert entry.after["code"] == dossier.code
    assert entry.after["status"] == DossierStatus.PROCESSING


def test_counter_intake_publishes_cloudevents_without_personal_data(desk: tuple) -> None:
    agency, procedure, officer = desk
    dossier = intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=counter_applicant(),
        components_received=_all(procedure),
        by=officer,
        at=RECEIVED_AT,
    )
    events = list(OutboxEvent.objects.filter(type__startswith="dossier.").order_by("id"))
    assert [(e.type, e.subject) for e in events] == [
        ("dossier.received", dossier.code),
        ("dossier.status_changed", dossier.code),
        ("dossier.status_changed", dossier.code),
    ]
    received = events[0].as_cloudevent()
    assert received["specversion"] == "1.0"
    assert received["source"] == "/lienthong"
    assert received["id"] and received["time"]
    assert received["data"] == {
        "id": dossier.pk,
        "code": dossier.code,
        "procedure": procedure.code,
        "agency": "000.00.06.H56",
        "agency_id": agency.pk,
        "field_id": procedure.field_id,
        "channel": "counter",
        "status": DossierStatus.PROCESSING,
        "submitted_at": "2023-10-27T02:32:00+00:00",
        "received_at": "2023-10-27T02:32:00+00:00",
        "due_date": "2023-11-03",
        "due_at": "2023-11-03T10:00:00+00:00",
    }
    assert [(e.data["from_status"], e.data["to_status"]) for e in events[1:]] == [
        (None, DossierStatus.ACCEPTED),
        (DossierStatus.ACCEPTED, DossierStatus.PROCESSING),
    ]
    text = json.dumps([e.data for e in events], ensure_ascii=False)
    assert dossier.applicant_name not in text
    assert dossier.applicant_personal_id not in text
    assert dossier.applicant_phone not in text


def test_a_missing_required_component_is_named_and_nothing_is_written(desk: tuple) -> None:
    agency, procedure, officer = desk
    first = procedure.components.get(order=1)
    before = _state()
    # When only the first component is ticked
    with pytest.raises(ValidationError) as raised:
        intake.receive_at_counter(
            procedure=procedure,
            agency=agency,
            applicant=counter_applicant(),
            components_received=[intake.ReceivedComponent(first)],
            by=officer,
        )
    # Then the error names the missing required one (not the optional one)
    assert raised.value.message_dict["components"] == [
        "Thiếu thành phần hồ sơ bắt buộc: Thành phần số 2 “Giấy tờ chứng minh nơi cư trú”."
    ]
    assert _state() == before


def test_applicant_identifiers_are_validated(desk: tuple) -> None:
    agency, procedure, officer = desk
    before = _state()
    with pytest.raises(ValidationError) as raised:
        intake.receive_at_counter(
            procedure=procedure,
            agency=agency,
            applicant=counter_applicant(
                personal_id="12345", phone="abc", email="khong-phai-thu", name=""
            ),
            components_received=_all(procedure),
            by=officer,
        )
    errors = raised.value.message_dict
    assert errors["applicant_personal_id"] == [
        "Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập: “12345”)."
    ]
    assert errors["applicant_name"] == ["Hãy nhập họ tên người nộp hồ sơ."]
    assert errors["applicant_phone"] == ["Số điện thoại “abc” không hợp lệ."]
    assert errors["applicant_email"] == ["Địa chỉ thư điện tử “khong-phai-thu” không hợp lệ."]
    assert _state() == before


def test_an_organisation_needs_a_valid_tax_code(desk: tuple) -> None:
    agency, procedure, officer = desk
    with pytest.raises(ValidationError) as raised:
        intake.receive_at_counter(
            procedure=procedure,
            agency=agency,
            applicant=intake.Applicant(
                name="Công ty TNHH Thử Nghiệm", kind="organisation", tax_code="0100109107"
            ),
            components_received=_all(procedure),
            by=officer,
        )
    assert raised.value.message_dict == {
        "applicant_tax_code": ["Mã số thuế “0100109107” sai chữ số kiểm tra."]
    }
    dossier = intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=intake.Applicant(
            name="Công ty TNHH Thử Nghiệm", kind="organisation", tax_code="0100109106"
        ),
        components_received=_all(procedure),
        by=officer,
    )
    assert (dossier.applicant_kind, dossier.applicant_tax_code) == ("organisation", "0100109106")


def test_only_a_one_stop_officer_of_the_agency_may_receive(desk: tuple) -> None:
    agency, procedure, _officer = desk
    other = make_agency()
    strangers = [
        make_officer(other),  # officer of another agency
        make_user(roles=[(Role.SPECIALIST, agency)]),  # specialist of this agency
        make_citizen(),
    ]
    before = _state()
    for stranger in strangers:
        with pytest.raises(PermissionDenied):
            intake.receive_at_counter(
                procedure=procedure,
                agency=agency,
                applicant=counter_applicant(),
                components_received=_all(procedure),
                by=stranger,
            )
    assert _state() == before


def test_the_agency_must_receive_the_procedure(desk: tuple) -> None:
    _agency, procedure, _officer = desk
    other = make_agency("UBND phường Hiệp Thành")
    with pytest.raises(ValidationError) as raised:
        intake.receive_at_counter(
            procedure=procedure,
            agency=other,
            applicant=counter_applicant(),
            components_received=_all(procedure),
            by=make_officer(other),
        )
    assert raised.value.message_dict["agency"] == [
        f"UBND phường Hiệp Thành không tiếp nhận thủ tục “{procedure.code}”."
    ]


def test_a_counter_dossier_shows_in_the_citizens_account(desk: tuple) -> None:
    agency, procedure, officer = desk
    citizen = make_citizen()
    dossier = intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=intake.applicant_from_profile(citizen),
        components_received=_all(procedure),
        by=officer,
    )
    assert dossier.applicant == citizen
    assert list(intake.my_dossiers(citizen)) == [dossier]


def test_counts_must_be_positive(desk: tuple) -> None:
    agency, procedure, officer = desk
    items = _all(procedure)
    items[0] = intake.ReceivedComponent(items[0].component, originals=0, copies=0)
    with pytest.raises(ValidationError) as raised:
        intake.receive_at_counter(
            procedure=procedure,
            agency=agency,
            applicant=counter_applicant(),
            components_received=items,
            by=officer,
        )
    assert raised.value.message_dict["components"] == [
        "Thành phần số 1 “Tờ khai theo mẫu”: số bản chính và bản sao phải từ 0 trở lên, "
        "tổng ít nhất 1."
    ]
