"""API: administrative units, address parsing, agencies and the org tree (public, read-only).

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

import datetime
from typing import Any, Literal

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.text import fold_key
from lienthong.core.units import (
    AddressNotRecognised,
    UnitsNotLoaded,
    parse_address,
    unit_ref,
)

router = Router(tags=["core: đơn vị hành chính, cơ quan"])

EraParam = Literal["legacy", "2025"]
LevelParam = Literal["province", "district", "commune"]


class UnitRef(Schema):
    """A unit in short: enough to show and to link."""

    id: int
    era: str
    level: str
    code: str
    name: str


class UnitOut(Schema):
    """An administrative unit."""

    id: int
    era: str
    level: str
    code: str
    name: str
    short_name: str
    unit_type: str
    parent: UnitRef | None
    successor: UnitRef | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    latitude: float | None
    longitude: float | None


class UnitDetailOut(UnitOut):
    """An administrative unit with its place in both eras."""

    ancestors: list[UnitRef]
    predecessors: list[UnitRef]
    children_count: int


class UnitFilters(Schema):
    era: EraParam | None = Field(None, description="legacy (trước 1/7/2025) hoặc 2025")
    level: LevelParam | None = None
    parent: str | None = Field(None, description="Mã đơn vị cấp trên, ví dụ 74 hoặc 718")
    q: str | None = Field(None, description="Tên (có dấu hoặc không dấu)")


class LegacyUnits(Schema):
    province: UnitRef | None
    district: UnitRef | None
    commune: UnitRef | None


class CurrentUnits(Schema):
    province: UnitRef | None
    commune: UnitRef | None


class PredecessorOut(UnitRef):
    district: UnitRef | None
    province: UnitRef | None


class AddressOut(Schema):
    """The units an address names, in both eras."""

    address: str
    era: str = Field(..., description="Thời kỳ của địa chỉ đã nhập: legacy hoặc 2025")
    street: str | None
    legacy: LegacyUnits
    current: CurrentUnits
    predecessors: list[PredecessorOut]


class FieldError(Schema):
    loc: list[str]
    msg: str
    type: str


class AddressError(Schema):
    """Why an address was not recognised, and what was."""

    detail: str
    errors: list[FieldError]
    recognised: list[UnitRef]


class Message(Schema):
    detail: str


class OrgUnitOut(Schema):
    """An agency or a division of the org tree."""

    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    is_agency: bool
    code: str | None
    is_demo: bool = Field(..., description="Mã demo, không phải mã chính thức")
    parent_id: int | None
    depth: int
    admin_unit: UnitRef | None
    is_active: bool
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    children: list["OrgUnitOut"] = Field(default_factory=list)


class OrgUnitDetailOut(OrgUnitOut):
    """An org unit with the units above it."""

    ancestors: list[OrgUnitOut]


OrgUnitOut.model_rebuild()
OrgUnitDetailOut.model_rebuild()


def _unit_out(unit: AdminUnit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "era": unit.era,
        "level": unit.level,
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "unit_type": unit.unit_type,
        "parent": unit_ref(unit.parent),
        "successor": unit_ref(unit.successor),
        "valid_from": unit.valid_from,
        "valid_until": unit.valid_until,
        "latitude": unit.latitude,
        "longitude": unit.longitude,
    }


def filter_units(
    era: str | None = None,
    level: str | None = None,
    parent: str | None = None,
    q: str | None = None,
) -> Any:
    """Units matching the list filters; `q` matches the name with or without diacritics."""
    units = AdminUnit.objects.select_related("parent", "successor")
    if era:
        units = units.filter(era=era)
    if level:
        units = units.filter(level=level)
    if parent:
        units = units.filter(parent__code=parent.strip())
    if q and (key := fold_key(q)):
        units = units.filter(Q(key__contains=key) | Q(code=q.strip()))
    return units.order_by("era", "level", "code")


@router.get("/units", response=list[UnitOut], summary="Danh sách đơn vị hành chính")
@paginate(LimitOffsetPagination)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> Any:
    """Units of either era, filtered by era, level, parent code and (folded) name."""
    return filter_units(filters.era, filters.level, filters.parent, filters.q)


@router.get(
    "/units/parse",
    response={200: AddressOut, 422: AddressError, 503: Message},
    summary="Tìm đơn vị hành chính trong một địa chỉ",
)
def parse_units(request: HttpRequest, address: str) -> Any:
    """Legacy and 2025 units named by a free-form address (diacritics optional); no guessing."""
    try:
        match = parse_address(address)
    except UnitsNotLoaded as exc:
        return Status(503, {"detail": str(exc)})
    except AddressNotRecognised as exc:
        return Status(
            422,
            {
                "detail": exc.message,
                "errors": [{"loc": ["query", "address"], "msg": exc.message, "type": exc.reason}],
                "recognised": [unit_ref(u) for u in exc.recognised],
            },
        )
    return Status(200, match.as_dict())


@router.get(
    "/units/{era}/{code}",
    response={200: UnitDetailOut, 404: Message},
    summary="Một đơn vị hành chính",
)
def get_unit(request: HttpRequest, era: EraParam, code: str) -> Any:
    """A unit by era and code, with its parents, successor and predecessors."""
    unit = (
        AdminUnit.objects.select_related("parent__parent", "successor")
        .annotate(children_count=Count("children"))
        .filter(era=era, code=code)
        .first()
    )
    if unit is None:
        return Status(
            404,
            {
                "detail": _("Không có đơn vị hành chính mã %(code)s (thời kỳ %(era)s).")
                % {"code": code, "era": era}
            },
        )
    ancestors: list[dict[str, Any] | None] = []
    node = unit.parent
    while node is not None:
        ancestors.insert(0, unit_ref(node))
        node = node.parent
    return Status(
        200,
        {
            **_unit_out(unit),
            "ancestors": ancestors,
            "predecessors": [unit_ref(p) for p in unit.predecessors.order_by("code")],
            "children_count": unit.children_count,
        },
    )


def _org_out(unit: OrgUnit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "kind_label": str(unit.get_kind_display()),
        "is_agency": unit.is_agency,
        "code": unit.code,
        "is_demo": unit.code_is_demo,
        "parent_id": unit.parent_id,
        "depth": unit.depth,
        "admin_unit": unit_ref(unit.admin_unit),
        "is_active": unit.is_active,
        "valid_from": unit.valid_from,
        "valid_until": unit.valid_until,
        "children": [],
    }


def org_tree(units: list[OrgUnit]) -> list[dict[str, Any]]:
    """Nest a list of org units under their parents; siblings by code, then name."""
    nodes = {u.pk: _org_out(u) for u in units}
    roots: list[dict[str, Any]] = []
    for unit in sorted(units, key=sibling_order):
        node = nodes[unit.pk]
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent["children"] if parent is not None else roots).append(node)
    return roots


def sibling_order(unit: OrgUnit) -> tuple[bool, str, str]:
    """Agencies first in code order, then divisions by name."""
    return (not unit.is_agency, unit.code or "", unit.name)


@router.get("/agencies", response=list[OrgUnitOut], summary="Cơ quan và đơn vị")
def list_agencies(
    request: HttpRequest,
    tree: bool = False,
    agencies_only: bool = False,
    q: str | None = None,
) -> list[dict[str, Any]]:
    """The org tree: a flat list in tree order, or nested (`tree=true`)."""
    units = OrgUnit.objects.select_related("admin_unit").order_by("path")
    if agencies_only:
        units = units.agencies()
    if q:
        units = units.filter(Q(name__icontains=q.strip()) | Q(code=q.strip().upper()))
    rows = list(units)
    if tree:
        return org_tree(rows)
    return [_org_out(u) for u in rows]


@router.get(
    "/agencies/{unit_id}",
    response={200: OrgUnitDetailOut, 404: Message},
    summary="Một cơ quan, đơn vị",
)
def get_agency(request: HttpRequest, unit_id: int) -> Any:
    """One org unit, its direct children and the units above it."""
    unit = OrgUnit.objects.select_related("admin_unit").filter(pk=unit_id).first()
    if unit is None:
        return Status(404, {"detail": _("Không có cơ quan, đơn vị này.")})
    children = sorted(unit.children.select_related("admin_unit"), key=sibling_order)
    ancestors = [a for a in unit.ancestors().select_related("admin_unit") if a.pk != unit.pk]
    return Status(
        200,
        {
            **_org_out(unit),
            "children": [_org_out(c) for c in children],
            "ancestors": [_org_out(a) for a in ancestors],
        },
    )
