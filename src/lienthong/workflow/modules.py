"""Which modules run cases on the engine, what their tasks link to, and who moves them.

A domain app registers its module once (in its `AppConfig.ready`)::

    from lienthong.workflow import modules

    modules.register(
        "onestop",
        label=_("Một cửa"),
        task_url=lambda case: f"/motcua/ho-so/{case.subject_id}/",
        own_transitions=True,
    )

`task_url` is where an official handles the case's task (written on each new task); without
one, tasks link to the case page of the inbox (`/inbox/case/<id>/`, worked out when shown).
`own_transitions=True` means the module moves its cases through its own services (with its
domain rules, history and events), so the inbox's generic transition pages and API refuse them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from lienthong.workflow.models import Case


@dataclass(frozen=True)
class Module:
    """A module whose cases run on the engine."""

    name: str
    label: str | Promise
    task_url: Callable[[Case], str] | None = None
    own_transitions: bool = False


_registry: dict[str, Module] = {}


def register(
    name: str,
    *,
    label: str | Promise,
    task_url: Callable[[Case], str] | None = None,
    own_transitions: bool = False,
) -> Module:
    """Register (or re-register) a module."""
    module = Module(name, label, task_url, own_transitions)
    _registry[name] = module
    return module


def get(name: str) -> Module | None:
    """The registered module of that name, if any."""
    return _registry.get(name)


def label(name: str) -> str:
    """A module's display name (its code when unregistered)."""
    module = _registry.get(name)
    return str(module.label) if module is not None else name


def generic(name: str) -> bool:
    """Whether the inbox's generic transitions may move the module's cases."""
    module = _registry.get(name)
    return module is None or not module.own_transitions


def case_url(case_id: int) -> str:
    """The inbox's page of a case."""
    return reverse("workflow:case_detail", args=[case_id])


def task_url(case: Case) -> str:
    """The module's page for the case's current task; empty when the module names none (the
    task then links to the inbox's case page, see `Task.handling_url`)."""
    module = _registry.get(case.module)
    if module is not None and module.task_url is not None:
        return module.task_url(case)
    return ""
