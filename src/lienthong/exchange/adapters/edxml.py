"""edXML messages (QCVN 102:2016/BTTTT): document envelopes and status replies, built from
dataclasses and parsed back from bytes, refusing hostile XML.

    envelope = Envelope(sender=Organ("000.00.00.H56", "UBND tỉnh …"),
                        recipients=[Organ("000.00.00.H41", "UBND tỉnh Nghệ An")],
                        code_number="123", code_notation="UBND-VP", subject="V/v …",
                        promulgation_date=date(2026, 11, 26),
                        attachments=[Attachment("cong-van.pdf", "application/pdf", data)])
    xml = build(envelope)          # bytes, UTF-8
    same = parse(xml)              # EdxmlError(errors) when it is not an envelope we accept
    reply = Status(sender=Organ("000.00.00.H41", "…"), status_code="03",
                   response_for=ResponseFor("000.00.00.H56", document_id=envelope.document_id))
    parse_status(build_status(reply)) == reply
    parse_any(data)                # an Envelope or a Status, whichever `data` holds

The layout is the one of the national document-exchange samples (../shared/data/edxml):
root `edXML` → `edXMLEnvelope` → `edXMLHeader` (`MessageHeader`, `TraceHeaderList`) and
`edXMLBody/edXMLManifest`, then `AttachmentEncoded` beside the envelope, every element in the
namespace http://www.mic.gov.vn/TBT/QCVN_102_2016. Every MessageHeader field of the standard
is kept (From/To with all organ fields, Code, PromulgationInfo, DocumentType, Subject,
Content, SignerInfo, DueDate, ToPlaces, OtherInfo, ResponseFor, SteeringType, DocumentId)
and the TraceHeaderList (TraceHeader, Bussiness with BussinessDocumentInfo/ReceiverList and
StaffInfo), so parse → build → parse gives the same fields and attachment bytes. The parser
accepts the samples' variants: DocumentId in MessageHeader or in TraceHeaderList/Bussiness;
a status's StatusCode, Description, Timestamp and StaffInfo directly under MessageHeader or
in Bussiness. A DocumentId whose date does not exist (the sample's `2014/02/30`) is kept as
written and reported in `Envelope.warnings`. The XML signature is neither written nor
checked: between deployments the transport is authenticated (a client system's key) and
logged; signing with the agency's certificate is future work.

Security (every refusal is an EdxmlError with a clear reason, before any decoding):
- no DTD, no entity declarations, hence no entity expansion (billion laughs) and no external
  entities; no XInclude elements;
- input larger than `LIENTHONG["EDXML_MAX_BYTES"]` (30 MiB) is refused before parsing;
- a text node (a base64 attachment) longer than the base64 size of
  `EDXML_MAX_ATTACHMENT_BYTES` (20 MiB) stops the parser while it reads it; an attachment's
  decoded size is computed from its base64 length before decoding;
- nesting deeper than `EDXML_MAX_DEPTH` (32) elements and more than `EDXML_MAX_ELEMENTS`
  (100,000) elements are refused.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import MISSING as dataclass_missing
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any
from xml.parsers import expat
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XINCLUDE_NS = "http://www.w3.org/2001/XInclude"
ET.register_namespace("edXML", NS)
#: Timestamps without a zone are Vietnamese office time.
VN = ZoneInfo("Asia/Ho_Chi_Minh")

#: BussinessDocType: 0 new, 1 revoke, 2 update, 3 replace.
BUSINESS_TYPES = {0: "Văn bản điện tử mới", 1: "Thu hồi", 2: "Cập nhật", 3: "Thay thế"}
#: Status replies (DOMAIN.md "Document exchange").
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
#: OtherInfo/Priority (độ khẩn).
PRIORITIES = {0: "Thường", 1: "Khẩn", 2: "Thượng khẩn", 3: "Hỏa tốc", 4: "Hỏa tốc hẹn giờ"}
ORGAN_ID = re.compile(r"^[0-9A-Z.]{5,20}$")

#: Limits (override in `settings.LIENTHONG`).
DEFAULT_LIMITS = {
    "EDXML_MAX_BYTES": 30 * 1024 * 1024,
    "EDXML_MAX_ATTACHMENT_BYTES": 20 * 1024 * 1024,
    "EDXML_MAX_DEPTH": 32,
    "EDXML_MAX_ELEMENTS": 100_000,
}


def limit(name: str) -> int:
    """A size limit: `settings.LIENTHONG[name]` or its default."""
    configured = getattr(settings, "LIENTHONG", {}).get(name)
    return int(configured) if configured else DEFAULT_LIMITS[name]


class EdxmlError(ValueError):
    """The bytes are not an edXML message we accept; `errors` says why, one line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Organ:
    """An organisation in From / To: its 13-character code (OrganId), name and contacts."""

    organ_id: str
    name: str
    address: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    organization_in_charge: str = ""
    fax: str = ""


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
class ResponseFor:
    """The document a message answers: its issuer, number/notation, date and DocumentId."""

    organ_id: str
    code: str = ""
    promulgation_date: datetime.date | None = None
    document_id: str = ""


@dataclass
class Receiver:
    """One change of recipients in an update (ReceiverType 0 removed, 1 added)."""

    organ_id: str
    receiver_type: int = 1


@dataclass
class StaffInfo:
    """The clerk who handled a message."""

    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass
class TraceHeader:
    """One hop of a message: the organ that passed it on and when."""

    organ_id: str
    timestamp: datetime.datetime | None = None


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
    type_detail: str = ""
    content: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_name: str = ""
    due_date: datetime.date | None = None
    priority: int = 0
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int = 1
    page_amount: int = 1
    #: OtherInfo/Direction as written ("true"/"false"; "" when absent).
    direction: str = ""
    appendixes: list[str] = field(default_factory=list)
    steering_type: str = "1"
    to_places: list[str] = field(default_factory=list)
    response_for: list[ResponseFor] = field(default_factory=list)
    business_doc_type: int = 0
    business_doc_reason: str = ""
    #: TraceHeaderList/Bussiness/DocumentId when it differs from `document_id`.
    business_document_id: str = ""
    paper: str = "0"
    #: BussinessDocumentInfo (updates): DocumentInfo, DocumentReceiver, ReceiverList.
    document_info: str = ""
    document_receiver: str = ""
    receiver_list: list[Receiver] = field(default_factory=list)
    staff: StaffInfo | None = None
    document_id: str = ""
    traces: list[TraceHeader] = field(default_factory=list)
    sent_at: datetime.datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)
    #: What was accepted but looks wrong (e.g. an impossible date inside a DocumentId).
    warnings: list[str] = field(default_factory=list, compare=False)

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


@dataclass
class Status:
    """A status reply (01 arrived … 16) about a document, from the organ that received it."""

    sender: Organ
    response_for: ResponseFor
    status_code: str
    description: str = ""
    timestamp: datetime.datetime | None = None
    staff: StaffInfo | None = None
    #: The original sender (To); optional in the samples, then `response_for.organ_id`.
    recipient: Organ | None = None
    #: What was accepted but looks wrong (e.g. an impossible date inside the DocumentId).
    warnings: list[str] = field(default_factory=list, compare=False)

    @property
    def document_id(self) -> str:
        return self.response_for.document_id

    @property
    def meaning(self) -> str:
        """The Vietnamese meaning of the code (DOMAIN.md)."""
        return STATUS_CODES.get(self.status_code, "")

    @property
    def recipient_organ_id(self) -> str:
        """Where the reply goes: To, else the issuer of the document it answers."""
        return self.recipient.organ_id if self.recipient else self.response_for.organ_id


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


def _moment(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(VN)
    return value.strftime("%Y/%m/%d %H:%M:%S")


def _organ(parent: ET.Element, tag: str, organ: Organ) -> None:
    node = _sub(parent, tag)
    _sub(node, "OrganId", organ.organ_id)
    _sub(node, "OrganizationInCharge", organ.organization_in_charge or organ.name)
    _sub(node, "OrganName", organ.name)
    _sub(node, "OrganAdd", organ.address)
    _sub(node, "Email", organ.email)
    _sub(node, "Telephone", organ.phone)
    if organ.fax:
        _sub(node, "Fax", organ.fax)
    _sub(node, "Website", organ.website)


def _staff(parent: ET.Element, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    node = _sub(parent, "StaffInfo")
    _sub(node, "Department", staff.department)
    _sub(node, "Staff", staff.staff)
    _sub(node, "Email", staff.email)
    _sub(node, "Mobile", staff.mobile)


def _response_for(parent: ET.Element, answer: ResponseFor) -> None:
    node = _sub(parent, "ResponseFor")
    _sub(node, "OrganId", answer.organ_id)
    _sub(node, "Code", answer.code)
    _sub(node, "PromulgationDate", _day(answer.promulgation_date))
    _sub(node, "DocumentId", answer.document_id)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


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
    if envelope.type_detail:
        _sub(kind, "TypeDetail", envelope.type_detail)
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
    if envelope.sphere_of_promulgation:
        _sub(other, "SphereOfPromulgation", envelope.sphere_of_promulgation)
    if envelope.typer_notation:
        _sub(other, "TyperNotation", envelope.typer_notation)
    _sub(other, "PromulgationAmount", str(envelope.promulgation_amount))
    _sub(other, "PageAmount", str(envelope.page_amount))
    if envelope.direction:
        _sub(other, "Direction", envelope.direction)
    if envelope.appendixes:
        appendixes = _sub(other, "Appendixes")
        for appendix in envelope.appendixes:
            _sub(appendixes, "Appendix", appendix)
    for answer in envelope.response_for:
        _response_for(message, answer)
    _sub(message, "SteeringType", envelope.steering_type)
    if envelope.to_places:
        places = _sub(message, "ToPlaces")
        for place in envelope.to_places:
            _sub(places, "Place", place)
    traces = _sub(header, "TraceHeaderList")
    hops = envelope.traces or [
        TraceHeader(
            envelope.sender.organ_id, envelope.sent_at or datetime.datetime.now(datetime.UTC)
        )
    ]
    for hop in hops:
        trace = _sub(traces, "TraceHeader")
        _sub(trace, "OrganId", hop.organ_id)
        _sub(trace, "Timestamp", _moment(hop.timestamp))
    business = _sub(traces, "Bussiness")  # sic: the standard's spelling
    _sub(business, "DocumentId", envelope.business_document_id or document_id)
    _sub(business, "BussinessDocType", str(envelope.business_doc_type))
    _sub(
        business,
        "BussinessDocReason",
        envelope.business_doc_reason or BUSINESS_TYPES.get(envelope.business_doc_type, ""),
    )
    _sub(business, "Paper", envelope.paper)
    if envelope.document_info or envelope.document_receiver or envelope.receiver_list:
        info = _sub(business, "BussinessDocumentInfo")
        _sub(info, "DocumentInfo", envelope.document_info)
        _sub(info, "DocumentReceiver", envelope.document_receiver)
        receivers = _sub(info, "ReceiverList")
        for receiver in envelope.receiver_list:
            node = _sub(receivers, "Receiver")
            _sub(node, "OrganId", receiver.organ_id)
            _sub(node, "ReceiverType", str(receiver.receiver_type))
    _staff(business, envelope.staff)
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
    return _serialise(root)


def build_status(status: Status) -> bytes:
    """A status reply as edXML bytes, in the samples' layout (fields under MessageHeader)."""
    root = ET.Element(_q("edXML"))
    env = _sub(root, "edXMLEnvelope")
    header = _sub(env, "edXMLHeader")
    message = _sub(header, "MessageHeader")
    _organ(message, "From", status.sender)
    if status.recipient is not None:
        _organ(message, "To", status.recipient)
    _response_for(message, status.response_for)
    _staff(message, status.staff)
    _sub(message, "StatusCode", status.status_code)
    _sub(message, "Description", status.description)
    _sub(
        message,
        "Timestamp",
        _moment(status.timestamp or datetime.datetime.now(datetime.UTC)),
    )
    return _serialise(root)


# --- Parsing --------------------------------------------------------------------------------


def _refuse(*args: Any) -> None:
    raise EdxmlError([_("Gói tin không được chứa khai báo DTD hay thực thể (entity).")])


def _qualified(name: str) -> str:
    # expat joins namespace and local name with the separator; ElementTree writes {ns}local.
    return "{" + name if "}" in name else name


def _base64_length(size: int) -> int:
    """The longest base64 text (line breaks allowed) that may hold `size` bytes."""
    return (size + 2) // 3 * 4 * 105 // 100 + 1024


def parse_xml(data: bytes) -> ET.Element:
    """The root element of well-formed XML without a DTD, within the limits; EdxmlError
    otherwise.

    Built on expat directly (ElementTree's C parser hides its expat handlers), with every
    DTD and entity handler refusing, and depth, element count and text length counted while
    parsing (a huge base64 attachment stops the parser before it is all in memory twice).
    """
    max_bytes = limit("EDXML_MAX_BYTES")
    if len(data) > max_bytes:
        raise EdxmlError(
            [
                _("Gói tin quá lớn: %(size)d byte, tối đa %(max)d byte.")
                % {"size": len(data), "max": max_bytes}
            ]
        )
    max_depth = limit("EDXML_MAX_DEPTH")
    max_elements = limit("EDXML_MAX_ELEMENTS")
    max_attachment = limit("EDXML_MAX_ATTACHMENT_BYTES")
    max_text = _base64_length(max_attachment)
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True  # text arrives in chunks of up to buffer_size, counted as read
    parser.buffer_size = 1 << 16
    state = {"depth": 0, "elements": 0, "text": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        state["depth"] += 1
        state["elements"] += 1
        state["text"] = 0
        if name.startswith(XINCLUDE_NS + "}"):
            raise EdxmlError([_("Gói tin không được dùng XInclude.")])
        if state["depth"] > max_depth:
            raise EdxmlError(
                [_("Gói tin lồng nhau quá sâu (quá %(max)d cấp).") % {"max": max_depth}]
            )
        if state["elements"] > max_elements:
            raise EdxmlError(
                [_("Gói tin có quá nhiều phần tử (quá %(max)d).") % {"max": max_elements}]
            )
        builder.start(_qualified(name), {_qualified(k): v for k, v in attrs.items()})

    def end(name: str) -> None:
        state["depth"] -= 1
        state["text"] = 0
        builder.end(_qualified(name))

    def text(chunk: str) -> None:
        state["text"] += len(chunk)
        if state["text"] > max_text:
            raise EdxmlError(
                [
                    _("Tệp đính kèm hoặc nội dung quá lớn (tối đa %(max)d byte mỗi tệp).")
                    % {"max": max_attachment}
                ]
            )
        builder.data(chunk)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
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


def _first(nodes: list[ET.Element | None], *path: str) -> str:
    """The first non-empty text at `path` under any of `nodes`."""
    for node in nodes:
        value = _text(node, *path)
        if value:
            return value
    return ""


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


def _datetime(value: str, label: str, errors: list[str]) -> datetime.datetime | None:
    if not value:
        return None
    for pattern in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S"):
        try:
            return datetime.datetime.strptime(value, pattern).replace(tzinfo=VN)
        except ValueError:
            continue
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        errors.append(
            _("%(field)s không phải thời điểm hợp lệ: %(value)s") % {"field": label, "value": value}
        )
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN)


def _integer(value: str, default: int, label: str, errors: list[str]) -> int:
    if not value:
        return default
    if not value.isdigit():
        errors.append(
            _("%(field)s phải là số nguyên: %(value)s") % {"field": label, "value": value}
        )
        return default
    return int(value)


def _organ_of(node: ET.Element) -> Organ:
    name = _text(node, "OrganName") or _text(node, "OrganizationInCharge")
    in_charge = _text(node, "OrganizationInCharge")
    return Organ(
        organ_id=_text(node, "OrganId"),
        name=name,
        address=_text(node, "OrganAdd"),
        email=_text(node, "Email"),
        phone=_text(node, "Telephone"),
        website=_text(node, "Website"),
        # Kept only when it says more than the name (build writes the name when empty).
        organization_in_charge=in_charge if in_charge != name else "",
        fax=_text(node, "Fax"),
    )


def _staff_of(node: ET.Element | None) -> StaffInfo | None:
    if node is None:
        return None
    return StaffInfo(
        department=_text(node, "Department"),
        staff=_text(node, "Staff"),
        email=_text(node, "Email"),
        mobile=_text(node, "Mobile"),
    )


def _response_for_of(node: ET.Element, errors: list[str]) -> ResponseFor:
    return ResponseFor(
        organ_id=_text(node, "OrganId"),
        code=_text(node, "Code"),
        promulgation_date=_date(
            _text(node, "PromulgationDate"), "ResponseFor/PromulgationDate", errors
        ),
        document_id=_text(node, "DocumentId"),
    )


def _check_document_id(document_id: str, label: str, warnings: list[str]) -> None:
    """Warn (not refuse: the national samples carry one) when a DocumentId's date is not a
    real day."""
    parts = document_id.split(",")
    if len(parts) < 3 or not parts[1]:
        return
    try:
        datetime.datetime.strptime(parts[1], "%Y/%m/%d")
    except ValueError:
        warnings.append(
            _("%(field)s có ngày không tồn tại: %(value)s") % {"field": label, "value": parts[1]}
        )


def _header(root: ET.Element) -> ET.Element:
    if root.tag not in (_q("edXML"), _q("edXMLEnvelope")):
        raise EdxmlError([_("Phần tử gốc phải là edXML trong không gian tên %(ns)s.") % {"ns": NS}])
    message = root.find(f".//{_q('edXMLHeader')}/{_q('MessageHeader')}")
    if message is None:
        raise EdxmlError([_("Thiếu edXMLEnvelope/edXMLHeader/MessageHeader.")])
    return message


def _business(root: ET.Element) -> ET.Element | None:
    return root.find(f".//{_q('TraceHeaderList')}/{_q('Bussiness')}")


def _is_status(message: ET.Element, business: ET.Element | None) -> bool:
    return any(
        node is not None and node.find(_q("StatusCode")) is not None for node in (message, business)
    )


def parse_any(data: bytes) -> Envelope | Status:
    """The envelope or the status reply in `data` (a StatusCode makes it a status)."""
    root = parse_xml(data)
    message = _header(root)
    if _is_status(message, _business(root)):
        return _parse_status(root)
    return _parse_envelope(root)


def parse(data: bytes) -> Envelope:
    """The envelope in `data`; EdxmlError with every problem found when it is not one."""
    root = parse_xml(data)
    message = _header(root)
    if _is_status(message, _business(root)):
        raise EdxmlError([_("Đây là gói tin trạng thái (StatusCode), không phải văn bản.")])
    return _parse_envelope(root)


def parse_status(data: bytes) -> Status:
    """The status reply in `data`; EdxmlError with every problem found when it is not one."""
    root = parse_xml(data)
    message = _header(root)
    if not _is_status(message, _business(root)):
        raise EdxmlError(
            [_("Thiếu mã trạng thái (StatusCode): đây không phải gói tin trạng thái.")]
        )
    return _parse_status(root)


def _check_organ(organ_id: str, label: str, errors: list[str]) -> None:
    if not organ_id:
        errors.append(_("Thiếu mã cơ quan %(who)s (OrganId).") % {"who": label})
    elif not ORGAN_ID.match(organ_id):
        errors.append(
            _("Mã cơ quan %(who)s không hợp lệ: %(code)s") % {"who": label, "code": organ_id}
        )


def _parse_envelope(root: ET.Element) -> Envelope:
    message = _header(root)
    errors: list[str] = []
    warnings: list[str] = []
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
    business = _business(root)
    business_id = _text(business, "DocumentId")
    document_id = _text(message, "DocumentId") or business_id
    _check_document_id(document_id, "DocumentId", warnings)
    if business_id and business_id != document_id:
        _check_document_id(business_id, "Bussiness/DocumentId", warnings)
    priority_text = _text(message, "OtherInfo", "Priority") or "0"
    if priority_text not in {"0", "1", "2", "3", "4"}:
        errors.append(_("Độ khẩn (Priority) phải từ 0 đến 4."))
    business_text = _text(business, "BussinessDocType") or "0"
    if business_text not in {"0", "1", "2", "3"}:
        errors.append(_("Loại nghiệp vụ (BussinessDocType) phải từ 0 đến 3."))
    response_for = [_response_for_of(node, errors) for node in message.findall(_q("ResponseFor"))]
    traces = [
        TraceHeader(
            organ_id=_text(node, "OrganId"),
            timestamp=_datetime(_text(node, "Timestamp"), "TraceHeader/Timestamp", errors),
        )
        for node in root.findall(f".//{_q('TraceHeaderList')}/{_q('TraceHeader')}")
    ]
    info = business.find(_q("BussinessDocumentInfo")) if business is not None else None
    receivers: list[Receiver] = []
    if info is not None:
        for node in info.findall(f"{_q('ReceiverList')}/{_q('Receiver')}"):
            kind = _text(node, "ReceiverType") or "1"
            if kind not in {"0", "1"}:
                errors.append(_("ReceiverType phải là 0 (bỏ) hoặc 1 (thêm)."))
                kind = "1"
            receivers.append(Receiver(_text(node, "OrganId"), int(kind)))
    amount = _integer(
        _text(message, "OtherInfo", "PromulgationAmount"), 1, "PromulgationAmount", errors
    )
    pages = _integer(_text(message, "OtherInfo", "PageAmount"), 1, "PageAmount", errors)
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
        type_detail=_text(message, "DocumentType", "TypeDetail"),
        content=_text(message, "Content"),
        signer_competence=_text(message, "SignerInfo", "Competence"),
        signer_position=_text(message, "SignerInfo", "Position"),
        signer_name=_text(message, "SignerInfo", "FullName"),
        due_date=due,
        priority=int(priority_text),
        sphere_of_promulgation=_text(message, "OtherInfo", "SphereOfPromulgation"),
        typer_notation=_text(message, "OtherInfo", "TyperNotation"),
        promulgation_amount=amount,
        page_amount=pages,
        direction=_text(message, "OtherInfo", "Direction"),
        appendixes=[
            (node.text or "").strip()
            for node in message.findall(f"{_q('OtherInfo')}/{_q('Appendixes')}/{_q('Appendix')}")
        ],
        steering_type=_text(message, "SteeringType"),
        to_places=[
            (node.text or "").strip() for node in message.findall(f"{_q('ToPlaces')}/{_q('Place')}")
        ],
        response_for=response_for,
        business_doc_type=int(business_text),
        business_doc_reason=_text(business, "BussinessDocReason"),
        business_document_id=business_id if business_id != document_id else "",
        paper=_text(business, "Paper") or "0",
        document_info=_text(info, "DocumentInfo"),
        document_receiver=_text(info, "DocumentReceiver"),
        receiver_list=receivers,
        staff=_staff_of(business.find(_q("StaffInfo")) if business is not None else None),
        document_id=document_id,
        traces=traces,
        sent_at=traces[-1].timestamp if traces else None,
        attachments=attachments,
        warnings=warnings,
    )


def _parse_status(root: ET.Element) -> Status:
    message = _header(root)
    business = _business(root)
    errors: list[str] = []
    warnings: list[str] = []
    sender_node = message.find(_q("From"))
    sender = _organ_of(sender_node) if sender_node is not None else Organ("", "")
    _check_organ(sender.organ_id, _("gửi trạng thái (From)"), errors)
    recipient_node = message.find(_q("To"))
    recipient = _organ_of(recipient_node) if recipient_node is not None else None
    answer_node = message.find(_q("ResponseFor"))
    if answer_node is not None:
        answer = _response_for_of(answer_node, errors)
    else:
        answer = ResponseFor(organ_id=recipient.organ_id if recipient else "")
    if not answer.document_id:
        answer.document_id = _first([message, business], "DocumentId")
    if not answer.document_id:
        errors.append(_("Thiếu mã định danh văn bản được trả lời (ResponseFor/DocumentId)."))
    else:
        _check_document_id(answer.document_id, "ResponseFor/DocumentId", warnings)
    if not answer.organ_id and answer.document_id:
        answer.organ_id = answer.document_id.split(",")[0]
    code = _first([message, business], "StatusCode")
    if code not in STATUS_CODES:
        errors.append(
            _("Mã trạng thái (StatusCode) không hợp lệ: %(code)s (chấp nhận %(known)s).")
            % {"code": code or "∅", "known": ", ".join(STATUS_CODES)}
        )
    timestamp = _datetime(_first([message, business], "Timestamp"), "Timestamp", errors)
    staff_node = message.find(_q("StaffInfo"))
    if staff_node is None and business is not None:
        staff_node = business.find(_q("StaffInfo"))
    if errors:
        raise EdxmlError(errors)
    return Status(
        sender=sender,
        response_for=answer,
        status_code=code,
        description=_first([message, business], "Description"),
        timestamp=timestamp,
        staff=_staff_of(staff_node),
        recipient=recipient,
        warnings=warnings,
    )


def _attachments(root: ET.Element, errors: list[str]) -> list[Attachment]:
    """The base64 attachments, each checked against the manifest's references and the size
    limit (from the base64 length, before decoding)."""
    references = {
        _text(ref, "ContentId"): ref
        for ref in root.iter(_q("Reference"))
        if _text(ref, "ContentId")
    }
    max_attachment = limit("EDXML_MAX_ATTACHMENT_BYTES")
    found: list[Attachment] = []
    oversize: set[str] = set()
    for node in root.iter(_q("Attachment")):
        content_id = _text(node, "ContentId")
        name = _text(node, "AttachmentName")
        description = _text(node, "Description")
        encoded = "".join(_text(node, "ContentTransferEncoded").split())
        if len(encoded) // 4 * 3 - encoded[-2:].count("=") > max_attachment:
            errors.append(
                _("Tệp đính kèm %(name)s quá lớn (tối đa %(max)d byte).")
                % {"name": name, "max": max_attachment}
            )
            oversize.add(content_id)
            continue
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
                # Kept only when it says more than the name (build writes the name).
                description=description if description != name else "",
            )
        )
    missing = set(references) - {a.content_id for a in found} - oversize
    for content_id in sorted(missing):
        errors.append(_("Thiếu tệp đính kèm %(cid)s của danh mục.") % {"cid": content_id})
    return found


# --- JSON (the `edxml parse` command, APIs) --------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Attachment):
        return {
            "name": value.name,
            "content_type": value.content_type,
            "content_id": value.content_id,
            "description": value.description,
            "size": len(value.data),
            "sha256": value.sha256,
        }
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def as_json(message: Envelope | Status) -> dict[str, Any]:
    """The header of an envelope (attachments as name/type/size/SHA-256) or a status, as
    JSON-ready values, with `kind` "envelope" or "status"."""
    data: dict[str, Any] = _plain(message)
    if isinstance(message, Status):
        data["document_id"] = message.document_id
        data["meaning"] = message.meaning
        return {"kind": "status", **data}
    data["document_id"] = message.computed_document_id()
    data["number"] = message.number
    return {"kind": "envelope", **data}


# --- From JSON (`lienthong edxml build --json header.json`) ---------------------------------

#: Keys `as_json` writes that are derived, not fields: ignored when reading JSON back.
_DERIVED = {"kind", "number", "meaning", "warnings"}


class _Reader:
    """Reads JSON values into the dataclasses, collecting every problem."""

    def __init__(self, read: Any) -> None:
        self.read = read
        self.errors: list[str] = []

    def bad(self, where: str, what: str) -> None:
        self.errors.append(_("%(where)s: %(what)s") % {"where": where, "what": what})

    def text(self, value: Any, where: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str | int):
            self.bad(where, _("phải là chuỗi"))
            return ""
        return str(value)

    def number(self, value: Any, where: str, default: int) -> int:
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            self.bad(where, _("phải là số nguyên"))
            return default
        return int(value)

    def day(self, value: Any, where: str) -> datetime.date | None:
        if not value:
            return None
        errors: list[str] = []
        parsed = _date(self.text(value, where), where, errors)
        self.errors.extend(errors)
        return parsed

    def moment(self, value: Any, where: str) -> datetime.datetime | None:
        if not value:
            return None
        errors: list[str] = []
        parsed = _datetime(self.text(value, where), where, errors)
        self.errors.extend(errors)
        return parsed

    def obj(self, value: Any, where: str, cls: type, **converters: Any) -> Any:
        if not isinstance(value, dict):
            self.bad(where, _("phải là một đối tượng JSON"))
            return None
        specs = {spec.name: spec for spec in dataclass_fields(cls)}
        names = set(specs)
        unknown = sorted(set(value) - names - _DERIVED)
        if unknown:
            self.bad(where, _("không có trường %(names)s") % {"names": ", ".join(unknown)})
        values: dict[str, Any] = {}
        for name in specs:
            if name not in value or name in _DERIVED:
                continue
            convert = converters.get(name)
            values[name] = (
                convert(value[name], f"{where}.{name}")
                if convert
                else self.text(value[name], f"{where}.{name}")
            )
        required = [
            name
            for name, spec in specs.items()
            if spec.default is dataclass_missing
            and spec.default_factory is dataclass_missing
            and name not in values
        ]
        if required:
            self.bad(where, _("thiếu %(names)s") % {"names": ", ".join(required)})
            return None
        return cls(**values)

    def items(self, value: Any, where: str, convert: Any) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(where, _("phải là một danh sách"))
            return []
        found = [convert(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return [item for item in found if item is not None]

    def organ(self, value: Any, where: str) -> Organ | None:
        result: Organ | None = self.obj(value, where, Organ)
        return result

    def answer(self, value: Any, where: str) -> ResponseFor | None:
        result: ResponseFor | None = self.obj(value, where, ResponseFor, promulgation_date=self.day)
        return result

    def staff(self, value: Any, where: str) -> StaffInfo | None:
        if value is None:
            return None
        result: StaffInfo | None = self.obj(value, where, StaffInfo)
        return result

    def attachment(self, value: Any, where: str) -> Attachment | None:
        if not isinstance(value, dict):
            self.bad(where, _("phải là một đối tượng JSON"))
            return None
        name = self.text(value.get("name"), f"{where}.name")
        data = b""
        if value.get("data_base64"):
            try:
                data = base64.b64decode(str(value["data_base64"]), validate=True)
            except (binascii.Error, ValueError):
                self.bad(where, _("data_base64 không phải base64 hợp lệ"))
        elif value.get("path"):
            try:
                data = self.read(str(value["path"]))
            except OSError as exc:
                self.bad(where, _("không đọc được tệp: %(error)s") % {"error": exc})
        else:
            self.bad(where, _("cần path hoặc data_base64"))
        return Attachment(
            name=name or str(value.get("path", "")).rsplit("/", 1)[-1],
            content_type=self.text(value.get("content_type"), f"{where}.content_type")
            or "application/octet-stream",
            data=data,
            content_id=self.text(value.get("content_id"), f"{where}.content_id"),
            description=self.text(value.get("description"), f"{where}.description"),
        )


def from_json(data: Any, *, read: Any = None) -> Envelope | Status:
    """An envelope (or, with `"kind": "status"` or a `status_code`, a status reply) from the
    JSON that `as_json` writes; attachments as `{"name", "content_type", "path"}` (read with
    `read(path) -> bytes`) or `{"name", "content_type", "data_base64"}`. EdxmlError lists
    every problem."""
    reader = _Reader(read or (lambda path: open(path, "rb").read()))  # noqa: SIM115
    if not isinstance(data, dict):
        raise EdxmlError([_("Tiêu đề JSON phải là một đối tượng.")])
    if data.get("kind") == "status" or "status_code" in data:
        status = reader.obj(
            {k: v for k, v in data.items() if k != "document_id"},
            "status",
            Status,
            sender=reader.organ,
            recipient=lambda v, w: reader.organ(v, w) if v else None,
            response_for=reader.answer,
            timestamp=reader.moment,
            staff=reader.staff,
        )
        if reader.errors or status is None:
            raise EdxmlError(reader.errors or [_("Không đọc được trạng thái.")])
        return status
    envelope = reader.obj(
        {k: v for k, v in data.items() if k != "document_id" or v},
        "envelope",
        Envelope,
        sender=reader.organ,
        recipients=lambda v, w: reader.items(v, w, reader.organ),
        promulgation_date=reader.day,
        due_date=reader.day,
        priority=lambda v, w: reader.number(v, w, 0),
        promulgation_amount=lambda v, w: reader.number(v, w, 1),
        page_amount=lambda v, w: reader.number(v, w, 1),
        business_doc_type=lambda v, w: reader.number(v, w, 0),
        appendixes=lambda v, w: reader.items(v, w, reader.text),
        to_places=lambda v, w: reader.items(v, w, reader.text),
        response_for=lambda v, w: reader.items(v, w, reader.answer),
        receiver_list=lambda v, w: reader.items(
            v,
            w,
            lambda item, where: reader.obj(
                item,
                where,
                Receiver,
                receiver_type=lambda x, y: reader.number(x, y, 1),
            ),
        ),
        staff=reader.staff,
        traces=lambda v, w: reader.items(
            v, w, lambda item, where: reader.obj(item, where, TraceHeader, timestamp=reader.moment)
        ),
        sent_at=reader.moment,
        attachments=lambda v, w: reader.items(v, w, reader.attachment),
    )
    if reader.errors or envelope is None:
        raise EdxmlError(reader.errors or [_("Không đọc được văn bản.")])
    return envelope
