"""A real webhook receiver for tests and benchmarks (and a reference for integrators).

It does what the documentation asks of a receiver: check the signature, dedupe by the
CloudEvent `id`, and only then apply the event's effect. It counts requests, distinct events
and effects, so a test can prove that none was lost and none applied twice.

    receiver = Receiver(secret="…").start()
    subscribe(client, types=["dossier.submitted"], url=receiver.url, secret="…")
    ...
    receiver.stop()
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lienthong.exchange.delivery import signing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    receiver: Receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender that died mid-request (the point of some tests) is not news."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm holds the body
    # until the sender's delayed ACK, some 40 ms per request.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        """`GET /stats`: what the receiver took so far (for a benchmark in another process)."""
        receiver = self.server.receiver
        with receiver.lock:
            stats = {
                "requests": receiver.requests,
                "effects": len(receiver.effects),
                "distinct": len(receiver.seen),
                "bad_signatures": receiver.bad_signatures,
                "in_order": receiver.effects
                == sorted(receiver.effects, key=lambda i: int(receiver.seen[i]["sequence"])),
            }
        answer = json.dumps(stats).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:
            # The sender died mid-request (a SIGKILL in the reliability tests): a broken
            # request, not a bad signature; nothing to answer on a closed connection.
            self.close_connection = True
            return
        if not self.server.receiver.up:
            # Stopped: a connection kept alive from before is dropped without an answer.
            self.close_connection = True
            return
        status = self.server.receiver.take(
            body, self.headers.get(signing.HEADER, ""), self.headers.get("Content-Type", "")
        )
        answer = b'{"ok":true}' if status < 300 else b'{"ok":false}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class Receiver:
    """An HTTP server on 127.0.0.1 that takes signed CloudEvents, once each."""

    def __init__(self, secret: str, port: int | None = None, *, delay: float = 0.0) -> None:
        self.secret = secret
        self.port = port or free_port()
        self.delay = delay
        #: Answer this status instead of taking the event (None: take it).
        self.fail_with: int | None = None
        self.lock = threading.Lock()
        self.requests = 0
        self.bad_signatures = 0
        self.seen: dict[str, dict[str, Any]] = {}
        #: Event ids in the order their effect was applied.
        self.effects: list[str] = []
        self.up = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/lienthong"

    def take(self, body: bytes, signature: str, content_type: str) -> int:
        """Check, dedupe, apply; the HTTP status to answer."""
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.requests += 1
            if self.fail_with is not None:
                return self.fail_with
            if not signing.verify(self.secret, body, signature) or not content_type.startswith(
                "application/cloudevents+json"
            ):
                self.bad_signatures += 1
                return 401
            event = json.loads(body)
            if event["id"] in self.seen:
                return 200  # a redelivery: acknowledged, no second effect
            self.seen[event["id"]] = event
            self.effects.append(event["id"])
            return 200

    def start(self) -> Receiver:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.receiver = self
        self._server = server
        self.up = True
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering: the port refuses connections until `start` again."""
        self.up = False
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    """`python -m lienthong.exchange.delivery.testing --port N --secret S`: serve until killed."""
    import argparse

    parser = argparse.ArgumentParser(description="A webhook receiver that dedupes by event id.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    receiver = Receiver(args.secret, args.port).start()
    print("ready", flush=True)
    try:
        threading.Event().wait()
    finally:
        receiver.stop()


if __name__ == "__main__":
    main()
