"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lienthong import __version__


def platform(request: HttpRequest) -> dict[str, Any]:
    """The province name, the version and whether the site runs without HTTPS."""
    return {
        "PROVINCE_NAME": settings.LIENTHONG["PROVINCE_NAME"],
        "PLATFORM_VERSION": __version__,
        "INSECURE_HTTP": settings.INSECURE_HTTP,
    }
