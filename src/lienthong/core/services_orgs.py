"""Writes to the org tree: agencies (cơ quan) and their divisions (phòng, ban).

Rules kept here, so the admin, the seed and any script behave the same:
- an agency carries a well-formed, unique identification code `xxx.xx.xx.Xnn`;
- a division (not an agency) has no code and sits under a parent;
- a unit cannot be moved under itself or one of its descendants.
"""

from __future__ import annotations

import datetime
from typing import Any, TypedDict, Unpack, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, service
from lienthong.core.identifiers import validate_agency_code
from lienthong.core.models import AdminUnit, OrgUnit


class OrgUnitFields(TypedDict, total=False):
    """The fields of an org unit that services write."""

    name: str
    short_name: str
    kind: str
    is_agency: bool
    code: str | None
    code_is_demo: bool
    parent: OrgUnit | None
    admin_unit: AdminUnit | None
    is_active: bool
    valid_from: datetime.date | None
    valid_until: datetime.date | None


FIELDS: tuple[str, ...] = tuple(OrgUnitFields.__annotations__)
#: Kept by OrgUnit.save() from the parent, never set by hand.
_DERIVED = ["path", "depth"]


def normalise_code(code: str | None) -> str | None:
    """Trim a code and upper-case its letter; an empty code is no code."""
    code = (code or "").strip().upper()
    return code or None


def check_org_unit(values: OrgUnitFields, *, instance: OrgUnit | None = None) -> None:
    """Raise a ValidationError with one message per field if `values` break a rule."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    name = (values.get("name") or "").strip()
    if not name:
        add("name", _("Tên cơ quan, đơn vị không được để trống."))
    kind = values.get("kind") or ""
    if kind not in OrgUnit.Kind.values:
        add("kind", _("Loại đơn vị “%(kind)s” không hợp lệ.") % {"kind": kind})
    code = normalise_code(values.get("code"))
    parent = values.get("parent")
    if values.get("is_agency"):
        if code is None:
            add(
                "code",
                _("Cơ quan phải có mã định danh điện tử dạng xxx.xx.xx.Xnn (ví dụ 000.00.00.H30)."),
            )
        else:
            try:
                validate_agency_code(code)
            except ValidationError as exc:
                errors.setdefault("code", []).extend(exc.messages)
            else:
                taken = OrgUnit.objects.filter(code=code)
                if instance is not None and instance.pk is not None:
                    taken = taken.exclude(pk=instance.pk)
                holder = taken.first()
                if holder is not None:
                    add(
                        "code",
                        _("Mã định danh %(code)s đã được dùng cho “%(holder)s”.")
                        % {"code": code, "holder": holder.name},
                    )
    else:
        if code is not None:
            add(
                "code",
                _(
                    "Phòng, ban chuyên môn không có mã định danh riêng: chỉ cơ quan "
                    "(ủy ban nhân dân, sở, ban, ngành) mới có mã."
                ),
            )
        if values.get("code_is_demo"):
            add("code_is_demo", _("Chỉ đánh dấu “mã demo” khi đơn vị có mã định danh."))
        if parent is None:
            add("parent", _("Phòng, ban chuyên môn phải trực thuộc một cơ quan."))
    moving_below_itself = (
        parent is not None
        and instance is not None
        and instance.pk is not None
        and (parent.pk == instance.pk or parent.path.startswith(instance.path))
    )
    if moving_below_itself:
        add("parent", _("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."))
    valid_from, valid_until = values.get("valid_from"), values.get("valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        add("valid_until", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
    if errors:
        raise ValidationError(errors)


def _require(by: Any, permission: str) -> None:
    # `by=None` is the platform itself (a command, the seed), acting under its own context.
    if by is not None and not by.has_perm(permission):
        raise PermissionDenied(_("Bạn không có quyền sửa cây tổ chức."))


@service
def create_org_unit(*, by: Any = None, **fields: Unpack[OrgUnitFields]) -> OrgUnit:
    """Create an agency or division after checking the rules; the write is audited."""
    _require(by, "core.add_orgunit")
    values: OrgUnitFields = {
        "short_name": "",
        "is_agency": False,
        "code": None,
        "code_is_demo": False,
        "parent": None,
        "admin_unit": None,
        "is_active": True,
        "valid_from": None,
        "valid_until": None,
        **fields,
    }
    values["name"] = (values.get("name") or "").strip()
    values["code"] = normalise_code(values.get("code"))
    check_org_unit(values)
    unit = OrgUnit(**values)
    unit.full_clean(exclude=_DERIVED)
    with audited("orgunit.create", unit):
        unit.save()
    return unit


@service
def update_org_unit(unit: OrgUnit, *, by: Any = None, **changes: Unpack[OrgUnitFields]) -> OrgUnit:
    """Change an org unit's fields; moving it re-roots its whole subtree. The write is audited."""
    _require(by, "core.change_orgunit")
    # Lock and re-read: the rules and the audit's "before" must see the stored row.
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if "name" in changes:
        changes["name"] = (changes.get("name") or "").strip()
    if "code" in changes:
        changes["code"] = normalise_code(changes.get("code"))
    current = cast(OrgUnitFields, {name: getattr(unit, name) for name in FIELDS})
    merged: OrgUnitFields = {**current, **changes}
    check_org_unit(merged, instance=unit)
    changed = {name: value for name, value in changes.items() if current.get(name) != value}
    if not changed:
        return unit
    old_path = unit.path
    with audited("orgunit.update", unit):
        for name, value in changed.items():
            setattr(unit, name, value)
        unit.full_clean(exclude=_DERIVED)
        unit.save()
        if unit.path != old_path:
            _reroot_descendants(old_path, unit.path)
    return unit


def _reroot_descendants(old_path: str, new_path: str) -> None:
    """Rewrite the materialised path of everything that was below `old_path`."""
    moved = list(OrgUnit.objects.filter(path__startswith=old_path).exclude(path=old_path))
    for node in moved:
        node.path = new_path + node.path[len(old_path) :]
        node.depth = node.path.count("/") - 2
    OrgUnit.objects.bulk_update(moved, ["path", "depth"], batch_size=500)
