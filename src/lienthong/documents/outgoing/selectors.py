"""Reads of outgoing documents: lists for an official, the outgoing register (Appendix IV)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from lienthong.core.models import OrgUnit
from lienthong.documents.outgoing.models import (
    OutgoingDocument,
    OutgoingDocumentQuerySet,
    Recipient,
)


def visible(user: Any) -> OutgoingDocumentQuerySet:
    """Outgoing documents `user` sees (documents rule), with what the lists show."""
    queryset: OutgoingDocumentQuerySet = OutgoingDocument.objects.visible_to(user)
    return queryset.select_related("agency", "drafting_unit", "document_type")


def get_visible(user: Any, pk: int) -> OutgoingDocument:
    """One document `user` sees; 404 whether it does not exist or is not theirs."""
    document = (
        visible(user)
        .select_related("created_by", "reviewer", "signer", "file_copy_unit")
        .prefetch_related("files", "recipients", "history__by")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    return document


def search(
    user: Any,
    *,
    q: str = "",
    status: str = "",
    year: int | None = None,
    agency: OrgUnit | None = None,
) -> OutgoingDocumentQuerySet:
    """The list page's filter over the visible documents, newest first."""
    queryset = visible(user)
    if status:
        queryset = queryset.filter(status=status)
    if year:
        queryset = queryset.filter(Q(year=year) | Q(year__isnull=True, created_at__year=year))
    if agency is not None:
        queryset = queryset.filter(agency=agency)
    text = q.strip()
    if text:
        # A plain contains on the number and summary: the documents search page does the
        # folded full-text search over every document.
        queryset = queryset.filter(Q(number_notation__icontains=text) | Q(subject__icontains=text))
    return queryset.order_by("-created_at", "-id")


#: The ten columns of the outgoing register (Decree 30/2020, Appendix IV).
REGISTER_COLUMNS: Sequence[str] = (
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)


def register_columns() -> list[str]:
    """The column titles, translated."""
    return [_(title) for title in REGISTER_COLUMNS]


def register_documents(
    user: Any | None,
    *,
    agency: OrgUnit,
    year: int,
    series: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> OutgoingDocumentQuerySet:
    """The numbered documents of an agency's register for a year, in number order.

    `user` None is the operator at the command line (no visibility filter)."""
    base = (
        visible(user)
        if user is not None
        else OutgoingDocument.objects.select_related("agency", "drafting_unit", "document_type")
    )
    queryset = (
        base.in_register()
        .filter(agency=agency, year=year)
        .select_related("file_copy_unit")
        .prefetch_related(Prefetch("recipients", queryset=Recipient.objects.order_by("id")))
    )
    if series:
        queryset = queryset.filter(series=series)
    if date_from:
        queryset = queryset.filter(issued_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(issued_date__lte=date_to)
    return queryset.order_by("series", "number")


def register_row(document: OutgoingDocument) -> list[Any]:
    """One document as the ten cells of the register."""
    recipients = [row.name for row in document.recipients.all()]
    notes = []
    if document.secrecy:
        notes.append(document.get_secrecy_display())
    if document.urgency:
        notes.append(document.get_urgency_display())
    if document.notes:
        notes.append(document.notes)
    return [
        document.number_notation,
        document.issued_date,
        f"{document.document_type.name}: {document.subject}",
        document.signer_name,
        "; ".join(recipients) or document.recipients_text,
        document.file_copy_unit.name if document.file_copy_unit else "",
        document.copies,
        document.sent_at,
        "",
        ". ".join(notes),
    ]
