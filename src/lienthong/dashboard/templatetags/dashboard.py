"""`{% load dashboard %}` … `{% if user|may_see_dashboard %}`: the nav's link."""

from __future__ import annotations

from typing import Any

from django import template

from lienthong.dashboard import selectors

register = template.Library()


@register.filter
def may_see_dashboard(user: Any) -> bool:
    """Whether the user may open /bang-dieu-hanh/ (leaders, IT administrators, superusers)."""
    return selectors.may_see_dashboard(user)
