"""Demo outgoing documents (`lienthong seed --demo`): a test certificate for the demo leader
and three documents of the Department of Justice at different steps (sent, awaiting the
signature, draft). Idempotent: nothing is added when the department already has some."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from lienthong.core.models import OrgUnit
from lienthong.documents.models import DocumentType, Urgency
from lienthong.documents.outgoing import services
from lienthong.documents.outgoing.models import OutgoingDocument

JUSTICE_CODE = "000.00.05.H99"
PROVINCE_CODE = "000.00.00.H99"
#: Passphrase of the demo leader's test certificate (printed by the seed).
DEMO_PASSPHRASE = "1234"


def _pdf(title: str, subject: str) -> bytes:
    import weasyprint

    html = (
        "<html><body style='font-family: DejaVu Serif'>"
        f"<p style='text-align:center'><b>{title.upper()}</b></p><p>{subject}</p>"
        "<p>(Văn bản demo của Liên Thông.)</p></body></html>"
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data


def seed_demo() -> list[str]:
    """Add the demo outgoing documents; returns the lines to print."""
    users = get_user_model().objects
    justice = OrgUnit.objects.filter(code=JUSTICE_CODE).first()
    province = OrgUnit.objects.filter(code=PROVINCE_CODE).first()
    drafter = users.filter(username="chuyenvien").first()
    leader = users.filter(username="lanhdao").first()
    clerk = users.filter(username="vanthu").first()
    if None in (justice, province, drafter, leader, clerk):
        return [_("Văn bản đi: thiếu cơ quan hoặc người dùng demo, bỏ qua.")]
    assert justice and province and drafter and leader and clerk
    if OutgoingDocument.objects.filter(agency=justice).exists():
        return [_("Văn bản đi: dữ liệu demo đã có.")]
    lines: list[str] = []
    if services.active_certificate(leader) is None:
        services.generate_test_certificate(user=leader, passphrase=DEMO_PASSPHRASE, by=None)
        lines.append(
            _("Văn bản đi: chứng thư số thử nghiệm cho %(user)s, mật khẩu %(pw)s.")
            % {"user": leader.username, "pw": DEMO_PASSPHRASE}
        )
    unit = drafter.org_unit or justice
    report = DocumentType.objects.get(code="BC")
    letter = DocumentType.objects.filter(has_code=False).first() or report
    plan = DocumentType.objects.get(code="KH")
    made: list[tuple[DocumentType, str, int]] = [
        (report, "Báo cáo kết quả công tác tư pháp năm", Urgency.NORMAL),
        (letter, "V/v góp ý dự thảo quy chế phối hợp", Urgency.URGENT),
        (plan, "Kế hoạch tuyên truyền, phổ biến pháp luật", Urgency.NORMAL),
    ]
    documents = []
    for document_type, subject, urgency in made:
        document = services.create_draft(
            drafting_unit=unit,
            document_type=document_type,
            subject=subject,
            urgency=urgency,
            recipients=[services.RecipientSpec(agency=province)],
            recipients_text="- UBND tỉnh;\n- Lưu: VT, HCTP.",
            place="Bình Dương",
            by=drafter,
        )
        upload = SimpleUploadedFile(
            "du-thao.pdf", _pdf(document_type.name, subject), content_type="application/pdf"
        )
        services.add_file(document, upload=upload, by=drafter)
        documents.append(document)
    sent, waiting, _draft = documents
    for document in (sent, waiting):
        services.submit_for_review(document, reviewer=leader, by=drafter)
        services.approve(document, signer=leader, by=leader)
    services.sign(sent, passphrase=DEMO_PASSPHRASE, position=leader.position, by=leader)
    services.assign_number(sent, by=clerk)
    services.issue(sent, by=clerk)
    services.send(sent, by=clerk)
    lines.append(
        _("Văn bản đi: 3 văn bản demo của %(agency)s (1 đã gửi, 1 chờ ký, 1 dự thảo).")
        % {"agency": justice.name}
    )
    return lines
