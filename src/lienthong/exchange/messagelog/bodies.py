"""Request and response bodies of the message log, stored out of line by their SHA-256.

A body is a file named by its digest under `LIENTHONG["EXCHANGE_BODY_DIR"]` (default
`<data dir>/exchange-bodies`), so the same body is stored once and the log entry only holds
the digest and size. Written before the entry's transaction commits: a rollback leaves an
unreferenced file, which `purge_orphans` removes; never a reference without its file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()


def body_dir() -> Path:
    """Where bodies are stored."""
    configured = getattr(settings, "LIENTHONG", {}).get("EXCHANGE_BODY_DIR")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "exchange-bodies"


def path_of(digest: str) -> Path:
    """The file of a body with this digest (two levels of directories by its first bytes)."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a SHA-256 digest: {digest!r}")
    return body_dir() / digest[:2] / digest[2:4] / digest


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(data: bytes | str | None) -> tuple[str, int]:
    """Store a body; its (digest, size). Nothing is stored for an empty body ("", 0)."""
    if data is None or data == b"" or data == "":
        return "", 0
    raw = data.encode() if isinstance(data, str) else data
    digest = digest_of(raw)
    target = path_of(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
        os.replace(temporary, target)  # atomic: readers never see half a body
    return digest, len(raw)


def load(digest: str) -> bytes | None:
    """A stored body, or None when it is not (or no longer) stored."""
    if not digest:
        return b""
    try:
        return path_of(digest).read_bytes()
    except FileNotFoundError:
        return None
