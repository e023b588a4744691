"""Access rules of the kernel and the pages around it: home, administrative units, agencies,
the working-day calendar, accounts, search, the language switch, the public portal and the
workflow inbox (cases and tasks of agency A's dossier)."""

from __future__ import annotations

from typing import Any

from lienthong.accounts.models import Role
from tests.security.vocabulary import Actor, Answer, Rule, Who, api, page
from tests.security.world import World

SPECIALIST = Role.SPECIALIST


def _unit(world: World) -> Any:
    from lienthong.registries.land.testing import make_units  # idempotent

    def build(w: World) -> Any:
        from lienthong.core.models import AdminUnit

        make_units()
        return AdminUnit.objects.get(era=AdminUnit.Era.Y2025, code="25747")

    return world.get("admin_unit", build)


def _unit_kwargs(world: World) -> dict[str, Any]:
    unit = _unit(world)
    return {"era": unit.era, "code": unit.code}


def _editor(world: World) -> Any:
    """An official holding the portal's writer and reviewer permissions."""
    from django.contrib.auth.models import Permission

    from lienthong.core.testing import make_user

    def build(w: World) -> Any:
        user = make_user("acl-bientap", kind="official")
        codenames = ["add_article", "change_article", "publish_article", "add_category"]
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="portal", codename__in=codenames)
        )
        return type(user).objects.get(pk=user.pk)

    return world.get("portal_editor", build)


def _category(world: World) -> Any:
    from lienthong.portal import services

    return world.get(
        "portal_category",
        lambda w: services.create_category(name="Chuyên mục thử ACL", by=_editor(w)),
    )


def _article(world: World) -> Any:
    from django.utils import timezone

    from lienthong.portal import services

    def build(w: World) -> Any:
        editor = _editor(w)
        article = services.create_article(category=_category(w), title="Tin thử ACL", by=editor)
        services.submit_for_review(article, by=editor)
        return services.publish_article(article, by=editor, at=timezone.now())

    return world.get("portal_article", build)


def _image(world: World) -> Any:
    from lienthong.portal.models import ArticleImage

    def build(w: World) -> Any:
        # A row whose file is not on disk: the view answers 404 for it (nothing to serve).
        return ArticleImage.objects.create(file="portal/images/none.png", alt="ảnh", kind="png")

    return world.get("portal_image", build)


def _procedure(world: World) -> Any:
    from lienthong.onestop.testing import make_procedure

    return world.get("procedure", lambda w: make_procedure(agencies=[w.agency_a]))


def _dossier(world: World) -> Any:
    from lienthong.onestop.testing import make_dossier

    return world.get(
        "dossier",
        lambda w: make_dossier(
            procedure=_procedure(w),
            agency=w.agency_a,
            officer=w.official(Role.ONESTOP_OFFICER, w.agency_a),
        ),
    )


def _case(world: World) -> Any:
    return _dossier(world).case


def _task(world: World) -> Any:
    from lienthong.workflow.models import Task

    return Task.objects.filter(case=_case(world)).order_by("pk").first()


def _delegation(world: World) -> Any:
    import datetime

    from lienthong.workflow.services import create_delegation

    def build(w: World) -> Any:
        principal = w.official(SPECIALIST, w.agency_a)
        substitute = w.official(Role.LEADER, w.agency_a)
        today = datetime.date.today()
        return create_delegation(
            principal=principal,
            substitute=substitute,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=7),
            by=principal,
        )

    return world.get("delegation", build)


PUBLIC = Who.PUBLIC
OFFICIAL = Who.OFFICIAL
CASE: dict[str, Any] = {"who": Who.ROLE, "role": SPECIALIST}

RULES: list[Rule] = [
    page("<unnamed />", PUBLIC, path="/"),
    page("core:home", PUBLIC),
    page("core:units_lookup", PUBLIC),
    page("core:unit_detail", PUBLIC, kwargs=_unit_kwargs),
    page("core:agencies_tree", PUBLIC),
    page("core:agency_detail", PUBLIC, kwargs=lambda w: {"pk": w.agency_a.pk}),
    page("core:calendar", PUBLIC),
    api("GET /api/core/units", PUBLIC),
    api("GET /api/core/units/parse", PUBLIC, query="address=ph%C6%B0%E1%BB%9Dng"),
    api("GET /api/core/units/{era}/{code}", PUBLIC, kwargs=_unit_kwargs),
    api("GET /api/core/agencies", PUBLIC),
    api("GET /api/core/agencies/{unit_id}", PUBLIC, kwargs=lambda w: {"unit_id": w.agency_a.pk}),
    api("GET /api/core/calendar/due", PUBLIC, query="start=2025-03-03T09:00:00%2B07:00&days=5"),
    api("GET /api/core/calendar/count", PUBLIC, query="start=2025-03-03&end=2025-03-10"),
    api("GET /api/core/calendar/holidays", PUBLIC, query="year=2025"),
    # Accounts: the forms are open; logout takes a POST.
    page("accounts:login", PUBLIC),
    page("accounts:logout", PUBLIC, method="POST"),
    page("accounts:otp", Who.USER),
    api("GET /api/accounts/me", Who.USER),
    page("set_language", PUBLIC, method="POST", data={"language": "en"}),
    # Search: public documents for everyone, more for officials (filtered in the index).
    page("search:results", PUBLIC, query="q=thu"),
    api("GET /api/search/", PUBLIC, query="q=thu"),
    # The public portal.
    page("portal:home", PUBLIC),
    page("portal:category", PUBLIC, kwargs=lambda w: {"slug": _category(w).slug}),
    page("portal:article", PUBLIC, kwargs=lambda w: {"slug": _article(w).slug}),
    page("portal:statistics", PUBLIC),
    page("portal:catalogue", PUBLIC),
    page("portal:procedure", PUBLIC, kwargs=lambda w: {"code": _procedure(w).code}),
    page("portal:lookup", PUBLIC),
    page("portal:legal", PUBLIC),
    page(
        "portal:image",
        PUBLIC,
        kwargs=lambda w: {"pk": _image(w).pk},
        expect={a: Answer.HIDDEN for a in Actor},  # the test image has no file on disk
    ),
    page("portal:language", PUBLIC, query="lang=en"),
    page("portal:rss", PUBLIC),
    page("portal:sitemap", PUBLIC),
    api("GET /api/portal/articles", PUBLIC),
    api("GET /api/portal/articles/{ref}", PUBLIC, kwargs=lambda w: {"ref": _article(w).slug}),
    api("GET /api/portal/counters", PUBLIC),
    # Editing takes Django permissions (add/change/publish_article), held by editors and the
    # superuser; no role of the matrix brings them.
    api("POST /api/portal/articles", Who.ADMIN),
    # Editing shares the GET's path (`ref`: the id here). Callers without the permissions do
    # not see the article at all: 404, as for the moves below.
    api(
        "PATCH /api/portal/articles/{ref}",
        Who.ADMIN,
        kwargs=lambda w: {"ref": _article(w).pk},
        expect={a: Answer.HIDDEN for a in (Actor.CITIZEN, Actor.OTHER, Actor.OWNER)},
    ),
    # Other callers do not see the article to review at all: 404, as the API documents.
    *[
        api(
            f"POST /api/portal/articles/{{pk}}/{move}",
            Who.ADMIN,
            kwargs=lambda w: {"pk": _article(w).pk},
            expect={a: Answer.HIDDEN for a in (Actor.CITIZEN, Actor.OTHER, Actor.OWNER)},
        )
        for move in ("submit", "return", "publish")
    ],
    # Workflow: the inbox, cases and tasks of agency A.
    page("workflow:inbox", OFFICIAL),
    page("workflow:task_detail", kwargs=lambda w: {"pk": _task(w).pk}, **CASE),
    page("workflow:task_complete", kwargs=lambda w: {"pk": _task(w).pk}, method="POST", **CASE),
    page("workflow:case_detail", kwargs=lambda w: {"pk": _case(w).pk}, **CASE),
    page(
        "workflow:case_move",
        kwargs=lambda w: {"pk": _case(w).pk, "action": "forward"},
        method="POST",
        **CASE,
    ),
    page("workflow:delegations", OFFICIAL),
    page("workflow:delegation_add", OFFICIAL),
    page(
        "workflow:delegation_revoke",
        kwargs=lambda w: {"pk": _delegation(w).pk},
        method="POST",
        **CASE,
    ),
    page("workflow:templates", OFFICIAL),
    api("GET /api/inbox/", OFFICIAL),
    api("GET /api/inbox/templates", OFFICIAL),
    api("GET /api/inbox/delegations", OFFICIAL),
    api("POST /api/inbox/delegations", OFFICIAL),
    api(
        "POST /api/inbox/delegations/{delegation_id}/revoke",
        kwargs=lambda w: {"delegation_id": _delegation(w).pk},
        **CASE,
    ),
    api("GET /api/inbox/cases/{case_id}", kwargs=lambda w: {"case_id": _case(w).pk}, **CASE),
    *[
        api(
            f"POST /api/inbox/cases/{{case_id}}/{move}",
            kwargs=lambda w: {"case_id": _case(w).pk},
            **CASE,
        )
        for move in ("return", "pause", "resume", "stop")
    ],
    api(
        "POST /api/inbox/cases/{case_id}/forward",
        kwargs=lambda w: {"case_id": _case(w).pk},
        **CASE,
        body_first=False,  # the case is looked up (404/403) before the body is read
    ),
    api("GET /api/inbox/{task_id}", kwargs=lambda w: {"task_id": _task(w).pk}, **CASE),
    api("POST /api/inbox/{task_id}/complete", kwargs=lambda w: {"task_id": _task(w).pk}, **CASE),
]
