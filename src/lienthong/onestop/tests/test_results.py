"""Results: upload, return at the counter or online, kept in the data store for reuse."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from lienthong.core.models import AuditEntry
from lienthong.onestop import processing, results
from lienthong.onestop.models import (
    Channel,
    CitizenDocument,
    Dossier,
    DossierResult,
    DossierStatus,
)
from lienthong.onestop.testing import TINY_PDF, make_citizen, make_citizen_document
from lienthong.onestop.testing_processing import (
    Team,
    event_types,
    footprint,
    last_event_id,
    make_team,
    moment,
)
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case

pytestmark = pytest.mark.django_db


def _processed(team: Team, **kwargs: object) -> Dossier:
    dossier = team.dossier(at=moment("2026-03-02 09:00"), **kwargs)
    processing.forward_dossier(dossier, by=team.specialist, at=moment("2026-03-03 09:00"))
    processing.forward_dossier(dossier, by=team.leader, at=moment("2026-03-04 09:00"))
    dossier.refresh_from_db()
    return dossier


def _pdf(name: str = "ket-qua.pdf") -> ContentFile[bytes]:
    return ContentFile(TINY_PDF, name=name)


def test_the_leader_uploads_the_result_of_a_processed_dossier() -> None:
    team = make_team()
    dossier = _processed(team)
    mark = last_event_id()

    result = results.upload_result(
        dossier,
        title="Giấy chứng nhận đăng ký hộ kinh doanh",
        number="41A8012345",
        file=_pdf("Giấy chứng nhận.pdf"),
        by=team.leader,
        at=moment("2026-03-04 10:00"),
    )

    assert (result.title, result.number, result.uploaded_by, result.returned_at) == (
        "Giấy chứng nhận đăng ký hộ kinh doanh",
        "41A8012345",
        team.leader,
        None,
    )
    assert str(result.file.name).startswith("onestop/results/")
    assert str(result.file.name).endswith("-giay-chung-nhan.pdf")
    assert event_types(dossier, mark) == ["dossier.result_ready"]
    assert dossier.history.order_by("-pk")[0].public_note == (
        "Đã có kết quả giải quyết: Giấy chứng nhận đăng ký hộ kinh doanh."
    )
    assert AuditEntry.objects.filter(action="onestop.dossier.upload_result").count() == 1


def test_a_result_must_be_an_accepted_file_of_a_processed_dossier() -> None:
    team = make_team()
    processing_dossier = team.dossier()
    before = footprint(processing_dossier)
    with pytest.raises(WrongState):
        results.upload_result(processing_dossier, title="KQ", file=_pdf(), by=team.leader)
    assert footprint(processing_dossier) == before

    dossier = _processed(team)
    before = footprint(dossier)
    with pytest.raises(ValidationError) as caught:
        results.upload_result(
            dossier, title=" ", file=ContentFile(b"<html>", name="kq.pdf"), by=team.leader
        )
    assert set(caught.value.message_dict) == {"title", "file"}
    with pytest.raises(PermissionDenied):
        results.upload_result(dossier, title="KQ", file=_pdf(), by=make_team().leader)
    with pytest.raises(PermissionDenied):
        results.upload_result(dossier, title="KQ", file=_pdf(), by=make_citizen())
    assert footprint(dossier) == before
    assert not DossierResult.objects.exists()


def test_returning_at_the_counter_finishes_the_case_and_stores_the_result() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = _processed(team, applicant=citizen)
    results.upload_result(dossier, title="Giấy phép xây dựng", file=_pdf(), by=team.leader)
    mark = last_event_id()

    result = results.return_result(
        dossier, by=team.officer, channel=Channel.COUNTER, at=moment("2026-03-05 14:00")
    )

    dossier.refresh_from_db()
    assert (dossier.status, dossier.returned_at) == (
        DossierStatus.RETURNED,
        moment("2026-03-05 14:00"),
    )
    assert (result.returned_at, result.returned_by, result.return_channel) == (
        moment("2026-03-05 14:00"),
        team.officer,
        Channel.COUNTER,
    )
    assert processing.case_of(dossier).status == Case.Status.FINISHED
    document = CitizenDocument.objects.get(source_dossier=dossier)
    assert (
        document.owner,
        document.owner_personal_id,
        document.title,
        document.procedure,
        document.file.name,
    ) == (citizen, citizen.personal_id, "Giấy phép xây dựng", team.procedure, result.file.name)
    assert event_types(dossier, mark) == ["dossier.returned", "dossier.status_changed"]
    assert dossier.history.order_by("-pk")[0].public_note == "Đã trả kết quả."


def test_returning_online_needs_an_applicant_account() -> None:
    team = make_team()
    dossier = _processed(team)  # a counter applicant without an account
    results.upload_result(dossier, title="KQ", file=_pdf(), by=team.leader)
    before = footprint(dossier)

    with pytest.raises(ValidationError) as caught:
        results.return_result(dossier, by=team.officer, channel=Channel.ONLINE)

    assert list(caught.value.message_dict) == ["channel"]
    assert footprint(dossier) == before


def test_returning_online_tells_where_the_result_is() -> None:
    team = make_team()
    citizen = make_citizen()
    dossier = _processed(team, applicant=citizen)
    results.upload_result(dossier, title="KQ", file=_pdf(), by=team.leader)

    results.return_result(dossier, by=team.officer, channel=Channel.ONLINE)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    assert dossier.history.order_by("-pk")[0].public_note == (
        "Đã trả kết quả trực tuyến; kết quả được lưu trong kho dữ liệu của người nộp."
    )


def test_no_return_without_a_result_nor_by_someone_else() -> None:
    team = make_team()
    dossier = _processed(team)
    before = footprint(dossier)

    with pytest.raises(WrongState, match="chưa có kết quả"):
        results.return_result(dossier, by=team.officer)
    results.upload_result(dossier, title="KQ", file=_pdf(), by=team.leader)
    before = footprint(dossier)
    with pytest.raises(PermissionDenied):
        results.return_result(dossier, by=team.specialist)
    with pytest.raises(PermissionDenied):
        results.return_result(dossier, by=make_team().officer)

    assert footprint(dossier) == before


def test_results_are_offered_for_reuse_same_field_first() -> None:
    # given a citizen with an older paper of the civil-status field and a newer result of
    # the business field
    civil = make_team()
    business = make_team()
    citizen = make_citizen()
    older = make_citizen_document(
        citizen,
        "Giấy khai sinh",
        issued_at=moment("2020-01-02 08:00"),
        procedure=civil.procedure,
    )
    dossier = _processed(business, applicant=citizen)
    results.upload_result(dossier, title="Giấy phép kinh doanh", file=_pdf(), by=business.leader)
    results.return_result(dossier, by=business.officer)
    stored = CitizenDocument.objects.get(source_dossier=dossier)
    expired = make_citizen_document(citizen, "Giấy phép cũ", valid_until=datetime.date(2021, 1, 1))

    # then newest first, but a civil-status dossier is offered the civil-status paper first
    assert list(results.reusable_documents(citizen)) == [stored, older]
    assert list(results.reusable_documents(citizen, civil.procedure)) == [older, stored]
    assert list(results.reusable_documents(citizen, business.procedure)) == [stored, older]
    assert expired not in results.reusable_documents(citizen)
    # and nobody else is offered them
    assert list(results.reusable_documents(make_citizen())) == []
    assert list(results.reusable_documents(business.officer)) == []


def test_documents_issued_to_a_personal_id_reach_the_account_that_holds_it() -> None:
    team = make_team()
    dossier = _processed(team)  # received at the counter for someone without an account
    results.upload_result(dossier, title="Trích lục khai sinh", file=_pdf(), by=team.leader)
    results.return_result(dossier, by=team.officer)

    later = make_citizen(personal_id=dossier.applicant_personal_id)

    assert [d.title for d in results.reusable_documents(later)] == ["Trích lục khai sinh"]
