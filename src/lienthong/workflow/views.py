"""Inbox pages: the list of an official's open tasks, one task, completing it."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.accounts.models import User
from lienthong.core.permissions import get_visible_or_404, official_required
from lienthong.workflow.models import Task
from lienthong.workflow.selectors import SHOW_ALL, inbox_for
from lienthong.workflow.services import can_complete, complete_task


@official_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The official's inbox; an HTMX request for another filter gets the list alone."""
    user = cast(User, request.user)
    data = inbox_for(user, show=request.GET.get("show", SHOW_ALL))
    # HTMX restoring a page missing from its history cache needs the whole page.
    partial = bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "workflow/_task_list.html" if partial else "workflow/inbox.html"
    response = render(request, template, {"inbox": data})
    patch_vary_headers(response, ["HX-Request"])
    return response


@official_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One task of the official's units, or one assigned to them."""
    user = cast(User, request.user)
    task = get_visible_or_404(Task.objects.select_related("org_unit", "assignee"), user, pk=pk)
    now = timezone.now()
    context = {
        "task": task,
        "overdue": task.is_overdue(now),
        "due_today": task.is_due_on(timezone.localdate(now)),
        "can_complete": task.status == Task.Status.OPEN and can_complete(task, user),
    }
    return render(request, "workflow/task_detail.html", context)


@require_POST
@official_required
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the task done; a task of another official gives 403, an unseen one 404."""
    user = cast(User, request.user)
    task = get_visible_or_404(Task.objects.all(), user, pk=pk)
    try:
        complete_task(task=task, by=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(task)
    messages.success(request, _("Đã hoàn thành: %(title)s") % {"title": task.title})
    return redirect("workflow:inbox")
