"""Writes of the enterprise registry beyond the base's create/update/delete/restore/revert.

The base services (`registries.base.services`) create, edit, delete and revert enterprises and
projects; lines of business and investors ride along (`Enterprise.stage_lines`,
`InvestmentProject.stage_investors`). What the base does not know lives here, each a service
(one transaction, permission, audit entry against the enterprise or project, event):

- `change_status`: active ⇄ suspended → dissolved, with the date, reason and decision; every
  change is a `StatusChange` row (the status history).
- `add_branch`, `close_branch`: dependent units (branches, offices, business locations).
- `register_project`, `amend_project`, `terminate_project`: the investment registration
  certificate and its amendments. Officials call them from the pages; the one-stop hook
  (`onestop_hooks`) calls them with `by=None` on the authority of an approved dossier.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, service
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_real_user
from lienthong.exchange.outbox import publish
from lienthong.registries.base.registry import for_model
from lienthong.registries.base.services import can_edit_for, check_editable, event_data
from lienthong.registries.enterprises import taxcodes
from lienthong.registries.enterprises.models import (
    NAMED_INVESTOR,
    STATUS_TRANSITIONS,
    Branch,
    BranchKind,
    CertificateAmendment,
    Enterprise,
    EnterpriseStatus,
    InvestmentProject,
    InvestorKind,
    ProjectInvestor,
    ProjectStatus,
    StatusChange,
)

# --- Enterprise status ----------------------------------------------------------------------


def _locked(model: type[Any], pk: int) -> Any:
    """The row as stored, locked until the transaction ends (two officials, one row)."""
    return model.all_objects.select_for_update().get(pk=pk)


@service
def change_status(
    enterprise: Enterprise,
    *,
    to_status: str,
    effective_on: datetime.date,
    reason: str,
    decision: str = "",
    until: datetime.date | None = None,
    by: Any,
) -> StatusChange:
    """Move an enterprise to another status and record it in its status history."""
    check_editable(enterprise, by)
    enterprise = _locked(Enterprise, enterprise.pk)
    if enterprise.deleted_at is not None:
        raise ValidationError(_("Bản ghi đã bị xoá; hãy khôi phục trước khi sửa."))
    errors: dict[str, str] = {}
    if to_status not in EnterpriseStatus.values:
        errors["to_status"] = _("Tình trạng không hợp lệ.")
    elif to_status not in STATUS_TRANSITIONS[enterprise.status]:
        errors["to_status"] = _("Không chuyển được từ “%(from)s” sang “%(to)s”.") % {
            "from": EnterpriseStatus(enterprise.status).label,
            "to": EnterpriseStatus(to_status).label,
        }
    if not reason.strip():
        errors["reason"] = _("Hãy ghi lý do.")
    last = enterprise.status_history.order_by("-effective_on", "-pk").first()
    floor = last.effective_on if last is not None else enterprise.founded_on
    if floor is not None and effective_on < floor:
        errors["effective_on"] = _("Ngày hiệu lực không được trước ngày %(day)s.") % {
            "day": floor.strftime("%d/%m/%Y")
        }
    if until is not None:
        if to_status != EnterpriseStatus.SUSPENDED:
            errors["until"] = _("Chỉ ghi “đến ngày” khi tạm ngừng kinh doanh.")
        elif until <= effective_on:
            errors["until"] = _("Ngày kết thúc tạm ngừng phải sau ngày bắt đầu.")
    if errors:
        raise ValidationError(errors)
    previous = enterprise.status
    with audited("registry.enterprises.status", enterprise):
        change = StatusChange.objects.create(
            enterprise=enterprise,
            from_status=previous,
            to_status=to_status,
            effective_on=effective_on,
            until=until,
            reason=reason.strip(),
            decision=decision.strip(),
            recorded_by=by if is_real_user(by) else None,
        )
        enterprise.status = to_status
        enterprise.status_since = effective_on
        enterprise.save(update_fields=["status", "status_since"])
    publish(
        "registry.enterprises.status_changed",
        subject=str(enterprise.pk),
        data=event_data(
            for_model(Enterprise),
            enterprise,
            tax_code=enterprise.tax_code,
            from_status=previous,
            to_status=to_status,
            effective_on=effective_on,
        ),
    )
    return change


# --- Dependent units ------------------------------------------------------------------------


@service
def add_branch(
    enterprise: Enterprise,
    *,
    kind: str,
    name: str,
    tax_code: str = "",
    head_name: str = "",
    street: str = "",
    commune: str = "",
    commune_legacy: str = "",
    address_text: str = "",
    opened_on: datetime.date | None = None,
    by: Any,
) -> Branch:
    """Register a branch, representative office or business location of an enterprise."""
    check_editable(enterprise, by)
    errors: dict[str, list[str]] = {}
    code = ""
    if kind not in BranchKind.values:
        errors["kind"] = [_("Loại đơn vị phụ thuộc không hợp lệ.")]
    if tax_code.strip():
        try:
            code = taxcodes.normalise(tax_code)
        except ValidationError as exc:
            errors["tax_code"] = exc.messages
        else:
            if not taxcodes.is_branch_code(code) or taxcodes.head_of(code) != enterprise.tax_code:
                errors["tax_code"] = [
                    _("Mã số đơn vị phụ thuộc phải là %(head)s-NNN (13 chữ số).")
                    % {"head": enterprise.tax_code}
                ]
            elif Branch.objects.filter(tax_code=code).exists():
                errors["tax_code"] = [_("Mã số %(code)s đã được cấp.") % {"code": code}]
    elif kind in (BranchKind.BRANCH, BranchKind.REPRESENTATIVE_OFFICE):
        errors["tax_code"] = [_("Chi nhánh, văn phòng đại diện phải có mã số 13 chữ số.")]
    if not name.strip():
        errors["name"] = [_("Hãy nhập tên.")]
    branch = Branch(
        enterprise=enterprise,
        kind=kind,
        tax_code=code,
        name=" ".join(name.split()),
        head_name=head_name.strip(),
        address_street=street,
        address_commune=commune,
        address_commune_legacy=commune_legacy,
        address_address_original=address_text,
        opened_on=opened_on,
    )
    try:
        branch.clean_address("address")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with audited("registry.enterprises.branch.create", branch):
        branch.save()
    publish(
        "registry.enterprises.branch_added",
        subject=str(enterprise.pk),
        data=event_data(for_model(Enterprise), enterprise, branch=branch.pk, kind=kind),
    )
    return branch


@service
def close_branch(branch: Branch, *, closed_on: datetime.date, by: Any) -> Branch:
    """Record that a dependent unit stopped operating (chấm dứt hoạt động)."""
    check_editable(branch.enterprise, by)
    if branch.closed_on is not None:
        raise ValidationError({"closed_on": _("Đơn vị này đã chấm dứt hoạt động.")})
    if branch.opened_on is not None and closed_on < branch.opened_on:
        raise ValidationError({"closed_on": _("Ngày chấm dứt trước ngày đăng ký.")})
    with audited("registry.enterprises.branch.close", branch):
        branch.closed_on = closed_on
        branch.save(update_fields=["closed_on"])
    publish(
        "registry.enterprises.branch_closed",
        subject=str(branch.enterprise_id),
        data=event_data(for_model(Enterprise), branch.enterprise, branch=branch.pk),
    )
    return branch


# --- Investment projects --------------------------------------------------------------------


@dataclass
class InvestorData:
    """An investor as a form, a file or a dossier gives it."""

    kind: str
    name: str
    identifier: str = ""
    nationality: str = ""
    capital: int | None = None
    #: The registered enterprise of the tax code, once looked up (`parse_investors` does).
    enterprise_id: int | None = None
    looked_up: bool = False

    def as_row(self) -> ProjectInvestor:
        """An unsaved investor row, linked to the enterprise of its tax code if registered."""
        if not self.looked_up and self.kind == InvestorKind.ORGANISATION and self.identifier:
            self.enterprise_id = (
                Enterprise.objects.filter(tax_code=self.identifier)
                .values_list("pk", flat=True)
                .first()
            )
            self.looked_up = True
        return ProjectInvestor(
            kind=self.kind,
            enterprise_id=self.enterprise_id,
            name=self.name,
            identifier=self.identifier,
            nationality=self.nationality,
            capital=self.capital,
        )


def parse_investors(text: str) -> list[InvestorData]:
    """Investors written "Name (identifier); …" or as bare tax codes of registered enterprises.

    An identifier of 12 digits is a person's ID; 10 or 13 digits a tax code; anything else
    (a foreign registration or passport number) is kept as written, for an organisation.
    ValidationError lists every entry at fault.
    """
    investors: list[InvestorData] = []
    errors: list[str] = []
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        match = NAMED_INVESTOR.match(part)
        name, identifier = (
            (" ".join(match["name"].split()), match["identifier"].strip()) if match else ("", part)
        )
        digits = identifier.replace("-", "").replace(" ", "")
        if digits.isdigit() and len(digits) == 12:
            investors.append(InvestorData(InvestorKind.PERSON, name, digits, "Việt Nam"))
        elif digits.isdigit() and len(digits) in (10, 13):
            try:
                code = taxcodes.normalise(identifier)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            investors.append(InvestorData(InvestorKind.ORGANISATION, name, code))
        elif match:
            investors.append(InvestorData(InvestorKind.ORGANISATION, name, identifier))
        else:
            errors.append(
                _("“%(part)s”: ghi “Tên (mã số thuế hoặc số định danh)” hoặc mã số thuế.")
                % {"part": part}
            )
    codes = [i.identifier for i in investors if i.kind == InvestorKind.ORGANISATION]
    if codes:
        # One query for the whole line: the names of bare codes and the links of all.
        found = {
            code: (pk, name)
            for code, pk, name in Enterprise.objects.filter(tax_code__in=codes).values_list(
                "tax_code", "pk", "name"
            )
        }
        for investor in investors:
            if investor.kind != InvestorKind.ORGANISATION:
                continue
            investor.looked_up = True
            if investor.identifier in found:
                investor.enterprise_id, registered = found[investor.identifier]
                investor.name = investor.name or registered
            elif not investor.name:
                errors.append(
                    _(
                        "Mã số thuế %(code)s chưa có trong cơ sở dữ liệu doanh nghiệp: "
                        "ghi kèm tên, “Tên (%(code)s)”."
                    )
                    % {"code": investor.identifier}
                )
    if errors:
        raise ValidationError({"investors": errors})
    return investors


#: Project fields an amendment may change (the certificate's contents).
AMENDABLE = (
    "name",
    "objectives",
    "capital",
    "location_street",
    "location_commune",
    "location_commune_legacy",
    "location_address_original",
    "land_area",
    "duration_years",
)


@dataclass
class ProjectData:
    """The contents of an investment registration certificate (all optional for an amendment)."""

    name: str = ""
    objectives: str = ""
    capital: int | None = None
    location_street: str = ""
    location_commune: str = ""
    location_commune_legacy: str = ""
    location_address_original: str = ""
    land_area: decimal.Decimal | None = None
    duration_years: int | None = None
    investors: list[InvestorData] = field(default_factory=list)

    def given(self) -> dict[str, Any]:
        """The amendable fields this data sets (empty ones leave the project as it is)."""
        values = {name: getattr(self, name) for name in AMENDABLE}
        return {k: v for k, v in values.items() if v not in ("", None)}


def _may_write_project(by: Any, owner: OrgUnit, source_dossier: str) -> None:
    """Officials need the owner's registry role; `by=None` acts on an approved dossier only."""
    if by is None and source_dossier:
        return
    if not can_edit_for(by, owner):
        raise PermissionDenied(_("Bạn không có quyền cập nhật dự án đầu tư của cơ quan này."))


def next_project_code(prefix: str = "74") -> str:
    """The next free 10-digit project code with the given 2-digit prefix."""
    top = (
        InvestmentProject.all_objects.filter(code__startswith=prefix)
        .aggregate(top=Max("code"))
        .get("top")
    )
    serial = int(top[2:]) + 1 if top else 1
    return f"{prefix}{serial:08d}"


@service
def register_project(
    data: ProjectData,
    *,
    owner: OrgUnit,
    certificate_number: str = "",
    certificate_date: datetime.date,
    code: str = "",
    source_dossier: str = "",
    by: Any,
) -> InvestmentProject:
    """Record a project and its first investment registration certificate (cấp mới)."""
    _may_write_project(by, owner, source_dossier)
    if source_dossier:
        existing = InvestmentProject.all_objects.filter(source_dossier=source_dossier).first()
        if existing is not None:
            # The dossier was applied already (a redelivered event): nothing more to do.
            return existing
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Chưa có tên dự án.")]
    if not data.objectives.strip():
        errors["objectives"] = [_("Chưa có mục tiêu dự án.")]
    if not data.investors:
        errors["investors"] = [_("Dự án phải có ít nhất một nhà đầu tư.")]
    code = code.strip() or next_project_code()
    if InvestmentProject.all_objects.filter(code=code).exists():
        errors["code"] = [_("Mã số dự án %(code)s đã có.") % {"code": code}]
    if errors:
        raise ValidationError(errors)
    project = InvestmentProject(
        owner=owner,
        code=code,
        name=" ".join(data.name.split()),
        objectives=data.objectives.strip(),
        capital=data.capital or 0,
        location_street=data.location_street,
        location_commune=data.location_commune,
        location_commune_legacy=data.location_commune_legacy,
        location_address_original=data.location_address_original,
        land_area=data.land_area,
        duration_years=data.duration_years,
        certificate_number=certificate_number.strip() or code,
        certificate_date=certificate_date,
        source_dossier=source_dossier,
    )
    project.full_clean()
    project.stage_investors(i.as_row() for i in data.investors)
    with audited("registry.investment_projects.create", project):
        project.save()
    publish(
        "registry.investment_projects.created",
        subject=str(project.pk),
        data=event_data(
            for_model(InvestmentProject), project, code=project.code, dossier=source_dossier
        ),
    )
    return project


def _shown(value: Any) -> Any:
    """A value as the amendment's change list stores it (JSON)."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


@service
def amend_project(
    project: InvestmentProject,
    data: ProjectData,
    *,
    amended_on: datetime.date,
    summary: str = "",
    certificate_number: str = "",
    source_dossier: str = "",
    by: Any,
) -> CertificateAmendment:
    """Amend a project's certificate (điều chỉnh): the fields given change, one numbered row."""
    _may_write_project(by, project.owner, source_dossier)
    if source_dossier:
        done = CertificateAmendment.objects.filter(source_dossier=source_dossier).first()
        if done is not None:
            return done
    project = _locked(InvestmentProject, project.pk)
    if project.deleted_at is not None:
        raise ValidationError(_("Dự án đã bị xoá; hãy khôi phục trước khi điều chỉnh."))
    if project.status == ProjectStatus.TERMINATED:
        raise ValidationError(_("Dự án đã chấm dứt hoạt động, không điều chỉnh được."))
    if amended_on < project.certificate_date:
        raise ValidationError(
            {"amended_on": _("Ngày điều chỉnh trước ngày cấp giấy chứng nhận lần đầu.")}
        )
    before = {name: getattr(project, name) for name in AMENDABLE}
    before_investors = [(i.identifier, i.name) for i in project.investors.all()]
    given = data.given()
    if "location_commune" in given or "location_commune_legacy" in given:
        # A new location replaces the old one whole, not commune by commune.
        for name in ("location_street", "location_commune", "location_commune_legacy"):
            given.setdefault(name, "")
        given.setdefault("location_address_original", "")
    for name, value in given.items():
        setattr(project, name, value)
    if isinstance(given.get("name"), str):
        project.name = " ".join(project.name.split())
    project.full_clean()
    changes = {
        name: [_shown(before[name]), _shown(getattr(project, name))]
        for name in AMENDABLE
        if before[name] != getattr(project, name)
    }
    if data.investors:
        rows = [i.as_row() for i in data.investors]
        after_investors = [(r.identifier, r.name) for r in rows]
        if after_investors != before_investors:
            changes["investors"] = [
                [f"{i} {n}".strip() for i, n in before_investors],
                [f"{i} {n}".strip() for i, n in after_investors],
            ]
            project.stage_investors(rows)
    if not changes:
        raise ValidationError(_("Nội dung điều chỉnh không thay đổi thông tin nào của dự án."))
    number = (project.amendments.aggregate(top=Max("number"))["top"] or 0) + 1
    labels = {f.name: str(f.verbose_name) for f in InvestmentProject._meta.fields}
    labels["investors"] = _("nhà đầu tư")
    text = summary.strip() or "; ".join(labels.get(name, name) for name in changes)
    with audited("registry.investment_projects.amend", project):
        project.save()
        amendment = CertificateAmendment.objects.create(
            project=project,
            number=number,
            certificate_number=certificate_number.strip() or project.certificate_number,
            amended_on=amended_on,
            summary=text,
            changes=changes,
            source_dossier=source_dossier,
            recorded_by=by if is_real_user(by) else None,
        )
    publish(
        "registry.investment_projects.amended",
        subject=str(project.pk),
        data=event_data(
            for_model(InvestmentProject),
            project,
            code=project.code,
            amendment=number,
            changed=sorted(changes),
            dossier=source_dossier,
        ),
    )
    return amendment


@service
def terminate_project(
    project: InvestmentProject,
    *,
    on: datetime.date,
    reason: str,
    source_dossier: str = "",
    by: Any,
) -> CertificateAmendment:
    """Record that a project stopped (chấm dứt hoạt động), as the last row of its history."""
    _may_write_project(by, project.owner, source_dossier)
    if source_dossier:
        done = CertificateAmendment.objects.filter(source_dossier=source_dossier).first()
        if done is not None:
            return done
    project = _locked(InvestmentProject, project.pk)
    if project.status == ProjectStatus.TERMINATED:
        raise ValidationError(_("Dự án đã chấm dứt hoạt động."))
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do chấm dứt.")})
    number = (project.amendments.aggregate(top=Max("number"))["top"] or 0) + 1
    with audited("registry.investment_projects.terminate", project):
        project.status = ProjectStatus.TERMINATED
        project.save(update_fields=["status"])
        amendment = CertificateAmendment.objects.create(
            project=project,
            number=number,
            certificate_number=project.certificate_number,
            amended_on=on,
            summary=_("Chấm dứt hoạt động dự án: %(reason)s") % {"reason": reason.strip()},
            changes={"status": [ProjectStatus.ACTIVE, ProjectStatus.TERMINATED]},
            source_dossier=source_dossier,
            recorded_by=by if is_real_user(by) else None,
        )
    publish(
        "registry.investment_projects.terminated",
        subject=str(project.pk),
        data=event_data(
            for_model(InvestmentProject), project, code=project.code, dossier=source_dossier
        ),
    )
    return amendment


def today() -> datetime.date:
    """Today in Vietnam (dates of status changes and amendments default to it)."""
    return timezone.localdate()
