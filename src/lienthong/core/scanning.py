"""Malware scanning of uploaded files: one interface, a ClamAV backend (clamd), and none.

`LIENTHONG["MALWARE_SCANNER"]` picks the scanner:

- `""` (default): no scanning — for a laptop or the demo; docs/security.md says to set one up
  in production;
- `"clamd:unix:/run/clamav/clamd.ctl"` or `"clamd:tcp:127.0.0.1:3310"`: a running clamd,
  spoken to with its documented INSTREAM command (the file in chunks, each preceded by its
  length as a 4-byte big-endian integer, ended by a zero length; the answer `stream: OK` or
  `stream: <signature> FOUND`).

When a scanner is configured and cannot answer (down, timed out, its reply not understood), the
upload is refused: a file nobody could check is not accepted (fail closed). Every file found
infected is logged on the `lienthong.security` logger with its SHA-256 and signature.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import struct
from dataclasses import dataclass
from typing import IO, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger("lienthong.security")

CHUNK = 64 * 1024
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class ScanResult:
    """What the scanner said of one file."""

    clean: bool
    signature: str = ""
    engine: str = ""


class ScannerUnavailable(Exception):
    """The scanner could not check the file (not running, timed out, answered nonsense)."""


class Scanner(Protocol):
    """Something that checks a stream of bytes for malware."""

    name: str

    def scan(self, stream: IO[bytes]) -> ScanResult: ...


class NoScanner:
    """No scanning configured: every file passes."""

    name = "none"

    def scan(self, stream: IO[bytes]) -> ScanResult:
        return ScanResult(clean=True, engine=self.name)


class ClamdScanner:
    """A clamd daemon on a Unix socket or TCP, through INSTREAM."""

    name = "clamav"

    def __init__(self, address: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        kind, _sep, rest = address.partition(":")
        if kind == "unix" and rest:
            self.family, self.target = socket.AF_UNIX, rest
        elif kind == "tcp" and rest.rpartition(":")[2].isdigit():
            host, _sep, port = rest.rpartition(":")
            self.family, self.target = socket.AF_INET, (host, int(port))  # type: ignore[assignment]
        else:
            raise ImproperlyConfigured(
                f"MALWARE_SCANNER: a clamd address is unix:/path or tcp:host:port, not {address!r}"
            )
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.target)
        except OSError as exc:
            sock.close()
            raise ScannerUnavailable(f"clamd at {self.target}: {exc}") from exc
        return sock

    @staticmethod
    def _reply(sock: socket.socket) -> str:
        data = b""
        while not data.endswith(b"\0"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.rstrip(b"\0").decode("utf-8", "replace").strip()

    def version(self) -> str:
        """clamd's version line (`ClamAV 1.4.6/…`)."""
        with self._connect() as sock:
            try:
                sock.sendall(b"zVERSION\0")
                return self._reply(sock)
            except OSError as exc:
                raise ScannerUnavailable(str(exc)) from exc

    def scan(self, stream: IO[bytes]) -> ScanResult:
        with self._connect() as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                while chunk := stream.read(CHUNK):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = self._reply(sock)
            except OSError as exc:
                raise ScannerUnavailable(f"clamd: {exc}") from exc
        # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        verdict = reply.partition(": ")[2] if reply.startswith("stream:") else reply
        if verdict == "OK":
            return ScanResult(clean=True, engine=self.name)
        if verdict.endswith(" FOUND"):
            return ScanResult(clean=False, signature=verdict[: -len(" FOUND")], engine=self.name)
        raise ScannerUnavailable(f"clamd answered: {reply or '(nothing)'}")


def get_scanner() -> Scanner:
    """The configured scanner (`LIENTHONG["MALWARE_SCANNER"]`)."""
    conf = getattr(settings, "LIENTHONG", {})
    spec = str(conf.get("MALWARE_SCANNER") or "")
    if not spec:
        return NoScanner()
    kind, _sep, address = spec.partition(":")
    if kind == "clamd":
        return ClamdScanner(address, float(conf.get("MALWARE_SCAN_TIMEOUT", DEFAULT_TIMEOUT)))
    raise ImproperlyConfigured(f"MALWARE_SCANNER: unknown scanner {kind!r} (known: clamd)")


def check_clean(stream: IO[bytes], *, label: str, name: str = "") -> ScanResult:
    """Scan an uploaded file from its start (and rewind it): a ValidationError, in Vietnamese,
    when it is infected or when the configured scanner cannot check it."""
    scanner = get_scanner()
    stream.seek(0)
    try:
        result = scanner.scan(stream)
    except ScannerUnavailable as exc:
        logger.error("malware scanner unavailable, upload %r refused: %s", name, exc)
        raise ValidationError(
            _(
                "%(label)s: chưa kiểm tra được mã độc (hệ thống quét đang lỗi); vui lòng thử "
                "lại sau."
            )
            % {"label": label}
        ) from exc
    finally:
        stream.seek(0)
    if not result.clean:
        digest = hashlib.sha256()
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
        stream.seek(0)
        logger.warning(
            "infected upload refused: name=%r sha256=%s signature=%s engine=%s",
            name,
            digest.hexdigest(),
            result.signature,
            result.engine,
        )
        raise ValidationError(
            _("%(label)s: tệp có mã độc (%(signature)s), không nhận.")
            % {"label": label, "signature": result.signature}
        )
    return result
