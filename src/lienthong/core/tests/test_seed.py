"""Demo data: Bình Dương's agencies with demo codes, one user per role, idempotent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from lienthong.accounts.models import Role, RoleAssignment, User
from lienthong.core.identifiers import validate_agency_code
from lienthong.core.models import AdminUnit, AuditEntry, OrgUnit
from lienthong.core.seed import demo_data, demo_logins, seed_demo
from lienthong.core.tests.units_support import committed_units
from lienthong.core.units import LoadReport

DEMO_PASSWORD = "LienThong@demo2025"


def test_every_entry_of_the_data_file_names_its_source() -> None:
    data = demo_data()
    assert len(data["org_units"]) == 130
    assert all(entry["source"] for entry in data["org_units"])
    refs = [entry["ref"] for entry in data["org_units"]]
    assert len(refs) == len(set(refs))


@pytest.mark.django_db
def test_seed_loads_the_units_when_they_are_missing() -> None:
    # given an empty unit table
    assert AdminUnit.objects.count() == 0
    # when the demo is seeded
    report = seed_demo()
    # then the units were loaded first, and the communes' committees point at them
    assert report.loaded_units is True
    assert AdminUnit.objects.count() == 14149
    assert OrgUnit.objects.filter(admin_unit__level=AdminUnit.Level.COMMUNE).count() == 91


@pytest.mark.django_db
def test_demo_logins_list_one_account_per_role_and_the_superuser() -> None:
    logins = demo_logins()
    assert [(x["username"], x["role_code"], x["unit"]) for x in logins] == [
        ("admin", "superuser", "UBND tỉnh Bình Dương"),
        ("motcua", Role.ONESTOP_OFFICER, "UBND TP Thủ Dầu Một"),
        ("chuyenvien", Role.SPECIALIST, "Phòng Hành chính tư pháp, Sở Tư pháp"),
        ("lanhdao", Role.LEADER, "Sở Tư pháp"),
        ("vanthu", Role.CLERK, "Văn phòng UBND tỉnh"),
        ("quanlycsdl", Role.REGISTRY_OWNER, "Phòng Đăng ký kinh doanh, Sở Kế hoạch và Đầu tư"),
        ("quantri", Role.IT_ADMIN, "Phòng Công nghệ thông tin, Sở Thông tin và Truyền thông"),
        ("congdan", Role.CITIZEN, ""),
    ]
    assert {x["role"] for x in logins if x["role_code"] == Role.LEADER} == {"Lãnh đạo"}
    assert all(len(x["password"]) >= 12 for x in logins)


@pytest.fixture(scope="class")
def units(django_db_setup: None, django_db_blocker: object) -> Iterator[LoadReport]:
    """All units, loaded once for the class that asks (the tests above need an empty table)."""
    with committed_units(django_db_blocker) as report:
        yield report


@pytest.mark.django_db
class TestSeededDemo:
    """The demo seeded on top of units loaded once for the class."""

    @pytest.fixture
    def seeded(self, units: LoadReport) -> None:
        report = seed_demo()
        assert report.loaded_units is False

    def test_province_tree_with_demo_codes(self, seeded: None) -> None:
        province = OrgUnit.objects.get(code="000.00.00.H99")
        assert province.name == "Ủy ban nhân dân tỉnh Bình Dương"
        assert province.parent is None
        assert province.admin_unit is not None
        assert (province.admin_unit.era, province.admin_unit.code) == ("legacy", "74")
        agencies = OrgUnit.objects.agencies()
        assert agencies.count() == 117  # 1 province + 16 departments + 9 districts + 91 communes
        for agency in agencies:
            validate_agency_code(agency.code)  # type: ignore[arg-type]
            assert agency.code.endswith(".H99")  # type: ignore[union-attr]
        assert agencies.filter(code_is_demo=False).count() == 0
        divisions = OrgUnit.objects.filter(is_agency=False)
        assert divisions.count() == 13
        assert divisions.exclude(code=None).count() == 0
        assert divisions.filter(code_is_demo=True).count() == 0

    def test_departments_the_platform_needs(self, seeded: None) -> None:
        province = OrgUnit.objects.get(code="000.00.00.H99")
        names = set(province.children.values_list("short_name", flat=True))
        assert {
            "Văn phòng UBND tỉnh",
            "Thanh tra tỉnh",
            "Sở Nội vụ",
            "Sở Tư pháp",
            "Sở Công Thương",
            "Sở Kế hoạch và Đầu tư",
            "Sở Thông tin và Truyền thông",
            "Sở Tài nguyên và Môi trường",
        } <= names
        justice = OrgUnit.objects.get(short_name="Sở Tư pháp")
        assert justice.code == "000.00.05.H99"
        assert sorted(justice.children.values_list("name", flat=True)) == [
            "Phòng Bổ trợ tư pháp",
            "Phòng Hành chính tư pháp",
            "Văn phòng Sở",
        ]

    def test_every_binh_duong_commune_has_its_peoples_committee(self, seeded: None) -> None:
        communes = AdminUnit.objects.legacy().communes().filter(parent__parent__code="74")
        committees = OrgUnit.objects.filter(admin_unit__in=communes).select_related(
            "admin_unit__successor__parent", "parent__admin_unit"
        )
        assert committees.count() == 91
        assert {c.admin_unit_id for c in committees} == set(communes.values_list("pk", flat=True))
        for committee in committees:
            unit = committee.admin_unit
            assert unit is not None and unit.successor is not None
            assert unit.successor.parent is not None and unit.successor.parent.code == "79"
            assert committee.kind == OrgUnit.Kind.PEOPLES_COMMITTEE
            assert committee.name.startswith("Ủy ban nhân dân ")
            # under its district's committee: code 000.ZZ.YY.H99 with the district's YY
            district = committee.parent
            assert district is not None and district.admin_unit == unit.parent
            assert committee.code is not None and district.code is not None
            assert committee.code[7:] == district.code[7:]
            assert committee.code[:7] != "000.00."
        phu_cuong = committees.get(admin_unit__code="25747")
        assert phu_cuong.name == "Ủy ban nhân dân phường Phú Cường"
        assert phu_cuong.admin_unit.successor.name == "Phường Thủ Dầu Một"  # type: ignore[union-attr]

    def test_a_user_for_every_role_in_a_sensible_unit(self, seeded: None) -> None:
        assignments = {a.role: a for a in RoleAssignment.objects.select_related("user", "org_unit")}
        assert set(assignments) == set(Role.values)
        expected = {
            Role.ONESTOP_OFFICER: ("motcua", "UBND TP Thủ Dầu Một"),
            Role.SPECIALIST: ("chuyenvien", "Phòng Hành chính tư pháp"),
            Role.LEADER: ("lanhdao", "Sở Tư pháp"),
            Role.CLERK: ("vanthu", "Văn phòng UBND tỉnh"),
            Role.REGISTRY_OWNER: ("quanlycsdl", "Phòng Đăng ký kinh doanh"),
            Role.IT_ADMIN: ("quantri", "Phòng Công nghệ thông tin"),
        }
        for role, (username, unit) in expected.items():
            grant = assignments[role]
            assert grant.user.username == username
            assert grant.org_unit is not None
            assert (grant.org_unit.short_name or grant.org_unit.name) == unit
            assert grant.user.org_unit == grant.org_unit
            assert grant.user.kind == User.Kind.OFFICIAL
        citizen = assignments[Role.CITIZEN]
        assert (citizen.user.username, citizen.org_unit) == ("congdan", None)
        assert citizen.user.kind == User.Kind.CITIZEN
        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.is_staff
        specialist = User.objects.get(username="chuyenvien")
        assert specialist.has_role(Role.SPECIALIST, specialist.org_unit)

    def test_demo_passwords_work_and_pass_the_password_rules(self, seeded: None) -> None:
        for login in demo_logins():
            user = User.objects.get(username=login["username"])
            validate_password(login["password"], user)
            assert user.check_password(login["password"])
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username="motcua", password=DEMO_PASSWORD) is not None

    def test_seeding_twice_changes_nothing(self, seeded: None) -> None:
        counts = (OrgUnit.objects.count(), User.objects.count(), RoleAssignment.objects.count())
        rows = AuditEntry.objects.count()
        snapshot = list(OrgUnit.objects.order_by("pk").values())
        report = seed_demo()
        assert report.changed is False
        assert report.created_units == [] and report.updated_units == []
        assert report.created_users == []
        assert len(report.existing_users) == 8
        assert (OrgUnit.objects.count(), User.objects.count(), RoleAssignment.objects.count()) == (
            counts
        )
        assert list(OrgUnit.objects.order_by("pk").values()) == snapshot
        assert AuditEntry.objects.count() == rows

    def test_seed_repairs_a_demo_agency_that_drifted(self, seeded: None) -> None:
        justice = OrgUnit.objects.get(code="000.00.05.H99")
        OrgUnit.objects.filter(pk=justice.pk).update(name="Tên sai")
        report = seed_demo()
        assert report.updated_units == ["so-tu-phap"]
        justice.refresh_from_db()
        assert justice.name == "Sở Tư pháp tỉnh Bình Dương"

    def test_seed_keeps_an_existing_account_untouched(self, units: LoadReport) -> None:
        User.objects.create_user("admin", password="mật-khẩu-riêng-của-tôi", kind="official")
        report = seed_demo()
        assert "admin" in report.existing_users
        admin = User.objects.get(username="admin")
        assert admin.check_password("mật-khẩu-riêng-của-tôi")
        assert admin.is_superuser is False

    def test_command(self, units: LoadReport, capsys: pytest.CaptureFixture[str]) -> None:
        call_command("seed", "--demo")
        assert "thêm 130 cơ quan, đơn vị; cập nhật 0; thêm 8 tài khoản." in capsys.readouterr().out
        call_command("seed", "--demo")
        assert "Dữ liệu mẫu đã có đủ, không có gì thay đổi." in capsys.readouterr().out
        with pytest.raises(CommandError, match="--demo"):
            call_command("seed")
