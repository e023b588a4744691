"""The small vocabulary of the access-control matrix: who may use an endpoint, which actors the
matrix sends, and what each actor must get back (README.md in this folder tells the story)."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.security.world import World


class Actor(enum.StrEnum):
    """The five callers every endpoint is tried with."""

    ANONYMOUS = "anonymous"
    CITIZEN = "citizen"  # a citizen; the owner of the objects of `Who.CITIZEN` rules
    OTHER = "other"  # an official of agency B (a sibling of A) holding the rule's role
    OWNER = "owner"  # an official of agency A (which owns the object) holding the rule's role
    ADMIN = "admin"  # superuser, staff, it_admin of the province, TOTP passed


class Answer(enum.StrEnum):
    """What an actor gets."""

    LOGIN = "login"  # pages: 302 to the login form with ?next=; API: 401
    ADMIN_LOGIN = "admin-login"  # the admin site: 302 to the admin's login page
    OK = "ok"  # passed the gate: not 401/403/404/405, not 5xx, not sent to a login page
    DENIED = "403"  # logged in, not allowed
    HIDDEN = "404"  # logged in, the object is not theirs (the same as a missing one)
    OTP = "otp"  # an admin session without the second factor: sent to the TOTP form
    INVALID = "422"  # the empty body was refused before the permission check (`body_first`)
    NOT_ALLOWED = "status 405"  # only in rules marked `# BUG:` (an operation no one can reach)


class Who(enum.StrEnum):
    """Who may use an endpoint; each gives the default answer of every actor (`DEFAULTS`)."""

    PUBLIC = "public"  # everyone, logged in or not
    USER = "user"  # any logged-in user
    CITIZEN = "citizen"  # a citizen, on their own objects
    CITIZEN_ONLY = "citizen-only"  # pages for citizens (no object): officials get 403
    OFFICIAL = "official"  # any official (role-free pages such as the inbox)
    ROLE = "role"  # officials holding `role` in the object's owner agency (A)
    ROLE_ANY = "role-any"  # officials holding `role` anywhere; lists filtered by agency
    ADMIN = "admin"  # it_admin / superuser only
    ADMIN_SITE = "admin-site"  # the Django admin: staff with TOTP
    CLIENT = "client"  # API for client systems (API key / token): a session gets 401


_A = Actor
DEFAULTS: Mapping[Who, Mapping[Actor, Answer]] = {
    Who.PUBLIC: {a: Answer.OK for a in Actor},
    Who.USER: {_A.ANONYMOUS: Answer.LOGIN} | {a: Answer.OK for a in list(Actor)[1:]},
    Who.CITIZEN: {
        _A.ANONYMOUS: Answer.LOGIN,
        _A.CITIZEN: Answer.OK,
        _A.OTHER: Answer.HIDDEN,
        _A.OWNER: Answer.HIDDEN,
        _A.ADMIN: Answer.HIDDEN,
    },
    Who.CITIZEN_ONLY: {
        _A.ANONYMOUS: Answer.LOGIN,
        _A.CITIZEN: Answer.OK,
        _A.OTHER: Answer.DENIED,
        _A.OWNER: Answer.DENIED,
        _A.ADMIN: Answer.DENIED,
    },
    Who.OFFICIAL: {
        _A.ANONYMOUS: Answer.LOGIN,
        _A.CITIZEN: Answer.DENIED,
        _A.OTHER: Answer.OK,
        _A.OWNER: Answer.OK,
        _A.ADMIN: Answer.OK,
    },
    Who.ROLE: {
        _A.ANONYMOUS: Answer.LOGIN,
        _A.CITIZEN: Answer.DENIED,
        _A.OTHER: Answer.HIDDEN,
        _A.OWNER: Answer.OK,
        _A.ADMIN: Answer.OK,
    },
    Who.ROLE_ANY: {
        _A.ANONYMOUS: Answer.LOGIN,
        _A.CITIZEN: Answer.DENIED,
        _A.OTHER: Answer.OK,
        _A.OWNER: Answer.OK,
        _A.ADMIN: Answer.OK,
    },
    Who.ADMIN: {
        _A.ANONYMOUS: Answer.LOGIN,
        _A.CITIZEN: Answer.DENIED,
        _A.OTHER: Answer.DENIED,
        _A.OWNER: Answer.DENIED,
        _A.ADMIN: Answer.OK,
    },
    Who.CLIENT: {a: Answer.LOGIN for a in Actor},
    Who.ADMIN_SITE: {
        _A.ANONYMOUS: Answer.ADMIN_LOGIN,
        _A.CITIZEN: Answer.ADMIN_LOGIN,
        _A.OTHER: Answer.ADMIN_LOGIN,
        _A.OWNER: Answer.ADMIN_LOGIN,
        _A.ADMIN: Answer.OK,
    },
}

#: Builds the URL keyword arguments (pages) or path parameters (API) from the shared world.
Build = Callable[["World"], Mapping[str, Any]]


def _no_kwargs(world: World) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Rule:
    """Who may use one endpoint, and how to call it.

    `endpoint` is `namespace:name` for a page and `METHOD /api/path/{param}` for an API
    operation. `kwargs` builds what the URL needs from objects owned by agency A (or by the
    citizen, for `Who.CITIZEN`). `expect` overrides the default answer of some actors: every
    override says why in a comment next to it, and a wrong answer kept for now says `# BUG:`.
    """

    endpoint: str
    who: Who
    role: str | None = None
    kwargs: Build = _no_kwargs
    method: str = "GET"
    data: Mapping[str, Any] | None = None
    query: str = ""  # may name "{agency_a}", the owner agency's id
    # For a pattern that cannot be reversed (no name, or a regular expression): the address,
    # as a format string filled from `kwargs`, e.g. "/admin/core/orgunit/{object_id}/".
    path: str | None = None
    expect: Mapping[Actor, Answer] = field(default_factory=dict)
    counts: tuple[str, ...] = ()  # "app_label.Model" whose rows a refused write must not change
    # django-ninja validates a body before the endpoint's own permission check runs: with the
    # matrix's empty body, a logged-in caller who would be refused gets 422 instead (and the
    # footprint check still proves nothing changed). Set on API writes that take a payload.
    body_first: bool = False

    @property
    def is_api(self) -> bool:
        return self.endpoint.split(" ", 1)[0].isupper() and " /api/" in self.endpoint

    def answer(self, actor: Actor) -> Answer:
        """What `actor` must get."""
        answer = self.expect.get(actor, DEFAULTS[self.who][actor])
        if self.body_first and answer in (Answer.DENIED, Answer.HIDDEN):
            return Answer.INVALID
        return answer


def page(name: str, who: Who, **options: Any) -> Rule:
    """A rule for the page named `name` (`namespace:name`)."""
    return Rule(endpoint=name, who=who, **options)


@functools.cache
def _operations_with_body() -> frozenset[str]:
    """Operations whose body has required fields: an empty JSON object fails validation."""
    from lienthong.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})

    def required(body: dict[str, Any]) -> bool:
        for media in body.get("content", {}).values():
            shape = media.get("schema", {})
            ref = shape.get("$ref", "")
            shape = components.get(ref.rsplit("/", 1)[-1], shape) if ref else shape
            if shape.get("required"):
                return True
        return False

    return frozenset(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if required(operation.get("requestBody", {}))
    )


def api(operation: str, who: Who, **options: Any) -> Rule:
    """A rule for the API operation `operation` (`"POST /api/onestop/dossiers/{code}/accept"`).

    `body_first` defaults to whether the operation's body has required fields (OpenAPI schema).
    """
    method = operation.split(" ", 1)[0]
    options.setdefault("body_first", operation in _operations_with_body())
    return Rule(endpoint=operation, who=who, method=method, **options)
