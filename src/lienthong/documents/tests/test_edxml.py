"""Electronic incoming documents: local edXML delivery, accept / refuse, status replies back."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from lienthong.core.testing_permissions import login
from lienthong.documents import services
from lienthong.documents.models import IncomingDocument
from lienthong.documents.tests.conftest import World
from lienthong.exchange.adapters import edxml, edxml_services
from lienthong.exchange.adapters.models import EdxmlPackage

pytestmark = pytest.mark.django_db

SAMPLES = Path("/work/shared/data/edxml")


def _envelope(world: World, number: str = "12") -> edxml.Envelope:
    return edxml.Envelope(
        sender=edxml.Organ(world.other_agency.code or "", world.other_agency.name),
        recipients=[edxml.Organ(world.agency.code or "", world.agency.name)],
        subject="Về việc phối hợp kiểm tra công tác văn thư, lưu trữ",
        code_number=number,
        code_notation="SYT-VP",
        promulgation_date=timezone.localdate() - datetime.timedelta(days=1),
        document_type="Công văn",
        signer_position="Giám đốc",
        signer_name="Nguyễn Văn An",
        priority=1,
        attachments=[
            edxml.Attachment(
                name="cong-van.pdf", content_type="application/pdf", data=b"%PDF-1.4 x"
            )
        ],
    )


def _sent_code(world: World, document_id: str) -> str:
    sent = EdxmlPackage.objects.get(
        direction=EdxmlPackage.Direction.OUTBOUND,
        kind=EdxmlPackage.Kind.DOCUMENT,
        organ_id=world.agency.code,
        document_id=document_id,
    )
    return sent.status_code


def _deliver(world: World, number: str = "12") -> IncomingDocument:
    with transaction.atomic():
        edxml_services.send_envelope(_envelope(world, number), by=None)
    return IncomingDocument.objects.get(code_number=number)


def test_an_envelope_for_our_agency_arrives_and_waits_for_the_clerk(world: World) -> None:
    document = _deliver(world)
    assert document.status == IncomingDocument.Status.ARRIVED
    assert document.arrival_number is None and document.package is not None
    assert (document.issuer, document.issuer_code) == (
        world.other_agency.name,
        world.other_agency.code,
    )
    assert document.number_notation == "12/SYT-VP" and document.urgency == 1
    assert document.signer == "Giám đốc, Nguyễn Văn An"
    assert [(f.name, f.size) for f in document.files.all()] == [("cong-van.pdf", 10)]
    assert document.files.get().file.read() == b"%PDF-1.4 x"
    assert _sent_code(world, document.edxml_document_id) == "01"


def test_accept_assign_complete_answer_03_04_05_06(world: World) -> None:
    document = _deliver(world)
    services.accept_arrived(document, by=world.clerk)
    document.refresh_from_db()
    assert document.arrival_number == 1 and document.status == IncomingDocument.Status.PRESENTED
    assert _sent_code(world, document.edxml_document_id) == "04"
    replies = EdxmlPackage.objects.filter(
        kind=EdxmlPackage.Kind.STATUS, direction=EdxmlPackage.Direction.OUTBOUND
    ).order_by("pk")
    assert [p.status_code for p in replies] == ["01", "03", "04"]
    services.assign(document, lead_unit=world.division_a, by=world.leader)
    assert _sent_code(world, document.edxml_document_id) == "05"
    services.complete(document, result="Đã phối hợp.", by=world.specialist_a)
    assert _sent_code(world, document.edxml_document_id) == "06"


def test_refusing_an_arrived_document_answers_02_and_keeps_it_out_of_the_register(
    world: World,
) -> None:
    document = _deliver(world)
    with pytest.raises(Exception, match="lý do"):
        services.refuse_arrived(document, reason=" ", by=world.clerk)
    services.refuse_arrived(document, reason="Gửi nhầm cơ quan.", by=world.clerk)
    document.refresh_from_db()
    assert document.status == IncomingDocument.Status.REFUSED and document.arrival_number is None
    assert _sent_code(world, document.edxml_document_id) == "02"
    with pytest.raises(services.WrongState):
        services.accept_arrived(document, by=world.clerk)
    assert not IncomingDocument.objects.registered().exists()


def test_a_duplicate_arrival_is_marked_and_needs_confirmation(world: World) -> None:
    first = _deliver(world)
    services.accept_arrived(first, by=world.clerk)
    with transaction.atomic():
        edxml_services.send_envelope(_envelope(world), by=None)
    again = IncomingDocument.objects.exclude(pk=first.pk).get()
    assert again.duplicate_of == first
    with pytest.raises(services.DuplicateDocument):
        services.accept_arrived(again, by=world.clerk)
    again.refresh_from_db()
    assert again.status == IncomingDocument.Status.ARRIVED and again.arrival_number is None


def test_a_clerk_uploads_a_real_sample_through_the_api(client: Client, world: World) -> None:
    login(client, world.clerk)
    with (SAMPLES / "edoc_new.edxml").open("rb") as handle:
        answer = client.post(
            "/api/documents/incoming/edxml", {"agency": world.agency.pk, "file": handle}
        )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["number_notation"] == "74fass22/VPCP-TTĐT"
    assert body["arrival_number"] == 1 and body["status"] == "presented"
    assert body["subject"] == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert len(body["files"]) >= 1
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    answer = client.post(
        "/api/documents/incoming/edxml",
        {"agency": world.agency.pk, "file": _named(hostile, "bad.edxml")},
    )
    assert answer.status_code == 422
    assert IncomingDocument.objects.count() == 1


def _named(data: bytes, name: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/xml")
