"""Access rules of official documents (văn bản đến, văn bản đi) and the work calendar
(lịch công tác): agency A's clerk registered an incoming document and its specialist drafted
an outgoing one; its leader planned an event in a room of A."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lienthong.accounts.models import Role
from tests.security.vocabulary import Actor, Answer, Rule, Who, api, page
from tests.security.world import World

CLERK, SPECIALIST, LEADER = Role.CLERK, Role.SPECIALIST, Role.LEADER


def _types(world: World) -> None:
    from lienthong.documents.catalog import ensure_document_types

    world.get("document_types", lambda w: ensure_document_types() or True)


def _incoming(world: World) -> Any:
    from lienthong.documents.models import DocumentType
    from lienthong.documents.services import IncomingData, register_incoming

    def build(w: World) -> Any:
        _types(w)
        data = IncomingData(
            issuer="Ủy ban nhân dân tỉnh thử",
            subject="Về việc kiểm tra phân quyền",
            document_type=DocumentType.objects.get(code="CV"),
            code_number="123",
            code_notation="UBND-VP",
        )
        return register_incoming(agency=w.agency_a, data=data, by=w.official(CLERK, w.agency_a))

    return world.get("incoming", build)


def _outgoing(world: World) -> Any:
    from lienthong.documents.models import DocumentType
    from lienthong.documents.outgoing import services

    def build(w: World) -> Any:
        _types(w)
        return services.create_draft(
            drafting_unit=w.agency_a,
            document_type=DocumentType.objects.get(code="CV"),
            subject="Công văn thử phân quyền",
            recipients=[services.RecipientSpec(agency=w.agency_b)],
            by=w.official(SPECIALIST, w.agency_a),
        )

    return world.get("outgoing", build)


def _room(world: World) -> Any:
    from lienthong.documents.calendar.services import create_room

    return world.get(
        "room",
        lambda w: create_room(agency=w.agency_a, name="Phòng họp A", by=w.admin),
    )


def _event(world: World) -> Any:
    from lienthong.documents.calendar.services import EventData, create_event

    def build(w: World) -> Any:
        start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
        data = EventData(
            title="Họp giao ban thử",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            location="Hội trường",
        )
        return create_event(agency=w.agency_a, data=data, by=w.official(LEADER, w.agency_a))

    return world.get("event", build)


def incoming(world: World) -> dict[str, Any]:
    return {"pk": _incoming(world).pk}


def outgoing(world: World) -> dict[str, Any]:
    return {"pk": _outgoing(world).pk}


def event(world: World) -> dict[str, Any]:
    return {"event_id": _event(world).pk}


OFFICIAL = Who.OFFICIAL
IN_LIST: dict[str, Any] = {"who": Who.ROLE_ANY, "role": CLERK}
IN_DOC: dict[str, Any] = {"who": Who.ROLE, "role": CLERK}
OUT_LIST: dict[str, Any] = {"who": Who.ROLE_ANY, "role": SPECIALIST}
OUT_DOC: dict[str, Any] = {"who": Who.ROLE, "role": SPECIALIST}
CAL: dict[str, Any] = {"who": Who.ROLE, "role": LEADER}
NO_FILE = {Actor.OWNER: Answer.HIDDEN, Actor.ADMIN: Answer.HIDDEN}  # no such file

RULES: list[Rule] = [
    page("documents:home", OFFICIAL),
    page("documents:incoming_list", **IN_LIST),
    page("documents:incoming_create", **IN_LIST),
    page(
        "documents:incoming_register",
        kwargs=lambda w: {"fmt": "xlsx"},
        query="agency={agency_a}",
        **IN_DOC,
    ),
    page("documents:incoming_detail", kwargs=incoming, **IN_DOC),
    *[
        page(f"documents:incoming_{name}", kwargs=incoming, method="POST", **IN_DOC)
        for name in ("accept", "refuse", "assign", "opinion", "complete", "follow_up")
    ],
    page(
        "documents:incoming_file",
        kwargs=lambda w: {"pk": _incoming(w).pk, "file_pk": 0},
        **IN_DOC,
        expect=NO_FILE,
    ),
    page("documents:search", OFFICIAL),
    page("documents:documents_outgoing:list", **OUT_LIST),
    page("documents:documents_outgoing:new", **OUT_LIST),
    page("documents:documents_outgoing:register", **OUT_LIST),
    page("documents:documents_outgoing:verify", OFFICIAL),
    page("documents:documents_outgoing:detail", kwargs=outgoing, **OUT_DOC),
    page(
        "documents:documents_outgoing:file",
        kwargs=lambda w: {"pk": _outgoing(w).pk, "file_id": 0},
        **OUT_DOC,
        expect=NO_FILE,
    ),
    page(
        "documents:documents_outgoing:action",
        kwargs=lambda w: {"pk": _outgoing(w).pk, "action": "submit"},
        method="POST",
        **OUT_DOC,
    ),
    api("GET /api/documents/types", Who.USER),  # reference data
    api("GET /api/documents/incoming", **IN_LIST),
    api("POST /api/documents/incoming", **IN_LIST),
    api("POST /api/documents/incoming/edxml", **IN_LIST),
    # The period is a required query, checked before who asks (422 for everyone).
    api(
        "GET /api/documents/incoming/register.{fmt}",
        kwargs=lambda w: {"fmt": "xlsx"},
        **IN_LIST,
        body_first=True,
    ),
    api("GET /api/documents/incoming/{pk}", kwargs=incoming, **IN_DOC),
    *[
        api(f"POST /api/documents/incoming/{{pk}}/{move}", kwargs=incoming, **IN_DOC)
        for move in ("accept", "refuse", "assign", "opinions", "complete", "follow-up")
    ],
    api("GET /api/documents/search", OFFICIAL),
    api("GET /api/documents/outgoing/", **OUT_LIST),
    api("POST /api/documents/outgoing/", **OUT_LIST),
    api("GET /api/documents/outgoing/register", **OUT_LIST, body_first=True),  # same
    api("POST /api/documents/outgoing/certificates", **OUT_LIST),
    api("GET /api/documents/outgoing/{pk}", kwargs=outgoing, **OUT_DOC),
    api("POST /api/documents/outgoing/{pk}/files", kwargs=outgoing, **OUT_DOC),
    api(
        "GET /api/documents/outgoing/{pk}/files/{file_id}",
        kwargs=lambda w: {"pk": _outgoing(w).pk, "file_id": 0},
        **OUT_DOC,
        expect=NO_FILE,
    ),
    *[
        api(f"POST /api/documents/outgoing/{{pk}}/{move}", kwargs=outgoing, **OUT_DOC)
        for move in ("submit", "approve", "return", "sign", "number", "issue", "send")
    ],
    api("POST /api/documents/verify-pdf", OFFICIAL),
    # Work calendar.
    page("calendar:index", OFFICIAL),
    page("calendar:agency_week", OFFICIAL, kwargs=lambda w: {"agency_id": w.agency_a.pk}),
    page(
        "calendar:person_week",
        OFFICIAL,
        kwargs=lambda w: {"user_id": w.official(LEADER, w.agency_a).pk},
    ),
    page("calendar:unit_week", OFFICIAL, kwargs=lambda w: {"unit_id": w.agency_a.pk}),
    page("calendar:manage", Who.ROLE_ANY, role=LEADER),
    page("calendar:rooms", OFFICIAL),
    page("calendar:event_new", Who.ROLE_ANY, role=LEADER),
    page("calendar:event", kwargs=event, **CAL),
    page("calendar:event_edit", kwargs=event, **CAL),
    *[
        page(f"calendar:event_{name}", kwargs=event, method="POST", **CAL)
        for name in ("submit", "publish", "cancel")
    ],
    api("GET /api/calendar/rooms", OFFICIAL),
    api("POST /api/calendar/rooms", Who.ADMIN),
    api(
        "PATCH /api/calendar/rooms/{room_id}",
        Who.ADMIN,
        kwargs=lambda w: {"room_id": _room(w).pk},
    ),
    api("GET /api/calendar/events", OFFICIAL),
    api("POST /api/calendar/events", Who.ROLE_ANY, role=LEADER),
    api("POST /api/calendar/events/check", Who.ROLE_ANY, role=LEADER),
    api("GET /api/calendar/events/{event_id}", kwargs=event, **CAL),
    api("PUT /api/calendar/events/{event_id}", kwargs=event, **CAL),
    *[
        api(f"POST /api/calendar/events/{{event_id}}/{move}", kwargs=event, **CAL)
        for move in ("submit", "publish", "cancel")
    ],
    api("GET /api/calendar/events/{event_id}/ics", kwargs=event, **CAL),
    api("GET /api/calendar/week.ics", OFFICIAL),
]
