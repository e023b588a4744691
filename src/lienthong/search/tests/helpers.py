"""Helpers of the search tests: real laws from the shared corpus, hit ids.

Laws come from the corpus of 76 Vietnamese legal documents (LIENTHONG_LEGAL_DIR, default
../shared/data/legal): one Markdown file each, YAML front matter then the text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from lienthong.search.services import Hit

LEGAL_DIR = Path(os.environ.get("LIENTHONG_LEGAL_DIR", settings.SHARED_DIR / "data/legal"))


@dataclass(frozen=True)
class Law:
    """A legal document of the corpus: its number, title and body text."""

    slug: str
    number: str
    title: str
    body: str


def read_law(slug: str) -> Law:
    """The law in `<slug>.md` (front matter values are quoted strings)."""
    text = (LEGAL_DIR / f"{slug}.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = dict(re.findall(r'^(\w+): "(.*)"$', front, re.MULTILINE))
    return Law(slug=slug, number=meta["number"], title=meta["title"], body=body)


def ids(hits: list[Hit]) -> list[str]:
    """Object ids of hits, in rank order."""
    return [hit.object_id for hit in hits]
