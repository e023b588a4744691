"""Suite-wide pytest set-up: which database leg runs is printed in the header."""

from __future__ import annotations

import pytest


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"lienthong database leg: {db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('NAME')})"
