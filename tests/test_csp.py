"""Content-Security-Policy: the header on every page (relaxed only for Swagger UI and the
admin), and templates that need no 'unsafe-inline' — no inline script, style attribute or
event handler. The browser tests fail on any CSP violation Chromium reports (see
tests/browser/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from lienthong.core.middleware import DEFAULT_CSP, RELAXED_CSP

TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "lienthong"
#: Templates WeasyPrint turns into PDFs: never served as pages, free to use style attributes.
PDF_TEMPLATE = re.compile(r"(_pdf|pdf_|_slip|slip_)[a-z_]*\.html$|/pdf/")
INLINE = {
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
}


def page_templates() -> list[Path]:
    found = [
        path
        for path in TEMPLATES.rglob("templates/**/*.html")
        if not PDF_TEMPLATE.search(path.as_posix())
    ]
    assert len(found) > 100
    return found


def test_page_templates_need_no_unsafe_inline() -> None:
    offences = []
    for path in page_templates():
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert offences == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/cong/", "/tra-cuu/", "/api/onestop/fields"])
def test_pages_and_api_answers_carry_the_strict_policy(client: Client, path: str) -> None:
    response = client.get(path, secure=True)
    assert response["Content-Security-Policy"] == DEFAULT_CSP
    assert "'unsafe-inline'" not in DEFAULT_CSP and "frame-ancestors 'none'" in DEFAULT_CSP


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs", "/admin/login/"])
def test_swagger_and_the_admin_get_the_relaxed_policy(client: Client, path: str) -> None:
    response = client.get(path, secure=True)
    assert response["Content-Security-Policy"] == RELAXED_CSP
