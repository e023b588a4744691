"""Document numbers (số, ký hiệu): their folded key, their slug, and finding them in text.

A number is written "02/2011/QH13", "30/2020/NĐ-CP", "28/2021/QĐ-TTg"; people type it with
or without diacritics and in any case. Its key is the folded tokens of the search kernel
joined by spaces, the serial's leading zeros dropped ("30 2020 nd cp", "2 2011 qh13"), so a
number query and the index agree however it is typed, and its slug joins the tokens with
hyphens ("30-2020-nd-cp", "02-2011-qh13"), the file names of the shared corpus.
"""

from __future__ import annotations

import re

from lienthong.core.text import fold
from lienthong.search.query import tokens

#: A number as printed in a text: "02/2011/QH13", "44/2002/PL-UBTVQH10", "89/CP". The year
#: part is optional (old documents); the notation is upper case, hyphen-joined.
NUMBER_IN_TEXT = re.compile(
    r"(?<![\w/])(\d{1,4}/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ][A-ZĐa-z0-9]*)*)(?![\w/])"
)
# A typed number: digits, a slash, more (at least "02/2011").
_LOOKS_LIKE_NUMBER = re.compile(r"^\s*\d{1,4}\s*/\s*\w")


def key_of(words: list[str] | tuple[str, ...]) -> str:
    """The key of a number's tokens: space-joined, the serial without leading zeros.

    "01/2020/QĐ-UBND" and "1/2020/QĐ-UBND" are one document (Decree 30/2020 writes numbers
    under 10 with a zero; older documents and people often do not).
    """
    words = list(words)
    if words and words[0].isdigit():
        words[0] = words[0].lstrip("0") or "0"
    return " ".join(words)


def number_key(number: str | None) -> str:
    """The folded key of a number: "30/2020/NĐ-CP" → "30 2020 nd cp", "02/2011" → "2 2011"."""
    return key_of(tokens(number))


def number_slug(number: str | None) -> str:
    """The number as a URL slug: "30/2020/NĐ-CP" → "30-2020-nd-cp"."""
    return "-".join(tokens(number))


def looks_like_number(text: str | None) -> bool:
    """Whether a query is a document number (or its start, "02/2011")."""
    return bool(text and _LOOKS_LIKE_NUMBER.match(text))


def numbers_in(text: str) -> list[str]:
    """Document numbers printed in `text`, in order of appearance (repeats kept)."""
    return NUMBER_IN_TEXT.findall(text)


def folded_name(name: str) -> str:
    """A document's name folded for comparison ("Luật Tố cáo" → "luat to cao")."""
    return " ".join(tokens(fold(name)))
