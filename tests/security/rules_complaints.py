"""Access rules of complaints and denunciations (khiếu nại, tố cáo, tiếp công dân, thanh tra).

Agency A is the inspectorate: the matrix's citizen filed a case with it online; its
specialists recorded a reception and opened an inspection. Filing and lookup are public.
"""

from __future__ import annotations

from typing import Any

from lienthong.accounts.models import Role
from tests.security.vocabulary import Actor, Answer, Rule, Who, api, page
from tests.security.world import World

SPECIALIST = Role.SPECIALIST


def _case(world: World) -> Any:
    from lienthong.complaints.testing import Team, file_case

    def build(w: World) -> Any:
        team = Team(
            agency=w.agency_a,
            leader=w.official(Role.LEADER, w.agency_a),
            verifier=w.official(SPECIALIST, w.agency_a),
            other_specialist=w.official(SPECIALIST, w.agency_a),
            clerk=w.official(Role.CLERK, w.agency_a),
            citizen=w.citizen,
        )
        return file_case(team)

    return world.get("complaint", build)


def _reception(world: World) -> Any:
    from lienthong.complaints.services import record_reception

    return world.get(
        "reception",
        lambda w: record_reception(
            agency=w.agency_a,
            person_name="Nguyễn Văn Đến",
            address="1 Lê Lợi",
            content="Hỏi về đất đai",
            by=w.official(SPECIALIST, w.agency_a),
        ),
    )


def _inspection(world: World) -> Any:
    from lienthong.complaints.inspections import create_inspection

    return world.get(
        "inspection",
        lambda w: create_inspection(
            agency=w.agency_a,
            subject="Thanh tra việc thu phí",
            target="UBND phường thử",
            by=w.official(SPECIALIST, w.agency_a),
        ),
    )


def pk(world: World) -> dict[str, Any]:
    return {"pk": _case(world).pk}


def code(world: World) -> dict[str, Any]:
    return {"code": _case(world).code}


def inspection(world: World) -> dict[str, Any]:
    return {"inspection_id": _inspection(world).pk}


LIST: dict[str, Any] = {"who": Who.ROLE_ANY, "role": SPECIALIST}
SCOPED: dict[str, Any] = {"who": Who.ROLE, "role": SPECIALIST}
# Accepting, refusing, forwarding, assigning and extending are the leader's decisions.
DECIDE: dict[str, Any] = {
    "who": Who.ROLE,
    "role": Role.LEADER,
    "expect": {Actor.ADMIN: Answer.DENIED},
}
# The API's lists are filtered in the query: a citizen gets an empty list, not a 403 (the
# pages refuse them outright); what a citizen filed is theirs to read.
CITIZEN_FILTERED = {Actor.CITIZEN: Answer.OK}
CITIZEN_404 = {Actor.CITIZEN: Answer.HIDDEN}

RULES: list[Rule] = [
    page("complaints:list", **LIST),
    page("complaints:new", **LIST),
    page("complaints:detail", kwargs=pk, **SCOPED),
    page(
        "complaints:action",
        kwargs=lambda w: {"pk": _case(w).pk, "action": "accept"},
        method="POST",
        **SCOPED,
    ),
    page("complaints:receptions", **LIST),
    page("complaints:reception", kwargs=lambda w: {"pk": _reception(w).pk}, **SCOPED),
    page("complaints:stats", **LIST),
    page("complaints:inspections", **LIST),
    page("complaints:inspection", kwargs=lambda w: {"pk": _inspection(w).pk}, **SCOPED),
    page("complaints:file", Who.CITIZEN_ONLY),
    page("complaints:lookup", Who.PUBLIC),
    api("GET /api/complaints/cases", **LIST, expect=CITIZEN_FILTERED),
    api("POST /api/complaints/cases", Who.USER),
    # The citizen filed this case: theirs to read.
    api("GET /api/complaints/cases/{code}", kwargs=code, **SCOPED, expect=CITIZEN_FILTERED),
    *[
        api(f"POST /api/complaints/cases/{{code}}/{move}", kwargs=code, **DECIDE)
        for move in ("accept", "refuse", "forward", "assign", "extend")
    ],
    *[
        api(f"POST /api/complaints/cases/{{code}}/{move}", kwargs=code, **SCOPED)
        for move in ("report", "conclude")
    ],
    # The period is a required query: it is checked before who asks (422 for everyone).
    api("GET /api/complaints/stats", **LIST, body_first=True),
    api("GET /api/complaints/receptions", **LIST, expect=CITIZEN_FILTERED),
    api("POST /api/complaints/receptions", **LIST),
    api("GET /api/complaints/inspections", **LIST, expect=CITIZEN_FILTERED),
    api("POST /api/complaints/inspections", **LIST),
    api(
        "GET /api/complaints/inspections/{inspection_id}",
        kwargs=inspection,
        **SCOPED,
        expect=CITIZEN_404,
    ),
    api("GET /api/complaints/inspection-plans", **LIST, expect=CITIZEN_FILTERED),
    api("POST /api/complaints/inspection-plans", **LIST),
    api("POST /api/complaints/inspections/{inspection_id}/decide", kwargs=inspection, **SCOPED),
    api("POST /api/complaints/inspections/{inspection_id}/conclude", kwargs=inspection, **SCOPED),
    api(
        "POST /api/complaints/inspections/{inspection_id}/recommendations/{recommendation_id}"
        "/follow-up",
        kwargs=lambda w: {"inspection_id": _inspection(w).pk, "recommendation_id": 0},
        **SCOPED,
    ),
    api("GET /api/complaints/lookup/{code}", Who.PUBLIC, kwargs=code),
]
