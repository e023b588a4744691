"""Access rules of the shared registries (cơ sở dữ liệu dùng chung).

Every registry type gets the same pages and API from `registries.base`, so one family of rules
is generated per type: readers are registry officials (`registry_owner`, lists filtered by
agency) and the superuser; a record of agency A is hidden (404) from agency B's officials.
The pages and operations a registry adds of its own are listed by hand below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lienthong.accounts.models import Role
from lienthong.core.models import AuditEntry
from lienthong.registries.base.models import ImportJob, RegistryRecord
from lienthong.registries.base.registry import all_types
from tests.security.vocabulary import Actor, Answer, Rule, Who, api, page
from tests.security.world import World

OWNER = Role.REGISTRY_OWNER


def _touched(record: RegistryRecord) -> RegistryRecord:
    """The record with one audited change, so its history has a version to revert to."""
    from lienthong.registries.base.services import update_record

    return update_record(record, by=None)


def _household(owner: Any) -> Any:
    from lienthong.registries.population.models import Household

    household = Household(owner=owner, code="HK-ACL-1")
    household.save()
    return household


def _staff(owner: Any) -> Any:
    from lienthong.registries.staff.testing import make_member

    return make_member(owner, by=None)


def _factories() -> dict[str, Callable[[Any], Any]]:
    from lienthong.registries.budget.testing import make_line
    from lienthong.registries.enterprises.testing import make_enterprise, make_project
    from lienthong.registries.labour.testing import make_seeker, make_vacancy
    from lienthong.registries.land.testing import make_parcel
    from lienthong.registries.population.testing import make_person

    return {
        "budget": make_line,
        "enterprises": make_enterprise,
        "investment_projects": make_project,
        "labour": make_seeker,
        "labour_vacancy": make_vacancy,
        "land": make_parcel,
        "population": make_person,
        "population_household": _household,
        "staff": _staff,
    }


#: Where each registry type's generic API lives.
API_PREFIX = {
    "budget": "/api/registries/budget/lines/",
    "enterprises": "/api/registries/enterprises/",
    "investment_projects": "/api/registries/enterprises/projects/",
    "labour": "/api/registries/labour/seekers/",
    "labour_vacancy": "/api/registries/labour/vacancies/",
    "land": "/api/registries/land/parcels/",
    "population": "/api/registries/population/persons/",
    "population_household": "/api/registries/population/households/",
    "staff": "/api/registries/staff/members/",
}


def record(key: str) -> Callable[[World], RegistryRecord]:
    """A builder: a record of registry `key` owned by agency A, with one audited change."""

    def build(world: World) -> RegistryRecord:
        def make(w: World) -> RegistryRecord:
            from lienthong.registries.land.testing import make_units  # idempotent

            w.get("registry:units", lambda _: make_units())
            return _touched(_factories()[key](w.agency_a))

        return world.get(f"registry:{key}", make)

    return build


def import_job(key: str) -> Callable[[World], ImportJob]:
    def build(world: World) -> ImportJob:
        def make(w: World) -> ImportJob:
            return ImportJob.objects.create(
                registry=key,
                owner=w.agency_a,
                uploaded_by=w.official(OWNER, w.agency_a),
                original_name="du-lieu.csv",
                file_format="csv",
                status=ImportJob.Status.REJECTED,
            )

        return world.get(f"import:{key}", make)

    return build


def _pk(build: Callable[[World], Any]) -> Callable[[World], Mapping[str, Any]]:
    return lambda world: {"pk": build(world).pk}


def _record_id(build: Callable[[World], Any]) -> Callable[[World], Mapping[str, Any]]:
    return lambda world: {"record_id": build(world).pk}


def _revert(build: Callable[[World], Any]) -> Callable[[World], Mapping[str, Any]]:
    def kwargs(world: World) -> Mapping[str, Any]:
        obj = build(world)
        entry = AuditEntry.objects.of_object(obj).order_by("seq").first()
        assert entry is not None
        return {"pk": obj.pk, "seq": entry.seq}

    return kwargs


#: Registry types every official may read (not personal data): job vacancies.
READ_BY_OFFICIALS = {"labour_vacancy"}


def _family(key: str, namespace: str, name: str) -> list[Rule]:
    """The generic pages and API of one registry type."""
    obj, job = record(key), import_job(key)
    counts = ()
    listing: dict[str, Any] = {"who": Who.ROLE_ANY, "role": OWNER}
    scoped: dict[str, Any] = {"who": Who.ROLE, "role": OWNER}
    readable = scoped
    if key in READ_BY_OFFICIALS:
        readable = {**scoped, "expect": {Actor.OTHER: Answer.OK}}
    p = f"{namespace}:{name}"
    prefix = API_PREFIX[key]
    return [
        page(f"{p}_list", **listing),
        page(f"{p}_create", **listing),
        page(f"{p}_import", **listing),
        page(f"{p}_import_job", kwargs=_pk(job), **scoped),
        page(f"{p}_import_errors", kwargs=_pk(job), **scoped),
        page(f"{p}_export", **listing),
        page(f"{p}_deleted", **listing),
        page(f"{p}_detail", kwargs=_pk(obj), **readable),
        page(f"{p}_edit", kwargs=_pk(obj), **scoped),
        page(f"{p}_delete", kwargs=_pk(obj), method="POST", counts=counts, **scoped),
        page(f"{p}_restore", kwargs=_pk(obj), method="POST", **scoped),
        page(f"{p}_history", kwargs=_pk(obj), **readable),
        page(f"{p}_revert", kwargs=_revert(obj), method="POST", **scoped),
        api(f"GET {prefix}", **listing),
        api(f"POST {prefix}", **listing),
        api(f"GET {prefix}export", **listing),
        api(f"POST {prefix}import", **listing),
        api(f"GET {prefix}{{record_id}}", kwargs=_record_id(obj), **readable),
        api(f"PATCH {prefix}{{record_id}}", kwargs=_record_id(obj), **scoped),
        api(f"DELETE {prefix}{{record_id}}", kwargs=_record_id(obj), **scoped),
        api(f"POST {prefix}{{record_id}}/restore", kwargs=_record_id(obj), **scoped),
        api(f"GET {prefix}{{record_id}}/history", kwargs=_record_id(obj), **readable),
    ]


def _generic() -> list[Rule]:
    from lienthong.registries.base import views

    rules: list[Rule] = []
    for registry_type in all_types():
        name = views._name(registry_type)
        rules += _family(registry_type.key, registry_type.namespace, name)
    return rules


ROLE_ANY: dict[str, Any] = {"who": Who.ROLE_ANY, "role": OWNER}
SCOPED: dict[str, Any] = {"who": Who.ROLE, "role": OWNER}
_enterprise, _project = record("enterprises"), record("investment_projects")
_seeker, _vacancy = record("labour"), record("labour_vacancy")
_member = record("staff")
ANY_OFFICIAL = {Actor.OTHER: Answer.OK}  # vacancies are read by every official

RULES: list[Rule] = [
    *_generic(),
    # A citizen sees who read their data; officials have no such page of their own.
    page("registry:my_data_access", Who.USER),
    # Enterprises and investment projects.
    page("enterprises:enterprise_status", kwargs=_pk(_enterprise), method="POST", **SCOPED),
    page("enterprises:branch_add", kwargs=_pk(_enterprise), method="POST", **SCOPED),
    page(
        "enterprises:branch_close",
        kwargs=lambda w: {"pk": _enterprise(w).pk, "branch": 0},
        method="POST",
        **SCOPED,
        expect={Actor.OWNER: Answer.HIDDEN, Actor.ADMIN: Answer.HIDDEN},  # no such branch
    ),
    page("enterprises:project_amend", kwargs=_pk(_project), method="POST", **SCOPED),
    page("enterprises:project_terminate", kwargs=_pk(_project), method="POST", **SCOPED),
    page("enterprises:project_sync_problems", **ROLE_ANY),
    api(
        "GET /api/registries/enterprises/{record_id}/status-history",
        kwargs=_record_id(_enterprise),
        **SCOPED,
    ),
    api(
        "POST /api/registries/enterprises/{record_id}/status",
        kwargs=_record_id(_enterprise),
        **SCOPED,
    ),
    api(
        "GET /api/registries/enterprises/{record_id}/branches",
        kwargs=_record_id(_enterprise),
        **SCOPED,
    ),
    api(
        "POST /api/registries/enterprises/{record_id}/branches",
        kwargs=_record_id(_enterprise),
        **SCOPED,
    ),
    api(
        "GET /api/registries/enterprises/projects/{record_id}/investors",
        kwargs=_record_id(_project),
        **SCOPED,
    ),
    api(
        "GET /api/registries/enterprises/projects/{record_id}/amendments",
        kwargs=_record_id(_project),
        **SCOPED,
    ),
    api(
        "POST /api/registries/enterprises/projects/{record_id}/amendments",
        kwargs=_record_id(_project),
        **SCOPED,
    ),
    api(
        "POST /api/registries/enterprises/projects/{record_id}/terminate",
        kwargs=_record_id(_project),
        **SCOPED,
    ),
    # Labour market.
    page("labour:home", **ROLE_ANY),
    page("labour:vacancy_matches", kwargs=_pk(_vacancy), **SCOPED, expect=ANY_OFFICIAL),
    page("labour:jobseeker_matches", kwargs=_pk(_seeker), **SCOPED),
    api(
        "GET /api/registries/labour/seekers/{record_id}/matches",
        kwargs=_record_id(_seeker),
        **SCOPED,
    ),
    api(
        "GET /api/registries/labour/vacancies/{record_id}/matches",
        kwargs=_record_id(_vacancy),
        **SCOPED,
        expect=ANY_OFFICIAL,
    ),
    # Budget reports.
    page("budget:report", **ROLE_ANY),
    page("budget:report_xlsx", **ROLE_ANY),
    api("GET /api/registries/budget/report", **ROLE_ANY),
    api("GET /api/registries/budget/report.xlsx", **ROLE_ANY),
    # Staff (cán bộ, công chức, viên chức) and teachers.
    page("staff:due_report", **ROLE_ANY),
    page("staff:salary_change", kwargs=_pk(_member), method="POST", **SCOPED),
    page("staff:regular_raise", kwargs=_pk(_member), method="POST", **SCOPED),
    page("staff:appoint", kwargs=_pk(_member), method="POST", **SCOPED),
    page(
        "staff:end_appointment",
        kwargs=lambda w: {"pk": _member(w).pk, "appointment_id": 0},
        method="POST",
        **SCOPED,
        expect={Actor.OWNER: Answer.HIDDEN, Actor.ADMIN: Answer.HIDDEN},  # no such appointment
    ),
    page(
        "staff:career_add",
        kwargs=lambda w: {"pk": _member(w).pk, "kind": "khen-thuong"},
        method="POST",
        **SCOPED,
    ),
    page(
        "staff:career_delete",
        kwargs=lambda w: {"pk": _member(w).pk, "kind": "khen-thuong", "record_id": 0},
        method="POST",
        **SCOPED,
        expect={Actor.OWNER: Answer.HIDDEN, Actor.ADMIN: Answer.HIDDEN},  # no such record
    ),
    page("staff_teachers:list", **ROLE_ANY),
    api(
        "GET /api/registries/staff/members/{member_id}/file",
        kwargs=lambda w: {"member_id": _member(w).pk},
        **SCOPED,
    ),
    api(
        "POST /api/registries/staff/members/{member_id}/salary-changes",
        kwargs=lambda w: {"member_id": _member(w).pk},
        **SCOPED,
    ),
    api(
        "POST /api/registries/staff/members/{member_id}/regular-raise",
        kwargs=lambda w: {"member_id": _member(w).pk},
        **SCOPED,
    ),
    api(
        "POST /api/registries/staff/members/{member_id}/appointments",
        kwargs=lambda w: {"member_id": _member(w).pk},
        **SCOPED,
    ),
    api(
        "POST /api/registries/staff/appointments/{appointment_id}/end",
        kwargs=lambda w: {"appointment_id": 0},
        **SCOPED,
        expect={Actor.OWNER: Answer.HIDDEN, Actor.ADMIN: Answer.HIDDEN},  # no such appointment
    ),
    *[
        rule
        for kind in ("qualifications", "training", "rewards", "disciplines")
        for rule in (
            api(
                f"POST /api/registries/staff/members/{{member_id}}/{kind}",
                kwargs=lambda w: {"member_id": _member(w).pk},
                **SCOPED,
            ),
            api(
                f"DELETE /api/registries/staff/members/{{member_id}}/{kind}/{{record_id}}",
                kwargs=lambda w: {"member_id": _member(w).pk, "record_id": 0},
                **SCOPED,
                expect={Actor.OWNER: Answer.HIDDEN, Actor.ADMIN: Answer.HIDDEN},  # no such row
            ),
        )
    ],
    api("GET /api/registries/staff/due-for-raise", **ROLE_ANY),
    api("GET /api/registries/staff/teachers", **ROLE_ANY),
    api("GET /api/registries/staff/scales", **ROLE_ANY),
    api("GET /api/registries/staff/ranks", **ROLE_ANY),
]


# --- Legal documents (văn bản quy phạm pháp luật): public reading, editing by the registry ---


def _legal(world: World) -> Any:
    import datetime

    from lienthong.registries.legal import services
    from lienthong.registries.legal.parsing import DocumentData

    def build(w: World) -> Any:
        data = DocumentData(
            number="15/2026/QĐ-UBND",
            doc_type="decision",
            issuer="Ủy ban nhân dân tỉnh",
            title="Quyết định thử phân quyền",
            text="Điều 1. Thử.\n",
            issued_date=datetime.date(2026, 3, 2),
            effective_date=datetime.date(2026, 3, 15),
        )
        return services.create_document(data, owner=w.agency_a, by=None)

    return world.get("legal_document", build)


def _legal_job(world: World) -> Any:
    return import_job("legal")(world)


def _slug(world: World) -> Mapping[str, Any]:
    return {"slug": _legal(world).slug}


def _ref(world: World) -> Mapping[str, Any]:
    return {"ref": _legal(world).slug}


def _layer(world: World) -> Any:
    from lienthong.registries.land.models import BaseLayer

    def build(w: World) -> Any:
        return BaseLayer.objects.create(
            name="Lớp thử",
            slug="acl-lop-thu",
            geojson='{"type": "FeatureCollection", "features": []}',
            owner=w.agency_a,
        )

    return world.get("land_layer", build)


# Legal documents and base layers are public knowledge, not hidden: another agency's registry
# official is refused (403) rather than told the document does not exist.
LEGAL_OTHER = {Actor.OTHER: Answer.DENIED}
LEGAL: dict[str, Any] = {**SCOPED, "expect": LEGAL_OTHER}
LAYER = LEGAL

RULES += [
    page("legal:list", Who.PUBLIC),
    page("legal:create", **ROLE_ANY),
    page("legal:deleted", **ROLE_ANY),
    page("legal:import", **ROLE_ANY),
    page("legal:import_job", kwargs=_pk(_legal_job), **SCOPED),
    page("legal:import_errors", kwargs=_pk(_legal_job), **SCOPED),
    page("legal:export", Who.PUBLIC),
    page("legal:detail", Who.PUBLIC, kwargs=_slug),
    page("legal:print", Who.PUBLIC, kwargs=_slug),
    page("legal:edit", kwargs=_slug, **LEGAL),
    page("legal:delete", kwargs=_slug, method="POST", **LEGAL),
    page("legal:restore", kwargs=_slug, method="POST", **LEGAL),
    page("legal:history", kwargs=_slug, **LEGAL),  # who changed what: for the editors
    page("legal:relation_add", kwargs=_slug, method="POST", **LEGAL),
    page(
        "legal:relation_remove",
        kwargs=lambda w: {"slug": _legal(w).slug, "pk": 0},
        method="POST",
        **SCOPED,
        expect={**LEGAL_OTHER, Actor.OWNER: Answer.HIDDEN, Actor.ADMIN: Answer.HIDDEN},  # none
    ),
    api("GET /api/registries/legal/documents", Who.PUBLIC),
    api("POST /api/registries/legal/documents", **ROLE_ANY),
    api("POST /api/registries/legal/documents/import", **ROLE_ANY),
    api("GET /api/registries/legal/documents/export", Who.PUBLIC),
    api("GET /api/registries/legal/documents/{ref}/relations", Who.PUBLIC, kwargs=_ref),
    api("POST /api/registries/legal/documents/{ref}/relations", kwargs=_ref, **LEGAL),
    api(
        "DELETE /api/registries/legal/documents/{ref}/relations/{relation_id}",
        kwargs=lambda w: {"ref": _legal(w).slug, "relation_id": 0},
        **SCOPED,
        expect={**LEGAL_OTHER, Actor.OWNER: Answer.HIDDEN, Actor.ADMIN: Answer.HIDDEN},  # none
    ),
    # Restoring looks among deleted documents only: a live one is "not found" for everyone.
    api(
        "POST /api/registries/legal/documents/{ref}/restore",
        kwargs=_ref,
        **SCOPED,
        expect={a: Answer.HIDDEN for a in list(Actor)[1:]},
    ),
    api("GET /api/registries/legal/documents/{ref}", Who.PUBLIC, kwargs=_ref),
    api("PATCH /api/registries/legal/documents/{ref}", kwargs=_ref, **LEGAL),
    api("DELETE /api/registries/legal/documents/{ref}", kwargs=_ref, **LEGAL),
    # Land: the map and base layers (every official sees layers; the owner edits them).
    page("land:map", **ROLE_ANY),
    page("land:export_geojson", **ROLE_ANY),
    page("land:layer_list", Who.OFFICIAL),
    page("land:layer_create", method="POST", **ROLE_ANY),
    page("land:layer_edit", kwargs=lambda w: {"slug": _layer(w).slug}, **LAYER),
    page("land:layer_delete", kwargs=lambda w: {"slug": _layer(w).slug}, method="POST", **LAYER),
    api("GET /api/registries/land/parcels/export.geojson", **ROLE_ANY),
    api("GET /api/registries/land/map", **ROLE_ANY, body_first=True),  # bbox checked first
    api(
        "GET /api/registries/land/tiles/{z}/{x}/{y}.geojson",
        kwargs=lambda w: {"z": 16, "x": 52278, "y": 30600},
        **ROLE_ANY,
    ),
    api("GET /api/registries/land/layers", Who.OFFICIAL),
    api(
        "GET /api/registries/land/layers/{slug}.geojson",
        Who.OFFICIAL,
        kwargs=lambda w: {"slug": _layer(w).slug},
    ),
]
