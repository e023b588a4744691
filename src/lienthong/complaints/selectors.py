"""Reads of the complaints app: the public lookup, the statistics and their XLSX export.

Statistics count the cases *received* in the period (Vietnam days, both ends included) among
the cases the user may see, grouped by kind, field, agency or outcome: received, accepted,
concluded (on time / late), not accepted or forwarded, still open, and the outcomes
(đúng / sai / đúng một phần / đã trả lời). No identity ever enters them.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
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


def _key(complaint: Complaint, by: str) -> str:
    if by == "kind":
        return str(Kind(complaint.kind).label)
    if by == "field":
        return str(Field(complaint.field).label)
    if by == "agency":
        return complaint.agency.name
    return str(Outcome(complaint.outcome).label) if complaint.outcome else _("Chưa có kết quả")


def report(
    cases: QuerySet[Complaint], *, start: datetime.date, end: datetime.date, by: str
) -> Report:
    """The statistics of the visible `cases` received from `start` to `end`."""
    if by not in GROUPS:
        raise ValueError(by)
    rows: dict[str, Row] = defaultdict(lambda: Row(""))
    total = Row(_("Tổng cộng"))
    fields = ("kind", "field", "status", "outcome", "concluded_at", "due_date", "accepted_at")
    chosen = (
        cases.received_between(start, end)  # type: ignore[attr-defined]
        .select_related("agency")
        .only(*fields, "agency__name")
    )
    for complaint in chosen:
        key = _key(complaint, by)
        row = rows[key]
        row.label = key
        for target in (row, total):
            counts = target.counts
            counts["received"] += 1
            if complaint.accepted_at is not None:
                counts["accepted"] += 1
            if complaint.status == Status.CONCLUDED:
                counts["concluded"] += 1
                assert complaint.concluded_at is not None and complaint.due_date is not None
                late = calendar.local_date(complaint.concluded_at) > complaint.due_date
                counts["late" if late else "on_time"] += 1
                counts[complaint.outcome] += 1
            elif complaint.status in (Status.REFUSED, Status.FORWARDED):
                counts["closed_early"] += 1
            elif complaint.status in OPEN_STATUSES:
                counts["open"] += 1
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
