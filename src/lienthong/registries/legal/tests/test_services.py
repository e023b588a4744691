"""Services: who may edit, what a write leaves behind (audit, events, index), statuses that
follow dates and relations, and relations edited by hand."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.legal import fulltext, services
from lienthong.registries.legal.models import (
    DocumentRelation,
    DocumentStatus,
    LegalDocument,
    RelationKind,
    RelationOrigin,
)
from lienthong.registries.legal.parsing import DocumentData
from lienthong.registries.legal.selectors import search_documents

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 26)


def _data(number: str = "15/2026/QĐ-UBND", **extra: object) -> DocumentData:
    values: dict[str, object] = {
        "number": number,
        "doc_type": "decision",
        "issuer": "Ủy ban nhân dân tỉnh",
        "title": "Quyết định ban hành quy chế tiếp công dân",
        "text": "Điều 1. Ban hành kèm theo Quyết định này Quy chế tiếp công dân.\n",
        "issued_date": datetime.date(2026, 3, 2),
        "effective_date": datetime.date(2026, 3, 15),
    }
    values.update(extra)
    return DocumentData(**values)  # type: ignore[arg-type]


def _state() -> tuple[int, int, int, int]:
    return (
        LegalDocument.objects.count(),
        DocumentRelation.objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
    )


def test_a_registry_owner_adds_a_document_audited_indexed_and_announced(
    editor: User, owner: OrgUnit
) -> None:
    document = services.create_document(_data(), owner=owner, by=editor)
    assert document.slug == "15-2026-qd-ubnd" and document.number_key == "15 2026 qd ubnd"
    assert document.created_by == editor and document.owner == owner
    entry = AuditEntry.objects.of_object(document).get(action="legal.document.create")
    assert entry.actor_id == editor.pk and entry.before is None and entry.after is not None
    assert "text" not in entry.after and entry.after["text_length"] == len(document.text)
    event = OutboxEvent.objects.get(type="legal.document.created")
    assert event.subject == "15/2026/QĐ-UBND"
    assert fulltext.is_indexed(document.pk)
    assert search_documents("quy che tiep cong dan").hits[0].document == document


def test_a_user_without_the_role_or_outside_the_unit_writes_nothing(
    specialist: User, other_editor: User, citizen: User, owner: OrgUnit, editor: User
) -> None:
    for user in (specialist, citizen):
        with pytest.raises(PermissionDenied):
            services.create_document(_data(), owner=owner, by=user)
    # a registry owner of another unit cannot file a document under this one
    with pytest.raises(ValidationError) as caught:
        services.create_document(_data(), owner=owner, by=other_editor)
    assert "owner" in caught.value.message_dict
    document = services.create_document(_data(), owner=owner, by=editor)
    before = _state()
    for user in (specialist, citizen, other_editor):
        with pytest.raises(PermissionDenied):
            services.update_document(document, title="Đổi tên", by=user)
        with pytest.raises(PermissionDenied):
            services.delete_document(document, by=user)
        with pytest.raises(PermissionDenied):
            services.add_relation(
                document, kind=RelationKind.AMENDS, target_number="1/2020/QĐ-UBND", by=user
            )
    assert _state() == before
    document.refresh_from_db()
    assert document.title == "Quyết định ban hành quy chế tiếp công dân"


def test_a_registry_owner_of_a_unit_above_edits_documents_below(owner: OrgUnit) -> None:
    from lienthong.accounts.models import Role
    from lienthong.core.testing import make_org_unit, make_user

    division = make_org_unit("Phòng Văn bản", parent=owner, is_agency=False)
    department_head = make_user("truongso", roles=[(Role.REGISTRY_OWNER, owner)])
    document = services.create_document(_data(), owner=division, by=None)
    assert services.can_edit(department_head, document)
    assert not services.can_edit(
        make_user("x", roles=[(Role.REGISTRY_OWNER, division)]), owner_doc(owner)
    )


def owner_doc(owner: OrgUnit) -> LegalDocument:
    return services.create_document(_data("16/2026/QĐ-UBND"), owner=owner, by=None)


def test_documents_without_owner_are_edited_by_superusers_only(editor: User) -> None:
    from lienthong.core.testing import make_user

    document = services.create_document(_data(), owner=None, by=None)
    assert not services.can_edit(editor, document)
    admin = make_user("root", is_superuser=True, kind=User.Kind.OFFICIAL)
    assert services.can_edit(admin, document)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": ""}, "number"),
        ({"number": "QĐ-UBND"}, "number"),
        ({"title": "  "}, "title"),
        ({"doc_type": "memo"}, "doc_type"),
        ({"effective_date": datetime.date(2026, 1, 1)}, "effective_date"),
        ({"expiry_date": datetime.date(2026, 3, 15)}, "expiry_date"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
    ],
)
def test_bad_values_are_refused_with_a_message_per_field(
    editor: User, owner: OrgUnit, changes: dict[str, object], field: str
) -> None:
    document = services.create_document(_data(), owner=owner, by=editor)
    before = _state()
    with pytest.raises(ValidationError) as caught:
        services.update_document(document, by=editor, **changes)
    assert field in caught.value.message_dict
    assert _state() == before


def test_a_number_taken_even_by_a_deleted_document_is_refused(editor: User, owner: OrgUnit) -> None:
    document = services.create_document(_data(), owner=owner, by=editor)
    with pytest.raises(ValidationError, match="Đã có văn bản số 15/2026/QĐ-UBND"):
        services.create_document(_data("15/2026/qđ-ubnd"), owner=owner, by=editor)
    services.delete_document(document, by=editor)
    with pytest.raises(ValidationError, match="đã bị xóa; hãy khôi phục"):
        services.create_document(_data(), owner=owner, by=editor)


def test_status_follows_the_dates() -> None:
    law = LegalDocument(effective_date=datetime.date(2027, 1, 1))
    assert services.compute_status(law, [], today=TODAY) == DocumentStatus.NOT_YET_IN_FORCE
    law = LegalDocument(effective_date=datetime.date(2020, 1, 1), expiry_date=TODAY)
    assert services.compute_status(law, [], today=TODAY) == DocumentStatus.EXPIRED
    law = LegalDocument(effective_date=datetime.date(2020, 1, 1))
    assert services.compute_status(law, [], today=TODAY) == DocumentStatus.IN_FORCE
    replaced = [(RelationKind.REPLACES, datetime.date(2026, 1, 1))]
    assert services.compute_status(law, replaced, today=TODAY) == DocumentStatus.EXPIRED
    # a replacing law not yet in force leaves the old one in force
    later = [(RelationKind.REPLACES, datetime.date(2027, 1, 1))]
    assert services.compute_status(law, later, today=TODAY) == DocumentStatus.IN_FORCE
    amended = [(RelationKind.AMENDS, None), (RelationKind.GUIDES, None)]
    assert services.compute_status(law, amended, today=TODAY) == DocumentStatus.PARTLY_AMENDED
    assert services.compute_status(law, [(RelationKind.BASED_ON, None)], today=TODAY) == (
        DocumentStatus.IN_FORCE
    )


def test_relations_by_hand_move_the_status_and_a_set_status_stays(
    editor: User, owner: OrgUnit
) -> None:
    old = services.create_document(
        _data("1/2020/QĐ-UBND", title="Quy chế cũ"), owner=owner, by=editor
    )
    new = services.create_document(_data(), owner=owner, by=editor)
    relation = services.add_relation(
        new, kind=RelationKind.REPLACES, target_number="01/2020/qđ-ubnd", note="Điều 3", by=editor
    )
    assert relation.target == old and relation.origin == RelationOrigin.MANUAL
    old.refresh_from_db()
    assert old.status == DocumentStatus.EXPIRED
    assert OutboxEvent.objects.filter(type="legal.document.status_changed").count() == 1
    with pytest.raises(ValidationError, match="Quan hệ này đã có"):
        services.add_relation(
            new, kind=RelationKind.REPLACES, target_number="1/2020/QĐ-UBND", by=editor
        )
    with pytest.raises(ValidationError, match="chính nó"):
        services.add_relation(new, kind=RelationKind.AMENDS, target_number=new.number, by=editor)
    services.remove_relation(relation, by=editor)
    old.refresh_from_db()
    assert old.status == DocumentStatus.IN_FORCE
    # a status set by hand is kept, whatever the relations say
    services.update_document(old, status=DocumentStatus.EXPIRED, by=editor)
    old.refresh_from_db()
    assert old.status_locked and old.status == DocumentStatus.EXPIRED
    assert services.refresh_statuses(today=TODAY) == []
    services.update_document(old, status_locked=False, by=editor)
    old.refresh_from_db()
    assert old.status == DocumentStatus.IN_FORCE and not old.status_locked


def test_a_parsed_relation_removed_by_an_editor_stays_removed_when_the_text_changes(
    complaints: dict[str, LegalDocument], editor: User
) -> None:
    reception = complaints["42-2013-qh13"]
    relation = reception.relations.get(target_number="02/2011/QH13")
    assert relation.origin == RelationOrigin.PARSED
    services.remove_relation(relation, by=editor)
    relation.refresh_from_db()
    assert relation.rejected
    assert complaints["02-2011-qh13"].__class__.objects.get(
        pk=complaints["02-2011-qh13"].pk
    ).status == (DocumentStatus.IN_FORCE)
    services.update_document(reception, text=reception.text + "\nGhi chú.", by=editor)
    relation.refresh_from_db()
    assert relation.rejected
    # entering it again by hand brings it back
    services.add_relation(
        reception, kind=RelationKind.PARTLY_REPLACES, target_number="02/2011/QH13", by=editor
    )
    relation.refresh_from_db()
    assert not relation.rejected


def test_deleting_hides_and_restoring_brings_back_with_history(
    complaints: dict[str, LegalDocument], editor: User
) -> None:
    reception = complaints["42-2013-qh13"]
    complaints_law = complaints["02-2011-qh13"]
    assert complaints_law.status == DocumentStatus.PARTLY_AMENDED
    services.delete_document(reception, by=editor)
    reception.refresh_from_db()
    assert reception.deleted_by == editor and not fulltext.is_indexed(reception.pk)
    complaints_law.refresh_from_db()
    # the deleted law's relations no longer count
    assert complaints_law.status == DocumentStatus.IN_FORCE
    services.restore_document(reception, by=editor)
    complaints_law.refresh_from_db()
    assert complaints_law.status == DocumentStatus.PARTLY_AMENDED
    actions = list(AuditEntry.objects.of_object(reception).values_list("action", flat=True))
    assert actions[-2:] == ["legal.document.delete", "legal.document.restore"]
    types = list(OutboxEvent.objects.values_list("type", flat=True))
    assert "legal.document.deleted" in types and "legal.document.restored" in types


def test_changing_the_number_moves_the_relations_that_name_it(
    complaints: dict[str, LegalDocument], editor: User
) -> None:
    complaints_law = complaints["02-2011-qh13"]
    services.update_document(complaints_law, number="02/2011/QH13-X", by=editor)
    complaints_law.refresh_from_db()
    assert complaints_law.slug == "02-2011-qh13-x"
    assert not complaints_law.incoming.exists()
    assert complaints_law.status == DocumentStatus.IN_FORCE
    assert search_documents("02/2011/QH13-X").hits[0].document == complaints_law


def test_nothing_is_written_when_nothing_changes(
    complaints: dict[str, LegalDocument], editor: User
) -> None:
    law = complaints["02-2011-qh13"]
    before = _state()
    services.update_document(law, title=law.title, issuer=law.issuer, by=editor)
    assert _state() == before
