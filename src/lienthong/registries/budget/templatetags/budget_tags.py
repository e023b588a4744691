"""Numbers as Vietnamese budget tables print them: 1.234.567 and 66,67 %."""

from __future__ import annotations

from decimal import Decimal

from django import template

from lienthong.registries.labour.formatting import money

register = template.Library()


@register.filter
def dong(value: int | Decimal | None) -> str:
    """1234567 → "1.234.567" (no unit: the table says "đồng" once)."""
    return money(value, unit="") if value is not None else ""


@register.filter
def percent(value: Decimal | None) -> str:
    """Decimal("66.67") → "66,67 %"; None (no plan) → "—"."""
    if value is None:
        return "—"
    return f"{value:.2f}".replace(".", ",") + " %"
