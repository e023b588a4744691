"""Who is acting, from where: carried through a request or a command for the audit log."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ActorContext:
    """The request or command on whose behalf writes happen."""

    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ip: str | None = None
    user: Any = None
    via: str = ""


_current: contextvars.ContextVar[ActorContext | None] = contextvars.ContextVar(
    "lienthong_actor_context", default=None
)


def current() -> ActorContext:
    """The context in force, or an anonymous one with a fresh request id."""
    return _current.get() or ActorContext()


@contextmanager
def acting(**kwargs: Any) -> Iterator[ActorContext]:
    """Run a block under an actor context (used by the middleware, commands and tests)."""
    ctx = ActorContext(**kwargs)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
