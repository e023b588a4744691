"""edXML protocol (QCVN 102:2016): every national sample parses and round-trips, status
replies build and parse in the samples' variants, hostile XML is refused with a clear reason,
and `lienthong edxml parse|build` work on files."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from lienthong.exchange.adapters import edxml

SAMPLES = Path(django_settings.SHARED_DIR) / "data" / "edxml"
SAMPLE_FILES = sorted(SAMPLES.glob("*.edxml"))
PDF = b"%PDF-1.4\n% v\xc4\x83n b\xe1\xba\xa3n\n%%EOF\n"
VN = datetime.timezone(datetime.timedelta(hours=7))
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def full_envelope() -> edxml.Envelope:
    """An envelope using every field of the model."""
    return edxml.Envelope(
        sender=edxml.Organ(
            "000.00.00.H56",
            "UBND tỉnh Bình Dương",
            address="Số 1 Trần Văn Ơn, Thủ Dầu Một",
            email="vanthu@example.gov.vn",
            phone="0200000000",
            website="binhduong.gov.vn",
            organization_in_charge="Văn phòng UBND tỉnh",
            fax="0200000001",
        ),
        recipients=[
            edxml.Organ("000.00.00.H41", "UBND tỉnh Nghệ An"),
            edxml.Organ("000.00.00.H14", "UBND tỉnh Cao Bằng"),
        ],
        subject="V/v thay thế Quyết định số 12/QĐ-UBND",
        code_number="45",
        code_notation="QĐ-UBND",
        promulgation_date=datetime.date(2026, 11, 20),
        promulgation_place="Bình Dương",
        document_type="Quyết định",
        type_code="2",
        type_detail="1",
        content="Nội dung tóm tắt",
        signer_competence="TM. ỦY BAN NHÂN DÂN",
        signer_position="Chủ tịch",
        signer_name="Trần Thị Hoa",
        due_date=datetime.date(2026, 12, 1),
        priority=4,
        sphere_of_promulgation="Liên thông văn bản quốc gia",
        typer_notation="NVA",
        promulgation_amount=3,
        page_amount=7,
        direction="false",
        appendixes=["Phụ lục I", "Phụ lục II"],
        steering_type="2",
        to_places=["Như Điều 3", "Lưu: VT"],
        response_for=[
            edxml.ResponseFor(
                "000.00.00.H41",
                code="12/QĐ-UBND",
                promulgation_date=datetime.date(2026, 1, 5),
                document_id="000.00.00.H41,2026/01/05,12/QĐ-UBND",
            )
        ],
        business_doc_type=3,
        business_doc_reason="Thay thế văn bản",
        paper="1",
        document_info="1",
        document_receiver="1",
        receiver_list=[edxml.Receiver("000.00.00.H14", 0), edxml.Receiver("000.00.00.G17", 1)],
        staff=edxml.StaffInfo("Văn thư", "Nguyễn Văn A", "vanthu@example.gov.vn", "0900"),
        traces=[
            edxml.TraceHeader("000.00.00.H56", datetime.datetime(2026, 11, 20, 8, 30, 0, tzinfo=VN))
        ],
        attachments=[
            edxml.Attachment("qd-45.pdf", "application/pdf", PDF, "cid:1", "Quyết định"),
            edxml.Attachment("phu-luc.bin", "application/octet-stream", bytes(range(256)), "cid:2"),
        ],
    )


# --- The national samples -------------------------------------------------------------------


def test_there_are_ten_samples() -> None:
    assert len(SAMPLE_FILES) == 10


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_each_sample_parses_and_round_trips_with_the_same_fields_and_bytes(path: Path) -> None:
    # given a national sample
    data = path.read_bytes()

    # when it is parsed, built again and parsed again
    first = edxml.parse_any(data)
    rebuilt = edxml.build_status(first) if isinstance(first, edxml.Status) else edxml.build(first)
    second = edxml.parse_any(rebuilt)

    # then every field is the same, attachment bytes included
    assert type(second) is type(first)
    assert second == first
    assert isinstance(first, edxml.Status) == path.stem.startswith("status_")
    if isinstance(first, edxml.Envelope):
        assert isinstance(second, edxml.Envelope)
        assert [a.data for a in second.attachments] == [a.data for a in first.attachments]
        assert first.attachments[0].data.startswith(b"PK")


def test_the_update_sample_keeps_every_field_and_warns_of_its_impossible_date() -> None:
    parsed = edxml.parse((SAMPLES / "edoc_update.edxml").read_bytes())

    assert parsed.sender == edxml.Organ(
        organ_id="000.00.00.G22",
        name="Văn phòng Chính phủ",
        address="Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội",
        email="vanthu@example.gov.vn",
        phone="0200000000",
        website="vpcp.vn",
        fax="0200000001",
    )
    assert (parsed.type_code, parsed.type_detail, parsed.document_type) == ("1", "0", "Công văn")
    assert (parsed.sphere_of_promulgation, parsed.typer_notation) == (
        "Liên thông văn bản quốc gia",
        "TVC",
    )
    assert (parsed.promulgation_amount, parsed.page_amount, parsed.direction) == (2, 22, "false")
    assert parsed.appendixes == ["Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"]
    assert parsed.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert parsed.due_date == datetime.date(2018, 9, 28)
    assert (parsed.business_doc_type, parsed.business_doc_reason) == (2, "Cập nhật văn bản điện tử")
    assert parsed.receiver_list == [
        edxml.Receiver("000.00.00.H41", 0),
        edxml.Receiver("000.00.00.H14", 1),
    ]
    assert (parsed.document_info, parsed.document_receiver) == ("1", "1")
    assert parsed.staff == edxml.StaffInfo(
        "Văn thư văn phòng", "Nguyễn Văn A", "vanthu@example.gov.vn", "84900000000"
    )
    assert parsed.traces == [
        edxml.TraceHeader("000.00.00.G22", datetime.datetime(2018, 9, 28, tzinfo=VN))
    ]
    # DocumentId from MessageHeader; the Bussiness one differs and has no real day
    assert parsed.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert parsed.business_document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    assert parsed.warnings == ["Bussiness/DocumentId có ngày không tồn tại: 2014/02/30"]


def test_the_revocation_sample_answers_an_earlier_document() -> None:
    parsed = edxml.parse((SAMPLES / "edoc_revocation.edxml").read_bytes())

    assert parsed.business_doc_type == 1
    assert parsed.response_for == [
        edxml.ResponseFor(
            "000.00.00.H14",
            code="267/VPCP-TTĐT",
            promulgation_date=datetime.date(2018, 9, 28),
            document_id="000.00.04.G14,2012/08/06,267/VPCP-TTĐT",
        )
    ]
    assert parsed.business_document_id == ""
    assert parsed.warnings == []


@pytest.mark.parametrize(
    ("name", "code", "meaning", "sender", "addressee"),
    [
        ("status_inbox_01", "01", "Đã đến", "000.00.00.H41", "000.00.00.G22"),
        ("status_rejection_02", "02", "Từ chối tiếp nhận", "000.00.00.H41", "000.00.00.G22"),
        ("status_acceptance_03", "03", "Đã tiếp nhận", "000.00.00.H41", "000.00.00.G22"),
        ("status_assignment_04", "04", "Chờ phân công", "000.00.00.H41", "000.00.00.G22"),
        (
            "status_processing_05",
            "05",
            "Đã phân công, đang xử lý",
            "000.00.00.H41",
            "000.00.00.G22",
        ),
        ("status_finish_06", "06", "Hoàn thành", "000.00.00.H41", "000.00.00.G22"),
        # the sender asks the recipient to give the document back
        ("status_cancellation_13", "13", "Lấy lại", "000.00.00.G22", "000.00.00.H41"),
    ],
)
def test_the_status_samples_parse_with_their_meaning(
    name: str, code: str, meaning: str, sender: str, addressee: str
) -> None:
    status = edxml.parse_status((SAMPLES / f"{name}.edxml").read_bytes())

    assert (status.status_code, status.meaning) == (code, meaning)
    assert status.sender.organ_id == sender
    assert status.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert status.response_for.organ_id == addressee
    assert status.recipient is None
    assert status.recipient_organ_id == addressee
    assert status.timestamp == datetime.datetime(2015, 9, 20, 11, 8, 36, tzinfo=VN)
    assert status.staff is not None and status.staff.staff == "Nguyễn Văn A"


def test_parse_and_parse_status_refuse_the_other_kind() -> None:
    with pytest.raises(edxml.EdxmlError) as envelope_wanted:
        edxml.parse((SAMPLES / "status_inbox_01.edxml").read_bytes())
    assert envelope_wanted.value.errors == [
        "Đây là gói tin trạng thái (StatusCode), không phải văn bản."
    ]
    with pytest.raises(edxml.EdxmlError) as status_wanted:
        edxml.parse_status((SAMPLES / "edoc_new.edxml").read_bytes())
    assert status_wanted.value.errors == [
        "Thiếu mã trạng thái (StatusCode): đây không phải gói tin trạng thái."
    ]


# --- What we build --------------------------------------------------------------------------


def test_an_envelope_with_every_field_round_trips() -> None:
    original = full_envelope()

    xml = edxml.build(original)
    parsed = edxml.parse(xml)

    assert parsed == dataclasses.replace(
        original,
        document_id="000.00.00.H56,2026/11/20,45/QĐ-UBND",
        sent_at=original.traces[0].timestamp,
    )
    assert parsed.attachments[1].data == bytes(range(256))
    assert parsed.warnings == []
    # Vietnamese office time is written as such
    assert b"<edXML:Timestamp>2026/11/20 08:30:00</edXML:Timestamp>" in xml


def _status_xml(inner: str, business: str = "") -> bytes:
    trace = f"<TraceHeaderList><Bussiness>{business}</Bussiness></TraceHeaderList>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><edXML xmlns="{NS}"><edXMLEnvelope>'
        f"<edXMLHeader><MessageHeader><From><OrganId>000.00.00.H41</OrganId>"
        f"<OrganName>UBND tỉnh Nghệ An</OrganName></From>{inner}</MessageHeader>"
        f"{trace if business else ''}</edXMLHeader></edXMLEnvelope></edXML>"
    ).encode()


def test_a_status_built_here_parses_back_with_its_recipient() -> None:
    reply = edxml.Status(
        sender=edxml.Organ("000.00.00.H41", "UBND tỉnh Nghệ An"),
        recipient=edxml.Organ("000.00.00.H56", "UBND tỉnh Bình Dương"),
        response_for=edxml.ResponseFor(
            "000.00.00.H56",
            code="45/QĐ-UBND",
            promulgation_date=datetime.date(2026, 11, 20),
            document_id="000.00.00.H56,2026/11/20,45/QĐ-UBND",
        ),
        status_code="05",
        description="Đã phân công Sở Nội vụ chủ trì",
        timestamp=datetime.datetime(2026, 11, 21, 9, 0, tzinfo=VN),
        staff=edxml.StaffInfo("Văn phòng", "Lê Văn Bình"),
    )

    assert edxml.parse_status(edxml.build_status(reply)) == reply
    assert edxml.parse_any(edxml.build_status(reply)) == reply


def test_a_status_with_its_fields_in_bussiness_and_the_document_id_in_message_header() -> None:
    # given the other layout: DocumentId under MessageHeader, StatusCode … under Bussiness
    data = _status_xml(
        "<DocumentId>000.00.00.H56,2026/11/20,45/QĐ-UBND</DocumentId>",
        business=(
            "<StatusCode>03</StatusCode><Description>Đã vào sổ</Description>"
            "<Timestamp>2026-11-21 10:15:00</Timestamp>"
            "<StaffInfo><Staff>Nguyễn Văn A</Staff></StaffInfo>"
        ),
    )

    status = edxml.parse_status(data)

    assert (status.status_code, status.description) == ("03", "Đã vào sổ")
    assert status.document_id == "000.00.00.H56,2026/11/20,45/QĐ-UBND"
    # without ResponseFor the addressee is the issuer named in the DocumentId
    assert status.recipient_organ_id == "000.00.00.H56"
    assert status.timestamp == datetime.datetime(2026, 11, 21, 10, 15, tzinfo=VN)
    assert status.staff == edxml.StaffInfo(staff="Nguyễn Văn A")


def test_a_status_with_impossible_dates_or_an_unknown_code_is_refused_with_every_reason() -> None:
    data = _status_xml(
        "<ResponseFor><OrganId>000.00.00.H56</OrganId>"
        "<PromulgationDate>2026/02/30</PromulgationDate>"
        "<DocumentId>000.00.00.H56,2026/02/30,45/QĐ-UBND</DocumentId></ResponseFor>"
        "<StatusCode>99</StatusCode><Timestamp>2026/13/01 10:00:00</Timestamp>"
    )

    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse_status(data)

    assert caught.value.errors == [
        "ResponseFor/PromulgationDate không phải ngày hợp lệ: 2026/02/30",
        "Mã trạng thái (StatusCode) không hợp lệ: 99 (chấp nhận 01, 02, 03, 04, 05, 06, 13, 15, "
        "16).",
        "Timestamp không phải thời điểm hợp lệ: 2026/13/01 10:00:00",
    ]


def test_a_status_without_a_document_id_is_refused() -> None:
    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse_status(_status_xml("<StatusCode>01</StatusCode>"))
    assert caught.value.errors == [
        "Thiếu mã định danh văn bản được trả lời (ResponseFor/DocumentId)."
    ]


# --- Hostile XML ----------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><x>&xxe;</x></edXML>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/edxml.dtd">
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>"""
XINCLUDE = b"""<?xml version="1.0"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"
       xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd"
       parse="text"/></edXML>"""
UNDECLARED_ENTITY = b"""<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&xxe;</edXML>"""


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (BILLION_LAUGHS, "Gói tin không được chứa khai báo DTD hay thực thể (entity)."),
        (EXTERNAL_ENTITY, "Gói tin không được chứa khai báo DTD hay thực thể (entity)."),
        (PARAMETER_ENTITY, "Gói tin không được chứa khai báo DTD hay thực thể (entity)."),
        (EXTERNAL_DTD, "Gói tin không được chứa khai báo DTD hay thực thể (entity)."),
        (XINCLUDE, "Gói tin không được dùng XInclude."),
        (UNDECLARED_ENTITY, "XML không đúng cú pháp: undefined entity: line 1, column 55"),
    ],
    ids=["billion-laughs", "external-entity", "parameter-entity", "external-dtd", "xinclude",
         "undeclared-entity"],
)  # fmt: skip
def test_hostile_xml_is_refused_with_a_clear_reason(data: bytes, expected: str) -> None:
    for parse in (edxml.parse, edxml.parse_status, edxml.parse_any):
        with pytest.raises(edxml.EdxmlError) as caught:
            parse(data)
        assert caught.value.errors == [expected]
        assert "root:" not in str(caught.value)  # nothing of /etc/passwd was read


def test_too_deep_nesting_is_refused() -> None:
    data = b"<edXML>" + b"<a>" * 40 + b"</a>" * 40 + b"</edXML>"
    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse_xml(data)
    assert caught.value.errors == ["Gói tin lồng nhau quá sâu (quá 32 cấp)."]
    # and 30 levels are fine
    assert edxml.parse_xml(b"<edXML>" + b"<a>" * 30 + b"</a>" * 30 + b"</edXML>").tag == "edXML"


def test_oversize_input_is_refused_before_parsing(settings: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "EDXML_MAX_BYTES": 1000}
    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse(b"<" * 1001)  # not even XML: the size is checked first
    assert caught.value.errors == ["Gói tin quá lớn: 1001 byte, tối đa 1000 byte."]


def test_too_many_elements_are_refused(settings: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "EDXML_MAX_ELEMENTS": 100}
    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse_xml(b"<edXML>" + b"<a/>" * 100 + b"</edXML>")
    assert caught.value.errors == ["Gói tin có quá nhiều phần tử (quá 100)."]


def test_an_oversize_attachment_stops_the_parser_while_it_reads(settings: Any) -> None:
    # given attachments are limited to 10 KB
    settings.LIENTHONG = {**settings.LIENTHONG, "EDXML_MAX_ATTACHMENT_BYTES": 10_000}
    envelope = full_envelope()

    # when one attachment is 100 KB
    envelope.attachments = [edxml.Attachment("lon.bin", "application/octet-stream", b"x" * 100_000)]
    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse(edxml.build(envelope))

    # then the parser stops at its base64 text
    assert caught.value.errors == [
        "Tệp đính kèm hoặc nội dung quá lớn (tối đa 10000 byte mỗi tệp)."
    ]


def test_an_attachment_just_over_the_limit_is_refused_from_its_base64_length(
    settings: Any,
) -> None:
    # given a limit the base64 text stays within (line breaks allowed) but the bytes exceed
    settings.LIENTHONG = {**settings.LIENTHONG, "EDXML_MAX_ATTACHMENT_BYTES": 10_000}
    envelope = full_envelope()
    envelope.attachments = [
        edxml.Attachment("vua.bin", "application/octet-stream", b"y" * 10_000, "cid:1"),
        edxml.Attachment("qua.bin", "application/octet-stream", b"z" * 10_003, "cid:2"),
    ]

    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse(edxml.build(envelope))

    assert caught.value.errors == ["Tệp đính kèm qua.bin quá lớn (tối đa 10000 byte)."]


# --- JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_the_json_header_builds_the_same_message_again(path: Path) -> None:
    # given a sample's JSON header, with its attachments given back as base64
    message = edxml.parse_any(path.read_bytes())
    header = json.loads(json.dumps(edxml.as_json(message)))
    if isinstance(message, edxml.Envelope):
        for item, attachment in zip(header["attachments"], message.attachments, strict=True):
            item["data_base64"] = base64.b64encode(attachment.data).decode()

    # when it is read back
    again = edxml.from_json(header)

    # then it is the same message
    assert again == message


def test_a_bad_json_header_lists_every_problem() -> None:
    header = {
        "sender": {"organ_id": "000.00.00.H56"},
        "recipients": "000.00.00.H41",
        "subject": "V/v thử",
        "priority": "khẩn",
        "promulgation_date": "2026-02-30",
        "attachments": [{"name": "a.pdf"}],
        "colour": "red",
    }
    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.from_json(header)
    assert caught.value.errors == [
        "envelope: không có trường colour",
        "envelope.sender: thiếu name",
        "envelope.recipients: phải là một danh sách",
        "envelope.promulgation_date không phải ngày hợp lệ: 2026-02-30",
        "envelope.priority: phải là số nguyên",
        "envelope.attachments[0]: cần path hoặc data_base64",
    ]


# --- The command ----------------------------------------------------------------------------


def test_edxml_parse_prints_the_header_as_json_and_exits_0(clean_env: dict[str, str]) -> None:
    # given a national sample, when `lienthong edxml parse` reads it in a real process
    done = subprocess.run(
        [sys.executable, "-m", "lienthong.cli", "edxml", "parse", str(SAMPLES / "edoc_new.edxml")],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then it prints the header as JSON
    assert done.returncode == 0, done.stderr
    header = json.loads(done.stdout)
    assert header["kind"] == "envelope"
    assert header["sender"]["organ_id"] == "000.00.00.A80"
    assert header["number"] == "74fass22/VPCP-TTĐT"
    assert header["attachments"][0]["name"] == "1896_QD-TTg_m_294779.doc"
    assert header["warnings"] == ["Bussiness/DocumentId có ngày không tồn tại: 2014/02/30"]


def test_edxml_parse_of_hostile_xml_gives_the_reason_and_exit_1(tmp_path: Path) -> None:
    hostile = tmp_path / "lol.edxml"
    hostile.write_bytes(BILLION_LAUGHS)
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("edxml", "parse", str(hostile), stdout=out)
    assert caught.value.returncode == 1
    assert str(caught.value) == (
        "Gói tin edXML không hợp lệ:\n- Gói tin không được chứa khai báo DTD hay thực thể (entity)."
    )
    assert out.getvalue() == ""


def test_edxml_parse_of_a_missing_file_exits_2() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("edxml", "parse", "/nonexistent/van-ban.edxml")
    assert caught.value.returncode == 2
    assert "Không đọc được tệp /nonexistent/van-ban.edxml" in str(caught.value)


def test_edxml_build_from_a_json_header_with_a_file_attachment(tmp_path: Path) -> None:
    # given a JSON header next to the PDF it attaches
    (tmp_path / "qd-45.pdf").write_bytes(PDF)
    header = {
        "sender": {"organ_id": "000.00.00.H56", "name": "UBND tỉnh Bình Dương"},
        "recipients": [{"organ_id": "000.00.00.H41", "name": "UBND tỉnh Nghệ An"}],
        "subject": "V/v thử nghiệm",
        "code_number": "45",
        "code_notation": "QĐ-UBND",
        "promulgation_date": "2026-11-20",
        "priority": 2,
        "attachments": [{"path": "qd-45.pdf", "content_type": "application/pdf"}],
    }
    (tmp_path / "header.json").write_text(json.dumps(header), encoding="utf-8")
    output = tmp_path / "out.edxml"

    # when `edxml build --json` writes the envelope
    err = io.StringIO()
    call_command(
        "edxml", "build", "--json", str(tmp_path / "header.json"), "-o", str(output), stderr=err
    )

    # then it parses back with the header's fields and the file's bytes
    built = edxml.parse(output.read_bytes())
    assert (built.document_id, built.priority) == ("000.00.00.H56,2026/11/20,45/QĐ-UBND", 2)
    assert [(a.name, a.data) for a in built.attachments] == [("qd-45.pdf", PDF)]
    assert f"Đã ghi {output}" in err.getvalue()


def test_edxml_build_refuses_an_unknown_source_and_a_bad_header(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as unknown:
        call_command("edxml", "build", "--source", "khong-co", "--id", "1")
    assert unknown.value.returncode == 2
    assert "Không có nguồn văn bản khong-co" in str(unknown.value)

    (tmp_path / "bad.json").write_text('{"subject": "thiếu nơi gửi"}', encoding="utf-8")
    output = tmp_path / "out.edxml"
    with pytest.raises(CommandError) as bad:
        call_command("edxml", "build", "--json", str(tmp_path / "bad.json"), "-o", str(output))
    assert bad.value.returncode == 2
    assert "envelope: thiếu sender, recipients" in str(bad.value)
    assert not output.exists()
