"""Investment projects from approved one-stop dossiers, end to end: a real dossier received at
the counter, processed, approved, its result returned, and the outbox relayed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent, ProcessedEvent
from lienthong.exchange.outbox import relay_pending
from lienthong.onestop import intake, processing, results
from lienthong.onestop.models import Dossier
from lienthong.onestop.testing import TINY_PDF, counter_applicant
from lienthong.onestop.testing_processing import Team, make_team
from lienthong.registries.enterprises import onestop_hooks
from lienthong.registries.enterprises.models import (
    CertificateAmendment,
    DossierSyncProblem,
    InvestmentProject,
    InvestorKind,
    ProjectStatus,
)
from lienthong.registries.enterprises.testing import make_enterprise, make_project, make_world

pytestmark = pytest.mark.django_db

REGISTER = "1.009664.000.00.00.H99"
AMEND = "1.009647.000.00.00.H99"
TERMINATE = "1.009662.000.00.00.H99"


def _team(code: str) -> Team:
    return make_team("Ban Quản lý các khu công nghiệp thử", code=code)


def _approved(
    team: Team, form_data: dict[str, Any], *, number: str = "", tax_code: str = "0100233488"
) -> Dossier:
    """A dossier of an organisation through intake, processing, approval and return."""
    dossier = intake.receive_at_counter(
        procedure=team.procedure,
        agency=team.agency,
        applicant=counter_applicant(
            kind=Dossier.ApplicantKind.ORGANISATION,
            name="Công ty TNHH Bao bì Minh Phát",
            tax_code=tax_code,
            personal_id="",
        ),
        components_received=[
            intake.ReceivedComponent(c, originals=1, copies=0)
            for c in team.procedure.components.filter(is_required=True)
        ],
        form_data=form_data,
        by=team.officer,
    )
    processing.forward_dossier(dossier, by=team.specialist)
    processing.forward_dossier(dossier, by=team.leader)  # the leader approves
    results.upload_result(
        dossier,
        title="Giấy chứng nhận đăng ký đầu tư",
        number=number,
        file=ContentFile(TINY_PDF, name="gcn.pdf"),
        by=team.officer,
    )
    results.return_result(dossier, by=team.officer)
    dossier.refresh_from_db()
    return dossier


def _register_form(investor_tax_code: str) -> dict[str, Any]:
    return {
        "ten_du_an": "Nhà máy sản xuất bao bì giấy Minh Phát",
        "muc_tieu": "Sản xuất bao bì giấy carton, công suất 12.000 tấn/năm.",
        "von_dau_tu": "150.000.000.000",
        "dien_tich_dat": 20000.5,
        "thoi_han_hoat_dong": 50,
        "dia_diem": "Lô C5, Khu công nghiệp Phú Tân",
        "ma_xa_cu": "25753",
        "nha_dau_tu": [
            {"ma_so_thue": investor_tax_code, "von_gop": 120_000_000_000},
            {"ten": "Trần Văn An", "so_dinh_danh": "074085001234", "von_gop": 30_000_000_000},
        ],
    }


def test_an_approved_registration_dossier_creates_the_project_once() -> None:
    world = make_world()
    investor = make_enterprise(world.owner, name="Công ty TNHH Bao bì Minh Phát")
    team = _team(REGISTER)
    dossier = _approved(team, _register_form(investor.tax_code), number="7412345678")

    relay_pending()

    project = InvestmentProject.objects.get(source_dossier=dossier.code)
    assert project.owner == team.agency
    assert (project.certificate_number, project.certificate_date) == (
        "7412345678",
        timezone.localdate(dossier.result.issued_at),
    )
    assert project.capital == 150_000_000_000
    assert project.land_area == Decimal("20000.50")
    assert project.duration_years == 50
    assert (project.location_commune, project.location_commune_legacy) == ("25747", "25753")
    assert project.location_street == "Lô C5, Khu công nghiệp Phú Tân"
    investors = list(project.investors.all())
    assert [(i.kind, i.enterprise, i.capital) for i in investors] == [
        (InvestorKind.ORGANISATION, investor, 120_000_000_000),
        (InvestorKind.PERSON, None, 30_000_000_000),
    ]
    assert project.investor_names == (
        f"Công ty TNHH Bao bì Minh Phát ({investor.tax_code}); Trần Văn An (074085001234)"
    )
    entry = AuditEntry.objects.of_object(project).get()
    assert entry.action == "registry.investment_projects.create"
    assert entry.actor_id is None
    event = OutboxEvent.objects.get(type="registry.investment_projects.created")
    assert event.data["dossier"] == dossier.code
    returned = OutboxEvent.objects.get(type="dossier.returned", subject=dossier.code)
    assert ProcessedEvent.objects.filter(
        consumer=onestop_hooks.CONSUMER, event_id=returned.event_id
    ).exists()

    # The same event delivered again (a relay that crashed before marking it) changes nothing.
    ProcessedEvent.objects.filter(consumer=onestop_hooks.CONSUMER).delete()
    OutboxEvent.objects.filter(pk=returned.pk).update(
        status=OutboxEvent.Status.PENDING, next_attempt_at=timezone.now()
    )
    relay_pending()
    assert InvestmentProject.all_objects.count() == 1
    assert AuditEntry.objects.filter(action="registry.investment_projects.create").count() == 1
    assert OutboxEvent.objects.filter(type="registry.investment_projects.created").count() == 1


def test_the_handler_twice_on_one_event_makes_one_project() -> None:
    world = make_world()
    investor = make_enterprise(world.owner)
    team = _team(REGISTER)
    dossier = _approved(team, _register_form(investor.tax_code))
    returned = OutboxEvent.objects.get(type="dossier.returned", subject=dossier.code)
    from lienthong.exchange.registry import CloudEvent

    event = CloudEvent.from_outbox(returned)
    onestop_hooks.on_dossier_returned(event)
    onestop_hooks.on_dossier_returned(event)

    project = InvestmentProject.objects.get()
    # No result number: the certificate number is the generated project code.
    assert project.certificate_number == project.code
    assert len(project.code) == 10


def test_an_amendment_dossier_amends_and_a_termination_terminates() -> None:
    world = make_world()
    investor = make_enterprise(world.owner)
    project = make_project(world.other_owner, investors=(investor,))
    amend_team = _team(AMEND)
    dossier = _approved(
        amend_team,
        {
            "ma_so_du_an": project.code,
            "von_dau_tu": 200_000_000_000,
            "thoi_han_hoat_dong": "45",
            "noi_dung_dieu_chinh": "Tăng vốn đầu tư, điều chỉnh thời hạn",
        },
        number="7400000001-ĐC1",
    )
    relay_pending()

    project.refresh_from_db()
    assert (project.capital, project.duration_years) == (200_000_000_000, 45)
    amendment = CertificateAmendment.objects.get(project=project)
    assert amendment.number == 1
    assert amendment.source_dossier == dossier.code
    assert amendment.certificate_number == "7400000001-ĐC1"
    assert amendment.summary == "Tăng vốn đầu tư, điều chỉnh thời hạn"
    assert amendment.changes == {
        "capital": [120_000_000_000, 200_000_000_000],
        "duration_years": [50, 45],
    }
    assert AuditEntry.objects.of_object(project).get().action == (
        "registry.investment_projects.amend"
    )

    stop_team = _team(TERMINATE)
    _approved(stop_team, {"ma_so_du_an": project.code, "ly_do": "Thay đổi chiến lược"})
    relay_pending()
    project.refresh_from_db()
    assert project.status == ProjectStatus.TERMINATED
    assert list(project.amendments.values_list("number", flat=True)) == [1, 2]


def test_unusable_form_data_is_recorded_not_retried() -> None:
    make_world()
    team = _team(AMEND)
    dossier = _approved(team, {"ma_so_du_an": "7499999999", "von_dau_tu": "nhiều tỷ"})
    relay_pending()

    problem = DossierSyncProblem.objects.get(dossier_code=dossier.code)
    assert problem.agency == team.agency
    assert "ma_so_du_an" in problem.errors
    assert not CertificateAmendment.objects.exists()
    returned = OutboxEvent.objects.get(type="dossier.returned", subject=dossier.code)
    assert returned.status == OutboxEvent.Status.DELIVERED


def test_other_procedures_and_unreturned_dossiers_are_left_alone() -> None:
    make_world()
    other = make_team("UBND phường thử")
    dossier = _approved(other, {"ten_du_an": "Không phải dự án"})
    relay_pending()
    assert not InvestmentProject.all_objects.exists()
    assert not DossierSyncProblem.objects.exists()

    team = _team(REGISTER)
    stopped = intake.receive_at_counter(
        procedure=team.procedure,
        agency=team.agency,
        applicant=counter_applicant(),
        components_received=[
            intake.ReceivedComponent(c, originals=1, copies=0)
            for c in team.procedure.components.filter(is_required=True)
        ],
        form_data={"ten_du_an": "Dự án bị từ chối"},
        by=team.officer,
    )
    processing.stop_dossier(stopped, reason="Không đủ điều kiện", by=team.leader)
    relay_pending()
    assert onestop_hooks.apply_dossier(stopped.pk) is None
    assert onestop_hooks.apply_dossier(dossier.pk) is None
    assert not InvestmentProject.all_objects.exists()


def test_procedure_codes_match_by_their_catalogue_prefix(settings: Any) -> None:
    assert onestop_hooks.action_for("1.009664") == "register"
    assert onestop_hooks.action_for("1.009664.000.00.00.H56") == "register"
    assert onestop_hooks.action_for("1.009665.000.00.00.H56") is None
    settings.LIENTHONG = {**settings.LIENTHONG, "INVESTMENT_PROCEDURES": {"2.000001": "amend"}}
    assert onestop_hooks.action_for("1.009664") is None
    assert onestop_hooks.action_for("2.000001.000.00.00.H99") == "amend"


@pytest.mark.parametrize(
    ("form", "key"),
    [
        ({"von_dau_tu": -5}, "von_dau_tu"),
        ({"dien_tich_dat": "rộng"}, "dien_tich_dat"),
        ({"thoi_han_hoat_dong": 99}, "thoi_han_hoat_dong"),
        ({"nha_dau_tu": "Công ty A"}, "nha_dau_tu"),
        ({"nha_dau_tu": [{"ma_so_thue": "0100233480"}]}, "nha_dau_tu[0]"),
        ({"nha_dau_tu": [{"so_dinh_danh": "074085001234"}]}, "nha_dau_tu[0]"),
    ],
)
def test_form_data_errors_name_the_key(form: dict[str, Any], key: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        onestop_hooks.project_data(form, {})
    assert key in caught.value.message_dict


def test_the_applicant_organisation_is_the_investor_when_none_is_listed() -> None:
    data = onestop_hooks.project_data(
        {"ten_du_an": "Dự án", "muc_tieu": "Mục tiêu"},
        {"kind": "organisation", "name": "Công ty TNHH A", "tax_code": "0100233488"},
    )
    assert [(i.kind, i.name, i.identifier) for i in data.investors] == [
        ("organisation", "Công ty TNHH A", "0100233488")
    ]
    assert data.duration_years is None
    assert datetime.date.today()  # keep the import used by other tests' parametrisation
