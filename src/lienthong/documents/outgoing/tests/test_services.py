"""Outgoing documents: draft → review → sign → number → issue → send, and the refusals."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lienthong.core.models import AuditEntry
from lienthong.documents.models import DocumentIndex, NumberSeries, Secrecy
from lienthong.documents.outgoing import services, signing
from lienthong.documents.outgoing.models import (
    DeliveryState,
    HistoryEntry,
    OutgoingDocument,
    OutgoingFile,
    OutgoingStatus,
    Recipient,
    SigningCertificate,
)
from lienthong.documents.outgoing.testing import (
    PASSPHRASE,
    World,
    draft,
    issued,
    signed,
    stored_bytes,
    upload,
)
from lienthong.exchange.models import OutboxEvent
from lienthong.workflow.models import Task

pytestmark = pytest.mark.django_db


def open_tasks(document: OutgoingDocument) -> list[tuple[str, str]]:
    rows = Task.objects.filter(url=document.get_absolute_url(), status=Task.Status.OPEN)
    return [(task.title.split(":")[0], str(task.assignee or task.role)) for task in rows]


def test_draft_records_document_recipients_and_history(world: World, pdf: bytes) -> None:
    # When a specialist of the office drafts a decision with its PDF
    document = draft(world, pdf)
    # Then the draft belongs to the agency, the office can see it, and nothing is numbered
    document.refresh_from_db()
    assert document.status == OutgoingStatus.DRAFT
    assert document.agency == world.agency
    assert list(document.access_units.all()) == [world.office]
    assert document.number is None and document.number_notation == ""
    assert [(r.organ_id, r.name, r.electronic) for r in document.recipients.all()] == [
        ("000.00.21.H98", "Sở Tư pháp", True)
    ]
    assert [f.kind for f in document.files.all()] == [OutgoingFile.Kind.MAIN]
    assert [h.action for h in document.history.all()] == ["created"]
    assert AuditEntry.objects.filter(action="document.outgoing.create").count() == 1


def test_outsider_cannot_draft_for_the_office(world: World) -> None:
    with pytest.raises(PermissionDenied):
        draft(world, by=world.outsider)
    assert OutgoingDocument.objects.count() == 0


def test_bad_draft_is_refused_with_field_errors_and_nothing_written(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        draft(
            world,
            subject="  ",
            recipients=[services.RecipientSpec(organ_id="sai-ma", name="Cơ quan X")],
        )
    assert caught.value.message_dict == {
        "subject": ["Hãy nhập trích yếu nội dung."],
        "recipients": ["Nơi nhận 1: mã định danh “sai-ma” không đúng khuôn dạng xxx.xx.xx.Xnn."],
    }
    assert OutgoingDocument.objects.count() == 0
    assert Recipient.objects.count() == 0


def test_main_file_must_be_a_pdf(world: World) -> None:
    document = draft(world)
    with pytest.raises(ValidationError) as caught:
        services.add_file(
            document, upload=upload(b"\x89PNG\r\n\x1a\nxxxx", "anh.png"), by=world.drafter
        )
    assert caught.value.message_dict == {"file": ["Bản chính phải là tệp PDF để ký số."]}
    assert document.files.count() == 0


def test_full_journey_review_sign_number_issue(world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    # Submitted: the reviewer has a task
    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    assert open_tasks(document) == [("Xem xét dự thảo", "Trần Thị Duyệt")]
    # Approved: the signer has a task, the reviewer's is done
    services.approve(document, signer=world.signer, comment="Đồng ý", by=world.reviewer)
    assert open_tasks(document) == [("Ký văn bản", "Nguyễn Văn Ký")]
    # Signed: the signed PDF verifies with the signer's name; the clerks' pool has a task
    services.sign(document, passphrase=PASSPHRASE, position="Chủ tịch", by=world.signer)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED
    assert document.signer_name == "Nguyễn Văn Ký"
    assert document.signer_position == "Chủ tịch"
    assert document.signed_at is not None
    assert document.signing_certificate == SigningCertificate.objects.get(user=world.signer)
    result = services.verify_pdf(stored_bytes(document, OutgoingFile.Kind.SIGNED))
    assert result.trusted is True
    assert result.signer == "Nguyễn Văn Ký"
    assert open_tasks(document) == [("Cấp số, ban hành văn bản", "clerk")]
    # Numbered: first outgoing number of the year
    services.assign_number(document, by=world.clerk)
    document.refresh_from_db()
    year = timezone.localdate().year
    assert (document.series, document.year, document.number) == ("outgoing", year, 1)
    assert document.number_notation == "01/QĐ-UBND"
    # Issued: date, event, and the document is in the documents search
    services.issue(document, copies=5, by=world.clerk)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.ISSUED
    assert document.issued_date == timezone.localdate()
    assert document.copies == 5
    assert document.edxml_document_id == (
        f"000.00.00.H98,{timezone.localdate():%Y/%m/%d},01/QĐ-UBND"
    )
    event = OutboxEvent.objects.get(type="document.issued")
    assert event.subject == "01/QĐ-UBND"
    assert event.data["id"] == document.pk and event.data["direction"] == "outgoing"
    index = DocumentIndex.objects.get(direction="outgoing", object_id=document.pk)
    assert index.number_notation == "01/QĐ-UBND"
    assert index.date == timezone.localdate()
    assert [h.action for h in document.history.all()] == [
        "created",
        "submitted",
        "approved",
        "signed",
        "numbered",
        "issued",
    ]


def test_letter_notation_carries_the_drafting_unit(world: World, pdf: bytes) -> None:
    document = signed(world, pdf, document_type=world.letter)
    services.assign_number(document, by=world.clerk)
    document.refresh_from_db()
    assert document.number_notation == "01/UBND-VP"


def test_series_legal_and_secret_are_separate(world: World, pdf: bytes) -> None:
    plain = signed(world, pdf)
    legal = signed(world, pdf, is_legal=True)
    secret = signed(world, pdf, secrecy=Secrecy.CONFIDENTIAL)
    second = signed(world, pdf)
    for document in (plain, legal, secret, second):
        services.assign_number(document, by=world.clerk)
    got = [
        OutgoingDocument.objects.values_list("series", "number").get(pk=d.pk)
        for d in (plain, legal, secret, second)
    ]
    assert got == [("outgoing", 1), ("legal", 1), ("secret", 1), ("outgoing", 2)]
    year = timezone.localdate().year
    assert (
        NumberSeries.objects.get(agency=world.agency, series="outgoing", year=year).last_number == 2
    )


def test_return_sends_the_draft_back_with_a_comment(world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    with pytest.raises(ValidationError) as caught:
        services.return_draft(document, comment=" ", by=world.reviewer)
    assert caught.value.message_dict == {"comment": ["Hãy ghi ý kiến khi trả lại dự thảo."]}
    services.return_draft(document, comment="Sửa lại điều 2", by=world.reviewer)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.DRAFT
    assert document.review_comment == "Sửa lại điều 2"
    assert open_tasks(document) == [("Sửa dự thảo theo ý kiến", "Lê Văn Soạn")]
    # The drafter can edit and submit again; the revision task closes
    services.update_draft(document, subject="Quyết định (sửa)", by=world.drafter)
    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    assert open_tasks(document) == [("Xem xét dự thảo", "Trần Thị Duyệt")]


def test_only_the_reviewer_approves(world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    with pytest.raises(PermissionDenied):
        services.approve(document, signer=world.signer, by=world.drafter)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.UNDER_REVIEW


def test_signer_must_be_a_leader(world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    with pytest.raises(ValidationError) as caught:
        services.approve(document, signer=world.clerk, by=world.reviewer)
    assert caught.value.message_dict == {"signer": ["Người ký phải là lãnh đạo của cơ quan."]}
    document.refresh_from_db()
    assert document.status == OutgoingStatus.UNDER_REVIEW


def test_submit_needs_the_main_pdf(world: World) -> None:
    document = draft(world)
    with pytest.raises(ValidationError) as caught:
        services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    assert caught.value.message_dict == {"file": ["Hãy đính kèm bản chính (PDF) trước khi trình."]}
    assert Task.objects.count() == 0


def test_wrong_passphrase_signs_nothing(world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    services.approve(document, signer=world.signer, by=world.reviewer)
    with pytest.raises(ValidationError) as caught:
        services.sign(document, passphrase="sai", by=world.signer)
    assert list(caught.value.message_dict) == ["passphrase"]
    document.refresh_from_db()
    assert document.status == OutgoingStatus.APPROVED
    assert document.signed_at is None
    assert not document.files.filter(kind=OutgoingFile.Kind.SIGNED).exists()
    assert not HistoryEntry.objects.filter(action="signed").exists()


def test_only_the_named_signer_signs(world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    services.approve(document, signer=world.signer, by=world.reviewer)
    with pytest.raises(PermissionDenied):
        services.sign(document, passphrase=PASSPHRASE, by=world.reviewer)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.APPROVED


def test_signer_without_certificate_is_told(world: World, pdf: bytes) -> None:
    SigningCertificate.objects.filter(user=world.signer).update(is_active=False)
    document = draft(world, pdf)
    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    services.approve(document, signer=world.signer, by=world.reviewer)
    with pytest.raises(ValidationError) as caught:
        services.sign(document, passphrase=PASSPHRASE, by=world.signer)
    assert caught.value.message_dict == {
        "certificate": ["Bạn chưa có chứng thư số còn hiệu lực để ký văn bản."]
    }


def test_numbering_is_for_clerks_in_the_right_state(world: World, pdf: bytes) -> None:
    document = draft(world, pdf)
    with pytest.raises(services.InvalidState):
        services.assign_number(document, by=world.clerk)
    document = signed(world, pdf)
    with pytest.raises(PermissionDenied):
        services.assign_number(document, by=world.other_clerk)
    document.refresh_from_db()
    assert document.number is None
    assert not NumberSeries.objects.exists()


def test_issue_date_cannot_precede_signing_or_be_in_the_future(world: World, pdf: bytes) -> None:
    document = signed(world, pdf)
    services.assign_number(document, by=world.clerk)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.issue(document, issued_date=tomorrow, copies=0, by=world.clerk)
    assert caught.value.message_dict == {
        "issued_date": ["Ngày ban hành không được sau hôm nay."],
        "copies": ["Số lượng bản ít nhất là 1."],
    }
    document.refresh_from_db()
    assert document.status == OutgoingStatus.NUMBERED
    assert not OutboxEvent.objects.filter(type="document.issued").exists()


def test_send_delivers_locally_and_replies_update_the_recipient(world: World, pdf: bytes) -> None:
    from lienthong.exchange.adapters import edxml, edxml_services

    document = issued(
        world,
        pdf,
        recipients=[
            services.RecipientSpec(agency=world.other),
            services.RecipientSpec(name="Báo Thử Nghiệm", electronic=False),
        ],
    )
    # When the clerk sends it
    services.send(document, by=world.clerk)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SENT
    local, paper = list(document.recipients.order_by("id"))
    # Then the agency of this deployment has it (status 01 answered), the paper one is marked
    assert local.package_id is not None
    assert local.status_code in ("01", "03")
    assert local.state in (DeliveryState.DELIVERED, DeliveryState.ACCEPTED)
    assert paper.state == DeliveryState.MANUAL and paper.sent_at is not None
    event = OutboxEvent.objects.get(type="document.sent")
    assert [r["name"] for r in event.data["recipients"]] == ["Sở Tư pháp", "Báo Thử Nghiệm"]
    # The envelope carried the signed PDF
    package = edxml_services.EdxmlPackage.objects.get(pk=local.package_id)
    assert package.organ_id == "000.00.21.H98"
    # When the receiving agency answers "06 done"
    reply = edxml.Status(
        sender=edxml_services.organ_for(world.other),
        recipient=edxml_services.organ_for(world.agency),
        response_for=edxml.ResponseFor(
            organ_id=world.agency.code or "", document_id=document.edxml_document_id
        ),
        status_code="06",
        description="Đã xử lý xong",
        timestamp=timezone.now(),
    )
    edxml_services.send_status(reply, by=world.other_clerk)
    local.refresh_from_db()
    assert (local.status_code, local.state) == ("06", DeliveryState.DONE)
    assert local.status_description == "Đã xử lý xong"
    assert document.history.filter(action="status").count() >= 2


def test_send_to_an_organ_without_route_marks_an_error(world: World, pdf: bytes) -> None:
    document = issued(
        world,
        pdf,
        recipients=[services.RecipientSpec(organ_id="000.00.00.G99", name="Bộ Ngoài Tỉnh")],
    )
    services.send(document, by=world.clerk)
    row = document.recipients.get()
    assert row.state == DeliveryState.ERROR
    assert "000.00.00.G99" in row.error


def test_envelope_for_carries_the_header_and_signed_pdf(world: World, pdf: bytes) -> None:
    from lienthong.exchange.adapters import edxml

    document = issued(world, pdf, urgency=2)
    envelope = services.envelope_for(document)
    assert (envelope.code_number, envelope.code_notation) == ("01", "QĐ-UBND")
    assert envelope.sender.organ_id == "000.00.00.H98"
    assert [r.organ_id for r in envelope.recipients] == ["000.00.21.H98"]
    assert envelope.priority == 2
    assert envelope.signer_name == "Nguyễn Văn Ký"
    assert envelope.document_type == "Quyết định"
    assert envelope.to_places == ["Như trên;", "Lưu: VT, VP."]
    assert [a.name for a in envelope.attachments] == ["du-thao.signed.pdf"]
    again = edxml.parse(edxml.build(envelope))
    assert again.computed_document_id() == document.edxml_document_id
    assert signing.verify_pdf(again.attachments[0].data).signatures[0].signer == "Nguyễn Văn Ký"
    # The same envelope is what `lienthong edxml build --source outgoing --id N` prints
    from lienthong.exchange.adapters import edxml_services

    source = edxml_services.document_sources()["outgoing"]
    assert source(str(document.pk)).computed_document_id() == document.edxml_document_id


def test_visibility_secret_documents(world: World, pdf: bytes) -> None:
    plain = draft(world, pdf)
    secret = draft(world, pdf, secrecy=Secrecy.SECRET)
    from lienthong.core.testing import make_org_unit, make_user

    division = make_org_unit("Phòng khác", parent=world.agency, is_agency=False)
    colleague = make_user("dongnghiep", roles=[("specialist", division)])
    agency_wide = make_user("toancoquan", roles=[("specialist", world.agency)])

    def ids(user: Any) -> set[int]:
        return set(OutgoingDocument.objects.visible_to(user).values_list("pk", flat=True))

    assert ids(world.drafter) == {plain.pk, secret.pk}  # the drafting unit
    assert ids(world.clerk) == {plain.pk, secret.pk}  # the agency's office
    assert ids(agency_wide) == {plain.pk}  # the agency's staff: not the secret one
    assert ids(colleague) == set()  # another division sees only what it is given
    assert ids(world.outsider) == set()  # another agency


def test_import_certificate_checks_the_passphrase(world: World) -> None:
    p12 = signing.make_test_signer(world.authority, "Người Khác", "đúng")
    with pytest.raises(ValidationError) as caught:
        services.import_certificate(user=world.clerk, pkcs12=p12, passphrase="sai", by=world.clerk)
    assert list(caught.value.message_dict) == ["pkcs12"]
    with pytest.raises(PermissionDenied):
        services.import_certificate(
            user=world.signer, pkcs12=p12, passphrase="đúng", by=world.clerk
        )
    assert SigningCertificate.objects.filter(user=world.clerk).count() == 0
    services.import_certificate(user=world.clerk, pkcs12=p12, passphrase="đúng", by=world.clerk)
    assert SigningCertificate.objects.get(user=world.clerk).common_name == "Người Khác"


def test_generate_test_certificate_makes_a_trusted_signer(world: World, pdf: bytes) -> None:
    certificate = services.generate_test_certificate(user=world.clerk, passphrase="1234", by=None)
    signed_pdf = signing.sign_pdf(pdf, p12=bytes(certificate.pkcs12), passphrase="1234")
    assert services.verify_pdf(signed_pdf).trusted is True
    # The same test CA is reused for the next one
    services.generate_test_certificate(user=world.reviewer, passphrase="5678", by=None)
    assert services.trust_roots().__len__() == 2  # the fixture's CA and the test CA


def test_abbreviation_from_short_name_or_settings(world: World, settings: Any) -> None:
    from lienthong.core.testing import make_org_unit

    justice = make_org_unit("Sở Tư pháp tỉnh", short_name="Sở Tư pháp")
    office = make_org_unit("Văn phòng UBND", short_name="Văn phòng UBND tỉnh")
    assert services.abbreviation(world.agency) == "UBND"
    assert services.abbreviation(justice) == "STP"
    assert services.abbreviation(office) == "VPUBNDT"
    settings.LIENTHONG = {**settings.LIENTHONG, "DOCUMENT_ABBREVIATIONS": {office.code: "VP"}}
    assert services.abbreviation(office) == "VP"


def test_demo_seed_makes_three_documents_once(db: Any) -> None:
    from lienthong.accounts.models import Role
    from lienthong.core.testing import make_org_unit, make_user
    from lienthong.documents.outgoing import demo

    province = make_org_unit("UBND tỉnh", code=demo.PROVINCE_CODE, short_name="UBND")
    justice = make_org_unit(
        "Sở Tư pháp", parent=province, code=demo.JUSTICE_CODE, short_name="Sở Tư pháp"
    )
    division = make_org_unit("Phòng HCTP", parent=justice, is_agency=False, short_name="HCTP")
    make_user("chuyenvien", roles=[(Role.SPECIALIST, division)])
    make_user("lanhdao", roles=[(Role.LEADER, justice)], full_name="Lê Minh Cường")
    make_user("vanthu", roles=[(Role.CLERK, justice)])
    lines = demo.seed_demo()
    assert len(lines) == 2
    statuses = sorted(OutgoingDocument.objects.values_list("status", flat=True))
    assert statuses == ["approved", "draft", "sent"]
    sent = OutgoingDocument.objects.get(status="sent")
    assert sent.number_notation == "01/BC-STP"
    assert demo.seed_demo() == ["Văn bản đi: dữ liệu demo đã có."]
    assert OutgoingDocument.objects.count() == 3
