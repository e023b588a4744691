"""Webhook signatures: `X-LienThong-Signature: t=<unix seconds>,v1=<hex>`.

`v1` is the hex HMAC-SHA256, keyed with the subscription's secret, of the bytes
`<t>.<body>` (the timestamp as ASCII digits, a dot, then the raw request body). A receiver
recomputes it over the body exactly as received, compares in constant time and refuses a
timestamp older than its tolerance (five minutes by default), so a captured request cannot be
replayed later. Several `v1=` values may appear while a secret is being changed; any one
matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-LienThong-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str | bytes, body: bytes, t: int) -> str:
    """The hex HMAC-SHA256 of `t.body`."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, str(int(t)).encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: bytes, t: int | None = None) -> str:
    """The header value for `body` signed at `t` (default: now)."""
    t = int(time.time()) if t is None else int(t)
    return f"t={t},v1={signature(secret, body, t)}"


def parse(header: str) -> tuple[int | None, list[str]]:
    """The timestamp and the v1 signatures of a header value (None, [] if malformed)."""
    t: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            t = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    return t, signatures


def verify(
    secret: str | bytes,
    body: bytes,
    header: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether `header` is a valid, fresh signature of `body` with `secret`."""
    t, signatures = parse(header or "")
    if t is None or not signatures:
        return False
    now = time.time() if now is None else now
    if abs(now - t) > tolerance:
        return False
    expected = signature(secret, body, t)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
