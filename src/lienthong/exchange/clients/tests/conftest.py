"""Shared fixtures of the gateway's tests: bodies of the message log in the test's own dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _exchange_settings(settings: Any, tmp_path: Path) -> None:
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "EXCHANGE_BODY_DIR": str(tmp_path / "bodies"),
        "REDIS_URL": "",
    }
