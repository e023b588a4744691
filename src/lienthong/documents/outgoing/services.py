"""Writes of outgoing documents (văn bản đi): draft → review → sign → number → issue → send.

Every function checks who acts, writes, records the audit entry, the document's history and
the outbox events in one transaction (`@service`), and moves the inbox task of the step:

    create_draft      any official of the drafting unit                      → DRAFT
    submit_for_review the drafter (or the agency's office); names a reviewer → UNDER_REVIEW
                      (task "Xem xét dự thảo" for the reviewer)
    approve           the reviewer; names the signer (a leader)              → APPROVED
                      (task "Ký văn bản" for the signer)
    return_draft      the reviewer, with a comment                           → DRAFT
                      (task "Sửa dự thảo" for the drafter)
    sign              the named signer, with their certificate's passphrase  → SIGNED
                      (the main PDF signed with pyHanko, PAdES; task for the clerks' pool)
    assign_number     a clerk (văn thư) of the agency                        → NUMBERED
                      (next number of the agency's yearly series: outgoing, legal or secret)
    issue             a clerk: issued date, copies, unit keeping the copy    → ISSUED
                      (event `document.issued`; the document enters the search)
    send              a clerk: edXML to every electronic recipient           → SENT
                      (event `document.sent`; per-recipient delivery state)

Status replies (01 arrived, 02 refused, 03 accepted, 05 processing, 06 done …) come back
through the edXML status listener `on_status` (installed by `hooks.install`) and update the
recipient rows. `verify_pdf(data)` verifies the signatures of any PDF against the configured
trust roots; the incoming documents call it for the files that arrive.

Numbering follows signing, as Decree 30/2020 (Art. 15) orders: the number is given by the
clerk after the signature, so it is not printed inside the signed PDF; it travels in the
register, in the edXML header (Code) and on the document page.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role, User
from lienthong.core.audit import audited, service
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import grants_of, is_real_user
from lienthong.core.uploads import check_upload, display_name
from lienthong.documents.models import DocumentType, NumberSeries, Secrecy, Urgency
from lienthong.documents.numbering import format_notation, next_number
from lienthong.documents.outgoing import indexing, signing
from lienthong.documents.outgoing.models import (
    STATE_BY_STATUS,
    DeliveryState,
    HistoryEntry,
    OutgoingDocument,
    OutgoingFile,
    OutgoingStatus,
    Recipient,
    SigningCertificate,
    TrustedRoot,
)
from lienthong.documents.visibility import has_role_at
from lienthong.exchange.outbox import publish
from lienthong.workflow import services as workflow
from lienthong.workflow.models import Task

logger = logging.getLogger("lienthong.documents.outgoing")

MODULE = "documents"
#: Roles of officials who may draft (anyone working in a unit except citizens).
STAFF_ROLES = frozenset(role for role in Role if role != Role.CITIZEN)
CLERK = frozenset({Role.CLERK})
LEADER = frozenset({Role.LEADER})
#: Status fields a draft may change (`update_draft`).
DRAFT_FIELDS = (
    "document_type",
    "is_legal",
    "subject",
    "content",
    "urgency",
    "secrecy",
    "recipients_text",
    "due_date",
    "place",
    "notes",
)


# --- Permissions ----------------------------------------------------------------------------


def can_draft(user: Any, unit: OrgUnit) -> bool:
    """Whether `user` may draft for `unit`: any official's role at the unit or above."""
    return bool(is_real_user(user) and user.is_official and has_role_at(user, unit, STAFF_ROLES))


def is_clerk(user: Any, agency: OrgUnit) -> bool:
    """A clerk (văn thư) of the agency (or superuser)."""
    return has_role_at(user, agency, CLERK)


def is_leader(user: Any, agency: OrgUnit) -> bool:
    """A leader (lãnh đạo) of the agency (or superuser)."""
    return has_role_at(user, agency, LEADER)


def can_edit(user: Any, document: OutgoingDocument) -> bool:
    """The drafter, or a clerk or leader of the agency, while the document is a draft."""
    if document.status != OutgoingStatus.DRAFT or not is_real_user(user):
        return False
    return bool(
        user.pk == document.created_by_id
        or is_clerk(user, document.agency)
        or is_leader(user, document.agency)
    )


def allowed_actions(user: Any, document: OutgoingDocument) -> set[str]:
    """What `user` may do to `document` now (the page shows these buttons)."""
    actions: set[str] = set()
    if not is_real_user(user):
        return actions
    status = document.status
    if can_edit(user, document):
        actions |= {"edit", "submit"}
    mine = user.is_superuser
    if status == OutgoingStatus.UNDER_REVIEW and (mine or user.pk == document.reviewer_id):
        actions |= {"approve", "return"}
    if status == OutgoingStatus.APPROVED and (mine or user.pk == document.signer_id):
        actions |= {"sign", "return"}
    if is_clerk(user, document.agency):
        step = {
            OutgoingStatus.SIGNED: "number",
            OutgoingStatus.NUMBERED: "issue",
            OutgoingStatus.ISSUED: "send",
        }.get(OutgoingStatus(status))
        if step:
            actions.add(step)
    return actions


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_status(document: OutgoingDocument, *statuses: str) -> None:
    if document.status not in statuses:
        raise InvalidState(
            _("Văn bản đang ở trạng thái “%(status)s”, không thực hiện được thao tác này.")
            % {"status": document.get_status_display()}
        )


class InvalidState(Exception):
    """The document is not in a state where this step can be taken (API answers 409)."""


def _lock(document: OutgoingDocument) -> OutgoingDocument:
    """Re-read the document under a row lock: two clerks may press the same button."""
    return (
        OutgoingDocument.objects.select_for_update(of=("self",))
        .select_related("agency", "drafting_unit", "document_type")
        .get(pk=document.pk)
    )


# --- Tasks and history ----------------------------------------------------------------------


def _close_task(document: OutgoingDocument, by: User | None) -> None:
    """Complete the step's open task when the one acting may (else it stays for its owner)."""
    task_id = document.current_task_id
    document.current_task = None
    if task_id is None or by is None:
        return
    task = Task.objects.filter(pk=task_id, status=Task.Status.OPEN).first()
    if task is not None and workflow.can_complete(task, by):
        workflow.complete_task(task=task, by=by)


def _open_task(
    document: OutgoingDocument,
    title: str,
    *,
    by: User | None,
    assignee: User | None = None,
    role: str = "",
) -> None:
    task = workflow.create_task(
        title=title[:255],
        by=by,
        assignee=assignee,
        org_unit=document.agency if assignee is None else None,
        role=role,
        module=MODULE,
        url=document.get_absolute_url(),
    )
    document.current_task = task


def _history(document: OutgoingDocument, action: str, by: User | None, comment: str = "") -> None:
    HistoryEntry.objects.create(document=document, action=action, by=by, comment=comment)


def _save(document: OutgoingDocument, fields: Iterable[str]) -> None:
    document.updated_at = timezone.now()
    document.save(update_fields=[*set(fields), "updated_at"])


# --- Drafts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientSpec:
    """A receiver as the caller gives it: an agency of this deployment or an outside organ."""

    agency: OrgUnit | None = None
    organ_id: str = ""
    name: str = ""
    electronic: bool = True


def _recipient_rows(specs: Sequence[RecipientSpec], errors: dict[str, str]) -> list[Recipient]:
    rows: list[Recipient] = []
    seen: set[str] = set()
    for index, spec in enumerate(specs, start=1):
        organ_id = (spec.organ_id or (spec.agency.code if spec.agency else "") or "").strip()
        name = (spec.name or (spec.agency.name if spec.agency else "")).strip()
        if spec.agency is not None and not spec.agency.is_agency:
            errors["recipients"] = _("Nơi nhận %(n)d: “%(name)s” không phải là cơ quan.") % {
                "n": index,
                "name": spec.agency.name,
            }
            continue
        if not name:
            errors["recipients"] = _("Nơi nhận %(n)d: thiếu tên cơ quan nhận.") % {"n": index}
            continue
        if spec.electronic and not organ_id:
            errors["recipients"] = _(
                "Nơi nhận %(n)d (%(name)s): gửi điện tử cần mã định danh cơ quan (xxx.xx.xx.Xnn)."
            ) % {"n": index, "name": name}
            continue
        if organ_id:
            from lienthong.core.identifiers import validate_agency_code

            try:
                validate_agency_code(organ_id)
            except ValidationError:
                errors["recipients"] = _(
                    "Nơi nhận %(n)d: mã định danh “%(code)s” không đúng khuôn dạng xxx.xx.xx.Xnn."
                ) % {"n": index, "code": organ_id}
                continue
            if organ_id in seen:
                errors["recipients"] = _("Nơi nhận %(n)d: “%(code)s” bị lặp.") % {
                    "n": index,
                    "code": organ_id,
                }
                continue
            seen.add(organ_id)
        rows.append(
            Recipient(
                agency=spec.agency,
                organ_id=organ_id,
                name=name[:255],
                electronic=spec.electronic,
            )
        )
    return rows


def _check_fields(values: dict[str, Any], errors: dict[str, str]) -> None:
    subject = str(values.get("subject", "") or "").strip()
    if "subject" in values:
        if not subject:
            errors["subject"] = _("Hãy nhập trích yếu nội dung.")
        elif len(subject) > 500:
            errors["subject"] = _("Trích yếu tối đa 500 ký tự.")
        values["subject"] = subject
    if "document_type" in values and not isinstance(values["document_type"], DocumentType):
        errors["document_type"] = _("Hãy chọn loại văn bản.")
    if "urgency" in values and values["urgency"] not in Urgency.values:
        errors["urgency"] = _("Độ khẩn không hợp lệ.")
    if "secrecy" in values and values["secrecy"] not in Secrecy.values:
        errors["secrecy"] = _("Độ mật không hợp lệ.")


@service
def create_draft(
    *,
    drafting_unit: OrgUnit,
    document_type: DocumentType,
    subject: str,
    by: User,
    content: str = "",
    urgency: int = Urgency.NORMAL,
    secrecy: int = Secrecy.NORMAL,
    is_legal: bool = False,
    recipients: Sequence[RecipientSpec] = (),
    recipients_text: str = "",
    due_date: datetime.date | None = None,
    place: str = "",
    notes: str = "",
) -> OutgoingDocument:
    """Start a draft outgoing document of the drafting unit's agency."""
    _require(
        can_draft(by, drafting_unit),
        _("Bạn không soạn thảo văn bản cho đơn vị này được."),
    )
    agency = drafting_unit.agency
    errors: dict[str, str] = {}
    if agency is None:
        errors["drafting_unit"] = _("Đơn vị soạn thảo không thuộc cơ quan nào.")
    values: dict[str, Any] = {
        "document_type": document_type,
        "subject": subject,
        "urgency": urgency,
        "secrecy": secrecy,
    }
    _check_fields(values, errors)
    rows = _recipient_rows(recipients, errors)
    if errors:
        raise ValidationError(errors)
    assert agency is not None
    document = OutgoingDocument(
        agency=agency,
        drafting_unit=drafting_unit,
        document_type=document_type,
        is_legal=is_legal,
        subject=values["subject"],
        content=content,
        urgency=urgency,
        secrecy=secrecy,
        recipients_text=recipients_text,
        due_date=due_date,
        place=place,
        notes=notes,
        created_by=by,
        file_copy_unit=drafting_unit,
    )
    with audited("document.outgoing.create", document, org_unit=agency):
        document.save()
        document.access_units.add(drafting_unit)
    for row in rows:
        row.document = document
    Recipient.objects.bulk_create(rows)
    _history(document, HistoryEntry.Action.CREATED, by)
    return document


@service
def update_draft(
    document: OutgoingDocument,
    *,
    by: User,
    recipients: Sequence[RecipientSpec] | None = None,
    **changes: Any,
) -> OutgoingDocument:
    """Change a draft's fields (and, when given, replace its recipients)."""
    document = _lock(document)
    _require_status(document, OutgoingStatus.DRAFT)
    _require(can_edit(by, document), _("Bạn không sửa được dự thảo này."))
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"update_draft: unknown fields {sorted(unknown)}")
    errors: dict[str, str] = {}
    _check_fields(changes, errors)
    rows = _recipient_rows(recipients, errors) if recipients is not None else None
    if errors:
        raise ValidationError(errors)
    with audited("document.outgoing.update", document, org_unit=document.agency):
        for name, value in changes.items():
            setattr(document, name, value)
        _save(document, changes)
        if rows is not None:
            document.recipients.all().delete()
            for row in rows:
                row.document = document
            Recipient.objects.bulk_create(rows)
    _history(document, HistoryEntry.Action.UPDATED, by)
    return document


def _store(name: str, data: bytes) -> str:
    """Save bytes under MEDIA_ROOT (no public URL: files are served by a view that checks
    who asks). A service that fails after this deletes the file again (`_discard_on_error`);
    a caller's transaction rolled back later leaves an unreferenced file, never a row
    without its file."""
    return default_storage.save(
        f"documents/outgoing/{timezone.localdate():%Y/%m}/{secrets.token_hex(8)}-{name}",
        ContentFile(data),
    )


@contextmanager
def _discard_on_error(names: list[str]) -> Iterator[None]:
    try:
        yield
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


@service
def add_file(
    document: OutgoingDocument, *, upload: Any, by: User, kind: str = OutgoingFile.Kind.MAIN
) -> OutgoingFile:
    """Attach a file to a draft: the main text (a PDF, replacing the earlier one) or an annex."""
    document = _lock(document)
    _require_status(document, OutgoingStatus.DRAFT)
    _require(can_edit(by, document), _("Bạn không sửa được dự thảo này."))
    if kind not in (OutgoingFile.Kind.MAIN, OutgoingFile.Kind.ATTACHMENT):
        raise ValidationError({"kind": _("Loại tệp không hợp lệ.")})
    label = _("Bản chính") if kind == OutgoingFile.Kind.MAIN else _("Tệp kèm theo")
    try:
        checked = check_upload(upload, label=str(label))
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if kind == OutgoingFile.Kind.MAIN and checked.file_type.key != "pdf":
        raise ValidationError({"file": _("Bản chính phải là tệp PDF để ký số.")})
    stream = checked.file
    stream.seek(0)
    data = stream.read()
    if kind == OutgoingFile.Kind.MAIN:
        document.files.filter(kind=OutgoingFile.Kind.MAIN).delete()
    return _add_file_row(document, kind, display_name(checked.stored_name), data, by)


def _add_file_row(
    document: OutgoingDocument, kind: str, name: str, data: bytes, by: User | None
) -> OutgoingFile:
    from lienthong.core.uploads import content_type_of

    row = OutgoingFile(
        document=document,
        kind=kind,
        name=name[:255],
        content_type=content_type_of(name),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )
    row.file.name = _store(name, data)
    with (
        _discard_on_error([row.file.name]),
        audited("document.outgoing.file", row, org_unit=document.agency),
    ):
        row.save()
    return row


# --- Review ---------------------------------------------------------------------------------


def _official_of(user: Any, agency: OrgUnit) -> bool:
    """An active official holding a role at the agency, above it or in one of its units."""
    if not (isinstance(user, User) and user.is_active and user.is_official):
        return False
    if user.is_superuser or has_role_at(user, agency, STAFF_ROLES):
        return True
    return grants_of(user, STAFF_ROLES).filter(org_unit__path__startswith=agency.path).exists()


@service
def submit_for_review(
    document: OutgoingDocument,
    *,
    reviewer: User,
    by: User,
    signer: User | None = None,
    comment: str = "",
) -> OutgoingDocument:
    """Send a draft to a reviewer (người duyệt); the reviewer finds it in their inbox."""
    document = _lock(document)
    _require_status(document, OutgoingStatus.DRAFT)
    _require(can_edit(by, document), _("Bạn không trình được dự thảo này."))
    errors: dict[str, str] = {}
    if not _official_of(reviewer, document.agency):
        errors["reviewer"] = _("Người duyệt phải là cán bộ của cơ quan.")
    if signer is not None and not (signer.is_active and is_leader(signer, document.agency)):
        errors["signer"] = _("Người ký phải là lãnh đạo của cơ quan.")
    if not document.files.filter(kind=OutgoingFile.Kind.MAIN).exists():
        errors["file"] = _("Hãy đính kèm bản chính (PDF) trước khi trình.")
    if errors:
        raise ValidationError(errors)
    _close_task(document, by)
    with audited("document.outgoing.submit", document, org_unit=document.agency):
        document.status = OutgoingStatus.UNDER_REVIEW
        document.reviewer = reviewer
        if signer is not None:
            document.signer = signer
        document.review_comment = ""
        _open_task(
            document,
            _("Xem xét dự thảo: %(subject)s") % {"subject": document.subject},
            by=by,
            assignee=reviewer,
        )
        _save(document, ["status", "reviewer", "signer", "review_comment", "current_task"])
    _history(document, HistoryEntry.Action.SUBMITTED, by, comment)
    return document


@service
def approve(
    document: OutgoingDocument,
    *,
    by: User,
    signer: User | None = None,
    comment: str = "",
) -> OutgoingDocument:
    """The reviewer approves the draft; it goes to the signer (a leader of the agency)."""
    document = _lock(document)
    _require_status(document, OutgoingStatus.UNDER_REVIEW)
    _require(
        by.is_superuser or by.pk == document.reviewer_id,
        _("Chỉ người được giao duyệt mới duyệt được dự thảo này."),
    )
    chosen = signer or document.signer
    if chosen is None:
        raise ValidationError({"signer": _("Hãy chọn người ký.")})
    if not (chosen.is_active and is_leader(chosen, document.agency)):
        raise ValidationError({"signer": _("Người ký phải là lãnh đạo của cơ quan.")})
    _close_task(document, by)
    with audited("document.outgoing.approve", document, org_unit=document.agency):
        document.status = OutgoingStatus.APPROVED
        document.signer = chosen
        document.review_comment = comment
        _open_task(
            document,
            _("Ký văn bản: %(subject)s") % {"subject": document.subject},
            by=by,
            assignee=chosen,
        )
        _save(document, ["status", "signer", "review_comment", "current_task"])
    _history(document, HistoryEntry.Action.APPROVED, by, comment)
    return document


@service
def return_draft(document: OutgoingDocument, *, by: User, comment: str) -> OutgoingDocument:
    """The reviewer (or the signer) sends the draft back to its drafter with a comment."""
    document = _lock(document)
    _require_status(document, OutgoingStatus.UNDER_REVIEW, OutgoingStatus.APPROVED)
    owner = (
        document.reviewer_id
        if document.status == OutgoingStatus.UNDER_REVIEW
        else document.signer_id
    )
    _require(
        by.is_superuser or by.pk == owner,
        _("Chỉ người được giao duyệt (hoặc ký) mới trả lại được dự thảo này."),
    )
    if not comment.strip():
        raise ValidationError({"comment": _("Hãy ghi ý kiến khi trả lại dự thảo.")})
    _close_task(document, by)
    with audited("document.outgoing.return", document, org_unit=document.agency):
        document.status = OutgoingStatus.DRAFT
        document.review_comment = comment.strip()
        _open_task(
            document,
            _("Sửa dự thảo theo ý kiến: %(subject)s") % {"subject": document.subject},
            by=by,
            assignee=document.created_by,
        )
        _save(document, ["status", "review_comment", "current_task"])
    _history(document, HistoryEntry.Action.RETURNED, by, comment.strip())
    return document


# --- Signing --------------------------------------------------------------------------------


def active_certificate(
    user: User, at: datetime.datetime | None = None
) -> SigningCertificate | None:
    """The user's active certificate valid at `at` (now), the one expiring last."""
    moment = at or timezone.now()
    return (
        SigningCertificate.objects.filter(
            user=user, is_active=True, not_before__lte=moment, not_after__gte=moment
        )
        .order_by("-not_after")
        .first()
    )


@service
def sign(
    document: OutgoingDocument,
    *,
    by: User,
    passphrase: str,
    position: str = "",
    competence: str = "",
    location: str = "",
) -> OutgoingDocument:
    """The signer signs the main PDF with their certificate (PAdES); a signed copy is kept."""
    document = _lock(document)
    _require_status(document, OutgoingStatus.APPROVED)
    _require(by.pk == document.signer_id, _("Chỉ người được giao ký mới ký được văn bản này."))
    _require(is_leader(by, document.agency), _("Người ký phải là lãnh đạo của cơ quan."))
    certificate = active_certificate(by)
    if certificate is None:
        raise ValidationError(
            {"certificate": _("Bạn chưa có chứng thư số còn hiệu lực để ký văn bản.")}
        )
    main = document.files.filter(kind=OutgoingFile.Kind.MAIN).order_by("-id").first()
    if main is None:
        raise ValidationError({"file": _("Văn bản chưa có bản chính (PDF) để ký.")})
    with main.file.open("rb") as handle:
        pdf = handle.read()
    try:
        signed = signing.sign_pdf(
            pdf,
            p12=bytes(certificate.pkcs12),
            passphrase=passphrase,
            signer_name=by.full_name or certificate.common_name,
            reason=_("Ký ban hành văn bản"),
            location=location or document.place or document.agency.name,
        )
    except signing.SigningError as exc:
        raise ValidationError({"passphrase": str(exc)}) from exc
    stem = main.name.rsplit(".", 1)[0]
    row = _add_file_row(document, OutgoingFile.Kind.SIGNED, f"{stem}.signed.pdf", signed, by)
    with _discard_on_error([str(row.file.name)]):
        _finish_signing(
            document, by=by, certificate=certificate, position=position, competence=competence
        )
    return document


def _finish_signing(
    document: OutgoingDocument,
    *,
    by: User,
    certificate: SigningCertificate,
    position: str,
    competence: str,
) -> None:
    _close_task(document, by)
    with audited("document.outgoing.sign", document, org_unit=document.agency):
        document.status = OutgoingStatus.SIGNED
        document.signed_at = timezone.now()
        document.signer_name = by.full_name or certificate.common_name
        document.signer_position = position or by.position
        document.signer_competence = competence
        document.signing_certificate = certificate
        _open_task(
            document,
            _("Cấp số, ban hành văn bản: %(subject)s") % {"subject": document.subject},
            by=by,
            role=Role.CLERK,
        )
        _save(
            document,
            [
                "status",
                "signed_at",
                "signer_name",
                "signer_position",
                "signer_competence",
                "signing_certificate",
                "current_task",
            ],
        )
    _history(document, HistoryEntry.Action.SIGNED, by)


# --- Numbering and issuing ------------------------------------------------------------------


def series_for(document: OutgoingDocument) -> str:
    """The number series: legal normative and secret documents each have their own."""
    if document.is_legal:
        return NumberSeries.Series.LEGAL
    if document.secrecy != Secrecy.NORMAL:
        return NumberSeries.Series.SECRET
    return NumberSeries.Series.OUTGOING


def abbreviation(unit: OrgUnit) -> str:
    """The unit's abbreviation in notations (chữ viết tắt tên cơ quan, đơn vị: UBND, STP, VP).

    `LIENTHONG["DOCUMENT_ABBREVIATIONS"]` ({agency code or unit id: abbreviation}) decides;
    else a short name written as one word ("UBND", "VP") is taken as it is; else the initials
    of the short name's words, acronyms kept whole ("Sở Tư pháp" → "STP"). "" when the unit
    has no short name.
    """
    configured = getattr(settings, "LIENTHONG", {}).get("DOCUMENT_ABBREVIATIONS", {}) or {}
    for key in (unit.code, str(unit.pk)):
        if key and key in configured:
            return str(configured[key]).strip()
    short = (unit.short_name or "").strip()
    if not short or " " not in short:
        return short
    return "".join(word if word.isupper() else word[0].upper() for word in short.split())


@service
def assign_number(document: OutgoingDocument, *, by: User) -> OutgoingDocument:
    """The clerk gives the signed document the next number of the agency's series and year."""
    document = _lock(document)
    _require_status(document, OutgoingStatus.SIGNED)
    _require(is_clerk(by, document.agency), _("Chỉ văn thư của cơ quan mới cấp số được."))
    issuer = abbreviation(document.agency)
    if not issuer:
        raise ValidationError(
            {
                "agency": _("Cơ quan “%(name)s” chưa có tên viết tắt để ghi ký hiệu văn bản.")
                % {"name": document.agency.name}
            }
        )
    year = timezone.localdate().year
    series = series_for(document)
    number = next_number(document.agency, series, year)
    unit = "" if document.drafting_unit_id == document.agency.pk else document.drafting_unit
    notation = format_notation(
        number,
        document.document_type,
        issuer,
        abbreviation(unit) if isinstance(unit, OrgUnit) else "",
    )
    _close_task(document, by)
    with audited("document.outgoing.number", document, org_unit=document.agency):
        document.status = OutgoingStatus.NUMBERED
        document.series = series
        document.year = year
        document.number = number
        document.number_notation = notation
        document.numbered_at = timezone.now()
        _open_task(
            document,
            _("Ban hành, gửi văn bản %(number)s") % {"number": notation},
            by=by,
            role=Role.CLERK,
        )
        _save(
            document,
            [
                "status",
                "series",
                "year",
                "number",
                "number_notation",
                "numbered_at",
                "current_task",
            ],
        )
    _history(document, HistoryEntry.Action.NUMBERED, by, notation)
    indexing.index(document)
    return document


@service
def issue(
    document: OutgoingDocument,
    *,
    by: User,
    issued_date: datetime.date | None = None,
    copies: int | None = None,
    file_copy_unit: OrgUnit | None = None,
) -> OutgoingDocument:
    """The clerk issues the numbered document (ngày ban hành, số lượng bản, bản lưu)."""
    document = _lock(document)
    _require_status(document, OutgoingStatus.NUMBERED)
    _require(is_clerk(by, document.agency), _("Chỉ văn thư của cơ quan mới ban hành được."))
    day = issued_date or timezone.localdate()
    errors: dict[str, str] = {}
    signed_day = timezone.localdate(document.signed_at) if document.signed_at else None
    if signed_day is not None and day < signed_day:
        errors["issued_date"] = _("Ngày ban hành không được trước ngày ký (%(day)s).") % {
            "day": signed_day.strftime("%d/%m/%Y")
        }
    if day > timezone.localdate():
        errors["issued_date"] = _("Ngày ban hành không được sau hôm nay.")
    if copies is not None and copies < 1:
        errors["copies"] = _("Số lượng bản ít nhất là 1.")
    if file_copy_unit is not None and not file_copy_unit.path.startswith(document.agency.path):
        errors["file_copy_unit"] = _("Đơn vị lưu bản phải thuộc cơ quan ban hành.")
    if errors:
        raise ValidationError(errors)
    with audited("document.outgoing.issue", document, org_unit=document.agency):
        document.status = OutgoingStatus.ISSUED
        document.issued_date = day
        if copies is not None:
            document.copies = copies
        if file_copy_unit is not None:
            document.file_copy_unit = file_copy_unit
        document.edxml_document_id = document_id_of(document)
        _save(document, ["status", "issued_date", "copies", "file_copy_unit", "edxml_document_id"])
    _history(document, HistoryEntry.Action.ISSUED, by)
    publish("document.issued", subject=document.number_notation, data=event_data(document))
    indexing.index(document)
    return document


def document_id_of(document: OutgoingDocument) -> str:
    """edXML DocumentId: `OrganId,yyyy/mm/dd,number/notation` (QCVN 102:2016)."""
    day = document.issued_date or timezone.localdate()
    return f"{document.agency.code or ''},{day:%Y/%m/%d},{document.number_notation}"


def event_data(document: OutgoingDocument) -> dict[str, Any]:
    """The `data` of the document events (no content: receivers read it through the API)."""
    return {
        "id": document.pk,
        "direction": "outgoing",
        "agency": document.agency.code or "",
        "agency_id": document.agency_id,
        "number": document.number_notation,
        "type": document.document_type.code,
        "issued_date": document.issued_date,
        "urgency": document.urgency,
        "secret": document.secrecy != Secrecy.NORMAL,
        "document_id": document.edxml_document_id,
    }


# --- Sending --------------------------------------------------------------------------------


def envelope_for(document: OutgoingDocument, recipients: Iterable[Recipient] | None = None) -> Any:
    """The edXML envelope (QCVN 102:2016) of an issued document, the signed PDF attached."""
    from lienthong.exchange.adapters import edxml
    from lienthong.exchange.adapters.edxml_services import organ_for

    rows = list(
        recipients
        if recipients is not None
        else document.recipients.filter(electronic=True).exclude(organ_id="")
    )
    number, _slash, notation = document.number_notation.partition("/")
    attachments = []
    for file in document.files.exclude(kind=OutgoingFile.Kind.MAIN).order_by("kind", "id"):
        if file.kind == OutgoingFile.Kind.ATTACHMENT or file.kind == OutgoingFile.Kind.SIGNED:
            with file.file.open("rb") as handle:
                attachments.append(
                    edxml.Attachment(
                        name=file.name, content_type=file.content_type, data=handle.read()
                    )
                )
    # The signed text first, then the annexes.
    attachments.sort(key=lambda a: not a.name.endswith(".signed.pdf"))
    return edxml.Envelope(
        sender=organ_for(document.agency),
        recipients=[edxml.Organ(organ_id=row.organ_id, name=row.name) for row in rows],
        subject=document.subject,
        code_number=number,
        code_notation=notation,
        promulgation_date=document.issued_date,
        promulgation_place=document.place,
        document_type=document.document_type.name,
        type_code="2" if document.is_legal else "1",
        content=document.content,
        signer_competence=document.signer_competence,
        signer_position=document.signer_position,
        signer_name=document.signer_name,
        due_date=document.due_date,
        priority=int(document.urgency),
        promulgation_amount=document.copies,
        to_places=[line.strip() for line in document.recipients_text.splitlines() if line.strip()],
        document_id=document.edxml_document_id or document_id_of(document),
        attachments=attachments,
    )


@service
def send(document: OutgoingDocument, *, by: User) -> OutgoingDocument:
    """Send the issued document: edXML to each electronic recipient, paper ones marked.

    Recipients of this deployment receive it in the same transaction (their incoming queue);
    others are queued to the exchange peer. A recipient without a route is marked in error,
    the others still go.
    """
    from lienthong.exchange.adapters.edxml_services import send_envelope

    document = _lock(document)
    _require_status(document, OutgoingStatus.ISSUED)
    _require(is_clerk(by, document.agency), _("Chỉ văn thư của cơ quan mới gửi được văn bản."))
    rows = list(document.recipients.all())
    if not rows:
        raise ValidationError({"recipients": _("Văn bản chưa có nơi nhận.")})
    electronic = [row for row in rows if row.electronic and row.organ_id]
    if electronic and not document.agency.code:
        raise ValidationError(
            {"agency": _("Cơ quan ban hành chưa có mã định danh để gửi văn bản điện tử.")}
        )
    now = timezone.now()
    if electronic:
        if not document.files.filter(kind=OutgoingFile.Kind.SIGNED).exists():
            raise ValidationError({"file": _("Văn bản chưa có bản ký số để gửi.")})
        packages = send_envelope(envelope_for(document, electronic), by=by)
        by_organ = {package.organ_id: package for package in packages}
        # Local recipients answered (01, maybe 03) while send_envelope ran: read their rows
        # again so those replies are kept.
        electronic = list(Recipient.objects.filter(pk__in=[row.pk for row in electronic]))
        for row in electronic:
            package = by_organ.get(row.organ_id)
            row.sent_at = now
            if package is None:
                row.state, row.error = DeliveryState.ERROR, _("Không gửi được.")
                continue
            row.package_id = package.pk
            if package.status == "error":
                row.state = DeliveryState.ERROR
                row.error = str(package.status_reason or "")[:500]
            elif package.status_code in STATE_BY_STATUS:
                row.state = max_state(row.state, STATE_BY_STATUS[package.status_code])
                row.status_code = row.status_code or package.status_code
            elif row.state == DeliveryState.PENDING:
                row.state = DeliveryState.QUEUED
        Recipient.objects.bulk_update(
            electronic, ["sent_at", "package_id", "state", "error", "status_code"]
        )
    electronic_ids = {row.pk for row in electronic}
    paper = [row for row in rows if row.pk not in electronic_ids]
    for row in paper:
        row.state, row.sent_at = DeliveryState.MANUAL, now
    Recipient.objects.bulk_update(paper, ["state", "sent_at"])
    _close_task(document, by)
    with audited("document.outgoing.send", document, org_unit=document.agency):
        document.status = OutgoingStatus.SENT
        document.sent_at = now
        _save(document, ["status", "sent_at", "current_task"])
    _history(document, HistoryEntry.Action.SENT, by)
    data = event_data(document)
    data["recipients"] = [
        {"organ_id": row.organ_id, "name": row.name, "state": row.state}
        for row in [*electronic, *paper]
    ]
    publish("document.sent", subject=document.number_notation, data=data)
    return document


#: Later states never go back to earlier ones when replies arrive out of order.
_STATE_ORDER = [
    DeliveryState.PENDING,
    DeliveryState.QUEUED,
    DeliveryState.ERROR,
    DeliveryState.DELIVERED,
    DeliveryState.ACCEPTED,
    DeliveryState.PROCESSING,
    DeliveryState.DONE,
]


def max_state(current: str, new: str) -> str:
    """The state to keep: refusals and recalls always win; otherwise the further one."""
    if new in (DeliveryState.REFUSED, DeliveryState.RECALLED):
        return new
    if current in (DeliveryState.REFUSED, DeliveryState.RECALLED, DeliveryState.MANUAL):
        return current
    order = {state: index for index, state in enumerate(_STATE_ORDER)}
    return (
        new if order.get(DeliveryState(new), 0) >= order.get(DeliveryState(current), 0) else current
    )


def on_status(status: Any, package: Any) -> None:
    """edXML status listener: a reply about a document we sent updates its recipient row.

    Called by the exchange layer inside its transaction; matched on our outbound package,
    else on the DocumentId and the answering organ. Replies about other documents are ignored.
    """
    organ_id = status.sender.organ_id
    rows = Recipient.objects.none()
    if package is not None:
        rows = Recipient.objects.filter(package_id=package.pk)
    if not rows.exists() and status.document_id:
        rows = Recipient.objects.filter(
            document__edxml_document_id=status.document_id, organ_id=organ_id
        )
    for row in rows.select_related("document"):
        code = str(status.status_code)
        moment = status.timestamp or timezone.now()
        if row.status_at is not None and moment < row.status_at and code not in ("02", "13"):
            continue  # an older reply arriving late
        row.status_code = code
        row.status_description = (status.description or _status_meaning(code))[:500]
        row.status_at = moment
        if code in STATE_BY_STATUS:
            row.state = max_state(row.state, STATE_BY_STATUS[code])
        row.save(update_fields=["status_code", "status_description", "status_at", "state"])
        comment = f"{row.name}: {code} {row.status_description}".strip()
        _history(row.document, HistoryEntry.Action.STATUS, None, comment)


def _status_meaning(code: str) -> str:
    from lienthong.exchange.adapters import edxml

    return str(getattr(edxml, "STATUS_CODES", {}).get(code, ""))


def document_source(ident: str) -> Any:
    """edXML document source `outgoing` (`lienthong edxml build --source outgoing --id N`)."""
    document = OutgoingDocument.objects.select_related("agency", "document_type").get(
        pk=int(ident), number__isnull=False
    )
    return envelope_for(document)


# --- Certificates and trust -----------------------------------------------------------------


def _may_manage_certificates(by: User | None, user: User | None = None) -> bool:
    if by is None:  # a command run by the operator of the deployment
        return True
    if by.is_superuser or by.has_role(Role.IT_ADMIN):
        return True
    return user is not None and by.pk == user.pk


@service
def import_certificate(
    *, user: User, pkcs12: bytes, passphrase: str, by: User | None
) -> SigningCertificate:
    """Keep a signer's PKCS#12 store (checked with its passphrase, which is not kept)."""
    _require(
        _may_manage_certificates(by, user),
        _("Bạn không nhập được chứng thư số cho người này."),
    )
    try:
        info, _chain = signing.read_pkcs12(pkcs12, passphrase)
    except signing.SigningError as exc:
        raise ValidationError({"pkcs12": str(exc)}) from exc
    if info.not_after < timezone.now():
        raise ValidationError({"pkcs12": _("Chứng thư số đã hết hiệu lực.")})
    if SigningCertificate.objects.filter(fingerprint=info.fingerprint_sha256).exists():
        raise ValidationError({"pkcs12": _("Chứng thư số này đã được nhập.")})
    certificate = SigningCertificate(
        user=user,
        pkcs12=pkcs12,
        subject=info.subject[:500],
        common_name=info.common_name[:200],
        issuer=info.issuer[:500],
        serial_number=info.serial_number[:80],
        fingerprint=info.fingerprint_sha256,
        not_before=info.not_before,
        not_after=info.not_after,
    )
    with audited("document.certificate.import", certificate, org_unit=user.org_unit):
        certificate.save()
    return certificate


@service
def add_trusted_root(
    *, pem: bytes, by: User | None, name: str = "", is_test: bool = False
) -> list[TrustedRoot]:
    """Trust the root certificate(s) in a PEM/DER file for verifying signatures."""
    _require(_may_manage_certificates(by), _("Chỉ quản trị CNTT mới thêm chứng thư gốc được."))
    try:
        certificates = signing.load_pem_certificates(pem)
    except signing.SigningError as exc:
        raise ValidationError({"pem": str(exc)}) from exc
    added: list[TrustedRoot] = []
    for cert in certificates:
        info = signing.certificate_info(cert)
        if TrustedRoot.objects.filter(fingerprint=info.fingerprint_sha256).exists():
            continue
        root = TrustedRoot(
            name=(name or info.common_name)[:200],
            pem=signing.certificate_pem(cert),
            subject=info.subject[:500],
            fingerprint=info.fingerprint_sha256,
            not_after=info.not_after,
            is_test=is_test,
        )
        with audited("document.trust_root.add", root):
            root.save()
        added.append(root)
    return added


def trust_roots() -> list[x509.Certificate]:
    """The roots signatures are trusted against: active `TrustedRoot` rows, and the PEM files
    named in `LIENTHONG["DOCUMENT_TRUST_ROOTS"]` (a list of paths)."""
    roots = [
        cert
        for pem in TrustedRoot.objects.filter(is_active=True).values_list("pem", flat=True)
        for cert in signing.load_pem_certificates(pem.encode("ascii"))
    ]
    for path in getattr(settings, "LIENTHONG", {}).get("DOCUMENT_TRUST_ROOTS", ()) or ():
        try:
            roots.extend(signing.load_pem_certificates(Path(path).read_bytes()))
        except (OSError, signing.SigningError):
            logger.warning("trust root file %s could not be read", path)
    return roots


def verify_pdf(data: bytes) -> signing.VerificationResult:
    """Verify the signatures of a PDF against the configured trust roots (no network).

    For the files of arriving documents as well as our own; raises `signing.InvalidPdf` when
    the bytes are not a readable PDF.
    """
    return signing.verify_pdf(data, trust_roots=trust_roots())


def test_authority_dir() -> Path:
    return Path(settings.DATA_DIR) / "documents-test-ca"


@service
def generate_test_certificate(
    *, user: User, passphrase: str, by: User | None
) -> SigningCertificate:
    """A test certificate for `user`, issued by the deployment's test CA (made and trusted on
    first use; kept in DATA_DIR/documents-test-ca). For demos and tests only."""
    if len(passphrase) < 4:
        raise ValidationError({"passphrase": _("Mật khẩu tối thiểu 4 ký tự.")})
    folder = test_authority_dir()
    cert_file, key_file = folder / "ca.pem", folder / "ca.key"
    if cert_file.exists() and key_file.exists():
        authority = signing.authority_from_pem(cert_file.read_bytes(), key_file.read_bytes())
    else:
        authority = signing.make_test_authority()
        folder.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(signing.authority_key_pem(authority))
        key_file.chmod(0o600)
        cert_file.write_text(authority.pem())
    add_trusted_root(
        pem=authority.pem().encode("ascii"),
        by=by,
        name=_("CA thử nghiệm Liên Thông"),
        is_test=True,
    )
    organization = user.org_unit.agency.name if user.org_unit and user.org_unit.agency else ""
    p12 = signing.make_test_signer(
        authority, user.full_name or user.username, passphrase, organization=organization
    )
    return import_certificate(user=user, pkcs12=p12, passphrase=passphrase, by=by)


def pdf_bytes(file: OutgoingFile) -> bytes:
    """The stored bytes of a file."""
    with file.file.open("rb") as handle:
        data: bytes = handle.read()
    return data
