"""Writes to the legal registry: documents, relations, statuses, and loading a corpus folder.

Every service runs in one transaction (`@service`), checks that `by` may edit (`by=None` is
the platform itself: a command or the demo seed), writes, records the audit entry, keeps the
full-text index in step and publishes an outbox event (`legal.document.created`, `.updated`,
`.deleted`, `.restored`, `.relations_changed`, `.status_changed`).

Who edits: superusers, and officials holding the registry-owner role (`Role.REGISTRY_OWNER`,
"Quản lý cơ sở dữ liệu") for the document's owner agency or a unit above it. A new document
belongs to a unit where its author holds that role. Documents without an owner (loaded by the
platform without `--owner`) are edited by superusers only. Everybody reads.

Status (`compute_status`), unless a person set it (`status_locked`): not yet in force before
the effective date; expired on the expiry date, or once a document in force that replaces it
has taken effect; partly amended once a document in force amends it or ends part of it;
in force otherwise. Statuses move with time: `refresh_statuses()` (`lienthong legal
refresh-status`, daily) recomputes them.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role
from lienthong.core.audit import audited, record, service
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.permissions import is_real_user
from lienthong.exchange.outbox import publish
from lienthong.registries.base.services import can_edit_for, version_values
from lienthong.registries.legal import fulltext
from lienthong.registries.legal.models import (
    DocumentRelation,
    DocumentStatus,
    DocumentType,
    LegalDocument,
    RelationKind,
    RelationOrigin,
)
from lienthong.registries.legal.numbers import folded_name, number_key, number_slug
from lienthong.registries.legal.parsing import (
    DocumentData,
    FoundRelation,
    FrontMatterError,
    extract_relations,
    read_file,
)

#: The role that edits registries (granted per org unit, covering the units below).
EDITOR_ROLE = Role.REGISTRY_OWNER
#: Fields a person may change on a document (services and forms share the list).
EDITABLE_FIELDS = (
    "number",
    "doc_type",
    "issuer",
    "issued_date",
    "effective_date",
    "expiry_date",
    "effective_note",
    "title",
    "text",
    "status",
    "status_locked",
    "source",
    "source_url",
    "text_form",
    "owner",
)
_INDEXED_FIELDS = frozenset({"number", "title", "text"})
#: Relations that change the status of their target, and to what.
_STATUS_EFFECT: dict[str, str] = {
    RelationKind.REPLACES: DocumentStatus.EXPIRED,
    RelationKind.AMENDS: DocumentStatus.PARTLY_AMENDED,
    RelationKind.PARTLY_REPLACES: DocumentStatus.PARTLY_AMENDED,
}


# --- Permissions ----------------------------------------------------------------------------


def editor_units(user: Any) -> QuerySet[OrgUnit]:
    """Org units where `user` holds the registry-owner role (the owners they may choose)."""
    if not is_real_user(user) or not getattr(user, "is_official", False):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        role_assignments__user=user, role_assignments__role=EDITOR_ROLE
    ).distinct()


def can_edit_registry(user: Any) -> bool:
    """Whether `user` may add documents: a superuser, or a registry owner of some unit."""
    if not is_real_user(user):
        return False
    return bool(user.is_superuser or editor_units(user).exists())


def can_edit(user: Any, document: LegalDocument) -> bool:
    """Whether `user` may change, delete or restore `document`."""
    if not is_real_user(user):
        return False
    if user.is_superuser:
        return True
    if document.owner_id is None or not getattr(user, "is_official", False):
        return False
    owner = document.owner
    return bool(owner is not None and user.has_role(EDITOR_ROLE, owner))


def _require_registry(by: Any) -> None:
    if by is not None and not can_edit_registry(by):
        raise PermissionDenied(_("Bạn không có quyền cập nhật cơ sở dữ liệu văn bản."))


def _require(by: Any, document: LegalDocument) -> None:
    if by is not None and not can_edit(by, document):
        raise PermissionDenied(_("Bạn không có quyền sửa văn bản này."))


# --- Checks ---------------------------------------------------------------------------------


def check_document(values: dict[str, Any], *, instance: LegalDocument | None = None) -> None:
    """Raise ValidationError (field → Vietnamese message) if the values cannot be saved."""
    errors: dict[str, str] = {}
    number = (values.get("number") or "").strip()
    key = number_key(number)
    if not number:
        errors["number"] = _("Hãy nhập số, ký hiệu văn bản.")
    elif not any(ch.isdigit() for ch in key):
        errors["number"] = _("Số, ký hiệu phải có chữ số, ví dụ 02/2011/QH13.")
    elif len(number) > 100 or len(key) > 120:
        errors["number"] = _("Số, ký hiệu quá dài.")
    else:
        clash = LegalDocument.objects.filter(number_key=key)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        other = clash.first()
        if other is not None:
            errors["number"] = (
                _("Văn bản số %(number)s đã bị xóa; hãy khôi phục văn bản đó.")
                if other.is_deleted
                else _("Đã có văn bản số %(number)s.")
            ) % {"number": other.number}
    if not (values.get("title") or "").strip():
        errors["title"] = _("Hãy nhập trích yếu (tên) văn bản.")
    if values.get("doc_type") not in DocumentType.values:
        errors["doc_type"] = _("Loại văn bản không hợp lệ.")
    if not (values.get("issuer") or "").strip():
        errors["issuer"] = _("Hãy nhập cơ quan ban hành.")
    status = values.get("status")
    if status and status not in DocumentStatus.values:
        errors["status"] = _("Tình trạng hiệu lực không hợp lệ.")
    issued, effective, expiry = (
        values.get("issued_date"),
        values.get("effective_date"),
        values.get("expiry_date"),
    )
    if issued and effective and effective < issued:
        errors["effective_date"] = _("Ngày có hiệu lực không được trước ngày ban hành.")
    start = effective or issued
    if start and expiry and expiry <= start:
        errors["expiry_date"] = _("Ngày hết hiệu lực phải sau ngày có hiệu lực.")
    if errors:
        raise ValidationError(errors)


def _full_clean(document: LegalDocument) -> None:
    # Uniqueness is checked by `check_document` with a Vietnamese message naming the number.
    document.full_clean(validate_unique=False, exclude=["number_key", "slug", "source_digest"])


# --- Status ---------------------------------------------------------------------------------


def _in_effect(effective: datetime.date | None, today: datetime.date) -> bool:
    return effective is None or effective <= today


def compute_status(
    document: LegalDocument,
    incoming: Iterable[tuple[str, datetime.date | None]],
    *,
    today: datetime.date | None = None,
) -> str:
    """The status the dates and the incoming relations (kind, source's effective date) give."""
    today = today or timezone.localdate()
    if document.effective_date and document.effective_date > today:
        return DocumentStatus.NOT_YET_IN_FORCE
    if document.expiry_date and document.expiry_date <= today:
        return DocumentStatus.EXPIRED
    effects = {
        _STATUS_EFFECT[kind]
        for kind, effective in incoming
        if kind in _STATUS_EFFECT and _in_effect(effective, today)
    }
    if DocumentStatus.EXPIRED in effects:
        return DocumentStatus.EXPIRED
    if DocumentStatus.PARTLY_AMENDED in effects:
        return DocumentStatus.PARTLY_AMENDED
    return DocumentStatus.IN_FORCE


def _incoming(document_ids: Iterable[int]) -> dict[int, list[tuple[str, datetime.date | None]]]:
    rows = (
        DocumentRelation.objects.shown()
        .filter(target_id__in=list(document_ids), kind__in=list(_STATUS_EFFECT))
        .values_list("target_id", "kind", "source__effective_date")
    )
    found: dict[int, list[tuple[str, datetime.date | None]]] = defaultdict(list)
    for target_id, kind, effective in rows:
        found[target_id].append((kind, effective))
    return found


def _update_statuses(documents: Iterable[LegalDocument], today: datetime.date) -> list[str]:
    """Recompute the status of unlocked, alive documents; returns the numbers that changed."""
    documents = [d for d in documents if not d.status_locked and not d.is_deleted]
    incoming = _incoming(d.pk for d in documents)
    changed = []
    for document in documents:
        status = compute_status(document, incoming.get(document.pk, ()), today=today)
        if status == document.status:
            continue
        old = document.status
        with audited("legal.document.status", document):
            document.status = status
            document.save(update_fields=["status", "updated_at"])
        publish(
            "legal.document.status_changed",
            subject=document.number,
            data={"id": document.pk, "number": document.number, "from": old, "to": status},
        )
        changed.append(document.number)
    return changed


def _affected_targets(document: LegalDocument) -> list[LegalDocument]:
    """The document and those its relations point at: whose status a change may move."""
    ids = {document.pk}
    ids.update(document.relations.filter(target__isnull=False).values_list("target_id", flat=True))
    return list(LegalDocument.objects.filter(pk__in=ids))


@service
def refresh_statuses(*, today: datetime.date | None = None, by: Any = None) -> list[str]:
    """Recompute every unlocked status (time passes: a law takes effect); returns changes."""
    _require_registry(by)
    today = today or timezone.localdate()
    documents = LegalDocument.objects.alive().filter(status_locked=False)
    return _update_statuses(documents, today)


# --- Relations ------------------------------------------------------------------------------


def _relation_data(relation: DocumentRelation) -> dict[str, Any]:
    return {
        "kind": relation.kind,
        "target_number": relation.target_number,
        "target_id": relation.target_id,
        "origin": relation.origin,
        "rejected": relation.rejected,
        "note": relation.note,
    }


def resolve_name(
    name: str, *, date: datetime.date | None, before: datetime.date | None
) -> LegalDocument | None:
    """The registry's document called `name` (issued on `date`, or the latest before `before`)."""
    wanted = folded_name(name)
    candidates = LegalDocument.objects.alive()
    if date is not None:
        candidates = candidates.filter(issued_date=date)
    elif before is not None:
        candidates = candidates.filter(Q(issued_date__lte=before) | Q(issued_date__isnull=True))
    matches = [d for d in candidates.order_by("-issued_date") if folded_name(d.title) == wanted]
    return matches[0] if matches else None


def _link_targets(keys: Iterable[str] | None = None) -> int:
    """Point relations kept by number at the document of that number, where it exists."""
    relations = DocumentRelation.objects.filter(target__isnull=True)
    if keys is not None:
        relations = relations.filter(target_key__in=list(keys))
    linked = 0
    by_key = dict(
        LegalDocument.objects.filter(
            number_key__in=relations.values_list("target_key", flat=True)
        ).values_list("number_key", "pk")
    )
    for key, pk in by_key.items():
        linked += relations.filter(target_key=key).update(target_id=pk)
    return linked


def _write_parsed_relations(document: LegalDocument) -> tuple[int, int]:
    """Replace the document's parsed relations by those its text states now.

    Manual relations stay; a parsed relation an editor removed stays removed. Returns
    (relations written, names not found in the registry).
    """
    found = extract_relations(document.text, title=document.title, number=document.number)
    wanted: dict[tuple[str, str], FoundRelation] = {}
    unresolved = 0
    for relation in found:
        number = relation.number
        if not number:
            target = resolve_name(relation.name, date=relation.date, before=document.issued_date)
            if target is None or target.pk == document.pk:
                unresolved += 1
                continue
            number = target.number
        key = number_key(number)
        if key and key != document.number_key:
            wanted.setdefault((relation.kind, key), dataclasses.replace(relation, number=number))
    existing = {(r.kind, r.target_key): r for r in document.relations.all()}
    before = sorted(
        (_relation_data(r) for r in existing.values() if r.origin == RelationOrigin.PARSED),
        key=lambda d: (d["kind"], d["target_number"]),
    )
    stale = [
        r.pk
        for k, r in existing.items()
        if r.origin == RelationOrigin.PARSED and not r.rejected and k not in wanted
    ]
    DocumentRelation.objects.filter(pk__in=stale).delete()
    created = []
    for (kind, key), relation in wanted.items():
        if (kind, key) in existing:
            continue  # parsed before, entered by hand, or removed by an editor: keep as is
        created.append(
            DocumentRelation(
                source=document,
                kind=kind,
                target_number=relation.number,
                target_key=key,
                note=relation.note,
                origin=RelationOrigin.PARSED,
            )
        )
    DocumentRelation.objects.bulk_create(created)
    _link_targets({r.target_key for r in created})
    if stale or created:
        after = sorted(
            (_relation_data(r) for r in document.relations.filter(origin=RelationOrigin.PARSED)),
            key=lambda d: (d["kind"], d["target_number"]),
        )
        record(
            "legal.document.relations_parsed",
            document,
            before={"relations": before},
            after={"relations": after},
        )
    return len(created), unresolved


def _publish(event: str, document: LegalDocument, **extra: Any) -> None:
    data: dict[str, Any] = {"id": document.pk, "number": document.number, **extra}
    publish(f"legal.document.{event}", subject=document.number, data=data)


@service
def add_relation(
    document: LegalDocument,
    *,
    kind: str,
    target_number: str,
    note: str = "",
    by: Any = None,
) -> DocumentRelation:
    """Record by hand that `document` acts on the document numbered `target_number`."""
    _require(by, document)
    document = LegalDocument.objects.select_for_update().get(pk=document.pk)
    errors: dict[str, str] = {}
    if kind not in RelationKind.values:
        errors["kind"] = _("Loại quan hệ không hợp lệ.")
    target_number = " ".join((target_number or "").split())
    key = number_key(target_number)
    if not any(ch.isdigit() for ch in key) or len(target_number) > 100:
        errors["target_number"] = _(
            "Số, ký hiệu văn bản liên quan không hợp lệ (ví dụ 02/2011/QH13)."
        )
    elif key == document.number_key:
        errors["target_number"] = _("Văn bản không thể có quan hệ với chính nó.")
    existing = document.relations.filter(kind=kind, target_key=key).first()
    if existing is not None and not existing.rejected and "kind" not in errors:
        errors["target_number"] = _("Quan hệ này đã có.")
    if errors:
        raise ValidationError(errors)
    if existing is not None:
        relation = existing
        relation.rejected = False
        relation.note = note or relation.note
        relation.save(update_fields=["rejected", "note"])
    else:
        relation = DocumentRelation.objects.create(
            source=document,
            kind=kind,
            target_number=target_number,
            target_key=key,
            note=note,
            origin=RelationOrigin.MANUAL,
            created_by=by,
        )
        _link_targets({key})
        relation.refresh_from_db()
    record("legal.relation.add", document, after=_relation_data(relation))
    _update_statuses(_affected_targets(document), timezone.localdate())
    _publish("relations_changed", document, added=relation.target_number, kind=kind)
    return relation


@service
def remove_relation(relation: DocumentRelation, *, by: Any = None) -> None:
    """Remove a relation; a parsed one is kept as removed so that reloading keeps it away."""
    document = relation.source
    _require(by, document)
    relation = DocumentRelation.objects.select_for_update().get(pk=relation.pk)
    before = _relation_data(relation)
    target_id = relation.target_id
    if relation.origin == RelationOrigin.PARSED:
        relation.rejected = True
        relation.save(update_fields=["rejected"])
    else:
        relation.delete()
    record("legal.relation.remove", document, before=before)
    if target_id is not None:
        _update_statuses(LegalDocument.objects.filter(pk=target_id), timezone.localdate())
    _publish("relations_changed", document, removed=before["target_number"], kind=before["kind"])


# --- Documents ------------------------------------------------------------------------------


def _values_of(data: DocumentData) -> dict[str, Any]:
    values: dict[str, Any] = {
        "number": " ".join(data.number.split()),
        "doc_type": data.doc_type,
        "issuer": data.issuer,
        "issued_date": data.issued_date,
        "effective_date": data.effective_date,
        "expiry_date": data.expiry_date,
        "effective_note": data.effective_note,
        "title": data.title,
        "text": data.text,
        "source": data.source,
        "source_url": data.source_url,
        "text_form": data.text_form,
    }
    if data.status:
        values["status"] = data.status
        values["status_locked"] = True
    return values


def _create(
    values: dict[str, Any], *, owner: OrgUnit | None, by: Any, digest: str = ""
) -> LegalDocument:
    check_document(values)
    document = LegalDocument(
        **values,
        number_key=number_key(values["number"]),
        slug=number_slug(values["number"]),
        owner=owner,
        created_by=by,
        updated_by=by,
        source_digest=digest,
    )
    _full_clean(document)
    with audited("legal.document.create", document):
        document.save()
    fulltext.index_document(document)
    return document


def _update(
    document: LegalDocument, values: dict[str, Any], *, by: Any, digest: str | None = None
) -> list[str]:
    """Change the fields that differ; returns their names (nothing written if none)."""
    changed = {
        name: value
        for name, value in values.items()
        if (document.owner_id if name == "owner" else getattr(document, name))
        != (value.pk if name == "owner" and value is not None else value)
    }
    if "status" in changed and "status_locked" not in values:
        changed["status_locked"] = True  # a person who sets the status means it
    if not changed and (digest is None or digest == document.source_digest):
        return []
    merged = {name: getattr(document, name) for name in EDITABLE_FIELDS}
    merged.update(changed)
    check_document(merged, instance=document)
    with audited("legal.document.update", document):
        for name, value in changed.items():
            setattr(document, name, value)
        if "number" in changed:
            document.number = " ".join(document.number.split())
            document.number_key = number_key(document.number)
            document.slug = number_slug(document.number)
        if digest is not None:
            document.source_digest = digest
        document.updated_by = by
        _full_clean(document)
        document.save()
    if _INDEXED_FIELDS & changed.keys() and not document.is_deleted:
        fulltext.index_document(document)
    return sorted(changed)


@service
def create_document(
    data: DocumentData, *, owner: OrgUnit | None = None, by: Any = None
) -> LegalDocument:
    """Add a document; its relations are read from its text, and statuses follow."""
    _require_registry(by)
    if by is not None and not by.is_superuser:
        allowed = editor_units(by)
        if owner is None or not allowed.filter(pk=owner.pk).exists():
            raise ValidationError(
                {"owner": _("Hãy chọn cơ quan quản lý là đơn vị bạn được giao quản lý dữ liệu.")}
            )
    document = _create(_values_of(data), owner=owner, by=by, digest=data.digest)
    _write_parsed_relations(document)
    _link_targets({document.number_key})
    _update_statuses(_affected_targets(document), timezone.localdate())
    _publish("created", document)
    return document


@service
def update_document(document: LegalDocument, *, by: Any = None, **changes: Any) -> LegalDocument:
    """Change a document's fields (`EDITABLE_FIELDS`); a new text is read for relations again.

    `status` set by hand locks it (`status_locked=True`); `status_locked=False` lets it be
    computed again.
    """
    _require(by, document)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    if "owner" in changes and by is not None and not by.is_superuser:
        owner = changes["owner"]
        if owner is None or not editor_units(by).filter(pk=owner.pk).exists():
            raise ValidationError(
                {"owner": _("Hãy chọn cơ quan quản lý là đơn vị bạn được giao quản lý dữ liệu.")}
            )
    document = LegalDocument.objects.select_for_update().get(pk=document.pk)
    before = {d.pk for d in _affected_targets(document)}
    changed = _update(document, changes, by=by)
    if not changed:
        return document
    if "number" in changed:
        # Relations that named the old number no longer point here; those naming the new do.
        DocumentRelation.objects.filter(target=document).exclude(
            target_key=document.number_key
        ).update(target=None)
        _link_targets({document.number_key})
    if {"text", "title", "number"} & set(changed):
        _write_parsed_relations(document)
    after = {d.pk for d in _affected_targets(document)}
    _update_statuses(LegalDocument.objects.filter(pk__in=before | after), timezone.localdate())
    _publish("updated", document, changed=changed)
    return document


@service
def revert_document(document: LegalDocument, *, entry: AuditEntry, by: Any = None) -> LegalDocument:
    """Put a document's fields back as one version of its history left them (an update).

    The text is kept as it is: the audit log holds only its SHA-256 and length.
    """
    if entry.object_type != document._meta.label_lower or entry.object_id != str(document.pk):
        raise ValidationError(_("Mục lịch sử này không thuộc văn bản đang sửa."))
    if document.is_deleted:
        raise ValidationError(_("Văn bản đã bị xóa; hãy khôi phục trước khi sửa."))
    values = version_values(cast(Any, document), entry)
    changes = {name: values[name] for name in EDITABLE_FIELDS if name in values}
    if "owner_id" in values:
        changes["owner"] = OrgUnit.objects.filter(pk=values["owner_id"]).first()
    return update_document(document, by=by, **changes)


@service
def delete_document(document: LegalDocument, *, by: Any = None) -> LegalDocument:
    """Soft-delete: hidden from lists, search and the API; restorable; history kept."""
    _require(by, document)
    document = LegalDocument.objects.select_for_update().get(pk=document.pk)
    if document.is_deleted:
        return document
    targets = [d for d in _affected_targets(document) if d.pk != document.pk]
    with audited("legal.document.delete", document):
        document.deleted_at = timezone.now()
        document.deleted_by = by
        document.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    fulltext.remove_document(document.pk)
    # Its relations no longer count for the documents it acted on.
    _update_statuses(targets, timezone.localdate())
    _publish("deleted", document)
    return document


@service
def restore_document(document: LegalDocument, *, by: Any = None) -> LegalDocument:
    """Bring a soft-deleted document back, with its index entry and relations."""
    _require(by, document)
    document = LegalDocument.objects.select_for_update().get(pk=document.pk)
    if not document.is_deleted:
        return document
    with audited("legal.document.restore", document):
        document.deleted_at = None
        document.deleted_by = None
        document.updated_by = by
        document.save(update_fields=["deleted_at", "deleted_by", "updated_by", "updated_at"])
    fulltext.index_document(document)
    _update_statuses(_affected_targets(document), timezone.localdate())
    _publish("restored", document)
    return document


@service
def create_imported(
    batches: Iterable[list[dict[str, Any]]], *, owner: OrgUnit, by: Any = None
) -> int:
    """Add the documents of a checked import file (`files.DOCUMENTS`); how many were added.

    Called by `registries.base.importing` inside the import's transaction, which records the
    file once (`registry.legal.import`, event `registry.legal.imported`). Each document is
    written as the pages write one — audit entry `legal.document.create` (so its history
    starts there), text, index — then the relations of the file's columns (entered by a
    person) and of the texts (once every document is in, so that names resolve), then the
    statuses of the documents and of those they act on.
    """
    if not can_edit_for(by, owner):
        raise PermissionDenied(_("Bạn không có quyền nhập dữ liệu cho cơ quan này."))
    created: list[int] = []
    stated: list[DocumentRelation] = []
    for batch in batches:
        for row in batch:
            values = dict(row)
            relations: dict[str, list[str]] = values.pop("relations", {})
            if values.get("status"):
                values["status_locked"] = True
            else:
                values.pop("status", None)
            document = _create(values, owner=owner, by=by)
            created.append(document.pk)
            stated += [
                DocumentRelation(
                    source_id=document.pk,
                    kind=kind,
                    target_number=number,
                    target_key=number_key(number),
                    origin=RelationOrigin.MANUAL,
                    created_by=by,
                )
                for kind, numbers in relations.items()
                for number in numbers
            ]
    DocumentRelation.objects.bulk_create(stated)
    # Read back one at a time: the texts of a large file are not all kept in memory.
    for document in LegalDocument.objects.filter(pk__in=created).iterator(chunk_size=50):
        _write_parsed_relations(document)
    _link_targets()
    touched = set(created)
    touched.update(
        DocumentRelation.objects.filter(source__in=created, target__isnull=False).values_list(
            "target_id", flat=True
        )
    )
    _update_statuses(LegalDocument.objects.filter(pk__in=touched), timezone.localdate())
    return len(created)


# --- Loading a folder -----------------------------------------------------------------------


class LoadError(Exception):
    """A folder with bad files: nothing was loaded (unless the valid files were asked for)."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        super().__init__("; ".join(report.errors))


@dataclass
class LoadReport:
    """What `load_folder` found and did, for the command's summary."""

    folder: str = ""
    files: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped_deleted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    relations: int = 0
    unresolved_names: int = 0
    statuses_changed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.statuses_changed)

    def summary(self) -> str:
        """One line in Vietnamese."""
        line = _(
            "%(files)d tệp: thêm %(created)d, cập nhật %(updated)d, không đổi %(unchanged)d,"
            " bỏ qua %(deleted)d văn bản đã xóa, %(errors)d tệp lỗi."
        ) % {
            "files": self.files,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "deleted": len(self.skipped_deleted),
            "errors": len(self.errors),
        }
        if self.relations:
            line += " " + _("Đọc được %(n)d quan hệ văn bản.") % {"n": self.relations}
        if self.statuses_changed:
            line += " " + _("Tình trạng hiệu lực thay đổi: %(n)d văn bản.") % {
                "n": len(self.statuses_changed)
            }
        return line


#: Files in a corpus folder that are not documents.
SKIPPED_FILES = frozenset({"readme.md"})


def read_folder(folder: Path) -> tuple[list[DocumentData], list[str], int]:
    """Parse every *.md of `folder` (README.md aside): (documents, errors, files read)."""
    if not folder.is_dir():
        raise FileNotFoundError(folder)
    paths = sorted(p for p in folder.glob("*.md") if p.name.lower() not in SKIPPED_FILES)
    documents: list[DocumentData] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            data = read_file(path)
        except FrontMatterError as exc:
            errors.append(str(exc))
            continue
        key = number_key(data.number)
        if key in seen:
            errors.append(
                f"{path.name}: "
                + _("số %(number)s trùng với tệp %(other)s.")
                % {"number": data.number, "other": seen[key]}
            )
            continue
        seen[key] = path.name
        documents.append(data)
    return documents, errors, len(paths)


@service
def _load_one(
    data: DocumentData, *, owner: OrgUnit | None, by: Any = None
) -> tuple[str, LegalDocument | None]:
    """Create or update one document from a file, in its own transaction."""
    key = number_key(data.number)
    existing = LegalDocument.objects.select_for_update().filter(number_key=key).first()
    if existing is None:
        document = _create(_values_of(data), owner=owner, by=by, digest=data.digest)
        _publish("created", document)
        return "created", document
    if existing.is_deleted:
        return "deleted", None
    if existing.source_digest == data.digest:
        return "unchanged", None
    changed = _update(existing, _values_of(data), by=by, digest=data.digest)
    _publish("updated", existing, changed=changed)
    return "updated", existing


def load_folder(
    folder: Path | str,
    *,
    owner: OrgUnit | None = None,
    skip_invalid: bool = False,
    by: Any = None,
) -> LoadReport:
    """Load every document file of `folder`, idempotently (an unchanged file writes nothing).

    All files are read first: if any is bad, nothing is loaded and LoadError lists the files
    and their faults, unless `skip_invalid` asks to load the valid ones (the faults are then
    in the report). Each document is written in its own transaction; relations are read once
    every document is in (so names resolve whatever the file order), then statuses follow.
    """
    _require_registry(by)
    folder = Path(folder)
    documents, errors, files = read_folder(folder)
    report = LoadReport(folder=str(folder), files=files, errors=errors)
    if errors and not skip_invalid:
        raise LoadError(report)
    touched: list[LegalDocument] = []
    for data in documents:
        outcome, document = _load_one(data, owner=owner, by=by)
        {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "deleted": report.skipped_deleted,
        }[outcome].append(data.number)
        if document is not None:
            touched.append(document)
    if touched:
        with transaction.atomic():
            for document in touched:
                written, unresolved = _write_parsed_relations(document)
                report.relations += written
                report.unresolved_names += unresolved
            keys = [d.number_key for d in touched]
            _link_targets(keys)
            report.statuses_changed = _update_statuses(
                LegalDocument.objects.alive(), timezone.localdate()
            )
    return report
