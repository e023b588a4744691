"""The staff registry's pages: who may open each one (403/404), what they show, what the
decisions write, and that list pages do not grow queries with the rows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lienthong.accounts.models import Role
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.registries.base.models import DataAccess, RegistryGrant
from lienthong.registries.staff.choices import Category, SchoolLevel
from lienthong.registries.staff.models import (
    Discipline,
    Qualification,
    SalaryChange,
    StaffMember,
)
from lienthong.registries.staff.testing import make_member

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def members(org: Any, editor: Any, district_editor: Any) -> dict[str, StaffMember]:
    """A member of the department and a teacher of the district's school."""
    mine = make_member(org.division, by=editor, full_name="Nguyễn Văn Bình")
    theirs = make_member(
        org.school.org_unit,
        by=district_editor,
        full_name="Trần Thị Lan",
        birth_year=1990,
        sex="female",
        category=Category.PUBLIC_EMPLOYEE,
        rank="V.07.03.29",
        step=2,
        school=org.school,
        school_level=SchoolLevel.PRIMARY,
        subjects="Toán",
    )
    return {"mine": mine, "theirs": theirs}


def _denied(org: Any) -> Any:
    # A leader of the department: organisation work, but not the registry's official.
    return make_user("lanhdaoso", roles=[(Role.LEADER, org.department)])


class TestListAccess(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        return Access(
            url="/csdl/can-bo/",
            outside_url="/csdl/can-bo/?unit=0",  # overridden below: a list has no "outside"
            allowed=editor,
            denied=_denied(org),
        )

    def test_object_outside_scope_gets_404(self, db: None, client: Client, access: Access) -> None:
        """A list has no object outside scope: the other agency's rows are simply absent."""
        login(client, access.allowed)
        page = client.get(access.url).content.decode()
        assert "Nguyễn Văn Bình" in page and "Trần Thị Lan" not in page


class TestDetailAccess(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        return Access(
            url=f"/csdl/can-bo/{members['mine'].pk}/",
            outside_url=f"/csdl/can-bo/{members['theirs'].pk}/",
            allowed=editor,
            denied=_denied(org),
        )


class TestSalaryDecisionAccess(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        data = {
            "reason": "promotion",
            "rank": "",
            "step": "1",
            "effective_date": "2025-03-01",
            "decision_number": "45/QĐ-UBND",
        }
        from lienthong.registries.staff.models import Rank

        data["rank"] = str(Rank.objects.get(code="01.002").pk)
        return Access(
            url=f"/csdl/can-bo/{members['mine'].pk}/luong/",
            outside_url=f"/csdl/can-bo/{members['theirs'].pk}/luong/",
            allowed=editor,
            denied=_denied(org),
            method="post",
            data=data,
            ok_status=302,
            state=lambda: SalaryChange.objects.count(),
        )


class TestCareerAddAccess(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        return Access(
            url=f"/csdl/can-bo/{members['mine'].pk}/trinh-do/them/",
            outside_url=f"/csdl/can-bo/{members['theirs'].pk}/trinh-do/them/",
            allowed=editor,
            denied=_denied(org),
            method="post",
            data={"kind": "professional", "level": "bachelor", "major": "Luật", "year": "2008"},
            ok_status=302,
            state=lambda: Qualification.objects.count(),
        )


class TestDueReportAccess(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, editor: Any, members: Any) -> Access:
        return Access(
            url="/csdl/can-bo/den-han-nang-luong/?days=3660",
            outside_url="/csdl/can-bo/den-han-nang-luong/?days=3660",
            allowed=editor,
            denied=_denied(org),
        )

    def test_object_outside_scope_gets_404(self, db: None, client: Client, access: Access) -> None:
        login(client, access.allowed)
        page = client.get(access.url).content.decode()
        assert "Nguyễn Văn Bình" in page and "Trần Thị Lan" not in page


class TestTeachersAccess(PermissionContract):
    @pytest.fixture
    def access(self, org: Any, district_editor: Any, members: Any) -> Access:
        return Access(
            url="/csdl/giao-vien/",
            outside_url="/csdl/giao-vien/",
            allowed=district_editor,
            denied=_denied(org),
        )

    def test_object_outside_scope_gets_404(self, db: None, client: Client, access: Access) -> None:
        """The department's registry official sees no teacher of the district."""
        from lienthong.accounts.models import User

        login(client, User.objects.get(username="canbotccb"))
        page = client.get(access.url).content.decode()
        assert "Trần Thị Lan" not in page


def test_a_grant_lets_another_agency_read_but_not_edit(
    client: Client, org: Any, members: Any, outsider: Any
) -> None:
    RegistryGrant.objects.create(registry="staff", agency=org.other, purpose="Quản lý cán bộ")
    login(client, outsider)
    member = members["mine"]
    assert client.get("/csdl/can-bo/").status_code == 200
    page = client.get(f"/csdl/can-bo/{member.pk}/?purpose=X%C3%A9t+n%C3%A2ng+l%C6%B0%C6%A1ng")
    assert page.status_code == 200 and "Nguyễn Văn Bình" in page.content.decode()
    read = DataAccess.objects.get(subject_key=member.personal_id)
    assert (read.actor, read.purpose) == (outsider, "Xét nâng lương")
    response = client.post(f"/csdl/can-bo/{member.pk}/ky-luat/them/", {})
    assert response.status_code == 404
    assert not Discipline.objects.exists()


def test_detail_shows_placement_and_tabs(client: Client, members: Any, editor: Any) -> None:
    login(client, editor)
    member = members["mine"]
    client.get(
        f"/csdl/can-bo/{member.pk}/?preset=C%E1%BA%ADp+nh%E1%BA%ADt%2C+ch%E1%BB%89nh+s%E1%BB%ADa+d%E1%BB%AF+li%E1%BB%87u"
    )
    page = client.get(f"/csdl/can-bo/{member.pk}/").content.decode()
    assert "Bậc 3/9 — hệ số 3,00" in page
    assert "7.020.000 đ/tháng" in page
    assert "01/01/2026" in page  # next raise
    for tab in (
        "Quá trình lương",
        "Bổ nhiệm",
        "Trình độ",
        "Đào tạo, bồi dưỡng",
        "Khen thưởng",
        "Kỷ luật",
    ):
        assert tab in page
    assert "Xếp lương lần đầu" in page


def test_regular_raise_page_applies_the_decree(client: Client, members: Any, editor: Any) -> None:
    login(client, editor)
    member = members["mine"]
    page = client.get(f"/csdl/can-bo/{member.pk}/nang-luong/").content.decode()
    assert "lên bậc 4 (hệ số 3,33) từ 01/01/2026" in page
    response = client.post(f"/csdl/can-bo/{member.pk}/nang-luong/", {"decision_number": "5/QĐ"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.salary_step, member.last_raise_date) == (4, D(2026, 1, 1))


def test_a_bad_decision_shows_the_errors_and_writes_nothing(
    client: Client, members: Any, editor: Any
) -> None:
    login(client, editor)
    member = members["mine"]
    from lienthong.registries.staff.models import Rank

    response = client.post(
        f"/csdl/can-bo/{member.pk}/luong/",
        {
            "reason": "promotion",
            "rank": Rank.objects.get(code="01.001").pk,
            "step": "9",
            "effective_date": "2025-03-01",
            "decision_number": "1/QĐ",
        },
    )
    assert response.status_code == 422
    assert "Bậc lương phải từ 1 đến 6" in response.content.decode()
    assert SalaryChange.objects.filter(member=member).count() == 1


def test_a_discipline_moves_the_due_date_on_the_page(
    client: Client, members: Any, editor: Any
) -> None:
    login(client, editor)
    member = members["mine"]
    response = client.post(
        f"/csdl/can-bo/{member.pk}/ky-luat/them/",
        {"form": "reprimand", "decision_number": "3/QĐ-KL", "decision_date": "2024-05-01"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.next_raise_due == D(2026, 7, 1)


def test_due_report_and_its_xlsx(client: Client, org: Any, editor: Any) -> None:
    today = datetime.date.today()
    soon = make_member(
        org.department,
        by=editor,
        full_name="Đến Hạn",
        last_raise_date=today.replace(year=today.year - 3),
    )
    make_member(org.department, by=editor, full_name="Chưa Đến", last_raise_date=today)
    login(client, editor)
    page = client.get("/csdl/can-bo/den-han-nang-luong/?days=30").content.decode()
    assert "Đến Hạn" in page and "Chưa Đến" not in page
    assert client.get("/csdl/can-bo/den-han-nang-luong/?days=abc").status_code == 422
    response = client.get("/csdl/can-bo/den-han-nang-luong/?days=30&format=xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    import io

    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Họ và tên" and len(rows) == 2
    assert rows[1][0] == soon.full_name and rows[1][8] == 3.33


def test_teachers_filters(client: Client, members: Any, district_editor: Any) -> None:
    login(client, district_editor)
    assert (
        "Trần Thị Lan"
        in client.get("/csdl/giao-vien/?level=primary&subject=to%C3%A1n").content.decode()
    )
    assert (
        "Trần Thị Lan" not in client.get("/csdl/giao-vien/?level=upper_secondary").content.decode()
    )
    assert "Trần Thị Lan" in client.get("/csdl/giao-vien/?q=tran+thi").content.decode()
    assert client.get("/csdl/giao-vien/?level=dai-hoc").status_code == 422


@pytest.mark.parametrize(
    "url", ["/csdl/can-bo/", "/csdl/giao-vien/", "/csdl/can-bo/den-han-nang-luong/?days=3660"]
)
def test_list_pages_do_not_grow_queries_with_rows(
    client: Client, org: Any, district_editor: Any, url: str
) -> None:
    def add(n: int) -> None:
        for _i in range(n):
            make_member(
                org.school.org_unit,
                by=district_editor,
                category=Category.PUBLIC_EMPLOYEE,
                rank="V.07.03.29",
                step=2,
                school=org.school,
                school_level=SchoolLevel.PRIMARY,
            )

    login(client, district_editor)
    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 12  # the nav's dashboard link reads the roles loaded with the user


def test_create_edit_and_history_through_the_shared_pages(
    client: Client, org: Any, editor: Any
) -> None:
    from lienthong.registries.staff.testing import personal_id

    login(client, editor)
    assert client.get("/csdl/can-bo/them/").status_code == 200
    data = {
        "personal_id": personal_id(birth_year=1979),
        "full_name": "Hồ Văn Mới",
        "birth_date": "1979-08-09",
        "sex": "male",
        "org_unit": org.division.pk,
        "category": "civil_servant",
        "status": "working",
    }
    response = client.post("/csdl/can-bo/them/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    member = StaffMember.objects.get(full_name="Hồ Văn Mới")
    assert member.owner == org.department and member.rank is None
    # A unit of another agency is not offered, and refused if posted.
    data["org_unit"] = org.district.pk
    assert client.post(f"/csdl/can-bo/{member.pk}/sua/", data).status_code == 422
    data.update(org_unit=org.division.pk, full_name="Hồ Văn Đổi")
    assert client.post(f"/csdl/can-bo/{member.pk}/sua/", data).status_code == 302
    history = client.get(f"/csdl/can-bo/{member.pk}/lich-su/").content.decode()
    assert "Hồ Văn Mới" in history and "Hồ Văn Đổi" in history
