"""Fixtures of the labour registry's tests."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.core.models import AdminUnit
from lienthong.registries.labour.testing import LabourWorld, make_units, make_world


@pytest.fixture
def units(db: Any) -> dict[str, AdminUnit]:
    return make_units()


@pytest.fixture
def world(units: dict[str, AdminUnit]) -> LabourWorld:
    return make_world()
