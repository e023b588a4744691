"""Test helpers of the workflow app."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lienthong.workflow.models import Task


def make_task(
    title: str = "Thẩm định hồ sơ",
    *,
    due_in: datetime.timedelta | None = datetime.timedelta(days=3),
    **fields: Any,
) -> Task:
    """A task due `due_in` from now (None: no due moment); other fields as given."""
    due_at = timezone.now() + due_in if due_in is not None else None
    return Task.objects.create(title=title, due_at=fields.pop("due_at", due_at), **fields)
