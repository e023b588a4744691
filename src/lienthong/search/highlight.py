"""Snippets of the original text, diacritics kept, with the words a query matched marked.

The index holds folded tokens, but people read "Luật Khiếu nại", not "luat khieu nai". So a
query word is turned into a pattern that matches every spelling that folds to it (`nai` →
`[nNàÀáÁ…][aAàÀ…][iIìÌ…]`) and run over the stored original text. Only the hits being shown
are scanned, and the scan stops after a bounded number of matches. Patterns start with a
character class (no look-behind, no IGNORECASE) so that the regex engine can skip ahead fast;
the word boundary before a match is checked in Python.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lienthong.core.text import fold
from lienthong.search.query import Query, Term

#: Characters of context kept around the best spot of a long text.
SNIPPET_WIDTH = 240
_LEAD = 60
#: Places tried when looking for a window holding every term; bounded for speed.
_MAX_ANCHORS = 30
_SPACES = re.compile(r"\s+")
_SPACE = re.compile(r"\s")
# Token boundaries as `query.tokens` draws them: letters and digits, no underscore.
_NOT_AFTER = r"(?![^\W_])"
_GAP = r"[\W_]+"


def _spelling_classes() -> dict[str, str]:
    """For each folded character, a regex class of every Latin letter that folds to it."""
    members: dict[str, set[str]] = defaultdict(set)
    for code in chain(range(0x30, 0x250), range(0x1E00, 0x1F00)):
        char = chr(code)
        folded = fold(char)
        if len(folded) == 1 and folded.isalnum():
            members[folded].add(char)
    return {
        folded: "[" + "".join(sorted(chars)) + "]"
        for folded, chars in members.items()
        if len(chars) > 1
    }


_CLASSES = _spelling_classes()


def _char_pattern(char: str) -> str:
    if char in _CLASSES:
        return _CLASSES[char]
    if char.upper() != char and len(char.upper()) == 1:
        return f"[{char}{char.upper()}]"
    return re.escape(char)


def _word_pattern(word: str, *, prefix: bool) -> str:
    body = "".join(_char_pattern(char) for char in word)
    return body + (r"[^\W_]*" if prefix else _NOT_AFTER)


def _term_pattern(term: Term) -> str:
    last = len(term.words) - 1
    words = [
        _word_pattern(word, prefix=term.prefix and i == last) for i, word in enumerate(term.words)
    ]
    return _GAP.join(words)


@dataclass(frozen=True)
class Matcher:
    """Patterns for one query over original text: one per term, and any term (for marking)."""

    terms: tuple[re.Pattern[str], ...]
    any_term: re.Pattern[str]


def matcher(query: Query) -> Matcher | None:
    """The patterns of `query`, or None for an empty query."""
    if not query:
        return None
    patterns = [_term_pattern(term) for term in query.terms]
    return Matcher(
        terms=tuple(re.compile(pattern) for pattern in patterns),
        any_term=re.compile("|".join(f"(?:{pattern})" for pattern in patterns)),
    )


def _matches(
    text: str, pattern: re.Pattern[str], start: int = 0, end: int | None = None
) -> Iterator[re.Match[str]]:
    """Matches of `pattern` that begin a word (the pattern itself only checks the end)."""
    end = len(text) if end is None else end
    pos = start
    while pos < end:
        match = pattern.search(text, pos, end)
        if match is None:
            return
        begin = match.start()
        if begin > 0 and text[begin - 1].isalnum():
            pos = begin + 1  # inside a word: look again from the next character
            continue
        yield match
        pos = max(match.end(), begin + 1)


@dataclass(frozen=True)
class Marked:
    """Text cut into pieces, each either plain or a match to highlight."""

    pieces: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(piece for piece, _ in self.pieces)

    @property
    def html(self) -> SafeString:
        """The text, escaped, with matches in `<mark>`."""
        # Safe: every piece is escaped here.
        return mark_safe(
            "".join(
                f"<mark>{escape(p)}</mark>" if hit else str(escape(p)) for p, hit in self.pieces
            )
        )

    def __bool__(self) -> bool:
        return bool(self.pieces)


def _pieces(text: str, found: Matcher | None, start: int, end: int) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    cursor = start
    if found is not None:
        for match in _matches(text, found.any_term, start, end):
            if match.start() > cursor:
                pieces.append((text[cursor : match.start()], False))
            pieces.append((match.group(), True))
            cursor = match.end()
    if cursor < end:
        pieces.append((text[cursor:end], False))
    return [(_SPACES.sub(" ", piece), hit) for piece, hit in pieces]


def mark(text: str, found: Matcher | None) -> Marked:
    """All of a short text (a title) with its matches marked."""
    return Marked(tuple(_pieces(text, found, 0, len(text))))


def _best_start(text: str, found: Matcher) -> int | None:
    """Where a snippet should centre: the first spot showing the most distinct terms.

    One pattern per term, each stopping at its first match, is far faster over a long law
    than one alternation scanning it all. The term seen last is likely the rarest, so its
    matches anchor the windows tried, and the others are looked for around each anchor.
    """
    firsts: dict[int, int] = {}
    for i, pattern in enumerate(found.terms):
        match = next(_matches(text, pattern), None)
        if match is not None:
            firsts[i] = match.start()
    if len(firsts) <= 1:
        return next(iter(firsts.values()), None)
    anchor = max(firsts, key=lambda i: firsts[i])
    best, best_count = firsts[anchor], 0
    for match in islice(_matches(text, found.terms[anchor], firsts[anchor]), _MAX_ANCHORS):
        low = max(0, match.start() - _LEAD)
        high = low + SNIPPET_WIDTH
        count = sum(
            1
            for i in firsts
            if i == anchor or next(_matches(text, found.terms[i], low, high), None) is not None
        )
        if count > best_count:
            best, best_count = match.start(), count
            if count == len(firsts):
                break
    return best


def snippet(text: str, found: Matcher | None, *, continues: bool = False) -> Marked:
    """A short passage of `text` around its best match (or its opening), matches marked.

    `continues`: `text` is the head of a longer text, so its end is not the end.
    """
    if not text:
        return Marked(())
    spot = _best_start(text, found) if found is not None else None
    begin = 0 if spot is None else max(0, spot - _LEAD)
    if spot is not None and begin > 0:
        # Start and end on whitespace so that no word is cut in half.
        space = _SPACE.search(text, begin, spot)
        begin = space.end() if space else begin
    end = min(len(text), begin + SNIPPET_WIDTH)
    more = end < len(text) or continues
    if more:
        low = (spot or begin) + 1
        last_space = max(text.rfind(blank, low, end) for blank in " \n\t\r")
        end = last_space if last_space != -1 else end
    pieces = _pieces(text, found, begin, end)
    if pieces:
        pieces[0] = (pieces[0][0].lstrip(), pieces[0][1])
        pieces[-1] = (pieces[-1][0].rstrip(), pieces[-1][1])
    if begin > 0:
        pieces.insert(0, ("… ", False))
    if more:
        pieces.append((" …", False))
    return Marked(tuple((piece, hit) for piece, hit in pieces if piece))
