"""Vietnamese text folding: lowercase, no diacritics, đ → d.

Folded text is what search indexes and lookup keys are built from, so that a query typed
without diacritics ("thu dau mot") finds text written with them ("Thủ Dầu Một").
"""

from __future__ import annotations

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Return `text` lowercased, without diacritics, with đ as d and spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped).lower()).strip()


def fold_key(text: str | None) -> str:
    """Folded text with everything but letters and digits removed: a compact lookup key."""
    return re.sub(r"[^0-9a-z]", "", fold(text))
