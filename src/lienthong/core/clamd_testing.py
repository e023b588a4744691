"""A real clamd for tests, with a signature database of the test's own (no download).

Debian's `clamav-daemon` ships the engine without signatures (freshclam fetches them, and the
tests have no network), so the daemon is started on a folder holding two signatures written
here: the EICAR test file by its MD5, and `MARKER` anywhere in a file. Used by the root
conftest's `clamd` fixture.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The industry's harmless test file; scanners report it as "Eicar-Test-Signature".
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
#: Bytes that our test signature finds anywhere in a file (e.g. inside a well-formed PDF).
MARKER = b"LIENTHONG-TEST-MALWARE"
MARKER_SIGNATURE = "LienThong.Test.Marker"
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


def infected_pdf() -> bytes:
    """A PDF that passes the type check and carries the test signature."""
    return (
        b"%PDF-1.4\n% " + MARKER + b"\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


@contextmanager
def running_clamd(folder: Path, timeout: float = 60.0) -> Iterator[str]:
    """Start clamd on a Unix socket in `folder`; yield the `MALWARE_SCANNER` value for it."""
    if not Path(CLAMD).exists():
        raise RuntimeError(
            "clamd is not installed: apt-get install -y clamav-daemon (.ci/run does it)"
        )
    database = folder / "db"
    database.mkdir(parents=True, exist_ok=True)
    (database / "test.hdb").write_text("44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n")
    (database / "test.ndb").write_text(f"{MARKER_SIGNATURE}:0:*:{MARKER.hex()}\n")
    socket_path = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        "Foreground yes\n"
        f"DatabaseDirectory {database}\n"
        f"LocalSocket {socket_path}\n"
        f"LogFile {folder / 'clamd.log'}\n"
        "StreamMaxLength 64M\n"
        "SelfCheck 0\n"
    )
    process = subprocess.Popen(
        [CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + timeout
        while not socket_path.exists():
            if process.poll() is not None:
                raise RuntimeError(f"clamd ended at start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                raise RuntimeError("clamd did not open its socket in time")
            time.sleep(0.05)
        yield f"clamd:unix:{socket_path}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
