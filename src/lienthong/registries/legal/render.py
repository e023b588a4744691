"""A document's full text as HTML: paragraphs, chapter headings, and articles as anchors.

Lines that start an article ("Điều 5. Giải thích từ ngữ", "Điều 35a.", the codification's
"Điều 3.3.NĐ.7.1. …") become headings with an id (`dieu-5`, `dieu-35a`, `dieu-3-3-nd-7-1`)
that the table of contents links to; "Chương I", "Mục 2", "Phần thứ nhất" lines become
section headings. Everything else is a paragraph. All text is escaped; Markdown links of the
source keep only their text, and Markdown heading marks (#) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lienthong.search.query import tokens

_ARTICLE = re.compile(r"^Điều\s+(\d+[a-zđ]?(?:\.[0-9A-ZĐa-z]+)*)\.(?:\s+(.*))?$")
_SECTION = re.compile(
    r"^(?:Chương|CHƯƠNG|Mục|MỤC|Phần|PHẦN)\s+(?:[IVXLCDM]+|\d+|thứ\s+\w+|THỨ\s+\w+)\b.*$"
)
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((?:https?://[^)\s]+)\)")
_HEADING_MARKS = re.compile(r"^#{1,6}\s+")
#: Table-of-contents entries longer than this are cut (Công báo headings run on).
TOC_LABEL_LENGTH = 120


@dataclass(frozen=True)
class TocEntry:
    """One line of the table of contents: an article or a section heading."""

    anchor: str
    label: str
    level: int  # 1: section (chương, mục), 2: article (điều)


@dataclass(frozen=True)
class RenderedText:
    """The text as HTML, and its table of contents."""

    html: SafeString
    toc: tuple[TocEntry, ...]

    @property
    def articles(self) -> int:
        return sum(1 for entry in self.toc if entry.level == 2)


def _anchor(prefix: str, label: str, used: dict[str, int]) -> str:
    base = prefix + "-" + "-".join(tokens(label))
    count = used.get(base, 0) + 1
    used[base] = count
    # An amending law quotes the articles it changes: the second "Điều 5" gets "-2".
    return base if count == 1 else f"{base}-{count}"


def _short(text: str) -> str:
    return text if len(text) <= TOC_LABEL_LENGTH else text[: TOC_LABEL_LENGTH - 1] + "…"


def _is_caption(line: str) -> bool:
    """A chapter's caption on the line after "Chương I": upper case, not an article."""
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and line.upper() == line and not _ARTICLE.match(line)


def render_text(text: str) -> RenderedText:
    """The document's text as escaped HTML with anchored headings, and its contents."""
    lines = [
        _HEADING_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", raw)).strip() for raw in text.split("\n")
    ]
    lines = [line for line in lines if line]
    parts: list[str] = []
    toc: list[TocEntry] = []
    used: dict[str, int] = {}
    chapter = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        article = _ARTICLE.match(line)
        if article:
            number, heading = article.group(1), (article.group(2) or "").strip()
            anchor = _anchor("dieu", number, used)
            label = f"Điều {number}." + (f" {heading}" if heading else "")
            toc.append(TocEntry(anchor=anchor, label=_short(label), level=2))
            parts.append(
                f'<h3 class="lt-article h6 mt-4" id="{anchor}">'
                f'<a class="lt-anchor" href="#{anchor}">Điều {escape(number)}.</a>'
                + (f" {escape(heading)}" if heading else "")
                + "</h3>"
            )
            continue
        if _SECTION.match(line) and len(line) <= 200:
            kind, label_number = line.split()[0], line.split()[1].rstrip(".:")
            if kind.lower() == "mục":
                anchor = _anchor(f"{chapter}-muc" if chapter else "muc", label_number, used)
            else:
                anchor = chapter = _anchor(str(tokens(kind)[0]), label_number, used)
            label = line
            if index < len(lines) and _is_caption(lines[index]) and len(lines[index]) <= 200:
                label = f"{line} — {lines[index]}"
                caption = f"<br>{escape(lines[index])}"
                index += 1
            else:
                caption = ""
            toc.append(TocEntry(anchor=anchor, label=_short(label), level=1))
            parts.append(
                f'<h2 class="lt-section h5 mt-4 text-center" id="{anchor}">'
                f"{escape(line)}{caption}</h2>"
            )
            continue
        parts.append(f"<p>{escape(line)}</p>")
    # Safe: every piece of text above is escaped; anchors are made of folded tokens.
    return RenderedText(html=mark_safe("\n".join(parts)), toc=tuple(toc))
