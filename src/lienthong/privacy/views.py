"""Pages under /du-lieu-ca-nhan/: the citizen's "my personal data" page (consents, requests,
export, who accessed their sensitive data) and the data-protection unit's request queue and
access log."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.accounts.models import User
from lienthong.core import calendar
from lienthong.privacy import exports, selectors, services
from lienthong.privacy.forms import AccessFilterForm, AnswerForm, RequestForm, style
from lienthong.privacy.models import (
    Consent,
    DataSubjectRequest,
    RequestStatus,
    is_data_protection_official,
)
from lienthong.workflow.engine import WrongState

PAGE_SIZE = 200


def _citizen(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_citizen:
        raise PermissionDenied(_("Trang này dành cho công dân, tổ chức."))
    return user


def _officer(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not is_data_protection_official(user):
        raise PermissionDenied(_("Trang này dành cho bộ phận bảo vệ dữ liệu cá nhân."))
    return user


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _mine_context(user: User, request_form: RequestForm | None = None) -> dict[str, Any]:
    return {
        "consents": Consent.objects.filter(subject=user).select_related("purpose"),
        "requests": DataSubjectRequest.objects.filter(subject=user),
        "accesses": services.accesses_about(user)[:PAGE_SIZE],
        "request_form": request_form or style(RequestForm()),
        "sources": exports.sources(),
    }


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """Dữ liệu cá nhân của tôi."""
    user = _citizen(request)
    return render(request, "privacy/mine.html", _mine_context(user))


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw one of the citizen's consents."""
    user = _citizen(request)
    consent = get_object_or_404(Consent, pk=pk, subject=user)
    try:
        services.withdraw_consent(consent=consent, by=user)
    except WrongState as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Đã rút lại sự đồng ý “%(purpose)s”. Việc xử lý dữ liệu trước đó vẫn hợp lệ; "
                "từ nay cơ quan ngừng xử lý dữ liệu cho mục đích này."
            )
            % {"purpose": consent.purpose.name},
        )
    return redirect("privacy:mine")


@login_required
def file_request(request: HttpRequest) -> HttpResponse:
    """File a data-subject request."""
    user = _citizen(request)
    if request.method != "POST":
        return redirect("privacy:mine")
    form = style(RequestForm(request.POST))
    if form.is_valid():
        try:
            filed = services.file_request(
                subject=user,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                by=user,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã gửi yêu cầu số %(id)s. Hạn xác nhận tiếp nhận: %(ack)s; "
                    "hạn giải quyết: %(due)s."
                )
                % {
                    "id": filed.pk,
                    "ack": f"{filed.ack_due_date:%d/%m/%Y}",
                    "due": f"{calendar.to_local(filed.response_due_at):%d/%m/%Y %H:%M}",
                },
            )
            return redirect("privacy:mine")
    context = _mine_context(user, cast(RequestForm, form))
    return render(request, "privacy/mine.html", context, status=422)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """Download the ZIP of the citizen's own data (audit-logged)."""
    user = _citizen(request)
    content = exports.export_own_data(user=user, by=user)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(user)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The data-protection unit's request queue (filter by status, or overdue)."""
    user = _officer(request)
    status = request.GET.get("status", "")
    if status not in RequestStatus.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.request_queue(user, status=status, overdue=overdue)[:PAGE_SIZE]
    context = {
        "rows": rows,
        "statuses": RequestStatus.choices,
        "status": status,
        "overdue": overdue,
    }
    return render(request, "privacy/queue.html", context)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: the data-protection unit handles it; the citizen sees their own."""
    user = cast(User, request.user)
    item = get_object_or_404(
        DataSubjectRequest.objects.visible_to(user).select_related("subject"), pk=pk
    )
    officer = is_data_protection_official(user)
    form = style(AnswerForm(request.POST or None)) if officer else None
    status = 200
    if request.method == "POST":
        if not officer:
            raise PermissionDenied(_("Trang này dành cho bộ phận bảo vệ dữ liệu cá nhân."))
        action = request.POST.get("action", "")
        try:
            if action == "acknowledge":
                services.acknowledge_request(request=item, by=user)
            elif action in ("respond", "refuse") and form is not None and form.is_valid():
                text = form.cleaned_data["text"]
                if action == "respond":
                    services.respond_request(request=item, response=text, by=user)
                else:
                    services.refuse_request(request=item, reason=text, by=user)
            elif action not in ("respond", "refuse"):
                messages.error(request, _("Thao tác không hợp lệ."))
                return redirect("privacy:request", pk=pk)
            else:
                status = 422
        except WrongState as exc:
            messages.error(request, str(exc))
            return redirect("privacy:request", pk=pk)
        except ValidationError as exc:
            assert form is not None
            _errors_to_form(form, exc)
            status = 422
        if status == 200:
            messages.success(request, _("Đã cập nhật yêu cầu."))
            return redirect("privacy:request", pk=pk)
    context = {"item": item, "officer": officer, "form": form}
    return render(request, "privacy/request_detail.html", context, status=status)


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The whole sensitive-data access log, with filters (data-protection unit)."""
    user = _officer(request)
    form = style(AccessFilterForm(request.GET or None))
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    rows = selectors.access_log(user, **filters)[:PAGE_SIZE]
    return render(request, "privacy/access_log.html", {"form": form, "rows": rows})
