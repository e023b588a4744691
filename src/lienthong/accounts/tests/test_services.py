"""Account services: who may create accounts and grant roles, what is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.accounts.models import Role, RoleAssignment, User
from lienthong.accounts.services import (
    can_administer,
    create_citizen,
    create_official,
    grant_role,
    revoke_role,
)
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Ngày-mai-trời-lại-sáng-2025"


@pytest.fixture
def dept() -> OrgUnit:
    return make_org_unit("Sở Thông tin và Truyền thông")


@pytest.fixture
def division(dept: OrgUnit) -> OrgUnit:
    return make_org_unit("Phòng Công nghệ thông tin", parent=dept, is_agency=False)


@pytest.fixture
def it_admin(dept: OrgUnit) -> User:
    return make_user("qtcntt", roles=[(Role.IT_ADMIN, dept)])


def test_it_admin_creates_an_official_with_roles_below_their_unit(
    it_admin: User, division: OrgUnit
) -> None:
    user = create_official(
        username="nva",
        full_name="Nguyễn Văn An",
        org_unit=division,
        password=PASSWORD,
        position="Chuyên viên",
        roles=[Role.SPECIALIST, Role.CLERK],
        by=it_admin,
    )

    user.refresh_from_db()
    assert (user.kind, user.org_unit, user.full_name, user.is_staff) == (
        User.Kind.OFFICIAL,
        division,
        "Nguyễn Văn An",
        False,
    )
    assert user.check_password(PASSWORD)
    assert sorted(user.role_assignments.values_list("role", "org_unit")) == [
        ("clerk", division.pk),
        ("specialist", division.pk),
    ]
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", "actor_id"))
    assert actions == [
        ("accounts.user.create", it_admin.pk),
        ("accounts.role.grant", it_admin.pk),
        ("accounts.role.grant", it_admin.pk),
    ]


def test_the_audit_log_never_holds_the_password_hash(it_admin: User, dept: OrgUnit) -> None:
    create_official(
        username="nvb",
        full_name="Nguyễn Văn Bình",
        org_unit=dept,
        password=PASSWORD,
        by=it_admin,
    )

    entry = AuditEntry.objects.get(action="accounts.user.create")
    assert entry.after is not None
    assert entry.after["username"] == "nvb"
    assert "password" not in entry.after


def test_without_password_the_account_cannot_log_in_yet(it_admin: User, dept: OrgUnit) -> None:
    user = create_official(username="sso", full_name="Lê Thị Cúc", org_unit=dept, by=it_admin)

    assert not user.has_usable_password()


def test_it_admin_of_another_unit_is_refused_and_nothing_is_written(dept: OrgUnit) -> None:
    outsider = make_user(roles=[(Role.IT_ADMIN, make_org_unit("Sở Nội vụ"))])

    with pytest.raises(PermissionDenied, match="không có quyền quản trị tài khoản"):
        create_official(username="x", full_name="X", org_unit=dept, password=PASSWORD, by=outsider)

    assert not User.objects.filter(username="x").exists()
    assert AuditEntry.objects.count() == 0


def test_it_admin_of_a_division_cannot_manage_its_department(
    dept: OrgUnit, division: OrgUnit
) -> None:
    division_admin = make_user(roles=[(Role.IT_ADMIN, division)])

    assert can_administer(division_admin, division)
    assert not can_administer(division_admin, dept)


def test_other_roles_do_not_administer(dept: OrgUnit) -> None:
    leader = make_user(roles=[(Role.LEADER, dept)])

    assert not can_administer(leader, dept)
    assert not can_administer(leader, None)


def test_only_a_superuser_hands_out_staff_status(it_admin: User, dept: OrgUnit) -> None:
    with pytest.raises(PermissionDenied):
        create_official(username="staff", full_name="S", org_unit=dept, is_staff=True, by=it_admin)
    root = make_user(kind="official", is_superuser=True)

    user = create_official(username="staff", full_name="S", org_unit=dept, is_staff=True, by=root)

    assert user.is_staff


def test_bad_fields_are_reported_per_field_and_nothing_is_written(
    it_admin: User, dept: OrgUnit
) -> None:
    make_user("taken")

    with pytest.raises(ValidationError) as caught:
        create_official(
            username="taken",
            full_name="Trần Văn D",
            org_unit=dept,
            personal_id="12345",
            password=PASSWORD,
            by=it_admin,
        )

    assert set(caught.value.message_dict) == {"username", "personal_id"}
    assert User.objects.filter(username="taken").count() == 1
    assert AuditEntry.objects.count() == 0


def test_a_weak_password_is_refused(it_admin: User, dept: OrgUnit) -> None:
    with pytest.raises(ValidationError) as caught:
        create_official(
            username="weak", full_name="W", org_unit=dept, password="12345678", by=it_admin
        )

    assert list(caught.value.message_dict) == ["password"]
    assert not User.objects.filter(username="weak").exists()


def test_a_failed_role_rolls_back_the_whole_account(it_admin: User, dept: OrgUnit) -> None:
    with pytest.raises(ValidationError):
        create_official(
            username="half", full_name="H", org_unit=dept, roles=["janitor"], by=it_admin
        )

    assert not User.objects.filter(username="half").exists()
    assert AuditEntry.objects.count() == 0


def test_create_citizen_grants_the_citizen_role(it_admin: User) -> None:
    citizen = create_citizen(
        username="congdan",
        full_name="Phạm Thị Em",
        personal_id="074190000123",
        password=PASSWORD,
        by=it_admin,
    )

    assert citizen.is_citizen
    assert list(citizen.role_assignments.values_list("role", "org_unit")) == [("citizen", None)]


def test_citizens_are_created_by_it_admins_only(dept: OrgUnit) -> None:
    clerk = make_user(roles=[(Role.CLERK, dept)])

    with pytest.raises(PermissionDenied):
        create_citizen(username="c", full_name="C", by=clerk)

    assert not User.objects.filter(username="c").exists()


def test_grant_and_revoke_are_audited(it_admin: User, division: OrgUnit) -> None:
    official = make_user(kind="official", org_unit=division)

    assignment = grant_role(user=official, role=Role.LEADER, org_unit=division, by=it_admin)
    revoke_role(user=official, role=Role.LEADER, org_unit=division, by=it_admin)

    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    grant, revoke = AuditEntry.objects.order_by("seq")
    assert (grant.action, grant.object_id, grant.org_unit_id) == (
        "accounts.role.grant",
        str(assignment.pk),
        division.pk,
    )
    assert revoke.before is not None
    assert (revoke.action, revoke.before["role"], revoke.after) == (
        "accounts.role.revoke",
        "leader",
        None,
    )


@pytest.mark.parametrize(
    ("kind", "role", "unit", "message"),
    [
        ("official", "janitor", "dept", {"role": ["Vai trò không hợp lệ: janitor."]}),
        (
            "citizen",
            Role.SPECIALIST,
            "dept",
            {"role": ["Chỉ cán bộ, công chức mới được giao vai trò này."]},
        ),
        (
            "official",
            Role.CITIZEN,
            None,
            {"role": ["Chỉ tài khoản công dân, tổ chức mới có vai trò công dân."]},
        ),
        ("citizen", Role.CITIZEN, "dept", {"org_unit": ["Vai trò công dân không gắn với đơn vị."]}),
    ],
)
def test_grants_that_do_not_fit_are_refused(
    it_admin: User, dept: OrgUnit, kind: str, role: str, unit: str | None, message: dict
) -> None:
    user = make_user(kind=kind)
    root = make_user(kind="official", is_superuser=True)

    with pytest.raises(ValidationError) as caught:
        grant_role(user=user, role=role, org_unit=dept if unit else None, by=root)

    assert caught.value.message_dict == message
    assert not user.role_assignments.exists()


def test_an_official_role_needs_an_active_unit(it_admin: User, dept: OrgUnit) -> None:
    closed = make_org_unit(parent=dept, is_agency=False, is_active=False)
    official = make_user(kind="official")

    with pytest.raises(ValidationError) as caught:
        grant_role(user=official, role=Role.SPECIALIST, org_unit=closed, by=it_admin)
    with pytest.raises(ValidationError) as missing:
        grant_role(
            user=official,
            role=Role.SPECIALIST,
            org_unit=None,
            by=make_user(kind="official", is_superuser=True),
        )

    assert caught.value.message_dict == {"org_unit": ["Đơn vị này đã ngừng hoạt động."]}
    assert missing.value.message_dict == {"org_unit": ["Hãy chọn đơn vị được giao vai trò."]}


def test_a_role_cannot_be_granted_twice(it_admin: User, dept: OrgUnit) -> None:
    official = make_user(roles=[(Role.LEADER, dept)])

    with pytest.raises(ValidationError) as caught:
        grant_role(user=official, role=Role.LEADER, org_unit=dept, by=it_admin)

    assert caught.value.message_dict == {"role": ["Người dùng đã có vai trò này tại đơn vị này."]}
    assert official.role_assignments.count() == 1


def test_no_one_grants_or_revokes_their_own_roles(it_admin: User, dept: OrgUnit) -> None:
    with pytest.raises(PermissionDenied, match="tự phân quyền"):
        grant_role(user=it_admin, role=Role.LEADER, org_unit=dept, by=it_admin)
    with pytest.raises(PermissionDenied, match="tự thu hồi"):
        revoke_role(user=it_admin, role=Role.IT_ADMIN, org_unit=dept, by=it_admin)

    assert list(it_admin.role_assignments.values_list("role", flat=True)) == ["it_admin"]


def test_revoking_a_role_not_held_is_an_error(it_admin: User, dept: OrgUnit) -> None:
    official = make_user(kind="official")

    with pytest.raises(ValidationError) as caught:
        revoke_role(user=official, role=Role.LEADER, org_unit=dept, by=it_admin)

    assert caught.value.message_dict == {
        "role": ["Người dùng không có vai trò này tại đơn vị này."]
    }
    assert AuditEntry.objects.count() == 0


def test_revoking_outside_ones_scope_is_refused(dept: OrgUnit) -> None:
    official = make_user(roles=[(Role.LEADER, dept)])
    outsider = make_user(roles=[(Role.IT_ADMIN, make_org_unit())])

    with pytest.raises(PermissionDenied):
        revoke_role(user=official, role=Role.LEADER, org_unit=dept, by=outsider)

    assert official.role_assignments.count() == 1


def test_needs_second_factor() -> None:
    unit = make_org_unit()
    assert make_user(roles=[(Role.IT_ADMIN, unit)]).needs_second_factor
    assert make_user(kind="official", is_staff=True).needs_second_factor
    assert make_user(kind="", is_superuser=True).needs_second_factor
    assert make_user(roles=[(Role.LEADER, unit)]).needs_second_factor
    assert not make_user(roles=[(Role.CITIZEN, None)]).needs_second_factor


def test_with_otp_for_admins_only_ordinary_officials_need_no_second_factor(settings: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "OTP_REQUIRED_FOR": "admins"}
    unit = make_org_unit()
    assert make_user(roles=[(Role.IT_ADMIN, unit)]).needs_second_factor
    assert make_user(kind="official", is_staff=True).needs_second_factor
    assert not make_user(roles=[(Role.LEADER, unit)]).needs_second_factor


def test_the_otp_scope_is_checked(settings: Any) -> None:
    from lienthong.accounts import checks

    assert checks.otp_scope() == [] and checks.otp_for_every_official() == []
    settings.LIENTHONG = {**settings.LIENTHONG, "OTP_REQUIRED_FOR": "admins"}
    assert [w.id for w in checks.otp_for_every_official()] == ["lienthong.W101"]
    settings.LIENTHONG = {**settings.LIENTHONG, "OTP_REQUIRED_FOR": "nobody"}
    assert [e.id for e in checks.otp_scope()] == ["lienthong.E101"]
