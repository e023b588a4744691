"""Demo data: Tỉnh Bình Dương in its legacy structure, its agencies, and one user per role.

The data lives in `core/data/demo_agencies.json` (each entry names its source); this module
only applies it. Every agency code there is a demo code (`…H99`), stored with
`code_is_demo=True`. Seeding is idempotent: what already matches is left untouched.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.core.audit import audited
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.services_orgs import OrgUnitFields, create_org_unit, update_org_unit
from lienthong.core.units import load_units

DATA_FILE = "demo_agencies.json"
SUPERUSER = "superuser"


class SeedError(RuntimeError):
    """The demo data cannot be applied (e.g. the units it names are missing)."""


@dataclass
class SeedReport:
    """What a seed run did."""

    loaded_units: bool = False
    created_units: list[str] = field(default_factory=list)
    updated_units: list[str] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)
    existing_users: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created_units or self.updated_units or self.created_users)


def demo_data() -> dict[str, Any]:
    """The demo data file, parsed."""
    text = resources.files("lienthong.core").joinpath("data", DATA_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _unit_key(ref: dict[str, str]) -> tuple[str, str, str]:
    return (ref["era"], ref["level"], ref["code"])


def _admin_units(entries: list[dict[str, Any]]) -> dict[tuple[str, str, str], AdminUnit]:
    wanted = {_unit_key(e["admin_unit"]) for e in entries if e["admin_unit"]}
    found = AdminUnit.objects.filter(code__in={code for _e, _l, code in wanted})
    units = {(u.era, u.level, u.code): u for u in found}
    return {key: units[key] for key in wanted if key in units}


def _role_labels() -> dict[str, str]:
    # The accounts app sits above core: its model is looked up by name, not imported.
    field_ = apps.get_model("accounts", "RoleAssignment")._meta.get_field("role")
    return {str(value): str(label) for value, label in field_.choices or []}


def app_demo_seeders() -> list[tuple[str, Callable[[], list[str]]]]:
    """The `seed_demo()` of every platform app above core that has a `demo` module.

    Core cannot import the apps built on it; each app that has demo data (procedures,
    dossiers, ...) offers `lienthong.<app>.demo.seed_demo() -> list[str]` (lines to print),
    idempotent, run after the kernel's demo data in INSTALLED_APPS order.
    """
    seeders = []
    for config in apps.get_app_configs():
        if not config.name.startswith("lienthong.") or config.name == "lienthong.core":
            continue
        if importlib.util.find_spec(f"{config.name}.demo") is None:
            continue
        module = importlib.import_module(f"{config.name}.demo")
        seeders.append((config.label, module.seed_demo))
    return seeders


def seed_demo() -> SeedReport:
    """Apply the demo data; load the administrative units first if they are missing."""
    data = demo_data()
    entries: list[dict[str, Any]] = data["org_units"]
    report = SeedReport()
    needed = {_unit_key(e["admin_unit"]) for e in entries if e["admin_unit"]}
    units = _admin_units(entries)
    if len(units) < len(needed):
        load_units()
        report.loaded_units = True
        units = _admin_units(entries)
        missing = sorted(needed - set(units))
        if missing:
            raise SeedError(
                _("Dữ liệu mẫu nhắc tới đơn vị hành chính không có: %(codes)s")
                % {"codes": ", ".join("/".join(key) for key in missing)}
            )
    with transaction.atomic():
        org = _seed_org_units(entries, units, report)
        _seed_users(data["users"], org, report)
    return report


def _seed_org_units(
    entries: list[dict[str, Any]],
    units: dict[tuple[str, str, str], AdminUnit],
    report: SeedReport,
) -> dict[str, OrgUnit]:
    by_code = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in=[e["code"] for e in entries if e["code"]])
    }
    by_ref: dict[str, OrgUnit] = {}
    for entry in entries:
        parent = by_ref[entry["parent"]] if entry["parent"] else None
        values: OrgUnitFields = {
            "name": entry["name"],
            "short_name": entry["short_name"],
            "kind": entry["kind"],
            "is_agency": entry["is_agency"],
            "code": entry["code"],
            "code_is_demo": entry["code"] is not None,
            "parent": parent,
            "admin_unit": units[_unit_key(entry["admin_unit"])] if entry["admin_unit"] else None,
            "valid_from": _date(entry["valid_from"]),
            "valid_until": _date(entry["valid_until"]),
        }
        if entry["code"]:
            unit = by_code.get(entry["code"])
        else:
            unit = OrgUnit.objects.filter(
                parent=parent, name=entry["name"], is_agency=False
            ).first()
        if unit is None:
            unit = create_org_unit(**values)
            report.created_units.append(entry["ref"])
        else:
            changes = cast(
                OrgUnitFields, {k: v for k, v in values.items() if getattr(unit, k) != v}
            )
            if changes:
                unit = update_org_unit(unit, **changes)
                report.updated_units.append(entry["ref"])
        by_ref[entry["ref"]] = unit
    return by_ref


def _seed_users(entries: list[dict[str, Any]], org: dict[str, OrgUnit], report: SeedReport) -> None:
    user_model = get_user_model()
    assignment_model = apps.get_model("accounts", "RoleAssignment")
    roles = _role_labels()
    for entry in entries:
        if entry["role"] is not None and entry["role"] not in roles:
            raise SeedError(_("Vai trò “%(role)s” không tồn tại.") % {"role": entry["role"]})
        # An existing account is never touched: its password may have been changed on purpose.
        if user_model.objects.filter(username=entry["username"]).exists():
            report.existing_users.append(entry["username"])
            continue
        unit = org[entry["unit"]] if entry["unit"] else None
        user = user_model(
            username=entry["username"],
            full_name=entry["full_name"],
            kind=entry["kind"],
            org_unit=unit,
            position=entry["position"],
            is_staff=entry["superuser"] or entry.get("staff", False),
            is_superuser=entry["superuser"],
        )
        try:
            validate_password(entry["password"], user)
        except ValidationError as exc:
            raise SeedError(
                _("Mật khẩu mẫu của %(username)s không đạt quy tắc: %(reasons)s")
                % {"username": entry["username"], "reasons": " ".join(exc.messages)}
            ) from exc
        user.set_password(entry["password"])
        # The same audit actions as the accounts services, so the log reads the same.
        with audited("accounts.user.create", user, org_unit=unit):
            user.save()
        if entry["role"] is not None:
            grant = assignment_model(user=user, role=entry["role"], org_unit=unit)
            with audited("accounts.role.grant", grant, org_unit=unit):
                grant.save()
        if user.is_staff and not user.is_superuser:
            user.groups.add(_it_admin_group())
        report.created_users.append(entry["username"])


#: Admin-site rights of the IT department: the kernel's data, accounts and the outbox; the
#: audit log stays read-only for everyone (its admin refuses writes whatever the permission).
IT_ADMIN_GROUP = "Quản trị CNTT"
_IT_ADMIN_APPS = ("core", "accounts", "workflow", "exchange", "search")


def _it_admin_group() -> Any:
    """The group carrying the IT administrators' model permissions, created on first use."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, created = group_model.objects.get_or_create(name=IT_ADMIN_GROUP)
    if created:
        group.permissions.set(
            permission_model.objects.filter(content_type__app_label__in=_IT_ADMIN_APPS)
        )
    return group


def demo_logins() -> list[dict[str, str]]:
    """The demo accounts as listed in the data file: who to log in as, and where they work."""
    data = demo_data()
    names = {e["ref"]: e for e in data["org_units"]}
    labels = _role_labels()
    logins = []
    for entry in data["users"]:
        unit = names.get(entry["unit"]) if entry["unit"] else None
        unit_name = ""
        if unit is not None:
            unit_name = unit["short_name"] or unit["name"]
            parent = names.get(unit["parent"]) if not unit["is_agency"] else None
            if parent is not None:
                unit_name = f"{unit_name}, {parent['short_name'] or parent['name']}"
        role = entry["role"] or SUPERUSER
        logins.append(
            {
                "username": entry["username"],
                "password": entry["password"],
                "role": labels.get(role, _("Quản trị toàn hệ thống")),
                "role_code": role,
                "unit": unit_name,
                "full_name": entry["full_name"],
            }
        )
    return logins
