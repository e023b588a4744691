"""Enterprise tax codes — mã số doanh nghiệp / mã số thuế — in the form the registry stores.

An enterprise code is 10 digits with a check digit (`core.identifiers.validate_tax_code`,
python-stdnum `vn.mst`); a dependent unit (branch, representative office) has its parent's 10
digits, a dash and 3 digits (`0312687878-001`). The registry stores that display form, so a
lookup by what people type (`0312 687 878 001`, `0312687878001`) first normalises it here.
Individuals' 12-digit tax codes (personal IDs since 1 July 2025) are not enterprises: refused.
"""

from __future__ import annotations

import random
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.vn import mst

from lienthong.core.identifiers import validate_tax_code

_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


_STORED = re.compile(r"^([0-9]{2})([0-9]{7})([0-9])(?:-([0-9]{3}))?\Z")


def normalise(value: str) -> str:
    """The stored form of a tax code (`NNNNNNNNNN` or `NNNNNNNNNN-NNN`), or ValidationError."""
    text = (value or "").strip()
    match = _STORED.match(text)
    if (
        match is not None
        and match[2] != "0000000"
        and match[4] != "000"
        and check_digit(text[:9]) == match[3]
    ):
        # Already in the stored form and valid (every row of an import): no need for
        # stdnum's general cleaning, a third of an import's time.
        return text
    compact = mst.compact(text)
    if len(compact) == 12 and compact.isdigit():
        raise ValidationError(
            _(
                "“%(value)s” là mã số thuế cá nhân (số định danh 12 chữ số), không phải "
                "mã số doanh nghiệp."
            ),
            code="personal_tax_code",
            params={"value": value},
        )
    validate_tax_code(compact)
    return mst.format(compact)


def is_branch_code(code: str) -> bool:
    """Whether a normalised tax code is a dependent unit's (13 digits)."""
    return len(code) == 14


def head_of(code: str) -> str:
    """The 10-digit enterprise code a (normalised) branch code belongs to."""
    return code[:10]


def check_digit(first_nine: str) -> str | None:
    """The check digit of nine digits, or None when none exists (those serials are skipped)."""
    total = sum(w * int(d) for w, d in zip(_WEIGHTS, first_nine, strict=True))
    digit = 10 - total % 11
    return str(digit) if digit < 10 else None


def make_code(province: str, serial: int) -> str | None:
    """The 10-digit code for a 2-digit province prefix and a 7-digit serial (None if invalid).

    Used by the demo and bench generators to make codes that pass the check-digit test.
    """
    nine = f"{province}{serial:07d}"
    digit = check_digit(nine)
    if digit is None or serial == 0:
        return None
    return nine + digit


def random_code(rng: random.Random, province: str = "37") -> str:
    """A random valid 10-digit enterprise code with the given province prefix."""
    while True:
        code = make_code(province, rng.randint(1, 9_999_999))
        if code is not None:
            return code


def branch_code(head: str, number: int) -> str:
    """The code of the `number`-th dependent unit of enterprise `head` (1–999)."""
    if not 1 <= number <= 999:
        raise ValueError("a dependent unit's number runs from 001 to 999")
    return f"{head}-{number:03d}"
