"""A small HTTP client on the standard library for the adapters' outbound calls.

`call` never raises for an HTTP status: a 4xx or 5xx answer is a `Response` like a 200, so
the caller logs every answer alike. A connection that fails (refused, timed out, reset) raises
`Unreachable`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lienthong import __version__

USER_AGENT = f"LienThong/{__version__}"


class Unreachable(Exception):
    """The remote system could not be reached (refused, timed out, reset)."""

    def __init__(self, message: str, duration_ms: int) -> None:
        super().__init__(message)
        self.duration_ms = duration_ms


@dataclass
class Response:
    """An HTTP answer: status, headers (lower-case names), body and how long it took."""

    status: int
    body: bytes
    duration_ms: int
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


def json_body(value: Any) -> bytes:
    """A value as compact UTF-8 JSON (Vietnamese kept readable)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def call(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Response:
    """Make one request and return the answer, whatever its status."""
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("User-Agent", USER_AGENT)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            data = answer.read()
            status = answer.status
            answer_headers = {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as error:
        data = error.read()
        status = error.code
        answer_headers = {k.lower(): v for k, v in (error.headers or {}).items()}
    except (urllib.error.URLError, OSError) as error:
        elapsed = int((time.monotonic() - started) * 1000)
        reason = getattr(error, "reason", error)
        raise Unreachable(f"{type(error).__name__}: {reason}", elapsed) from error
    elapsed = int((time.monotonic() - started) * 1000)
    return Response(status=status, body=data, duration_ms=elapsed, headers=answer_headers)
