"""Register books (sổ đăng ký văn bản đến / đi, Decree 30/2020/NĐ-CP, Appendix IV) as files.

Both registers have ten columns; the incoming and outgoing modules pick the columns and the
rows, these functions only lay them out: `register_xlsx` (one sheet, a title row, a header
row, one row per document) and `register_pdf` (landscape A4, DejaVu fonts for Vietnamese,
the header repeated on every page). Cells may be text, numbers, dates or None; dates are
written dd/mm/yyyy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from django.utils import timezone

from lienthong.core.pdf import render_pdf

Cell = str | int | date | datetime | None


def cell_text(value: Any) -> str:
    """How a cell reads on paper: dates as dd/mm/yyyy, None as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, str | int | date):
        return value
    return str(value)


def register_xlsx(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    subtitle: str = "",
    sheet_title: str = "",
) -> bytes:
    """The register as an XLSX workbook (title, optional subtitle, header, rows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = (sheet_title or title)[:31].replace("/", "-") or "Sheet"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([subtitle])
    header_row = 3
    sheet.append(list(columns))
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    for index, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 4))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def register_pdf(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    subtitle: str = "",
    agency_name: str = "",
) -> bytes:
    """The register as a PDF: landscape A4, header repeated on each page."""
    return render_pdf(
        "documents/register_pdf.html",
        {
            "title": title,
            "subtitle": subtitle,
            "agency_name": agency_name,
            "columns": list(columns),
            "rows": [[cell_text(value) for value in row] for row in rows],
        },
    )
