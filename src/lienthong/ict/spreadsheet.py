"""Inventory reports from an XLSX file: the template to fill in, and the import.

One row per agency (by its identification code). The import is all-or-nothing: every row is
checked first (agency known and editable by the caller, report still editable, figures
consistent) and each problem becomes a `RowError(row, column, message)` in Vietnamese; only a
file without any error is written, in one transaction, through `services.save_report`.
Rows are read with the registries' reader (`registries.base.importing.read_rows`).
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lienthong.core.models import OrgUnit
from lienthong.core.text import fold
from lienthong.ict import services
from lienthong.ict.models import InventoryReport, ReportingPeriod
from lienthong.ict.services import ReportFigures
from lienthong.registries.base.importing import RowError, read_rows

#: (key, Vietnamese header) of every column, in the template's order.
COLUMNS: list[tuple[str, Any]] = [
    ("agency_code", gettext_lazy("Mã định danh cơ quan")),
    ("agency_name", gettext_lazy("Tên cơ quan (không bắt buộc)")),
    ("staff", gettext_lazy("Số cán bộ, công chức")),
    ("staff_with_computer", gettext_lazy("Số cán bộ có máy tính")),
    ("computers", gettext_lazy("Số máy tính")),
    ("computers_with_antivirus", gettext_lazy("Số máy tính có phần mềm diệt virus")),
    ("servers", gettext_lazy("Số máy chủ")),
    ("has_lan", gettext_lazy("Có mạng LAN (có/không)")),
    ("has_fibre", gettext_lazy("Có cáp quang (có/không)")),
    ("has_wireless", gettext_lazy("Có mạng không dây (có/không)")),
    ("dedicated_network", gettext_lazy("Kết nối mạng chuyên dùng (có/không)")),
    ("dedicated_network_points", gettext_lazy("Số điểm kết nối mạng chuyên dùng")),
    ("lans", gettext_lazy("Số mạng LAN")),
    ("lans_protected", gettext_lazy("Số mạng LAN có tường lửa và phát hiện xâm nhập")),
    ("it_staff", gettext_lazy("Số cán bộ chuyên trách CNTT")),
    ("software", gettext_lazy("Phần mềm đang dùng (mã, cách nhau bởi dấu phẩy)")),
]
_YES = {"co", "x", "1", "true", "yes", "dung"}
_NO = {"khong", "", "0", "false", "no", "sai"}
BOOL_FIELDS = {f.name for f in fields(ReportFigures) if f.type in ("bool", bool)}


class ImportRejected(Exception):
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    """What a successful import wrote."""

    created: int
    updated: int


def template_xlsx(agencies: list[OrgUnit] | None = None) -> bytes:
    """The XLSX template: one header row, then one prefilled row per agency given."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Bao cao CNTT"
    sheet.append([str(label) for _key, label in COLUMNS])
    for agency in agencies or []:
        sheet.append([agency.code or "", agency.name])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _header_index(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    known = {fold(str(label)): key for key, label in COLUMNS} | {key: key for key, _l in COLUMNS}
    index: dict[str, int] = {}
    for position, text in enumerate(header):
        key = known.get(fold(text.strip())) or known.get(text.strip())
        if key:
            index[key] = position
    missing = [str(label) for key, label in COLUMNS if key not in index and key != "agency_name"]
    errors = [RowError(1, label, _("Thiếu cột này trong dòng tiêu đề.")) for label in missing]
    return index, errors


def _parse_row(cells: list[str], index: dict[str, int], number: int) -> tuple[str, Any]:
    labels = dict(COLUMNS)
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def cell(key: str) -> str:
        position = index.get(key)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    for key, _label in COLUMNS:
        if key in ("agency_code", "agency_name"):
            continue
        text = cell(key)
        if key == "software":
            values[key] = [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]
        elif key in BOOL_FIELDS:
            folded = fold(text)
            if folded in _YES:
                values[key] = True
            elif folded in _NO:
                values[key] = False
            else:
                errors.append(RowError(number, labels[key], _("Ghi “có” hoặc “không”.")))
        else:
            try:
                values[key] = int(text or "0")
                if values[key] < 0:
                    raise ValueError
            except ValueError:
                errors.append(RowError(number, labels[key], _("Phải là số nguyên không âm.")))
    return cell("agency_code"), (errors if errors else ReportFigures(**values))


def check_file(
    path: Path, *, period: ReportingPeriod, by: Any
) -> tuple[list[tuple[OrgUnit, ReportFigures]], list[RowError]]:
    """Every row parsed and checked, without writing: (rows to write, errors)."""
    labels = dict(COLUMNS)
    rows: list[tuple[OrgUnit, ReportFigures]] = []
    errors: list[RowError] = []
    index: dict[str, int] = {}
    seen: dict[str, int] = {}
    try:
        for number, cells in read_rows(path, "xlsx"):
            if number == 1:
                index, header_errors = _header_index(cells)
                if header_errors:
                    return [], header_errors
                continue
            if not any(c.strip() for c in cells):
                continue
            code, parsed = _parse_row(cells, index, number)
            agency = OrgUnit.objects.filter(code=code, is_agency=True).first() if code else None
            if agency is None:
                message = _("Không có cơ quan mã “%(code)s”.") % {"code": code}
                errors.append(RowError(number, labels["agency_code"], message))
                continue
            if code in seen:
                message = _("Cơ quan đã có ở dòng %(row)s.") % {"row": seen[code]}
                errors.append(RowError(number, labels["agency_code"], message))
                continue
            seen[code] = number
            if not services.can_edit_agency(by, agency):
                message = _("Bạn không có quyền cập nhật số liệu của cơ quan này.")
                errors.append(RowError(number, labels["agency_code"], message))
                continue
            existing = InventoryReport.objects.filter(agency=agency, period=period).first()
            if existing is not None and not existing.is_editable:
                message = _("Báo cáo của cơ quan đang ở trạng thái “%(status)s”, không sửa được.")
                errors.append(
                    RowError(
                        number,
                        labels["agency_code"],
                        message % {"status": existing.get_status_display()},
                    )
                )
                continue
            if isinstance(parsed, list):
                errors.extend(parsed)
                continue
            try:
                services.validate_figures(parsed)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    for message in messages:
                        errors.append(RowError(number, labels.get(key, key), message))
                continue
            rows.append((agency, parsed))
    except (OSError, ValueError, KeyError) as exc:  # not an XLSX file openpyxl can read
        return [], [RowError(0, "", _("Không đọc được tệp XLSX: %(error)s") % {"error": exc})]
    except Exception as exc:  # zipfile.BadZipFile and openpyxl's own errors
        if exc.__class__.__name__ in ("BadZipFile", "InvalidFileException"):
            return [], [RowError(0, "", _("Tệp không phải là bảng tính XLSX."))]
        raise
    if not rows and not errors:
        errors.append(RowError(2, "", _("Tệp không có dòng số liệu nào.")))
    return rows, errors


def import_reports(
    stream: IO[bytes] | bytes, *, period: ReportingPeriod, by: Any, submit: bool = False
) -> ImportResult:
    """Write every row of an XLSX file as the agencies' reports (all or nothing); raises
    `ImportRejected` with the row errors, or `PermissionDenied`, and then writes nothing."""
    from lienthong.core.permissions import is_official_user

    if not is_official_user(by):
        raise PermissionDenied(_("Chỉ cán bộ, công chức mới nhập được số liệu."))
    if not period.is_open:
        raise services.WrongState(_("Kỳ báo cáo %(period)s đã đóng.") % {"period": period})
    data = stream if isinstance(stream, bytes) else stream.read()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(data)
        handle.flush()
        rows, errors = check_file(Path(handle.name), period=period, by=by)
    if errors:
        raise ImportRejected(errors)
    created = updated = 0
    with transaction.atomic():
        for agency, figures in rows:
            exists = InventoryReport.objects.filter(agency=agency, period=period).exists()
            report = services.save_report(agency=agency, period=period, figures=figures, by=by)
            if submit:
                services.submit_report(report, by=by)
            updated += exists
            created += not exists
    return ImportResult(created=created, updated=updated)
