"""Who consumes which events: handlers registered by event type, each under a consumer name.

An app declares its consumers in `<app>/handlers.py` (imported at start-up by
`ExchangeConfig.ready`)::

    from lienthong.exchange.registry import CloudEvent, handler

    @handler("dossier.received", consumer="onestop.notify_applicant")
    def notify_applicant(event: CloudEvent) -> None:
        \"\"\"E-mail the applicant the receipt of their dossier.\"\"\"
        ...

The consumer name is what makes a redelivery harmless (it is stored with the event id in
`ProcessedEvent`), so it must stay the same for the life of the handler: never derive it from
a module path that may move. Patterns are shell-style: `"dossier.received"`, `"dossier.*"`,
`"*"`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lienthong.exchange.models import OutboxEvent

_CONSUMER = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,119}$")


@dataclass(frozen=True)
class CloudEvent:
    """An event as handlers see it: the CloudEvents 1.0 attributes and the data."""

    id: str
    type: str
    source: str
    subject: str
    time: datetime.datetime
    data: dict[str, Any] = field(default_factory=dict)
    specversion: str = "1.0"
    datacontenttype: str = "application/json"

    @classmethod
    def from_outbox(cls, event: OutboxEvent) -> CloudEvent:
        """The CloudEvent carried by an outbox row."""
        return cls(
            id=str(event.event_id),
            type=event.type,
            source=event.source,
            subject=event.subject,
            time=event.time,
            data=dict(event.data or {}),
        )

    def as_dict(self) -> dict[str, Any]:
        """The event in CloudEvents 1.0 JSON structured form."""
        return {
            "specversion": self.specversion,
            "id": self.id,
            "type": self.type,
            "source": self.source,
            "subject": self.subject,
            "time": self.time.isoformat(),
            "datacontenttype": self.datacontenttype,
            "data": self.data,
        }


HandlerFunc = Callable[[CloudEvent], None]


@dataclass(frozen=True)
class Handler:
    """One consumer: the event types it takes and the function that handles one event."""

    patterns: tuple[str, ...]
    consumer: str
    func: HandlerFunc

    def matches(self, event_type: str) -> bool:
        """Whether this consumer takes events of `event_type`."""
        return any(fnmatchcase(event_type, pattern) for pattern in self.patterns)


class HandlerRegistry:
    """Consumers by name, in the order they were registered (that is the order they run)."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(
        self, patterns: str | tuple[str, ...], func: HandlerFunc, *, consumer: str
    ) -> Handler:
        """Add a consumer; registering the same function again (a re-import) is a no-op."""
        if not _CONSUMER.match(consumer):
            raise ValueError(f"consumer name {consumer!r} must match {_CONSUMER.pattern}")
        patterns = (patterns,) if isinstance(patterns, str) else tuple(patterns)
        if not patterns or not all(patterns):
            raise ValueError("a handler needs at least one non-empty event type pattern")
        existing = self._handlers.get(consumer)
        if existing is not None and (
            existing.func.__module__,
            existing.func.__qualname__,
        ) != (func.__module__, func.__qualname__):
            raise ValueError(f"consumer {consumer!r} is already registered to another function")
        self._handlers[consumer] = Handler(patterns, consumer, func)
        return self._handlers[consumer]

    def handler(
        self, patterns: str | tuple[str, ...], *, consumer: str
    ) -> Callable[[HandlerFunc], HandlerFunc]:
        """Decorator form of `register`."""

        def decorate(func: HandlerFunc) -> HandlerFunc:
            self.register(patterns, func, consumer=consumer)
            return func

        return decorate

    def unregister(self, consumer: str) -> None:
        """Remove a consumer (tests; a module being retired)."""
        self._handlers.pop(consumer, None)

    def matching(self, event_type: str) -> list[Handler]:
        """The consumers of one event type, in registration order."""
        return [h for h in self._handlers.values() if h.matches(event_type)]

    def __iter__(self) -> Iterator[Handler]:
        return iter(list(self._handlers.values()))

    def __len__(self) -> int:
        return len(self._handlers)


#: The registry the relay and `lienthong worker` use.
registry = HandlerRegistry()
handler = registry.handler
