"""Posting one CloudEvent to a webhook over a kept-alive HTTP connection, signed."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lienthong import __version__
from lienthong.exchange.delivery import signing

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
USER_AGENT = f"LienThong-Webhook/{__version__}"


def event_body(event: dict[str, Any]) -> bytes:
    """The request body: the CloudEvent in structured JSON mode, UTF-8."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Outcome:
    """What a receiver answered to one POST (status None: no answer at all)."""

    ok: bool
    status: int | None
    response: bytes
    error: str
    duration_ms: int


class WebhookSender:
    """Keeps one connection per receiver (scheme, host, port) and POSTs events on it."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def _connection(self, scheme: str, host: str, port: int) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        conn = self._connections.get(key)
        if conn is None:
            if scheme == "https":
                conn = http.client.HTTPSConnection(
                    host, port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
            conn.connect()
            # One small request after another on a kept-alive connection: no Nagle delays.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._connections[key] = conn
        return conn

    def _drop(self, key: tuple[str, str, int]) -> None:
        conn = self._connections.pop(key, None)
        if conn is not None:
            conn.close()

    def post(self, url: str, body: bytes, secret: str, event_id: str) -> Outcome:
        """POST `body` to `url`; 2xx is success, anything else (or no answer) a failure."""
        parts = urlsplit(url)
        scheme = parts.scheme
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": CONTENT_TYPE,
            "User-Agent": USER_AGENT,
            signing.HEADER: signing.sign(secret, body),
            # Binary-mode attribute beside the structured body: lets a receiver dedupe by id
            # before it parses anything.
            "ce-id": event_id,
        }
        key = (scheme, host, port)
        started = time.perf_counter()
        # A kept-alive connection the receiver closed fails on first use: retry once, fresh.
        for attempt in (1, 2):
            try:
                conn = self._connection(scheme, host, port)
                conn.request("POST", target, body=body, headers=headers)
                answer = conn.getresponse()
                response = answer.read()
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self._drop(key)
                reused = attempt == 1 and isinstance(
                    exc, http.client.RemoteDisconnected | BrokenPipeError | ConnectionResetError
                )
                if reused:
                    continue
                return Outcome(False, None, b"", f"{type(exc).__name__}: {exc}"[:500], _ms(started))
            if answer.will_close:
                self._drop(key)
            ok = 200 <= answer.status < 300
            error = "" if ok else f"HTTP {answer.status} {answer.reason}"[:500]
            return Outcome(ok, answer.status, response, error, _ms(started))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        for key in list(self._connections):
            self._drop(key)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
