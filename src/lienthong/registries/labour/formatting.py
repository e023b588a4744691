"""Money as Vietnamese readers write it: dots between thousands, "đ" after."""

from __future__ import annotations

from decimal import Decimal


def money(value: int | Decimal | None, *, unit: str = "đ") -> str:
    """12000000 → "12.000.000 đ" ("" for None)."""
    if value is None:
        return ""
    text = f"{int(value):,}".replace(",", ".")
    return f"{text} {unit}".strip()
