"""Helpers of the outgoing documents tests: a draft, a signed and an issued document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.documents.models import DocumentType
from lienthong.documents.outgoing import services, signing
from lienthong.documents.outgoing.models import OutgoingDocument

PASSPHRASE = "mật-khẩu-ký-số"


@dataclass
class World:
    """Who and what the tests work with."""

    agency: OrgUnit
    office: OrgUnit
    other: OrgUnit
    drafter: User
    reviewer: User
    signer: User
    clerk: User
    outsider: User
    other_clerk: User
    decision: DocumentType
    letter: DocumentType
    authority: signing.TestAuthority


def upload(data: bytes, name: str = "du-thao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def draft(world: World, pdf: bytes | None = None, **extra: Any) -> OutgoingDocument:
    """A draft of the office with the other agency as recipient (and its PDF, if given)."""
    values: dict[str, Any] = {
        "drafting_unit": world.office,
        "document_type": world.decision,
        "subject": "Quyết định ban hành quy chế làm việc",
        "recipients": [services.RecipientSpec(agency=world.other)],
        "recipients_text": "Như trên;\nLưu: VT, VP.",
        "by": world.drafter,
    }
    values.update(extra)
    document = services.create_draft(**values)
    if pdf is not None:
        services.add_file(document, upload=upload(pdf), by=world.drafter)
    return document


def signed(world: World, pdf: bytes, **extra: Any) -> OutgoingDocument:
    """A draft taken through review and signing."""
    document = draft(world, pdf, **extra)
    services.submit_for_review(document, reviewer=world.reviewer, by=world.drafter)
    services.approve(document, signer=world.signer, by=world.reviewer)
    return services.sign(document, passphrase=PASSPHRASE, by=world.signer)


def issued(world: World, pdf: bytes, **extra: Any) -> OutgoingDocument:
    """A signed document numbered and issued."""
    document = signed(world, pdf, **extra)
    services.assign_number(document, by=world.clerk)
    return services.issue(document, by=world.clerk)


def stored_bytes(document: OutgoingDocument, kind: str) -> bytes:
    file = document.files.get(kind=kind)
    with file.file.open("rb") as handle:
        return bytes(handle.read())
