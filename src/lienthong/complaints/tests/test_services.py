"""Filing, acceptance, verification, extension and conclusion, through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.complaints import services
from lienthong.complaints.models import (
    Complaint,
    ComplaintCounter,
    Complexity,
    Extension,
    Kind,
    Outcome,
    Stage,
    Status,
)
from lienthong.complaints.testing import accept_and_assign, file_case, make_team, moment
from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case, Task

pytestmark = pytest.mark.django_db


def _events(complaint: Complaint) -> list[str]:
    return list(
        OutboxEvent.objects.filter(subject=complaint.code, type__startswith="complaint.")
        .order_by("pk")
        .values_list("type", flat=True)
    )


def test_an_online_denunciation_is_received_with_a_code_and_an_intake_task_for_the_leaders() -> (
    None
):
    # given an inspectorate and a citizen
    team = make_team()
    # when the citizen files a denunciation online on Monday 2 March 2026
    case = file_case(team, at=moment(2026, 3, 2))
    # then it has a code of the agency, kind and day, and waits for acceptance
    assert case.code == f"{team.agency.code}-TC-260302-0001"
    assert case.status == Status.RECEIVED
    assert case.filer_user == team.citizen
    # 7 working days (Law 25/2018/QH14, Art. 24(1)): Tue 3 … Wed 11 March
    assert case.accept_due_date == datetime.date(2026, 3, 11)
    task = case.intake_task
    assert task is not None
    assert (task.org_unit, task.role, task.module, task.status) == (
        team.agency,
        "leader",
        "complaints",
        Task.Status.OPEN,
    )
    assert _events(case) == ["complaint.received"]


def test_codes_are_numbered_per_agency_kind_and_day() -> None:
    team = make_team()
    first = file_case(team, at=moment(2026, 3, 2))
    second = file_case(team, at=moment(2026, 3, 2, 10))
    petition = file_case(team, kind=Kind.PETITION, at=moment(2026, 3, 2, 11))
    assert first.code.endswith("-TC-260302-0001")
    assert second.code.endswith("-TC-260302-0002")
    assert petition.code.endswith("-PA-260302-0001")


def test_a_complaint_filed_after_90_days_is_refused_at_filing_and_nothing_is_written() -> None:
    # given a decision known on 1 December 2025 (90 days end on 1 March 2026, a Sunday,
    # so the period ends on Monday 2 March)
    team = make_team()
    counters = ComplaintCounter.objects.count()
    audit = AuditEntry.objects.count()
    # when the complaint is filed on Tuesday 3 March without a reason
    with pytest.raises(ValidationError) as raised:
        file_case(
            team,
            kind=Kind.COMPLAINT,
            known_on=datetime.date(2025, 12, 1),
            at=moment(2026, 3, 3),
        )
    # then the filing is refused with the article, and nothing was written
    assert "Điều 9 Luật Khiếu nại 02/2011/QH13" in raised.value.message_dict["known_on"][0]
    assert "02/03/2026" in raised.value.message_dict["known_on"][0]
    assert Complaint.objects.count() == 0
    assert ComplaintCounter.objects.count() == counters
    assert AuditEntry.objects.count() == audit
    assert OutboxEvent.objects.filter(type__startswith="complaint.").count() == 0
    # and on the last day of the period it is accepted
    on_time = file_case(
        team, kind=Kind.COMPLAINT, known_on=datetime.date(2025, 12, 1), at=moment(2026, 3, 2)
    )
    assert on_time.status == Status.RECEIVED
    # and late with a reason (illness, Art. 9) it is received too
    late = file_case(
        team,
        kind=Kind.COMPLAINT,
        known_on=datetime.date(2025, 12, 1),
        at=moment(2026, 3, 3),
        late_reason="Nằm viện từ 10/12/2025 đến 20/01/2026",
    )
    assert late.status == Status.RECEIVED


def test_a_first_complaint_accepted_gets_30_days_or_45_when_complex_and_remote_45_or_60() -> None:
    team = make_team()
    limits = []
    for complexity, remote in [
        (Complexity.NORMAL, False),
        (Complexity.COMPLEX, False),
        (Complexity.NORMAL, True),
        (Complexity.COMPLEX, True),
    ]:
        case = file_case(team, kind=Kind.COMPLAINT, at=moment(2026, 3, 2))
        services.accept(
            complaint=case,
            by=team.leader,
            complexity=complexity,
            remote=remote,
            at=moment(2026, 3, 4),
        )
        case.refresh_from_db()
        limits.append((case.due_date, case.rule_article))
    article = "Điều 28 Luật Khiếu nại 02/2011/QH13"
    assert limits == [
        (datetime.date(2026, 4, 3), article),  # 4 March + 30 days: Friday 3 April
        (datetime.date(2026, 4, 20), article),  # + 45: Sunday 19 April → Monday 20 April
        (datetime.date(2026, 4, 20), article),
        (datetime.date(2026, 5, 4), article),  # + 60: Sunday 3 May → Monday 4 May
    ]


def test_a_second_time_complaint_gets_45_days() -> None:
    team = make_team()
    case = file_case(team, kind=Kind.COMPLAINT, stage=Stage.SECOND, at=moment(2026, 3, 2))
    services.accept(complaint=case, by=team.leader, at=moment(2026, 3, 4))
    case.refresh_from_db()
    assert case.due_date == datetime.date(2026, 4, 20)
    assert case.rule_article == "Điều 37 Luật Khiếu nại 02/2011/QH13"


def test_acceptance_starts_the_case_on_the_engine_with_the_resolution_due_moment() -> None:
    team = make_team()
    case = file_case(team, at=moment(2026, 3, 2))
    services.accept(complaint=case, by=team.leader, at=moment(2026, 3, 4))
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.due_date == datetime.date(2026, 4, 3)  # 30 days (Art. 30(1))
    assert case.case is not None
    assert case.case.module == "complaints"
    assert case.case.due_at == moment(2026, 4, 3, 17)
    assert case.intake_task is not None
    case.intake_task.refresh_from_db()
    assert case.intake_task.status == Task.Status.DONE
    assert _events(case) == ["complaint.received", "complaint.accepted"]


def test_only_a_leader_accepts_and_a_refused_acceptance_changes_nothing() -> None:
    team = make_team()
    case = file_case(team)
    for who in (team.verifier, team.clerk, team.citizen, make_team().leader):
        with pytest.raises(PermissionDenied):
            services.accept(complaint=case, by=who)
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
    assert Case.objects.count() == 0
    assert _events(case) == ["complaint.received"]


def test_accepting_twice_is_a_wrong_state() -> None:
    team = make_team()
    case = file_case(team)
    services.accept(complaint=case, by=team.leader)
    with pytest.raises(WrongState):
        services.accept(complaint=case, by=team.leader)
    assert Case.objects.count() == 1


def test_the_whole_denunciation_with_two_extensions_when_especially_complex() -> None:
    team = make_team()
    case = file_case(team, at=moment(2026, 3, 2))
    accept_and_assign(team, case, at=moment(2026, 3, 4))
    case.refresh_from_db()
    assert case.status == Status.VERIFYING
    assert case.handler == team.verifier
    # when the leader extends it twice (especially complex, Art. 30(3))
    first = services.extend(
        complaint=case,
        by=team.leader,
        complexity=Complexity.VERY_COMPLEX,
        notice_number="12/TB-TTr",
        reason="Phải xác minh tại nhiều địa phương",
        at=moment(2026, 3, 30),
    )
    second = services.extend(
        complaint=case,
        by=team.leader,
        complexity=Complexity.VERY_COMPLEX,
        notice_number="20/TB-TTr",
        reason="Chờ kết quả giám định",
        days=20,
        at=moment(2026, 4, 30),
    )
    case.refresh_from_db()
    assert (first.previous_due_date, first.new_due_date) == (
        datetime.date(2026, 4, 3),
        datetime.date(2026, 5, 4),  # 3 April + 30 = Sunday 3 May → Monday 4 May
    )
    assert (second.previous_due_date, second.new_due_date) == (
        datetime.date(2026, 5, 4),
        datetime.date(2026, 5, 25),  # + 20 = Sunday 24 May → Monday 25 May
    )
    assert case.due_date == datetime.date(2026, 5, 25)
    assert case.original_due_date == datetime.date(2026, 4, 3)
    assert case.case is not None
    case.case.refresh_from_db()
    assert case.case.due_at == moment(2026, 5, 25, 17)
    assert case.case.status == Case.Status.ACTIVE
    # a third extension is refused, and nothing changes
    with pytest.raises(ValidationError) as raised:
        services.extend(
            complaint=case,
            by=team.leader,
            complexity=Complexity.VERY_COMPLEX,
            notice_number="30/TB-TTr",
            reason="Thêm",
        )
    assert "Điều 30 khoản 3" in raised.value.message_dict["complexity"][0]
    assert Extension.objects.filter(complaint=case).count() == 2
    # the verifier reports, the leader concludes
    services.report(complaint=case, by=team.verifier, text="Có căn cứ một phần.")
    services.conclude(
        complaint=case,
        by=team.leader,
        outcome=Outcome.PARTLY,
        conclusion="Tố cáo đúng một phần.",
        number="05/KL-TTr",
        at=moment(2026, 5, 20),
    )
    case.refresh_from_db()
    assert case.status == Status.CONCLUDED
    assert services.on_time(case) is True
    case.case.refresh_from_db()
    assert case.case.status == Case.Status.FINISHED
    assert _events(case) == [
        "complaint.received",
        "complaint.accepted",
        "complaint.assigned",
        "complaint.extended",
        "complaint.extended",
        "complaint.reported",
        "complaint.concluded",
    ]


def test_a_complex_denunciation_is_extended_once_only() -> None:
    team = make_team()
    case = file_case(team)
    accept_and_assign(team, case)
    services.extend(
        complaint=case,
        by=team.leader,
        complexity=Complexity.COMPLEX,
        notice_number="1/TB",
        reason="x",
        at=moment(2026, 3, 20),
    )
    with pytest.raises(ValidationError):
        services.extend(
            complaint=case,
            by=team.leader,
            complexity=Complexity.COMPLEX,
            notice_number="2/TB",
            reason="y",
            at=moment(2026, 3, 21),
        )
    assert case.extensions.count() == 1
    # and once the time limit has passed, no extension at all
    late = file_case(team)
    accept_and_assign(team, late)
    with pytest.raises(ValidationError) as raised:
        services.extend(
            complaint=late,
            by=team.leader,
            complexity=Complexity.COMPLEX,
            notice_number="3/TB",
            reason="z",
            at=moment(2026, 4, 6),
        )
    assert "02/04/2026" in raised.value.message_dict["days"][0]


def test_complaints_are_not_extended_and_extensions_need_a_notice_number() -> None:
    team = make_team()
    complaint = file_case(team, kind=Kind.COMPLAINT)
    accept_and_assign(team, complaint)
    with pytest.raises(ValidationError) as raised:
        services.extend(
            complaint=complaint,
            by=team.leader,
            complexity=Complexity.COMPLEX,
            notice_number="1",
            reason="x",
        )
    assert "kind" in raised.value.message_dict
    denunciation = file_case(team)
    accept_and_assign(team, denunciation)
    with pytest.raises(ValidationError) as raised:
        services.extend(
            complaint=denunciation,
            by=team.leader,
            complexity=Complexity.COMPLEX,
            notice_number=" ",
            reason="",
        )
    assert set(raised.value.message_dict) == {"notice_number", "reason"}
    assert Extension.objects.count() == 0
    assert _events(denunciation)[-1] == "complaint.assigned"


def test_only_the_assigned_verifier_reports() -> None:
    team = make_team()
    case = file_case(team)
    accept_and_assign(team, case)
    with pytest.raises(PermissionDenied):
        services.report(complaint=case, by=team.other_specialist, text="Báo cáo")
    case.refresh_from_db()
    assert case.status == Status.VERIFYING
    assert case.verification_report == ""


def test_the_verifier_must_hold_the_specialist_role_of_the_agency() -> None:
    team = make_team()
    case = file_case(team)
    services.accept(complaint=case, by=team.leader)
    with pytest.raises(ValidationError):
        services.assign(complaint=case, handler=make_team().verifier, by=team.leader)
    case.refresh_from_db()
    assert (case.status, case.handler) == (Status.ACCEPTED, None)


def test_a_petition_is_answered_within_10_working_days() -> None:
    team = make_team()
    case = file_case(team, kind=Kind.PETITION, at=moment(2026, 3, 2))
    services.accept(complaint=case, by=team.leader, at=moment(2026, 3, 2))
    case.refresh_from_db()
    assert case.due_date == datetime.date(2026, 3, 16)
    assert case.rule_article == "Điều 28 Luật Tiếp công dân 42/2013/QH13"
    services.assign(complaint=case, handler=team.verifier, by=team.leader)
    services.report(complaint=case, by=team.verifier, text="Đã kiểm tra.")
    with pytest.raises(ValidationError):
        services.conclude(
            complaint=case, by=team.leader, outcome=Outcome.RIGHT, conclusion="x", number="1"
        )
    services.conclude(
        complaint=case,
        by=team.leader,
        outcome=Outcome.ANSWERED,
        conclusion="Đã trả lời.",
        number="1/TL",
    )
    case.refresh_from_db()
    assert case.status == Status.CONCLUDED


def test_refusal_and_forwarding_close_the_intake_task() -> None:
    team = make_team()
    other = make_team()
    refused = file_case(team)
    services.refuse(complaint=refused, by=team.leader, reason="Tố cáo nặc danh")
    refused.refresh_from_db()
    assert refused.status == Status.REFUSED
    forwarded = file_case(team)
    services.forward_to(
        complaint=forwarded, to_agency=other.agency, by=team.leader, reason="Không thuộc thẩm quyền"
    )
    forwarded.refresh_from_db()
    assert forwarded.status == Status.FORWARDED
    new = Complaint.objects.get(agency=other.agency)
    assert (new.channel, new.status, new.filer_name) == ("forwarded", Status.RECEIVED, "Đỗ Thị Hoa")
    assert new.code in forwarded.history.last().public_note  # type: ignore[union-attr]
    for case in (refused, forwarded):
        assert case.intake_task is not None
        case.intake_task.refresh_from_db()
        assert case.intake_task.status == Task.Status.DONE


def test_bad_filing_input_lists_every_field_and_writes_nothing() -> None:
    team = make_team()
    with pytest.raises(ValidationError) as raised:
        services.file_case(
            kind=Kind.COMPLAINT,
            stage="third",
            agency=team.agency,
            field="weather",
            channel="online",
            filer=services.Filer(name=" ", address="", personal_id="123", email="not-an-email"),
            subject="",
            content="",
            by=team.citizen,
        )
    assert set(raised.value.message_dict) == {
        "stage",
        "field",
        "filer_name",
        "filer_address",
        "filer_personal_id",
        "filer_email",
        "subject",
        "content",
    }
    assert Complaint.objects.count() == 0
    assert Task.objects.count() == 0


def test_officials_file_only_for_their_agency_and_citizens_only_online() -> None:
    team = make_team()
    other = make_team()
    with pytest.raises(PermissionDenied):
        file_case(other, online=False, agency=team.agency) if False else services.file_case(
            kind=Kind.DENUNCIATION,
            agency=team.agency,
            field="land",
            channel="reception",
            filer=services.Filer(name="A", address="B"),
            subject="s",
            content="c",
            by=other.verifier,
        )
    with pytest.raises(PermissionDenied):
        services.file_case(
            kind=Kind.DENUNCIATION,
            agency=team.agency,
            field="land",
            channel="online",
            filer=services.Filer(name="A", address="B"),
            subject="s",
            content="c",
            by=team.verifier,
        )
    assert Complaint.objects.count() == 0
