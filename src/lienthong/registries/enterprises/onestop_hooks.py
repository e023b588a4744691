"""Investment projects from the one-stop shop: an approved dossier creates or amends one.

When a dossier of an investment procedure is returned (`dossier.returned`: the leader
approved it — a refusal stops the dossier instead, `dossier.stopped` — and the result was
handed over), this consumer applies its form data to the registry:

| procedure (catalogue code) | action |
|---|---|
| 1.009664 Cấp Giấy chứng nhận đăng ký đầu tư | `register`: a new project |
| 1.009647 Điều chỉnh Giấy chứng nhận đăng ký đầu tư | `amend`: one numbered amendment |
| 1.009659 Gia hạn thời hạn hoạt động của dự án | `amend` (usually the duration) |
| 1.009662 Thông báo chấm dứt hoạt động dự án | `terminate` |

The certificate's number is the result's number (số, ký hiệu), else the project code; its
date the result's date.

The table is `DEFAULT_PROCEDURES`, replaced by `settings.LIENTHONG["INVESTMENT_PROCEDURES"]`
(code → action); a dossier's procedure matches a code equal to it or to its first segments
(`1.009664` matches `1.009664.000.00.00.H56`).

Form data keys (what the intake form or `POST /api/onestop/dossiers` puts in `form_data`):

    ma_so_du_an           10 digits: required to amend or terminate; optional to register
    ten_du_an             project name
    muc_tieu              objectives
    von_dau_tu            capital in đồng (integer; "120.000.000.000" is read too)
    dien_tich_dat         land area in m²
    thoi_han_hoat_dong    duration in years
    dia_diem              location as written (either era), or
    ma_xa / ma_xa_cu      2025 / legacy commune code, with `dia_diem` as the street part
    nha_dau_tu            list of investors: {"ma_so_thue"} for a registered enterprise, or
                          {"ten", "ma_so_thue" | "so_dinh_danh" | "so_ho_chieu", "quoc_tich",
                          "von_gop"}; absent: the organisation that applied is the investor
    noi_dung_dieu_chinh   what the amendment changes (summary)
    ly_do                 reason to terminate

Delivery is at least once: the relay skips an event this consumer has handled
(`ProcessedEvent`), and the services skip a dossier already applied (the dossier code is
unique on projects and amendments), so the same event twice makes one project. Form data
that cannot be applied is recorded as a `DossierSyncProblem` instead of being retried: the
same data would fail again.
"""

from __future__ import annotations

import decimal
import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.core.identifiers import parse_personal_id
from lienthong.exchange.registry import CloudEvent, handler
from lienthong.registries.enterprises import services, taxcodes
from lienthong.registries.enterprises.models import (
    DossierSyncProblem,
    Enterprise,
    InvestmentProject,
    InvestorKind,
)

logger = logging.getLogger("lienthong.registries.enterprises")

REGISTER, AMEND, TERMINATE = "register", "amend", "terminate"

#: Investment procedures of the catalogue (shared/data/procedures) and what each does.
DEFAULT_PROCEDURES: dict[str, str] = {
    "1.009664": REGISTER,
    "1.009647": AMEND,
    "1.009659": AMEND,
    "1.009662": TERMINATE,
}

#: The consumer name is stored with every handled event id: never rename it.
CONSUMER = "enterprises.investment_projects"


def procedures() -> dict[str, str]:
    """Procedure code → action, from settings or the defaults."""
    configured = getattr(settings, "LIENTHONG", {}).get("INVESTMENT_PROCEDURES")
    return dict(configured) if configured is not None else dict(DEFAULT_PROCEDURES)


def action_for(procedure_code: str) -> str | None:
    """What an approved dossier of this procedure does to the registry, if anything."""
    table = procedures()
    parts = (procedure_code or "").split(".")
    for length in range(len(parts), 0, -1):
        action = table.get(".".join(parts[:length]))
        if action is not None:
            return action
    return None


# --- Form data ------------------------------------------------------------------------------


def _text(form: dict[str, Any], key: str) -> str:
    value = form.get(key)
    return " ".join(str(value).split()) if value not in (None, "") else ""


def _integer(form: dict[str, Any], key: str, errors: dict[str, str]) -> int | None:
    value = form.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors[key] = _("Phải là một số nguyên.")
        return None
    if isinstance(value, int):
        number = value
    else:
        # Vietnamese writes thousands with dots: "120.000.000.000".
        digits = re.sub(r"[.\s]", "", str(value))
        if not digits.isdigit():
            errors[key] = _("“%(value)s” không phải một số nguyên.") % {"value": value}
            return None
        number = int(digits)
    if number < 0:
        errors[key] = _("Không được âm.")
        return None
    return number


def _decimal(form: dict[str, Any], key: str, errors: dict[str, str]) -> decimal.Decimal | None:
    value = form.get(key)
    if value in (None, ""):
        return None
    try:
        number = decimal.Decimal(str(value).replace(",", ".")).quantize(decimal.Decimal("0.01"))
    except decimal.InvalidOperation:
        errors[key] = _("“%(value)s” không phải một số.") % {"value": value}
        return None
    if number < 0:
        errors[key] = _("Không được âm.")
        return None
    return number


def _investor(item: Any, index: int, errors: dict[str, str]) -> services.InvestorData | None:
    key = f"nha_dau_tu[{index}]"
    if not isinstance(item, dict):
        errors[key] = _("Mỗi nhà đầu tư là một đối tượng có tên và mã số.")
        return None
    name = _text(item, "ten")
    capital = _integer(item, "von_gop", errors)
    nationality = _text(item, "quoc_tich")
    if tax_code := _text(item, "ma_so_thue"):
        try:
            code = taxcodes.normalise(tax_code)
        except ValidationError as exc:
            errors[key] = exc.messages[0]
            return None
        if not name:
            enterprise = Enterprise.objects.filter(tax_code=code).first()
            if enterprise is None:
                errors[key] = _(
                    "Mã số thuế %(code)s chưa có trong cơ sở dữ liệu doanh nghiệp: hãy ghi tên."
                ) % {"code": code}
                return None
            name = enterprise.name
        return services.InvestorData(
            InvestorKind.ORGANISATION, name, code, nationality, capital=capital
        )
    if personal_id := _text(item, "so_dinh_danh"):
        try:
            parse_personal_id(personal_id)
        except ValidationError as exc:
            errors[key] = exc.messages[0]
            return None
    identifier = personal_id or _text(item, "so_ho_chieu")
    if not name:
        errors[key] = _("Nhà đầu tư cá nhân phải có họ tên.")
        return None
    return services.InvestorData(
        InvestorKind.PERSON, name, identifier, nationality or "Việt Nam", capital=capital
    )


def project_data(form: dict[str, Any], applicant: dict[str, str]) -> services.ProjectData:
    """The certificate contents a dossier's form data gives; ValidationError keyed by form key.

    `applicant` (kind, name, tax_code) is the investor when the form lists none and an
    organisation applied.
    """
    errors: dict[str, str] = {}
    data = services.ProjectData(
        name=_text(form, "ten_du_an"),
        objectives=str(form.get("muc_tieu") or "").strip(),
        capital=_integer(form, "von_dau_tu", errors),
        land_area=_decimal(form, "dien_tich_dat", errors),
        duration_years=_integer(form, "thoi_han_hoat_dong", errors),
    )
    place, commune, legacy = _text(form, "dia_diem"), _text(form, "ma_xa"), _text(form, "ma_xa_cu")
    if commune or legacy:
        data.location_street, data.location_commune, data.location_commune_legacy = (
            place,
            commune,
            legacy,
        )
    elif place:
        data.location_address_original = place
    if data.duration_years is not None and data.duration_years > 70:
        # Law on Investment 2020, Art. 44: at most 50 years, 70 in disadvantaged areas.
        errors["thoi_han_hoat_dong"] = _("Thời hạn hoạt động tối đa 70 năm.")
    raw = form.get("nha_dau_tu")
    if raw not in (None, ""):
        if not isinstance(raw, list):
            errors["nha_dau_tu"] = _("Phải là danh sách nhà đầu tư.")
        else:
            for index, item in enumerate(raw):
                if (investor := _investor(item, index, errors)) is not None:
                    data.investors.append(investor)
    elif applicant.get("kind") == InvestorKind.ORGANISATION and applicant.get("tax_code"):
        try:
            code = taxcodes.normalise(applicant["tax_code"])
        except ValidationError as exc:
            errors["nha_dau_tu"] = exc.messages[0]
        else:
            data.investors.append(
                services.InvestorData(InvestorKind.ORGANISATION, applicant["name"], code)
            )
    if errors:
        raise ValidationError(errors)
    return data


# --- Applying a dossier ---------------------------------------------------------------------


def _dossier(dossier_id: int) -> Any:
    # Read-only use of the one-stop shop's models: this app never writes them.
    from lienthong.onestop.models import Dossier

    return (
        Dossier.objects.select_related("procedure", "agency", "result")
        .filter(pk=dossier_id)
        .first()
    )


def apply_dossier(dossier_id: int) -> InvestmentProject | None:
    """Create, amend or terminate the project an approved investment dossier is about.

    Returns the project, or None when the dossier is not an approved investment dossier or
    its data could not be applied (then a `DossierSyncProblem` says why).
    """
    from lienthong.onestop.models import DossierStatus

    dossier = _dossier(dossier_id)
    if dossier is None or dossier.status != DossierStatus.RETURNED:
        return None
    action = action_for(dossier.procedure.code)
    if action is None:
        return None
    result = getattr(dossier, "result", None)
    issued = timezone.localdate(result.issued_at) if result is not None else services.today()
    number = result.number if result is not None else ""
    form = dossier.form_data if isinstance(dossier.form_data, dict) else {}
    applicant = {
        "kind": dossier.applicant_kind,
        "name": dossier.applicant_name,
        "tax_code": dossier.applicant_tax_code,
    }
    try:
        with acting(via=f"onestop {dossier.code}"):
            project = _apply(action, dossier, form, applicant, issued, number)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        DossierSyncProblem.objects.update_or_create(
            dossier_code=dossier.code,
            defaults={
                "procedure_code": dossier.procedure.code,
                "agency": dossier.agency,
                "errors": errors,
                "at": timezone.now(),
                "resolved_at": None,
            },
        )
        logger.warning("investment dossier %s not applied: %s", dossier.code, errors)
        return None
    DossierSyncProblem.objects.filter(dossier_code=dossier.code).update(resolved_at=timezone.now())
    return project


def _existing(form: dict[str, Any]) -> InvestmentProject:
    code = _text(form, "ma_so_du_an")
    if not code:
        raise ValidationError({"ma_so_du_an": _("Chưa ghi mã số dự án cần điều chỉnh.")})
    project = InvestmentProject.objects.filter(code=code).first()
    if project is None:
        raise ValidationError(
            {
                "ma_so_du_an": _("Không có dự án mã số %(code)s trong cơ sở dữ liệu.")
                % {"code": code}
            }
        )
    return project


def _apply(
    action: str,
    dossier: Any,
    form: dict[str, Any],
    applicant: dict[str, str],
    issued: Any,
    number: str,
) -> InvestmentProject:
    if action == REGISTER:
        data = project_data(form, applicant)
        return services.register_project(
            data,
            owner=dossier.agency,
            certificate_number=number,
            certificate_date=issued,
            code=_text(form, "ma_so_du_an"),
            source_dossier=dossier.code,
            by=None,
        )
    project = _existing(form)
    if action == AMEND:
        data = project_data(form, {})
        services.amend_project(
            project,
            data,
            amended_on=issued,
            summary=str(form.get("noi_dung_dieu_chinh") or ""),
            certificate_number=number,
            source_dossier=dossier.code,
            by=None,
        )
    elif action == TERMINATE:
        services.terminate_project(
            project,
            on=issued,
            reason=_text(form, "ly_do") or _("Nhà đầu tư thông báo chấm dứt."),
            source_dossier=dossier.code,
            by=None,
        )
    else:
        raise ValidationError(_("Thao tác “%(action)s” không được hỗ trợ.") % {"action": action})
    project.refresh_from_db()
    return project


@handler("dossier.returned", consumer=CONSUMER)
def on_dossier_returned(event: CloudEvent) -> None:
    """Apply an approved investment dossier to the registry (other procedures: nothing)."""
    if action_for(str(event.data.get("procedure", ""))) is None:
        return
    apply_dossier(int(event.data["id"]))
