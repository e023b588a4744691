"""Fixtures shared by this app's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request in English leaves English active in the test thread; messages asserted here
    # are the Vietnamese ones.
    with translation.override(settings.LANGUAGE_CODE):
        yield
