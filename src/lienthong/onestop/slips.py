"""Intake slips as PDF (WeasyPrint): the receipt and appointment slip — giấy tiếp nhận hồ sơ
và hẹn trả kết quả — and the refusal slip — phiếu từ chối tiếp nhận (Circular 01/2018/TT-VPCP,
forms 01 and 03).

The receipt carries what DOMAIN.md lists: dossier code and a QR code of the public lookup URL;
the applicant's name, ID, address, phone and email; the procedure; the components received with
their originals and copies; the statutory time; the moment of receipt; the appointed return
date.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.pdf import render_pdf
from lienthong.onestop.intake import lookup_url
from lienthong.onestop.models import Dossier, DossierStatus, Procedure, TimeUnit


def number_text(value: Decimal) -> str:
    """A number as Vietnamese writes it: no trailing zeros, a decimal comma (0,5)."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def time_limit_text(procedure: Procedure) -> str:
    """The statutory time as printed: "5 ngày làm việc", "15 ngày", "8 giờ làm việc"."""
    if procedure.time_limit_value is None or not procedure.time_limit_unit:
        return procedure.time_limit_text or _("Chưa quy định")
    unit = {
        TimeUnit.WORKING_DAYS: _("ngày làm việc"),
        TimeUnit.DAYS: _("ngày"),
        TimeUnit.HOURS: _("giờ làm việc"),
    }.get(TimeUnit(procedure.time_limit_unit), procedure.time_limit_unit)
    return f"{number_text(Decimal(procedure.time_limit_value))} {unit}"


def moment_text(moment: datetime.datetime | None) -> str:
    """ "09 giờ 32 phút, ngày 27/10/2023" in Vietnam time."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return _("%(hour)s giờ %(minute)s phút, ngày %(day)s") % {
        "hour": f"{local.hour:02d}",
        "minute": f"{local.minute:02d}",
        "day": local.strftime("%d/%m/%Y"),
    }


#: Pixels per QR module and quiet-zone modules of the slip's QR code.
QR_SCALE, QR_BORDER = 4, 2


def qr_png_data_uri(data: str) -> str:
    """The lookup URL as a PNG QR code (data: URI).

    A raster image rather than `core.pdf.qr_data_uri`'s SVG: WeasyPrint embeds it as one image
    in the PDF, which a reader (and the tests) can take out and decode, where the SVG becomes
    hundreds of loose vector squares.
    """
    return segno.make(data, error="m").png_data_uri(scale=QR_SCALE, border=QR_BORDER)


def _context(dossier: Dossier) -> dict[str, Any]:
    url = lookup_url(dossier.code)
    agency = dossier.agency
    return {
        "dossier": dossier,
        "agency": agency,
        "parent": agency.parent if agency.parent_id else None,
        "procedure": dossier.procedure,
        "components": list(dossier.components.order_by("component__order", "pk")),
        "time_limit": time_limit_text(dossier.procedure),
        "received_text": moment_text(dossier.received_at),
        "due_text": moment_text(dossier.due_at),
        "due_date": dossier.due_date,
        "lookup_url": url,
        "qr": qr_png_data_uri(url),
        "officer": dossier.received_by,
        "province": settings.LIENTHONG.get("PROVINCE_NAME", ""),
        # The slip is dated the day of receipt (a reprint keeps the original date).
        "today": timezone.localdate(dossier.received_at or dossier.submitted_at),
        "reasons": [line for line in dossier.refusal_reason.splitlines() if line.strip()],
    }


def receipt_pdf(dossier: Dossier) -> bytes:
    """The receipt and appointment slip of a received dossier."""
    if dossier.received_at is None:
        raise ValidationError(_("Hồ sơ %(code)s chưa được tiếp nhận.") % {"code": dossier.code})
    return render_pdf("onestop/intake_receipt_pdf.html", _context(dossier))


def refusal_pdf(dossier: Dossier) -> bytes:
    """The refusal slip of a refused dossier, with its reasons."""
    if dossier.status != DossierStatus.REFUSED:
        raise ValidationError(
            _("Hồ sơ %(code)s không ở trạng thái từ chối tiếp nhận.") % {"code": dossier.code}
        )
    refusal = dossier.history.filter(status=DossierStatus.REFUSED).select_related("by").last()
    context = {**_context(dossier), "refused_by": refusal.by if refusal else None}
    if refusal is not None:
        context["today"] = timezone.localdate(refusal.at)
    return render_pdf("onestop/intake_refusal_pdf.html", context)
