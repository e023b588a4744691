"""PDF documents from the same HTML templates as the print view (WeasyPrint), and QR codes.

Fonts: WeasyPrint lays text out with Pango; the DejaVu fonts cover Vietnamese. Templates ask
for `font-family: "DejaVu Sans", sans-serif` (see `templates/pdf/base.html`).
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string


def _local_fetcher() -> Any:
    """A WeasyPrint fetcher that resolves /static/ URLs from the app folders and refuses the
    network: only file: (for those) and data: URLs are fetched."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file://") and settings.STATIC_URL in url:
                relative = url.split(settings.STATIC_URL, 1)[1]
                if path := finders.find(relative):
                    url = f"file://{path}"
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols={"file", "data"}, fail_on_errors=False)


def render_pdf(
    template_name: str, context: dict[str, Any], request: HttpRequest | None = None
) -> bytes:
    """Render a Django template to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url="file:///", url_fetcher=_local_fetcher()).write_pdf()


def qr_svg(data: str, *, scale: int = 3) -> str:
    """An inline SVG QR code of `data` (for the lookup URL on a receipt)."""
    return segno.make(data, error="m").svg_inline(scale=scale)


def qr_data_uri(data: str, *, scale: int = 3) -> str:
    """A data: URI of a QR code, for <img src> in PDF templates."""
    return segno.make(data, error="m").svg_data_uri(scale=scale)
