"""Writes through the services: placement, raises, appointments, discipline, history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import services as base
from lienthong.registries.staff import services
from lienthong.registries.staff.choices import (
    Category,
    DisciplineForm,
    SalaryChangeReason,
    SchoolLevel,
)
from lienthong.registries.staff.models import (
    Appointment,
    Discipline,
    Position,
    Qualification,
    Rank,
    SalaryChange,
    StaffMember,
)
from lienthong.registries.staff.testing import make_member, personal_id

D = datetime.date


def test_create_places_the_member_and_opens_the_salary_history(org: Any, editor: Any) -> None:
    member = make_member(
        org.division, by=editor, rank="01.003", step=3, last_raise_date=D(2023, 1, 1)
    )

    member.refresh_from_db()
    assert member.owner == org.department  # the agency above the division
    assert member.coefficient == Decimal("3.00")
    assert member.next_raise_due == D(2026, 1, 1)  # A1: 36 months
    [change] = SalaryChange.objects.filter(member=member)
    assert (change.reason, change.step, change.coefficient) == (
        SalaryChangeReason.INITIAL,
        3,
        Decimal("3.00"),
    )
    assert AuditEntry.objects.filter(
        action="registry.staff.create", object_id=str(member.pk)
    ).exists()
    assert OutboxEvent.objects.filter(
        type="registry.staff.created", subject=str(member.pk)
    ).exists()


def test_a_b_category_rank_rises_every_24_months(org: Any, editor: Any) -> None:
    member = make_member(
        org.department, by=editor, rank="01.004", step=2, last_raise_date=D(2024, 3, 15)
    )
    assert member.next_raise_due == D(2026, 3, 15)


def test_only_the_owner_agencys_registry_officials_create(
    org: Any, editor: Any, leader: Any, outsider: Any
) -> None:
    for user in (leader, outsider):
        with pytest.raises(PermissionDenied):
            make_member(org.division, by=user)
    assert not StaffMember.all_objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="registry.staff").exists()


def test_a_step_outside_the_scale_writes_nothing(org: Any, editor: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        make_member(org.department, by=editor, rank="01.001", step=7)  # A3.1 has 6 steps
    assert "step" in caught.value.message_dict
    assert not StaffMember.all_objects.exists()
    assert not SalaryChange.objects.exists()


def test_the_personal_id_must_match_birth_year_and_sex(org: Any, editor: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_member(
            values={
                "personal_id": personal_id(birth_year=1990, sex="female"),
                "full_name": "Trần Thị Sai",
                "birth_date": D(1991, 1, 1),
                "sex": "male",
                "org_unit": org.department,
                "category": Category.CIVIL_SERVANT,
            },
            by=editor,
        )
    assert set(caught.value.message_dict) == {"birth_date", "sex"}
    assert not StaffMember.all_objects.exists()


def test_a_duplicate_live_personal_id_is_refused(org: Any, editor: Any) -> None:
    member = make_member(org.department, by=editor)
    with pytest.raises(ValidationError):
        make_member(org.department, by=editor, personal_id=member.personal_id)
    assert StaffMember.all_objects.count() == 1


def test_regular_raise_moves_one_step_and_records_it(org: Any, editor: Any) -> None:
    member = make_member(
        org.department, by=editor, rank="01.003", step=3, last_raise_date=D(2022, 6, 1)
    )
    change = services.apply_regular_raise(member, decision_number="12/QĐ-STC", by=editor)

    member.refresh_from_db()
    assert (member.salary_step, member.last_raise_date) == (4, D(2025, 6, 1))
    assert member.coefficient == Decimal("3.33")
    assert member.next_raise_due == D(2028, 6, 1)
    assert (change.reason, change.decision_number) == (
        SalaryChangeReason.REGULAR_RAISE,
        "12/QĐ-STC",
    )
    assert AuditEntry.objects.filter(
        action="registry.staff.salary", object_id=str(member.pk)
    ).exists()
    assert AuditEntry.objects.filter(action="registry.staff.salary_change").count() == 2


def test_at_the_last_step_the_raise_is_the_allowance_beyond_the_scale(
    org: Any, editor: Any
) -> None:
    member = make_member(
        org.department, by=editor, rank="01.003", step=9, last_raise_date=D(2021, 1, 1)
    )
    services.apply_regular_raise(member, decision_number="1/QĐ", by=editor)
    member.refresh_from_db()
    assert (member.salary_step, member.over_scale_percent) == (9, 5)
    assert member.next_raise_due == D(2025, 1, 1)  # then 1 % a year
    latest = SalaryChange.objects.filter(member=member).first()
    assert latest is not None and latest.reason == SalaryChangeReason.OVER_SCALE


def test_promotion_changes_rank_and_history(org: Any, editor: Any) -> None:
    member = make_member(org.department, by=editor, rank="01.003", step=5)
    services.change_salary(
        member,
        rank=Rank.objects.get(code="01.002"),
        step=1,
        effective_date=D(2025, 3, 1),
        reason=SalaryChangeReason.PROMOTION,
        decision_number="45/QĐ-UBND",
        by=editor,
    )
    member.refresh_from_db()
    assert member.rank is not None
    assert (member.rank.code, member.salary_step, member.coefficient) == (
        "01.002",
        1,
        Decimal("4.40"),
    )
    history = list(SalaryChange.objects.filter(member=member).values_list("rank__code", "step"))
    assert history == [("01.002", 1), ("01.003", 5)]


def test_discipline_pushes_the_next_raise_back_per_circular_03_2021(org: Any, editor: Any) -> None:
    member = make_member(
        org.department, by=editor, rank="01.003", step=3, last_raise_date=D(2023, 1, 1)
    )
    services.add_career_record(
        member,
        Discipline(
            form=DisciplineForm.WARNING, decision_number="7/QĐ-KL", decision_date=D(2024, 2, 1)
        ),
        by=editor,
    )
    member.refresh_from_db()
    assert member.next_raise_due == D(2026, 7, 1)  # 36 + 6 months
    # A viên chức reprimanded: 3 months.
    teacher = make_member(
        org.department,
        by=editor,
        category=Category.PUBLIC_EMPLOYEE,
        rank="01.003",
        step=2,
        last_raise_date=D(2023, 1, 1),
    )
    services.add_career_record(
        teacher,
        Discipline(
            form=DisciplineForm.REPRIMAND, decision_number="8/QĐ-KL", decision_date=D(2024, 2, 1)
        ),
        by=editor,
    )
    teacher.refresh_from_db()
    assert teacher.next_raise_due == D(2026, 4, 1)
    # Removing the record entered by mistake restores the date.
    services.delete_career_record(Discipline.objects.get(member=member), by=editor)
    member.refresh_from_db()
    assert member.next_raise_due == D(2026, 1, 1)


def test_a_form_the_law_does_not_give_for_the_category_is_refused(org: Any, editor: Any) -> None:
    member = make_member(org.department, by=editor, category=Category.PUBLIC_EMPLOYEE)
    with pytest.raises(ValidationError) as caught:
        services.add_career_record(
            member,
            Discipline(
                form=DisciplineForm.DEMOTION, decision_number="9", decision_date=D(2024, 1, 1)
            ),
            by=editor,
        )
    assert "form" in caught.value.message_dict
    assert not Discipline.objects.exists()


def test_appointment_ends_the_previous_post(org: Any, editor: Any) -> None:
    member = make_member(org.division, by=editor)
    deputy, head = (
        Position.objects.get(code="pho-truong-phong"),
        Position.objects.get(code="truong-phong"),
    )
    first = services.appoint(
        member,
        position=deputy,
        decision_number="10/QĐ",
        decision_date=D(2020, 1, 1),
        effective_date=D(2020, 1, 15),
        by=editor,
    )
    assert first.term_ends == D(2025, 1, 15)
    services.appoint(
        member,
        position=head,
        decision_number="20/QĐ",
        decision_date=D(2024, 5, 1),
        effective_date=D(2024, 5, 2),
        by=editor,
    )
    first.refresh_from_db()
    member.refresh_from_db()
    assert first.ended_on == D(2024, 5, 2)
    assert member.position == head
    current = Appointment.objects.get(member=member, ended_on__isnull=True)
    services.end_appointment(current, ended_on=D(2025, 1, 1), by=editor)
    member.refresh_from_db()
    assert member.position is None


def test_the_edit_service_refuses_placement_fields(org: Any, editor: Any) -> None:
    member = make_member(org.department, by=editor)
    with pytest.raises(ValidationError):
        services.update_member(member, values={"salary_step": 8}, by=editor)
    member.refresh_from_db()
    assert member.salary_step == 3


def test_moving_to_another_agency_needs_rights_there(
    org: Any, editor: Any, district_editor: Any
) -> None:
    member = make_member(org.department, by=editor)
    with pytest.raises(PermissionDenied):
        services.update_member(member, values={"org_unit": org.district}, by=editor)
    member.refresh_from_db()
    assert member.owner == org.department


def test_teacher_fields_follow_the_school(org: Any, district_editor: Any) -> None:
    teacher = make_member(
        org.school.org_unit,
        by=district_editor,
        category=Category.PUBLIC_EMPLOYEE,
        rank="V.07.03.29",
        step=2,
        school=org.school,
        school_level=SchoolLevel.PRIMARY,
        subjects="Toán, Tiếng Việt",
    )
    assert teacher.owner == org.district
    assert list(StaffMember.objects.teachers()) == [teacher]
    with pytest.raises(ValidationError) as caught:
        make_member(
            org.school.org_unit,
            by=district_editor,
            category=Category.PUBLIC_EMPLOYEE,
            rank="V.07.04.32",  # a lower-secondary title at a primary school
            school=org.school,
            school_level=SchoolLevel.PRIMARY,
        )
    assert "rank" in caught.value.message_dict


def test_history_and_revert_through_the_base(org: Any, editor: Any) -> None:
    member = make_member(org.department, by=editor, full_name="Lê Văn Cũ")
    services.update_member(member, values={"full_name": "Lê Văn Mới"}, by=editor)
    versions = base.history(member)
    assert [v.action for v in versions] == ["update", "create"]
    assert [c.field for c in versions[0].changes] == ["full_name"]
    base.revert_record(member, entry=versions[1].entry, by=editor)
    member.refresh_from_db()
    assert member.full_name == "Lê Văn Cũ"
    assert member.search_text == "le van cu"


def test_career_records_are_audited(org: Any, editor: Any, leader: Any) -> None:
    member = make_member(org.department, by=editor)
    qualification = Qualification(kind="professional", level="bachelor", major="Kế toán", year=2007)
    with pytest.raises(PermissionDenied):
        services.add_career_record(member, qualification, by=leader)
    assert not Qualification.objects.exists()
    services.add_career_record(member, qualification, by=editor)
    assert AuditEntry.objects.filter(action="registry.staff.qualification").exists()
    assert OutboxEvent.objects.filter(
        type="registry.staff.updated", subject=str(member.pk)
    ).exists()


def test_a_regular_raise_cannot_take_effect_before_it_is_due(org: Any, editor: Any) -> None:
    member = make_member(
        org.department, by=editor, rank="01.003", step=3, last_raise_date=D(2024, 6, 1)
    )
    with pytest.raises(ValidationError) as caught:
        services.apply_regular_raise(
            member, decision_number="1/QĐ", effective_date=D(2026, 1, 1), by=editor
        )
    assert "effective_date" in caught.value.message_dict
    member.refresh_from_db()
    assert member.salary_step == 3
    assert SalaryChange.objects.filter(member=member).count() == 1
