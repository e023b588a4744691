"""Budget lines: codes checked, periods as month ranges, who may keep and read them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lienthong.registries.budget.models import BudgetLine, Kind, Stage, period_months
from lienthong.registries.budget.testing import BudgetWorld, make_line


def test_period_months() -> None:
    assert period_months("Y") == (1, 12)
    assert period_months("Q3") == (7, 9)
    assert period_months("M11") == (11, 11)
    for bad in ("Q5", "M13", "M00", "X", ""):
        with pytest.raises(ValueError):
            period_months(bad)


def test_save_derives_months_and_item(world: BudgetWorld) -> None:
    line = make_line(world.health, period="Q2", sub_item_code="6302")
    assert (line.month_from, line.month_to, line.item_code) == (4, 6, "6300")


def test_clean_refuses_unknown_codes_and_wrong_kind(world: BudgetWorld) -> None:
    line = BudgetLine(
        owner=world.health,
        agency=world.health,
        year=2025,
        period="M01",
        kind=Kind.REVENUE,
        stage=Stage.ACTUAL,
        chapter_code="999",
        sub_item_code="6001",
        amount=5,
    )
    with pytest.raises(ValidationError) as exc:
        line.full_clean()
    errors = exc.value.message_dict
    assert errors["chapter_code"] == ["Mã chương “999” không có trong mục lục ngân sách."]
    assert errors["item_code"] == ["Mục 6000 là mục chi, không phải thu."]


def test_agency_must_be_within_the_keeper_unless_finance(world: BudgetWorld) -> None:
    line = BudgetLine(
        owner=world.other,
        agency=world.health,
        year=2025,
        period="Y",
        kind=Kind.EXPENDITURE,
        stage=Stage.PLAN,
        chapter_code="423",
        sub_item_code="6001",
        amount=1,
    )
    with pytest.raises(ValidationError) as exc:
        line.full_clean()
    assert "agency" in exc.value.message_dict
    line.owner = world.health
    line.agency = world.hospital  # below the keeper: fine
    line.full_clean()
    line.owner = world.finance  # the finance department (read grant) keeps anyone's lines
    line.agency = world.health
    line.full_clean()


def test_one_amount_per_cell(world: BudgetWorld) -> None:
    make_line(world.health, period="M01", stage=Stage.ACTUAL)
    twin = BudgetLine(
        owner=world.health,
        agency=world.health,
        year=2025,
        period="M01",
        kind=Kind.EXPENDITURE,
        stage=Stage.ACTUAL,
        chapter_code="423",
        sub_item_code="6001",
        amount=2,
    )
    with pytest.raises(ValidationError):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_visibility(world: BudgetWorld) -> None:
    health = make_line(world.health)
    hospital = make_line(world.hospital)
    kept_by_finance = make_line(world.other, owner=world.finance, chapter_code="414")
    other = make_line(world.other, chapter_code="414", period="Q1")

    def seen(user: object) -> set[int]:
        return set(BudgetLine.objects.visible_to(user).values_list("pk", flat=True))

    everything = {health.pk, hospital.pk, kept_by_finance.pk, other.pk}
    assert seen(world.finance_reader) == everything  # the finance department's grant
    assert seen(world.finance_official) == everything
    assert seen(world.health_official) == {health.pk, hospital.pk}
    assert seen(world.health_leader) == {health.pk, hospital.pk}
    assert seen(world.outsider) == {kept_by_finance.pk, other.pk}  # its own agency's lines
    assert seen(world.citizen) == set()
    # Editing stays with the keeping agency's registry officials.
    editable = set(
        BudgetLine.objects.editable_by(world.health_official).values_list("pk", flat=True)
    )
    assert editable == {health.pk, hospital.pk}
    assert not BudgetLine.objects.editable_by(world.health_leader).exists()
    assert set(
        BudgetLine.objects.editable_by(world.finance_official).values_list("pk", flat=True)
    ) == {kept_by_finance.pk}


def test_admin_lists_lines(client: object, world: BudgetWorld) -> None:
    from django.test import Client

    from lienthong.accounts.models import User
    from lienthong.core.testing import make_user
    from lienthong.core.testing_permissions import login

    assert isinstance(client, Client)
    line = make_line(world.health)
    admin = make_user("quantri-budget", is_superuser=True, is_staff=True, kind=User.Kind.OFFICIAL)
    login(client, admin)
    assert client.get("/admin/budget/budgetline/").status_code == 200
    assert client.get(f"/admin/budget/budgetline/{line.pk}/history/").status_code == 200
