"""Inbox API, mounted at /api/inbox/: my open tasks, one task, completing it."""

from __future__ import annotations

import datetime
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import django_auth

from lienthong.accounts.models import User
from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.workflow.models import Task
from lienthong.workflow.services import complete_task

router = Router(tags=["inbox"], auth=django_auth)


class OrgUnitRef(Schema):
    """An org unit as a reference."""

    id: int
    name: str


class TaskOut(Schema):
    """A task (công việc) as the inbox API returns it."""

    id: int
    title: str
    module: str
    url: str
    status: str
    role: str
    org_unit: OrgUnitRef | None
    assignee_id: int | None
    due_at: datetime.datetime | None
    created_at: datetime.datetime
    completed_at: datetime.datetime | None
    overdue: bool

    @staticmethod
    def resolve_url(task: Task) -> str:
        return task.handling_url

    @staticmethod
    def resolve_overdue(task: Task) -> bool:
        return task.is_overdue()


class ErrorOut(Schema):
    """An error with its Vietnamese explanation."""

    detail: str


class FieldErrorsOut(Schema):
    """Bad input: a summary and the messages per field."""

    detail: str
    errors: dict[str, list[str]]


def _official(request: HttpRequest) -> User:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được hộp việc."))
    return cast(User, request.user)


@router.get("/", response=list[TaskOut], summary="Công việc đang chờ tôi xử lý")
@paginate(LimitOffsetPagination)
def list_tasks(request: HttpRequest) -> list[Task]:
    """My open tasks and those of my units' pools for my roles, soonest due first."""
    user = _official(request)
    return cast(list[Task], Task.objects.inbox_of(user).select_related("org_unit"))


@router.get(
    "/{task_id}",
    response={200: TaskOut, 403: ErrorOut, 404: ErrorOut},
    summary="Một công việc",
)
def get_task(request: HttpRequest, task_id: int) -> Task:
    """A task of my units, or one assigned to me; 404 for any other."""
    user = _official(request)
    return get_visible_or_404(Task.objects.select_related("org_unit"), user, pk=task_id)


@router.post(
    "/{task_id}/complete",
    response={200: TaskOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut},
    summary="Đánh dấu công việc đã xong",
)
def complete(request: HttpRequest, task_id: int) -> Task | Status[dict[str, object]]:
    """Complete a task assigned to me or pooled for my role; 422 if it is already closed."""
    user = _official(request)
    task = get_visible_or_404(Task.objects.all(), user, pk=task_id)
    try:
        done = complete_task(task=task, by=user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": exc.message_dict})
    return done
