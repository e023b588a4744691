"""Streamed export of a registry (CSV and XLSX), honouring the list's filters.

Rows are read in chunks (`QuerySet.iterator`), never all at once: CSV goes out as it is
written (`StreamingHttpResponse`), XLSX through openpyxl's write-only workbook into a
temporary file that is then streamed. The header row holds the columns' Vietnamese labels,
which the importer accepts, so an export can be edited and imported back.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lienthong.registries.base.registry import RegistryType

CHUNK = 2000
#: A worksheet holds 1,048,576 rows, one of them the header.
XLSX_MAX_ROWS = 1_048_575


def export_rows(registry_type: RegistryType, qs: QuerySet[Any]) -> Iterator[list[Any]]:
    """The header labels, then one list of cell values per record of `qs`."""
    columns = registry_type.columns
    yield [str(c.label) for c in columns]
    related = registry_type.export_related
    rows = qs.select_related(*related) if related else qs
    for obj in rows.iterator(chunk_size=CHUNK):
        yield [c.value_of(obj) for c in columns]


class _Echo:
    """A file-like object whose write returns what it was given (for streaming CSV)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text, row by row, with a BOM first so that spreadsheet programs read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def write_csv(rows: Iterable[list[Any]], handle: IO[str]) -> int:
    """Write the rows as CSV; the number of records written."""
    writer = csv.writer(handle)
    written = 0
    for row in rows:
        writer.writerow(row)
        written += 1
    return max(written - 1, 0)  # the header is not a record


def write_xlsx(rows: Iterable[list[Any]], path: Path, *, title: str = "Dữ liệu") -> int:
    """Write the rows to an XLSX file (write-only: constant memory); records written.

    Raises ValidationError when there are more records than a worksheet holds.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    count = -1
    for count, row in enumerate(rows):
        if count > XLSX_MAX_ROWS:
            raise ValidationError(
                _("Tệp XLSX chỉ chứa được %(max)s dòng; hãy lọc bớt hoặc xuất dạng CSV.")
                % {"max": f"{XLSX_MAX_ROWS:,}".replace(",", ".")}
            )
        sheet.append(row)
    workbook.save(path)
    return max(count, 0)


def xlsx_tempfile(rows: Iterable[list[Any]], *, title: str) -> IO[bytes]:
    """The rows as an XLSX file in a temporary file (deleted when closed), at position 0."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    try:
        write_xlsx(rows, Path(handle.name), title=title)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle
