"""Fixtures of the budget registry's tests."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.registries.budget.testing import BudgetWorld, make_world


@pytest.fixture
def world(db: Any) -> BudgetWorld:
    return make_world()
