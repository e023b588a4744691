"""Test helpers of the processing area: a team per agency, fixed moments, "nothing written".

team = make_team()                       # agency, procedure (5 working days), officials
dossier = team.dossier(at=moment("2026-02-09 09:00"))   # received, PROCESSING
before = footprint(dossier)
...                                      # an action that must be refused
assert footprint(dossier) == before
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from lienthong.accounts.models import Role, User
from lienthong.core.calendar import VN_TZ
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_user
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop.models import Dossier, Procedure
from lienthong.onestop.testing import make_agency, make_citizen, make_dossier, make_procedure
from lienthong.workflow.models import CaseTransition, Task


def moment(text: str) -> datetime.datetime:
    """`"2026-02-09 09:00"` as an aware moment in Vietnam time."""
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN_TZ)


@dataclass
class Team:
    """An agency with its procedure and the officials of each step."""

    agency: OrgUnit
    procedure: Procedure
    officer: User
    specialist: User
    leader: User

    def dossier(self, **kwargs: Any) -> Dossier:
        """A dossier received at this agency's counter (PROCESSING), or as `kwargs` say."""
        kwargs.setdefault("procedure", self.procedure)
        kwargs.setdefault("agency", self.agency)
        kwargs.setdefault("officer", self.officer)
        return make_dossier(**kwargs)

    def online_dossier(self, **kwargs: Any) -> Dossier:
        """A dossier submitted online by a citizen account and accepted."""
        kwargs.setdefault("applicant", make_citizen())
        return self.dossier(channel="online", **kwargs)


def make_team(name: str | None = None, **procedure: Any) -> Team:
    """An agency receiving a procedure (5 working days unless told), with an officer, a
    specialist and a leader."""
    agency = make_agency(name)
    return Team(
        agency=agency,
        procedure=make_procedure(agencies=[agency], **procedure),
        officer=make_user(roles=[(Role.ONESTOP_OFFICER, agency)]),
        specialist=make_user(roles=[(Role.SPECIALIST, agency)]),
        leader=make_user(roles=[(Role.LEADER, agency)]),
    )


def footprint(dossier: Dossier) -> tuple[Any, ...]:
    """Everything a transition writes: the dossier row, its history, audit entries, events,
    the case's moves and tasks. Compare before and after a refused action."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    case_id = fresh.case_id or 0
    return (
        fresh.status,
        fresh.due_date,
        fresh.due_at,
        fresh.processed_at,
        fresh.returned_at,
        fresh.late_unit_id,
        fresh.history.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.filter(subject=fresh.code).count(),
        CaseTransition.objects.filter(case_id=case_id).count(),
        tuple(
            Task.objects.filter(case_id=case_id)
            .order_by("pk")
            .values_list("pk", "status", "org_unit_id", "due_at")
        ),
        fresh.supplements.count(),
        fresh.obligations.count(),
        fresh.apologies.count(),
    )


def event_types(dossier: Dossier, after: int = 0) -> list[str]:
    """The types of the dossier's outbox events with a primary key above `after`, in order."""
    return list(
        OutboxEvent.objects.filter(subject=dossier.code, pk__gt=after)
        .order_by("pk")
        .values_list("type", flat=True)
    )


def last_event_id() -> int:
    """The newest outbox event's primary key (0 when there is none)."""
    last = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0
