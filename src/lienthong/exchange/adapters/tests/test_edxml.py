"""edXML envelopes: the national samples parse, what we build parses back, bad input is
refused with every reason; the inbox stores a package once and nothing for a refused one."""

from __future__ import annotations

import base64
import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_org_unit
from lienthong.exchange.adapters import edxml
from lienthong.exchange.adapters.models import EdxmlPackage
from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import verify
from lienthong.exchange.models import OutboxEvent

SAMPLES = Path(django_settings.SHARED_DIR) / "data" / "edxml"
INBOX = "/api/exchange/edxml/inbox"
PDF = b"%PDF-1.4\n% v\xc4\x83n b\xe1\xba\xa3n\n%%EOF\n"


def envelope(to: str = "000.00.00.H56", **changes: Any) -> edxml.Envelope:
    values: dict[str, Any] = {
        "sender": edxml.Organ("000.00.00.H41", "UBND tỉnh Nghệ An"),
        "recipients": [edxml.Organ(to, "UBND tỉnh Bình Dương")],
        "subject": "V/v kết nối, liên thông phần mềm quản lý văn bản",
        "code_number": "123",
        "code_notation": "UBND-VP",
        "promulgation_date": datetime.date(2026, 11, 26),
        "promulgation_place": "Nghệ An",
        "document_type": "Công văn",
        "signer_competence": "KT. CHỦ TỊCH",
        "signer_position": "Phó Chủ tịch",
        "signer_name": "Nguyễn Văn Bình",
        "priority": 1,
        "attachments": [edxml.Attachment("cong-van.pdf", "application/pdf", PDF)],
    }
    values.update(changes)
    return edxml.Envelope(**values)


# --- Building and parsing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sender", "recipients", "business", "number"),
    [
        ("edoc_new", "000.00.00.A80", ["28.22.H17"], 0, "74fass22/VPCP-TTĐT"),
        (
            "edoc_revocation",
            "000.00.00.G22",
            ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"],
            1,
            "7816/VPCP-TTĐT",
        ),
        (
            "edoc_update",
            "000.00.00.G22",
            ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"],
            2,
            "7816/VPCP-TTĐT",
        ),
    ],
)
def test_the_national_samples_parse(
    name: str, sender: str, recipients: list[str], business: int, number: str
) -> None:
    parsed = edxml.parse((SAMPLES / f"{name}.edxml").read_bytes())
    assert parsed.sender.organ_id == sender
    assert [r.organ_id for r in parsed.recipients] == recipients
    assert parsed.business_doc_type == business
    assert parsed.number == number
    assert parsed.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert parsed.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert [(a.name, a.content_type) for a in parsed.attachments] == [
        ("1896_QD-TTg_m_294779.doc", "application/zip")
    ]
    assert parsed.attachments[0].data.startswith(b"PK")  # the placeholder ZIP


def test_what_we_build_parses_back_with_the_same_fields_and_bytes() -> None:
    original = envelope()
    xml = edxml.build(original)
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b'xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"' in xml
    parsed = edxml.parse(xml)
    assert parsed.document_id == "000.00.00.H41,2026/11/26,123/UBND-VP"
    assert (parsed.sender, parsed.recipients[0].organ_id) == (
        edxml.Organ("000.00.00.H41", "UBND tỉnh Nghệ An"),
        "000.00.00.H56",
    )
    for name in ("subject", "code_number", "code_notation", "promulgation_date", "priority"):
        assert getattr(parsed, name) == getattr(original, name), name
    assert parsed.signer_name == "Nguyễn Văn Bình"
    assert [(a.name, a.data, a.content_id) for a in parsed.attachments] == [
        ("cong-van.pdf", PDF, "cid:1")
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<edXML><unclosed>", "XML không đúng cú pháp"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            "không được chứa khai báo DTD",
        ),
        (b"<other xmlns='urn:x'/>", "Phần tử gốc phải là edXML"),
        (
            b"<edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'><edXMLEnvelope/></edXML>",
            "Thiếu edXMLEnvelope/edXMLHeader/MessageHeader",
        ),
    ],
)
def test_malformed_input_is_refused_with_its_reason(data: bytes, expected: str) -> None:
    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse(data)
    assert expected in caught.value.errors[0]


def test_every_missing_field_and_a_broken_attachment_are_reported_together() -> None:
    xml = edxml.build(envelope(subject="", code_number="", code_notation="", recipients=[]))
    xml = xml.replace(base64.b64encode(PDF), b"***not base64***")
    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse(xml)
    assert caught.value.errors == [
        "Thiếu cơ quan nhận (To/OrganId).",
        "Thiếu trích yếu (Subject).",
        "Thiếu số, ký hiệu văn bản (Code).",
        "Tệp đính kèm cong-van.pdf không phải base64 hợp lệ.",
        "Thiếu tệp đính kèm cid:1 của danh mục.",
    ]


# --- The inbox ------------------------------------------------------------------------------


def _post(client: Client, data: bytes, key: str | None) -> Any:
    headers = {"X-API-Key": key} if key else {}
    return client.post(INBOX, data=data, content_type="application/xml", headers=headers)


def _footprint() -> tuple[int, int, int]:
    return (
        EdxmlPackage.objects.count(),
        OutboxEvent.objects.filter(type="edxml.package.received").count(),
        AuditEntry.objects.filter(action="exchange.edxml.receive").count(),
    )


@pytest.mark.django_db
def test_the_inbox_stores_a_package_once_and_answers_status_01() -> None:
    # given this deployment hosts agency 000.00.00.H56 and knows the sender's system
    make_org_unit("UBND tỉnh Bình Dương", code="000.00.00.H56")
    system, key = make_client(grants=["api.exchange.edxml"])
    xml = edxml.build(envelope())

    # when the sender posts the envelope, then posts it again
    first = _post(Client(), xml, key)
    again = _post(Client(), xml, key)

    # then one package is stored, answered 01 (arrived) both times
    assert first.status_code == 201, first.content
    assert again.status_code == 200
    answer = first.json()
    assert (answer["status"], answer["status_code"], answer["description"]) == (
        "received",
        "01",
        "Đã đến",
    )
    assert again.json()["package_id"] == answer["package_id"]
    package = EdxmlPackage.objects.get()
    assert (package.direction, package.status, package.client) == ("in", "received", system)
    assert (package.from_organ_id, package.document_id, package.code_notation) == (
        "000.00.00.H41",
        "000.00.00.H41,2026/11/26,123/UBND-VP",
        "UBND-VP",
    )
    assert package.signer == "KT. CHỦ TỊCH, Phó Chủ tịch, Nguyễn Văn Bình"
    assert package.attachments == [
        {
            "name": "cong-van.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "sha256": edxml.Attachment("x", "y", PDF).sha256,
        }
    ]
    with package.envelope.open("rb") as handle:
        assert handle.read() == xml
    assert _footprint() == (1, 1, 1)
    entries = list(MessageLogEntry.objects.filter(chain="edxml"))
    assert [(e.direction, e.status, e.outcome, e.client_id) for e in entries] == [
        ("in", 201, "ok", system.pk)
    ]
    assert all(check.ok for check in verify(only=["edxml"], bodies_too=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status", "detail"),
    [
        (b"<edXML><broken", 400, "Gói tin edXML không hợp lệ."),
        (b"", 400, "Gói tin edXML rỗng."),
        (
            edxml.build(envelope(to="000.00.00.H99")),
            422,
            "Không có cơ quan nhận nào thuộc hệ thống này.",
        ),
    ],
)
def test_a_refused_package_gets_a_structured_error_and_nothing_is_stored(
    data: bytes, status: int, detail: str
) -> None:
    make_org_unit("UBND tỉnh Bình Dương", code="000.00.00.H56")
    _system, key = make_client(grants=["api.exchange.edxml"])

    response = _post(Client(), data, key)

    assert response.status_code == status
    body = response.json()
    assert (body["status"], body["status_code"], body["detail"]) == ("error", "02", detail)
    assert body["errors"]
    assert _footprint() == (0, 0, 0)
    # the refusal itself is evidence in the log
    assert [(e.outcome, e.status) for e in MessageLogEntry.objects.filter(chain="edxml")] == [
        ("refused", status)
    ]


@pytest.mark.django_db
def test_the_inbox_refuses_unknown_and_ungranted_systems() -> None:
    make_org_unit("UBND tỉnh Bình Dương", code="000.00.00.H56")
    _other, ungranted_key = make_client(grants=["api.something.else"])
    xml = edxml.build(envelope())

    assert _post(Client(), xml, None).status_code == 401
    assert _post(Client(), xml, "not-a-key").status_code == 401
    assert _post(Client(), xml, ungranted_key).status_code == 403
    assert _footprint() == (0, 0, 0)


# --- Sending through the worker -------------------------------------------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_queued_package_and_retries_while_the_peer_is_down(
    live_server: Any, settings: Any
) -> None:
    from django.utils import timezone

    from lienthong.exchange.adapters import edxml_services
    from lienthong.exchange.outbox import relay_pending

    # given this deployment hosts 000.00.00.H56 and sends to itself (peer "self") over HTTP,
    # and a peer "down" that listens nowhere
    make_org_unit("UBND tỉnh Bình Dương", code="000.00.00.H56")
    _system, key = make_client(grants=["api.exchange.edxml"])
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "EDXML_PEERS": {
            "self": {"url": live_server.url + INBOX, "api_key": key},
            "down": {"url": f"http://127.0.0.1:{_closed_port()}{INBOX}", "api_key": key},
        },
    }
    xml = edxml.build(envelope())

    # when both are queued and the worker relays
    down = edxml_services.queue_send(xml, peer="down")
    sent = edxml_services.queue_send(xml, peer="self")
    while relay_pending().claimed:
        pass

    # then the package to "self" arrived and was answered 01
    sent.refresh_from_db()
    assert (sent.status, sent.status_code, sent.attempts) == ("sent", "01", 1)
    assert EdxmlPackage.objects.received().count() == 1
    # and the one to "down" waits for a retry, scheduled after the backoff
    down.refresh_from_db()
    assert (down.status, down.attempts) == ("pending", 1)
    assert "unreachable" in down.status_reason
    retry = OutboxEvent.objects.get(
        type=edxml_services.SEND_EVENT, status=OutboxEvent.Status.PENDING, data__package=down.pk
    )
    assert retry.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)

    # when the retry comes due, the worker tries again (still down: a second attempt)
    while relay_pending(now=timezone.now() + datetime.timedelta(seconds=45)).claimed:
        pass
    down.refresh_from_db()
    assert (down.status, down.attempts) == ("pending", 2)
    # and the package already sent is left alone by its follow-up
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("sent", 1)
    outcomes = MessageLogEntry.objects.filter(chain="edxml", direction="out")
    assert sorted(outcomes.values_list("outcome", flat=True)) == ["error", "error", "ok"]


@pytest.mark.django_db
def test_queue_send_refuses_an_unknown_peer_and_a_broken_envelope(settings: Any) -> None:
    from django.core.exceptions import ValidationError

    from lienthong.exchange.adapters import edxml_services

    settings.LIENTHONG = {**settings.LIENTHONG, "EDXML_PEERS": '{"b": {"url": "http://b"}}'}
    with pytest.raises(ValidationError) as unknown:
        edxml_services.queue_send(edxml.build(envelope()), peer="c")
    assert "Không có nơi nhận c" in str(unknown.value)
    with pytest.raises(ValidationError) as broken:
        edxml_services.queue_send(b"<edXML>", peer="b")
    assert "XML không đúng cú pháp" in str(broken.value)
    assert not EdxmlPackage.objects.exists()
    assert not OutboxEvent.objects.filter(type=edxml_services.SEND_EVENT).exists()
