"""The procedure catalogue — danh mục thủ tục hành chính: services, import and export.

Writes are services: create, update, deactivate a procedure; set its components, its internal
process and its receiving agencies; save a process template; create a field. Each checks that
`by` may edit the catalogue (an IT administrator or a superuser; `by=None` is the platform
itself: a command or the demo seed), writes, records the audit entry, keeps the procedure's
public search entry in step and publishes an outbox event, in one transaction.

Import reads three shapes, all idempotent by procedure code (each record is reported created,
updated or unchanged) and all-or-nothing (every row is checked first; one bad row writes
nothing, and each error names its row and code: "dòng 12 (mã 1.001193): thời hạn không hợp lệ"):

- the national portal's records as restructured in ../shared/data/procedures/procedures.json
  (a JSON list; its README lists the gaps), normalised by the rules below;
- the platform's own export (`export_procedures`, {"format": "lienthong.procedures", ...}),
  read back as written, so that export → import is a lossless round trip;
- the same export as an XLSX workbook (`export_xlsx` / `read_xlsx`): one sheet of procedures,
  one of components, one of process steps, with Vietnamese headers.

Normalising a portal record (nothing is guessed; what the source lacks is named in `missing`,
which the pages show as "Nguồn không có thông tin"):

- levels "Cấp bộ/tỉnh/huyện/xã", "Cơ quan khác" → `Level` codes; an unknown level is an error;
- time unit "Ngày làm việc" → working_days, "Ngày" → days, "Giờ" → hours; a number without a
  unit keeps the number, leaves the unit blank and lists `time_limit_unit` as missing; a null
  time limit lists both the value and the unit;
- fee: `amount_vnd` as given; under 1,000 đồng is a unit error of the portal (README) and is
  treated as not given; the fee text is kept whole;
- components: the copy type follows the counts (originals only → original, copies only →
  copy, both → original or copy); a row with 0 originals and 0 copies is a note, not a
  document (`is_required=False`); form file names stuck to the end of a name ("…lâm
  nghiệpMẫu I.1.2.docx") are moved to the form name when they start with Mẫu/Mau/Phụ lục;
  null components (the BHXH records write them as prose) → none, listed as missing;
- online level: only where the name says "trực tuyến toàn trình" (or "… một phần");
  inter-agency: only where the name or agency says "liên thông"; otherwise the online level
  is blank and both are listed as missing (the crawl does not record them);
- names and agency texts have their runs of white space (newlines, no-break spaces) collapsed;
  the result text loses the portal page's side panel the crawler saved after it ("Từ khóa …
  Chọn cơ quan thực hiện … Nộp hồ sơ").
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypedDict, Unpack, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db.models import Prefetch, ProtectedError, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lienthong.accounts.models import Role
from lienthong.core.audit import audited, record, service
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user, is_real_user
from lienthong.core.text import fold
from lienthong.exchange.outbox import publish
from lienthong.onestop.models import (
    Field,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureComponent,
    TimeUnit,
)
from lienthong.search import services as search
from lienthong.workflow.models import ProcessStep, ProcessTemplate

#: The `format` key of the platform's export, and its version.
EXPORT_FORMAT = "lienthong.procedures"
EXPORT_VERSION = 1
#: Module of the process templates the catalogue uses.
PROCESS_MODULE = "onestop"
#: National procedure code, short (1.001193) or with the agency suffix (1.011442.000.00.00.H38).
CODE_PATTERN = re.compile(r"^[0-9]\.[0-9]{6}(\.[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2})?$")
#: Largest uploaded import file (bytes).
MAX_IMPORT_BYTES = 20 * 1024 * 1024
#: Roles a process step may be given to (citizens do not process dossiers).
STEP_ROLES = tuple(role.value for role in Role if role != Role.CITIZEN)
#: Amounts under this many đồng are the portal's unit errors (README: "90 VNĐ").
IMPLAUSIBLE_FEE_BELOW = 1000

#: Fields the source may not give, in display order, with their labels.
MISSING_LABELS: dict[str, Any] = {
    "levels": gettext_lazy("Cấp thực hiện"),
    "agency_text": gettext_lazy("Cơ quan thực hiện"),
    "competent_authority": gettext_lazy("Cơ quan có thẩm quyền"),
    "time_limit_value": gettext_lazy("Thời hạn giải quyết"),
    "time_limit_unit": gettext_lazy("Đơn vị thời hạn"),
    "fee_amount": gettext_lazy("Mức phí, lệ phí"),
    "fee_text": gettext_lazy("Mô tả phí, lệ phí"),
    "legal_basis": gettext_lazy("Căn cứ pháp lý"),
    "legal_basis_text": gettext_lazy("Căn cứ pháp lý (văn bản gốc)"),
    "online_level": gettext_lazy("Mức độ trực tuyến"),
    "is_inter_agency": gettext_lazy("Liên thông"),
    "channels": gettext_lazy("Cách thức thực hiện"),
    "components": gettext_lazy("Thành phần hồ sơ"),
    "applicant_types": gettext_lazy("Đối tượng thực hiện"),
    "result_text": gettext_lazy("Kết quả thực hiện"),
    "procedure_type": gettext_lazy("Loại thủ tục"),
    "publishing_decision": gettext_lazy("Quyết định công bố"),
}
MISSABLE = tuple(MISSING_LABELS)

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPACES = re.compile(r"\s+")
_FORM_EXT = r"\.(?:docx?|xlsx?|pdf|rtf|odt|ods|zip|rar)"
_FORM_FILE = re.compile(rf"(?:mẫu|mau|phụ lục|phu luc)[^/\n]{{0,40}}?{_FORM_EXT}", re.IGNORECASE)
_FORM_START = re.compile(r"(?:mẫu|mau|phụ lục|phu luc)", re.IGNORECASE)
_FORM_TAIL = re.compile(rf"(?:{_FORM_FILE.pattern})+", re.IGNORECASE)
_ONLINE_IN_NAME = re.compile(r"(?:truc tuyen|dich vu cong)(?: truc tuyen)? (toan trinh|mot phan)")
_NOT_GIVEN = {"", "khong co thong tin"}
#: The portal page's side panel ("Từ khóa … Chọn cơ quan thực hiện … Nộp hồ sơ"), which the
#: crawler saved at the end of every result text.
_PORTAL_PANEL = re.compile(r"Từ khóa.*Chọn cơ quan thực hiện.*\Z", re.DOTALL)


# --- Permissions ----------------------------------------------------------------------------


def can_manage_catalogue(user: Any) -> bool:
    """IT administrators (a grant for any unit) and superusers edit and import the catalogue."""
    if not is_real_user(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.is_official and user.role_assignments.filter(role=Role.IT_ADMIN).exists())


def can_export_catalogue(user: Any) -> bool:
    """Any official may download the whole catalogue (it is public data, in bulk)."""
    return is_official_user(user)


def _require(by: Any) -> None:
    # `by=None` is the platform itself (a command, the seed), acting under its own context.
    if by is not None and not can_manage_catalogue(by):
        raise PermissionDenied(_("Bạn không có quyền sửa danh mục thủ tục hành chính."))


# --- Values ---------------------------------------------------------------------------------


class ProcedureFields(TypedDict, total=False):
    """The fields of a procedure that services write (components and links apart)."""

    code: str
    name: str
    field: Field
    levels: list[str]
    agency_text: str
    competent_authority: str
    time_limit_value: Decimal | None
    time_limit_unit: str
    time_limit_text: str
    fee_amount: int | None
    fee_text: str
    legal_basis: list[str]
    legal_basis_text: str
    online_level: str
    is_inter_agency: bool
    channels: list[Any]
    applicant_types: str
    result_text: str
    procedure_type: str
    publishing_decision: str
    source: dict[str, Any]
    missing: list[str]
    is_active: bool


#: Fields compared and written by import (all of ProcedureFields but code, field, is_active).
CONTENT_FIELDS: tuple[str, ...] = tuple(
    name for name in ProcedureFields.__annotations__ if name not in {"code", "field", "is_active"}
)
_TEXT_LIMITS = {
    "code": 40,
    "name": 1000,
    "agency_text": 1000,
    "competent_authority": 1000,
    "time_limit_text": 500,
    "procedure_type": 255,
    "publishing_decision": 255,
}


@dataclass(frozen=True)
class ComponentData:
    """One document of a procedure — thành phần hồ sơ — as services, import and export see it."""

    name: str
    order: int = 0
    group: str = ""
    originals: int = 0
    copies: int = 0
    copy_type: str = ""
    form_name: str = ""
    #: Storage name of an uploaded form file ("" when there is none).
    form_file: str = ""
    is_required: bool = True


@dataclass(frozen=True)
class StepSpec:
    """One step of an internal process: its name, role, owner (None: the case's agency), share."""

    name: str
    role: str
    time_share: Decimal
    org_unit: OrgUnit | None = None


@dataclass(frozen=True)
class TemplateSpec:
    """An internal process — quy trình nội bộ — as the catalogue writes it."""

    code: str
    name: str
    steps: tuple[StepSpec, ...]
    description: str = ""


@dataclass
class ProcedureData:
    """One procedure read from an import file, ready to be compared and written.

    `None` for `is_active`, `process_template` and `agencies` means "the file does not say:
    keep what is stored" (the portal's records carry none of them); `process_template=""`
    clears the process.
    """

    code: str
    field_name: str
    field_code: str
    values: dict[str, Any]
    components: list[ComponentData]
    is_active: bool | None = None
    process_template: str | None = None
    agencies: list[str] | None = None


@dataclass(frozen=True)
class RowError:
    """A problem found in one row of an import file (row None: the file as a whole)."""

    message: str
    row: int | None = None
    code: str = ""
    sheet: str = ""

    def __str__(self) -> str:
        where = ""
        if self.sheet:
            where = _("trang “%(sheet)s”, ") % {"sheet": self.sheet}
        if self.row is None:
            return (where + _("tệp: %(message)s")) % {"message": self.message}
        if self.code:
            text = _("dòng %(row)d (mã %(code)s): %(message)s")
        else:
            text = _("dòng %(row)d: %(message)s")
        return where + text % {"row": self.row, "code": self.code, "message": self.message}

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "text": str(self)}


class CatalogueImportError(Exception):
    """An import that wrote nothing, with every error found (by row)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


@dataclass
class ImportReport:
    """What an import did, per procedure code."""

    source: str = ""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    fields_created: list[str] = field(default_factory=list)
    templates_created: list[str] = field(default_factory=list)
    templates_updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.fields_created
            or self.templates_created
            or self.templates_updated
        )

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        """One line in Vietnamese: how many procedures were added, updated, left as they were."""
        return _(
            "%(total)d thủ tục: thêm %(created)d, cập nhật %(updated)d, không đổi %(unchanged)d."
        ) % {
            "total": self.total,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary()}


class _Row:
    """Collects the errors of one input row, with where it was found."""

    def __init__(self, row: int | None, *, sheet: str = "", code: str = "") -> None:
        self.row, self.sheet, self.code = row, sheet, code
        self.errors: list[RowError] = []

    def add(self, message: str) -> None:
        self.errors.append(RowError(message, self.row, self.code, self.sheet))


# --- Small parsers shared by every format ---------------------------------------------------


def clean_text(value: str) -> str:
    """Collapse runs of white space (newlines, no-break spaces) into one space and trim."""
    return _SPACES.sub(" ", value).strip()


def _given(value: Any) -> bool:
    """Whether the source gave a value (portal text "Không có thông tin" is not one)."""
    if value is None:
        return False
    if isinstance(value, str):
        return fold(value) not in _NOT_GIVEN
    return True


def _choice(value: Any, choices: Any, aliases: Mapping[str, str] | None = None) -> str | None:
    """The code of `value` given as a code or a label (any case or diacritics); None if unknown."""
    if not isinstance(value, str):
        return None
    if value in choices.values:
        return str(value)
    key = fold(value)
    for code, label in choices.choices:
        if key in (fold(str(label)), fold(str(code))):
            return str(code)
    return (aliases or {}).get(key)


_UNIT_ALIASES = {"gio": TimeUnit.HOURS.value, "ngay lam viec": TimeUnit.WORKING_DAYS.value}
_ONLINE_ALIASES = {"toan trinh": OnlineLevel.FULL.value, "mot phan": OnlineLevel.PARTIAL.value}
_COPY_TYPE_ALIASES = {"ban sao chung thuc": ProcedureComponent.CopyType.CERTIFIED_COPY.value}


def level_code(value: Any) -> str | None:
    """The `Level` code of "Cấp tỉnh" (or of "province"); None if unknown."""
    return _choice(value, Level)


def time_unit_code(value: Any) -> str | None:
    """ "Ngày làm việc" → working_days, "Ngày" → days, "Giờ" → hours; None if unknown."""
    return _choice(value, TimeUnit, _UNIT_ALIASES)


def _decimal(value: Any) -> Decimal | None:
    """A positive number with at most two decimals and seven digits, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite() or number <= 0 or number >= Decimal("100000"):
        return None
    if number != number.quantize(Decimal("0.01")):
        return None
    return number


def _int(value: Any, *, low: int = 0, high: int | None = None) -> int | None:
    """An integer within [low, high] (a float with no fraction counts), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value):
        value = int(value)
    if not isinstance(value, int) or value < low or (high is not None and value > high):
        return None
    return value


def _bool(value: Any) -> bool | None:
    """True/False, or "Có"/"Không" from a workbook; None if neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"co": True, "khong": False, "true": True, "false": False}.get(fold(value))
    return None


def copy_type_for(originals: int, copies: int) -> str:
    """The copy type the portal's counts say: original, copy, either, or none (a note)."""
    kinds = ProcedureComponent.CopyType
    if originals and copies:
        return kinds.ORIGINAL_OR_COPY.value
    if originals:
        return kinds.ORIGINAL.value
    if copies:
        return kinds.COPY.value
    return ""


def split_stuck_forms(name: str) -> tuple[str, list[str]]:
    """Cut form file names stuck to the end of a component name ("…nghiệpMẫu I.1.2.docx").

    Only a run of names that each start with Mẫu/Mau/Phụ lục, hold no slash, and follow the
    text without a space is cut; "…quy địnhvăn bản đề nghị.docx" cannot be split safely
    and stays as it is.
    """
    if not re.search(_FORM_EXT + "$", name, re.IGNORECASE):
        return name, []
    for match in _FORM_START.finditer(name):
        start = match.start()
        if start == 0 or name[start - 1].isspace():
            continue
        tail = name[start:]
        if _FORM_TAIL.fullmatch(tail):
            return name[:start].rstrip(), _FORM_FILE.findall(tail)
    return name, []


def online_level_in_name(name: str) -> str:
    """The online level a procedure's name states ("… trực tuyến toàn trình"), else ""."""
    found = _ONLINE_IN_NAME.search(fold(name))
    if found is None:
        return ""
    return OnlineLevel.FULL.value if found.group(1) == "toan trinh" else OnlineLevel.PARTIAL.value


def says_inter_agency(*texts: str | None) -> bool:
    """Whether any of the texts says the procedure is liên thông."""
    return any("lien thong" in fold(text) for text in texts if text)


def field_code_for(name: str) -> str:
    """A stable code for a field from its name: "Hộ tịch" → "ho-tich"."""
    return slugify(fold(name))[:120] or "linh-vuc"


def _text_ok(value: str) -> bool:
    return not _CONTROL_CHARS.search(value)


def safe_url(value: Any) -> bool:
    """Whether a link from imported data may be shown as an href (http or https only)."""
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _field_label(name: str) -> str:
    """A procedure field's Vietnamese name, for error messages."""
    for model_field in Procedure._meta.concrete_fields:
        if model_field.name == name:
            return str(model_field.verbose_name)
    return name


def _sorted_missing(names: Iterable[str]) -> list[str]:
    wanted = set(names)
    return [name for name in MISSABLE if name in wanted]


# --- Checking a procedure -------------------------------------------------------------------


def check_procedure(values: ProcedureFields, *, instance: Procedure | None = None) -> None:
    """Raise a ValidationError with messages per field if `values` break a catalogue rule."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    code = values.get("code", "")
    if not CODE_PATTERN.match(code or ""):
        add("code", _("Mã thủ tục không hợp lệ: cần dạng 1.001193 hoặc 1.011442.000.00.00.H38."))
    else:
        taken = Procedure.objects.filter(code=code)
        if instance is not None and instance.pk is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            add("code", _("Mã thủ tục %(code)s đã có trong danh mục.") % {"code": code})
    if not (values.get("name") or "").strip():
        add("name", _("Hãy nhập tên thủ tục."))
    if values.get("field") is None:
        add("field", _("Hãy chọn lĩnh vực."))
    for name, limit in _TEXT_LIMITS.items():
        text = cast(Mapping[str, Any], values).get(name)
        if isinstance(text, str) and len(text) > limit:
            add(name, _("Tối đa %(max)d ký tự.") % {"max": limit})
    for name, text in values.items():
        if isinstance(text, str) and not _text_ok(text):
            add(name, _("Có ký tự điều khiển không hợp lệ."))
    levels = values.get("levels", [])
    if not isinstance(levels, list) or any(level not in Level.values for level in levels):
        add("levels", _("Cấp thực hiện không hợp lệ."))
    elif len(set(levels)) != len(levels):
        add("levels", _("Cấp thực hiện bị lặp."))
    value = values.get("time_limit_value")
    unit = values.get("time_limit_unit", "")
    if value is not None and _decimal(value) is None:
        add("time_limit_value", _("Thời hạn phải là số dương, tối đa hai chữ số thập phân."))
    if unit and unit not in TimeUnit.values:
        add("time_limit_unit", _("Đơn vị thời hạn không hợp lệ."))
    if unit and value is None:
        add("time_limit_unit", _("Có đơn vị thời hạn nhưng không có thời hạn."))
    fee = values.get("fee_amount")
    if fee is not None and _int(fee) is None:
        add("fee_amount", _("Mức phí phải là số nguyên không âm (đồng)."))
    basis = values.get("legal_basis", [])
    if not isinstance(basis, list) or any(
        not isinstance(n, str) or not n.strip() or len(n) > 100 or "\n" in n for n in basis
    ):
        add("legal_basis", _("Căn cứ pháp lý là danh sách số, ký hiệu văn bản (mỗi số một dòng)."))
    online = values.get("online_level", "")
    if online and online not in OnlineLevel.values:
        add("online_level", _("Mức độ trực tuyến không hợp lệ."))
    if not isinstance(values.get("channels", []), list):
        add("channels", _("Cách thức thực hiện phải là một danh sách."))
    source = values.get("source", {})
    if not isinstance(source, dict):
        add("source", _("Nguồn dữ liệu phải là một đối tượng JSON."))
    elif "original_url" in source and not safe_url(source["original_url"]):
        add("source", _("Địa chỉ trang nguồn phải bắt đầu bằng http:// hoặc https://."))
    missing = values.get("missing", [])
    if not isinstance(missing, list) or any(name not in MISSABLE for name in missing):
        add("missing", _("Danh sách thông tin nguồn không có chứa tên trường không hợp lệ."))
    elif len(set(missing)) != len(missing):
        add("missing", _("Danh sách thông tin nguồn không có bị lặp."))
    if errors:
        raise ValidationError(errors)


def check_components(components: Sequence[ComponentData]) -> None:
    """Raise a ValidationError if the components break a rule (orders, counts, names, files)."""
    messages: list[str] = []
    seen: set[int] = set()
    for position, item in enumerate(components, 1):
        label = _("Thành phần hồ sơ thứ %(n)d") % {"n": position}
        if not item.name.strip():
            messages.append(_("%(item)s: thiếu tên giấy tờ.") % {"item": label})
        if not _text_ok(item.name + item.group + item.form_name):
            messages.append(_("%(item)s: có ký tự điều khiển không hợp lệ.") % {"item": label})
        if item.order < 1 or item.order in seen:
            messages.append(_("%(item)s: thứ tự phải là số dương, không trùng.") % {"item": label})
        seen.add(item.order)
        for count in (item.originals, item.copies):
            if _int(count, high=32767) is None:
                messages.append(_("%(item)s: số bản không hợp lệ.") % {"item": label})
        if item.copy_type and item.copy_type not in ProcedureComponent.CopyType.values:
            messages.append(_("%(item)s: loại bản không hợp lệ.") % {"item": label})
        if len(item.form_name) > 255:
            messages.append(_("%(item)s: tên mẫu đơn tối đa 255 ký tự.") % {"item": label})
        if item.form_file and (
            len(item.form_file) > 100 or not default_storage.exists(item.form_file)
        ):
            messages.append(
                _("%(item)s: không có tệp mẫu “%(file)s” trong kho tệp.")
                % {"item": label, "file": item.form_file}
            )
    if messages:
        raise ValidationError({"components": messages})


def check_template(spec: TemplateSpec) -> None:
    """Raise a ValidationError if a process template breaks a rule (steps, roles, shares)."""
    errors: list[str] = []
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,80}", spec.code):
        errors.append(_("Mã quy trình chỉ gồm chữ không dấu, số, gạch ngang (tối đa 80 ký tự)."))
    if not spec.name.strip() or len(spec.name) > 255:
        errors.append(_("Tên quy trình không được trống (tối đa 255 ký tự)."))
    if not spec.steps:
        errors.append(_("Quy trình phải có ít nhất một bước."))
    for n, step in enumerate(spec.steps, 1):
        if not step.name.strip() or len(step.name) > 255:
            errors.append(_("Bước %(n)d: thiếu tên bước.") % {"n": n})
        if step.role not in STEP_ROLES:
            errors.append(
                _("Bước %(n)d: vai trò “%(role)s” không hợp lệ.") % {"n": n, "role": step.role}
            )
        if not Decimal(0) < step.time_share <= Decimal(100):
            errors.append(_("Bước %(n)d: tỷ lệ thời gian phải trong (0, 100].") % {"n": n})
    total = sum((step.time_share for step in spec.steps), Decimal(0))
    if spec.steps and total != Decimal(100):
        errors.append(
            _("Tổng tỷ lệ thời gian các bước phải bằng 100%% (đang là %(total)s%%).")
            % {"total": f"{total.normalize():f}"}
        )
    if errors:
        raise ValidationError({"steps": errors})


# --- Writes (internal: audited, no events; the services below publish) -------------------------


def procedure_url(procedure: Procedure) -> str:
    """The procedure's public page."""
    return reverse("onestop:catalogue_detail", args=[procedure.code])


def index_procedure(procedure: Procedure) -> None:
    """Keep the procedure's public search entry in step: indexed while active, else removed."""
    if not procedure.is_active:
        search.remove(procedure)
        return
    parts = [
        procedure.code,
        procedure.field.name,
        procedure.agency_text,
        procedure.competent_authority,
        " ".join(procedure.legal_basis),
        *procedure.components.order_by("order").values_list("name", flat=True),
        procedure.result_text,
    ]
    search.index(
        procedure,
        title=f"{procedure.name} ({procedure.code})",
        body="\n".join(part for part in parts if part),
        url=procedure_url(procedure),
        scope="",
    )


def _clean_missing(
    stored: list[str], changes: ProcedureFields, current: Mapping[str, Any]
) -> list[str]:
    """Drop from `missing` the fields an editor has now given a value."""
    given = set()
    for name in MISSABLE:
        if name not in changes or name == "components":
            continue
        value = changes[name]  # type: ignore[literal-required]
        if name == "is_inter_agency":
            if value != current.get(name):
                given.add(name)
        elif value not in (None, "", [], {}):
            given.add(name)
    return [name for name in stored if name not in given]


def _write_fields(
    procedure: Procedure | None, values: ProcedureFields
) -> tuple[Procedure, list[str]]:
    """Create the procedure, or change the fields that differ; returns the changed names."""
    if procedure is None:
        procedure = Procedure(**values)
        procedure.missing = _sorted_missing(procedure.missing)
        check_procedure(values)
        procedure.full_clean()
        with audited("onestop.procedure.create", procedure):
            procedure.save()
        return procedure, list(values)
    changed: dict[str, Any] = {}
    for name, value in cast(Mapping[str, Any], values).items():
        current = procedure.field_id if name == "field" else getattr(procedure, name)
        new = value.pk if name == "field" else value
        if name == "missing":
            new = _sorted_missing(value)
        if current != new:
            changed[name] = value if name != "missing" else new
    if not changed:
        return procedure, []
    merged = cast(
        ProcedureFields,
        {name: getattr(procedure, name) for name in ProcedureFields.__annotations__},
    )
    merged.update(cast(ProcedureFields, changed))
    check_procedure(merged, instance=procedure)
    with audited("onestop.procedure.update", procedure):
        for name, value in changed.items():
            setattr(procedure, name, value)
        procedure.full_clean()
        procedure.save()
    return procedure, list(changed)


def components_of(procedure: Procedure) -> list[ComponentData]:
    """The stored components of a procedure, in order, as values."""
    return [components_of_row(c) for c in sorted(procedure.components.all(), key=lambda c: c.order)]


def _numbered(components: Sequence[ComponentData]) -> list[ComponentData]:
    """Give unnumbered components (order 0) the next free order, keeping the given ones."""
    used = {c.order for c in components if c.order}
    next_order = 1
    numbered = []
    for item in components:
        if item.order:
            numbered.append(item)
            continue
        while next_order in used:
            next_order += 1
        used.add(next_order)
        numbered.append(ComponentData(**{**asdict(item), "order": next_order}))
    return numbered


def _write_components(procedure: Procedure, components: Sequence[ComponentData]) -> bool:
    """Make the procedure's components exactly `components` (matched by order); True if changed."""
    wanted = sorted(_numbered(components), key=lambda c: c.order)
    check_components(wanted)
    before = components_of(procedure)
    if before == wanted:
        return False
    stored = {c.order: c for c in procedure.components.all()}
    keep = {item.order for item in wanted}
    gone = [c for order, c in stored.items() if order not in keep]
    try:
        ProcedureComponent.objects.filter(pk__in=[c.pk for c in gone]).delete()
    except ProtectedError as exc:
        raise ValidationError(
            {
                "components": _(
                    "Không bỏ được thành phần hồ sơ đã có trong hồ sơ đã nộp: %(names)s. "
                    "Hãy giữ lại hoặc ngừng áp dụng thủ tục."
                )
                % {"names": "; ".join(c.name[:80] for c in gone)}
            }
        ) from exc
    for item in wanted:
        values = asdict(item)
        row = stored.get(item.order)
        if row is None:
            ProcedureComponent.objects.create(procedure=procedure, **values)
            continue
        if components_of_row(row) != item:
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
    # The rows changed behind a prefetched list: later reads must query again.
    getattr(procedure, "_prefetched_objects_cache", {}).pop("components", None)
    record(
        "onestop.procedure.components",
        procedure,
        before={"components": [asdict(c) for c in before]},
        after={"components": [asdict(c) for c in wanted]},
    )
    return True


def components_of_row(row: ProcedureComponent) -> ComponentData:
    """One stored component as a value."""
    return ComponentData(
        name=row.name,
        order=row.order,
        group=row.group,
        originals=row.originals,
        copies=row.copies,
        copy_type=row.copy_type,
        form_name=row.form_name,
        form_file=row.form_file.name or "",
        is_required=row.is_required,
    )


def _check_template_usable(template: ProcessTemplate) -> None:
    if template.module != PROCESS_MODULE:
        raise ValidationError(
            {
                "process_template": _("Quy trình “%(name)s” không thuộc phân hệ một cửa.")
                % {"name": template}
            }
        )
    shares = [step.time_share for step in template.steps.all()]
    if not shares or sum(shares, Decimal(0)) != Decimal(100):
        raise ValidationError(
            {
                "process_template": _(
                    "Quy trình “%(name)s” phải có bước và tổng tỷ lệ thời gian bằng 100%%."
                )
                % {"name": template}
            }
        )


def _write_template(procedure: Procedure, template: ProcessTemplate | None) -> bool:
    if procedure.process_template_id == (template.pk if template else None):
        return False
    if template is not None:
        _check_template_usable(template)
    with audited("onestop.procedure.process_template", procedure):
        procedure.process_template = template
        procedure.save(update_fields=["process_template"])
    return True


def _agency_codes(procedure: Procedure) -> list[str]:
    return sorted(unit.code or str(unit.pk) for unit in procedure.agencies.all())


def _write_agencies(procedure: Procedure, agencies: Iterable[OrgUnit]) -> bool:
    units = list({unit.pk: unit for unit in agencies}.values())
    not_agencies = [unit.name for unit in units if not unit.is_agency]
    if not_agencies:
        raise ValidationError(
            {
                "agencies": _("Chỉ cơ quan mới tiếp nhận hồ sơ, không phải: %(names)s.")
                % {"names": "; ".join(not_agencies)}
            }
        )
    before = sorted(procedure.agencies.values_list("pk", flat=True))
    if before == sorted(unit.pk for unit in units):
        return False
    before_codes = _agency_codes(procedure)
    procedure.agencies.set(units)
    record(
        "onestop.procedure.agencies",
        procedure,
        before={"agencies": before_codes},
        after={"agencies": _agency_codes(procedure)},
    )
    return True


def _publish(event: str, procedure: Procedure, changed: Iterable[str] = ()) -> None:
    data: dict[str, Any] = {"code": procedure.code, "name": procedure.name}
    names = sorted(set(changed))
    if names:
        data["changed"] = names
    publish(f"procedure.{event}", subject=procedure.code, data=data)


# --- Services -------------------------------------------------------------------------------


@service
def create_field(*, code: str, name: str, by: Any = None) -> Field:
    """Add a field of procedures — lĩnh vực."""
    _require(by)
    item = Field(code=code.strip(), name=clean_text(name))
    item.full_clean()
    with audited("onestop.field.create", item):
        item.save()
    return item


@service
def update_field(item: Field, *, name: str, code: str | None = None, by: Any = None) -> Field:
    """Rename a field (or change its code); nothing is written if nothing changes."""
    _require(by)
    item = Field.objects.select_for_update().get(pk=item.pk)
    new_code = item.code if code is None else code.strip()
    if (item.name, item.code) == (clean_text(name), new_code):
        return item
    with audited("onestop.field.update", item):
        item.name, item.code = clean_text(name), new_code
        item.full_clean()
        item.save()
    return item


@service
def create_procedure(
    *,
    by: Any = None,
    components: Sequence[ComponentData] = (),
    **values: Unpack[ProcedureFields],
) -> Procedure:
    """Add a procedure with its components; it is indexed for search and announced."""
    _require(by)
    values.setdefault("missing", [])
    procedure, _changed = _write_fields(None, values)
    _write_components(procedure, components)
    index_procedure(procedure)
    _publish("created", procedure)
    return procedure


@service
def update_procedure(
    procedure: Procedure, *, by: Any = None, **changes: Unpack[ProcedureFields]
) -> Procedure:
    """Change a procedure's fields. A field an editor now fills is dropped from `missing`."""
    _require(by)
    procedure = Procedure.objects.select_for_update().select_related("field").get(pk=procedure.pk)
    if "missing" not in changes:
        current = {name: getattr(procedure, name) for name in MISSABLE if name != "components"}
        cleaned = _clean_missing(procedure.missing, changes, current)
        if cleaned != procedure.missing:
            changes["missing"] = cleaned
    procedure, changed = _write_fields(procedure, changes)
    if changed:
        index_procedure(procedure)
        _publish("updated", procedure, changed)
    return procedure


def _set_active(procedure: Procedure, active: bool) -> Procedure:
    procedure = Procedure.objects.select_for_update().select_related("field").get(pk=procedure.pk)
    if procedure.is_active == active:
        return procedure
    with audited(
        "onestop.procedure.activate" if active else "onestop.procedure.deactivate", procedure
    ):
        procedure.is_active = active
        procedure.save(update_fields=["is_active"])
    index_procedure(procedure)
    _publish("reactivated" if active else "deactivated", procedure)
    return procedure


@service
def deactivate_procedure(procedure: Procedure, *, by: Any = None) -> Procedure:
    """Stop a procedure being offered (kept for its dossiers); it leaves the search index."""
    _require(by)
    return _set_active(procedure, False)


@service
def reactivate_procedure(procedure: Procedure, *, by: Any = None) -> Procedure:
    """Offer a deactivated procedure again."""
    _require(by)
    return _set_active(procedure, True)


@service
def set_components(
    procedure: Procedure, components: Sequence[ComponentData], *, by: Any = None
) -> Procedure:
    """Make the procedure's components exactly `components`, matched by their order.

    A component already used by a submitted dossier cannot be removed (the dossier keeps
    pointing at it): the whole change is refused.
    """
    _require(by)
    procedure = Procedure.objects.select_for_update().select_related("field").get(pk=procedure.pk)
    if _write_components(procedure, components):
        if "components" in procedure.missing and components:
            with audited("onestop.procedure.update", procedure):
                procedure.missing = [n for n in procedure.missing if n != "components"]
                procedure.save(update_fields=["missing"])
        index_procedure(procedure)
        _publish("updated", procedure, ["components"])
    return procedure


@service
def attach_form_file(
    component: ProcedureComponent, *, file: File, by: Any = None
) -> ProcedureComponent:
    """Store an uploaded form template (mẫu đơn, tờ khai) for a component."""
    _require(by)
    component = ProcedureComponent.objects.select_for_update().get(pk=component.pk)
    with audited("onestop.procedure.form_file", component):
        component.form_file.save(file.name or "mau-don", file, save=False)
        if not component.form_name:
            component.form_name = (file.name or "").rsplit("/", 1)[-1][:255]
        component.save()
    procedure = component.procedure
    _publish("updated", procedure, ["components"])
    return component


@service
def set_process_template(
    procedure: Procedure, template: ProcessTemplate | None, *, by: Any = None
) -> Procedure:
    """Give the procedure its internal process (None: none)."""
    _require(by)
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if _write_template(procedure, template):
        _publish("updated", procedure, ["process_template"])
    return procedure


@service
def link_agencies(
    procedure: Procedure, agencies: Iterable[OrgUnit], *, by: Any = None
) -> Procedure:
    """Make the agencies that receive the procedure's dossiers exactly `agencies`."""
    _require(by)
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if _write_agencies(procedure, agencies):
        _publish("updated", procedure, ["agencies"])
    return procedure


def _template_spec(template: ProcessTemplate) -> TemplateSpec:
    steps = tuple(
        StepSpec(step.name, step.role, step.time_share, step.org_unit)
        for step in template.steps.select_related("org_unit").order_by("order")
    )
    return TemplateSpec(template.code, template.name, steps, template.description)


def _steps_snapshot(spec: TemplateSpec) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "role": s.role,
            "time_share": str(s.time_share),
            "org_unit": s.org_unit.pk if s.org_unit else None,
        }
        for s in spec.steps
    ]


@service
def save_process_template(
    spec: TemplateSpec, *, by: Any = None
) -> tuple[ProcessTemplate, Literal["created", "updated", "unchanged"]]:
    """Create or update a one-stop process template; a template cases already run is not changed."""
    _require(by)
    check_template(spec)
    template = ProcessTemplate.objects.select_for_update().filter(code=spec.code).first()
    if template is not None and template.module != PROCESS_MODULE:
        raise ValidationError(
            {"code": _("Mã quy trình %(code)s đã dùng cho phân hệ khác.") % {"code": spec.code}}
        )
    if template is not None:
        stored = _template_spec(template)
        if stored == spec:
            return template, "unchanged"
        if template.cases.exists():
            raise ValidationError(
                {
                    "steps": _(
                        "Quy trình %(code)s đã được dùng cho hồ sơ: không sửa các bước được; "
                        "hãy tạo quy trình mới với mã khác."
                    )
                    % {"code": spec.code}
                }
            )
        status: Literal["created", "updated"] = "updated"
        before = _steps_snapshot(stored)
        with audited("workflow.processtemplate.update", template):
            template.name, template.description = spec.name, spec.description
            template.save()
        template.steps.all().delete()
    else:
        status = "created"
        before = []
        template = ProcessTemplate(
            code=spec.code, name=spec.name, description=spec.description, module=PROCESS_MODULE
        )
        with audited("workflow.processtemplate.create", template):
            template.save()
    ProcessStep.objects.bulk_create(
        ProcessStep(
            template=template,
            order=n,
            name=step.name,
            role=step.role,
            org_unit=step.org_unit,
            time_share=step.time_share,
        )
        for n, step in enumerate(spec.steps, 1)
    )
    record(
        "workflow.processtemplate.steps",
        template,
        before={"steps": before},
        after={"steps": _steps_snapshot(spec)},
    )
    publish(f"process_template.{status}", subject=template.code, data={"code": template.code})
    return template, status


# --- Reading a portal record ----------------------------------------------------------------


def _opt_text(raw: Mapping[str, Any], key: str, row: _Row, missing: set[str], name: str) -> str:
    """A text value that may be absent: "" and `name` in `missing` when the source lacks it."""
    value = raw.get(key)
    if not _given(value):
        missing.add(name)
        return ""
    if not isinstance(value, str):
        row.add(_("trường “%(key)s” phải là chữ") % {"key": key})
        return ""
    return value.strip()


def from_portal_record(raw: Any, row: _Row) -> ProcedureData | None:
    """Normalise one record of procedures.json (rules in the module docstring)."""
    if not isinstance(raw, dict):
        row.add(_("bản ghi phải là một đối tượng JSON"))
        return None
    code = raw.get("code")
    row.code = code.strip() if isinstance(code, str) else ""
    if not CODE_PATTERN.match(row.code):
        row.add(_("mã thủ tục không hợp lệ"))
    name = clean_text(raw["name"]) if isinstance(raw.get("name"), str) else ""
    if not name:
        row.add(_("thiếu tên thủ tục"))
    field_name = clean_text(raw["field"]) if isinstance(raw.get("field"), str) else ""
    if not field_name:
        row.add(_("thiếu lĩnh vực"))
    missing: set[str] = set()

    levels: list[str] = []
    raw_levels = raw.get("level")
    if not raw_levels:
        missing.add("levels")
    elif not isinstance(raw_levels, list):
        row.add(_("cấp thực hiện không hợp lệ"))
    else:
        for item in raw_levels:
            level = level_code(item)
            if level is None:
                row.add(_("cấp thực hiện “%(level)s” không hợp lệ") % {"level": item})
            elif level not in levels:
                levels.append(level)

    agency = clean_text(_opt_text(raw, "agency", row, missing, "agency_text"))
    authority = clean_text(
        _opt_text(raw, "competent_authority", row, missing, "competent_authority")
    )

    value: Decimal | None = None
    unit = ""
    time_limit = raw.get("time_limit")
    if time_limit is None or (isinstance(time_limit, dict) and time_limit.get("value") is None):
        missing |= {"time_limit_value", "time_limit_unit"}
        if isinstance(time_limit, dict) and _given(time_limit.get("unit")):
            row.add(_("thời hạn không hợp lệ"))
    elif not isinstance(time_limit, dict):
        row.add(_("thời hạn không hợp lệ"))
    else:
        value = _decimal(time_limit.get("value"))
        if value is None:
            row.add(_("thời hạn không hợp lệ"))
        raw_unit = time_limit.get("unit")
        if not _given(raw_unit):
            missing.add("time_limit_unit")
        else:
            unit = time_unit_code(raw_unit) or ""
            if not unit:
                row.add(_("đơn vị thời hạn “%(unit)s” không hợp lệ") % {"unit": raw_unit})

    fee_amount: int | None = None
    fee_text = ""
    fee = raw.get("fee")
    if fee is None:
        missing |= {"fee_amount", "fee_text"}
    elif not isinstance(fee, dict):
        row.add(_("phí, lệ phí không hợp lệ"))
    else:
        amount = fee.get("amount_vnd")
        if amount is None:
            missing.add("fee_amount")
        elif _int(amount) is None:
            row.add(_("phí, lệ phí không hợp lệ"))
        elif 0 < amount < IMPLAUSIBLE_FEE_BELOW:
            missing.add("fee_amount")
        else:
            fee_amount = amount
        fee_text = _opt_text(fee, "text", row, missing, "fee_text")

    basis = raw.get("legal_basis")
    legal_basis: list[str] = []
    if not basis:
        missing.add("legal_basis")
    elif not isinstance(basis, list) or not all(isinstance(n, str) and n.strip() for n in basis):
        row.add(_("căn cứ pháp lý không hợp lệ"))
    else:
        legal_basis = [n.strip() for n in basis]
    legal_basis_text = _opt_text(raw, "legal_basis_text", row, missing, "legal_basis_text")

    online = ""
    if _given(raw.get("online_level")):
        online = _choice(raw["online_level"], OnlineLevel, _ONLINE_ALIASES) or ""
        if not online:
            row.add(_("mức độ trực tuyến không hợp lệ"))
    else:
        online = online_level_in_name(name)
    if not online:
        missing.add("online_level")
    result_text = _opt_text(raw, "result_text", row, missing, "result_text")
    inter_agency = says_inter_agency(name, agency, authority)
    if not inter_agency:
        missing.add("is_inter_agency")

    channels = raw.get("channels")
    if not channels:
        missing.add("channels")
        channels = []
    elif not isinstance(channels, list) or not all(isinstance(c, dict) for c in channels):
        row.add(_("cách thức thực hiện không hợp lệ"))
        channels = []

    components: list[ComponentData] = []
    raw_components = raw.get("components")
    if not raw_components:
        missing.add("components")
    elif not isinstance(raw_components, list):
        row.add(_("thành phần hồ sơ không hợp lệ"))
    else:
        for n, item in enumerate(raw_components, 1):
            component = _portal_component(item, n, row)
            if component is not None:
                components.append(component)

    source = raw.get("source") or {}
    if not isinstance(source, dict):
        row.add(_("nguồn dữ liệu không hợp lệ"))
        source = {}
    elif "original_url" in source and not safe_url(source["original_url"]):
        row.add(_("địa chỉ trang nguồn phải bắt đầu bằng http:// hoặc https://"))

    values: dict[str, Any] = {
        "name": name,
        "levels": levels,
        "agency_text": agency,
        "competent_authority": authority,
        "time_limit_value": value,
        "time_limit_unit": unit,
        "time_limit_text": "",
        "fee_amount": fee_amount,
        "fee_text": fee_text,
        "legal_basis": legal_basis,
        "legal_basis_text": legal_basis_text,
        "online_level": online,
        "is_inter_agency": inter_agency,
        "channels": channels,
        "applicant_types": _opt_text(raw, "applicant_types", row, missing, "applicant_types"),
        "result_text": _PORTAL_PANEL.sub("", result_text).strip(),
        "procedure_type": _opt_text(raw, "procedure_type", row, missing, "procedure_type"),
        "publishing_decision": _opt_text(
            raw, "publishing_decision", row, missing, "publishing_decision"
        ),
        "source": source,
        "missing": _sorted_missing(missing),
    }
    if row.errors:
        return None
    return ProcedureData(row.code, field_name, "", values, components)


def _portal_component(item: Any, n: int, row: _Row) -> ComponentData | None:
    label = _("thành phần hồ sơ thứ %(n)d") % {"n": n}
    if not isinstance(item, dict):
        row.add(_("%(item)s không hợp lệ") % {"item": label})
        return None
    raw_name = item.get("name")
    if not isinstance(raw_name, str) or not raw_name.strip():
        row.add(_("%(item)s: thiếu tên giấy tờ") % {"item": label})
        return None
    originals = _int(item.get("originals", 0), high=32767)
    copies = _int(item.get("copies", 0), high=32767)
    if originals is None or copies is None:
        row.add(_("%(item)s: số bản không hợp lệ") % {"item": label})
        return None
    name, stuck = split_stuck_forms(clean_text(raw_name))
    forms = [item["form_template"].strip()] if _given(item.get("form_template")) else []
    group = item.get("group")
    return ComponentData(
        name=name,
        order=n,
        group=clean_text(group) if isinstance(group, str) else "",
        originals=originals,
        copies=copies,
        copy_type=copy_type_for(originals, copies),
        form_name="; ".join(forms + [f for f in stuck if f not in forms])[:255],
        is_required=bool(originals or copies),
    )


# --- Reading the platform's own format ------------------------------------------------------


def _str_value(raw: Mapping[str, Any], key: str, row: _Row, label: str) -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        row.add(_("%(label)s phải là chữ") % {"label": label})
        return ""
    return value


def from_platform_record(
    raw: Any, row: _Row, *, component_rows: Sequence[_Row] | None = None
) -> ProcedureData | None:
    """Read one procedure of the platform's export exactly as written (no normalising)."""
    if not isinstance(raw, dict):
        row.add(_("bản ghi phải là một đối tượng JSON"))
        return None
    code = raw.get("code")
    row.code = code.strip() if isinstance(code, str) else ""
    if not CODE_PATTERN.match(row.code):
        row.add(_("mã thủ tục không hợp lệ"))
    field_raw = raw.get("field")
    field_code = field_name = ""
    if isinstance(field_raw, dict):
        if isinstance(field_raw.get("code"), str):
            field_code = field_raw["code"]
        if isinstance(field_raw.get("name"), str):
            field_name = field_raw["name"]
    if not field_name.strip():
        row.add(_("thiếu lĩnh vực"))

    levels: list[str] = []
    raw_levels = raw.get("levels", [])
    if not isinstance(raw_levels, list):
        row.add(_("cấp thực hiện không hợp lệ"))
    else:
        for item in raw_levels:
            level = level_code(item)
            if level is None:
                row.add(_("cấp thực hiện “%(level)s” không hợp lệ") % {"level": item})
            else:
                levels.append(level)

    time_limit = raw.get("time_limit") or {}
    value: Decimal | None = None
    unit = ""
    if not isinstance(time_limit, dict):
        row.add(_("thời hạn không hợp lệ"))
        time_limit = {}
    if time_limit.get("value") not in (None, ""):
        value = _decimal(time_limit.get("value"))
        if value is None:
            row.add(_("thời hạn không hợp lệ"))
    if time_limit.get("unit"):
        unit = time_unit_code(time_limit.get("unit")) or ""
        if not unit:
            row.add(_("đơn vị thời hạn “%(unit)s” không hợp lệ") % {"unit": time_limit.get("unit")})

    fee = raw.get("fee") or {}
    fee_amount: int | None = None
    if not isinstance(fee, dict):
        row.add(_("phí, lệ phí không hợp lệ"))
        fee = {}
    if fee.get("amount_vnd") not in (None, ""):
        fee_amount = _int(fee.get("amount_vnd"))
        if fee_amount is None:
            row.add(_("phí, lệ phí không hợp lệ"))

    online = ""
    if raw.get("online_level"):
        online = _choice(raw.get("online_level"), OnlineLevel, _ONLINE_ALIASES) or ""
        if not online:
            row.add(_("mức độ trực tuyến không hợp lệ"))

    missing: list[str] = []
    raw_missing = raw.get("missing", [])
    labels = {fold(str(label)): name for name, label in MISSING_LABELS.items()}
    if not isinstance(raw_missing, list):
        row.add(_("danh sách thông tin nguồn không có không hợp lệ"))
    else:
        for item in raw_missing:
            name = (
                item
                if item in MISSABLE
                else labels.get(fold(item) if isinstance(item, str) else "")
            )
            if name is None:
                row.add(_("“%(name)s” không phải tên trường có thể thiếu") % {"name": item})
            elif name not in missing:
                missing.append(name)

    flags: dict[str, bool | None] = {}
    for key, label in (("is_inter_agency", _("liên thông")), ("is_active", _("đang áp dụng"))):
        flags[key] = None
        if key in raw:
            flags[key] = _bool(raw[key])
            if flags[key] is None:
                row.add(_("“%(label)s” phải là Có hoặc Không") % {"label": label})

    basis = raw.get("legal_basis", [])
    if not isinstance(basis, list) or not all(isinstance(n, str) for n in basis):
        row.add(_("căn cứ pháp lý không hợp lệ"))
        basis = []
    channels = raw.get("channels", [])
    if not isinstance(channels, list):
        row.add(_("cách thức thực hiện không hợp lệ"))
        channels = []
    source = raw.get("source", {})
    if not isinstance(source, dict):
        row.add(_("nguồn dữ liệu không hợp lệ"))
        source = {}

    components: list[ComponentData] = []
    raw_components = raw.get("components", [])
    if not isinstance(raw_components, list):
        row.add(_("thành phần hồ sơ không hợp lệ"))
        raw_components = []
    for n, item in enumerate(raw_components, 1):
        where = component_rows[n - 1] if component_rows is not None else row
        component = _platform_component(item, n, where, nested=component_rows is None)
        if component is not None:
            components.append(component)

    # Absent: keep the stored process; null: none.
    template: str | None = None
    if "process_template" in raw:
        template = raw["process_template"] or ""
        if not isinstance(template, str):
            row.add(_("mã quy trình nội bộ không hợp lệ"))
            template = None
    agencies = raw.get("agencies") if "agencies" in raw else None
    if agencies is not None and (
        not isinstance(agencies, list) or not all(isinstance(a, str) for a in agencies)
    ):
        row.add(_("danh sách cơ quan tiếp nhận không hợp lệ"))
        agencies = None

    values: dict[str, Any] = {
        "name": _str_value(raw, "name", row, _("tên thủ tục")),
        "levels": levels,
        "agency_text": _str_value(raw, "agency_text", row, _("cơ quan thực hiện")),
        "competent_authority": _str_value(
            raw, "competent_authority", row, _("cơ quan có thẩm quyền")
        ),
        "time_limit_value": value,
        "time_limit_unit": unit,
        "time_limit_text": _str_value(time_limit, "text", row, _("thời hạn theo nguồn")),
        "fee_amount": fee_amount,
        "fee_text": _str_value(fee, "text", row, _("phí, lệ phí theo nguồn")),
        "legal_basis": basis,
        "legal_basis_text": _str_value(raw, "legal_basis_text", row, _("căn cứ pháp lý")),
        "online_level": online,
        "is_inter_agency": bool(flags["is_inter_agency"]),
        "channels": channels,
        "applicant_types": _str_value(raw, "applicant_types", row, _("đối tượng thực hiện")),
        "result_text": _str_value(raw, "result_text", row, _("kết quả thực hiện")),
        "procedure_type": _str_value(raw, "procedure_type", row, _("loại thủ tục")),
        "publishing_decision": _str_value(raw, "publishing_decision", row, _("quyết định công bố")),
        "source": source,
        "missing": _sorted_missing(missing),
    }
    if not values["name"].strip():
        row.add(_("thiếu tên thủ tục"))
    if row.errors or any(r.errors for r in component_rows or ()):
        return None
    return ProcedureData(
        row.code,
        field_name.strip(),
        field_code.strip(),
        values,
        components,
        is_active=flags["is_active"],
        process_template=template,
        agencies=[a.strip() for a in agencies] if agencies is not None else None,
    )


def _platform_component(item: Any, n: int, row: _Row, *, nested: bool) -> ComponentData | None:
    prefix = (_("thành phần hồ sơ thứ %(n)d: ") % {"n": n}) if nested else ""
    if not isinstance(item, dict):
        row.add(prefix + _("thành phần hồ sơ không hợp lệ"))
        return None
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        row.add(prefix + _("thiếu tên giấy tờ"))
        return None
    order = _int(item.get("order", n), low=1, high=32767)
    originals = _int(item.get("originals", 0), high=32767)
    copies = _int(item.get("copies", 0), high=32767)
    if order is None:
        row.add(prefix + _("thứ tự không hợp lệ"))
    if originals is None or copies is None:
        row.add(prefix + _("số bản không hợp lệ"))
    copy_type = ""
    if item.get("copy_type"):
        copy_type = (
            _choice(item["copy_type"], ProcedureComponent.CopyType, _COPY_TYPE_ALIASES) or ""
        )
        if not copy_type:
            row.add(prefix + _("loại bản “%(kind)s” không hợp lệ") % {"kind": item["copy_type"]})
    required = _bool(item.get("is_required", True))
    if required is None:
        row.add(prefix + _("“bắt buộc” phải là Có hoặc Không"))
    texts = {key: item.get(key) or "" for key in ("group", "form_name", "form_file")}
    if not all(isinstance(text, str) for text in texts.values()):
        row.add(prefix + _("nhóm, mẫu đơn và tệp mẫu phải là chữ"))
        return None
    bad_kind = bool(item.get("copy_type")) and not copy_type
    if order is None or originals is None or copies is None or bad_kind or required is None:
        return None
    return ComponentData(
        name=name,
        order=order,
        group=texts["group"],
        originals=originals,
        copies=copies,
        copy_type=copy_type,
        form_name=texts["form_name"],
        form_file=texts["form_file"],
        is_required=required,
    )


def _resolve_unit(ref: Any, row: _Row) -> tuple[bool, OrgUnit | None]:
    """An org unit reference of a step: None (the case's agency) or {agency, division}."""
    if ref is None:
        return True, None
    if not isinstance(ref, dict) or not isinstance(ref.get("agency"), str):
        row.add(_("đơn vị thực hiện bước không hợp lệ"))
        return False, None
    agency = OrgUnit.objects.filter(code=ref["agency"].strip(), is_agency=True).first()
    if agency is None:
        row.add(_("không có cơ quan mã %(code)s") % {"code": ref["agency"]})
        return False, None
    division = ref.get("division")
    if not division:
        return True, agency
    found = list(
        OrgUnit.objects.within(agency).filter(name=str(division).strip(), is_agency=False)[:2]
    )
    if len(found) != 1:
        row.add(
            _("cơ quan %(code)s không có (hoặc có nhiều) phòng, ban “%(name)s”")
            % {"code": ref["agency"], "name": division}
        )
        return False, None
    return True, found[0]


def template_from_record(
    raw: Any, row: _Row, *, step_rows: Sequence[_Row] | None = None
) -> TemplateSpec | None:
    """Read one process template of the platform's export; its units must exist here."""
    if not isinstance(raw, dict) or not isinstance(raw.get("code"), str):
        row.add(_("quy trình nội bộ không hợp lệ"))
        return None
    row.code = raw["code"].strip()
    steps = raw.get("steps")
    if not isinstance(steps, list):
        row.add(_("quy trình nội bộ phải có danh sách bước"))
        return None
    specs = []
    for n, step in enumerate(steps, 1):
        where = step_rows[n - 1] if step_rows is not None else row
        prefix = "" if step_rows is not None else _("bước %(n)d: ") % {"n": n}
        if not isinstance(step, dict):
            where.add(prefix + _("bước không hợp lệ"))
            continue
        share = _decimal(step.get("time_share"))
        role = _choice(step.get("role"), Role) if step.get("role") else None
        ok, unit = _resolve_unit(step.get("org_unit"), where)
        if share is None:
            where.add(prefix + _("tỷ lệ thời gian không hợp lệ"))
        if role is None or role not in STEP_ROLES:
            where.add(prefix + _("vai trò “%(role)s” không hợp lệ") % {"role": step.get("role")})
        name = step.get("name")
        if not isinstance(name, str) or not name.strip():
            where.add(prefix + _("thiếu tên bước"))
        if ok and share is not None and role in STEP_ROLES and isinstance(name, str):
            specs.append(StepSpec(name.strip(), cast(str, role), share, unit))
    name = raw.get("name")
    description = raw.get("description") or ""
    if not isinstance(name, str) or not isinstance(description, str):
        row.add(_("tên và mô tả quy trình phải là chữ"))
        return None
    if row.errors or any(r.errors for r in step_rows or ()):
        return None
    spec = TemplateSpec(row.code, name.strip(), tuple(specs), description)
    try:
        check_template(spec)
    except ValidationError as exc:
        for message in exc.messages:
            row.add(message)
        return None
    return spec


# --- Import ---------------------------------------------------------------------------------


@dataclass
class ParsedImport:
    """An import file read into values, with the errors found while reading it."""

    procedures: list[tuple[_Row, ProcedureData]] = field(default_factory=list)
    templates: list[tuple[_Row, TemplateSpec]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: Every procedure row read, good or bad, for finding codes given twice.
    rows: list[_Row] = field(default_factory=list)


def parse_json(data: Any) -> ParsedImport:
    """Read procedures.json (a list) or the platform's export (a dict) into values."""
    parsed = ParsedImport()
    if isinstance(data, list):
        for n, raw in enumerate(data, 1):
            row = _Row(n)
            item = from_portal_record(raw, row)
            parsed.rows.append(row)
            parsed.errors += row.errors
            if item is not None:
                parsed.procedures.append((row, item))
        return parsed
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        parsed.errors.append(
            RowError(
                _(
                    "không đúng định dạng: cần danh sách thủ tục như procedures.json, hoặc tệp "
                    "xuất từ Liên Thông (format = %(format)s)."
                )
                % {"format": EXPORT_FORMAT}
            )
        )
        return parsed
    if data.get("version") != EXPORT_VERSION:
        parsed.errors.append(
            RowError(_("phiên bản %(version)s chưa được hỗ trợ") % {"version": data.get("version")})
        )
        return parsed
    for n, raw in enumerate(data.get("process_templates") or [], 1):
        row = _Row(n, sheet=_("quy trình nội bộ"))
        spec = template_from_record(raw, row)
        parsed.errors += row.errors
        if spec is not None:
            parsed.templates.append((row, spec))
    procedures = data.get("procedures")
    if not isinstance(procedures, list):
        parsed.errors.append(RowError(_("thiếu danh sách thủ tục (procedures)")))
        return parsed
    for n, raw in enumerate(procedures, 1):
        row = _Row(n)
        item = from_platform_record(raw, row)
        parsed.rows.append(row)
        parsed.errors += row.errors
        if item is not None:
            parsed.procedures.append((row, item))
    return parsed


@dataclass
class _Plan:
    fields_by_name: dict[str, Field]
    new_fields: dict[str, tuple[str, str]]  # name → (code, name)
    renamed_fields: dict[str, tuple[Field, str]]  # code → (field, new name)
    templates: dict[str, ProcessTemplate | TemplateSpec]
    agencies: dict[str, OrgUnit]


def _plan(parsed: ParsedImport) -> _Plan:
    """Check what the rows point at (fields, templates, agencies, duplicates); add errors."""
    plan = _Plan({}, {}, {}, {}, {})
    by_name = {f.name: f for f in Field.objects.all()}
    by_code = {f.code: f for f in by_name.values()}
    taken_codes = set(by_code)
    for row, spec in parsed.templates:
        stored = ProcessTemplate.objects.filter(code=spec.code).first()
        if stored is not None and stored.module != PROCESS_MODULE:
            row.add(_("mã quy trình đã dùng cho phân hệ khác"))
        elif stored is not None and _template_spec(stored) != spec and stored.cases.exists():
            row.add(_("quy trình đã được dùng cho hồ sơ: không sửa các bước được"))
        plan.templates[spec.code] = spec
        parsed.errors += row.errors
        row.errors = []
    seen: dict[str, int | None] = {}
    for row in parsed.rows:
        if not row.code:
            continue
        if row.code in seen:
            parsed.errors.append(
                RowError(
                    _("mã thủ tục trùng với dòng %(row)s") % {"row": seen[row.code]},
                    row.row,
                    row.code,
                    row.sheet,
                )
            )
        else:
            seen[row.code] = row.row
    wanted_agencies = {code for _row, item in parsed.procedures for code in (item.agencies or [])}
    plan.agencies = {
        unit.code: unit
        for unit in OrgUnit.objects.filter(code__in=wanted_agencies, is_agency=True)
        if unit.code
    }
    for row, item in parsed.procedures:
        if item.field_code:
            stored_field = by_code.get(item.field_code)
            if stored_field is None:
                owner = by_name.get(item.field_name)
                if owner is not None and owner.code != item.field_code:
                    row.add(
                        _("lĩnh vực “%(name)s” đã có với mã khác (%(code)s)")
                        % {"name": item.field_name, "code": owner.code}
                    )
                else:
                    plan.new_fields.setdefault(item.field_name, (item.field_code, item.field_name))
            elif stored_field.name != item.field_name:
                owner = by_name.get(item.field_name)
                if owner is not None and owner.pk != stored_field.pk:
                    row.add(
                        _("tên lĩnh vực “%(name)s” đã dùng cho lĩnh vực khác")
                        % {"name": item.field_name}
                    )
                else:
                    plan.renamed_fields[item.field_code] = (stored_field, item.field_name)
        elif item.field_name not in by_name and item.field_name not in plan.new_fields:
            code = field_code_for(item.field_name)
            base, n = code, 2
            while code in taken_codes:
                code, n = f"{base[:115]}-{n}", n + 1
            taken_codes.add(code)
            plan.new_fields[item.field_name] = (code, item.field_name)
        if item.process_template and item.process_template not in plan.templates:
            stored_template = ProcessTemplate.objects.filter(
                code=item.process_template, module=PROCESS_MODULE
            ).first()
            if stored_template is None:
                row.add(
                    _("không có quy trình nội bộ mã %(code)s") % {"code": item.process_template}
                )
            else:
                plan.templates[item.process_template] = stored_template
        for code in item.agencies or []:
            if code not in plan.agencies:
                row.add(_("không có cơ quan mã %(code)s") % {"code": code})
        values = cast(ProcedureFields, {"code": item.code, **item.values, "field": Field()})
        try:
            check_procedure(values)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name == "code":
                    continue  # a code already stored is an update, not an error
                for message in messages:
                    row.add(f"{_field_label(name)}: {message}")
        try:
            check_components(item.components)
        except ValidationError as exc:
            for message in exc.messages:
                row.add(message)
        parsed.errors += row.errors
        row.errors = []
    plan.fields_by_name = by_name
    return plan


@service
def import_parsed(parsed: ParsedImport, *, by: Any = None, source: str = "") -> ImportReport:
    """Write what `parse_json` or `read_xlsx` read: all of it, or nothing if any row is bad."""
    _require(by)
    plan = _plan(parsed)
    if parsed.errors:
        raise CatalogueImportError(parsed.errors)
    report = ImportReport(source=source)
    fields = dict(plan.fields_by_name)
    for name, (code, field_name) in plan.new_fields.items():
        created = Field(code=code, name=field_name)
        created.full_clean()
        with audited("onestop.field.create", created):
            created.save()
        fields[name] = created
        report.fields_created.append(field_name)
    for _code, (stored_field, new_name) in plan.renamed_fields.items():
        with audited("onestop.field.update", stored_field):
            stored_field.name = new_name
            stored_field.save()
        fields[new_name] = stored_field
    templates: dict[str, ProcessTemplate] = {}
    for code, target in plan.templates.items():
        if isinstance(target, TemplateSpec):
            template, status = save_process_template(target, by=by)
            if status == "created":
                report.templates_created.append(code)
            elif status == "updated":
                report.templates_updated.append(code)
            templates[code] = template
        else:
            templates[code] = target
    stored = {
        p.code: p
        for p in Procedure.objects.filter(code__in=[item.code for _r, item in parsed.procedures])
        .select_related("field")
        .prefetch_related("components", "agencies")
    }
    errors: list[RowError] = []
    for row, item in parsed.procedures:
        try:
            status = _import_one(item, stored.get(item.code), fields, templates, plan.agencies)
        except ValidationError as exc:
            errors += [RowError(m, row.row, item.code, row.sheet) for m in exc.messages]
            continue
        getattr(report, status).append(item.code)
    if errors:
        # Raising rolls back what the rows before the bad one wrote.
        raise CatalogueImportError(errors)
    if not report.changed:
        return report
    record(
        "onestop.procedure.import",
        None,
        object_type="onestop.procedure",
        object_repr=(source or _("nhập danh mục"))[:255],
        after={
            "created": report.created,
            "updated": report.updated,
            "unchanged": len(report.unchanged),
        },
    )
    return report


def _import_one(
    item: ProcedureData,
    procedure: Procedure | None,
    fields: Mapping[str, Field],
    templates: Mapping[str, ProcessTemplate],
    agencies: Mapping[str, OrgUnit],
) -> Literal["created", "updated", "unchanged"]:
    values = cast(ProcedureFields, {**item.values, "field": fields[item.field_name]})
    if item.is_active is not None:
        values["is_active"] = item.is_active
    created = procedure is None
    if procedure is None:
        values["code"] = item.code
    procedure, changed = _write_fields(procedure, values)
    if _write_components(procedure, item.components):
        changed.append("components")
    if item.process_template is not None:
        template = templates.get(item.process_template) if item.process_template else None
        if _write_template(procedure, template):
            changed.append("process_template")
    if item.agencies is not None and _write_agencies(
        procedure, [agencies[code] for code in item.agencies]
    ):
        changed.append("agencies")
    if created:
        index_procedure(procedure)
        _publish("created", procedure)
        return "created"
    if not changed:
        return "unchanged"
    index_procedure(procedure)
    _publish("updated", procedure, changed)
    return "updated"


def import_procedures(data: Any, *, by: Any = None, source: str = "") -> ImportReport:
    """Import procedures.json (a list) or the platform's JSON export (all-or-nothing)."""
    _require(by)
    return import_parsed(parse_json(data), by=by, source=source)


def import_file(name: str, content: bytes, *, by: Any = None) -> ImportReport:
    """Import an uploaded file: JSON or XLSX by its extension."""
    _require(by)
    lower = name.lower()
    if len(content) > MAX_IMPORT_BYTES:
        raise CatalogueImportError(
            [RowError(_("tệp lớn hơn %(mb)d MB") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)})]
        )
    if lower.endswith(".json"):
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CatalogueImportError(
                [RowError(_("không đọc được JSON: %(error)s") % {"error": exc})]
            ) from exc
        return import_procedures(data, by=by, source=name)
    if lower.endswith(".xlsx"):
        return import_parsed(read_xlsx(content), by=by, source=name)
    raise CatalogueImportError([RowError(_("chỉ nhận tệp .json hoặc .xlsx"))])


# --- Export ---------------------------------------------------------------------------------


def export_queryset(queryset: QuerySet[Procedure] | None = None) -> QuerySet[Procedure]:
    """The procedures with everything an export reads, in two handfuls of queries."""
    qs = queryset if queryset is not None else Procedure.objects.all()
    return (
        qs.select_related("field", "process_template")
        .prefetch_related(
            Prefetch("components", queryset=ProcedureComponent.objects.order_by("order")),
            Prefetch("agencies", queryset=OrgUnit.objects.order_by("code")),
        )
        .order_by("code")
    )


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def procedure_record(procedure: Procedure) -> dict[str, Any]:
    """One procedure in the platform's export format."""
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": {"code": procedure.field.code, "name": procedure.field.name},
        "levels": list(procedure.levels),
        "agency_text": procedure.agency_text,
        "competent_authority": procedure.competent_authority,
        "time_limit": {
            "value": _number(procedure.time_limit_value),
            "unit": procedure.time_limit_unit,
            "text": procedure.time_limit_text,
        },
        "fee": {"amount_vnd": procedure.fee_amount, "text": procedure.fee_text},
        "legal_basis": list(procedure.legal_basis),
        "legal_basis_text": procedure.legal_basis_text,
        "online_level": procedure.online_level,
        "is_inter_agency": procedure.is_inter_agency,
        "channels": procedure.channels,
        "applicant_types": procedure.applicant_types,
        "result_text": procedure.result_text,
        "procedure_type": procedure.procedure_type,
        "publishing_decision": procedure.publishing_decision,
        "source": procedure.source,
        "missing": list(procedure.missing),
        "components": [asdict(c) for c in components_of(procedure)],
        "process_template": procedure.process_template.code if procedure.process_template else None,
        "agencies": sorted(unit.code for unit in procedure.agencies.all() if unit.code),
        "is_active": procedure.is_active,
    }


def _unit_ref(unit: OrgUnit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    if unit.is_agency:
        return {"agency": unit.code, "division": None}
    agency = unit.agency
    return {"agency": agency.code if agency else None, "division": unit.name}


def template_record(template: ProcessTemplate) -> dict[str, Any]:
    """One process template in the platform's export format."""
    return {
        "code": template.code,
        "name": template.name,
        "description": template.description,
        "steps": [
            {
                "order": step.order,
                "name": step.name,
                "role": step.role,
                "org_unit": _unit_ref(step.org_unit),
                "time_share": _number(step.time_share),
            }
            for step in template.steps.select_related("org_unit").order_by("order")
        ],
    }


def export_procedures(queryset: QuerySet[Procedure] | None = None) -> dict[str, Any]:
    """The procedures (and the internal processes they use) in the platform's JSON format."""
    procedures = list(export_queryset(queryset))
    templates = {
        p.process_template.code: p.process_template for p in procedures if p.process_template
    }
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "process_templates": [template_record(templates[code]) for code in sorted(templates)],
        "procedures": [procedure_record(p) for p in procedures],
    }


def export_filename(extension: str, *, today: datetime.date | None = None) -> str:
    """thu-tuc-hanh-chinh-20250701.json"""
    day = today or timezone.localdate()
    return f"thu-tuc-hanh-chinh-{day:%Y%m%d}.{extension}"


# --- XLSX -----------------------------------------------------------------------------------
# The workbook's sheet names and headers are part of the file format: they are fixed
# Vietnamese strings, not translated, so a file exported in one language imports in any.

SHEET_PROCEDURES = "Thủ tục"
SHEET_COMPONENTS = "Thành phần hồ sơ"
SHEET_STEPS = "Quy trình"
YES, NO = "Có", "Không"

PROCEDURE_COLUMNS = (
    "Mã thủ tục",
    "Tên thủ tục",
    "Mã lĩnh vực",
    "Lĩnh vực",
    "Cấp thực hiện",
    "Cơ quan thực hiện",
    "Cơ quan có thẩm quyền",
    "Thời hạn",
    "Đơn vị thời hạn",
    "Thời hạn theo nguồn",
    "Phí, lệ phí (đồng)",
    "Phí, lệ phí theo nguồn",
    "Căn cứ pháp lý",
    "Căn cứ pháp lý (văn bản gốc)",
    "Mức độ trực tuyến",
    "Liên thông",
    "Đối tượng thực hiện",
    "Kết quả thực hiện",
    "Loại thủ tục",
    "Quyết định công bố",
    "Cách thức thực hiện (JSON)",
    "Nguồn dữ liệu (JSON)",
    "Nguồn không có thông tin",
    "Quy trình nội bộ",
    "Cơ quan tiếp nhận",
    "Đang áp dụng",
)
COMPONENT_COLUMNS = (
    "Mã thủ tục",
    "Thứ tự",
    "Nhóm",
    "Tên giấy tờ",
    "Số bản chính",
    "Số bản sao",
    "Loại bản",
    "Mẫu đơn, tờ khai",
    "Tệp mẫu",
    "Bắt buộc",
)
STEP_COLUMNS = (
    "Mã quy trình",
    "Tên quy trình",
    "Mô tả",
    "Thứ tự bước",
    "Tên bước",
    "Vai trò",
    "Mã cơ quan",
    "Phòng, ban",
    "Tỷ lệ thời gian (%)",
)


def _label(choices: Any, code: str) -> str:
    """A code's label in Vietnamese (the workbook's fixed language)."""
    for value, label in choices.choices:
        if value == code:
            return str(label)
    return code


def _lines(values: Iterable[str]) -> str:
    return "\n".join(values)


def _procedure_row(record: Mapping[str, Any]) -> list[Any]:
    missing = [str(MISSING_LABELS[name]) for name in record["missing"]]
    return [
        record["code"],
        record["name"],
        record["field"]["code"],
        record["field"]["name"],
        _lines(_label(Level, level) for level in record["levels"]),
        record["agency_text"],
        record["competent_authority"],
        record["time_limit"]["value"],
        _label(TimeUnit, record["time_limit"]["unit"]) if record["time_limit"]["unit"] else "",
        record["time_limit"]["text"],
        record["fee"]["amount_vnd"],
        record["fee"]["text"],
        _lines(record["legal_basis"]),
        record["legal_basis_text"],
        _label(OnlineLevel, record["online_level"]) if record["online_level"] else "",
        YES if record["is_inter_agency"] else NO,
        record["applicant_types"],
        record["result_text"],
        record["procedure_type"],
        record["publishing_decision"],
        json.dumps(record["channels"], ensure_ascii=False),
        json.dumps(record["source"], ensure_ascii=False),
        _lines(missing),
        record["process_template"] or "",
        _lines(record["agencies"]),
        YES if record["is_active"] else NO,
    ]


def export_xlsx(queryset: QuerySet[Procedure] | None = None) -> bytes:
    """The export as a workbook: procedures, components and process steps, one sheet each."""
    data = export_procedures(queryset)
    with translation.override("vi"):
        return _workbook(data)


def _workbook(data: Mapping[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        ws = book.create_sheet(title)
        ws.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=header)
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for values in rows:
            cells = []
            for value in values:
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, str):
                    # Text stays text: "=…" must not become a formula when the file is opened.
                    cell.data_type = "s"
                    if "\n" in value:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                cells.append(cell)
            ws.append(cells)

    sheet(SHEET_PROCEDURES, PROCEDURE_COLUMNS, (_procedure_row(r) for r in data["procedures"]))
    sheet(
        SHEET_COMPONENTS,
        COMPONENT_COLUMNS,
        (
            [
                r["code"],
                c["order"],
                c["group"],
                c["name"],
                c["originals"],
                c["copies"],
                _label(ProcedureComponent.CopyType, c["copy_type"]) if c["copy_type"] else "",
                c["form_name"],
                c["form_file"],
                YES if c["is_required"] else NO,
            ]
            for r in data["procedures"]
            for c in r["components"]
        ),
    )
    sheet(
        SHEET_STEPS,
        STEP_COLUMNS,
        (
            [
                t["code"],
                t["name"],
                t["description"],
                s["order"],
                s["name"],
                _label(Role, s["role"]),
                (s["org_unit"] or {}).get("agency") or "",
                (s["org_unit"] or {}).get("division") or "",
                s["time_share"],
            ]
            for t in data["process_templates"]
            for s in t["steps"]
        ),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if not isinstance(value, str) else value


def _split_lines(value: Any) -> list[str]:
    return [line.strip() for line in _cell_text(value).splitlines() if line.strip()]


def _read_sheet(
    book: Any, title: str, headers: Sequence[str], parsed: ParsedImport
) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a sheet as {header: value}, with their row numbers; header errors reported."""
    if title not in book.sheetnames:
        parsed.errors.append(RowError(_("thiếu trang “%(sheet)s”") % {"sheet": title}))
        return []
    rows = book[title].iter_rows(values_only=True)
    header_row = next(rows, None) or ()
    found = [_cell_text(h) for h in header_row]
    while found and not found[-1]:
        found.pop()
    unknown = [h for h in found if h not in headers]
    absent = [h for h in headers if h not in found]
    if unknown or absent:
        problems = []
        if absent:
            problems.append(
                _("thiếu cột %(names)s") % {"names": ", ".join(f"“{h}”" for h in absent)}
            )
        if unknown:
            problems.append(
                _("cột không dùng được %(names)s") % {"names": ", ".join(f"“{h}”" for h in unknown)}
            )
        parsed.errors.append(RowError("; ".join(problems), row=1, sheet=title))
        return []
    result = []
    for number, values in enumerate(rows, 2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        result.append((number, dict(zip(found, values, strict=False))))
    return result


def _json_cell(value: Any, row: _Row, label: str, default: Any) -> Any:
    text = _cell_text(value)
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        row.add(_("cột “%(label)s” không phải JSON hợp lệ") % {"label": label})
        return default


def read_xlsx(content: bytes) -> ParsedImport:
    """Read a workbook in the export's layout into values; errors name the sheet and row."""
    from openpyxl import load_workbook

    parsed = ParsedImport()
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        parsed.errors.append(
            RowError(_("không phải bảng tính XLSX hợp lệ (%(error)s)") % {"error": exc})
        )
        return parsed
    try:
        procedure_rows = _read_sheet(book, SHEET_PROCEDURES, PROCEDURE_COLUMNS, parsed)
        component_rows = _read_sheet(book, SHEET_COMPONENTS, COMPONENT_COLUMNS, parsed)
        step_rows = _read_sheet(book, SHEET_STEPS, STEP_COLUMNS, parsed)
    finally:
        book.close()
    if parsed.errors:
        return parsed

    steps_by_template: dict[str, list[tuple[_Row, dict[str, Any]]]] = {}
    template_heads: dict[str, dict[str, Any]] = {}
    for number, cells in step_rows:
        row = _Row(number, sheet=SHEET_STEPS, code=_cell_text(cells["Mã quy trình"]))
        agency = _cell_text(cells["Mã cơ quan"])
        unit = (
            {"agency": agency, "division": _cell_text(cells["Phòng, ban"]) or None}
            if agency
            else None
        )
        steps_by_template.setdefault(row.code, []).append(
            (
                row,
                {
                    "order": cells["Thứ tự bước"],
                    "name": _cell_text(cells["Tên bước"]),
                    "role": _cell_text(cells["Vai trò"]),
                    "org_unit": unit,
                    "time_share": cells["Tỷ lệ thời gian (%)"],
                },
            )
        )
        template_heads.setdefault(
            row.code,
            {
                "code": row.code,
                "name": _cell_text(cells["Tên quy trình"]),
                "description": _cell_text(cells["Mô tả"]),
            },
        )
    for code, steps in steps_by_template.items():
        steps.sort(key=lambda item: _int(item[1]["order"], low=1) or 0)
        head_row = _Row(steps[0][0].row, sheet=SHEET_STEPS, code=code)
        spec = template_from_record(
            {**template_heads[code], "steps": [s for _r, s in steps]},
            head_row,
            step_rows=[r for r, _s in steps],
        )
        parsed.errors += head_row.errors + [e for r, _s in steps for e in r.errors]
        if spec is not None:
            parsed.templates.append((head_row, spec))

    components_by_code: dict[str, list[tuple[_Row, dict[str, Any]]]] = {}
    for number, cells in component_rows:
        row = _Row(number, sheet=SHEET_COMPONENTS, code=_cell_text(cells["Mã thủ tục"]))
        components_by_code.setdefault(row.code, []).append(
            (
                row,
                {
                    "order": cells["Thứ tự"],
                    "group": _cell_text(cells["Nhóm"]),
                    "name": _cell_text(cells["Tên giấy tờ"]),
                    "originals": cells["Số bản chính"] if cells["Số bản chính"] is not None else 0,
                    "copies": cells["Số bản sao"] if cells["Số bản sao"] is not None else 0,
                    "copy_type": _cell_text(cells["Loại bản"]),
                    "form_name": _cell_text(cells["Mẫu đơn, tờ khai"]),
                    "form_file": _cell_text(cells["Tệp mẫu"]),
                    "is_required": _cell_text(cells["Bắt buộc"]) or YES,
                },
            )
        )
    known_codes = {_cell_text(cells["Mã thủ tục"]) for _n, cells in procedure_rows}
    for code, items in components_by_code.items():
        if code not in known_codes:
            for row, _item in items:
                row.add(
                    _("không có thủ tục mã này trong trang “%(sheet)s”")
                    % {"sheet": SHEET_PROCEDURES}
                )
                parsed.errors += row.errors

    for number, cells in procedure_rows:
        row = _Row(number, sheet=SHEET_PROCEDURES, code=_cell_text(cells["Mã thủ tục"]))
        items = components_by_code.get(row.code, [])
        items.sort(key=lambda item: _int(item[1]["order"], low=1) or 0)
        record = {
            "code": row.code,
            "name": _cell_text(cells["Tên thủ tục"]),
            "field": {
                "code": _cell_text(cells["Mã lĩnh vực"]),
                "name": _cell_text(cells["Lĩnh vực"]),
            },
            "levels": _split_lines(cells["Cấp thực hiện"]),
            "agency_text": _cell_text(cells["Cơ quan thực hiện"]),
            "competent_authority": _cell_text(cells["Cơ quan có thẩm quyền"]),
            "time_limit": {
                "value": cells["Thời hạn"],
                "unit": _cell_text(cells["Đơn vị thời hạn"]),
                "text": _cell_text(cells["Thời hạn theo nguồn"]),
            },
            "fee": {
                "amount_vnd": cells["Phí, lệ phí (đồng)"],
                "text": _cell_text(cells["Phí, lệ phí theo nguồn"]),
            },
            "legal_basis": _split_lines(cells["Căn cứ pháp lý"]),
            "legal_basis_text": _cell_text(cells["Căn cứ pháp lý (văn bản gốc)"]),
            "online_level": _cell_text(cells["Mức độ trực tuyến"]),
            "is_inter_agency": _cell_text(cells["Liên thông"]) or NO,
            "applicant_types": _cell_text(cells["Đối tượng thực hiện"]),
            "result_text": _cell_text(cells["Kết quả thực hiện"]),
            "procedure_type": _cell_text(cells["Loại thủ tục"]),
            "publishing_decision": _cell_text(cells["Quyết định công bố"]),
            "channels": _json_cell(
                cells["Cách thức thực hiện (JSON)"], row, "Cách thức thực hiện (JSON)", []
            ),
            "source": _json_cell(cells["Nguồn dữ liệu (JSON)"], row, "Nguồn dữ liệu (JSON)", {}),
            "missing": _split_lines(cells["Nguồn không có thông tin"]),
            "process_template": _cell_text(cells["Quy trình nội bộ"]) or None,
            "agencies": _split_lines(cells["Cơ quan tiếp nhận"]),
            "is_active": _cell_text(cells["Đang áp dụng"]) or YES,
            "components": [item for _r, item in items],
        }
        item = from_platform_record(record, row, component_rows=[r for r, _i in items])
        parsed.rows.append(row)
        parsed.errors += row.errors + [e for r, _i in items for e in r.errors]
        if item is not None:
            parsed.procedures.append((row, item))
    return parsed


# --- Reading for people ---------------------------------------------------------------------


def missing_labels(procedure: Procedure) -> list[str]:
    """The labels of what the source did not give, in display order."""
    return [str(MISSING_LABELS[name]) for name in MISSABLE if name in procedure.missing]


def step_budgets(procedure: Procedure) -> list[tuple[ProcessStep, Decimal | None]]:
    """The internal process's steps with each one's share of the time limit (in its unit)."""
    if procedure.process_template is None:
        return []
    steps = list(procedure.process_template.steps.select_related("org_unit").order_by("order"))
    value = procedure.time_limit_value
    return [
        (
            step,
            (value * step.time_share / Decimal(100)).quantize(Decimal("0.01")) if value else None,
        )
        for step in steps
    ]


def ranked_procedure_ids(query: str) -> list[int]:
    """Ids of the public procedures the search kernel finds for `query`, best first.

    The kernel pages by 100; the catalogue is small (hundreds to a few thousand procedures),
    so every page is read and the caller filters and paginates the ranked ids.
    """
    ids: list[int] = []
    total = search.count(query, models=[Procedure])
    while len(ids) < total:
        hits = search.search(query, models=[Procedure], limit=search.MAX_LIMIT, offset=len(ids))
        if not hits:
            break
        ids += [int(hit.object_id) for hit in hits]
    return ids
