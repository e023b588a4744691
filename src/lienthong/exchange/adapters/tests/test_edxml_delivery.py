"""edXML delivery hooks: a document for an agency of this deployment arrives at once (receivers
called, 01 answered), status replies flow back to the sender's listeners, other recipients are
queued for their peer or marked without a route; status replies travel through the inbox; bad
input writes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit
from lienthong.exchange.adapters import edxml, edxml_services
from lienthong.exchange.adapters.models import EdxmlPackage
from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import verify
from lienthong.exchange.models import OutboxEvent

INBOX = "/api/exchange/edxml/inbox"
PDF = b"%PDF-1.4\n% c\xc3\xb4ng v\xc4\x83n\n%%EOF\n"
H56 = "000.00.00.H56"  # UBND tỉnh Bình Dương (this deployment)
H57 = "000.00.00.H57"  # another agency of this deployment
H41 = "000.00.00.H41"  # UBND tỉnh Nghệ An (another deployment)
H14 = "000.00.00.H14"  # nowhere configured


def envelope(sender: str = H56, *to: str, **changes: Any) -> edxml.Envelope:
    values: dict[str, Any] = {
        "sender": edxml.Organ(sender, f"Cơ quan {sender}"),
        "recipients": [edxml.Organ(code, f"Cơ quan {code}") for code in (to or (H57,))],
        "subject": "V/v phối hợp triển khai liên thông văn bản",
        "code_number": "45",
        "code_notation": "UBND-VP",
        "promulgation_date": datetime.date(2026, 11, 20),
        "signer_name": "Trần Thị Hoa",
        "attachments": [edxml.Attachment("cong-van.pdf", "application/pdf", PDF)],
    }
    values.update(changes)
    return edxml.Envelope(**values)


DOCUMENT_ID = f"{H56},2026/11/20,45/UBND-VP"


@dataclass
class Hooks:
    """What the hooks were called with."""

    received: list[tuple[str, int, str, bytes]] = field(default_factory=list)
    statuses: list[tuple[str, str, int | None, str]] = field(default_factory=list)

    def receive(self, envelope: edxml.Envelope, package: EdxmlPackage, organ_id: str) -> None:
        self.received.append(
            (envelope.document_id, package.pk, organ_id, envelope.attachments[0].data)
        )

    def status(self, status: edxml.Status, package: EdxmlPackage | None) -> None:
        self.statuses.append(
            (
                status.status_code,
                status.sender.organ_id,
                package.pk if package else None,
                package.direction if package else "",
            )
        )


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    """Only this test's hooks are registered (the domain apps' are put back afterwards)."""
    saved = (list(edxml_services._receivers), list(edxml_services._status_listeners))
    edxml_services._receivers.clear()
    edxml_services._status_listeners.clear()
    recorder = Hooks()
    edxml_services.register_receiver(recorder.receive)
    edxml_services.register_receiver(recorder.receive)  # twice: kept once
    edxml_services.register_status_listener(recorder.status)
    yield recorder
    edxml_services._receivers[:] = saved[0]
    edxml_services._status_listeners[:] = saved[1]


@pytest.fixture
def agencies(db: None) -> tuple[OrgUnit, OrgUnit]:
    return (
        make_org_unit("UBND tỉnh Bình Dương", code=H56),
        make_org_unit("Sở Nội vụ tỉnh Bình Dương", code=H57),
    )


def _footprint() -> tuple[int, int, int, int]:
    return (
        EdxmlPackage.objects.count(),
        OutboxEvent.objects.filter(type__startswith="edxml.").count(),
        MessageLogEntry.objects.filter(chain="edxml").count(),
        AuditEntry.objects.filter(action__startswith="exchange.edxml").count(),
    )


# --- Local delivery -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_document_for_an_agency_here_arrives_at_once_and_is_answered_01(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks
) -> None:
    # given two agencies of this deployment
    # when H56 sends a document to H57
    packages = edxml_services.send_envelope(envelope(H56, H57), by=None)

    # then one outbound package, already answered 01, with the inbound one as counterpart
    assert len(packages) == 1
    out = packages[0]
    out.refresh_from_db()
    assert (out.direction, out.kind, out.status, out.status_code, out.organ_id, out.peer) == (
        "out",
        "document",
        "sent",
        "01",
        H57,
        "",
    )
    inbound = EdxmlPackage.objects.get(direction="in", kind="document")
    assert (inbound.status, inbound.status_code, inbound.organ_id) == ("received", "01", H57)
    assert (out.counterpart_id, inbound.counterpart_id) == (inbound.pk, out.pk)
    assert (inbound.document_id, inbound.from_organ_id) == (DOCUMENT_ID, H56)
    assert inbound.status_reason == ""
    with inbound.envelope.open("rb") as handle:
        assert edxml.parse(handle.read()).attachments[0].data == PDF
    # and the receiver got the envelope once, for H57; the sender's listener got 01
    assert hooks.received == [(DOCUMENT_ID, inbound.pk, H57, PDF)]
    assert hooks.statuses == [("01", H57, out.pk, "out")]
    # and the automatic 01 is a status package each way, about the document packages
    answer_out = EdxmlPackage.objects.get(kind="status", direction="out")
    answer_in = EdxmlPackage.objects.get(kind="status", direction="in")
    assert (answer_out.from_organ_id, answer_out.organ_id, answer_out.status_code) == (
        H57,
        H56,
        "01",
    )
    assert (answer_out.about_id, answer_in.about_id) == (inbound.pk, out.pk)
    assert (answer_out.counterpart_id, answer_in.counterpart_id) == (answer_in.pk, answer_out.pk)
    # and the officials' lists keep documents and statuses apart
    assert list(EdxmlPackage.objects.received()) == [inbound]
    assert list(EdxmlPackage.objects.sent()) == [out]
    assert list(EdxmlPackage.objects.statuses()) == [answer_in, answer_out]
    # and everything is in the message log, whose chain verifies
    entries = MessageLogEntry.objects.filter(chain="edxml").order_by("seq")
    assert [(e.direction, e.operation, e.outcome) for e in entries] == [
        ("in", "receive", "ok"),
        ("out", "send", "ok"),
        ("in", "status", "ok"),
        ("out", "status", "ok"),
    ]
    assert all(check.ok for check in verify(only=["edxml"], bodies_too=True))
    assert sorted(OutboxEvent.objects.values_list("type", flat=True)) == [
        "edxml.package.received",
        "edxml.status.received",
    ]


@pytest.mark.django_db
def test_status_replies_flow_back_to_the_senders_listeners(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks
) -> None:
    # given a document H56 sent to H57
    (out,) = edxml_services.send_envelope(envelope(H56, H57), by=None)
    inbound = EdxmlPackage.objects.get(direction="in", kind="document")

    # when H57 accepts it, assigns it and finishes it
    edxml_services.reply_status(inbound, "03", by=None)
    edxml_services.reply_status(
        inbound,
        "05",
        description="Giao Phòng Tổ chức chủ trì",
        staff=edxml.StaffInfo("Văn phòng", "Nguyễn Văn A"),
        by=None,
    )
    last = edxml_services.reply_status(inbound, "06", by=None)

    # then the sender's listener heard each of them, about its outbound package
    assert hooks.statuses == [
        ("01", H57, out.pk, "out"),
        ("03", H57, out.pk, "out"),
        ("05", H57, out.pk, "out"),
        ("06", H57, out.pk, "out"),
    ]
    out.refresh_from_db()
    inbound.refresh_from_db()
    assert (out.status_code, out.status_reason) == ("06", "Hoàn thành")
    assert inbound.status_code == "06"
    assert (last.kind, last.direction, last.status, last.organ_id, last.about_id) == (
        "status",
        "out",
        "sent",
        H56,
        inbound.pk,
    )
    # and the 05 carried its description and clerk
    with EdxmlPackage.objects.get(kind="status", direction="in", status_code="05").envelope.open(
        "rb"
    ) as handle:
        reply = edxml.parse_status(handle.read())
    assert (reply.description, reply.staff) == (
        "Giao Phòng Tổ chức chủ trì",
        edxml.StaffInfo("Văn phòng", "Nguyễn Văn A"),
    )
    assert (reply.sender.name, reply.recipient_organ_id) == ("Sở Nội vụ tỉnh Bình Dương", H56)


@pytest.mark.django_db
def test_a_recall_request_from_the_sender_reaches_the_listener_with_the_received_package(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks
) -> None:
    # given a document H56 sent to H57
    edxml_services.send_envelope(envelope(H56, H57), by=None)
    inbound = EdxmlPackage.objects.get(direction="in", kind="document")

    # when H56 asks for it back (13)
    recall = edxml.Status(
        sender=edxml.Organ(H56, "UBND tỉnh Bình Dương"),
        response_for=edxml.ResponseFor(H57, code="45/UBND-VP", document_id=DOCUMENT_ID),
        status_code="13",
        description="Gửi nhầm, đề nghị trả lại",
    )
    edxml_services.send_status(recall, by=None)

    # then H57's side hears it about the package it received
    assert hooks.statuses[-1] == ("13", H56, inbound.pk, "in")
    inbound.refresh_from_db()
    assert inbound.status_code == "13"


@pytest.mark.django_db
def test_only_inbound_documents_get_a_status_reply_and_only_known_codes(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks
) -> None:
    (out,) = edxml_services.send_envelope(envelope(H56, H57), by=None)
    inbound = EdxmlPackage.objects.get(direction="in", kind="document")
    before = _footprint()

    with pytest.raises(ValidationError) as outbound:
        edxml_services.reply_status(out, "03", by=None)
    assert outbound.value.message_dict == {
        "package": ["Chỉ trả lời trạng thái cho văn bản đã nhận (gói tin đến)."]
    }
    with pytest.raises(ValidationError) as unknown:
        edxml_services.reply_status(inbound, "07", by=None)
    assert unknown.value.message_dict == {"code": ["Mã trạng thái không hợp lệ: 07"]}
    assert _footprint() == before


# --- Routes ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_other_recipients_are_queued_for_their_peer_or_marked_without_a_route(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks, settings: Any
) -> None:
    # given a peer reaching H41 and nothing reaching H14
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "EDXML_PEERS": {"nghe-an": {"url": "http://127.0.0.1:9/inbox", "organ_ids": [H41]}},
    }

    # when H56 sends one document to H57, H41 and H14
    local, queued, lost = edxml_services.send_envelope(envelope(H56, H57, H41, H14), by=None)

    # then H57 has it, H41's package waits for the worker, H14's is in error with the reason
    assert [(p.organ_id, p.status, p.status_code, p.peer) for p in (local, queued, lost)] == [
        (H57, "sent", "01", ""),
        (H41, "pending", "", "nghe-an"),
        (H14, "error", "", ""),
    ]
    assert lost.status_reason == (
        "Không có đường gửi tới cơ quan 000.00.00.H14: không thuộc hệ thống này, không có trong "
        "EDXML_PEERS và không cấu hình EDXML_DEFAULT_PEER."
    )
    assert list(
        OutboxEvent.objects.filter(type=edxml_services.SEND_EVENT).values_list(
            "data__package", flat=True
        )
    ) == [queued.pk]
    assert [r[2] for r in hooks.received] == [H57]
    assert MessageLogEntry.objects.filter(chain="edxml", outcome="error").count() == 1
    # and every package holds the same envelope
    assert len({p.envelope.name for p in (local, queued, lost)}) == 1

    # when a default peer (the national axis) is configured, H14 goes there
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "EDXML_PEERS": {**settings.LIENTHONG["EDXML_PEERS"], "truc": {"url": "http://t/inbox"}},
        "EDXML_DEFAULT_PEER": "truc",
    }
    assert [edxml_services.route_for(code) for code in (H56, H41, H14)] == [
        "local",
        "nghe-an",
        "truc",
    ]


@pytest.mark.django_db
def test_an_invalid_envelope_writes_nothing(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks
) -> None:
    with pytest.raises(ValidationError) as invalid:
        edxml_services.send_envelope(
            envelope(H56, H57, subject="", code_number="", code_notation=""), by=None
        )
    assert invalid.value.message_dict == {
        "envelope": ["Thiếu trích yếu (Subject).", "Thiếu số, ký hiệu văn bản (Code)."]
    }
    with pytest.raises(ValidationError) as nobody:
        edxml_services.send_envelope(envelope(H56, recipients=[]), by=None)
    assert nobody.value.message_dict == {"recipients": ["Thiếu cơ quan nhận (To/OrganId)."]}
    with pytest.raises(ValidationError) as spoofed:
        edxml_services.send_envelope(envelope(H41, H57), by=None)
    assert spoofed.value.message_dict == {
        "sender": ["Cơ quan gửi 000.00.00.H41 không thuộc hệ thống này."]
    }
    with pytest.raises(ValidationError) as foreign_status:
        edxml_services.send_status(
            edxml.Status(
                sender=edxml.Organ(H41, "UBND tỉnh Nghệ An"),
                response_for=edxml.ResponseFor(H56, document_id=DOCUMENT_ID),
                status_code="03",
            ),
            by=None,
        )
    assert foreign_status.value.message_dict == {
        "sender": ["Cơ quan gửi 000.00.00.H41 không thuộc hệ thống này."]
    }
    assert _footprint() == (0, 0, 0, 0)
    assert (hooks.received, hooks.statuses) == ([], [])


@pytest.mark.django_db
def test_local_delivery_is_part_of_the_callers_transaction(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks
) -> None:
    # when the caller's transaction fails after sending
    with pytest.raises(RuntimeError), transaction.atomic():
        edxml_services.send_envelope(envelope(H56, H57), by=None)
        raise RuntimeError("the document could not be marked sent")

    # then nothing was delivered
    assert _footprint() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_a_failing_receiver_does_not_undo_the_delivery(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks
) -> None:
    # given a receiver that writes, then fails
    def broken(envelope: edxml.Envelope, package: EdxmlPackage, organ_id: str) -> None:
        make_org_unit("Đơn vị ghi dở", code=None)
        raise ValueError("không đăng ký được văn bản đến")

    edxml_services.register_receiver(broken)

    # when a document arrives
    (out,) = edxml_services.send_envelope(envelope(H56, H57), by=None)

    # then its write is undone, the reason is on the package, the delivery stands
    assert not OrgUnit.objects.filter(name="Đơn vị ghi dở").exists()
    inbound = EdxmlPackage.objects.get(direction="in", kind="document")
    assert inbound.status_reason.endswith("ValueError: không đăng ký được văn bản đến")
    assert "broken" in inbound.status_reason
    out.refresh_from_db()
    assert (out.status, out.status_code) == ("sent", "01")
    assert len(hooks.received) == 1
    assert hooks.statuses == [("01", H57, out.pk, "out")]


# --- Through the inbox ----------------------------------------------------------------------


def _post(data: bytes, key: str) -> Any:
    return Client().post(
        INBOX, data=data, content_type="application/xml", headers={"X-API-Key": key}
    )


@pytest.mark.django_db
def test_the_inbox_takes_a_status_reply_about_a_document_sent_elsewhere(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks, settings: Any
) -> None:
    # given H56 sent a document to H41 of another deployment (queued for peer nghe-an)
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "EDXML_PEERS": {"nghe-an": {"url": "http://127.0.0.1:9/inbox", "organ_id": H41}},
    }
    system, key = make_client(grants=["api.exchange.edxml"], code="nghe-an")
    (out,) = edxml_services.send_envelope(envelope(H56, H41), by=None)
    reply = edxml.Status(
        sender=edxml.Organ(H41, "UBND tỉnh Nghệ An"),
        recipient=edxml.Organ(H56, "UBND tỉnh Bình Dương"),
        response_for=edxml.ResponseFor(H56, code="45/UBND-VP", document_id=DOCUMENT_ID),
        status_code="03",
        description="Đã vào sổ văn bản đến",
        timestamp=datetime.datetime(2026, 11, 21, 8, 0, tzinfo=datetime.UTC),
    )
    data = edxml.build_status(reply)

    # when H41's deployment posts its 03, twice
    first = _post(data, key)
    again = _post(data, key)

    # then it is stored once, the sent package takes 03, the listener heard it once
    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert (first.json()["status_code"], first.json()["description"]) == ("03", "Đã tiếp nhận")
    assert again.json()["package_id"] == first.json()["package_id"]
    out.refresh_from_db()
    assert (out.status_code, out.status_reason) == ("03", "Đã vào sổ văn bản đến")
    assert hooks.statuses == [("03", H41, out.pk, "out")]
    stored = EdxmlPackage.objects.get(kind="status")
    assert (stored.direction, stored.client, stored.about_id, stored.organ_id) == (
        "in",
        system,
        out.pk,
        H56,
    )
    assert OutboxEvent.objects.filter(type=edxml_services.STATUS_EVENT).count() == 1


@pytest.mark.django_db
def test_the_inbox_refuses_a_status_about_a_document_not_sent_from_here(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks
) -> None:
    from django.conf import settings as django_settings

    _system, key = make_client(grants=["api.exchange.edxml"])
    sample = django_settings.SHARED_DIR / "data" / "edxml" / "status_acceptance_03.edxml"

    response = _post(sample.read_bytes(), key)

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Văn bản được trả lời trạng thái không phải của hệ thống này."
    )
    assert _footprint()[:2] == (0, 0)
    assert hooks.statuses == []


@pytest.mark.django_db
def test_a_reply_to_a_document_from_another_deployment_is_queued_for_its_peer(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks, settings: Any
) -> None:
    # given H41's deployment delivered a document to H56 through the inbox
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "EDXML_PEERS": {"nghe-an": {"url": "http://127.0.0.1:9/inbox", "organ_id": H41}},
    }
    _system, key = make_client(grants=["api.exchange.edxml"], code="nghe-an")
    arrived = _post(edxml.build(envelope(H41, H56)), key)
    assert arrived.status_code == 201, arrived.content
    inbound = EdxmlPackage.objects.get(pk=arrived.json()["package_id"])
    assert hooks.received == [(f"{H41},2026/11/20,45/UBND-VP", inbound.pk, H56, PDF)]

    # when H56's clerk refuses it
    reply = edxml_services.reply_status(inbound, "02", description="Gửi nhầm cơ quan", by=None)

    # then the 02 waits for the worker, addressed to H41 through nghe-an
    assert (reply.kind, reply.status, reply.peer, reply.organ_id, reply.status_code) == (
        "status",
        "pending",
        "nghe-an",
        H41,
        "02",
    )
    assert reply.about_id == inbound.pk
    inbound.refresh_from_db()
    assert inbound.status_code == "02"
    assert list(
        OutboxEvent.objects.filter(type=edxml_services.SEND_EVENT).values_list(
            "data__package", flat=True
        )
    ) == [reply.pk]
    with reply.envelope.open("rb") as handle:
        sent = edxml.parse_status(handle.read())
    assert (sent.sender.organ_id, sent.recipient_organ_id, sent.document_id) == (
        H56,
        H41,
        f"{H41},2026/11/20,45/UBND-VP",
    )


@pytest.mark.django_db
def test_an_envelope_for_two_agencies_here_arrives_for_each(
    agencies: tuple[OrgUnit, OrgUnit], hooks: Hooks
) -> None:
    _system, key = make_client(grants=["api.exchange.edxml"])

    response = _post(edxml.build(envelope(H41, H56, H57, H14)), key)

    assert response.status_code == 201, response.content
    packages = EdxmlPackage.objects.filter(direction="in").order_by("id")
    assert [p.organ_id for p in packages] == [H56, H57]
    assert [r[2] for r in hooks.received] == [H56, H57]
    assert response.json()["package_id"] == packages[0].pk


@pytest.mark.django_db
def test_the_inbox_refuses_an_oversize_body_before_reading_it(
    agencies: tuple[OrgUnit, OrgUnit], settings: Any
) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "EDXML_MAX_BYTES": 2000}
    _system, key = make_client(grants=["api.exchange.edxml"])

    response = _post(b"<" * 5000, key)

    assert response.status_code == 413
    assert response.json()["errors"] == ["5000 > 2000 bytes"]
    assert EdxmlPackage.objects.count() == 0
    assert [(e.outcome, e.status) for e in MessageLogEntry.objects.filter(chain="edxml")] == [
        ("refused", 413)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_status_reply_travels_over_http_and_updates_the_sent_package(
    live_server: Any, settings: Any
) -> None:
    # given H56 here sent a document to H41 (queued, never delivered: its peer is down), and a
    # peer "self" whose inbox is this deployment's
    recorder = Hooks()
    saved = list(edxml_services._status_listeners)
    edxml_services._status_listeners[:] = [recorder.status]
    try:
        make_org_unit("UBND tỉnh Bình Dương", code=H56)
        _system, key = make_client(grants=["api.exchange.edxml"])
        settings.LIENTHONG = {
            **settings.LIENTHONG,
            "EDXML_PEERS": {
                "nghe-an": {"url": "http://127.0.0.1:9/inbox", "organ_id": H41},
                "self": {"url": live_server.url + INBOX, "api_key": key, "organ_id": H56},
            },
        }
        (sent,) = edxml_services.send_envelope(envelope(H56, H41), by=None)
        reply = edxml.Status(
            sender=edxml.Organ(H41, "UBND tỉnh Nghệ An"),
            response_for=edxml.ResponseFor(H56, document_id=DOCUMENT_ID),
            status_code="05",
        )

        # when H41's 05 is queued to "self" and delivered over HTTP
        queued = edxml_services.queue_send(edxml.build_status(reply), peer="self")
        delivered = edxml_services.deliver(queued.pk)

        # then the status package is sent (its code kept) and the document package took 05
        assert delivered is not None
        assert (delivered.kind, delivered.status, delivered.status_code) == (
            "status",
            "sent",
            "05",
        )
        sent.refresh_from_db()
        assert sent.status_code == "05"
        assert recorder.statuses == [("05", H41, sent.pk, "out")]
        operations = MessageLogEntry.objects.filter(chain="edxml").order_by("seq")
        assert [(e.direction, e.operation, e.outcome) for e in operations] == [
            ("in", "status", "ok"),
            ("out", "status", "ok"),
        ]
    finally:
        edxml_services._status_listeners[:] = saved
