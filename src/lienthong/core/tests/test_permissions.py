"""Row scope (`visible_to`, `get_visible_or_404`) on the inbox's tasks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from lienthong.accounts.models import Role
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import ScopedQuerySet, get_visible_or_404, is_official_user
from lienthong.core.testing import make_org_unit, make_user
from lienthong.workflow.models import Task
from lienthong.workflow.tests.helpers import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> dict[str, OrgUnit]:
    """A department with two divisions, and another department."""
    dept = make_org_unit("Sở Tư pháp")
    division = make_org_unit("Phòng Hành chính tư pháp", parent=dept, is_agency=False)
    sibling = make_org_unit("Phòng Bổ trợ tư pháp", parent=dept, is_agency=False)
    other = make_org_unit("Sở Nội vụ")
    return {"dept": dept, "division": division, "sibling": sibling, "other": other}


def titles(qs: object) -> set[str]:
    return {task.title for task in qs}  # type: ignore[attr-defined]


def test_a_role_covers_its_unit_and_every_unit_below(tree: dict[str, OrgUnit]) -> None:
    # Given tasks in each unit and a specialist of the department
    for key, unit in tree.items():
        make_task(key, org_unit=unit, role=Role.SPECIALIST)
    user = make_user(roles=[(Role.SPECIALIST, tree["dept"])])

    # When / then: the department and both divisions, not the other department
    assert titles(Task.objects.visible_to(user)) == {"dept", "division", "sibling"}


def test_a_role_in_a_division_sees_neither_its_parent_nor_its_siblings(
    tree: dict[str, OrgUnit],
) -> None:
    for key, unit in tree.items():
        make_task(key, org_unit=unit)
    user = make_user(roles=[(Role.LEADER, tree["division"])])

    assert titles(Task.objects.visible_to(user)) == {"division"}


def test_a_unit_whose_id_extends_another_id_is_not_below_it() -> None:
    # Given units 7001 and 70012: the string "/7001" starts "/70012/", the path "/7001/" not
    first = make_org_unit(pk=7001)
    lookalike = make_org_unit(pk=70012)
    make_task("first", org_unit=first)
    make_task("lookalike", org_unit=lookalike)
    user = make_user(roles=[(Role.SPECIALIST, first)])

    assert titles(Task.objects.visible_to(user)) == {"first"}


def test_own_tasks_are_visible_wherever_they_are(tree: dict[str, OrgUnit]) -> None:
    user = make_user(roles=[(Role.SPECIALIST, tree["division"])])
    make_task("mine elsewhere", org_unit=tree["other"], assignee=user)
    make_task("not mine elsewhere", org_unit=tree["other"])

    assert titles(Task.objects.visible_to(user)) == {"mine elsewhere"}


def test_roles_limit_the_scope(tree: dict[str, OrgUnit]) -> None:
    user = make_user(roles=[(Role.SPECIALIST, tree["division"]), (Role.CLERK, tree["other"])])
    make_task("division", org_unit=tree["division"])
    make_task("other", org_unit=tree["other"])

    assert titles(Task.objects.visible_to(user, roles=[Role.CLERK])) == {"other"}
    assert titles(Task.objects.visible_to(user, roles=[Role.LEADER])) == set()
    assert titles(Task.objects.visible_to(user)) == {"division", "other"}


def test_superuser_sees_everything(tree: dict[str, OrgUnit]) -> None:
    make_task("a", org_unit=tree["dept"])
    make_task("b", org_unit=None, assignee=None, role="")
    admin = make_user(is_superuser=True, kind="official")

    assert titles(Task.objects.visible_to(admin)) == {"a", "b"}


def test_anonymous_citizens_and_disabled_accounts_see_nothing(tree: dict[str, OrgUnit]) -> None:
    make_task("a", org_unit=tree["dept"])
    citizen = make_user(roles=[(Role.CITIZEN, None)])
    disabled = make_user(roles=[(Role.SPECIALIST, tree["dept"])], is_active=False)

    assert list(Task.objects.visible_to(AnonymousUser())) == []
    assert list(Task.objects.visible_to(citizen)) == []
    assert list(Task.objects.visible_to(disabled)) == []


def test_visible_to_is_one_query_however_many_grants(
    tree: dict[str, OrgUnit], django_assert_num_queries: object
) -> None:
    user = make_user(roles=[(Role.SPECIALIST, unit) for unit in tree.values()])
    for key, unit in tree.items():
        make_task(key, org_unit=unit)

    with django_assert_num_queries(1):  # type: ignore[operator]
        assert len(list(Task.objects.visible_to(user))) == 4


def test_get_visible_or_404_returns_a_visible_row(tree: dict[str, OrgUnit]) -> None:
    task = make_task(org_unit=tree["division"])
    user = make_user(roles=[(Role.SPECIALIST, tree["dept"])])

    assert get_visible_or_404(Task.objects, user, pk=task.pk) == task


def test_missing_and_not_yours_give_the_same_404(tree: dict[str, OrgUnit]) -> None:
    theirs = make_task(org_unit=tree["other"])
    user = make_user(roles=[(Role.SPECIALIST, tree["dept"])])
    missing_pk = theirs.pk + 1000

    with pytest.raises(Http404) as not_yours:
        get_visible_or_404(Task.objects.all(), user, pk=theirs.pk)
    with pytest.raises(Http404) as missing:
        get_visible_or_404(Task.objects.all(), user, pk=missing_pk)
    with pytest.raises(Http404) as malformed:
        get_visible_or_404(Task.objects.all(), user, pk="abc")

    assert str(not_yours.value) == str(missing.value) == str(malformed.value)


def test_get_visible_or_404_refuses_a_model_without_scope() -> None:
    with pytest.raises(TypeError, match="OrgUnit has no scoped QuerySet"):
        get_visible_or_404(OrgUnit.objects.all(), make_user(), pk=1)


def test_who_counts_as_an_official() -> None:
    assert is_official_user(make_user(roles=[(Role.CLERK, make_org_unit())]))
    assert is_official_user(make_user(kind="", is_superuser=True))
    assert not is_official_user(make_user(roles=[(Role.CITIZEN, None)]))
    assert not is_official_user(make_user(kind="official", is_active=False))
    assert not is_official_user(AnonymousUser())


def test_a_model_can_be_scoped_by_the_unit_itself(tree: dict[str, OrgUnit]) -> None:
    # Given a QuerySet over org units themselves (scope_field "")
    class UnitScope(ScopedQuerySet[OrgUnit]):
        scope_field = ""

    user = make_user(roles=[(Role.IT_ADMIN, tree["dept"])])

    visible = UnitScope(model=OrgUnit).visible_to(user)

    assert {unit.name for unit in visible} == {
        "Sở Tư pháp",
        "Phòng Hành chính tư pháp",
        "Phòng Bổ trợ tư pháp",
    }
