"""The enterprise registry's pages: permissions of every page, browse and search in constant
queries, the purpose of a read, edit with lines and history, status change, branches, project
amendment and termination, import and export from the UI."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lienthong.core.testing_permissions import Access, PermissionContract, login
from lienthong.registries.base.addresses import unit_index
from lienthong.registries.base.models import DataAccess, ImportJob
from lienthong.registries.enterprises.models import (
    Branch,
    CertificateAmendment,
    DossierSyncProblem,
    Enterprise,
    EnterpriseStatus,
    EnterpriseType,
    InvestmentProject,
    ProjectStatus,
    StatusChange,
)
from lienthong.registries.enterprises.testing import (
    World,
    make_enterprise,
    make_project,
    make_world,
    tax_code,
)

pytestmark = pytest.mark.django_db

LIST = "/csdl/doanh-nghiep/"
PROJECTS = "/csdl/du-an-dau-tu/"
PURPOSE = "?purpose=xac-minh-ho-so-dang-ky"


@pytest.fixture
def world() -> World:
    return make_world()


def _pair(world: World) -> tuple[Enterprise, Enterprise]:
    return make_enterprise(world.owner), make_enterprise(world.other_owner)


class TestDetailAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine, theirs = _pair(world)
        return Access(
            url=f"{LIST}{mine.pk}/{PURPOSE}",
            outside_url=f"{LIST}{theirs.pk}/{PURPOSE}",
            allowed=world.official,
            denied=world.outsider,
        )


class TestEditAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine, theirs = _pair(world)
        return Access(
            url=f"{LIST}{mine.pk}/sua/",
            outside_url=f"{LIST}{theirs.pk}/sua/",
            allowed=world.official,
            denied=world.reader,
        )


class TestStatusAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine, theirs = _pair(world)
        return Access(
            url=f"{LIST}{mine.pk}/tinh-trang/",
            outside_url=f"{LIST}{theirs.pk}/tinh-trang/",
            allowed=world.official,
            denied=world.reader,
            method="post",
            data={
                "to_status": "suspended",
                "effective_on": "2025-02-03",
                "reason": "Tạm ngừng để sửa chữa nhà xưởng",
            },
            ok_status=302,
            state=lambda: list(StatusChange.objects.values_list("pk", flat=True)),
        )


class TestBranchAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine, theirs = _pair(world)
        return Access(
            url=f"{LIST}{mine.pk}/don-vi/them/",
            outside_url=f"{LIST}{theirs.pk}/don-vi/them/",
            allowed=world.official,
            denied=world.reader,
            method="post",
            data={"kind": "location", "name": "Cửa hàng số 2"},
            ok_status=302,
            state=lambda: list(Branch.objects.values_list("pk", flat=True)),
        )


class TestAmendAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_project(world.owner, investors=("Nguyễn Văn An",))
        theirs = make_project(world.other_owner, investors=("Trần Văn Bình",))
        return Access(
            url=f"{PROJECTS}{mine.pk}/dieu-chinh/",
            outside_url=f"{PROJECTS}{theirs.pk}/dieu-chinh/",
            allowed=world.official,
            denied=world.reader,
            method="post",
            data={"amended_on": "2024-05-06", "capital": "150000000000"},
            ok_status=302,
            state=lambda: list(CertificateAmendment.objects.values_list("pk", flat=True)),
        )


class TestTerminateAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_project(world.owner, investors=("Nguyễn Văn An",))
        theirs = make_project(world.other_owner, investors=("Trần Văn Bình",))
        return Access(
            url=f"{PROJECTS}{mine.pk}/cham-dut/",
            outside_url=f"{PROJECTS}{theirs.pk}/cham-dut/",
            allowed=world.official,
            denied=world.reader,
            method="post",
            data={"on": "2025-01-02", "reason": "Nhà đầu tư đề nghị"},
            ok_status=302,
            state=lambda: sorted(InvestmentProject.objects.values_list("status", flat=True)),
        )


class TestProjectDetailAccess(PermissionContract):
    @pytest.fixture
    def access(self, db: None) -> Access:
        world = make_world()
        mine = make_project(world.owner, investors=("Nguyễn Văn An",))
        theirs = make_project(world.other_owner, investors=("Trần Văn Bình",))
        return Access(
            url=f"{PROJECTS}{mine.pk}/",
            outside_url=f"{PROJECTS}{theirs.pk}/",
            allowed=world.official,
            denied=world.outsider,
        )


def test_lists_refuse_citizens_and_outsiders(client: Client, world: World) -> None:
    for user in (world.citizen, world.outsider):
        login(client, user)
        assert client.get(LIST).status_code == 403
        assert client.get(PROJECTS).status_code == 403
        assert client.get(f"{PROJECTS}ho-so-chua-cap-nhat/").status_code == 403


def test_list_search_and_filters_in_constant_queries(client: Client, world: World) -> None:
    for n in range(3):
        make_enterprise(world.owner, name=f"Công ty TNHH Thực phẩm Đông Á {n}", lines=("4632",))
    make_enterprise(
        world.other_owner,
        name="Hợp tác xã Nông sản Tân Hòa",
        enterprise_type=EnterpriseType.COOPERATIVE,
        lines=("4620", "0126"),
        address_commune="25750",
    )
    login(client, world.reader)
    unit_index()
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        response = client.get(LIST)
    for n in range(20):
        make_enterprise(world.owner, name=f"Công ty Cổ phần Xây dựng {n}", lines=("4101",))
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(many) == len(few) <= 12

    html = client.get(LIST, {"q": "thuc pham dong a"}).content.decode()
    assert html.count("Thực phẩm Đông Á") == 3 and "Tân Hòa" not in html
    html = client.get(LIST, {"type": "htx"}).content.decode()
    assert "Tân Hòa" in html and "Đông Á" not in html
    html = client.get(LIST, {"vsic": "A"}).content.decode()
    assert "Tân Hòa" in html and "Đông Á" not in html
    html = client.get(LIST, {"commune": "25750"}).content.decode()
    assert "Tân Hòa" in html and "Đông Á" not in html
    response = client.get(LIST, {"status": "ngủ", "vsic": "Z9", "commune": "12"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "không hợp lệ" in body and "A–U" in body and "5 chữ số" in body


def test_the_project_list_in_constant_queries(client: Client, world: World) -> None:
    investor = make_enterprise(world.owner)
    for _n in range(3):
        make_project(world.owner, investors=(investor,))
    login(client, world.official)
    client.get(PROJECTS)
    with CaptureQueriesContext(connection) as few:
        response = client.get(PROJECTS)
    for _n in range(10):
        make_project(world.owner, investors=(investor, "Nguyễn Thị Minh"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(PROJECTS)
    assert response.status_code == 200
    assert len(many) == len(few) <= 12
    html = client.get(PROJECTS, {"investor": investor.tax_code}).content.decode()
    assert html.count("Nhà máy sản xuất bao bì giấy") == 13


def test_reading_an_enterprise_asks_a_purpose_and_logs_it(client: Client, world: World) -> None:
    enterprise = make_enterprise(world.owner, lines=("4632", "46329"))
    StatusChange.objects.create(
        enterprise=enterprise,
        from_status="active",
        to_status="suspended",
        effective_on=datetime.date(2024, 1, 2),
        reason="Tạm ngừng",
    )
    login(client, world.reader)
    response = client.get(f"{LIST}{enterprise.pk}/")
    assert 'id="purpose-form"' in response.content.decode()
    assert not DataAccess.objects.exists()

    response = client.get(f"{LIST}{enterprise.pk}/", {"purpose": "Đối chiếu nhà đầu tư"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bán buôn thực phẩm" in html and "Bán buôn thực phẩm khác" in html
    assert 'id="status-history"' in html and "Tạm ngừng kinh doanh" in html
    assert "Phường Thủ Dầu Một" in html
    assert 'id="enterprise-actions"' not in html  # a reader does not edit
    read = DataAccess.objects.get()
    assert (read.subject_key, read.purpose, read.agency) == (
        enterprise.tax_code,
        "Đối chiếu nhà đầu tư",
        world.reader_agency,
    )


def test_create_with_lines_then_edit_and_history(client: Client, world: World) -> None:
    login(client, world.official)
    code = tax_code()
    data: dict[str, Any] = {
        "owner": world.owner.pk,
        "tax_code": code,
        "name": "Công ty TNHH Cơ khí Quang Tiến",
        "enterprise_type": "tnhh2",
        "charter_capital": "3000000000",
        "representative_name": "Đặng Văn Hải",
        "address_street": "Số 7 Nguyễn Trãi",
        "address_commune_legacy": "25741",
        "main_line_code": "2592",
        "other_line_codes": "3312, 4659",
    }
    response = client.post(f"{LIST}them/", {**data, "other_line_codes": "3312, 9999"})
    assert response.status_code == 422
    assert "9999" in response.content.decode()
    assert not Enterprise.all_objects.exists()

    response = client.post(f"{LIST}them/", data)
    assert response.status_code == 302, response.content.decode()
    enterprise = Enterprise.objects.get(tax_code=code)
    assert (enterprise.main_line, enterprise.other_lines) == ("2592", "3312;4659")
    assert enterprise.address_commune == "25750"

    response = client.post(
        f"{LIST}{enterprise.pk}/sua/",
        {**data, "name": "Công ty TNHH Cơ khí Quang Tiến Miền Nam", "other_line_codes": ""},
    )
    assert response.status_code == 302
    html = client.get(f"{LIST}{enterprise.pk}/lich-su/").content.decode()
    assert "Cơ khí Quang Tiến Miền Nam" in html
    assert "3312;4659" in html
    assert list(enterprise.lines.values_list("code", flat=True)) == ["2592"]


def test_status_change_page_writes_history_or_explains(client: Client, world: World) -> None:
    enterprise = make_enterprise(world.owner)
    login(client, world.official)
    page = f"{LIST}{enterprise.pk}/tinh-trang/"
    assert client.get(page).status_code == 200

    response = client.post(
        page, {"to_status": "suspended", "effective_on": "2010-01-01", "reason": "Thử"}
    )
    assert response.status_code == 422
    assert "không được trước ngày 02/03/2015" in response.content.decode()
    assert not StatusChange.objects.exists()

    response = client.post(
        page,
        {
            "to_status": "dissolved",
            "effective_on": "2025-06-30",
            "reason": "Giải thể",
            "decision": "05/QĐ-GT",
        },
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.DISSOLVED
    html = client.get(f"{LIST}{enterprise.pk}/lich-su/").content.decode()
    assert "Thay đổi tình trạng hoạt động" in html
    # Dissolved: no transition is offered any more.
    response = client.post(
        page, {"to_status": "active", "effective_on": "2025-07-01", "reason": "x"}
    )
    assert response.status_code == 422


def test_branch_page_adds_and_closes(client: Client, world: World) -> None:
    enterprise = make_enterprise(world.owner)
    login(client, world.official)
    page = f"{LIST}{enterprise.pk}/don-vi/them/"
    response = client.post(
        page, {"kind": "branch", "name": "Chi nhánh Bình Dương", "tax_code": "1"}
    )
    assert response.status_code == 422
    response = client.post(
        page,
        {
            "kind": "branch",
            "name": "Chi nhánh Bình Dương",
            "tax_code": f"{enterprise.tax_code}-001",
            "commune": "99999",
        },
    )
    assert response.status_code == 422
    assert "99999" in response.content.decode()
    assert not Branch.objects.exists()
    response = client.post(
        page,
        {
            "kind": "branch",
            "name": "Chi nhánh Bình Dương",
            "tax_code": f"{enterprise.tax_code}-001",
            "commune": "25750",
        },
    )
    assert response.status_code == 302
    branch = Branch.objects.get()
    html = client.get(f"{LIST}{enterprise.pk}/", {"purpose": "Cập nhật dữ liệu"}).content.decode()
    assert "Chi nhánh Bình Dương" in html and "Phường Phú Lợi" in html
    response = client.post(f"{LIST}{enterprise.pk}/don-vi/{branch.pk}/cham-dut/")
    assert response.status_code == 302
    branch.refresh_from_db()
    assert branch.closed_on is not None


def test_amend_and_terminate_pages(client: Client, world: World) -> None:
    investor = make_enterprise(world.owner)
    project = make_project(world.owner, investors=(investor,))
    login(client, world.official)
    page = f"{PROJECTS}{project.pk}/dieu-chinh/"
    response = client.post(page, {"amended_on": "2024-05-06"})
    assert response.status_code == 422
    assert "không thay đổi thông tin nào" in response.content.decode()
    response = client.post(
        page,
        {
            "amended_on": "2024-05-06",
            "duration_years": "40",
            "investors_text": f"{investor.tax_code}; Lê Thị Hoa (074185003217)",
            "summary": "Bổ sung nhà đầu tư",
        },
    )
    assert response.status_code == 302
    amendment = CertificateAmendment.objects.get()
    assert set(amendment.changes) == {"duration_years", "investors"}
    html = client.get(f"{PROJECTS}{project.pk}/").content.decode()
    assert "Bổ sung nhà đầu tư" in html and "Lê Thị Hoa" in html

    response = client.post(f"{PROJECTS}{project.pk}/cham-dut/", {"on": "2025-01-02", "reason": " "})
    assert response.status_code == 422
    response = client.post(
        f"{PROJECTS}{project.pk}/cham-dut/", {"on": "2025-01-02", "reason": "Hết nhu cầu"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.TERMINATED
    html = client.get(f"{PROJECTS}{project.pk}/lich-su/").content.decode()
    assert "Chấm dứt hoạt động dự án" in html


def test_sync_problems_page_shows_the_owners_only(client: Client, world: World) -> None:
    DossierSyncProblem.objects.create(
        dossier_code="000.00.13.H99-250101-0001",
        procedure_code="1.009647",
        agency=world.owner,
        errors={"ma_so_du_an": ["Không có dự án mã số 7499999999 trong cơ sở dữ liệu."]},
    )
    login(client, world.official)
    html = client.get(f"{PROJECTS}ho-so-chua-cap-nhat/").content.decode()
    assert "000.00.13.H99-250101-0001" in html and "7499999999" in html
    login(client, world.other_official)
    html = client.get(f"{PROJECTS}ho-so-chua-cap-nhat/").content.decode()
    assert "000.00.13.H99-250101-0001" not in html


def test_import_and_export_through_the_pages(client: Client, world: World) -> None:
    login(client, world.official)
    good, bad = tax_code(), "0100233480"
    content = (
        "Mã số doanh nghiệp,Tên doanh nghiệp,Loại hình,Người đại diện theo pháp luật,"
        "Ngành chính (VSIC),Trụ sở: mã xã mới\n"
        f"{good},Công ty TNHH Điện tử Sao Mai,tnhh1,Võ Văn Dũng,2610,25747\n"
        f"{bad},Công ty lỗi,tnhh1,Võ Văn Dũng,2610,25747\n"
    ).encode()
    upload = SimpleUploadedFile("dn.csv", content, content_type="text/csv")
    response = client.post(f"{LIST}nhap/", {"file": upload, "owner": world.owner.pk})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.total_rows, job.error_count) == (2, 1)
    response = client.post(f"{LIST}nhap/{job.pk}/", {})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED
    assert not Enterprise.all_objects.exists()
    client.post(f"{LIST}nhap/{job.pk}/", {"valid_only": "on"})
    assert list(Enterprise.objects.values_list("tax_code", flat=True)) == [good]

    response = client.get(f"{LIST}xuat/", {"format": "csv", "q": "sao mai"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert body.splitlines()[0].startswith("Mã số doanh nghiệp,Tên doanh nghiệp")
    assert good in body
    response = client.get(f"{LIST}xuat/", {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_admin_pages_show_the_records_and_their_rows(client: Client, world: World) -> None:
    from lienthong.core.testing import make_user

    enterprise = make_enterprise(world.owner, lines=("4632", "4633"))
    project = make_project(world.owner, investors=(enterprise,))
    DossierSyncProblem.objects.create(
        dossier_code="000.00.13.H99-250101-0002", procedure_code="1.009664", errors={}
    )
    login(client, make_user("quantri-dn", is_superuser=True, is_staff=True))
    for url in (
        "/admin/enterprises/enterprise/",
        f"/admin/enterprises/enterprise/{enterprise.pk}/change/",
        f"/admin/enterprises/enterprise/{enterprise.pk}/history/",
        f"/admin/enterprises/investmentproject/{project.pk}/change/",
        "/admin/enterprises/dossiersyncproblem/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(f"/admin/enterprises/enterprise/{enterprise.pk}/change/").content.decode()
    assert "Bán buôn đồ uống" in html
