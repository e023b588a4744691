"""Template filters of the login pages."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def minutes(value: datetime.timedelta | None) -> int:
    """A duration in whole minutes (rounded up), e.g. the lockout cool-off."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)


@register.filter
def from_now(value: datetime.timedelta | None) -> datetime.datetime | None:
    """The local moment `value` from now, e.g. when a locked account opens again."""
    if not value:
        return None
    return timezone.localtime(timezone.now() + value)
