"""Writes to any registry: create, update, soft delete, restore, revert; read grants.

Each function checks permission, validates, writes, records the audit entry (before/after,
`core.audit`) and publishes the event `registry.<key>.created|updated|deleted|restored` in
one transaction (`@service`). The pages, the API, the admin and the command line call these,
so every channel behaves the same. Registry apps wrap them only when they add rules.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, service, snapshot
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.permissions import is_real_user
from lienthong.exchange.outbox import publish
from lienthong.registries.base.models import REGISTRY_OWNER_ROLE, RegistryGrant, RegistryRecord
from lienthong.registries.base.registry import RegistryType, for_model

_R = TypeVar("_R", bound=RegistryRecord)

#: Columns a revert never copies back: identity, stamps, derived text, bookkeeping.
NOT_REVERTED = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by_id",
        "search_text",
        "import_job_id",
    }
)


# --- Permission -----------------------------------------------------------------------------


def can_edit_for(user: Any, owner: OrgUnit) -> bool:
    """Whether `user` is a registry official (`registry_owner`) for `owner` or above it.

    `None` is the platform itself (a command run by the operator, the demo seed), as in
    `core.services_orgs`; pages and the API always pass the request's user.
    """
    if user is None:
        return True
    if not is_real_user(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.has_role(REGISTRY_OWNER_ROLE, owner))


def check_editable(record_: RegistryRecord, by: Any) -> None:
    """Refuse unless `by` may change this record (the owner agency's registry officials)."""
    if by is None:
        return
    model = type(record_)
    if not model.all_objects.editable_by(by).filter(pk=record_.pk).exists():
        raise PermissionDenied(_("Bạn không có quyền sửa bản ghi này."))


def owner_agencies(user: Any) -> models.QuerySet[OrgUnit]:
    """Org units for which `user` may create records (their registry-official units)."""
    if not is_real_user(user):
        return OrgUnit.objects.none()
    if user.is_superuser:
        return OrgUnit.objects.filter(is_active=True)
    units = user.role_assignments.filter(role=REGISTRY_OWNER_ROLE).values("org_unit")
    return OrgUnit.objects.filter(pk__in=units)


# --- Events ---------------------------------------------------------------------------------


def event_data(registry_type: RegistryType, obj: RegistryRecord, **extra: Any) -> dict[str, Any]:
    """What every registry event carries: which record, whose. No personal data: a consumer
    with a grant reads the record through the API (and that read is logged)."""
    return {
        "registry": registry_type.key,
        "id": obj.pk,
        "owner": obj.owner_id,
        **extra,
    }


def _changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    before, after = before or {}, after or {}
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


# --- Writes ---------------------------------------------------------------------------------


@service
def create_record(obj: _R, *, by: Any) -> _R:
    """Add a record to its registry: validated, audited, event `registry.<key>.created`."""
    registry_type = for_model(type(obj))
    if obj.owner_id is None or not can_edit_for(by, obj.owner):
        raise PermissionDenied(_("Bạn không có quyền thêm bản ghi cho cơ quan này."))
    obj.full_clean()
    with audited(f"registry.{registry_type.key}.create", obj):
        obj.save()
    publish(
        f"registry.{registry_type.key}.created",
        subject=str(obj.pk),
        data=event_data(registry_type, obj),
    )
    return obj


@service
def update_record(obj: _R, *, by: Any, action: str = "update", **extra: Any) -> _R:
    """Save the changes made to `obj` in memory: validated against the row as stored,
    audited with before/after, event `registry.<key>.updated` naming the changed fields."""
    registry_type = for_model(type(obj))
    check_editable(obj, by)
    stored = type(obj).all_objects.get(pk=obj.pk)
    if stored.deleted_at is not None:
        raise ValidationError(_("Bản ghi đã bị xoá; hãy khôi phục trước khi sửa."))
    if obj.owner_id != stored.owner_id and not can_edit_for(by, obj.owner):
        raise PermissionDenied(_("Bạn không có quyền chuyển bản ghi cho cơ quan này."))
    obj.full_clean()
    before = snapshot(stored)
    with audited(f"registry.{registry_type.key}.{action}", obj):
        obj.save()
    changed = _changed(before, snapshot(obj))
    publish(
        f"registry.{registry_type.key}.updated",
        subject=str(obj.pk),
        data=event_data(registry_type, obj, changed=changed, **extra),
    )
    return obj


@service
def delete_record(obj: _R, *, by: Any) -> _R:
    """Soft-delete a record: hidden from lists, search and the API, kept for restore."""
    registry_type = for_model(type(obj))
    check_editable(obj, by)
    if obj.deleted_at is not None:
        return obj
    with audited(f"registry.{registry_type.key}.delete", obj):
        obj.deleted_at = timezone.now()
        obj.deleted_by = by if is_real_user(by) else None
        obj.save(update_fields=["deleted_at", "deleted_by"])
    publish(
        f"registry.{registry_type.key}.deleted",
        subject=str(obj.pk),
        data=event_data(registry_type, obj),
    )
    return obj


@service
def restore_record(obj: _R, *, by: Any) -> _R:
    """Bring a soft-deleted record back; event `registry.<key>.restored`."""
    registry_type = for_model(type(obj))
    check_editable(obj, by)
    if obj.deleted_at is None:
        return obj
    obj.deleted_at = None
    obj.deleted_by = None
    # A record entered again meanwhile under the same key must not be duplicated.
    obj.validate_unique()
    with audited(f"registry.{registry_type.key}.restore", obj):
        obj.save(update_fields=["deleted_at", "deleted_by"])
    publish(
        f"registry.{registry_type.key}.restored",
        subject=str(obj.pk),
        data=event_data(registry_type, obj),
    )
    return obj


def version_values(obj: RegistryRecord, entry: AuditEntry) -> dict[str, Any]:
    """The data fields of `obj` as the history entry left them, as Python values."""
    state = entry.after if entry.after is not None else entry.before
    if not state:
        raise ValidationError(_("Mục lịch sử này không lưu phiên bản nào để khôi phục."))
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.attname in NOT_REVERTED or field.attname not in state:
            continue
        values[field.attname] = field.to_python(state[field.attname])
    return values


@service
def revert_record(obj: _R, *, entry: AuditEntry, by: Any) -> _R:
    """Put a record's data back as one version of its history left it (an update, audited
    as `registry.<key>.revert`, with the version's sequence number in the event)."""
    if entry.object_type != obj._meta.label_lower or entry.object_id != str(obj.pk):
        raise ValidationError(_("Mục lịch sử này không thuộc bản ghi đang sửa."))
    for attname, value in version_values(obj, entry).items():
        setattr(obj, attname, value)
    return update_record(obj, by=by, action="revert", reverted_to=entry.seq)


# --- History --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field changed by one history entry."""

    field: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Version:
    """One entry of a record's history, with the fields it changed."""

    entry: AuditEntry
    changes: list[Change]

    @property
    def action(self) -> str:
        return self.entry.action.rsplit(".", 1)[-1]


ACTION_LABELS = {
    "create": _("Tạo mới"),
    "update": _("Cập nhật"),
    "delete": _("Xoá"),
    "restore": _("Khôi phục"),
    "revert": _("Trả về phiên bản cũ"),
}


def history(obj: RegistryRecord) -> list[Version]:
    """Every audited write of the record, newest first, with the fields each changed."""
    labels = {f.attname: str(f.verbose_name) for f in obj._meta.concrete_fields}
    versions = []
    for entry in AuditEntry.objects.of_object(obj):
        changes = []
        for name in _changed(entry.before, entry.after):
            if name in NOT_REVERTED and name != "deleted_at":
                continue
            before, after = (entry.before or {}).get(name), (entry.after or {}).get(name)
            changes.append(Change(name, labels.get(name, name), before, after))
        versions.append(Version(entry, changes))
    versions.reverse()
    return versions


# --- Grants ---------------------------------------------------------------------------------


def can_manage_grants(user: Any) -> bool:
    """Superusers and the provincial IT department (role it_admin) manage read grants."""
    if not is_real_user(user):
        return False
    return bool(user.is_superuser or user.role_assignments.filter(role="it_admin").exists())


@service
def grant_read(
    *,
    registry: str,
    agency: OrgUnit,
    purpose: str,
    valid_until: datetime.date | None = None,
    by: Any,
) -> RegistryGrant:
    """Let `agency` (and its units) read `registry` for `purpose`, until `valid_until`."""
    if not can_manage_grants(by):
        raise PermissionDenied(_("Chỉ quản trị CNTT mới cấp quyền khai thác cơ sở dữ liệu."))
    if not purpose.strip():
        raise ValidationError({"purpose": _("Hãy ghi mục đích khai thác.")})
    grant = RegistryGrant.objects.filter(registry=registry, agency=agency).first()
    grant = grant or RegistryGrant(registry=registry, agency=agency)
    with audited("registry.grant", grant):
        grant.purpose = purpose.strip()
        grant.valid_until = valid_until
        grant.granted_by = by if is_real_user(by) else None
        grant.full_clean()
        grant.save()
    publish("registry.grant.changed", subject=registry, data={"agency": agency.pk})
    return grant


@service
def revoke_read(*, grant: RegistryGrant, by: Any) -> None:
    """Withdraw a read grant."""
    if not can_manage_grants(by):
        raise PermissionDenied(_("Chỉ quản trị CNTT mới thu hồi quyền khai thác cơ sở dữ liệu."))
    with audited("registry.grant.revoke", grant):
        grant.delete()
    publish("registry.grant.changed", subject=grant.registry, data={"agency": grant.agency_id})


__all__ = [
    "ACTION_LABELS",
    "can_edit_for",
    "check_editable",
    "create_record",
    "delete_record",
    "grant_read",
    "history",
    "restore_record",
    "revert_record",
    "revoke_read",
    "update_record",
]
