"""Inbox pages: the list of an official's open tasks, one task, one case with its history and
moves, delegations, and the process templates."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.accounts.models import User
from lienthong.core.permissions import get_visible_or_404, official_required
from lienthong.workflow import engine, modules
from lienthong.workflow.forms import (
    DelegationForm,
    MoveForm,
    ResumeForm,
    ReturnForm,
    principals_for,
)
from lienthong.workflow.models import Case, Delegation, ProcessStep, ProcessTemplate, Task
from lienthong.workflow.selectors import SHOW_ALL, history_of, inbox_for
from lienthong.workflow.services import (
    ACTIONS,
    act_on_case,
    can_complete,
    can_delegate_for,
    complete_task,
    create_delegation,
    revoke_delegation,
)


@official_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The official's inbox; an HTMX request for another filter gets the list alone."""
    user = cast(User, request.user)
    data = inbox_for(
        user, show=request.GET.get("show", SHOW_ALL), module=request.GET.get("module", "")
    )
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
    task = get_visible_or_404(
        Task.objects.select_related("org_unit", "assignee", "case"), user, pk=pk
    )
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


# --- Cases ------------------------------------------------------------------------------------


def _case_forms(case: Case, open_task: Task | None, data: Any = None) -> dict[str, Any]:
    """The move forms for this case's state."""
    initial = {"task": open_task.pk if open_task else None}
    earlier = ProcessStep.objects.filter(template_id=case.template_id)
    if case.current_step is not None:
        earlier = earlier.filter(order__lt=case.current_step.order)
    return {
        "forward": MoveForm(data, initial=initial, prefix="forward"),
        "return": ReturnForm(data, initial=initial, prefix="return", steps=earlier),
        "pause": MoveForm(data, initial=initial, prefix="pause"),
        "resume": ResumeForm(data, initial=initial, prefix="resume"),
        "stop": MoveForm(data, initial=initial, prefix="stop"),
    }


def _render_case(
    request: HttpRequest, case: Case, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = cast(User, request.user)
    open_task = (
        case.tasks.filter(status=Task.Status.OPEN).select_related("org_unit", "assignee").first()
    )
    actor = None
    if open_task is not None:
        try:
            actor = engine.actor_for(open_task, user)
        except PermissionDenied:
            actor = None
    can_move = actor is not None and modules.generic(case.module)
    context = {
        "case": case,
        "open_task": open_task,
        "history": history_of(case),
        "risk": engine.risk_of(case),
        "module_label": modules.label(case.module),
        "generic": modules.generic(case.module),
        "actor": actor,
        "can_move": can_move,
        "forms": forms or _case_forms(case, open_task),
        "has_earlier": case.current_step is not None and case.current_step.order > 1,
    }
    return render(request, "workflow/case_detail.html", context, status=status)


def _visible_case(user: User, pk: int) -> Case:
    return get_visible_or_404(
        Case.objects.select_related("agency", "template", "current_step__org_unit"), user, pk=pk
    )


@official_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case: its clock, its open step, its history (who, for whom, when, note) and — for a
    module without its own pages, to the official holding the step — the moves."""
    return _render_case(request, _visible_case(cast(User, request.user), pk))


@require_POST
@official_required
def case_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Make one move of a case from its page."""
    if action not in ACTIONS:
        raise Http404
    user = cast(User, request.user)
    case = _visible_case(user, pk)
    open_task = case.tasks.filter(status=Task.Status.OPEN).first()
    forms = _case_forms(case, open_task, request.POST)
    form = forms[action]
    if not form.is_valid():
        return _render_case(request, case, forms, status=422)
    data = form.cleaned_data
    try:
        act_on_case(
            case=case,
            action=action,
            by=user,
            note=data.get("note", ""),
            step=data.get("step"),
            due_at=data.get("due_at"),
            task=data.get("task"),
        )
    except engine.WrongState as exc:
        messages.error(request, str(exc))
        return redirect(case)
    except ValidationError as exc:
        for field, errors in (
            exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        ):
            form.add_error(field if field in form.fields else None, errors)
        return _render_case(request, case, forms, status=422)
    messages.success(request, _("Đã cập nhật hồ sơ: %(title)s") % {"title": case.title})
    return redirect("workflow:inbox" if action in ("forward", "return", "stop") else case)


# --- Delegations ------------------------------------------------------------------------------


@official_required
def delegations(request: HttpRequest) -> HttpResponse:
    """Delegations I gave and received, and those of the officials I lead."""
    user = cast(User, request.user)
    managed = principals_for(user).exclude(pk=user.pk).values("pk")
    rows = (
        Delegation.objects.filter(Q(principal=user) | Q(substitute=user) | Q(principal__in=managed))
        .select_related("principal", "substitute")
        .order_by("-starts_on", "-pk")
    )
    today = timezone.localdate()
    listed = [
        {
            "delegation": d,
            "in_force": d.is_in_force(today),
            "ended": d.ends_on < today,
            "can_revoke": d.revoked_at is None
            and d.ends_on >= today
            and can_delegate_for(user, d.principal),
        }
        for d in rows
    ]
    return render(request, "workflow/delegations.html", {"rows": listed})


@official_required
def delegation_add(request: HttpRequest) -> HttpResponse:
    """The form naming a substitute for a period."""
    user = cast(User, request.user)
    form = DelegationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            create_delegation(
                principal=data["principal"],
                substitute=data["substitute"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                by=user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Đã ủy quyền cho %(name)s xử lý thay.") % {"name": data["substitute"]},
            )
            return redirect("workflow:delegations")
    status = 422 if request.method == "POST" else 200
    return render(request, "workflow/delegation_form.html", {"form": form}, status=status)


@require_POST
@official_required
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a delegation; one the official cannot see is a 404."""
    user = cast(User, request.user)
    delegation = Delegation.objects.filter(pk=pk).select_related("principal").first()
    if delegation is None or not (
        user.pk in (delegation.principal_id, delegation.substitute_id)
        or can_delegate_for(user, delegation.principal)
    ):
        raise Http404
    try:
        revoke_delegation(delegation=delegation, by=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã thu hồi ủy quyền."))
    return redirect("workflow:delegations")


# --- Process templates ------------------------------------------------------------------------


@official_required
def templates(request: HttpRequest) -> HttpResponse:
    """The internal processes (quy trình nội bộ) and their steps, read-only."""
    rows = ProcessTemplate.objects.prefetch_related(
        Prefetch("steps", queryset=ProcessStep.objects.select_related("org_unit").order_by("order"))
    ).order_by("module", "code")
    grouped: dict[str, list[ProcessTemplate]] = {}
    for template in rows:
        grouped.setdefault(template.module, []).append(template)
    context = {
        "groups": [(code, modules.label(code), items) for code, items in grouped.items()],
    }
    return render(request, "workflow/templates.html", context)
