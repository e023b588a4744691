"""Settings of event delivery, from `settings.LIENTHONG` with these defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Outbox events read per subscription (and per NATS batch) in one pass.
    "DELIVERY_BATCH": 500,
    # A webhook event is retried with exponential backoff from the base up to the cap, and
    # goes to the dead letters after this many failed attempts; the subscription moves on.
    "DELIVERY_MAX_ATTEMPTS": 8,
    "DELIVERY_RETRY_BASE_SECONDS": 5.0,
    "DELIVERY_RETRY_MAX_SECONDS": 3600.0,
    # Seconds a receiver has to answer one webhook request.
    "DELIVERY_HTTP_TIMEOUT": 10.0,
    # Seconds `lienthong deliver` sleeps when there is nothing to do.
    "DELIVERY_POLL_SECONDS": 0.5,
    # The JetStream stream the bridge publishes to and the subject prefix of its messages
    # (`<prefix>.<event type>`); the stream is created (or its subjects updated) on start.
    "NATS_STREAM": "LIENTHONG",
    "NATS_SUBJECT_PREFIX": "lienthong",
    # Seconds JetStream remembers a Nats-Msg-Id to drop a re-publish after a crash.
    "NATS_DUPLICATE_WINDOW_SECONDS": 3600.0,
    "NATS_TIMEOUT": 5.0,
}


def setting(name: str) -> Any:
    """A delivery setting: `settings.LIENTHONG[name]`, else the default."""
    return getattr(settings, "LIENTHONG", {}).get(name, DEFAULTS[name])


def nats_url() -> str:
    """The NATS server(s) of the bridge (`NATS_URL`); empty: no bridge."""
    return str(getattr(settings, "NATS_URL", "") or "")
