"""Incoming documents (văn bản đến), Decree 30/2020/NĐ-CP Art. 20–24: the writes.

Life of an incoming document:

1. It arrives: on paper (the clerk registers it at once, `register_incoming`) or as an edXML
   envelope (`receive_envelope`, called by the edXML local-delivery hook: status ARRIVED, no
   number yet). The clerk accepts an arrived one (`accept_arrived`: registered, edXML status
   03) or refuses it (`refuse_arrived`: status 02). `register_from_envelope` does both steps
   at once (a clerk uploading an edXML file).
2. Registering gives the consecutive arrival number of the agency's year (`next_number`
   "incoming", restarting on 1 January, Art. 22) and presents it to the leaders (Art. 23): a
   task in the pool of the agency's leaders, due at the end of the next working day, within
   one working hour when urgent (edXML status 04).
3. A leader assigns it (`assign`): the lead unit (chủ trì), co-operating units (phối hợp),
   units for information (để biết), a deadline and an instruction. Each unit gets a task in
   its specialists' pool (`UNIT_TASK_ROLE`); edXML status 05.
4. Opinions (`add_opinion`) by anyone who sees it; a co-operating or informed unit's opinion
   closes that unit's task. Follow-ups (`follow_up`, đôn đốc) by the agency's clerks and
   leaders: recorded, and a reminder task for the lead unit.
5. The lead unit completes it (`complete`): result recorded, the lead task done, edXML
   status 06. Co-operating and informed units' tasks still open are closed as no longer
   needed (`workflow.cancel_task`, audited with the reason); an opinion may still be recorded.

Duplicates (same number, notation and issuer, Appendix VI) are refused with
`DuplicateDocument` unless the clerk confirms.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role
from lienthong.core import calendar, scanning
from lienthong.core.audit import audited, service
from lienthong.core.models import OrgUnit
from lienthong.core.text import fold
from lienthong.documents import searching
from lienthong.documents.models import (
    Assignment,
    Direction,
    DocumentType,
    IncomingDocument,
    IncomingFile,
    NumberSeries,
    Opinion,
    Secrecy,
    Urgency,
)
from lienthong.documents.numbering import next_number
from lienthong.documents.visibility import has_role_at, is_office_of
from lienthong.exchange.outbox import publish
from lienthong.workflow import services as workflow
from lienthong.workflow.models import Task

if TYPE_CHECKING:
    from lienthong.accounts.models import User
    from lienthong.exchange.adapters.edxml import Envelope
    from lienthong.exchange.adapters.models import EdxmlPackage

logger = logging.getLogger("lienthong.documents")

#: Who in a unit receives the unit's task for an incoming document.
UNIT_TASK_ROLE = Role.SPECIALIST
#: Largest file attached to an incoming document.
MAX_FILE_BYTES = 50 * 1024 * 1024
CLERK = frozenset({Role.CLERK})
LEADER = frozenset({Role.LEADER})


class WrongState(Exception):
    """The document is not in a state that allows the action (API: 409)."""


class DuplicateDocument(ValidationError):
    """The same number, notation and issuer is already in the register (API: 409)."""

    def __init__(self, existing: IncomingDocument) -> None:
        self.existing = existing
        super().__init__(
            {
                "code_number": _(
                    "Văn bản %(number)s của %(issuer)s đã vào sổ (số đến %(arrival)s). "
                    "Hãy xác nhận nếu vẫn muốn vào sổ."
                )
                % {
                    "number": existing.number_notation,
                    "issuer": existing.issuer,
                    "arrival": existing.arrival_number or "—",
                }
            }
        )


@dataclass
class IncomingData:
    """What the clerk enters for an incoming document (the register's columns)."""

    issuer: str
    subject: str
    document_type: DocumentType
    code_number: str = ""
    code_notation: str = ""
    issued_date: datetime.date | None = None
    urgency: int = Urgency.NORMAL
    secrecy: int = Secrecy.NORMAL
    recipient: str = ""
    signer: str = ""
    due_date: datetime.date | None = None
    notes: str = ""
    issuer_code: str = ""
    arrived_at: datetime.datetime | None = None


@dataclass
class NewFile:
    """A file to attach: its name, bytes and content type."""

    name: str
    data: bytes
    content_type: str = "application/octet-stream"
    sha256: str = field(default="")


# --- Helpers -----------------------------------------------------------------------------------


def _errors(data: IncomingData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.issuer.strip():
        errors["issuer"] = _("Hãy nhập cơ quan ban hành.")
    if len(data.issuer) > 255:
        errors["issuer"] = _("Tên cơ quan ban hành dài quá 255 ký tự.")
    if not data.subject.strip():
        errors["subject"] = _("Hãy nhập trích yếu nội dung.")
    elif len(data.subject) > 500:
        errors["subject"] = _("Trích yếu dài quá 500 ký tự (Phụ lục VI).")
    if len(data.code_number) > 20:
        errors["code_number"] = _("Số văn bản dài quá 20 ký tự.")
    if len(data.code_notation) > 80:
        errors["code_notation"] = _("Ký hiệu dài quá 80 ký tự.")
    if data.urgency not in Urgency.values:
        errors["urgency"] = _("Độ khẩn không hợp lệ.")
    if data.secrecy not in Secrecy.values:
        errors["secrecy"] = _("Độ mật không hợp lệ.")
    today = timezone.localdate()
    if data.issued_date is not None and data.issued_date > today:
        errors["issued_date"] = _("Ngày văn bản không thể sau hôm nay.")
    if data.arrived_at is not None and timezone.is_naive(data.arrived_at):
        errors["arrived_at"] = _("Thời gian đến phải kèm múi giờ.")
    return errors


def find_duplicate(
    agency: OrgUnit,
    *,
    issuer: str,
    code_number: str,
    code_notation: str,
    exclude: int | None = None,
) -> IncomingDocument | None:
    """The agency's document with the same number, notation and issuer (not refused)."""
    if not code_number.strip():
        return None  # a document without a number cannot be matched
    found = IncomingDocument.objects.filter(
        agency=agency,
        issuer_folded=fold(issuer),
        code_number=code_number.strip(),
        code_notation__iexact=code_notation.strip(),
    ).exclude(status=IncomingDocument.Status.REFUSED)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.order_by("pk").first()


def _end_of_office_day(day: datetime.date) -> datetime.datetime:
    close = calendar.OfficeHours.from_settings().periods[-1][1]
    midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=calendar.VN_TZ)
    return midnight + datetime.timedelta(microseconds=close)


def presentation_due(document: IncomingDocument, at: datetime.datetime) -> datetime.datetime:
    """Art. 23: presented the same day or the next working day; urgent ones at once."""
    if document.urgency != Urgency.NORMAL:
        return calendar.add_working_hours(at, 1)
    return _end_of_office_day(calendar.next_working_day(calendar.local_date(at)))


def _deadline(value: datetime.date | datetime.datetime | None) -> datetime.datetime | None:
    if value is None or isinstance(value, datetime.datetime):
        return value
    return _end_of_office_day(value)


def _index(document: IncomingDocument) -> None:
    if document.status in (IncomingDocument.Status.ARRIVED, IncomingDocument.Status.REFUSED):
        searching.remove_document(document.pk, direction=Direction.INCOMING)
        return
    searching.index_document(
        document.pk,
        direction=Direction.INCOMING,
        subject=document.subject,
        agency=document.agency,
        date=calendar.local_date(document.registered_at or document.arrived_at),
        year=document.arrival_year,
        units=list(document.access_units.all()),
        secrecy=document.secrecy,
        urgency=document.urgency,
        document_type=document.document_type,
        number_notation=document.number_notation,
        issuer=document.issuer,
        url=document.get_absolute_url(),
        body="\n".join(filter(None, [document.signer, document.recipient, document.notes])),
    )


def _event(name: str, document: IncomingDocument, **extra: Any) -> None:
    publish(
        f"document.{name}",
        subject=document.number_notation[:200],
        data={
            "id": document.pk,
            "direction": Direction.INCOMING,
            "agency": document.agency.code or "",
            "number": document.number_notation,
            "arrival_number": document.arrival_number,
            "year": document.arrival_year,
            **extra,
        },
    )


def _reply(document: IncomingDocument, code: str, by: User | None, description: str = "") -> None:
    """Answer the sender of an electronic document with an edXML status (03, 04, 05, 06, 02)."""
    if document.package_id is None:
        return
    from lienthong.exchange.adapters import edxml_services

    reply = getattr(edxml_services, "reply_status", None)
    if reply is None:  # the edXML hooks are not installed in this build
        logger.warning(
            "edXML status %s for document %s not sent: no reply_status", code, document.pk
        )
        return
    assert document.package is not None
    reply(document.package, code, description=description[:500], by=by)


def _save_files(document: IncomingDocument, files: Sequence[NewFile]) -> None:
    """Attach the files (size limit, malware scan; stored under a random name, never the one
    given: the original name is kept in `name` for display and download). Every file is checked
    before the first is written, so a refused one leaves nothing on disk."""
    for new in files:
        if len(new.data) > MAX_FILE_BYTES:
            raise ValidationError({"files": _("Tệp %(name)s quá lớn.") % {"name": new.name}})
        try:
            scanning.check_clean(io.BytesIO(new.data), label=new.name or _("Tệp"), name=new.name)
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from None
    for new in files:
        digest = hashlib.sha256(new.data).hexdigest()
        item = IncomingFile(
            document=document,
            name=new.name[:255] or "tep",
            content_type=new.content_type[:100],
            size=len(new.data),
            sha256=digest,
        )
        suffix = PurePosixPath(new.name).suffix.lower()
        stored = secrets.token_hex(8) + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else "")
        item.file.save(stored, ContentFile(new.data), save=False)
        item.save()


def _check_clerk(by: User | None, agency: OrgUnit) -> None:
    if by is not None and not has_role_at(by, agency, CLERK):
        raise PermissionDenied(_("Chỉ văn thư của cơ quan được vào sổ văn bản đến."))


def _fill(document: IncomingDocument, data: IncomingData) -> None:
    document.issuer = data.issuer.strip()
    document.issuer_folded = fold(document.issuer)[:255]
    document.issuer_code = data.issuer_code.strip()
    document.code_number = data.code_number.strip()
    document.code_notation = data.code_notation.strip()
    document.issued_date = data.issued_date
    document.document_type = data.document_type
    document.subject = data.subject.strip()
    document.urgency = int(data.urgency)
    document.secrecy = int(data.secrecy)
    document.recipient = data.recipient.strip()
    document.signer = data.signer.strip()
    document.due_date = data.due_date
    document.notes = data.notes.strip()


def _prepare_registration(
    document: IncomingDocument, *, confirm_duplicate: bool, by: User | None, now: datetime.datetime
) -> None:
    """Everything of a registration but the number: duplicate check, year, status."""
    duplicate = find_duplicate(
        document.agency,
        issuer=document.issuer,
        code_number=document.code_number,
        code_notation=document.code_notation,
        exclude=document.pk,
    )
    if duplicate is not None and not confirm_duplicate:
        raise DuplicateDocument(duplicate)
    document.duplicate_of = duplicate
    document.arrival_year = calendar.local_date(now).year
    document.registered_at = now
    document.registered_by = by
    document.status = IncomingDocument.Status.PRESENTED


def _number_and_present(
    document: IncomingDocument, *, by: User | None, now: datetime.datetime
) -> None:
    """Take the arrival number and present the document to the leaders (leaders' task).

    The number series row stays locked until the transaction ends, and the task's audit
    entry locks the audit chain head: callers do every other write first, so that the two
    rows all registrations share are held for as short a time as possible.
    """
    assert document.arrival_year is not None
    document.arrival_number = next_number(
        document.agency, NumberSeries.Series.INCOMING, document.arrival_year
    )
    document.presentation_task = workflow.create_task(
        title=_("Văn bản đến số %(n)s: %(subject)s")
        % {"n": document.arrival_number, "subject": document.subject[:180]},
        by=by,
        org_unit=document.agency,
        role=Role.LEADER,
        due_at=presentation_due(document, now),
        module="documents",
        url=document.get_absolute_url(),
    )


def _register(document: IncomingDocument, *, confirm_duplicate: bool, by: User | None) -> None:
    """Number, present to the leaders (inside the caller's transaction)."""
    now = timezone.now()
    _prepare_registration(document, confirm_duplicate=confirm_duplicate, by=by, now=now)
    _number_and_present(document, by=by, now=now)


# --- Registration ------------------------------------------------------------------------------


@service
def register_incoming(
    *,
    agency: OrgUnit,
    data: IncomingData,
    files: Sequence[NewFile] = (),
    confirm_duplicate: bool = False,
    by: User,
) -> IncomingDocument:
    """Register a paper document: arrival number, files, presented to the leaders."""
    if not agency.is_agency:
        raise ValidationError({"agency": _("Chỉ cơ quan mới có sổ văn bản đến.")})
    _check_clerk(by, agency)
    errors = _errors(data)
    if errors:
        raise ValidationError(errors)
    document = IncomingDocument(agency=agency, source=IncomingDocument.Source.PAPER)
    _fill(document, data)
    document.arrived_at = data.arrived_at or timezone.now()
    now = timezone.now()
    with audited("document.incoming.register", document):
        _prepare_registration(document, confirm_duplicate=confirm_duplicate, by=by, now=now)
        document.save()
        _save_files(document, files)
        _index(document)
        # Last: the number (its series row locked until commit) and the leaders' task (the
        # audit chain head locked until commit). Every registration of the agency waits on
        # these rows, so nothing slow comes after them.
        _number_and_present(document, by=by, now=now)
        document.save(update_fields=["arrival_number", "presentation_task"])
    _event("registered", document)
    return document


def _data_from_envelope(envelope: Envelope) -> IncomingData:
    type_name = fold(envelope.document_type or "")
    document_type = None
    for candidate in DocumentType.objects.all():
        if fold(candidate.name) == type_name:
            document_type = candidate
            break
    if document_type is None:
        notation_type = (envelope.code_notation or "").split("-", 1)[0]
        document_type = DocumentType.objects.filter(
            code=notation_type
        ).first() or DocumentType.objects.get(code="CV")
    signer = ", ".join(part for part in (envelope.signer_position, envelope.signer_name) if part)
    priority = int(envelope.priority or 0)
    return IncomingData(
        issuer=(envelope.sender.name or envelope.sender.organ_id)[:255],
        issuer_code=envelope.sender.organ_id or "",
        subject=(envelope.subject or envelope.content or "")[:500] or _("(không có trích yếu)"),
        document_type=document_type,
        code_number=str(envelope.code_number or "")[:20],
        code_notation=(envelope.code_notation or "")[:80],
        issued_date=envelope.promulgation_date,
        urgency=priority if priority in Urgency.values else Urgency.NORMAL,
        signer=signer[:150],
        due_date=envelope.due_date,
    )


def receive_envelope(
    envelope: Envelope, agency: OrgUnit, package: EdxmlPackage | None = None
) -> IncomingDocument:
    """An electronic document arrived for `agency`: kept as ARRIVED until a clerk accepts it.

    Called by the edXML receiver hook inside the receiving transaction. Never refuses for a
    business reason (a duplicate is only marked); the clerk decides.
    """
    data = _data_from_envelope(envelope)
    if data.issued_date is not None and data.issued_date > timezone.localdate():
        data.issued_date = None
    with transaction.atomic():
        document = IncomingDocument(
            agency=agency,
            source=IncomingDocument.Source.ELECTRONIC,
            status=IncomingDocument.Status.ARRIVED,
            arrived_at=timezone.now(),
            package=package,
            edxml_document_id=(envelope.document_id or envelope.computed_document_id())[:200],
        )
        _fill(document, data)
        document.duplicate_of = find_duplicate(
            agency,
            issuer=document.issuer,
            code_number=document.code_number,
            code_notation=document.code_notation,
        )
        with audited("document.incoming.arrive", document, actor=None, org_unit=agency):
            document.save()
        _save_files(
            document,
            [
                NewFile(name=a.name, data=a.data, content_type=a.content_type)
                for a in envelope.attachments
            ],
        )
    return document


@service
def accept_arrived(
    document: IncomingDocument, *, confirm_duplicate: bool = False, by: User
) -> IncomingDocument:
    """Accept an arrived electronic document: registered and presented (edXML 03, then 04)."""
    _check_clerk(by, document.agency)
    document = IncomingDocument.objects.select_for_update().get(pk=document.pk)
    if document.status != IncomingDocument.Status.ARRIVED:
        raise WrongState(_("Văn bản này không ở trạng thái chờ tiếp nhận."))
    with audited("document.incoming.register", document):
        _register(document, confirm_duplicate=confirm_duplicate, by=by)
        document.save()
    _index(document)
    _event("registered", document)
    _reply(document, "03", by)
    _reply(document, "04", by)
    return document


@service
def refuse_arrived(document: IncomingDocument, *, reason: str, by: User) -> IncomingDocument:
    """Refuse an arrived electronic document (edXML status 02, with the reason)."""
    _check_clerk(by, document.agency)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do từ chối.")})
    document = IncomingDocument.objects.select_for_update().get(pk=document.pk)
    if document.status != IncomingDocument.Status.ARRIVED:
        raise WrongState(_("Chỉ từ chối được văn bản đang chờ tiếp nhận."))
    with audited("document.incoming.refuse", document):
        document.status = IncomingDocument.Status.REFUSED
        document.refusal_reason = reason.strip()
        document.save(update_fields=["status", "refusal_reason"])
    _reply(document, "02", by, description=document.refusal_reason)
    return document


@service
def register_from_envelope(
    envelope: Envelope,
    agency: OrgUnit,
    package: EdxmlPackage | None = None,
    by: User | None = None,
    *,
    confirm_duplicate: bool = False,
) -> IncomingDocument:
    """Register an edXML envelope at once (a clerk uploading the file): arrive + accept.

    Without `by` (the platform itself) the document is only received (ARRIVED), as the
    edXML receiver hook does.
    """
    document = receive_envelope(envelope, agency, package)
    if by is None:
        return document
    return accept_arrived(document, confirm_duplicate=confirm_duplicate, by=by)


# --- Handling ------------------------------------------------------------------------------


def _check_units(agency: OrgUnit, units: Iterable[OrgUnit], name: str) -> list[str]:
    errors = []
    for unit in units:
        if not unit.path.startswith(agency.path):
            errors.append(
                _("%(unit)s không thuộc %(agency)s.") % {"unit": unit.name, "agency": agency.name}
            )
    return errors


@service
def assign(
    document: IncomingDocument,
    *,
    lead_unit: OrgUnit,
    cooperating: Sequence[OrgUnit] = (),
    informed: Sequence[OrgUnit] = (),
    deadline: datetime.date | datetime.datetime | None = None,
    instruction: str = "",
    by: User,
) -> IncomingDocument:
    """The leader's assignment: lead, co-operating and informed units, deadline (edXML 05)."""
    if not has_role_at(by, document.agency, LEADER):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan được phân công xử lý văn bản."))
    document = IncomingDocument.objects.select_for_update().get(pk=document.pk)
    if document.status != IncomingDocument.Status.PRESENTED:
        raise WrongState(_("Văn bản này không ở trạng thái chờ phân công."))
    errors: dict[str, list[str]] = {}
    for name, units in (
        ("lead_unit", [lead_unit]),
        ("cooperating", cooperating),
        ("informed", informed),
    ):
        if problems := _check_units(document.agency, units, name):
            errors[name] = problems
    seen = [lead_unit.pk, *[u.pk for u in cooperating], *[u.pk for u in informed]]
    if len(seen) != len(set(seen)):
        errors.setdefault("cooperating", []).append(
            _("Mỗi đơn vị chỉ giữ một vai trò: chủ trì, phối hợp hoặc để biết.")
        )
    due = _deadline(deadline)
    if due is not None and due < timezone.now():
        errors["deadline"] = [_("Hạn xử lý đã qua.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with audited("document.incoming.assign", document):
        document.lead_unit = lead_unit
        document.deadline = due
        document.instruction = instruction.strip()
        document.assigned_at = now
        document.assigned_by = by
        document.status = IncomingDocument.Status.ASSIGNED
        document.save()
        parts = [
            (Assignment.Part.LEAD, [lead_unit]),
            (Assignment.Part.COOPERATE, list(cooperating)),
            (Assignment.Part.INFORM, list(informed)),
        ]
        for part, units in parts:
            for unit in units:
                label = Assignment.Part(part).label
                task = workflow.create_task(
                    title=f"[{label}] "
                    + _("Văn bản đến số %(n)s: %(subject)s")
                    % {"n": document.arrival_number, "subject": document.subject[:160]},
                    by=by,
                    org_unit=unit,
                    role=UNIT_TASK_ROLE,
                    due_at=due if part != Assignment.Part.INFORM else None,
                    module="documents",
                    url=document.get_absolute_url(),
                )
                Assignment.objects.create(document=document, unit=unit, part=part, task=task)
        document.access_units.set([unit for _part, units in parts for unit in units])
    _close_task(
        document.presentation_task,
        by,
        otherwise_cancel=_("Văn bản đã được phân công xử lý."),
    )
    if instruction.strip():
        Opinion.objects.create(document=document, author=by, text=instruction.strip())
    _index(document)
    _event(
        "assigned",
        document,
        lead_unit=lead_unit.pk,
        cooperating=[u.pk for u in cooperating],
        informed=[u.pk for u in informed],
        deadline=due.isoformat() if due else None,
    )
    _reply(document, "05", by)
    return document


def _close_task(task: Task | None, by: User, *, otherwise_cancel: str = "") -> bool:
    """Complete an open task when `by` may (True if done); when `by` may not (a leader or a
    superuser outside the task's pool) and `otherwise_cancel` gives a reason, close it as no
    longer needed instead, so the pool is not left with moot work."""
    if task is None:
        return False
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.status != Task.Status.OPEN:
        return False
    if workflow.can_complete(task, by):
        workflow.complete_task(task=task, by=by)
        return True
    if otherwise_cancel:
        workflow.cancel_task(task=task, by=by, reason=otherwise_cancel)
    return False


def _unit_assignments_of(document: IncomingDocument, by: User) -> list[Assignment]:
    return [
        a
        for a in document.assignments.select_related("unit", "task")
        if by.is_superuser or has_role_at(by, a.unit, frozenset(Role))
    ]


@service
def add_opinion(document: IncomingDocument, *, text: str, by: User) -> Opinion:
    """Record an opinion; one by a co-operating or informed unit closes that unit's task."""
    document = IncomingDocument.objects.select_related("agency").get(pk=document.pk)
    if not IncomingDocument.objects.visible_to(by).filter(pk=document.pk).exists():
        raise PermissionDenied(_("Bạn không xem được văn bản này."))
    if not text.strip():
        raise ValidationError({"text": _("Hãy nhập nội dung ý kiến.")})
    if document.status in (IncomingDocument.Status.ARRIVED, IncomingDocument.Status.REFUSED):
        raise WrongState(_("Văn bản chưa vào sổ."))
    mine = [a for a in _unit_assignments_of(document, by) if a.part != Assignment.Part.LEAD]
    opinion = Opinion(
        document=document,
        author=by,
        unit=mine[0].unit if mine else None,
        text=text.strip(),
    )
    with audited("document.incoming.opinion", opinion, org_unit=document.agency):
        opinion.save()
    for assignment in mine:
        _close_task(assignment.task, by)
    return opinion


@service
def complete(document: IncomingDocument, *, result: str, by: User) -> IncomingDocument:
    """The lead unit completes the document (edXML 06); its task is done."""
    document = IncomingDocument.objects.select_for_update().get(pk=document.pk)
    if document.status != IncomingDocument.Status.ASSIGNED:
        raise WrongState(_("Văn bản này không ở trạng thái đang xử lý."))
    assert document.lead_unit is not None
    if not (
        has_role_at(by, document.lead_unit, frozenset(Role))
        or has_role_at(by, document.agency, LEADER)
    ):
        raise PermissionDenied(_("Chỉ đơn vị chủ trì hoặc lãnh đạo được hoàn thành văn bản."))
    if not result.strip():
        raise ValidationError({"result": _("Hãy nhập kết quả xử lý.")})
    with audited("document.incoming.complete", document):
        document.status = IncomingDocument.Status.DONE
        document.result = result.strip()
        document.completed_at = timezone.now()
        document.completed_by = by
        document.save(update_fields=["status", "result", "completed_at", "completed_by"])
        Opinion.objects.create(
            document=document,
            author=by,
            unit=document.lead_unit,
            kind=Opinion.Kind.RESULT,
            text=document.result,
        )
    for assignment in document.assignments.select_related("task"):
        if assignment.part == Assignment.Part.LEAD:
            _close_task(
                assignment.task, by, otherwise_cancel=_("Văn bản đã được hoàn thành xử lý.")
            )
        elif assignment.task is not None and assignment.task.status == Task.Status.OPEN:
            # Co-operating and informed units' work ends with the document (no longer needed).
            workflow.cancel_task(
                task=assignment.task,
                by=by,
                reason=_("Không còn cần thiết: đơn vị chủ trì đã hoàn thành xử lý văn bản."),
            )
    _event(
        "completed",
        document,
        overdue=bool(document.deadline and document.deadline < document.completed_at),
    )
    _reply(document, "06", by)
    return document


@service
def follow_up(document: IncomingDocument, *, message: str, by: User) -> Opinion:
    """Đôn đốc: record a reminder and put it in the lead unit's inbox."""
    document = IncomingDocument.objects.select_related("agency").get(pk=document.pk)
    if not is_office_of(by, document.agency):
        raise PermissionDenied(_("Chỉ văn thư, lãnh đạo cơ quan được đôn đốc."))
    if document.status != IncomingDocument.Status.ASSIGNED:
        raise WrongState(_("Chỉ đôn đốc văn bản đang xử lý."))
    assert document.lead_unit is not None
    text = message.strip() or _("Đề nghị đơn vị khẩn trương xử lý, báo cáo kết quả.")
    opinion = Opinion(document=document, author=by, kind=Opinion.Kind.FOLLOW_UP, text=text)
    with audited("document.incoming.follow_up", opinion, org_unit=document.agency):
        opinion.save()
    workflow.create_task(
        title=_("Đôn đốc: văn bản đến số %(n)s") % {"n": document.arrival_number}
        + f" — {text[:150]}",
        by=by,
        org_unit=document.lead_unit,
        role=UNIT_TASK_ROLE,
        due_at=document.deadline,
        module="documents",
        url=document.get_absolute_url(),
    )
    return opinion


def reindex_all(batch_size: int = 500) -> int:
    """Re-index every registered incoming document (after a change of the rules); count."""
    done = 0
    queryset = (
        IncomingDocument.objects.registered()
        .select_related("agency", "document_type")
        .prefetch_related("access_units")
        .order_by("pk")
    )
    for document in queryset.iterator(chunk_size=batch_size):
        with transaction.atomic():
            _index(document)
        done += 1
    return done


__all__ = [
    "DuplicateDocument",
    "IncomingData",
    "NewFile",
    "WrongState",
    "accept_arrived",
    "add_opinion",
    "assign",
    "complete",
    "find_duplicate",
    "follow_up",
    "receive_envelope",
    "refuse_arrived",
    "register_from_envelope",
    "register_incoming",
    "reindex_all",
]
