"""Every endpoint has exactly one access rule, and every rule names an endpoint that exists."""

from __future__ import annotations

from tests.security.endpoints import api_operations, pages
from tests.security.rules import all_rules, duplicates


def _endpoints() -> set[str]:
    return {p.name for p in pages()} | set(api_operations())


def test_every_endpoint_has_a_rule() -> None:
    ruled = {rule.endpoint for rule in all_rules()}
    views = {p.name: p.view for p in pages()}
    missing = sorted(_endpoints() - ruled)
    listing = "\n".join(f"  {name}  ({views.get(name, 'API')})" for name in missing)
    assert not missing, (
        f"{len(missing)} endpoint(s) without an access rule (tests/security/README.md):\n{listing}"
    )


def test_every_rule_names_an_existing_endpoint() -> None:
    stale = sorted({rule.endpoint for rule in all_rules()} - _endpoints())
    assert not stale, "rules for endpoints that no longer exist:\n  " + "\n  ".join(stale)


def test_no_endpoint_has_two_rules() -> None:
    assert duplicates(all_rules()) == []


def test_page_names_are_unique() -> None:
    """Two patterns under one name would share a rule without the matrix noticing."""
    names = [p.name for p in pages()]
    twice = sorted({n for n in names if names.count(n) > 1})
    assert twice == []
