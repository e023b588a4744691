"""CSV and XLSX import into a registry, with a row-level error report.

A file is read as a stream (CSV through the csv module, XLSX through openpyxl's read-only
mode), so memory does not grow with its size. Two passes:

1. **check** — every row is parsed and validated (the registry's `build`), natural keys are
   looked for in the table (in batches) and inside the file (64-bit hashes in 256 buckets,
   then the few candidate duplicates confirmed in a third read). Each problem becomes a
   `RowError(row, column, message)` in Vietnamese.
2. **write** — only when the file has no error, or the user chose "import the valid rows":
   the rows the check accepted (kept in a temporary spool file, pickled in batches, so they
   are not parsed twice) are inserted in batches (`bulk.insert_rows`: COPY on PostgreSQL,
   one prepared INSERT on SQLite) inside one transaction, with one audit entry and one event
   `registry.<key>.imported` for the whole file (a record created by an import points to
   its `ImportJob`). Any failure rolls everything back.

A registry's `build(values, ctx)` turns one parsed row into the record's column values
(`attname → value`), validating it with the same rules as the model's `clean()`.

A file with an error therefore changes nothing unless `valid_only` is given.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import pickle
import re
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import record, service
from lienthong.core.models import OrgUnit
from lienthong.core.text import fold
from lienthong.exchange.outbox import publish
from lienthong.registries.base import bulk
from lienthong.registries.base.models import ImportJob
from lienthong.registries.base.registry import RegistryType, StrOrPromise
from lienthong.registries.base.services import can_edit_for

#: Errors kept in the report (all are counted).
MAX_REPORTED_ERRORS = 1000
BATCH = 2000
FORMATS = ("csv", "xlsx")
#: Characters one CSV cell may hold.
CSV_CELL_MAX = 16 * 1024 * 1024


# --- Columns and parsers --------------------------------------------------------------------


def parse_text(max_length: int) -> Callable[[str], str]:
    """A parser for free text of at most `max_length` characters (spaces collapsed)."""

    def parse(value: str) -> str:
        text = " ".join(value.split())
        if len(text) > max_length:
            raise ValidationError(
                _("Dài %(length)d ký tự, quá %(max)d ký tự.")
                % {"length": len(text), "max": max_length}
            )
        return text

    return parse


def parse_digits(length: int, *, lost_zeros: int = 2) -> Callable[[str], str]:
    """A parser for a code of `length` digits (the registry validates it further).

    A spreadsheet stores "001090012345" typed as a number as 1090012345: a value at most
    `lost_zeros` digits short is padded back with the zeros the number lost (codes that begin
    with more zeros than that do not occur: provinces are 001–096).
    """

    def parse(value: str) -> str:
        text = value.strip()
        if text.isascii() and text.isdigit() and length - lost_zeros <= len(text) < length:
            text = text.zfill(length)
        return text

    return parse


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\Z")
_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z")


def parse_date(value: str) -> datetime.date:
    """A date written dd/mm/yyyy (or yyyy-mm-dd, as a spreadsheet date cell gives it)."""
    text = value.strip()
    # The two usual forms without strptime, which costs more than the rest of a row.
    try:
        if match := _DMY.match(text):
            return datetime.date(int(match[3]), int(match[2]), int(match[1]))
        if match := _YMD.match(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” không phải ngày hợp lệ (dd/mm/yyyy).") % {"value": text})


def parse_choice(choices: Iterable[tuple[str, StrOrPromise]]) -> Callable[[str], str]:
    """A parser accepting a choice's code or its label, with or without diacritics."""
    table: dict[str, str] = {}
    for value, label in choices:
        table[fold(value)] = value
        table[fold(str(label))] = value
    shown = ", ".join(str(label) for _value, label in choices)

    exact = {**{str(label): value for value, label in choices}, **{v: v for v, _l in choices}}

    def parse(value: str) -> str:
        found = exact.get(value) or table.get(fold(value))
        if found is None:
            raise ValidationError(
                _("“%(value)s” không phải một trong: %(choices)s.")
                % {"value": value.strip(), "choices": shown}
            )
        return found

    return parse


@dataclass(frozen=True)
class Column:
    """One column of an import or export file.

    `key` names it in files (the header may also be `label`, with or without diacritics);
    `parse` turns the cell text into a value or raises ValidationError; `export` reads the
    value from a record (default: the attribute `key`, dates as dd/mm/yyyy).
    """

    key: str
    label: StrOrPromise
    parse: Callable[[str], Any] = field(default=parse_text(255))
    required: bool = False
    export: Callable[[Any], Any] | None = None
    #: Model fields whose errors belong to this column (default: the field named `key`).
    fields: tuple[str, ...] = ()

    def value_of(self, obj: Any) -> Any:
        """The cell value of `obj` for this column in an export."""
        value = self.export(obj) if self.export is not None else getattr(obj, self.key, "")
        if isinstance(value, datetime.date):
            return value.strftime("%d/%m/%Y")
        return "" if value is None else value


# --- Reading files --------------------------------------------------------------------------


def file_format(name: str) -> str:
    """ "csv" or "xlsx" from a file name; ValidationError for anything else."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValidationError(
            _("Chỉ nhận tệp CSV hoặc XLSX (tệp đã chọn: “%(name)s”).") % {"name": name},
            code="bad_format",
        )
    return suffix


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_rows(path: Path, fmt: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) of every row, the header being row 1; constant memory."""
    if fmt == "csv":
        # A cell may hold a whole text (a law runs to 460 KB); the csv module stops at 128 KB.
        csv.field_size_limit(max(csv.field_size_limit(), CSV_CELL_MAX))
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            handle.seek(0)
            reader = csv.reader(handle, delimiter=_sniff_delimiter(first))
            for number, row in enumerate(reader, start=1):
                yield number, row
        return
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(c) for c in cells]
    finally:
        workbook.close()


# --- The report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem of an import file: where (row, column) and what, in Vietnamese."""

    row: int
    column: StrOrPromise
    message: StrOrPromise

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": str(self.column), "message": str(self.message)}


@dataclass
class ImportContext:
    """What the registry's `build` and hooks get besides the row: the run and a scratch pad."""

    registry_type: RegistryType
    owner: OrgUnit
    by: Any
    job: ImportJob | None = None
    #: Per-run cache for the registry's hooks (e.g. households already created).
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    """What the check pass found."""

    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    error_rows: set[int] = field(default_factory=set)

    @property
    def valid_rows(self) -> int:
        if 1 in self.error_rows:  # a broken header: no row can be read as meant
            return 0
        return self.total_rows - len(self.error_rows)

    def add(self, error: RowError) -> None:
        self.error_count += 1
        self.error_rows.add(error.row)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


class _Header:
    """The header row mapped to columns."""

    def __init__(self, registry_type: RegistryType, cells: list[str], result: CheckResult):
        self.columns = registry_type.columns
        by_name: dict[str, int] = {}
        for column_index, column in enumerate(self.columns):
            by_name[fold(column.key)] = column_index
            by_name[fold(str(column.label))] = column_index
        self.positions: list[tuple[int, int]] = []  # (cell index, column index)
        seen: set[int] = set()
        for cell_index, cell in enumerate(cells):
            name = fold(cell)
            if not name:
                continue
            found = by_name.get(name, by_name.get(name.replace(" ", "_")))
            if found is None:
                result.add(
                    RowError(
                        1,
                        cell.strip(),
                        _("Cột “%(name)s” không có trong mẫu nhập.") % {"name": cell.strip()},
                    )
                )
            elif found in seen:
                result.add(
                    RowError(
                        1,
                        cell.strip(),
                        _("Cột “%(name)s” xuất hiện hai lần.") % {"name": cell.strip()},
                    )
                )
            else:
                seen.add(found)
                self.positions.append((cell_index, found))
        for column_index, column in enumerate(self.columns):
            if column.required and column_index not in seen:
                result.add(
                    RowError(
                        1,
                        column.label,
                        _("Thiếu cột bắt buộc “%(name)s”.") % {"name": column.label},
                    )
                )
        self.field_columns: dict[str, str] = {}
        for column in self.columns:
            for name in column.fields or (column.key,):
                self.field_columns[name] = str(column.label)

    def parse(self, number: int, cells: list[str]) -> tuple[dict[str, Any], list[RowError]]:
        """The row's values by column key, and its cell-level errors."""
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for cell_index, column_index in self.positions:
            column = self.columns[column_index]
            text = cells[cell_index].strip() if cell_index < len(cells) else ""
            if not text:
                if column.required:
                    errors.append(RowError(number, column.label, _("Chưa có giá trị (bắt buộc).")))
                continue
            try:
                values[column.key] = column.parse(text)
            except ValidationError as exc:
                errors.append(RowError(number, column.label, " ".join(exc.messages)))
        return values, errors

    def build_errors(self, number: int, exc: ValidationError) -> list[RowError]:
        """A `build` ValidationError as row errors, each under the column of its field."""
        if not hasattr(exc, "error_dict"):
            return [RowError(number, "", " ".join(exc.messages))]
        return [
            RowError(number, self.field_columns.get(name, "" if name == "__all__" else name), m)
            for name, messages in exc.message_dict.items()
            for m in messages
        ]


def _data_rows(path: Path, fmt: str) -> Iterator[tuple[int, list[str]]]:
    """Rows after the header, skipping rows with no value at all."""
    for number, cells in read_rows(path, fmt):
        if number == 1 or not any(c.strip() for c in cells):
            continue
        yield number, cells


def _header(registry_type: RegistryType, path: Path, fmt: str, result: CheckResult) -> _Header:
    for number, cells in read_rows(path, fmt):
        if number == 1:
            return _Header(registry_type, cells, result)
        break
    result.add(RowError(1, "", _("Tệp trống: không có dòng tiêu đề.")))
    return _Header(registry_type, [], result)


def _built(
    header: _Header, ctx: ImportContext, number: int, cells: list[str]
) -> tuple[dict[str, Any], dict[str, Any] | None, list[RowError]]:
    values, errors = header.parse(number, cells)
    if errors:
        return values, None, errors
    try:
        return values, ctx.registry_type.build(values, ctx), []
    except ValidationError as exc:
        return values, None, header.build_errors(number, exc)


class Spool:
    """The rows the check accepted, pickled in batches to a temporary file (not memory)."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile(prefix="lienthong-import-")  # noqa: SIM115
        self.batch: list[tuple[int, dict[str, Any]]] = []

    def add(self, number: int, row: dict[str, Any]) -> None:
        self.batch.append((number, row))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.batch = []

    def batches(self) -> Iterator[list[tuple[int, dict[str, Any]]]]:
        self.flush()
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                return

    def close(self) -> None:
        self.file.close()


def check_file(
    ctx: ImportContext, path: Path, fmt: str, *, spool: Spool | None = None
) -> CheckResult:
    """Pass 1: every row parsed and validated, keys checked against the table and the file.

    With `spool`, the column values of every row that passed are written to it for pass 2.
    The registry's `check_rows` then looks across the rows that passed (it gets a spool of
    its own when none is given).
    """
    check_rows = ctx.registry_type.check_rows
    if check_rows is None:
        return _check_each_row(ctx, path, fmt, spool)
    checked = Spool() if spool is None else spool
    try:
        result = _check_each_row(ctx, path, fmt, checked)
        if 1 not in result.error_rows:
            check_rows(ctx, checked, result)
            result.errors.sort(key=lambda e: e.row)
        return result
    finally:
        if spool is None:
            checked.close()


def _check_each_row(ctx: ImportContext, path: Path, fmt: str, spool: Spool | None) -> CheckResult:
    registry_type = ctx.registry_type
    result = CheckResult()
    header = _header(registry_type, path, fmt, result)
    if result.error_count:
        return result
    key_column = registry_type.unique_column
    key_label = str(registry_type.column(key_column).label) if key_column else ""
    buckets = [array("q") for _i in range(256)]
    pending: list[tuple[int, str]] = []

    def flush_pending() -> None:
        if not pending or registry_type.existing_keys is None:
            pending.clear()
            return
        existing = registry_type.existing_keys([key for _n, key in pending])
        for number, key in pending:
            if key in existing:
                result.add(
                    RowError(
                        number,
                        key_label,
                        _("“%(key)s” đã có trong cơ sở dữ liệu.") % {"key": key},
                    )
                )
        pending.clear()

    try:
        for number, cells in _data_rows(path, fmt):
            result.total_rows += 1
            values, row, errors = _built(header, ctx, number, cells)
            for error in errors:
                result.add(error)
            key = values.get(key_column) if key_column else None
            if key:
                digest = hash(key)
                buckets[digest & 0xFF].append(digest)
            if row is not None:
                if key:
                    pending.append((number, key))
                    if len(pending) >= BATCH:
                        flush_pending()
                if spool is not None:
                    spool.add(number, row)
        flush_pending()
    except UnicodeDecodeError:
        result.add(RowError(result.total_rows + 2, "", _("Tệp CSV phải lưu theo bảng mã UTF-8.")))
        return result
    duplicates = _duplicate_hashes(buckets)
    del buckets
    if duplicates:
        _report_duplicates(header, path, fmt, key_column, key_label, duplicates, result)
    return result


def _duplicate_hashes(buckets: list[array[int]]) -> set[int]:
    """Hashes seen more than once (one bucket sorted at a time: memory stays small)."""
    found: set[int] = set()
    for bucket in buckets:
        ordered = sorted(bucket)
        found.update(a for a, b in pairwise(ordered) if a == b)
    return found


def _report_duplicates(
    header: _Header,
    path: Path,
    fmt: str,
    key_column: str,
    key_label: str,
    duplicates: set[int],
    result: CheckResult,
) -> None:
    """Third read, only for candidate keys: the second and later rows of a key are errors."""
    column_index = next(i for i, c in enumerate(header.columns) if c.key == key_column)
    cell_index = next(cell for cell, col in header.positions if col == column_index)
    parse = header.columns[column_index].parse
    first_row: dict[str, int] = {}
    found: list[RowError] = []
    for number, cells in _data_rows(path, fmt):
        text = cells[cell_index].strip() if cell_index < len(cells) else ""
        try:
            key = parse(text) if text else ""
        except ValidationError:
            continue
        if not key or hash(key) not in duplicates:
            continue
        if key in first_row:
            found.append(
                RowError(
                    number,
                    key_label,
                    _("“%(key)s” trùng với dòng %(row)d của tệp.")
                    % {"key": key, "row": first_row[key]},
                )
            )
        else:
            first_row[key] = number
    for error in found:
        result.add(error)
    result.errors.sort(key=lambda e: e.row)


# --- Writing --------------------------------------------------------------------------------


@service
def _write(
    ctx: ImportContext,
    spool: Spool,
    skip: set[int],
    *,
    by: Any,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Pass 2: insert the spooled rows not in `skip`, in batches, in one transaction."""
    registry_type = ctx.registry_type
    model = registry_type.model
    job = ctx.job
    assert job is not None
    now = timezone.now()
    inserted = 0
    batches = ([row for number, row in rows if number not in skip] for rows in spool.batches())
    if registry_type.write_rows is not None:
        inserted = registry_type.write_rows(ctx, batches)
    else:
        bulk.prepare_connection()
        with bulk.deferred_word_index(model, *registry_type.also_inserts):
            for batch in batches:
                for row in batch:
                    row["owner_id"] = ctx.owner.pk
                    row["import_job_id"] = job.pk
                    row["created_at"] = row["updated_at"] = now
                    row["search_text"] = model.search_text_of(row)
                if registry_type.before_insert is not None:
                    registry_type.before_insert(batch, ctx)
                bulk.insert_rows(model, batch)
                inserted += len(batch)
                if progress is not None:
                    progress(inserted)
    if registry_type.after_import is not None:
        registry_type.after_import(ctx)
    job.status = ImportJob.Status.IMPORTED
    job.imported_rows = inserted
    job.finished_at = timezone.now()
    job.save()
    record(
        f"registry.{registry_type.key}.import",
        job,
        after={
            "file": job.original_name,
            "sha256": job.sha256,
            "rows": inserted,
            "valid_only": job.valid_only,
            "owner": ctx.owner.pk,
        },
    )
    publish(
        f"registry.{registry_type.key}.imported",
        subject=str(job.pk),
        data={
            "registry": registry_type.key,
            "job": job.pk,
            "rows": inserted,
            "owner": ctx.owner.pk,
        },
    )
    return inserted


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def new_job(
    registry_type: RegistryType,
    path: Path,
    *,
    original_name: str,
    owner: OrgUnit,
    by: Any,
    keep_file: bool = False,
) -> ImportJob:
    """An ImportJob for a file (a copy kept in media storage when `keep_file`)."""
    if not can_edit_for(by, owner):
        raise PermissionDenied(_("Bạn không có quyền nhập dữ liệu cho cơ quan này."))
    fmt = file_format(original_name)
    job = ImportJob(
        registry=registry_type.key,
        original_name=original_name[:255],
        file_format=fmt,
        sha256=sha256_of(path),
        owner=owner,
        uploaded_by=by if getattr(by, "pk", None) else None,
        status=ImportJob.Status.CHECKED,
    )
    if keep_file:
        with path.open("rb") as handle:
            job.file.save(Path(original_name).name, File(handle), save=False)
    job.save()
    return job


def job_path(job: ImportJob, fallback: Path | None = None) -> Path:
    """Where the job's file is on disk."""
    if job.file:
        return Path(job.file.path)
    if fallback is None:
        raise ValidationError(_("Tệp của lần nhập này không còn lưu."))
    return fallback


def check_job(
    job: ImportJob,
    path: Path,
    *,
    by: Any,
    spool: Spool | None = None,
    registry_type: RegistryType | None = None,
) -> CheckResult:
    """Run the check pass for a job and store its report on it.

    `registry_type` serves a registry that is not registered (legal documents, which have
    pages of their own); the default is the registered type of the job's registry.
    """
    from lienthong.registries.base.registry import get

    registry_type = registry_type or get(job.registry)
    ctx = ImportContext(registry_type, job.owner, by, job)
    result = check_file(ctx, path, job.file_format, spool=spool)
    job.total_rows = result.total_rows
    job.valid_rows = result.valid_rows
    job.error_count = result.error_count
    job.errors = [e.as_dict() for e in result.errors]
    job.save(update_fields=["total_rows", "valid_rows", "error_count", "errors"])
    return result


def run_job(
    job: ImportJob,
    path: Path,
    *,
    by: Any,
    valid_only: bool = False,
    progress: Callable[[int], None] | None = None,
    registry_type: RegistryType | None = None,
) -> ImportJob:
    """Check the file again (the table may have changed) and, if allowed, import it.

    A file with errors imports nothing (status REJECTED) unless `valid_only`; then its valid
    rows are imported and the report still lists the rows left out.
    """
    from lienthong.registries.base.registry import get

    if not can_edit_for(by, job.owner):
        raise PermissionDenied(_("Bạn không có quyền nhập dữ liệu cho cơ quan này."))
    if job.status == ImportJob.Status.IMPORTED:
        raise ValidationError(_("Tệp này đã được nhập (lần nhập #%(id)d).") % {"id": job.pk})
    registry_type = registry_type or get(job.registry)
    spool = Spool()
    try:
        result = check_job(job, path, by=by, spool=spool, registry_type=registry_type)
        job.valid_only = valid_only
        header_broken = 1 in result.error_rows
        if result.error_count and (not valid_only or header_broken):
            job.status = ImportJob.Status.REJECTED
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "finished_at", "valid_only"])
            return job
        ctx = ImportContext(registry_type, job.owner, by, job)
        try:
            _write(ctx, spool, result.error_rows, by=by, progress=progress)
        except (ValidationError, DatabaseError) as exc:
            message = " ".join(getattr(exc, "messages", [str(exc)]))
            job.refresh_from_db()
            job.status = ImportJob.Status.FAILED
            job.finished_at = timezone.now()
            job.errors = [*job.errors, RowError(0, "", message).as_dict()]
            job.save(update_fields=["status", "finished_at", "errors"])
        return job
    finally:
        spool.close()


def import_file(
    registry_type: RegistryType,
    path: Path,
    *,
    owner: OrgUnit,
    by: Any,
    valid_only: bool = False,
    original_name: str | None = None,
    keep_file: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportJob:
    """Check and import one file in one call (the command line and the API)."""
    job = new_job(
        registry_type,
        path,
        original_name=original_name or path.name,
        owner=owner,
        by=by,
        keep_file=keep_file,
    )
    return run_job(
        job,
        job_path(job, path),
        by=by,
        valid_only=valid_only,
        progress=progress,
        registry_type=registry_type,
    )


def error_report_csv(job: ImportJob) -> str:
    """The job's error report as CSV text (row, column, message)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Dòng"), _("Cột"), _("Lỗi")])
    for error in job.errors:
        writer.writerow([error["row"], error["column"], error["message"]])
    return out.getvalue()
