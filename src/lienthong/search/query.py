"""The search query language, shared by both backends, and the tokenizer both index with.

Text is folded (`lienthong.core.text.fold`) and cut into tokens — runs of letters and digits —
in Python, and both backends index those tokens joined by single spaces. SQLite's unicode61
tokenizer and PostgreSQL's default parser therefore never see punctuation, hyphens, slashes,
e-mail addresses or decimals that they would split differently, and a query means the same
on both.

The language: words are ANDed; "double-quoted words" form a phrase (adjacent, in order); a
trailing `*` makes the last word a prefix (`khieu*`, `"giai quyet khieu*"`). A word written
with inner punctuation (`02/2011/QH13`, `e-mail`) is a phrase of its parts, as it was indexed.
Everything else — unbalanced quotes, operators, parentheses, colons, minus signs — is plain
text, so no user input can produce an FTS5 or tsquery syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lienthong.core.text import fold

#: Longest query accepted by the API and the page (characters, before folding).
MAX_QUERY_LENGTH = 500
#: A query keeps at most this many terms; more would only narrow an AND further.
MAX_TERMS = 32
#: Longer runs (hashes, base64, glued-together garbage) are neither indexed nor searched;
#: PostgreSQL would refuse words over 2,047 bytes anyway.
MAX_TOKEN_LENGTH = 100

# A token is a run of Unicode letters and digits ("\w" without the underscore).
_TOKEN = re.compile(r"[^\W_]+")
_QUOTES = re.compile(r"[\"“”„‟″]")
_PREFIX_END = re.compile(r"[^\W_]\*+$")


def tokens(text: str | None) -> list[str]:
    """The index tokens of `text`: folded runs of letters and digits, in order."""
    return [t for t in _TOKEN.findall(fold(text)) if len(t) <= MAX_TOKEN_LENGTH]


@dataclass(frozen=True)
class Term:
    """One ANDed element of a query: a word, or a phrase of adjacent words; maybe a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def __str__(self) -> str:
        text = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{text}"' if self.is_phrase else text


@dataclass(frozen=True)
class Query:
    """A parsed query: the terms every hit must match."""

    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def words(self) -> tuple[str, ...]:
        """Every word of every term, for highlighting."""
        return tuple(word for term in self.terms for word in term.words)

    def __str__(self) -> str:
        return " ".join(str(term) for term in self.terms)


def _term(text: str, *, prefix: bool) -> Term | None:
    words = tuple(tokens(text))
    if not words:
        return None
    return Term(words, prefix=prefix)


def parse(raw: str | None) -> Query:
    """Parse user input into a `Query`; never raises, and may return an empty query."""
    text = fold(raw)
    parts = _QUOTES.split(text)
    # Parts at odd indexes sit between a pair of quotes. An unmatched last quote opens no
    # phrase: the text after it is read as plain words.
    quoted = set(range(1, len(parts) - 1, 2))
    terms: list[Term] = []
    for i, part in enumerate(parts):
        if i in quoted:
            # `"giai quyet khieu*"` and FTS5's own `"giai quyet khieu"*` both mean a prefix.
            after = parts[i + 1] if i + 1 < len(parts) else ""
            prefix = bool(_PREFIX_END.search(part.rstrip())) or after.startswith("*")
            term = _term(part, prefix=prefix)
            if term:
                terms.append(term)
            continue
        for chunk in part.split():
            term = _term(chunk, prefix=bool(_PREFIX_END.search(chunk)))
            if term:
                terms.append(term)
    unique = list(dict.fromkeys(terms))
    return Query(tuple(unique[:MAX_TERMS]))
