"""PDF rendering: Vietnamese text survives, QR codes embed, nothing is fetched from a network."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.template import engines

from lienthong.core.pdf import qr_data_uri, qr_svg, render_pdf


@pytest.fixture
def template_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    engines._engines = {}  # type: ignore[attr-defined]  # pick up the new template dir
    yield tmp_path
    engines._engines = {}  # type: ignore[attr-defined]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_vietnamese_text_and_a_qr_code_render_into_the_pdf(template_dir: Path) -> None:
    # given a slip template extending the PDF base with full diacritics and a QR image
    (template_dir / "slip.html").write_text(
        '{% extends "pdf/base.html" %}{% block body %}'
        "<h1>Giấy tiếp nhận hồ sơ và hẹn trả kết quả</h1><p>Người nộp: {{ name }}</p>"
        '<img alt="QR" src="{{ qr }}">{% endblock %}'
    )
    # when it is rendered
    pdf = render_pdf(
        "slip.html", {"name": "Nguyễn Thị Đào", "qr": qr_data_uri("https://x/tra-cuu")}
    )
    # then the text reads back with its diacritics and the QR is an embedded image
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Người nộp: Nguyễn Thị Đào" in text


def test_remote_resources_are_not_fetched(template_dir: Path) -> None:
    # given a template pointing at a remote image and stylesheet (closed agency networks)
    (template_dir / "remote.html").write_text(
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        '<img src="https://example.invalid/logo.png"><p>Nội dung</p>'
    )
    # when it is rendered, then it still renders, without them
    assert "Nội dung" in _text(render_pdf("remote.html", {}))


def test_qr_svg_is_inline_markup() -> None:
    svg = qr_svg("ABC-231027-0001")
    assert svg.startswith("<svg") and "</svg>" in svg
