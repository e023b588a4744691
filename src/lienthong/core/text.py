"""Vietnamese text folding: lowercase, no diacritics, đ → d.

Folded text is what search indexes and lookup keys are built from, so that a query typed
without diacritics ("thu dau mot") finds text written with them ("Thủ Dầu Một").
"""

from __future__ import annotations

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")
# Nonspacing marks are the diacritics once decomposed; format characters (zero-width space,
# soft hyphen, BOM) come with text pasted from web pages and would split a word invisibly.
_DROPPED_CATEGORIES = frozenset({"Mn", "Cf"})


def fold(text: str | None) -> str:
    """Return `text` lowercased, without diacritics, with đ as d and spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP).lower())
    stripped = "".join(
        ch for ch in decomposed if unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def fold_key(text: str | None) -> str:
    """Folded text with everything but letters and digits removed: a compact lookup key."""
    return re.sub(r"[^0-9a-z]", "", fold(text))
