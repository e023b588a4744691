"""The message-log pages for officials: the list with filters, one entry, its bodies."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.permissions import official_required
from lienthong.exchange.clients.forms import LogFilterForm
from lienthong.exchange.clients.models import ClientSystem
from lienthong.exchange.messagelog import access
from lienthong.exchange.messagelog.models import LogCheckpoint
from lienthong.exchange.messagelog.services import read_body

PAGE_SIZE = 50


def _reader(request: HttpRequest) -> Any:
    if not access.can_read_log(request.user):
        raise PermissionDenied(
            _("Chỉ quản trị CNTT và lãnh đạo cơ quan được xem nhật ký trao đổi.")
        )
    return request.user


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@official_required
def log_list_view(request: HttpRequest) -> HttpResponse:
    """Entries newest first, filtered by chain, system, service, outcome and dates."""
    user = _reader(request)
    form = LogFilterForm(request.GET or None)
    qs = access.entries_visible_to(user).order_by("-created_at", "-pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["chain"]:
            qs = qs.filter(chain=data["chain"])
        if data["client"]:
            ids = ClientSystem.objects.filter(code=data["client"]).values("pk")
            qs = qs.filter(client_id__in=ids)
        if data["service"]:
            qs = qs.filter(service__startswith=data["service"])
        if data["outcome"]:
            qs = qs.filter(outcome=data["outcome"])
        if data["since"]:
            qs = qs.filter(created_at__gte=_day_start(data["since"]))
        if data["until"]:
            qs = qs.filter(created_at__lt=_day_start(data["until"] + datetime.timedelta(days=1)))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request,
        "exchange_log/list.html",
        {"form": form, "page": page, "query_string": query},
    )


@official_required
def log_entry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry: who, what, when, outcome, digests, and links to the bodies."""
    user = _reader(request)
    entry = get_object_or_404(access.entries_visible_to(user), pk=pk)
    checkpoint = LogCheckpoint.objects.filter(chain=entry.chain).first()
    return render(
        request,
        "exchange_log/entry.html",
        {
            "entry": entry,
            "can_read_bodies": access.can_read_bodies(user, entry),
            "checkpoint": checkpoint,
            "client": ClientSystem.objects.filter(pk=entry.client_id).first()
            if entry.client_id
            else None,
        },
    )


@official_required
def log_body_view(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """Download a stored body (audited), to officials allowed to read it."""
    user = _reader(request)
    entry = get_object_or_404(access.entries_visible_to(user), pk=pk)
    if which not in ("request", "response"):
        raise Http404
    if not access.can_read_bodies(user, entry):
        raise PermissionDenied(_("Bạn không có quyền tải nội dung trao đổi."))
    data = read_body(entry, which, by=user)
    if data is None:
        raise Http404(_("Nội dung không còn được lưu."))
    response = HttpResponse(data, content_type="application/octet-stream")
    name = f"{entry.chain}-{entry.seq}-{which}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-SHA256"] = (
        entry.request_digest if which == "request" else entry.response_digest
    )
    return response
