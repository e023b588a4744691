"""The enterprise registry's API, under /api/registries/enterprises/: enterprises at the root
and investment projects under `projects/`, built by the shared `registries.base.api`, plus
this app's actions:

    GET  /{id}/status-history           the status history      POST /{id}/status   change it
    GET  /{id}/branches                  dependent units         POST /{id}/branches add one
    GET  /projects/{id}/investors        investors               GET  /projects/{id}/amendments
    POST /projects/{id}/amendments       amend the certificate   POST /projects/{id}/terminate

Filters of the list: enterprises `status`, `type`, `vsic` (section letter or code prefix),
`commune`; projects `status`, `commune`, `investor` (tax code or ID); both `q` (folded name,
or digits: the tax code / project code by prefix). Bad input is 422 with field errors.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from lienthong.core.models import OrgUnit
from lienthong.core.permissions import get_visible_or_404
from lienthong.registries.base import registry as registries
from lienthong.registries.base.api import (
    ErrorOut,
    FieldErrorsOut,
    _editor,
    _reader,
    _service_errors,
    build_router,
    iso,
)
from lienthong.registries.enterprises import services
from lienthong.registries.enterprises.models import (
    Branch,
    Enterprise,
    InvestmentProject,
    split_codes,
)
from lienthong.registries.enterprises.registry import ENTERPRISES, PROJECTS

ADDRESS_PARTS = ("street", "commune", "commune_legacy", "address_original")
TAG = "registries: enterprises"


def _address(obj: Any, prefix: str) -> dict[str, Any]:
    return {
        **{part: getattr(obj, f"{prefix}_{part}") for part in ADDRESS_PARTS},
        "text": obj.address_text(prefix),
        "legacy_text": obj.legacy_address_text(prefix),
    }


def _unprocessable(errors: dict[str, list[str]]) -> Status[dict[str, Any]]:
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _owner(obj: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    if "owner" in data:
        owner = OrgUnit.objects.filter(pk=data.pop("owner")).first()
        if owner is None:
            errors["owner"] = [_("Không có cơ quan này.")]
        else:
            obj.owner = owner


# --- Enterprises ----------------------------------------------------------------------------


def enterprise_out(enterprise: Enterprise) -> dict[str, Any]:
    """The JSON of an enterprise (its row only: no query per record in a list)."""
    return {
        "id": enterprise.pk,
        "tax_code": enterprise.tax_code,
        "name": enterprise.name,
        "name_foreign": enterprise.name_foreign,
        "name_short": enterprise.name_short,
        "enterprise_type": enterprise.enterprise_type,
        "enterprise_type_label": enterprise.get_enterprise_type_display(),
        "founded_on": iso(enterprise.founded_on),
        "charter_capital": enterprise.charter_capital,
        "representative": {
            "name": enterprise.representative_name,
            "personal_id": enterprise.representative_personal_id,
            "title": enterprise.representative_title,
        },
        "address": _address(enterprise, "address"),
        "phone": enterprise.phone,
        "email": enterprise.email,
        "main_line": enterprise.main_line,
        "other_lines": split_codes(enterprise.other_lines),
        "status": enterprise.status,
        "status_label": enterprise.get_status_display(),
        "status_since": iso(enterprise.status_since),
        "owner": enterprise.owner_id,
        "created_at": enterprise.created_at.isoformat(),
        "updated_at": enterprise.updated_at.isoformat(),
    }


class EnterprisePatch(Schema):
    """Fields of an enterprise to change (only those given change); the status changes
    through POST /{id}/status."""

    owner: int | None = None
    tax_code: str | None = Field(None, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=255)
    name_foreign: str | None = Field(None, max_length=255)
    name_short: str | None = Field(None, max_length=100)
    enterprise_type: str | None = Field(None, max_length=8)
    founded_on: datetime.date | None = None
    charter_capital: int | None = Field(None, ge=0)
    representative_name: str | None = Field(None, min_length=1, max_length=150)
    representative_personal_id: str | None = Field(None, max_length=12)
    representative_title: str | None = Field(None, max_length=100)
    address_street: str | None = Field(None, max_length=255)
    address_commune: str | None = Field(None, max_length=5)
    address_commune_legacy: str | None = Field(None, max_length=5)
    address_address_original: str | None = Field(None, max_length=500)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    main_line: str | None = Field(None, max_length=6)
    other_lines: list[str] | None = None


class EnterpriseIn(EnterprisePatch):
    """A new enterprise: owner, tax code, name, type, representative and main line."""

    owner: int
    tax_code: str = Field(max_length=20)
    name: str = Field(min_length=1, max_length=255)
    enterprise_type: str = Field(max_length=8)
    representative_name: str = Field(min_length=1, max_length=150)
    main_line: str = Field(max_length=6)


def _apply_enterprise(obj: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    """Copy input onto an enterprise; lines are validated here (field "lines")."""
    errors: dict[str, list[str]] = {}
    _owner(obj, data, errors)
    main = data.pop("main_line", None)
    others = data.pop("other_lines", None)
    if main is not None or others is not None:
        try:
            obj.stage_lines(
                obj.main_line if main is None else main,
                split_codes(obj.other_lines) if others is None else others,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    for name, value in data.items():
        # None is "not given" (a create receives every field); text is cleared with "".
        if value is not None:
            setattr(obj, name, value)
    return errors


class StatusIn(Schema):
    """A status change: to `suspended`, `active` or `dissolved`, from a date, with a reason."""

    to_status: str = Field(max_length=10)
    effective_on: datetime.date
    reason: str = Field(min_length=1, max_length=2000)
    decision: str = Field("", max_length=100)
    until: datetime.date | None = None


class BranchIn(Schema):
    """A new dependent unit: `branch`, `office` (needs a 13-digit code) or `location`."""

    kind: str = Field(max_length=10)
    name: str = Field(min_length=1, max_length=255)
    tax_code: str = Field("", max_length=20)
    head_name: str = Field("", max_length=150)
    street: str = Field("", max_length=255)
    commune: str = Field("", max_length=5)
    commune_legacy: str = Field("", max_length=5)
    address_text: str = Field("", max_length=500)
    opened_on: datetime.date | None = None


def _branch_out(branch: Branch) -> dict[str, Any]:
    return {
        "id": branch.pk,
        "kind": branch.kind,
        "kind_label": branch.get_kind_display(),
        "tax_code": branch.tax_code,
        "name": branch.name,
        "head_name": branch.head_name,
        "address": _address(branch, "address"),
        "opened_on": iso(branch.opened_on),
        "closed_on": iso(branch.closed_on),
    }


def _editable_enterprise(user: Any, record_id: int) -> Enterprise:
    obj: Enterprise = get_visible_or_404(Enterprise.objects.editable_by(user), user, pk=record_id)
    return obj


def _call(call: Any) -> Any:
    try:
        return call()
    except ValidationError as exc:
        return _unprocessable(_service_errors(exc))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("Bạn không có quyền.")) from exc


def enterprises_router() -> Router:
    """The enterprise endpoints: the shared ones and the status history and branches."""
    router = build_router(
        registries.get(ENTERPRISES),
        out=enterprise_out,
        create_schema=EnterpriseIn,
        update_schema=EnterprisePatch,
        apply=_apply_enterprise,
        tags=[TAG],
    )

    @router.get(
        "/{int:record_id}/status-history",
        response={200: list[dict[str, Any]], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary="Lịch sử tình trạng hoạt động của doanh nghiệp",
        operation_id="registry_enterprises_status_history",
    )
    def status_history(request: HttpRequest, record_id: int) -> Any:
        user = _reader(request, registries.get(ENTERPRISES))
        enterprise: Enterprise = get_visible_or_404(Enterprise.objects, user, pk=record_id)
        return [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "to_status_label": change.get_to_status_display(),
                "effective_on": iso(change.effective_on),
                "until": iso(change.until),
                "reason": change.reason,
                "decision": change.decision,
                "recorded_at": change.recorded_at.isoformat(),
            }
            for change in enterprise.status_history.order_by("effective_on", "pk")
        ]

    @router.post(
        "/{int:record_id}/status",
        response={
            200: dict[str, Any],
            401: ErrorOut,
            403: ErrorOut,
            404: ErrorOut,
            422: FieldErrorsOut,
        },
        summary="Thay đổi tình trạng hoạt động (tạm ngừng, hoạt động lại, giải thể)",
        operation_id="registry_enterprises_change_status",
    )
    def change_status(request: HttpRequest, record_id: int, payload: StatusIn) -> Any:
        user = _editor(request)
        enterprise = _editable_enterprise(user, record_id)
        result = _call(lambda: services.change_status(enterprise, by=user, **payload.dict()))
        if isinstance(result, Status):
            return result
        enterprise.refresh_from_db()
        return enterprise_out(enterprise)

    @router.get(
        "/{int:record_id}/branches",
        response={200: list[dict[str, Any]], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary="Chi nhánh, văn phòng đại diện, địa điểm kinh doanh",
        operation_id="registry_enterprises_branches",
    )
    def branches(request: HttpRequest, record_id: int) -> Any:
        user = _reader(request, registries.get(ENTERPRISES))
        enterprise: Enterprise = get_visible_or_404(Enterprise.objects, user, pk=record_id)
        return [_branch_out(b) for b in enterprise.branches.order_by("kind", "tax_code", "pk")]

    @router.post(
        "/{int:record_id}/branches",
        response={
            201: dict[str, Any],
            401: ErrorOut,
            403: ErrorOut,
            404: ErrorOut,
            422: FieldErrorsOut,
        },
        summary="Thêm đơn vị phụ thuộc",
        operation_id="registry_enterprises_add_branch",
    )
    def add_branch(request: HttpRequest, record_id: int, payload: BranchIn) -> Any:
        user = _editor(request)
        enterprise = _editable_enterprise(user, record_id)
        result = _call(lambda: services.add_branch(enterprise, by=user, **payload.dict()))
        return result if isinstance(result, Status) else Status(201, _branch_out(result))

    return router


# --- Investment projects --------------------------------------------------------------------


def project_out(project: InvestmentProject) -> dict[str, Any]:
    """The JSON of an investment project (its row only)."""
    return {
        "id": project.pk,
        "code": project.code,
        "name": project.name,
        "objectives": project.objectives,
        "capital": project.capital,
        "location": _address(project, "location"),
        "land_area": str(project.land_area) if project.land_area is not None else None,
        "duration_years": project.duration_years,
        "certificate_number": project.certificate_number,
        "certificate_date": iso(project.certificate_date),
        "investors": project.investor_names,
        "status": project.status,
        "status_label": project.get_status_display(),
        "source_dossier": project.source_dossier,
        "owner": project.owner_id,
        "created_at": project.created_at.isoformat(),
        "updated_at": project.updated_at.isoformat(),
    }


class InvestorIn(Schema):
    """An investor: a name and a tax code, personal ID or foreign registration/passport."""

    name: str = Field("", max_length=255)
    identifier: str = Field("", max_length=20)
    nationality: str = Field("", max_length=60)
    capital: int | None = Field(None, ge=0)


class ProjectPatch(Schema):
    """Fields of a project to correct (an amendment goes through POST /{id}/amendments)."""

    owner: int | None = None
    code: str | None = Field(None, max_length=10)
    name: str | None = Field(None, min_length=1, max_length=500)
    objectives: str | None = Field(None, min_length=1)
    capital: int | None = Field(None, ge=0)
    location_street: str | None = Field(None, max_length=255)
    location_commune: str | None = Field(None, max_length=5)
    location_commune_legacy: str | None = Field(None, max_length=5)
    location_address_original: str | None = Field(None, max_length=500)
    land_area: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    duration_years: int | None = Field(None, ge=1, le=70)
    certificate_number: str | None = Field(None, max_length=50)
    certificate_date: datetime.date | None = None
    investors: list[InvestorIn] | None = None


class ProjectIn(ProjectPatch):
    """A new project: owner, code, name, objectives, certificate date, investors."""

    owner: int
    code: str = Field(max_length=10)
    name: str = Field(min_length=1, max_length=500)
    objectives: str = Field(min_length=1)
    certificate_date: datetime.date
    investors: list[InvestorIn] = Field(min_length=1)


def _investor_data(items: list[dict[str, Any]]) -> list[services.InvestorData]:
    """Investor input as the services take it (names filled from the registry by tax code)."""
    text = "; ".join(
        f"{i['name']} ({i['identifier']})"
        if i.get("name") and i.get("identifier")
        else (i.get("identifier") or i.get("name") or "")
        for i in items
    )
    investors = services.parse_investors(text)
    for investor, item in zip(investors, items, strict=False):
        investor.capital = item.get("capital")
        if item.get("nationality"):
            investor.nationality = item["nationality"]
    return investors


def _apply_project(obj: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    """Copy input onto a project; investors are validated here (field "investors")."""
    errors: dict[str, list[str]] = {}
    _owner(obj, data, errors)
    items = data.pop("investors", None)
    if items is not None:
        try:
            obj.stage_investors(i.as_row() for i in _investor_data(items))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    for name, value in data.items():
        if value is not None:
            setattr(obj, name, value)
    if not obj.certificate_number and obj.code:
        obj.certificate_number = obj.code
    return errors


class AmendmentIn(Schema):
    """An amendment: the date, and the fields that change (only those given)."""

    amended_on: datetime.date
    summary: str = Field("", max_length=2000)
    certificate_number: str = Field("", max_length=50)
    name: str = Field("", max_length=500)
    objectives: str = ""
    capital: int | None = Field(None, ge=0)
    location_street: str = Field("", max_length=255)
    location_commune: str = Field("", max_length=5)
    location_commune_legacy: str = Field("", max_length=5)
    land_area: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    duration_years: int | None = Field(None, ge=1, le=70)
    investors: list[InvestorIn] = []


class TerminationIn(Schema):
    """The date a project stopped and why."""

    on: datetime.date
    reason: str = Field(min_length=1, max_length=2000)


def _amendment_out(amendment: Any) -> dict[str, Any]:
    return {
        "number": amendment.number,
        "amended_on": iso(amendment.amended_on),
        "certificate_number": amendment.certificate_number,
        "summary": amendment.summary,
        "changes": amendment.changes,
        "source_dossier": amendment.source_dossier,
    }


def projects_router() -> Router:
    """The project endpoints: the shared ones, investors, amendments and termination."""
    registry_type = registries.get(PROJECTS)
    router = build_router(
        registry_type,
        out=project_out,
        create_schema=ProjectIn,
        update_schema=ProjectPatch,
        apply=_apply_project,
        tags=[TAG],
    )

    def _editable(user: Any, record_id: int) -> InvestmentProject:
        obj: InvestmentProject = get_visible_or_404(
            InvestmentProject.objects.editable_by(user), user, pk=record_id
        )
        return obj

    @router.get(
        "/{int:record_id}/investors",
        response={200: list[dict[str, Any]], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary="Nhà đầu tư của dự án",
        operation_id="registry_investment_projects_investors",
    )
    def investors(request: HttpRequest, record_id: int) -> Any:
        user = _reader(request, registry_type)
        project: InvestmentProject = get_visible_or_404(
            InvestmentProject.objects, user, pk=record_id
        )
        return [
            {
                "kind": i.kind,
                "name": i.name,
                "identifier": i.identifier,
                "nationality": i.nationality,
                "capital": i.capital,
                "enterprise": i.enterprise_id,
            }
            for i in project.investors.order_by("order", "pk")
        ]

    @router.get(
        "/{int:record_id}/amendments",
        response={200: list[dict[str, Any]], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary="Các lần điều chỉnh giấy chứng nhận đăng ký đầu tư",
        operation_id="registry_investment_projects_amendments",
    )
    def amendments(request: HttpRequest, record_id: int) -> Any:
        user = _reader(request, registry_type)
        project: InvestmentProject = get_visible_or_404(
            InvestmentProject.objects, user, pk=record_id
        )
        return [_amendment_out(a) for a in project.amendments.order_by("number")]

    @router.post(
        "/{int:record_id}/amendments",
        response={
            201: dict[str, Any],
            401: ErrorOut,
            403: ErrorOut,
            404: ErrorOut,
            422: FieldErrorsOut,
        },
        summary="Điều chỉnh giấy chứng nhận đăng ký đầu tư",
        operation_id="registry_investment_projects_amend",
    )
    def amend(request: HttpRequest, record_id: int, payload: AmendmentIn) -> Any:
        user = _editor(request)
        project = _editable(user, record_id)
        data = payload.dict()
        try:
            investors = _investor_data(data.pop("investors"))
        except ValidationError as exc:
            return _unprocessable(_service_errors(exc))
        changes = services.ProjectData(
            name=data["name"],
            objectives=data["objectives"],
            capital=data["capital"],
            location_street=data["location_street"],
            location_commune=data["location_commune"],
            location_commune_legacy=data["location_commune_legacy"],
            land_area=data["land_area"],
            duration_years=data["duration_years"],
            investors=investors,
        )
        result = _call(
            lambda: services.amend_project(
                project,
                changes,
                amended_on=data["amended_on"],
                summary=data["summary"],
                certificate_number=data["certificate_number"],
                by=user,
            )
        )
        return result if isinstance(result, Status) else Status(201, _amendment_out(result))

    @router.post(
        "/{int:record_id}/terminate",
        response={
            200: dict[str, Any],
            401: ErrorOut,
            403: ErrorOut,
            404: ErrorOut,
            422: FieldErrorsOut,
        },
        summary="Chấm dứt hoạt động dự án",
        operation_id="registry_investment_projects_terminate",
    )
    def terminate(request: HttpRequest, record_id: int, payload: TerminationIn) -> Any:
        user = _editor(request)
        project = _editable(user, record_id)
        result = _call(
            lambda: services.terminate_project(
                project, on=payload.on, reason=payload.reason, by=user
            )
        )
        if isinstance(result, Status):
            return result
        project.refresh_from_db()
        return project_out(project)

    return router


router = Router(tags=[TAG])
router.add_router("/projects/", projects_router())
router.add_router("/", enterprises_router())

__all__ = ["router"]
