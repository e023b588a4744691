"""Hand-over to another agency (một cửa liên thông) and who sees the dossier meanwhile."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from lienthong.accounts.models import Role
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import processing, results
from lienthong.onestop.models import Dossier, DossierStatus
from lienthong.onestop.testing import TINY_PDF, make_citizen
from lienthong.onestop.testing_processing import (
    event_types,
    footprint,
    last_event_id,
    make_team,
    moment,
)
from lienthong.workflow import engine
from lienthong.workflow.models import Case, Task

pytestmark = pytest.mark.django_db


def _visible(user: object, dossier: Dossier) -> bool:
    return Dossier.objects.visible_to(user).filter(pk=dossier.pk).exists()


def test_handing_over_moves_the_case_and_the_other_agency_sees_the_dossier() -> None:
    # given a dossier received by a commune and a province department beside it
    commune = make_team("UBND phường Phú Hòa thử")
    department = make_team("Sở Tài nguyên và Môi trường thử")
    stranger = make_team("Sở Xây dựng thử")
    dossier = commune.dossier(at=moment("2026-03-02 09:00"))
    assert not _visible(department.specialist, dossier)
    mark = last_event_id()

    # when the commune's specialist hands it over
    processing.hand_over_dossier(
        dossier,
        to_agency=department.agency,
        by=commune.specialist,
        note="Đề nghị Sở thẩm định hồ sơ đất đai.",
        at=moment("2026-03-03 09:00"),
    )

    # then the case runs at the department, the dossier still belongs to the commune's desk
    dossier.refresh_from_db()
    case = processing.case_of(dossier)
    assert (dossier.agency, case.agency, dossier.status) == (
        commune.agency,
        department.agency,
        DossierStatus.PROCESSING,
    )
    task = engine.current_task(case)
    assert task is not None
    assert (task.org_unit, task.role) == (department.agency, Role.SPECIALIST)
    assert Task.objects.inbox_of(department.specialist).filter(pk=task.pk).exists()
    assert _visible(department.specialist, dossier)
    assert _visible(department.leader, dossier)
    assert _visible(commune.officer, dossier)
    assert not _visible(stranger.specialist, dossier)
    assert not _visible(make_citizen(), dossier)
    assert event_types(dossier, mark) == ["dossier.handed_over"]
    event = OutboxEvent.objects.get(pk__gt=mark, type="dossier.handed_over")
    assert (event.data["from_agency"], event.data["to_agency"]) == (
        commune.agency.code,
        department.agency.code,
    )
    row = dossier.history.order_by("-pk")[0]
    assert row.public_note == (
        "Hồ sơ được chuyển đến Sở Tài nguyên và Môi trường thử để giải quyết liên thông."
    )
    assert row.internal_note == (
        "Chuyển từ UBND phường Phú Hòa thử đến Sở Tài nguyên và Môi trường thử: "
        "Đề nghị Sở thẩm định hồ sơ đất đai."
    )


def test_after_approval_the_result_comes_back_to_the_receiving_desk() -> None:
    commune = make_team("UBND phường thử")
    department = make_team("Sở thử")
    dossier = commune.dossier(at=moment("2026-03-02 09:00"))
    processing.hand_over_dossier(
        dossier, to_agency=department.agency, by=commune.specialist, note="Thẩm định"
    )
    processing.forward_dossier(dossier, by=department.specialist)

    # when the department's leader approves
    processing.forward_dossier(dossier, by=department.leader, note="Đồng ý cấp.")

    # then the case is back at the commune's desk, on its return step; the dossier processed
    dossier.refresh_from_db()
    case = processing.case_of(dossier)
    task = engine.current_task(case)
    assert task is not None
    assert dossier.status == DossierStatus.PROCESSED
    assert task.step is not None
    assert (case.agency, task.org_unit, task.role, task.step.name) == (
        commune.agency,
        commune.agency,
        Role.ONESTOP_OFFICER,
        "Trả kết quả",
    )
    # and the commune's officer returns it, which finishes the case
    results.upload_result(
        dossier,
        title="Giấy chứng nhận",
        file=ContentFile(TINY_PDF, name="gcn.pdf"),
        by=department.leader,
    )
    results.return_result(dossier, by=commune.officer)
    dossier.refresh_from_db()
    case.refresh_from_db()
    assert (dossier.status, case.status) == (DossierStatus.RETURNED, Case.Status.FINISHED)


def test_a_hand_over_needs_another_agency_a_note_and_the_step_holder() -> None:
    commune = make_team()
    department = make_team()
    dossier = commune.dossier()
    before = footprint(dossier)

    with pytest.raises(ValidationError):
        processing.hand_over_dossier(
            dossier, to_agency=department.agency, by=commune.specialist, note=""
        )
    with pytest.raises(ValidationError):
        processing.hand_over_dossier(
            dossier, to_agency=commune.agency, by=commune.specialist, note="Chuyển"
        )
    with pytest.raises(PermissionDenied):
        processing.hand_over_dossier(
            dossier, to_agency=department.agency, by=department.specialist, note="Chuyển"
        )

    assert footprint(dossier) == before


def test_the_applicant_sees_their_own_dossier_and_nobody_elses() -> None:
    team = make_team()
    citizen = make_citizen()
    mine = team.online_dossier(applicant=citizen)
    theirs = team.online_dossier()

    assert _visible(citizen, mine)
    assert not _visible(citizen, theirs)
