"""Access rules of the one-stop shop (một cửa điện tử): catalogue, intake, processing,
the citizen's own dossiers and data store, statistics.

Agency A receives procedure P. Objects: a counter dossier in processing (officials of A), and
an online dossier the matrix's citizen submitted to A, waiting to be accepted (the citizen's
own; the one-stop officers of A accept it).
"""

from __future__ import annotations

from typing import Any

from lienthong.accounts.models import Role
from tests.security.rules_core import _dossier, _procedure
from tests.security.vocabulary import Actor, Answer, Rule, Who, api, page
from tests.security.world import World

OFFICER = Role.ONESTOP_OFFICER
SPECIALIST = Role.SPECIALIST
LEADER = Role.LEADER


def _online(world: World) -> Any:
    from lienthong.onestop.testing import make_dossier

    return world.get(
        "online_dossier",
        lambda w: make_dossier(
            procedure=_procedure(w),
            agency=w.agency_a,
            applicant=w.citizen,
            channel="online",
            accepted=False,
        ),
    )


def _citizen_document(world: World) -> Any:
    from lienthong.onestop.testing import make_citizen_document

    return world.get("citizen_document", lambda w: make_citizen_document(w.citizen))


def code(world: World) -> dict[str, Any]:
    return {"code": _dossier(world).code}


def online(world: World) -> dict[str, Any]:
    return {"code": _online(world).code}


def _component(world: World) -> dict[str, Any]:
    dossier = _online(world)
    return {"code": dossier.code, "pk": dossier.components.order_by("pk").first().pk}


def proc(world: World) -> dict[str, Any]:
    return {"code": _procedure(world).code}


PUBLIC, USER, CITIZEN = Who.PUBLIC, Who.USER, Who.CITIZEN
AT_COUNTER: dict[str, Any] = {"who": Who.ROLE_ANY, "role": OFFICER}
COUNTER: dict[str, Any] = {"who": Who.ROLE, "role": OFFICER}
PROCESS: dict[str, Any] = {"who": Who.ROLE, "role": SPECIALIST}
NOTHING = {a: Answer.HIDDEN for a in (Actor.CITIZEN, Actor.OTHER, Actor.OWNER, Actor.ADMIN)}
# The administrator holds no one-stop role: the counter's pages refuse them like anyone else.
NOT_ADMIN = {Actor.ADMIN: Answer.DENIED}
# A dossier is looked up among those the caller may see: a citizen who did not file it gets
# the same 404 as for a missing code (the house's "not yours").
CITIZEN_404 = {Actor.CITIZEN: Answer.HIDDEN}

RULES: list[Rule] = [
    # Catalogue of procedures: public reading; import/export for the IT department.
    page("onestop:catalogue_list", PUBLIC),
    # The transfer page shows every official the import form; importing itself takes it_admin
    # (the API's import rule below). Exporting the public catalogue is for every official.
    page("onestop:catalogue_transfer", Who.OFFICIAL),
    page("onestop:catalogue_export", Who.OFFICIAL),
    page("onestop:catalogue_detail", PUBLIC, kwargs=proc),
    page(
        "onestop:catalogue_form_file",
        PUBLIC,
        kwargs=lambda w: {"code": _procedure(w).code, "order": 99},
        expect={a: Answer.HIDDEN for a in Actor},  # no form file with that number
    ),
    api("GET /api/onestop/procedures", PUBLIC),
    api("GET /api/onestop/fields", PUBLIC),
    api("GET /api/onestop/procedures/export", Who.OFFICIAL),
    api("POST /api/onestop/procedures/import", Who.ADMIN, body_first=False),  # who, then what
    api("GET /api/onestop/procedures/{code}", PUBLIC, kwargs=proc),
    # Intake at the counter (one-stop officers) and online (citizens).
    page("onestop:intake_counter", **AT_COUNTER, expect=NOT_ADMIN),
    page("onestop:intake_received", kwargs=code, **COUNTER, expect=NOT_ADMIN),
    page(
        "onestop:intake_counter_form",
        kwargs=lambda w: {"procedure_code": _procedure(w).code},
        **AT_COUNTER,
        # Agency B does not receive procedure P: its officers are told it is not theirs.
        expect={Actor.OTHER: Answer.HIDDEN, **NOT_ADMIN},
    ),
    page("onestop:intake_queue", **AT_COUNTER, expect=NOT_ADMIN),
    page("onestop:intake_review", kwargs=online, **COUNTER, expect=NOT_ADMIN),
    page("onestop:intake_accept", kwargs=online, method="POST", **COUNTER, expect=NOT_ADMIN),
    page("onestop:intake_refuse", kwargs=online, method="POST", **COUNTER, expect=NOT_ADMIN),
    page(
        "onestop:intake_online",
        Who.CITIZEN_ONLY,
        kwargs=lambda w: {"procedure_code": _procedure(w).code},
    ),
    page("onestop:intake_mine", Who.CITIZEN_ONLY),
    # Officials are refused "my dossiers" pages as a kind (403), before any lookup.
    page("onestop:intake_mine_detail", Who.CITIZEN_ONLY, kwargs=online),
    page("onestop:lookup", PUBLIC),
    page("lookup:lookup", PUBLIC),
    page("onestop:intake_receipt_pdf", kwargs=code, **COUNTER, expect=CITIZEN_404),
    # The online dossier was not refused: there is no refusal slip for anyone.
    page("onestop:intake_refusal_pdf", kwargs=online, **COUNTER, expect=NOTHING),
    # A component file: its applicant, and the officials of the receiving agency.
    page(
        "onestop:intake_file",
        CITIZEN,
        kwargs=_component,
        expect={Actor.OWNER: Answer.OK, Actor.ADMIN: Answer.OK},
    ),
    api("POST /api/onestop/dossiers", USER),
    api("POST /api/onestop/dossiers/multipart", USER),
    api("POST /api/onestop/dossiers/{code}/components", CITIZEN, kwargs=online),
    api("POST /api/onestop/dossiers/counter", **AT_COUNTER),
    api("GET /api/onestop/dossiers/mine", Who.CITIZEN_ONLY),
    api("GET /api/onestop/dossiers/{code}", kwargs=code, **COUNTER, expect=CITIZEN_404),
    api("GET /api/onestop/dossiers/{code}/receipt", kwargs=code, **COUNTER, expect=CITIZEN_404),
    api("POST /api/onestop/dossiers/{code}/accept", kwargs=online, **COUNTER, expect=NOT_ADMIN),
    # The refusal's reason is validated before who asks: 422 for every logged-in caller.
    api(
        "POST /api/onestop/dossiers/{code}/refuse",
        kwargs=online,
        **COUNTER,
        expect=NOT_ADMIN,
        body_first=True,
    ),
    api("GET /api/onestop/lookup/{code}", PUBLIC, kwargs=code),
    # Processing by the officials of agency A.
    page("onestop:processing_dossier", kwargs=code, **PROCESS),
    page("onestop:processing_dossier_by_id", kwargs=lambda w: {"pk": _dossier(w).pk}, **PROCESS),
    # Forwarding takes the open step's task: the administrator holds none.
    page("onestop:processing_forward", kwargs=code, method="POST", **PROCESS, expect=NOT_ADMIN),
    *[
        page(f"onestop:processing_{name}", kwargs=code, method="POST", **PROCESS)
        for name in (
            "return_step",
            "supplement",
            "supply",
            "obligation",
            "obligation_paid",
            "handover",
            "stop",
            "withdraw",
            "apology",
            "result",
            "return_result",
        )
    ],
    # No result uploaded yet: a 404 for everyone who may see the dossier at all.
    page("onestop:processing_result_file", kwargs=code, **PROCESS, expect=NOTHING),
    page(
        "onestop:processing_supplement_pdf",
        kwargs=lambda w: {"code": _dossier(w).code, "pk": 0},
        **PROCESS,
        expect=NOTHING,  # no such request
    ),
    page(
        "onestop:processing_apology_pdf",
        kwargs=lambda w: {"code": _dossier(w).code, "pk": 0},
        **PROCESS,
        expect=NOTHING,  # no such letter
    ),
    api(
        "POST /api/onestop/dossiers/{code}/forward",
        kwargs=code,
        **PROCESS,
        expect=NOT_ADMIN,
        body_first=False,  # who, then what
    ),
    api("GET /api/onestop/dossiers/{code}/processing", kwargs=code, **PROCESS, expect=CITIZEN_404),
    *[
        api(f"POST /api/onestop/dossiers/{{code}}/{move}", kwargs=code, **PROCESS)
        for move in (
            "return",
            "supplement",
            "supplement/files",
            "supply",
            "obligation",
            "obligation/paid",
            "handover",
            "stop",
            "withdraw",
            "apology",
            "result",
            "return-result",
        )
    ],
    # The citizen's own dossiers and data store.
    page("onestop:my_dossier", CITIZEN, kwargs=online),
    page("onestop:my_dossier_withdraw", CITIZEN, kwargs=online, method="POST"),
    page("onestop:my_dossier_supplement", CITIZEN, kwargs=online, method="POST"),
    page("onestop:my_dossier_result", CITIZEN, kwargs=online, expect=NOTHING),  # no result yet
    page(
        "onestop:my_supplement_pdf",
        CITIZEN,
        kwargs=lambda w: {"code": _online(w).code, "pk": 0},
        expect={Actor.CITIZEN: Answer.HIDDEN},  # no such request
    ),
    page(
        "onestop:my_apology_pdf",
        CITIZEN,
        kwargs=lambda w: {"code": _online(w).code, "pk": 0},
        expect={Actor.CITIZEN: Answer.HIDDEN},  # no such letter
    ),
    page("onestop:my_documents", Who.CITIZEN_ONLY),
    page("onestop:my_document_file", CITIZEN, kwargs=lambda w: {"pk": _citizen_document(w).pk}),
    api("GET /api/onestop/documents", USER),
    # Statistics (form II.06a): officials, scoped to their agency.
    page("onestop:stats", Who.OFFICIAL),
    page("onestop:stats_xlsx", Who.OFFICIAL),
    api("GET /api/onestop/stats/ii06a", Who.OFFICIAL),
]
