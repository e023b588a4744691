"""Access rules of the ICT inventory (hạ tầng CNTT, /ha-tang-cntt/, /api/ict/).

An agency's officials (a specialist here) see and edit their agency's report, checklist and
incidents; officials of another agency get 404 for them. The IT department (it_admin) sees
every agency, accepts or returns reports and sets targets; other officials get 403 there.
Lists and indicators are open to every official, filtered by agency.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security.vocabulary import Actor, Answer, Rule, Who, api, page
from tests.security.world import World

PERIOD = "acl-2024"
FIGURES: dict[str, Any] = {"staff": 10, "staff_with_computer": 8, "computers": 9}


def _period(world: World) -> Any:
    from lienthong.ict.models import ReportingPeriod
    from lienthong.ict.seed import ensure_catalogue

    def build(w: World) -> Any:
        ensure_catalogue()
        return ReportingPeriod.objects.create(
            code=PERIOD,
            name="Năm thử",
            start=datetime.date(2024, 1, 1),
            end=datetime.date(2024, 12, 31),
        )

    return world.get("ict_period", build)


def _report(world: World, status: str) -> Any:
    from lienthong.ict import services
    from lienthong.ict.services import ReportFigures

    def build(w: World) -> Any:
        report = services.save_report(
            agency=w.agency_a, period=_period(w), figures=ReportFigures(**FIGURES), by=w.admin
        )
        if status == "submitted":
            services.submit_report(report, by=w.admin)
        return report

    # Agency A has one report per period: the submitted one lives in a period of its own.
    if status == "submitted":
        return world.get("ict_submitted", lambda w: _submitted(w))
    return world.get("ict_report", build)


def _submitted(world: World) -> Any:
    from lienthong.ict import services
    from lienthong.ict.models import ReportingPeriod
    from lienthong.ict.services import ReportFigures

    period = ReportingPeriod.objects.create(
        code="acl-2025",
        name="Năm thử 2",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
    )
    report = services.save_report(
        agency=world.agency_a, period=period, figures=ReportFigures(**FIGURES), by=world.admin
    )
    return services.submit_report(report, by=world.admin)


def _incident(world: World) -> Any:
    from django.utils import timezone

    from lienthong.ict import services

    def build(w: World) -> Any:
        return services.report_incident(
            agency=w.agency_a, title="Sự cố thử", detected_at=timezone.now(), by=w.admin
        )

    return world.get("ict_incident", build)


def _evidence(world: World) -> Any:
    from lienthong.ict import services
    from lienthong.ict.models import ChecklistItem

    def build(w: World) -> Any:
        _period(w)
        return services.set_compliance(
            agency=w.agency_a,
            item=ChecklistItem.objects.get(code="sao-luu"),
            status="met",
            evidence=SimpleUploadedFile("bb.pdf", b"%PDF-1.4\n%%EOF\n"),
            by=w.admin,
        )

    return world.get("ict_evidence", build)


def _edit(world: World) -> dict[str, Any]:
    return {"agency_id": world.agency_a.pk, "period": _period(world).code}


def _report_pk(world: World) -> dict[str, Any]:
    return {"pk": _report(world, "draft").pk}


def _report_api(world: World) -> dict[str, Any]:
    return {"report_id": _report(world, "draft").pk}


def _submitted_api(world: World) -> dict[str, Any]:
    return {"report_id": _report(world, "submitted").pk}


def _agency_api(world: World) -> dict[str, Any]:
    _period(world)
    return {"agency": world.agency_a.code}


def _save_api(world: World) -> dict[str, Any]:
    return {"agency": world.agency_a.code, "period": _period(world).code}


#: Accept and return: the IT department's; an official of agency A sees the report but is
#: refused (403); one of agency B does not see it at all (404).
IT_ONLY = {Actor.OTHER: Answer.HIDDEN}

#: The ICT endpoints check permission before they read their body (the matrix sends a valid
#: one, and the import's file is optional in the schema), so refusals are 403 / 404, not 422.
CHECKED_FIRST = {"body_first": False}

RULES: list[Rule] = [
    page("ict:reports", Who.OFFICIAL),
    page("ict:edit", Who.ROLE, kwargs=_edit),
    page("ict:report", Who.ROLE, kwargs=_report_pk),
    page(
        "ict:action",
        Who.ROLE,
        method="POST",
        kwargs=lambda w: {**_report_pk(w), "action": "gui"},
    ),
    page("ict:import", Who.OFFICIAL),
    page("ict:template", Who.OFFICIAL),
    page("ict:indicators", Who.OFFICIAL),
    page("ict:checklists", Who.OFFICIAL),
    page("ict:checklist", Who.ROLE, kwargs=lambda w: {"agency_id": w.agency_a.pk}),
    page("ict:evidence", Who.ROLE, kwargs=lambda w: {"pk": _evidence(w).pk}),
    page("ict:incidents", Who.OFFICIAL),
    page("ict:incident", Who.ROLE, kwargs=lambda w: {"pk": _incident(w).pk}),
    api("GET /api/ict/periods", Who.OFFICIAL),
    api("GET /api/ict/reports", Who.OFFICIAL),
    api(
        "POST /api/ict/agencies/{agency}/reports/{period}",
        Who.ROLE,
        **CHECKED_FIRST,
        kwargs=_save_api,
        data=FIGURES,
        counts=("ict.InventoryReport",),
    ),
    api("GET /api/ict/reports/template", Who.OFFICIAL),
    # Without a file the official gets 422 (past the gate); the matrix sends JSON.
    api("POST /api/ict/reports/import", Who.OFFICIAL, query=f"period={PERIOD}", **CHECKED_FIRST),
    api("GET /api/ict/reports/{report_id}", Who.ROLE, kwargs=_report_api),
    api("POST /api/ict/reports/{report_id}/submit", Who.ROLE, kwargs=_report_api),
    api(
        "POST /api/ict/reports/{report_id}/accept", Who.ADMIN, kwargs=_submitted_api, expect=IT_ONLY
    ),
    api(
        "POST /api/ict/reports/{report_id}/return",
        Who.ADMIN,
        **CHECKED_FIRST,
        kwargs=_submitted_api,
        data={"reason": "Thiếu số liệu"},
        expect=IT_ONLY,
    ),
    api("GET /api/ict/indicators", Who.OFFICIAL),
    api("GET /api/ict/targets", Who.OFFICIAL),
    api(
        "POST /api/ict/targets",
        Who.ADMIN,
        **CHECKED_FIRST,
        data={"indicator": "servers_total", "value": "10", "due": "2024-12-31"},
        counts=("ict.IndicatorTarget",),
    ),
    api("GET /api/ict/agencies/{agency}/checklist", Who.ROLE, kwargs=_agency_api),
    api(
        "POST /api/ict/agencies/{agency}/checklist",
        Who.ROLE,
        **CHECKED_FIRST,
        kwargs=_agency_api,
        data={"item": "nhat-ky", "status": "met"},
        counts=("ict.Compliance",),
    ),
    # Without a file the owner gets 422 (past the gate): the matrix sends no multipart body.
    api(
        "POST /api/ict/agencies/{agency}/checklist/{item}/evidence",
        Who.ROLE,
        **CHECKED_FIRST,
        kwargs=lambda w: {**_agency_api(w), "item": "nhat-ky"},
        counts=("ict.Compliance",),
    ),
    api(
        "GET /api/ict/agencies/{agency}/checklist/{item}/evidence",
        Who.ROLE,
        kwargs=lambda w: {"agency": _evidence(w).agency.code, "item": "sao-luu"},
    ),
    api("GET /api/ict/incidents", Who.OFFICIAL),
    api(
        "POST /api/ict/agencies/{agency}/incidents",
        Who.ROLE,
        **CHECKED_FIRST,
        kwargs=_agency_api,
        data={"title": "Dò quét", "detected_at": "2024-05-01T08:00:00+07:00"},
        counts=("ict.Incident",),
    ),
    api(
        "GET /api/ict/incidents/{incident_id}",
        Who.ROLE,
        kwargs=lambda w: {"incident_id": _incident(w).pk},
    ),
    api(
        "POST /api/ict/incidents/{incident_id}/{step}",
        Who.ROLE,
        **CHECKED_FIRST,
        kwargs=lambda w: {"incident_id": _incident(w).pk, "step": "initial"},
    ),
]
