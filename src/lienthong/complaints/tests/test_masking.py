"""The denouncer's identity is seen only by the authorised roles: the denouncer, the assigned
verifier, a leader of the resolving agency and holders of `view_denouncer_identity`. Every
other official sees it masked on the pages, in the API, the admin and the XLSX export, and it
never enters the audit log or the events."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from openpyxl import load_workbook

from lienthong.accounts.models import Role, User
from lienthong.complaints import services
from lienthong.complaints.models import MASK, Complaint, Kind
from lienthong.complaints.testing import Team, accept_and_assign, file_case, make_team, moment
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db

NAME = "Đỗ Thị Hoa"
ADDRESS = "12 Lê Lợi, phường Bến Thành"
PHONE = "0912345678"


def _secrets(team: Team) -> list[str]:
    return [NAME, ADDRESS, PHONE, team.citizen.personal_id or "", team.citizen.email]


def _client(user: User) -> Client:
    client = Client()
    login(client, user)
    return client


@pytest.fixture
def team() -> Team:
    return make_team()


@pytest.fixture
def denunciation(team: Team) -> Complaint:
    case = file_case(team, at=moment(2026, 3, 2))
    return accept_and_assign(team, case, at=moment(2026, 3, 3))


def _confidential_holder(team: Team) -> User:
    user = make_user("thanhtra-bi-mat", roles=[(Role.SPECIALIST, team.agency)])
    user.user_permissions.add(Permission.objects.get(codename="view_denouncer_identity"))
    return User.objects.get(pk=user.pk)  # a fresh instance: permissions are cached


def test_who_sees_the_denouncer(team: Team, denunciation: Complaint) -> None:
    seen = {
        "denouncer": team.citizen,
        "verifier": team.verifier,
        "leader": team.leader,
        "permission holder": _confidential_holder(team),
    }
    hidden = {
        "another specialist": team.other_specialist,
        "clerk": team.clerk,
        "leader of a division below": make_user(
            "lanhdao-phong",
            roles=[(Role.LEADER, make_org_unit(parent=team.agency, is_agency=False))],
        ),
        "another agency's leader": make_team().leader,
    }
    for who, user in seen.items():
        assert denunciation.filer_for(user)["name"] == NAME, who
    for who, user in hidden.items():
        assert denunciation.filer_for(user) == dict.fromkeys(
            ("name", "personal_id", "address", "phone", "email"), MASK
        ), who


def test_a_complaints_filer_is_not_confidential(team: Team) -> None:
    complaint = file_case(team, kind=Kind.COMPLAINT)
    assert complaint.filer_for(team.other_specialist)["name"] == NAME


def test_pages_mask_the_denouncer_for_other_officials(team: Team, denunciation: Complaint) -> None:
    client = _client(team.other_specialist)
    for url in (denunciation.get_absolute_url(), "/khieu-nai/"):
        page = client.get(url).content.decode()
        assert MASK in page
        for secret in _secrets(team):
            assert secret not in page, (url, secret)
    # the leader sees them
    page = _client(team.leader).get(denunciation.get_absolute_url()).content.decode()
    assert NAME in page and ADDRESS in page


def test_the_api_masks_the_denouncer(team: Team, denunciation: Complaint) -> None:
    client = _client(team.other_specialist)
    one = client.get(f"/api/complaints/cases/{denunciation.code}")
    assert one.status_code == 200
    assert one.json()["filer"] == dict.fromkeys(
        ("name", "personal_id", "address", "phone", "email"), MASK
    )
    assert one.json()["identity_masked"] is True
    listed = client.get("/api/complaints/cases").json()
    assert [row["filer"]["name"] for row in listed] == [MASK]
    body = one.content.decode() + json.dumps(listed, ensure_ascii=False)
    for secret in _secrets(team):
        assert secret not in body
    mine = _client(team.citizen).get(f"/api/complaints/cases/{denunciation.code}").json()
    assert (mine["filer"]["name"], mine["identity_masked"]) == (NAME, False)


def test_the_xlsx_export_carries_no_identity(team: Team, denunciation: Complaint) -> None:
    response = _client(team.leader).get(
        "/khieu-nai/thong-ke/",
        {"start": "2026-03-01", "end": "2026-03-31", "by": "kind", "xlsx": "1"},
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "Tố cáo" in cells
    for secret in _secrets(team):
        assert secret not in cells


def test_the_admin_masks_the_denouncer(team: Team, denunciation: Complaint) -> None:
    staff = make_user("quantri-tt", roles=[(Role.SPECIALIST, team.agency)], is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_complaint"))
    client = _client(staff)
    for url in (
        "/admin/complaints/complaint/",
        f"/admin/complaints/complaint/{denunciation.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert MASK in page, url
        for secret in _secrets(team):
            assert secret not in page, (url, secret)


def test_the_audit_log_and_the_events_never_hold_the_identity(
    team: Team, denunciation: Complaint
) -> None:
    services.report(complaint=denunciation, by=team.verifier, text="Đã xác minh.")
    entries = AuditEntry.objects.filter(
        object_type__in=["complaints.complaint", "complaints.reception", "workflow.case"]
    )
    assert entries.count() >= 5
    logged = json.dumps(
        [[e.before, e.after, e.object_repr] for e in entries], ensure_ascii=False, default=str
    )
    events = json.dumps(
        list(OutboxEvent.objects.values_list("data", flat=True)), ensure_ascii=False, default=str
    )
    for secret in _secrets(team):
        assert secret not in logged
        assert secret not in events
    assert denunciation.code in logged


def test_a_reception_that_opened_a_denunciation_hides_the_person(team: Team) -> None:
    reception = services.record_reception(
        agency=team.agency,
        person_name="Ông Phan Văn Tố",
        address="5 Hai Bà Trưng",
        content="Tố cáo cán bộ thu tiền",
        by=team.verifier,
    )
    services.file_case(
        kind=Kind.DENUNCIATION,
        agency=team.agency,
        field="land",
        channel="reception",
        filer=services.Filer(name="Ông Phan Văn Tố", address="5 Hai Bà Trưng"),
        subject="Cán bộ thu tiền",
        content="Tố cáo cán bộ thu tiền",
        reception=reception,
        by=team.verifier,
    )
    page = _client(team.other_specialist).get(f"/khieu-nai/tiep-cong-dan/{reception.pk}/")
    assert "Ông Phan Văn Tố" not in page.content.decode()
    listed = _client(team.other_specialist).get("/api/complaints/receptions").json()
    assert [row["person_name"] for row in listed] == [MASK]
    staff = make_user("quantri-tcd", roles=[(Role.SPECIALIST, team.agency)], is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_reception"))
    for url in (
        "/admin/complaints/reception/",
        f"/admin/complaints/reception/{reception.pk}/change/",
    ):
        response = _client(staff).get(url)
        assert response.status_code == 200, url
        assert "Ông Phan Văn Tố" not in response.content.decode(), url
        assert MASK in response.content.decode(), url
    page = _client(team.leader).get(f"/khieu-nai/tiep-cong-dan/{reception.pk}/")
    assert "Ông Phan Văn Tố" in page.content.decode()
