"""The gateway's settings, from `settings.LIENTHONG` with these defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Requests per minute a client system may make when it has no limit of its own.
    "EXCHANGE_RATE_LIMIT_PER_MINUTE": 600,
    # Lifetime of an OAuth2 access token (seconds).
    "EXCHANGE_TOKEN_TTL_SECONDS": 3600,
    # How long a rotated credential keeps working beside its successor (hours).
    "EXCHANGE_ROTATION_GRACE_HOURS": 24,
    # Message-log retention in days; the purge refuses anything under 90 (three months).
    "EXCHANGE_LOG_RETENTION_DAYS": 90,
    # Redis for the rate limit (e.g. redis://127.0.0.1:6379/0); empty: the database.
    "REDIS_URL": "",
}

MIN_RETENTION_DAYS = 90


def setting(name: str) -> Any:
    """A gateway setting: `settings.LIENTHONG[name]`, else `settings.<name>`, else default."""
    configured = getattr(settings, "LIENTHONG", {})
    if name in configured:
        return configured[name]
    if name == "REDIS_URL":
        return getattr(settings, "REDIS_URL", "") or DEFAULTS[name]
    return DEFAULTS[name]
