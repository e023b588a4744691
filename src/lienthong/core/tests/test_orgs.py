"""The org tree: agency-code rules, moves, permissions and the admin, through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.services_orgs import create_org_unit, update_org_unit
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login

pytestmark = pytest.mark.django_db

AGENCY_REQUIRED = "Cơ quan phải có mã định danh điện tử dạng xxx.xx.xx.Xnn (ví dụ 000.00.00.H30)."
DIVISION_HAS_NO_CODE = (
    "Phòng, ban chuyên môn không có mã định danh riêng: chỉ cơ quan "
    "(ủy ban nhân dân, sở, ban, ngành) mới có mã."
)


def ubnd(code: str = "000.00.00.H99", **extra: Any) -> OrgUnit:
    return create_org_unit(
        name="Ủy ban nhân dân tỉnh Thử",
        kind=OrgUnit.Kind.PEOPLES_COMMITTEE,
        is_agency=True,
        code=code,
        **extra,
    )


def department(parent: OrgUnit, code: str, name: str = "Sở Tư pháp") -> OrgUnit:
    return create_org_unit(
        name=name, kind=OrgUnit.Kind.DEPARTMENT, is_agency=True, code=code, parent=parent
    )


def division(parent: OrgUnit, name: str = "Phòng Hành chính tư pháp") -> OrgUnit:
    return create_org_unit(name=name, kind=OrgUnit.Kind.DIVISION, parent=parent)


def test_agency_is_created_with_its_code_and_place_in_the_tree() -> None:
    root = ubnd(code_is_demo=True)
    dept = department(root, "000.00.05.H99")
    room = division(dept)
    assert (root.path, root.depth) == (f"/{root.pk}/", 0)
    assert (dept.path, dept.depth) == (f"/{root.pk}/{dept.pk}/", 1)
    assert (room.path, room.depth) == (f"/{root.pk}/{dept.pk}/{room.pk}/", 2)
    assert room.code is None and room.is_agency is False
    assert room.agency == dept
    assert list(OrgUnit.objects.within(dept)) == [dept, room]
    entry = AuditEntry.objects.filter(action="orgunit.create").order_by("seq").first()
    assert entry is not None
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["code"] == "000.00.00.H99"
    assert entry.after["code_is_demo"] is True
    assert entry.object_id == str(root.pk)


def test_code_is_trimmed_and_its_letter_upper_cased() -> None:
    assert ubnd(code=" 000.00.00.h30 ").code == "000.00.00.H30"


def test_agency_without_a_code_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ValidationError) as caught:
        create_org_unit(name="Sở Y tế", kind=OrgUnit.Kind.DEPARTMENT, is_agency=True)
    assert caught.value.message_dict == {"code": [AGENCY_REQUIRED]}
    assert OrgUnit.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    "code",
    ["000.00.00.H3", "00.000.00.H30", "000.00.00.30H", "000-00-00-H30", "000.00.00.HH0", "H30"],
)
def test_malformed_agency_code_is_refused(code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ubnd(code=code)
    assert caught.value.message_dict == {
        "code": [
            f"Mã định danh cơ quan “{code}” không đúng khuôn dạng xxx.xx.xx.Xnn "
            "(ví dụ 000.00.00.H30)."
        ]
    }
    assert OrgUnit.objects.count() == 0


def test_code_already_used_is_refused_naming_its_holder() -> None:
    root = ubnd()
    with pytest.raises(ValidationError) as caught:
        department(root, "000.00.00.H99")
    assert caught.value.message_dict == {
        "code": ["Mã định danh 000.00.00.H99 đã được dùng cho “Ủy ban nhân dân tỉnh Thử”."]
    }
    assert OrgUnit.objects.count() == 1


def test_division_rules() -> None:
    root = ubnd()
    with pytest.raises(ValidationError) as caught:
        create_org_unit(
            name="Phòng Tư pháp", kind=OrgUnit.Kind.DIVISION, parent=root, code_is_demo=True
        )
    assert caught.value.message_dict == {
        "code_is_demo": ["Chỉ đánh dấu “mã demo” khi đơn vị có mã định danh."]
    }
    with pytest.raises(ValidationError) as caught:
        create_org_unit(
            name="Phòng Tư pháp", kind=OrgUnit.Kind.DIVISION, parent=root, code="000.01.00.H99"
        )
    assert caught.value.message_dict == {"code": [DIVISION_HAS_NO_CODE]}
    with pytest.raises(ValidationError) as caught:
        create_org_unit(name="Phòng Tư pháp", kind=OrgUnit.Kind.DIVISION)
    assert caught.value.message_dict == {
        "parent": ["Phòng, ban chuyên môn phải trực thuộc một cơ quan."]
    }
    with pytest.raises(ValidationError) as caught:
        create_org_unit(name="  ", kind="không-có", parent=root)
    assert caught.value.message_dict == {
        "name": ["Tên cơ quan, đơn vị không được để trống."],
        "kind": ["Loại đơn vị “không-có” không hợp lệ."],
    }
    assert OrgUnit.objects.count() == 1


def test_update_records_before_and_after() -> None:
    dept = department(ubnd(), "000.00.05.H99")
    updated = update_org_unit(dept, name="Sở Tư pháp tỉnh Thử", short_name="STP")
    assert (updated.name, updated.short_name) == ("Sở Tư pháp tỉnh Thử", "STP")
    entry = AuditEntry.objects.get(action="orgunit.update")
    assert entry.before is not None and entry.after is not None
    assert entry.before["name"] == "Sở Tư pháp"
    assert entry.after["name"] == "Sở Tư pháp tỉnh Thử"
    assert entry.after["short_name"] == "STP"


def test_update_that_changes_nothing_writes_nothing() -> None:
    dept = department(ubnd(), "000.00.05.H99")
    rows = AuditEntry.objects.count()
    update_org_unit(dept, name="Sở Tư pháp", code="000.00.05.H99")
    assert AuditEntry.objects.count() == rows


def test_turning_an_agency_into_a_division_needs_its_code_removed() -> None:
    dept = department(ubnd(), "000.00.05.H99")
    with pytest.raises(ValidationError) as caught:
        update_org_unit(dept, is_agency=False, kind=OrgUnit.Kind.DIVISION)
    assert caught.value.message_dict == {"code": [DIVISION_HAS_NO_CODE]}
    dept.refresh_from_db()
    assert (dept.is_agency, dept.code) == (True, "000.00.05.H99")


def test_moving_a_unit_moves_its_whole_subtree() -> None:
    root = ubnd()
    old_home = department(root, "000.00.05.H99", name="Sở Tư pháp")
    new_home = department(root, "000.00.06.H99", name="Sở Nội vụ")
    moved = division(old_home, "Phòng Hành chính tư pháp")
    below = create_org_unit(name="Tổ một cửa", kind=OrgUnit.Kind.OTHER, parent=moved)
    update_org_unit(moved, parent=new_home)
    moved.refresh_from_db()
    below.refresh_from_db()
    assert (moved.path, moved.depth) == (f"{new_home.path}{moved.pk}/", 2)
    assert (below.path, below.depth) == (f"{new_home.path}{moved.pk}/{below.pk}/", 3)
    assert list(OrgUnit.objects.within(old_home)) == [old_home]
    assert set(OrgUnit.objects.within(new_home)) == {new_home, moved, below}


def test_a_unit_cannot_move_under_itself_or_below_it() -> None:
    root = ubnd()
    dept = department(root, "000.00.05.H99")
    room = division(dept)
    for target in (dept, room):
        with pytest.raises(ValidationError) as caught:
            update_org_unit(dept, parent=target)
        assert caught.value.message_dict == {
            "parent": ["Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."]
        }
    dept.refresh_from_db()
    assert dept.parent_id == root.pk


def test_only_users_with_the_permission_may_write() -> None:
    root = ubnd()
    clerk = make_user("vanthu", kind=User.Kind.OFFICIAL)
    admin = make_user("root", kind=User.Kind.OFFICIAL, is_staff=True, is_superuser=True)
    rows = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        create_org_unit(name="Phòng X", kind=OrgUnit.Kind.DIVISION, parent=root, by=clerk)
    with pytest.raises(PermissionDenied):
        update_org_unit(root, name="Đổi tên", by=clerk)
    assert OrgUnit.objects.count() == 1
    assert AuditEntry.objects.count() == rows
    room = create_org_unit(name="Phòng X", kind=OrgUnit.Kind.DIVISION, parent=root, by=admin)
    entry = AuditEntry.objects.get(action="orgunit.create", object_id=str(room.pk))
    assert entry.actor_id == admin.pk


# --- Admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client: Client) -> Client:
    login(client, make_user("root", kind=User.Kind.OFFICIAL, is_staff=True, is_superuser=True))
    return client


def form_data(**values: Any) -> dict[str, Any]:
    data = {
        "name": "",
        "short_name": "",
        "kind": OrgUnit.Kind.DEPARTMENT,
        "parent": "",
        "admin_unit": "",
        "code": "",
        "is_active": "on",
        "valid_from": "",
        "valid_until": "",
    }
    data.update(values)
    return data


def test_admin_adds_an_agency_through_the_service(admin_client: Client) -> None:
    root = ubnd()
    response = admin_client.post(
        "/admin/core/orgunit/add/",
        form_data(name="Sở Y tế", is_agency="on", code="000.00.11.h99", parent=root.pk),
    )
    assert response.status_code == 302
    created = OrgUnit.objects.get(name="Sở Y tế")
    assert created.code == "000.00.11.H99"
    assert created.path == f"{root.path}{created.pk}/"
    entry = AuditEntry.objects.get(action="orgunit.create", object_id=str(created.pk))
    assert entry.actor_repr == "root"


def test_admin_shows_the_code_rules_as_field_errors(admin_client: Client) -> None:
    root = ubnd()
    response = admin_client.post(
        "/admin/core/orgunit/add/",
        form_data(
            name="Phòng Tư pháp", kind=OrgUnit.Kind.DIVISION, code="000.01.00.H99", parent=root.pk
        ),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"code": [DIVISION_HAS_NO_CODE]}
    response = admin_client.post(
        "/admin/core/orgunit/add/", form_data(name="Sở Y tế", is_agency="on")
    )
    assert response.context["adminform"].form.errors == {"code": [AGENCY_REQUIRED]}
    assert OrgUnit.objects.count() == 1


def test_admin_change_goes_through_the_service(admin_client: Client) -> None:
    root = ubnd()
    dept = department(root, "000.00.05.H99")
    response = admin_client.post(
        f"/admin/core/orgunit/{dept.pk}/change/",
        form_data(name="Sở Tư pháp tỉnh Thử", is_agency="on", code="000.00.05.H99", parent=root.pk),
    )
    assert response.status_code == 302
    dept.refresh_from_db()
    assert dept.name == "Sở Tư pháp tỉnh Thử"
    entry = AuditEntry.objects.get(action="orgunit.update")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["name"], entry.after["name"]) == ("Sở Tư pháp", "Sở Tư pháp tỉnh Thử")


def test_admin_searches_org_units_and_never_deletes(admin_client: Client) -> None:
    root = ubnd()
    department(root, "000.00.05.H99")
    response = admin_client.get("/admin/core/orgunit/", {"q": "000.00.05.H99"})
    assert [u.code for u in response.context["cl"].result_list] == ["000.00.05.H99"]
    response = admin_client.get(f"/admin/core/orgunit/{root.pk}/delete/")
    assert response.status_code == 403
    assert OrgUnit.objects.filter(pk=root.pk).exists()
