"""Incoming documents: registration, duplicates, assignment, opinions, completion, visibility."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry
from lienthong.documents import searching, selectors, services
from lienthong.documents.models import (
    Assignment,
    DocumentIndex,
    IncomingDocument,
    NumberSeries,
    Opinion,
    Secrecy,
)
from lienthong.documents.tests.conftest import World, data
from lienthong.exchange.models import OutboxEvent
from lienthong.workflow.models import Task

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, int, int, int, int]:
    return (
        IncomingDocument.objects.count(),
        NumberSeries.objects.count(),
        Task.objects.count(),
        OutboxEvent.objects.count(),
        DocumentIndex.objects.count(),
    )


def test_registration_numbers_presents_to_the_leaders_indexes_and_announces(world: World) -> None:
    first = services.register_incoming(agency=world.agency, data=data(), by=world.clerk)
    second = services.register_incoming(
        agency=world.agency, data=data(code_number="124", urgency=1), by=world.clerk
    )
    year = timezone.localdate().year
    assert (first.arrival_number, second.arrival_number) == (1, 2)
    assert first.arrival_year == year and first.status == IncomingDocument.Status.PRESENTED
    assert first.number_notation == "123/UBND-VP"
    task = first.presentation_task
    assert task is not None
    assert (task.org_unit, task.role, task.module) == (world.agency, Role.LEADER, "documents")
    assert task.url == f"/van-ban/den/{first.pk}/"
    # An urgent one is due within the hour, a normal one at the end of a later day.
    assert second.presentation_task is not None and second.presentation_task.due_at is not None
    assert task.due_at is not None and second.presentation_task.due_at < task.due_at
    row = DocumentIndex.objects.get(direction="incoming", object_id=first.pk)
    assert (row.number_notation, row.year, row.agency) == ("123/UBND-VP", year, world.agency)
    events = list(
        OutboxEvent.objects.filter(type="document.registered").values_list("data", flat=True)
    )
    assert [e["arrival_number"] for e in events] == [1, 2]
    assert AuditEntry.objects.filter(action="document.incoming.register").count() == 2


def test_a_duplicate_is_refused_with_the_existing_one_and_nothing_is_written(world: World) -> None:
    first = services.register_incoming(agency=world.agency, data=data(), by=world.clerk)
    before = _snapshot()
    same = data(issuer="UY BAN NHAN DAN TINH BINH DUONG", code_notation="ubnd-vp")
    with pytest.raises(services.DuplicateDocument) as caught:
        services.register_incoming(agency=world.agency, data=same, by=world.clerk)
    assert caught.value.existing == first
    assert _snapshot() == before
    confirmed = services.register_incoming(
        agency=world.agency, data=same, confirm_duplicate=True, by=world.clerk
    )
    assert confirmed.duplicate_of == first and confirmed.arrival_number == 2
    # Another agency's register is its own: no duplicate there.
    other_clerk = world.outsider
    elsewhere = services.register_incoming(agency=world.other_agency, data=data(), by=other_clerk)
    assert elsewhere.arrival_number == 1 and elsewhere.duplicate_of is None


def test_bad_input_and_wrong_people_leave_nothing_behind(world: World) -> None:
    before = _snapshot()
    with pytest.raises(ValidationError) as caught:
        services.register_incoming(
            agency=world.agency,
            data=data(
                issuer=" ",
                subject="",
                issued_date=timezone.localdate() + datetime.timedelta(days=2),
            ),
            by=world.clerk,
        )
    assert set(caught.value.message_dict) == {"issuer", "subject", "issued_date"}
    for user in (world.leader, world.specialist_a, world.outsider):
        with pytest.raises(PermissionDenied):
            services.register_incoming(agency=world.agency, data=data(), by=user)
    assert _snapshot() == before


def _registered(world: World, **overrides: object) -> IncomingDocument:
    return services.register_incoming(agency=world.agency, data=data(**overrides), by=world.clerk)


def test_the_leader_assigns_units_with_tasks_and_a_deadline(world: World) -> None:
    document = _registered(world)
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    services.assign(
        document,
        lead_unit=world.division_a,
        cooperating=[world.division_b],
        deadline=deadline,
        instruction="Phòng HCTP chủ trì, tham mưu trả lời.",
        by=world.leader,
    )
    document.refresh_from_db()
    assert document.status == IncomingDocument.Status.ASSIGNED
    assert (
        document.deadline is not None and timezone.localtime(document.deadline).date() == deadline
    )
    parts = {(a.unit, a.part) for a in document.assignments.all()}
    assert parts == {(world.division_a, "lead"), (world.division_b, "cooperate")}
    lead_task = document.assignments.get(part="lead").task
    assert lead_task is not None
    assert (lead_task.org_unit, lead_task.role, lead_task.due_at) == (
        world.division_a,
        Role.SPECIALIST,
        document.deadline,
    )
    assert document.presentation_task is not None
    document.presentation_task.refresh_from_db()
    assert document.presentation_task.status == Task.Status.DONE
    assert OutboxEvent.objects.filter(type="document.assigned").count() == 1
    assert list(document.opinions.values_list("text", flat=True)) == [
        "Phòng HCTP chủ trì, tham mưu trả lời."
    ]


def test_only_a_leader_assigns_and_only_units_of_the_agency(world: World) -> None:
    document = _registered(world)
    tasks = Task.objects.count()
    with pytest.raises(PermissionDenied):
        services.assign(document, lead_unit=world.division_a, by=world.clerk)
    with pytest.raises(ValidationError) as caught:
        services.assign(
            document,
            lead_unit=world.other_agency,
            cooperating=[world.division_a],
            informed=[world.division_a],
            deadline=timezone.localdate() - datetime.timedelta(days=1),
            by=world.leader,
        )
    assert set(caught.value.message_dict) == {"lead_unit", "cooperating", "deadline"}
    document.refresh_from_db()
    assert document.status == IncomingDocument.Status.PRESENTED
    assert not Assignment.objects.exists() and Task.objects.count() == tasks
    services.assign(document, lead_unit=world.division_a, by=world.leader)
    with pytest.raises(services.WrongState):
        services.assign(document, lead_unit=world.division_b, by=world.leader)


def test_opinions_close_the_cooperating_task_and_the_lead_completes(world: World) -> None:
    document = _registered(world)
    services.assign(
        document, lead_unit=world.division_a, cooperating=[world.division_b], by=world.leader
    )
    services.add_opinion(document, text="Phòng BTTP thống nhất.", by=world.specialist_b)
    coop = document.assignments.get(part="cooperate").task
    assert coop is not None
    coop.refresh_from_db()
    assert coop.status == Task.Status.DONE
    with pytest.raises(PermissionDenied):
        services.complete(document, result="Xong", by=world.specialist_b)
    with pytest.raises(ValidationError):
        services.complete(document, result=" ", by=world.specialist_a)
    services.complete(document, result="Đã tham mưu văn bản trả lời.", by=world.specialist_a)
    document.refresh_from_db()
    assert document.status == IncomingDocument.Status.DONE
    lead = document.assignments.get(part="lead").task
    assert lead is not None
    lead.refresh_from_db()
    assert lead.status == Task.Status.DONE and lead.completed_by == world.specialist_a
    assert [o.kind for o in document.opinions.all()] == [Opinion.Kind.OPINION, Opinion.Kind.RESULT]
    assert OutboxEvent.objects.filter(type="document.completed").count() == 1
    with pytest.raises(services.WrongState):
        services.complete(document, result="Lần nữa", by=world.specialist_a)


def test_follow_up_records_a_reminder_in_the_lead_units_inbox(world: World) -> None:
    document = _registered(world)
    with pytest.raises(services.WrongState):
        services.follow_up(document, message="", by=world.clerk)
    services.assign(document, lead_unit=world.division_a, by=world.leader)
    with pytest.raises(PermissionDenied):
        services.follow_up(document, message="", by=world.specialist_b)
    services.follow_up(document, message="Đề nghị báo cáo trước thứ Sáu.", by=world.clerk)
    reminder = Task.objects.get(title__startswith="Đôn đốc")
    assert (reminder.org_unit, reminder.status) == (world.division_a, Task.Status.OPEN)
    assert document.opinions.get(kind="follow_up").text == "Đề nghị báo cáo trước thứ Sáu."


def test_overdue_marker(world: World) -> None:
    document = _registered(world)
    services.assign(
        document,
        lead_unit=world.division_a,
        deadline=timezone.localdate() + datetime.timedelta(days=1),
        by=world.leader,
    )
    IncomingDocument.objects.filter(pk=document.pk).update(
        deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    document.refresh_from_db()
    assert document.is_overdue
    assert list(selectors.incoming_list(world.clerk, overdue=True)) == [document]
    services.complete(document, result="Xong muộn", by=world.specialist_a)
    document.refresh_from_db()
    assert not document.is_overdue


def test_visibility_by_unit_and_secrecy(world: World) -> None:
    normal = _registered(world)
    secret = _registered(world, code_number="9", secrecy=Secrecy.CONFIDENTIAL)
    services.assign(secret, lead_unit=world.division_a, by=world.leader)

    def seen(user: object) -> set[int]:
        return set(IncomingDocument.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(world.clerk) == seen(world.leader) == {normal.pk, secret.pk}
    assert seen(world.agency_specialist) == {normal.pk}  # agency staff: not the secret one
    assert seen(world.specialist_a) == {secret.pk}  # a division: what it was assigned
    assert seen(world.specialist_b) == set()
    assert seen(world.outsider) == set()
    found = selectors.search_documents(world.agency_specialist, q="cai cach hanh chinh")
    assert [r.object_id for r in found.items] == [normal.pk]
    found = selectors.search_documents(world.specialist_a, q="cai cach")
    assert [r.object_id for r in found.items] == [secret.pk]
    # The platform-wide search never shows the secret one to agency staff.
    from lienthong.search import services as kernel

    hits = kernel.search("cai cach", user=world.agency_specialist)
    assert [h.object_id for h in hits] == [
        str(DocumentIndex.objects.get(object_id=normal.pk, direction="incoming").pk)
    ]


def test_search_filters(world: World) -> None:
    letter = _registered(world)
    decision = _registered(
        world,
        code_number="45",
        code_notation="QĐ-UBND",
        document_type=__import__(
            "lienthong.documents.models", fromlist=["DocumentType"]
        ).DocumentType.objects.get(code="QĐ"),
        subject="Quyết định phê duyệt kế hoạch chuyển đổi số",
        issuer="Bộ Nội vụ",
        urgency=2,
    )
    clerk = world.clerk

    def ids(**filters: object) -> list[int]:
        return [r.object_id for r in selectors.search_documents(clerk, **filters).items]  # type: ignore[arg-type]

    assert ids() == [decision.pk, letter.pk]
    assert ids(type_code="QĐ") == [decision.pk]
    assert ids(issuer="noi vu") == [decision.pk]
    assert ids(urgency=2) == [decision.pk]
    assert ids(q="chuyen doi so") == [decision.pk]
    assert ids(q="45/QĐ-UBND") == [decision.pk]
    assert ids(direction="outgoing") == []
    assert ids(year=timezone.localdate().year - 1) == []
    with pytest.raises(ValidationError):
        selectors.search_documents(clerk, direction="sideways")
    with pytest.raises(ValidationError):
        selectors.search_documents(clerk, q="!!!")
    assert searching.remove_document(decision.pk, direction="incoming")
    assert ids() == [letter.pk]
