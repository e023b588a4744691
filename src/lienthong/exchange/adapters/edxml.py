"""edXML envelopes (QCVN 102:2016/BTTTT): build one from a document, parse one from bytes.

    envelope = Envelope(sender=Organ("000.00.00.H56", "UBND tỉnh …"),
                        recipients=[Organ("000.00.00.H41", "UBND tỉnh Nghệ An")],
                        code_number="123", code_notation="UBND-VP", subject="V/v …",
                        promulgation_date=date(2026, 11, 26),
                        attachments=[Attachment("cong-van.pdf", "application/pdf", data)])
    xml = build(envelope)          # bytes, UTF-8
    same = parse(xml)              # EdxmlError(errors) when it is not an envelope we accept

The layout is the one of the national document-exchange samples (../shared/data/edxml):
root `edXML` → `edXMLEnvelope` → `edXMLHeader` (`MessageHeader`, `TraceHeaderList`) and
`edXMLBody/edXMLManifest`, then `AttachmentEncoded` beside the envelope, every element in the
namespace http://www.mic.gov.vn/TBT/QCVN_102_2016. The parser accepts the samples' variants
(DocumentId in MessageHeader or in TraceHeaderList/Bussiness). The XML signature is neither
written nor checked: between deployments the transport is authenticated (a client system's
key) and logged; signing with the agency's certificate is future work.

Security: no DTD, no entity declarations (a document from outside could otherwise expand
entities without bound or read local files); the parser refuses them.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from django.utils.translation import gettext as _

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
ET.register_namespace("edXML", NS)

#: BussinessDocType: 0 new, 1 revoke, 2 update, 3 replace.
BUSINESS_TYPES = {0: "Văn bản điện tử mới", 1: "Thu hồi", 2: "Cập nhật", 3: "Thay thế"}
#: Status replies (DOMAIN.md).
STATUS_CODES = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận",
    "04": "Chờ phân công",
    "05": "Đã phân công, đang xử lý",
    "06": "Hoàn thành",
    "13": "Lấy lại",
    "15": "Đồng ý",
    "16": "Từ chối lấy lại / cập nhật",
}
ORGAN_ID = re.compile(r"^[0-9A-Z.]{5,20}$")


class EdxmlError(ValueError):
    """The bytes are not an edXML envelope we accept; `errors` says why, one line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Organ:
    """An organisation in From / To: its 13-character code (OrganId) and name."""

    organ_id: str
    name: str
    address: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""


@dataclass
class Attachment:
    """One attached file, carried base64 in the envelope."""

    name: str
    content_type: str
    data: bytes
    content_id: str = ""
    description: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Envelope:
    """The header fields of an edXML document envelope and its attachments."""

    sender: Organ
    recipients: list[Organ]
    subject: str
    code_number: str = ""
    code_notation: str = ""
    promulgation_date: datetime.date | None = None
    promulgation_place: str = ""
    document_type: str = "Công văn"
    type_code: str = "1"
    content: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_name: str = ""
    due_date: datetime.date | None = None
    priority: int = 0
    steering_type: str = "1"
    to_places: list[str] = field(default_factory=list)
    business_doc_type: int = 0
    document_id: str = ""
    sent_at: datetime.datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def number(self) -> str:
        """Number/notation as printed: `123/UBND-VP`."""
        return "/".join(part for part in (self.code_number, self.code_notation) if part)

    def computed_document_id(self) -> str:
        """`OrganId,yyyy/mm/dd,number/notation` (DOMAIN.md)."""
        if self.document_id:
            return self.document_id
        day = self.promulgation_date.strftime("%Y/%m/%d") if self.promulgation_date else ""
        return f"{self.sender.organ_id},{day},{self.number}"


# --- Building -------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _q(name))
    if text is not None:
        element.text = text
    return element


def _day(value: datetime.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def _organ(parent: ET.Element, tag: str, organ: Organ) -> None:
    node = _sub(parent, tag)
    _sub(node, "OrganId", organ.organ_id)
    _sub(node, "OrganizationInCharge", organ.name)
    _sub(node, "OrganName", organ.name)
    _sub(node, "OrganAdd", organ.address)
    _sub(node, "Email", organ.email)
    _sub(node, "Telephone", organ.phone)
    _sub(node, "Website", organ.website)


def build(envelope: Envelope) -> bytes:
    """The envelope as edXML bytes (UTF-8, with the XML declaration)."""
    root = ET.Element(_q("edXML"))
    env = _sub(root, "edXMLEnvelope")
    header = _sub(env, "edXMLHeader")
    message = _sub(header, "MessageHeader")
    _organ(message, "From", envelope.sender)
    for recipient in envelope.recipients:
        _organ(message, "To", recipient)
    document_id = envelope.computed_document_id()
    _sub(message, "DocumentId", document_id)
    code = _sub(message, "Code")
    _sub(code, "CodeNumber", envelope.code_number)
    _sub(code, "CodeNotation", envelope.code_notation)
    promulgation = _sub(message, "PromulgationInfo")
    _sub(promulgation, "Place", envelope.promulgation_place)
    _sub(promulgation, "PromulgationDate", _day(envelope.promulgation_date))
    kind = _sub(message, "DocumentType")
    _sub(kind, "Type", envelope.type_code)
    _sub(kind, "TypeName", envelope.document_type)
    _sub(message, "Subject", envelope.subject)
    _sub(message, "Content", envelope.content)
    signer = _sub(message, "SignerInfo")
    _sub(signer, "Competence", envelope.signer_competence)
    _sub(signer, "Position", envelope.signer_position)
    _sub(signer, "FullName", envelope.signer_name)
    if envelope.due_date:
        _sub(message, "DueDate", _day(envelope.due_date))
    other = _sub(message, "OtherInfo")
    _sub(other, "Priority", str(envelope.priority))
    _sub(other, "PromulgationAmount", "1")
    _sub(other, "PageAmount", "1")
    _sub(message, "SteeringType", envelope.steering_type)
    if envelope.to_places:
        places = _sub(message, "ToPlaces")
        for place in envelope.to_places:
            _sub(places, "Place", place)
    traces = _sub(header, "TraceHeaderList")
    trace = _sub(traces, "TraceHeader")
    _sub(trace, "OrganId", envelope.sender.organ_id)
    sent = envelope.sent_at or datetime.datetime.now(datetime.UTC)
    _sub(trace, "Timestamp", sent.strftime("%Y/%m/%d %H:%M:%S"))
    business = _sub(traces, "Bussiness")  # sic: the standard's spelling
    _sub(business, "DocumentId", document_id)
    _sub(business, "BussinessDocType", str(envelope.business_doc_type))
    _sub(business, "BussinessDocReason", BUSINESS_TYPES.get(envelope.business_doc_type, ""))
    _sub(business, "Paper", "0")
    body = _sub(env, "edXMLBody")
    manifest = _sub(body, "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = _sub(root, "AttachmentEncoded")
    for number, attachment in enumerate(envelope.attachments, start=1):
        content_id = attachment.content_id or f"cid:{number}"
        reference = _sub(manifest, "Reference")
        _sub(reference, "ContentId", content_id)
        _sub(reference, "ContentType", attachment.content_type)
        _sub(reference, "Description", attachment.description or attachment.name)
        _sub(reference, "AttachmentName", attachment.name)
        item = _sub(encoded, "Attachment")
        _sub(item, "ContentId", content_id)
        _sub(item, "AttachmentName", attachment.name)
        _sub(item, "Description", attachment.description or attachment.name)
        _sub(item, "ContentType", attachment.content_type)
        _sub(item, "ContentTransferEncoded", base64.b64encode(attachment.data).decode("ascii"))
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


# --- Parsing --------------------------------------------------------------------------------


def _refuse(*args: Any) -> None:
    raise EdxmlError([_("Gói tin không được chứa khai báo DTD hay thực thể (entity).")])


def _qualified(name: str) -> str:
    # expat joins namespace and local name with the separator; ElementTree writes {ns}local.
    return "{" + name if "}" in name else name


def parse_xml(data: bytes) -> ET.Element:
    """The root element of well-formed XML without a DTD; EdxmlError otherwise.

    Built on expat directly (ElementTree's C parser hides its expat handlers), with every
    DTD and entity handler refusing.
    """
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = lambda name, attrs: builder.start(
        _qualified(name), {_qualified(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda name: builder.end(_qualified(name))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    try:
        parser.Parse(data, True)
        return builder.close()
    except expat.ExpatError as exc:
        raise EdxmlError([_("XML không đúng cú pháp: %(error)s") % {"error": exc}]) from None


def _text(parent: ET.Element | None, *path: str) -> str:
    if parent is None:
        return ""
    node = parent.find("/".join(_q(p) for p in path))
    return (node.text or "").strip() if node is not None else ""


def _date(value: str, label: str, errors: list[str]) -> datetime.date | None:
    if not value:
        return None
    for pattern in ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    errors.append(
        _("%(field)s không phải ngày hợp lệ: %(value)s") % {"field": label, "value": value}
    )
    return None


def _organ_of(node: ET.Element) -> Organ:
    return Organ(
        organ_id=_text(node, "OrganId"),
        name=_text(node, "OrganName") or _text(node, "OrganizationInCharge"),
        address=_text(node, "OrganAdd"),
        email=_text(node, "Email"),
        phone=_text(node, "Telephone"),
        website=_text(node, "Website"),
    )


def parse(data: bytes) -> Envelope:
    """The envelope in `data`; EdxmlError with every problem found when it is not one."""
    root = parse_xml(data)
    errors: list[str] = []
    if root.tag not in (_q("edXML"), _q("edXMLEnvelope")):
        raise EdxmlError([_("Phần tử gốc phải là edXML trong không gian tên %(ns)s.") % {"ns": NS}])
    message = root.find(f".//{_q('edXMLHeader')}/{_q('MessageHeader')}")
    if message is None:
        raise EdxmlError([_("Thiếu edXMLEnvelope/edXMLHeader/MessageHeader.")])
    sender_node = message.find(_q("From"))
    sender = _organ_of(sender_node) if sender_node is not None else Organ("", "")
    if not sender.organ_id:
        errors.append(_("Thiếu mã cơ quan gửi (From/OrganId)."))
    elif not ORGAN_ID.match(sender.organ_id):
        errors.append(_("Mã cơ quan gửi không hợp lệ: %(code)s") % {"code": sender.organ_id})
    recipients = [_organ_of(node) for node in message.findall(_q("To"))]
    if not recipients or not all(r.organ_id for r in recipients):
        errors.append(_("Thiếu cơ quan nhận (To/OrganId)."))
    subject = _text(message, "Subject")
    if not subject:
        errors.append(_("Thiếu trích yếu (Subject)."))
    elif len(subject) > 500:
        errors.append(_("Trích yếu dài quá 500 ký tự."))
    code_number = _text(message, "Code", "CodeNumber")
    code_notation = _text(message, "Code", "CodeNotation")
    if not code_number and not code_notation:
        errors.append(_("Thiếu số, ký hiệu văn bản (Code)."))
    promulgation = _date(
        _text(message, "PromulgationInfo", "PromulgationDate"), "PromulgationDate", errors
    )
    due = _date(_text(message, "DueDate"), "DueDate", errors)
    business = root.find(f".//{_q('TraceHeaderList')}/{_q('Bussiness')}")
    document_id = _text(message, "DocumentId") or _text(business, "DocumentId")
    priority_text = _text(message, "OtherInfo", "Priority") or "0"
    if priority_text not in {"0", "1", "2", "3", "4"}:
        errors.append(_("Độ khẩn (Priority) phải từ 0 đến 4."))
    business_text = _text(business, "BussinessDocType") or "0"
    if business_text not in {"0", "1", "2", "3"}:
        errors.append(_("Loại nghiệp vụ (BussinessDocType) phải từ 0 đến 3."))
    attachments = _attachments(root, errors)
    if errors:
        raise EdxmlError(errors)
    return Envelope(
        sender=sender,
        recipients=recipients,
        subject=subject,
        code_number=code_number,
        code_notation=code_notation,
        promulgation_date=promulgation,
        promulgation_place=_text(message, "PromulgationInfo", "Place"),
        document_type=_text(message, "DocumentType", "TypeName"),
        type_code=_text(message, "DocumentType", "Type"),
        content=_text(message, "Content"),
        signer_competence=_text(message, "SignerInfo", "Competence"),
        signer_position=_text(message, "SignerInfo", "Position"),
        signer_name=_text(message, "SignerInfo", "FullName"),
        due_date=due,
        priority=int(priority_text),
        steering_type=_text(message, "SteeringType"),
        to_places=[
            (node.text or "").strip() for node in message.findall(f"{_q('ToPlaces')}/{_q('Place')}")
        ],
        business_doc_type=int(business_text),
        document_id=document_id,
        attachments=attachments,
    )


def _attachments(root: ET.Element, errors: list[str]) -> list[Attachment]:
    """The base64 attachments, each checked against the manifest's references."""
    references = {
        _text(ref, "ContentId"): ref
        for ref in root.iter(_q("Reference"))
        if _text(ref, "ContentId")
    }
    found: list[Attachment] = []
    for node in root.iter(_q("Attachment")):
        content_id = _text(node, "ContentId")
        name = _text(node, "AttachmentName")
        encoded = "".join(_text(node, "ContentTransferEncoded").split())
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            errors.append(_("Tệp đính kèm %(name)s không phải base64 hợp lệ.") % {"name": name})
            continue
        if references and content_id not in references:
            errors.append(
                _("Tệp đính kèm %(name)s không có trong danh mục (edXMLManifest).") % {"name": name}
            )
        found.append(
            Attachment(
                name=name,
                content_type=_text(node, "ContentType") or "application/octet-stream",
                data=data,
                content_id=content_id,
                description=_text(node, "Description"),
            )
        )
    missing = set(references) - {a.content_id for a in found}
    for content_id in sorted(missing):
        errors.append(_("Thiếu tệp đính kèm %(cid)s của danh mục.") % {"cid": content_id})
    return found
