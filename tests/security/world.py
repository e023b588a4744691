"""The one set of agencies, actors and objects the whole matrix shares (built once per module).

Agency A owns every object the rules build; agency B is its sibling under the same province.
Objects are built on first use by the rules' builders (`world.get(name, build)`) and kept for
the rest of the module; each request then runs in a savepoint that is rolled back, so what an
allowed caller changes is never seen by the next test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import transaction
from django.test import Client

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from tests.security.vocabulary import Actor, Rule, Who

T = TypeVar("T")


class World:
    """Province → agencies A and B; the actors; objects built on demand and cached."""

    def __init__(self) -> None:
        self.province = make_org_unit("UBND tỉnh thử", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
        self.agency_a = make_org_unit("Sở A (chủ quản)", parent=self.province)
        self.agency_b = make_org_unit("Sở B (cơ quan khác)", parent=self.province)
        from lienthong.onestop.testing import make_citizen

        self.citizen = make_citizen("acl-congdan")
        self.admin = make_user(
            "acl-quantri",
            roles=[(Role.IT_ADMIN, self.province)],
            is_superuser=True,
            is_staff=True,
        )
        self._officials: dict[tuple[str, int], User] = {}
        self._objects: dict[str, Any] = {}
        self._kwargs: dict[str, Mapping[str, Any] | Exception] = {}
        self._sessions: dict[int, bool] = {}

    def prepare(self, rules: list[Rule]) -> None:
        """Build every rule's objects and actors now: a test's own savepoint would undo them.

        A builder that fails is remembered and raised by the rule's tests, not here.
        """
        # The admin family opens the first row of each model: build everything else first.
        ordered = sorted(rules, key=lambda rule: rule.who == Who.ADMIN_SITE)
        for rule in ordered:
            try:
                with transaction.atomic():
                    self._kwargs[rule.endpoint] = rule.kwargs(self)
            except Exception as exc:
                self._kwargs[rule.endpoint] = exc
            for actor in Actor:
                user = self.actor(actor, rule.role)
                if user is not None and user.pk not in self._sessions:
                    login(Client(), user)  # makes the admin's TOTP device once, for good
                    self._sessions[user.pk] = True

    def log_in(self, client: Client, user: User) -> None:
        """Log `user` in for one test (TOTP passed where due). A session opened once for the
        whole module would end by the idle limit (15 minutes for officials): each request's
        last-seen stamp is rolled back with the test."""
        login(client, user)

    def kwargs_of(self, rule: Rule) -> Mapping[str, Any]:
        """The URL arguments `prepare` built for `rule`."""
        found = self._kwargs[rule.endpoint]
        if isinstance(found, Exception):
            raise AssertionError(f"could not build the objects of {rule.endpoint}") from found
        return found

    def official(self, role: str, agency: OrgUnit) -> User:
        """The official holding `role` in `agency` (one per pair, made on first use)."""
        key = (role, agency.pk)
        if key not in self._officials:
            code = "a" if agency == self.agency_a else "b"
            with transaction.atomic():
                self._officials[key] = make_user(f"acl-{role}-{code}", roles=[(role, agency)])
        return self._officials[key]

    def actor(self, actor: Actor, role: str | None) -> User | None:
        """The user behind `actor` for a rule about `role` (None for the anonymous visitor)."""
        role = role or Role.SPECIALIST
        match actor:
            case Actor.ANONYMOUS:
                return None
            case Actor.CITIZEN:
                return self.citizen
            case Actor.OTHER:
                return self.official(role, self.agency_b)
            case Actor.OWNER:
                return self.official(role, self.agency_a)
            case Actor.ADMIN:
                return self.admin
        raise AssertionError(actor)

    def get(self, name: str, build: Callable[[World], T]) -> T:
        """The object called `name`, built by `build(world)` the first time it is asked for."""
        if name not in self._objects:
            with transaction.atomic():
                self._objects[name] = build(self)
        value: T = self._objects[name]
        return value
