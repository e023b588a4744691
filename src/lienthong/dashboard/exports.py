"""The dashboard's figures shaped for the charts of the page (JSON for ECharts) and of the
PDF (server-side SVG), and the PDF itself."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from lienthong.core.pdf import render_pdf
from lienthong.dashboard import charts
from lienthong.dashboard.selectors import Summary


def labels() -> dict[str, str]:
    """Series names, shared by the page's charts, the PDF's and the tables."""
    return {
        "received": _("Tiếp nhận"),
        "early": _("Trước hạn"),
        "on_time": _("Đúng hạn"),
        "late": _("Quá hạn"),
        "pending_in_time": _("Đang giải quyết, trong hạn"),
        "pending_overdue": _("Đang giải quyết, quá hạn"),
        "on_time_share": _("Tỷ lệ đúng hạn (%)"),
        "overdue": _("Quá hạn"),
        "due_soon": _("Sắp đến hạn"),
        "at_risk": _("Có nguy cơ quá hạn"),
    }


def chart_data(summary: Summary) -> dict[str, Any]:
    """What `static/dashboard/dashboard.js` draws (read through `json_script`)."""
    names = labels()
    rows = summary.onestop_rows
    return {
        "names": names,
        "agencies": {
            "labels": [row.label for row in rows],
            "received": [row.received_total for row in rows],
            "early": [row.settled_early for row in rows],
            "on_time": [row.settled_on_time for row in rows],
            "late": [row.settled_late for row in rows],
            "pending_in_time": [row.pending_in_time for row in rows],
            "pending_overdue": [row.pending_overdue for row in rows],
        },
        "trend": {
            "labels": [point.month for point in summary.trend],
            "received": [point.received for point in summary.trend],
            "on_time_share": [point.on_time_share for point in summary.trend],
        },
        "documents": {
            "labels": [row.label for row in summary.documents],
            "overdue": [row.overdue for row in summary.documents],
            "due_soon": [row.due_soon for row in summary.documents],
        },
        "complaints": {
            "labels": [row.label for row in summary.complaints],
            "overdue": [row.overdue for row in summary.complaints],
            "at_risk": [row.due_soon for row in summary.complaints],
        },
    }


def pdf_charts(summary: Summary) -> dict[str, str]:
    """The same charts drawn as SVG (data: URLs for <img>)."""
    data, names = chart_data(summary), labels()
    agencies, trend = data["agencies"], data["trend"]
    S = charts.Series
    return {
        "agencies": charts.data_uri(
            charts.bar_chart(
                _("Hồ sơ theo cơ quan"),
                agencies["labels"],
                [
                    S(names["received"], agencies["received"]),
                    S(names["early"], agencies["early"]),
                    S(names["on_time"], agencies["on_time"]),
                    S(names["late"], agencies["late"]),
                ],
            )
        ),
        "trend_received": charts.data_uri(
            charts.bar_chart(
                _("Hồ sơ tiếp nhận 12 tháng"),
                trend["labels"],
                [S(names["received"], trend["received"])],
            )
        ),
        "trend_share": charts.data_uri(
            charts.line_chart(
                _("Tỷ lệ giải quyết đúng hạn 12 tháng (%)"),
                trend["labels"],
                [S(names["on_time_share"], trend["on_time_share"])],
                top=100,
            )
        ),
        "documents": charts.data_uri(
            charts.bar_chart(
                _("Văn bản đến quá hạn, sắp đến hạn"),
                data["documents"]["labels"],
                [
                    S(names["overdue"], data["documents"]["overdue"]),
                    S(names["due_soon"], data["documents"]["due_soon"]),
                ],
            )
        ),
        "complaints": charts.data_uri(
            charts.bar_chart(
                _("Khiếu nại, tố cáo quá hạn, có nguy cơ"),
                data["complaints"]["labels"],
                [
                    S(names["overdue"], data["complaints"]["overdue"]),
                    S(names["at_risk"], data["complaints"]["at_risk"]),
                ],
            )
        ),
    }


def render_dashboard_pdf(summary: Summary) -> bytes:
    """The dashboard as a PDF: the figures as tables and the charts as SVG images."""
    context = {"s": summary, "names": labels(), "charts": pdf_charts(summary)}
    return render_pdf("dashboard/dashboard_pdf.html", context)


def pdf_filename(summary: Summary) -> str:
    scope = summary.scope
    return f"bang-dieu-hanh_{scope.period_from:%Y%m%d}_{scope.period_to:%Y%m%d}.pdf"
