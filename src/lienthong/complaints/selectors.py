"""Reads of the complaints app: the public lookup, the statistics and their XLSX export.

Statistics count the cases *received* in the period (Vietnam days, both ends included) among
the cases the user may see, grouped by kind, field, agency or outcome: received, accepted,
concluded (on time / late), not accepted or forwarded, still open, and the outcomes
(đúng / sai / đúng một phần / đã trả lời). No identity ever enters them.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from lienthong.complaints.models import (
    OPEN_STATUSES,
    Complaint,
    Field,
    Kind,
    Outcome,
    Status,
)
from lienthong.core import calendar

GROUPS = {
    "kind": lambda: _("Loại đơn"),
    "field": lambda: _("Lĩnh vực"),
    "agency": lambda: _("Cơ quan"),
    "outcome": lambda: _("Kết quả"),
}
COLUMNS = (
    "received",
    "accepted",
    "concluded",
    "on_time",
    "late",
    "closed_early",
    "open",
    "right",
    "wrong",
    "partly",
    "answered",
)


def column_labels() -> dict[str, str]:
    """Column headings, in Vietnamese."""
    return {
        "received": _("Tiếp nhận"),
        "accepted": _("Thụ lý"),
        "concluded": _("Đã giải quyết"),
        "on_time": _("Đúng hạn"),
        "late": _("Quá hạn"),
        "closed_early": _("Không thụ lý, chuyển đơn"),
        "open": _("Đang giải quyết"),
        "right": str(Outcome.RIGHT.label),
        "wrong": str(Outcome.WRONG.label),
        "partly": str(Outcome.PARTLY.label),
        "answered": str(Outcome.ANSWERED.label),
    }


@dataclass
class Row:
    """One line of the statistics."""

    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    @property
    def values(self) -> list[int]:
        """The counts in column order."""
        return [self.counts[column] for column in COLUMNS]


@dataclass
class Report:
    """The statistics of a period, grouped one way."""

    start: datetime.date
    end: datetime.date
    by: str
    rows: list[Row]
    total: Row

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start,
            "to": self.end,
            "by": self.by,
            "rows": [{"label": row.label, **row.counts} for row in self.rows],
            "total": self.total.counts,
        }


#: What each grouping groups by, as a column of the case.
_GROUP_COLUMNS = {"kind": "kind", "field": "field", "agency": "agency__name", "outcome": "outcome"}


def _label(by: str, value: str | None) -> str:
    if by == "kind":
        return str(Kind(value or "").label)
    if by == "field":
        return str(Field(value or "").label)
    if by == "agency":
        return value or ""
    return str(Outcome(value).label) if value else _("Chưa có kết quả")


def _counts() -> dict[str, Count]:
    """One conditional count per column (outcomes count concluded cases only)."""
    concluded = Q(status=Status.CONCLUDED)
    counts = {
        "received": Count("pk"),
        "accepted": Count("pk", filter=Q(accepted_at__isnull=False)),
        "concluded": Count("pk", filter=concluded),
        # Late = concluded on a Vietnam day after the due date.
        "on_time": Count("pk", filter=concluded & Q(concluded_day__lte=F("due_date"))),
        "late": Count("pk", filter=concluded & Q(concluded_day__gt=F("due_date"))),
        "closed_early": Count("pk", filter=Q(status__in=(Status.REFUSED, Status.FORWARDED))),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
    }
    for outcome in Outcome:
        counts[str(outcome.value)] = Count("pk", filter=concluded & Q(outcome=outcome.value))
    return counts


def report(
    cases: QuerySet[Complaint], *, start: datetime.date, end: datetime.date, by: str
) -> Report:
    """The statistics of the visible `cases` received from `start` to `end`, counted by the
    database (one grouped query; no case is read into Python)."""
    if by not in GROUPS:
        raise ValueError(by)
    column = _GROUP_COLUMNS[by]
    grouped = (
        cases.received_between(start, end)  # type: ignore[attr-defined]
        .annotate(concluded_day=TruncDate("concluded_at", tzinfo=calendar.VN_TZ))
        .order_by()
        .values(column)
        .annotate(**_counts())
    )
    rows: dict[str, Row] = {}
    total = Row(_("Tổng cộng"))
    for values in grouped:
        label = _label(by, values[column])
        # Cases without an outcome ("" and NULL) and agencies of the same name share a row.
        row = rows.setdefault(label, Row(label))
        for name in COLUMNS:
            row.counts[name] += values[name]
            total.counts[name] += values[name]
    return Report(start, end, by, sorted(rows.values(), key=lambda r: r.label), total)


def render_xlsx(data: Report, *, scope: str = "") -> bytes:
    """The statistics as a spreadsheet: title, period, header row, one row per group, total."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Khieu nai to cao"
    labels = column_labels()
    sheet.append([_("BÁO CÁO KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT ĐƠN KHIẾU NẠI, TỐ CÁO, KIẾN NGHỊ")])
    sheet.append(
        [
            _("Từ ngày %(start)s đến ngày %(end)s")
            % {"start": f"{data.start:%d/%m/%Y}", "end": f"{data.end:%d/%m/%Y}"}
        ]
    )
    sheet.append([_("Phạm vi: %(scope)s") % {"scope": scope or _("các cơ quan được xem")}])
    sheet.append([])
    header = [GROUPS[data.by](), *(labels[c] for c in COLUMNS)]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in data.rows:
        sheet.append([row.label, *(row.counts[c] for c in COLUMNS)])
    sheet.append([data.total.label, *(data.total.counts[c] for c in COLUMNS)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def public_lookup(code: str) -> dict[str, Any] | None:
    """What anyone with the code may see: kind, agency, status, dates, the public notes and
    the outcome — never the filer, the content or the internal notes."""
    complaint = Complaint.objects.select_related("agency").filter(code=code.strip().upper()).first()
    if complaint is None:
        return None
    return {
        "code": complaint.code,
        "kind": complaint.get_kind_display(),
        "agency": complaint.agency.name,
        "status": complaint.status,
        "status_label": complaint.get_status_display(),
        "received_at": complaint.received_at,
        "accept_due_date": complaint.accept_due_date,
        "due_date": complaint.due_date,
        "outcome": complaint.get_outcome_display() if complaint.outcome else "",
        "conclusion": complaint.conclusion if complaint.status == Status.CONCLUDED else "",
        "conclusion_number": complaint.conclusion_number,
        "history": [
            {"at": row.at, "status": row.get_status_display(), "note": row.public_note}
            for row in complaint.history.order_by("at", "pk")
        ],
    }
