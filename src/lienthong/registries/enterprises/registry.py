"""How the shared registry machinery handles enterprises and investment projects (import and
export columns, list columns, filters, forms), registered in `EnterprisesConfig.ready()`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lienthong.registries.base import registry as registries
from lienthong.registries.base.bulk import insert_rows
from lienthong.registries.base.importing import (
    Column,
    ImportContext,
    parse_choice,
    parse_date,
    parse_digits,
    parse_text,
)
from lienthong.registries.base.registry import ListColumn, ListFilter, RegistryType
from lienthong.registries.enterprises import services, taxcodes, vsic
from lienthong.registries.enterprises.models import (
    BusinessLine,
    Enterprise,
    EnterpriseStatus,
    EnterpriseType,
    InvestmentProject,
    ProjectInvestor,
    ProjectStatus,
    clean_lines,
    enterprise_errors,
    investors_text,
    split_codes,
)

ENTERPRISES = Enterprise.registry_key
PROJECTS = InvestmentProject.registry_key


# --- Parsers --------------------------------------------------------------------------------


def parse_tax_code(value: str) -> str:
    """A tax code in its stored form (`NNNNNNNNNN`, `NNNNNNNNNN-NNN`)."""
    text = value.strip()
    if text.isdigit() and len(text) in (8, 9, 11, 12):
        # A spreadsheet number loses its leading zeros: 0100233488 comes back as 100233488.
        text = text.zfill(10 if len(text) < 10 else 13)
    return taxcodes.normalise(text)


def parse_money(value: str) -> int:
    """An amount in đồng: digits, with dots, commas or spaces between thousands."""
    digits = re.sub(r"[.,\s]", "", value)
    if not digits.isdigit():
        raise ValidationError(
            _("“%(value)s” không phải số tiền (đồng, số nguyên).") % {"value": value}
        )
    return int(digits)


def parse_count(value: str) -> int:
    """A whole number (years)."""
    if not value.strip().isdigit():
        raise ValidationError(_("“%(value)s” không phải số nguyên.") % {"value": value})
    return int(value.strip())


def parse_area(value: str) -> Decimal:
    """An area in m²: a decimal comma or point; dots between thousands when there are several."""
    text = value.strip().replace(" ", "")
    if text.count(".") > 1 or ("." in text and "," in text):
        text = text.replace(".", "")
    try:
        number = Decimal(text.replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError(
            _("“%(value)s” không phải diện tích (m²).") % {"value": value}
        ) from None
    if number < 0:
        raise ValidationError(_("Diện tích không được âm."))
    return number


def _address_columns(prefix: str, label: Any) -> list[Column]:
    fields = (f"{prefix}_commune", f"{prefix}_street", f"{prefix}_commune_legacy")
    return [
        Column(f"{prefix}_street", _("%(label)s: số nhà, đường") % {"label": label}),
        Column(
            f"{prefix}_commune",
            _("%(label)s: mã xã mới") % {"label": label},
            parse=parse_digits(5),
            fields=fields,
        ),
        Column(
            f"{prefix}_commune_legacy",
            _("%(label)s: mã xã cũ") % {"label": label},
            parse=parse_digits(5),
        ),
        Column(
            f"{prefix}_address",
            _("%(label)s: địa chỉ") % {"label": label},
            parse=parse_text(500),
            export=lambda obj: getattr(obj, f"{prefix}_address_original"),
            fields=(f"{prefix}_address_original",),
        ),
    ]


def _set_address(obj: Any, prefix: str, values: dict[str, Any]) -> None:
    setattr(obj, f"{prefix}_street", values.get(f"{prefix}_street", ""))
    setattr(obj, f"{prefix}_commune", values.get(f"{prefix}_commune", ""))
    setattr(obj, f"{prefix}_commune_legacy", values.get(f"{prefix}_commune_legacy", ""))
    setattr(obj, f"{prefix}_address_original", values.get(f"{prefix}_address", ""))


#: Columns an import never sets from a row: the import sets them (owner, job, stamps, search).
_MANAGED = frozenset(
    {"id", "owner_id", "import_job_id", "created_at", "updated_at", "deleted_at", "deleted_by_id"}
)


def as_row(obj: Any) -> dict[str, Any]:
    """A validated unsaved record as the column values the bulk insert takes."""
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in _MANAGED
    }


def _display(choices: type[Any], attribute: str) -> Callable[[Any], str]:
    return lambda obj: str(choices(getattr(obj, attribute)).label)


# --- Enterprises ----------------------------------------------------------------------------


def enterprise_columns() -> list[Column]:
    """The columns of an enterprises file, in order (the header may use keys or labels)."""
    return [
        Column("tax_code", _("Mã số doanh nghiệp"), parse=parse_tax_code, required=True),
        Column("name", _("Tên doanh nghiệp"), parse=parse_text(255), required=True),
        Column("name_foreign", _("Tên nước ngoài"), parse=parse_text(255)),
        Column("name_short", _("Tên viết tắt"), parse=parse_text(100)),
        Column(
            "enterprise_type",
            _("Loại hình"),
            parse=parse_choice(EnterpriseType.choices),
            required=True,
            export=_display(EnterpriseType, "enterprise_type"),
        ),
        Column("founded_on", _("Ngày đăng ký lần đầu"), parse=parse_date),
        Column("charter_capital", _("Vốn điều lệ (đồng)"), parse=parse_money),
        Column(
            "representative_name",
            _("Người đại diện theo pháp luật"),
            parse=parse_text(150),
            required=True,
        ),
        Column(
            "representative_personal_id",
            _("Số định danh người đại diện"),
            parse=parse_digits(12),
        ),
        Column("representative_title", _("Chức danh"), parse=parse_text(100)),
        *_address_columns("address", _("Trụ sở")),
        Column("phone", _("Điện thoại"), parse=parse_text(20)),
        Column("email", _("Thư điện tử"), parse=parse_text(254)),
        Column(
            "main_line",
            _("Ngành chính (VSIC)"),
            parse=vsic.clean,
            required=True,
            fields=("lines",),
        ),
        Column(
            "other_lines",
            _("Ngành khác (VSIC)"),
            parse=parse_text(500),
            export=lambda e: e.other_lines,
        ),
        Column(
            "status",
            _("Tình trạng"),
            parse=parse_choice(EnterpriseStatus.choices),
            export=_display(EnterpriseStatus, "status"),
        ),
        Column("status_since", _("Tình trạng từ ngày"), parse=parse_date),
    ]


def build_enterprise(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """An enterprise's column values from one import row, checked by the rules of
    `Enterprise.clean` (`enterprise_errors`); ValidationError names the fields at fault.
    Its lines ride along under "lines".

    The uniqueness of the tax code is checked by the import (in batches), not here per row.
    A file may carry the enterprise's present status (the first load of an older register);
    later changes go through `services.change_status` and its history. No model instance is
    made: at 100,000 rows their construction was a quarter of the import's time.
    """
    row: dict[str, Any] = {
        **_defaults(Enterprise),
        "tax_code": values.get("tax_code", ""),
        "name": values.get("name", ""),
        "name_foreign": values.get("name_foreign", ""),
        "name_short": values.get("name_short", ""),
        "enterprise_type": values.get("enterprise_type", ""),
        "founded_on": values.get("founded_on"),
        "charter_capital": values.get("charter_capital", 0),
        "representative_name": values.get("representative_name", ""),
        "representative_personal_id": values.get("representative_personal_id", ""),
        "representative_title": values.get("representative_title", ""),
        "phone": values.get("phone", ""),
        "email": values.get("email", ""),
        "status": values.get("status") or EnterpriseStatus.ACTIVE,
        "status_since": values.get("status_since"),
        "address_street": values.get("address_street", ""),
        "address_commune": values.get("address_commune", ""),
        "address_commune_legacy": values.get("address_commune_legacy", ""),
        "address_address_original": values.get("address_address", ""),
    }
    errors = enterprise_errors(row)
    try:
        lines = clean_lines(values.get("main_line", ""), split_codes(values.get("other_lines", "")))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        lines = []
    row["main_line"] = lines[0][0] if lines else ""
    row["other_lines"] = ";".join(code for code, main in lines if not main)[:500]
    row["lines"] = lines
    if row["email"]:
        try:
            validate_email(row["email"])
        except ValidationError as exc:
            errors["email"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return row


@cache
def _defaults(model: Any) -> dict[str, Any]:
    """Every data column's default (a row built without a model instance starts from these).

    Computed once per model: the defaults here are constants (no callable defaults among
    the data columns)."""
    return {
        f.attname: f.get_default()
        for f in model._meta.concrete_fields
        if f.attname not in _MANAGED and f.attname != "search_text"
    }


def existing_tax_codes(keys: Iterable[str]) -> set[str]:
    """The tax codes among `keys` already in the table (soft-deleted rows included)."""
    return set(
        Enterprise.all_objects.filter(tax_code__in=list(keys)).values_list("tax_code", flat=True)
    )


def _ids(model: Any, key: str, values: list[str]) -> dict[str, int]:
    return dict(model.all_objects.filter(**{f"{key}__in": values}).values_list(key, "pk"))


def _write_lines(ctx: ImportContext) -> None:
    """Insert the lines of business of the enterprises inserted by the previous batch.

    `before_insert` runs before a batch is inserted and the bulk insert returns no ids, so
    the lines wait one batch and the ids are read back by tax code (one query per batch).
    """
    pending: list[tuple[str, list[tuple[str, bool]]]] = ctx.cache.pop("lines_pending", [])
    if not pending:
        return
    ids = _ids(Enterprise, "tax_code", [code for code, _lines in pending])
    insert_rows(
        BusinessLine,
        [
            {"enterprise_id": ids[tax_code], "code": code, "is_main": main, "detail": ""}
            for tax_code, lines in pending
            for code, main in lines
        ],
    )


def lines_before_insert(batch: list[dict[str, Any]], ctx: ImportContext) -> None:
    """Write the previous batch's lines; keep this batch's for the next call."""
    _write_lines(ctx)
    ctx.cache["lines_pending"] = [(row["tax_code"], row.pop("lines", [])) for row in batch]


def lines_after_import(ctx: ImportContext) -> None:
    """Write the last batch's lines."""
    _write_lines(ctx)


def _by_line(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.with_line(value)  # type: ignore[attr-defined]


def _choice_filter(choices: list[tuple[str, Any]], lookup: str) -> Callable[..., QuerySet[Any]]:
    allowed = {value for value, _label in choices}

    def apply(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if value not in allowed:
            raise ValidationError(_("Giá trị lọc “%(value)s” không hợp lệ.") % {"value": value})
        return qs.filter(**{lookup: value})

    return apply


def _commune_filter(lookup: str) -> Callable[..., QuerySet[Any]]:
    def apply(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not re.fullmatch(r"[0-9]{5}", value.strip()):
            raise ValidationError(_("Mã xã, phường gồm 5 chữ số."))
        return qs.filter(**{lookup: value.strip()})

    return apply


# --- Investment projects --------------------------------------------------------------------


def project_columns() -> list[Column]:
    """The columns of an investment projects file."""
    return [
        Column("code", _("Mã số dự án"), parse=parse_digits(10), required=True),
        Column("name", _("Tên dự án"), parse=parse_text(500), required=True),
        Column("objectives", _("Mục tiêu"), parse=parse_text(4000), required=True),
        Column(
            "investors",
            _("Nhà đầu tư"),
            parse=parse_text(2000),
            required=True,
            export=lambda p: p.investor_names,
        ),
        Column("capital", _("Vốn đầu tư (đồng)"), parse=parse_money),
        *_address_columns("location", _("Địa điểm")),
        Column("land_area", _("Diện tích đất (m²)"), parse=parse_area),
        Column("duration_years", _("Thời hạn hoạt động (năm)"), parse=parse_count),
        Column("certificate_number", _("Số giấy chứng nhận"), parse=parse_text(50)),
        Column("certificate_date", _("Ngày cấp lần đầu"), parse=parse_date, required=True),
        Column(
            "status",
            _("Tình trạng"),
            parse=parse_choice(ProjectStatus.choices),
            export=_display(ProjectStatus, "status"),
        ),
    ]


def build_project(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """A project's column values from one import row, checked by `InvestmentProject.clean`;
    its investors ride along under "investors" (inserted after it)."""
    project = InvestmentProject(
        code=values.get("code", ""),
        name=values.get("name", ""),
        objectives=values.get("objectives", ""),
        capital=values.get("capital", 0),
        land_area=values.get("land_area"),
        duration_years=values.get("duration_years"),
        certificate_number=values.get("certificate_number") or values.get("code", ""),
        certificate_date=values.get("certificate_date"),  # type: ignore[misc]
        status=values.get("status") or ProjectStatus.ACTIVE,
    )
    _set_address(project, "location", values)
    errors: dict[str, list[str]] = {}
    rows: list[ProjectInvestor] = []
    try:
        rows = [i.as_row() for i in services.parse_investors(values.get("investors", ""))]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not rows and "investors" not in errors:
        errors["investors"] = [str(_("Dự án phải có ít nhất một nhà đầu tư."))]
    project.investor_names = investors_text(rows)[:500]
    if project.duration_years is not None and project.duration_years > 70:
        errors["duration_years"] = [str(_("Thời hạn hoạt động tối đa 70 năm."))]
    try:
        project.clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    investors = [
        {
            "kind": r.kind,
            "enterprise_id": r.enterprise_id,
            "name": r.name,
            "identifier": r.identifier,
            "nationality": r.nationality,
            "capital": r.capital,
        }
        for r in rows
    ]
    return {**as_row(project), "investors": investors}


def existing_project_codes(keys: Iterable[str]) -> set[str]:
    """The project codes among `keys` already in the table."""
    return set(
        InvestmentProject.all_objects.filter(code__in=list(keys)).values_list("code", flat=True)
    )


def _write_investors(ctx: ImportContext) -> None:
    pending: list[tuple[str, list[dict[str, Any]]]] = ctx.cache.pop("investors_pending", [])
    if not pending:
        return
    ids = _ids(InvestmentProject, "code", [code for code, _rows in pending])
    insert_rows(
        ProjectInvestor,
        [
            {**row, "project_id": ids[code], "order": order}
            for code, rows in pending
            for order, row in enumerate(rows, start=1)
        ],
    )


def investors_before_insert(batch: list[dict[str, Any]], ctx: ImportContext) -> None:
    """Write the previous batch's investors; keep this batch's for the next call."""
    _write_investors(ctx)
    ctx.cache["investors_pending"] = [(row["code"], row.pop("investors", [])) for row in batch]


def investors_after_import(ctx: ImportContext) -> None:
    """Write the last batch's investors."""
    _write_investors(ctx)


def _by_investor(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(investors__identifier=value.strip()).distinct()


# --- Registration ---------------------------------------------------------------------------


def register_all() -> None:
    """Register enterprises and investment projects with the shared registry machinery."""
    from lienthong.registries.enterprises import forms, views

    registries.register(
        RegistryType(
            key=ENTERPRISES,
            slug="doanh-nghiep",
            model=Enterprise,
            label=str(_("doanh nghiệp")),
            label_plural=str(_("Doanh nghiệp")),
            columns=enterprise_columns(),
            build=build_enterprise,
            form_class=forms.EnterpriseForm,
            list_columns=[
                ListColumn(_("Mã số doanh nghiệp"), lambda e: e.tax_code, link=True),
                ListColumn(_("Tên doanh nghiệp"), lambda e: e.name, link=True),
                ListColumn(_("Loại hình"), lambda e: e.get_enterprise_type_display()),
                ListColumn(_("Ngành chính"), lambda e: e.main_line),
                ListColumn(_("Tình trạng"), lambda e: e.get_status_display()),
                ListColumn(_("Trụ sở"), lambda e: e.address),
            ],
            filters=[
                ListFilter(
                    "status",
                    _("Tình trạng"),
                    choices=lambda: [(v, str(label)) for v, label in EnterpriseStatus.choices],
                    apply=_choice_filter(list(EnterpriseStatus.choices), "status"),
                ),
                ListFilter(
                    "type",
                    _("Loại hình"),
                    choices=lambda: [(v, str(label)) for v, label in EnterpriseType.choices],
                    apply=_choice_filter(list(EnterpriseType.choices), "enterprise_type"),
                ),
                ListFilter("vsic", _("Ngành (VSIC: A–U hoặc mã số)"), apply=_by_line),
                ListFilter(
                    "commune",
                    _("Mã xã, phường trụ sở"),
                    apply=_commune_filter("address_commune"),
                ),
            ],
            unique_column="tax_code",
            existing_keys=existing_tax_codes,
            before_insert=lines_before_insert,
            after_import=lines_after_import,
            subject_key=lambda e: e.tax_code,
            detail_context=views.enterprise_context,
            import_help=str(
                _(
                    "Mỗi dòng một doanh nghiệp. Bắt buộc: mã số doanh nghiệp (10 chữ số, có "
                    "chữ số kiểm tra), tên, loại hình (tên hoặc mã), người đại diện theo pháp "
                    "luật, ngành chính (mã VSIC cấp 4 hoặc 5). Ngành khác: các mã cách nhau "
                    "bằng dấu chấm phẩy. Địa chỉ trụ sở: mã xã mới (từ 1/7/2025), hoặc mã xã "
                    "cũ (tự chuyển sang xã mới), hoặc địa chỉ viết đầy đủ."
                )
            ),
        )
    )
    registries.register(
        RegistryType(
            key=PROJECTS,
            slug="du-an-dau-tu",
            model=InvestmentProject,
            label=str(_("dự án đầu tư")),
            label_plural=str(_("Dự án đầu tư")),
            columns=project_columns(),
            build=build_project,
            form_class=forms.ProjectForm,
            list_columns=[
                ListColumn(_("Mã số dự án"), lambda p: p.code, link=True),
                ListColumn(_("Tên dự án"), lambda p: p.name, link=True),
                ListColumn(_("Nhà đầu tư"), lambda p: p.investor_names),
                ListColumn(_("Vốn đầu tư (đồng)"), lambda p: f"{p.capital:,}".replace(",", ".")),
                ListColumn(_("Ngày cấp"), lambda p: p.certificate_date),
                ListColumn(_("Tình trạng"), lambda p: p.get_status_display()),
            ],
            filters=[
                ListFilter(
                    "status",
                    _("Tình trạng"),
                    choices=lambda: [(v, str(label)) for v, label in ProjectStatus.choices],
                    apply=_choice_filter(list(ProjectStatus.choices), "status"),
                ),
                ListFilter(
                    "commune",
                    _("Mã xã, phường"),
                    apply=_commune_filter("location_commune"),
                ),
                ListFilter("investor", _("Mã số nhà đầu tư"), apply=_by_investor),
            ],
            unique_column="code",
            existing_keys=existing_project_codes,
            before_insert=investors_before_insert,
            after_import=investors_after_import,
            detail_context=views.project_context,
            import_help=str(
                _(
                    "Mỗi dòng một dự án. Bắt buộc: mã số dự án (10 chữ số), tên, mục tiêu, nhà "
                    "đầu tư, ngày cấp giấy chứng nhận lần đầu. Nhà đầu tư: “Tên (mã số thuế "
                    "hoặc số định danh)” cách nhau bằng dấu chấm phẩy, hoặc chỉ mã số thuế của "
                    "doanh nghiệp đã có trong cơ sở dữ liệu."
                )
            ),
        )
    )


__all__ = ["ENTERPRISES", "PROJECTS", "register_all"]
