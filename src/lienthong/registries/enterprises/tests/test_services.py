"""Writes to the enterprise registry: the base's services with lines of business, the status
history, dependent units, permissions as query filters, folded search."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base import services as base
from lienthong.registries.enterprises import services
from lienthong.registries.enterprises.models import (
    Branch,
    BranchKind,
    BusinessLine,
    Enterprise,
    EnterpriseStatus,
    EnterpriseType,
    StatusChange,
)
from lienthong.registries.enterprises.testing import World, make_enterprise, make_world, tax_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def _new(world: World, **fields: object) -> Enterprise:
    values: dict[str, object] = {
        "owner": world.owner,
        "tax_code": tax_code(),
        "name": "Công ty Cổ phần Xây dựng Đại Phát",
        "name_short": "DAI PHAT JSC",
        "enterprise_type": EnterpriseType.JOINT_STOCK,
        "founded_on": datetime.date(2018, 4, 9),
        "charter_capital": 20_000_000_000,
        "representative_name": "Lê Thị Hoa",
        "representative_personal_id": "074185003217",
        "representative_title": "Tổng Giám đốc",
        "address_street": "Số 5 Yersin",
        "address_commune_legacy": "25753",
        **fields,
    }
    enterprise = Enterprise(**values)
    enterprise.stage_lines("4101", ["4212", "4330", "4101"])
    return enterprise


def test_create_converts_the_legacy_address_and_records_lines_in_history(world: World) -> None:
    enterprise = base.create_record(_new(world), by=world.official)

    assert enterprise.address_commune == "25747"  # Phú Thọ (legacy) → Thủ Dầu Một (2025)
    assert enterprise.address_commune_legacy == "25753"
    assert enterprise.search_text == "cong ty co phan xay dung dai phat dai phat jsc"
    assert list(enterprise.lines.values_list("code", "is_main")) == [
        ("4101", True),
        ("4212", False),
        ("4330", False),
    ]
    assert (enterprise.main_line, enterprise.other_lines) == ("4101", "4212;4330")
    entry = AuditEntry.objects.of_object(enterprise).get()
    assert entry.action == "registry.enterprises.create"
    assert entry.after is not None
    assert (entry.after["main_line"], entry.after["other_lines"]) == ("4101", "4212;4330")
    event = OutboxEvent.objects.get(type="registry.enterprises.created")
    assert event.data == {"registry": "enterprises", "id": enterprise.pk, "owner": world.owner.pk}


def test_update_of_lines_shows_in_history_and_revert_restores_the_row(world: World) -> None:
    enterprise = base.create_record(_new(world), by=world.official)
    enterprise.name = "Công ty Cổ phần Xây dựng Đại Phát Miền Nam"
    enterprise.stage_lines("4212", ["4101"])
    base.update_record(enterprise, by=world.official)

    versions = base.history(enterprise)
    latest = {change.field: (change.before, change.after) for change in versions[0].changes}
    assert latest["main_line"] == ("4101", "4212")
    assert latest["other_lines"] == ("4212;4330", "4101")
    assert "name" in latest
    event = OutboxEvent.objects.filter(type="registry.enterprises.updated").get()
    assert set(event.data["changed"]) == {"name", "main_line", "other_lines"}
    assert sorted(enterprise.lines.values_list("code", "is_main")) == [
        ("4101", False),
        ("4212", True),
    ]

    # Reverting to the first version brings back the row and, with it, the lines' rows.
    base.revert_record(enterprise, entry=versions[-1].entry, by=world.official)
    enterprise.refresh_from_db()
    assert enterprise.name == "Công ty Cổ phần Xây dựng Đại Phát"
    assert sorted(enterprise.lines.values_list("code", "is_main")) == [
        ("4101", True),
        ("4212", False),
        ("4330", False),
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"tax_code": "0100233480"}, "tax_code"),
        ({"tax_code": "074185003217"}, "tax_code"),
        ({"representative_personal_id": "999185003217"}, "representative_personal_id"),
        ({"address_commune_legacy": "", "address_commune": "99999"}, "address_commune"),
    ],
)
def test_invalid_enterprise_writes_nothing(world: World, fields: dict, field: str) -> None:
    before = (
        Enterprise.all_objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
    )
    with pytest.raises(ValidationError) as caught:
        base.create_record(_new(world, **fields), by=world.official)
    assert field in caught.value.message_dict
    after = (
        Enterprise.all_objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
    )
    assert after == before
    assert BusinessLine.objects.count() == 0


def test_unknown_line_is_refused(world: World) -> None:
    enterprise = Enterprise(owner=world.owner)
    with pytest.raises(ValidationError) as caught:
        enterprise.stage_lines("4639", ["9999"])
    assert len(caught.value.message_dict["lines"]) == 2


def test_same_tax_code_twice_is_refused(world: World) -> None:
    first = base.create_record(_new(world), by=world.official)
    with pytest.raises(ValidationError) as caught:
        base.create_record(_new(world, tax_code=first.tax_code), by=world.official)
    assert "__all__" in caught.value.message_dict or "tax_code" in caught.value.message_dict


def test_only_the_owner_agencys_registry_officials_write(world: World) -> None:
    with pytest.raises(PermissionDenied):
        base.create_record(_new(world), by=world.other_official)
    enterprise = make_enterprise(world.owner)
    for user in (world.other_official, world.reader, world.outsider, world.citizen):
        with pytest.raises(PermissionDenied):
            services.change_status(
                enterprise,
                to_status=EnterpriseStatus.SUSPENDED,
                effective_on=datetime.date(2025, 1, 2),
                reason="Thử",
                by=user,
            )
    assert StatusChange.objects.count() == 0


def test_visibility_is_a_query_filter(world: World) -> None:
    mine = make_enterprise(world.owner)
    theirs = make_enterprise(world.other_owner)
    assert set(Enterprise.objects.visible_to(world.official)) == {mine}
    assert set(Enterprise.objects.visible_to(world.other_official)) == {theirs}
    assert set(Enterprise.objects.visible_to(world.reader)) == {mine, theirs}
    assert not Enterprise.objects.visible_to(world.outsider).exists()
    assert not Enterprise.objects.visible_to(world.citizen).exists()
    assert set(Enterprise.objects.editable_by(world.reader)) == set()


def test_status_history_suspend_resume_dissolve(world: World) -> None:
    enterprise = make_enterprise(world.owner)
    services.change_status(
        enterprise,
        to_status=EnterpriseStatus.SUSPENDED,
        effective_on=datetime.date(2024, 3, 1),
        until=datetime.date(2025, 3, 1),
        reason="Tạm ngừng để tái cơ cấu",
        decision="Thông báo 12/TB-ĐKKD",
        by=world.official,
    )
    services.change_status(
        enterprise,
        to_status=EnterpriseStatus.ACTIVE,
        effective_on=datetime.date(2025, 3, 1),
        reason="Hoạt động trở lại",
        by=world.official,
    )
    services.change_status(
        enterprise,
        to_status=EnterpriseStatus.DISSOLVED,
        effective_on=datetime.date(2025, 9, 30),
        reason="Giải thể theo quyết định của chủ sở hữu",
        by=world.official,
    )
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.DISSOLVED
    assert enterprise.status_since == datetime.date(2025, 9, 30)
    history = list(
        enterprise.status_history.values_list("from_status", "to_status", "effective_on")
    )
    assert history == [
        ("active", "suspended", datetime.date(2024, 3, 1)),
        ("suspended", "active", datetime.date(2025, 3, 1)),
        ("active", "dissolved", datetime.date(2025, 9, 30)),
    ]
    actions = [e.action for e in AuditEntry.objects.of_object(enterprise)]
    assert actions == ["registry.enterprises.status"] * 3
    events = OutboxEvent.objects.filter(type="registry.enterprises.status_changed")
    assert [e.data["to_status"] for e in events.order_by("pk")] == [
        "suspended",
        "active",
        "dissolved",
    ]

    # Dissolution is final: nothing more is written.
    with pytest.raises(ValidationError) as caught:
        services.change_status(
            enterprise,
            to_status=EnterpriseStatus.ACTIVE,
            effective_on=datetime.date(2025, 10, 1),
            reason="Thử",
            by=world.official,
        )
    assert "to_status" in caught.value.message_dict
    assert enterprise.status_history.count() == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"effective_on": datetime.date(2010, 1, 1)}, "effective_on"),
        ({"until": datetime.date(2024, 1, 1)}, "until"),
        ({"to_status": "bankrupt"}, "to_status"),
    ],
)
def test_bad_status_change_writes_nothing(world: World, kwargs: dict, field: str) -> None:
    enterprise = make_enterprise(world.owner)  # founded 2015-03-02
    values = {
        "to_status": EnterpriseStatus.SUSPENDED,
        "effective_on": datetime.date(2024, 3, 1),
        "reason": "Tạm ngừng",
        **kwargs,
    }
    before = (AuditEntry.objects.count(), OutboxEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        services.change_status(enterprise, by=world.official, **values)
    assert field in caught.value.message_dict
    assert (AuditEntry.objects.count(), OutboxEvent.objects.count()) == before
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.ACTIVE
    assert not enterprise.status_history.exists()


def test_branch_codes_belong_to_the_enterprise(world: World) -> None:
    enterprise = make_enterprise(world.owner)
    branch = services.add_branch(
        enterprise,
        kind=BranchKind.BRANCH,
        name="Chi nhánh Thủ Dầu Một",
        tax_code=f"{enterprise.tax_code}001",
        commune_legacy="25741",
        by=world.official,
    )
    assert branch.tax_code == f"{enterprise.tax_code}-001"
    assert branch.address_commune == "25750"
    assert AuditEntry.objects.of_object(branch).get().action == "registry.enterprises.branch.create"

    other = make_enterprise(world.owner)
    for code in (f"{other.tax_code}-002", f"{enterprise.tax_code}-001", ""):
        with pytest.raises(ValidationError) as caught:
            services.add_branch(
                enterprise,
                kind=BranchKind.REPRESENTATIVE_OFFICE,
                name="Văn phòng đại diện",
                tax_code=code,
                by=world.official,
            )
        assert "tax_code" in caught.value.message_dict
    location = services.add_branch(
        enterprise, kind=BranchKind.BUSINESS_LOCATION, name="Cửa hàng số 1", by=world.official
    )
    services.close_branch(location, closed_on=datetime.date(2025, 12, 31), by=world.official)
    assert Branch.objects.get(pk=location.pk).closed_on == datetime.date(2025, 12, 31)
    with pytest.raises(PermissionDenied):
        services.close_branch(branch, closed_on=datetime.date(2025, 12, 31), by=world.reader)


def test_search_by_folded_name_and_by_tax_code(world: World) -> None:
    first = make_enterprise(world.owner, name="Công ty TNHH Thực phẩm Đông Á")
    make_enterprise(world.owner, name="Hợp tác xã Nông sản Tân Hòa")
    branchless = Enterprise.objects.visible_to(world.official)

    assert list(branchless.search("thuc pham dong")) == [first]
    assert list(branchless.search("THỰC PHẨM Đông Á")) == [first]
    assert list(branchless.search(first.tax_code)) == [first]
    assert first in branchless.search(first.tax_code[:6])
    assert list(branchless.search(f"{first.tax_code[:4]} {first.tax_code[4:]}")) == [first]
    assert not branchless.search("0000000000123").exists()


def test_filter_by_vsic_section_and_prefix(world: World) -> None:
    food = make_enterprise(world.owner, lines=("4632", "1079"))
    build = make_enterprise(world.owner, lines=("4101",))
    qs = Enterprise.objects.all()
    assert set(qs.with_line("G")) == {food}
    assert set(qs.with_line("C")) == {food}
    assert set(qs.with_line("F")) == {build}
    assert set(qs.with_line("41")) == {build}
    assert set(qs.with_line("1079")) == {food}


def test_an_edit_or_revert_never_changes_the_status(world: World) -> None:
    enterprise = base.create_record(_new(world), by=world.official)
    services.change_status(
        enterprise,
        to_status=EnterpriseStatus.DISSOLVED,
        effective_on=datetime.date(2025, 9, 30),
        reason="Giải thể",
        by=world.official,
    )
    first = base.history(enterprise)[-1].entry
    enterprise.refresh_from_db()
    base.revert_record(enterprise, entry=first, by=world.official)
    enterprise.status = EnterpriseStatus.ACTIVE  # a form or API client trying it directly
    base.update_record(enterprise, by=world.official)
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.DISSOLVED
    assert enterprise.status_since == datetime.date(2025, 9, 30)
    assert enterprise.status_history.count() == 1
