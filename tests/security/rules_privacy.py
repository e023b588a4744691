"""Access rules of personal data (dữ liệu cá nhân, /du-lieu-ca-nhan/, /api/privacy/).

A citizen uses their own consents, requests, export and access history; officials are refused
those (403: they are the citizen's own pages, not hidden objects). The data-protection unit is
`it_admin` of a top-level unit (the province's admin here): only it sees the request queue and
the whole access log and acts on requests. An `it_admin` of agency A or B is not the unit.
"""

from __future__ import annotations

from typing import Any

from lienthong.accounts.models import Role
from tests.security.vocabulary import Actor, Answer, Rule, Who, api, page
from tests.security.world import World

UNIT = Role.IT_ADMIN
#: A citizen's own page or operation: officials are refused (403), not hidden.
MINE = Who.CITIZEN_ONLY
#: A citizen's request: the citizen and the data-protection unit see it; it_admin of an agency
#: does not (404, as for anything not theirs).
REQUEST_SEEN_BY_UNIT = {Actor.ADMIN: Answer.OK}


def _consent(world: World) -> dict[str, Any]:
    from lienthong.privacy import services

    def build(w: World) -> Any:
        return services.give_consents(subject=w.citizen, purposes=["notify_email"], by=w.citizen)[0]

    return {"pk": world.get("privacy_consent", build).pk}


def _request(world: World) -> Any:
    from lienthong.privacy import services

    def build(w: World) -> Any:
        return services.file_request(
            subject=w.citizen, kind="access", details="Bản sao dữ liệu", by=w.citizen
        )

    return world.get("privacy_request", build)


def _request_page(world: World) -> dict[str, Any]:
    return {"pk": _request(world).pk}


def _request_api(world: World) -> dict[str, Any]:
    return {"request_id": _request(world).pk}


def _consent_api(world: World) -> dict[str, Any]:
    return {"consent_id": _consent(world)["pk"]}


ANSWER = {"text": "Đã cung cấp bản sao."}

RULES: list[Rule] = [
    page("privacy:mine", MINE),
    page(
        "privacy:withdraw",
        MINE,
        method="POST",
        kwargs=_consent,
    ),
    page(
        "privacy:file_request",
        MINE,
        method="POST",
        data={"kind": "access", "details": "Bản sao"},
        counts=("privacy.DataSubjectRequest",),
    ),
    page("privacy:export", MINE),
    page("privacy:queue", Who.ADMIN, role=UNIT),
    page(
        "privacy:request", Who.CITIZEN, role=UNIT, kwargs=_request_page, expect=REQUEST_SEEN_BY_UNIT
    ),
    page("privacy:access_log", Who.ADMIN, role=UNIT),
    api("GET /api/privacy/consents", MINE),
    api(
        "POST /api/privacy/consents/{consent_id}/withdraw",
        MINE,
        kwargs=_consent_api,
    ),
    # Filtered: a citizen gets their own, the unit all, anyone else an empty list.
    api("GET /api/privacy/requests", Who.USER, role=UNIT),
    api(
        "POST /api/privacy/requests",
        MINE,
        data={"kind": "access", "details": "Bản sao"},
        body_first=False,  # a valid body is sent: the permission check answers
        counts=("privacy.DataSubjectRequest",),
    ),
    api(
        "GET /api/privacy/requests/{request_id}",
        Who.CITIZEN,
        role=UNIT,
        kwargs=_request_api,
        expect=REQUEST_SEEN_BY_UNIT,
    ),
    *(
        api(
            f"POST /api/privacy/requests/{{request_id}}/{action}",
            Who.CITIZEN,
            role=UNIT,
            kwargs=_request_api,
            data=data,
            body_first=False,  # a valid body is sent: the permission check answers
            # The citizen sees their request but may not act on it; the unit acts.
            expect={Actor.CITIZEN: Answer.DENIED, Actor.ADMIN: Answer.OK},
        )
        for action, data in (("acknowledge", None), ("respond", ANSWER), ("refuse", ANSWER))
    ),
    api("GET /api/privacy/export", MINE),
    api("GET /api/privacy/accesses/mine", MINE),
    api("GET /api/privacy/accesses", Who.ADMIN, role=UNIT),
]
