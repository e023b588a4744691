"""Collects the rules of every `rules_*.py` module in this folder (each exposes `RULES`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter

import tests.security as package
from tests.security.vocabulary import Rule


def all_rules() -> list[Rule]:
    """Every rule of every area, in module order."""
    found: list[Rule] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("rules_"):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            found.extend(module.RULES)
    return found


def duplicates(rules: list[Rule]) -> list[str]:
    """Endpoints with more than one rule."""
    counts = Counter(rule.endpoint for rule in rules)
    return sorted(endpoint for endpoint, n in counts.items() if n > 1)
