"""A real SMTP server process for the alert tests (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lienthong.core.smtp_testing import SmtpServer, free_port, use_server


@pytest.fixture
def smtp(settings: Any, tmp_path: Path) -> Iterator[SmtpServer]:
    """An SMTP server (not started) and the settings that send mail to it."""
    server = SmtpServer(port=free_port(), maildir=tmp_path / "maildir")
    use_server(settings, server, "Bảo vệ dữ liệu <dulieu@example.vn>")
    try:
        yield server
    finally:
        server.stop()
