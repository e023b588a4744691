"""Online submission (nộp trực tuyến), then acceptance or refusal by the one-stop officer."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from lienthong.accounts.models import Role
from lienthong.core.audit import head_state
from lienthong.core.calendar import VN_TZ
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import intake
from lienthong.onestop.models import (
    Channel,
    Dossier,
    DossierComponent,
    DossierCounter,
    DossierHistory,
    DossierStatus,
)
from lienthong.onestop.testing import (
    TINY_PDF,
    make_agency,
    make_citizen,
    make_citizen_document,
    make_dossier,
    make_officer,
    make_procedure,
)
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case, Task

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BIG_PDF = TINY_PDF + b"%" * (4096 - len(TINY_PDF))


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT


@pytest.fixture
def setup() -> dict[str, Any]:
    agency = make_agency("UBND phường Phú Hòa", code="000.00.06.H56")
    procedure = make_procedure(agencies=[agency])
    citizen = make_citizen(
        full_name="Nguyễn Thị Minh",
        personal_id="074185000123",
        phone="0912345678",
        email="minh@example.vn",
    )
    return {
        "agency": agency,
        "procedure": procedure,
        "citizen": citizen,
        "officer": make_officer(agency),
        "components": list(procedure.components.order_by("order")),
    }


def _files(components: list[Any], *orders: int) -> list[intake.ComponentUpload]:
    return [
        intake.ComponentUpload(c, file=ContentFile(TINY_PDF, name=f"Tờ khai {c.order}.pdf"))
        for c in components
        if c.order in orders
    ]


def _state(media: Path) -> tuple:
    files = sorted(p.name for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return (
        Dossier.objects.count(),
        DossierComponent.objects.count(),
        DossierCounter.objects.count(),
        DossierHistory.objects.count(),
        OutboxEvent.objects.count(),
        head_state(),
        files,
    )


def test_online_submission_is_new_and_prefilled_from_the_account(
    setup: dict[str, Any], media: Path
) -> None:
    citizen = setup["citizen"]
    # When the citizen submits with both required components uploaded
    dossier = intake.submit_online(
        procedure=setup["procedure"],
        agency=setup["agency"],
        applicant=citizen,
        form_data={"noi_dung": "Xin cấp bản sao"},
        components=_files(setup["components"], 1, 2),
        contact={"address": "12 Đường 30/4, Phú Hòa"},
        by=citizen,
    )
    # Then it is NEW, awaiting the officer, with the account's details
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEW
    assert dossier.channel == Channel.ONLINE
    assert dossier.code.startswith("000.00.06.H56-")
    assert dossier.code.endswith("-0001")
    assert dossier.received_at is None and dossier.case_id is None and dossier.due_date is None
    assert (
        dossier.applicant,
        dossier.applicant_name,
        dossier.applicant_personal_id,
        dossier.applicant_phone,
        dossier.applicant_email,
        dossier.applicant_address,
    ) == (
        citizen,
        "Nguyễn Thị Minh",
        "074185000123",
        "0912345678",
        "minh@example.vn",
        "12 Đường 30/4, Phú Hòa",
    )
    assert dossier.form_data == {"noi_dung": "Xin cấp bản sao"}
    # and its files are stored under MEDIA_ROOT with safe names of our own making
    rows = list(dossier.components.order_by("component__order"))
    assert [r.component.order for r in rows] == [1, 2]  # type: ignore[union-attr]
    for row in rows:
        name = str(row.file.name)
        assert name.startswith("onestop/dossiers/")
        assert name.endswith("-to-khai-" + str(row.component.order) + ".pdf")  # type: ignore[union-attr]
        assert (media / name).read_bytes() == TINY_PDF
    # and the history, audit log and events record the submission
    assert [(h.status, h.by) for h in dossier.history.all()] == [(DossierStatus.NEW, citizen)]
    entry = AuditEntry.objects.get(action="onestop.dossier.submit")
    assert entry.after is not None
    assert (entry.actor_id, entry.after["code"]) == (citizen.pk, dossier.code)
    assert list(OutboxEvent.objects.values_list("type", "subject")) == [
        ("dossier.submitted", dossier.code),
        ("dossier.status_changed", dossier.code),
    ]
    assert Case.objects.count() == 0


def test_a_document_from_the_data_store_can_be_reused(setup: dict[str, Any]) -> None:
    citizen = setup["citizen"]
    birth = make_citizen_document(citizen, "Giấy khai sinh")
    first, second = setup["components"][:2]
    dossier = intake.submit_online(
        procedure=setup["procedure"],
        agency=setup["agency"],
        applicant=citizen,
        components=[
            intake.ComponentUpload(first, reuse=birth),
            intake.ComponentUpload(second, file=ContentFile(PNG, name="anh.png")),
        ],
        by=citizen,
    )
    reused = dossier.components.get(component=first)
    assert reused.reused_document == birth
    assert not reused.file
    assert str(dossier.components.get(component=second).file.name).endswith("-anh.png")


def test_someone_elses_document_cannot_be_reused(setup: dict[str, Any], media: Path) -> None:
    citizen = setup["citizen"]
    theirs = make_citizen_document(make_citizen(), "Giấy khai sinh của người khác")
    first = setup["components"][0]
    before = _state(media)
    with pytest.raises(ValidationError) as raised:
        intake.submit_online(
            procedure=setup["procedure"],
            agency=setup["agency"],
            applicant=citizen,
            components=[
                intake.ComponentUpload(first, reuse=theirs),
                *_files(setup["components"], 2),
            ],
            by=citizen,
        )
    assert raised.value.message_dict["components"] == [
        "Thành phần số 1 “Tờ khai theo mẫu”: giấy tờ đã chọn không có trong kho dữ liệu của bạn."
    ]
    assert _state(media) == before


def test_the_two_data_store_rules_agree(setup: dict[str, Any]) -> None:
    # The list offered on the form and the check on submission must accept the same rows.
    citizen = setup["citizen"]
    today = timezone.localdate()
    documents = [
        make_citizen_document(citizen, "Của tài khoản"),
        make_citizen_document(make_citizen(), "Của người khác"),
        make_citizen_document(make_citizen(), "Cấp theo số định danh"),
        make_citizen_document(citizen, "Hết hạn", valid_until=today - datetime.timedelta(days=1)),
        make_citizen_document(citizen, "Còn hạn hôm nay", valid_until=today),
    ]
    issued_to_id = documents[2]
    issued_to_id.owner = None
    issued_to_id.owner_personal_id = citizen.personal_id
    issued_to_id.save()
    listed = set(intake.citizen_documents(citizen))
    checked = {d for d in documents if intake.is_usable_document(d, citizen, today)}
    assert listed == checked
    assert {d.title for d in listed} == {
        "Của tài khoản",
        "Cấp theo số định danh",
        "Còn hạn hôm nay",
    }


def test_an_expired_document_cannot_be_reused(setup: dict[str, Any]) -> None:
    citizen = setup["citizen"]
    old = make_citizen_document(
        citizen, valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert list(intake.citizen_documents(citizen)) == []
    with pytest.raises(ValidationError):
        intake.submit_online(
            procedure=setup["procedure"],
            agency=setup["agency"],
            applicant=citizen,
            components=[
                intake.ComponentUpload(setup["components"][0], reuse=old),
                *_files(setup["components"], 2),
            ],
            by=citizen,
        )


def test_missing_components_and_bad_files_write_nothing(
    setup: dict[str, Any], media: Path, settings: Any
) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "UPLOAD_MAX_BYTES": 1024}
    citizen = setup["citizen"]
    first, _second, third = setup["components"]
    before = _state(media)
    # When the first is a text file named .pdf, the optional third too big, the second missing
    with pytest.raises(ValidationError) as raised:
        intake.submit_online(
            procedure=setup["procedure"],
            agency=setup["agency"],
            applicant=citizen,
            components=[
                intake.ComponentUpload(first, file=ContentFile(b"hello", name="to-khai.pdf")),
                intake.ComponentUpload(third, file=ContentFile(BIG_PDF, name="uq.pdf")),
            ],
            by=citizen,
        )
    # Then each problem is named, and no row, number, event or file is left behind
    assert raised.value.message_dict["components"] == [
        "Thành phần số 1 “Tờ khai theo mẫu”: chỉ nhận tệp PDF, JPEG, PNG, Word (DOCX), "
        "Excel (XLSX) (nội dung tệp đã gửi không thuộc loại nào).",
        "Thành phần số 3 “Giấy ủy quyền (nếu nộp thay)”: tệp 4 KB vượt quá giới hạn 1 KB.",
        "Thiếu thành phần hồ sơ bắt buộc: Thành phần số 2 “Giấy tờ chứng minh nơi cư trú”.",
    ]
    assert _state(media) == before


@pytest.mark.parametrize("missing", ["time limit", "process"])
def test_a_procedure_no_officer_could_accept_is_refused_online(
    setup: dict[str, Any], media: Path, missing: str
) -> None:
    # Given a procedure without a time limit, or without an internal process
    procedure = setup["procedure"]
    if missing == "time limit":
        procedure.time_limit_value = None
    else:
        procedure.process_template = None
    procedure.save()
    citizen = setup["citizen"]
    before = _state(media)
    # When the citizen submits a complete dossier online
    with pytest.raises(ValidationError) as raised:
        intake.submit_online(
            procedure=procedure,
            agency=setup["agency"],
            applicant=citizen,
            components=_files(setup["components"], 1, 2),
            by=citizen,
        )
    # Then it is refused at once, saying why, and no row, number, event or file is left
    message = raised.value.message_dict["procedure"][0]
    expected = "chưa có thời hạn giải quyết" if missing == "time limit" else "chưa có quy trình"
    assert f"Thủ tục “{procedure.code}” {expected}" in message
    assert _state(media) == before


def test_files_written_before_a_failure_are_removed(setup: dict[str, Any], media: Path) -> None:
    # Given a database that refuses the history row (after the files were written)
    citizen = setup["citizen"]
    before = _state(media)

    table = DossierHistory._meta.db_table

    def broken(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith("INSERT") and table in sql:
            raise RuntimeError("database went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(broken), pytest.raises(RuntimeError):
        intake.submit_online(
            procedure=setup["procedure"],
            agency=setup["agency"],
            applicant=citizen,
            components=_files(setup["components"], 1, 2),
            by=citizen,
        )
    assert _state(media) == before


def test_only_the_citizen_submits_online_for_themselves(setup: dict[str, Any]) -> None:
    citizen = setup["citizen"]
    for by, applicant in [
        (setup["officer"], setup["officer"]),  # an official is not a citizen account
        (make_citizen(), citizen),  # someone else's name
    ]:
        with pytest.raises(PermissionDenied):
            intake.submit_online(
                procedure=setup["procedure"],
                agency=setup["agency"],
                applicant=applicant,
                components=_files(setup["components"], 1, 2),
                by=by,
            )
    assert Dossier.objects.count() == 0


def test_the_account_personal_id_cannot_be_replaced(setup: dict[str, Any]) -> None:
    citizen = setup["citizen"]
    with pytest.raises(ValidationError) as raised:
        intake.submit_online(
            procedure=setup["procedure"],
            agency=setup["agency"],
            applicant=citizen,
            components=_files(setup["components"], 1, 2),
            contact={"personal_id": "079185000999"},
            by=citizen,
        )
    assert raised.value.message_dict["applicant_personal_id"] == [
        "Số định danh phải là số của tài khoản đang đăng nhập (074185000123)."
    ]


def test_accepting_starts_processing(setup: dict[str, Any]) -> None:
    new = make_dossier(
        procedure=setup["procedure"],
        applicant=setup["citizen"],
        channel="online",
        accepted=False,
        at=datetime.datetime(2023, 10, 27, 8, 5, tzinfo=VN_TZ),
    )
    officer = setup["officer"]
    received_at = datetime.datetime(2023, 10, 27, 9, 32, tzinfo=VN_TZ)
    events_before = OutboxEvent.objects.count()
    # When the officer accepts it
    dossier = intake.accept(dossier=new, by=officer, at=received_at)
    # Then it is processing, due on the calendar's date, with its case and first task
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    assert (dossier.received_at, dossier.received_by) == (received_at, officer)
    assert dossier.due_date == dossier.original_due_date == datetime.date(2023, 11, 3)
    assert dossier.case is not None
    assert Task.objects.get(case=dossier.case).role == Role.SPECIALIST
    assert [h.status for h in dossier.history.all()] == [
        DossierStatus.NEW,
        DossierStatus.ACCEPTED,
        DossierStatus.PROCESSING,
    ]
    entry = AuditEntry.objects.get(action="onestop.dossier.accept")
    assert entry.actor_id == officer.pk
    assert entry.before is not None and entry.after is not None
    assert (entry.before["status"], entry.after["status"]) == (1, 4)
    events = OutboxEvent.objects.filter(type__startswith="dossier.").order_by("id")
    assert [(e.type, e.data.get("from_status"), e.data.get("to_status")) for e in events][-3:] == [
        ("dossier.received", None, None),
        ("dossier.status_changed", DossierStatus.NEW, DossierStatus.ACCEPTED),
        ("dossier.status_changed", DossierStatus.ACCEPTED, DossierStatus.PROCESSING),
    ]
    assert OutboxEvent.objects.count() > events_before
    assert dossier.code == "000.00.06.H56-231027-0001"
    # and accepting again is a wrong state, changing nothing
    state = (Dossier.objects.get(pk=dossier.pk).status, OutboxEvent.objects.count())
    with pytest.raises(WrongState):
        intake.accept(dossier=dossier, by=officer)
    assert (Dossier.objects.get(pk=dossier.pk).status, OutboxEvent.objects.count()) == state


def test_refusing_records_the_reasons(setup: dict[str, Any]) -> None:
    new = make_dossier(
        procedure=setup["procedure"], applicant=setup["citizen"], channel="online", accepted=False
    )
    officer = setup["officer"]
    dossier = intake.refuse(dossier=new, reasons="Tờ khai chưa ký\n\n  Ảnh chụp mờ  ", by=officer)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REFUSED
    assert dossier.refusal_reason == "Tờ khai chưa ký\nẢnh chụp mờ"
    last = dossier.history.last()
    assert last is not None
    assert (last.status, last.by) == (DossierStatus.REFUSED, officer)
    assert last.public_note == "Hồ sơ không được tiếp nhận. Lý do: Tờ khai chưa ký; Ảnh chụp mờ"
    assert AuditEntry.objects.filter(action="onestop.dossier.refuse").count() == 1
    types = list(OutboxEvent.objects.filter(subject=dossier.code).values_list("type", flat=True))
    assert types[-2:] == ["dossier.refused", "dossier.status_changed"]
    assert dossier.case_id is None
    # A refused dossier can be neither accepted nor refused again
    with pytest.raises(WrongState):
        intake.accept(dossier=dossier, by=officer)
    with pytest.raises(WrongState):
        intake.refuse(dossier=dossier, reasons=["Lần nữa"], by=officer)


def test_refusing_needs_a_reason_and_an_officer_of_the_agency(setup: dict[str, Any]) -> None:
    new = make_dossier(
        procedure=setup["procedure"], applicant=setup["citizen"], channel="online", accepted=False
    )
    with pytest.raises(ValidationError) as raised:
        intake.refuse(dossier=new, reasons=["  ", ""], by=setup["officer"])
    assert raised.value.message_dict == {"reasons": ["Hãy nêu lý do không tiếp nhận hồ sơ."]}
    for stranger in [
        make_officer(make_agency()),
        make_user(roles=[(Role.LEADER, setup["agency"])]),
    ]:
        with pytest.raises(PermissionDenied):
            intake.refuse(dossier=new, reasons=["Không đủ"], by=stranger)
        with pytest.raises(PermissionDenied):
            intake.accept(dossier=new, by=stranger)
    assert Dossier.objects.get(pk=new.pk).status == DossierStatus.NEW
    assert DossierHistory.objects.filter(dossier=new).count() == 1


def test_the_applicant_may_replace_a_file_while_awaiting_acceptance(
    setup: dict[str, Any], media: Path
) -> None:
    citizen = setup["citizen"]
    new = make_dossier(
        procedure=setup["procedure"], applicant=citizen, channel="online", accepted=False
    )
    first = setup["components"][0]
    old = new.components.get(component=first).file.name
    row = intake.attach_component_file(
        dossier=new, component=first, file=ContentFile(PNG, name="ban-chup.png"), by=citizen
    )
    assert str(row.file.name).endswith("-ban-chup.png")
    assert (media / str(row.file.name)).exists()
    assert AuditEntry.objects.filter(action="onestop.dossier.component_upload").count() == 1
    # the old file goes once the transaction commits
    assert old != row.file.name
    with pytest.raises(PermissionDenied):
        intake.attach_component_file(
            dossier=new, component=first, file=ContentFile(PNG, name="x.png"), by=make_citizen()
        )
    intake.accept(dossier=new, by=setup["officer"])
    with pytest.raises(WrongState):
        intake.attach_component_file(
            dossier=new, component=first, file=ContentFile(PNG, name="x.png"), by=citizen
        )
