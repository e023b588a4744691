"""Writes of the complaints app: reception, filing, acceptance, verification, extension,
conclusion. Each is one transaction (`@service`) with a permission check, a `History` row, an
audit entry and an outbox event (`complaints.events`).

Who does what (roles granted for the resolving agency or a unit above it):

- register a reception, register a case received at the desk or by post: SPECIALIST or LEADER;
- file online: the citizen, for themself;
- accept (thụ lý), refuse, forward to the competent agency, assign the verifier, extend,
  conclude: LEADER (the head who resolves, or their deputy);
- hand in the verification report: the assigned verifier (a SPECIALIST).

A case runs on the workflow engine once accepted, through the process `PROCESS_CODE` (created
on first use by `seed.ensure_process`, steps editable in the admin): "Giao xác minh" (leader)
→ "Xác minh" (the assigned verifier) → "Kết luận, quyết định" (leader). Before that, the
acceptance check is a loose task in the leaders' pool, due when the acceptance limit ends.
Time limits come from `rules` (data, with their article).

Case codes are `{agency code}-{KN|TC|PA}-{yyMMdd}-{NNNN}`, numbered per agency, kind and day
by one `ComplaintCounter` row taken with `INSERT … ON CONFLICT DO UPDATE … RETURNING` (the
technique of the one-stop dossier codes): concurrent filings queue on the row lock until
commit, and a rolled-back filing gives its number back.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lienthong.accounts.models import Role
from lienthong.complaints import events, rules
from lienthong.complaints.models import (
    KIND_CODES,
    Channel,
    Complaint,
    ComplaintCounter,
    Complexity,
    Extension,
    Field,
    History,
    Kind,
    Outcome,
    Phase,
    Reception,
    Stage,
    Status,
)
from lienthong.complaints.seed import PROCESS_CODE, ensure_process
from lienthong.core import calendar, sql
from lienthong.core.audit import audited, service
from lienthong.core.identifiers import parse_personal_id
from lienthong.core.permissions import is_real_user
from lienthong.exchange.outbox import publish
from lienthong.workflow import engine
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import ProcessTemplate, Task
from lienthong.workflow.services import complete_task, create_task

if TYPE_CHECKING:
    from lienthong.accounts.models import User
    from lienthong.core.models import OrgUnit
    from lienthong.workflow.models import Case

__all__ = ["PROCESS_CODE", "Filer", "WrongState"]


# --- Who may act ----------------------------------------------------------------------------


def may_work(user: Any, agency: OrgUnit) -> bool:
    """A specialist or leader of the agency (or of a unit above it)."""
    if not is_real_user(user) or not user.is_official:
        return bool(is_real_user(user) and user.is_superuser)
    return bool(user.has_role(Role.SPECIALIST, agency) or user.has_role(Role.LEADER, agency))


def is_leader(user: Any, agency: OrgUnit) -> bool:
    """A leader of the agency (or of a unit above it)."""
    if not is_real_user(user):
        return False
    return bool(user.is_superuser or (user.is_official and user.has_role(Role.LEADER, agency)))


#: `leader_check(user)`: agency → whether the user leads it.
LeaderCheck = Callable[["OrgUnit"], bool]


def leader_check(user: Any) -> LeaderCheck:
    """`is_leader` for the many cases of one list: one query per agency, not one per case."""
    known: dict[int, bool] = {}

    def leads(agency: OrgUnit) -> bool:
        if agency.pk not in known:
            known[agency.pk] = is_leader(user, agency)
        return known[agency.pk]

    return leads


def _require_leader(user: Any, complaint: Complaint) -> None:
    if not is_leader(user, complaint.agency):
        raise PermissionDenied(
            _("Chỉ lãnh đạo cơ quan giải quyết mới thực hiện được thao tác này.")
        )


def _require_status(complaint: Complaint, *allowed: str) -> None:
    if complaint.status not in allowed:
        raise WrongState(
            _("Đơn đang ở trạng thái “%(status)s”, không thực hiện được thao tác này.")
            % {"status": complaint.get_status_display()}
        )


def task_url(case: Case) -> str:
    """Where an official handles a complaint's task: the complaint's page."""
    return reverse("complaints:detail", args=[case.subject_id])


def process_template() -> ProcessTemplate:
    """The resolution process (created on first use, steps editable in the admin)."""
    return ensure_process()


# --- Codes ----------------------------------------------------------------------------------

_NEXT_NUMBER_SQL = (
    "INSERT INTO {table} (agency_id, day, kind_code, last_value) VALUES (%s, %s, %s, 1) "
    "ON CONFLICT (agency_id, day, kind_code) DO UPDATE SET last_value = {table}.last_value + 1 "
    "RETURNING last_value"
)


def next_code(agency: OrgUnit, kind: str, day: datetime.date) -> str:
    """The agency's next code of `kind` for `day`; call inside the transaction that uses it."""
    if not agency.code:
        raise ValidationError(
            {"agency": _("Cơ quan “%(agency)s” chưa có mã định danh.") % {"agency": agency}}
        )
    db = sql.connection()
    table = db.ops.quote_name(ComplaintCounter._meta.db_table)
    letters = KIND_CODES[Kind(kind)]
    rows = sql.fetch(
        _NEXT_NUMBER_SQL.format(table=table),
        [agency.pk, db.ops.adapt_datefield_value(day), letters],
    )
    return f"{agency.code}-{letters}-{day:%y%m%d}-{int(rows[0][0]):04d}"


# --- Events and history ---------------------------------------------------------------------


def event_data(complaint: Complaint) -> dict[str, Any]:
    """What events say about a case: no identity of the filer, ever."""
    return {
        "id": complaint.pk,
        "code": complaint.code,
        "kind": complaint.kind,
        "stage": complaint.stage,
        "agency": complaint.agency.code,
        "agency_id": complaint.agency_id,
        "field": complaint.field,
        "channel": complaint.channel,
        "status": complaint.status,
        "received_at": complaint.received_at,
        "accept_due_date": complaint.accept_due_date,
        "due_date": complaint.due_date,
        "outcome": complaint.outcome,
    }


def _history(
    complaint: Complaint,
    action: str,
    *,
    by: User | None,
    at: datetime.datetime,
    public_note: str = "",
    internal_note: str = "",
) -> History:
    return History.objects.create(
        complaint=complaint,
        at=at,
        action=action,
        status=complaint.status,
        public_note=public_note,
        internal_note=internal_note,
        by=by,
    )


def _day(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# --- Citizen reception ----------------------------------------------------------------------


@service
def record_reception(
    *,
    agency: OrgUnit,
    person_name: str,
    address: str,
    content: str,
    by: User,
    person_personal_id: str = "",
    people_count: int = 1,
    earlier_handling: str = "",
    requests: str = "",
    result: str = "",
    at: datetime.datetime | None = None,
) -> Reception:
    """Write a row of the citizen reception register (Law 42/2013/QH13)."""
    if not may_work(by, agency):
        raise PermissionDenied(_("Bạn không làm công tác tiếp công dân của cơ quan này."))
    errors: dict[str, str] = {}
    if not person_name.strip():
        errors["person_name"] = _("Hãy nhập họ và tên người đến.")
    if not address.strip():
        errors["address"] = _("Hãy nhập địa chỉ.")
    if not content.strip():
        errors["content"] = _("Hãy nhập nội dung.")
    if people_count < 1:
        errors["people_count"] = _("Số người phải từ 1 trở lên.")
    if person_personal_id.strip():
        try:
            parse_personal_id(person_personal_id.strip())
        except ValidationError as exc:
            errors["person_personal_id"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    reception = Reception(
        agency=agency,
        received_at=at or timezone.now(),
        person_name=person_name.strip(),
        person_personal_id=person_personal_id.strip(),
        address=address.strip(),
        people_count=people_count,
        content=content.strip(),
        earlier_handling=earlier_handling.strip(),
        requests=requests.strip(),
        result=result.strip(),
        received_by=by,
    )
    # The register's names stay out of the log: a reception may open a denunciation.
    with audited("complaints.reception.record", reception):
        reception.save()
    return reception


# --- Filing ---------------------------------------------------------------------------------


@dataclass
class Filer:
    """Who files: name, personal ID, address, phone, email."""

    name: str
    address: str
    personal_id: str = ""
    phone: str = ""
    email: str = ""

    def cleaned(self) -> Filer:
        return Filer(
            name=" ".join(self.name.split()),
            address=self.address.strip(),
            personal_id=self.personal_id.strip(),
            phone=self.phone.strip(),
            email=self.email.strip(),
        )


def _filing_errors(
    *,
    kind: str,
    stage: str,
    agency: OrgUnit,
    field: str,
    filer: Filer,
    subject: str,
    content: str,
    known_on: datetime.date | None,
    late_reason: str,
    remote: bool,
    received_on: datetime.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("Loại đơn không hợp lệ.")
    if kind == Kind.COMPLAINT and stage not in (Stage.FIRST, Stage.SECOND, Stage.DISCIPLINARY):
        errors["stage"] = _("Hãy chọn khiếu nại lần đầu, lần hai hoặc khiếu nại kỷ luật.")
    if field not in Field.values:
        errors["field"] = _("Hãy chọn lĩnh vực.")
    if not agency.is_agency:
        errors["agency"] = _("Hãy chọn một cơ quan giải quyết.")
    # Law 25/2018/QH14, Art. 23; Law 02/2011/QH13, Art. 8: name and address are required.
    if not filer.name:
        errors["filer_name"] = _("Hãy nhập họ và tên người gửi đơn.")
    if not filer.address:
        errors["filer_address"] = _("Hãy nhập địa chỉ người gửi đơn.")
    if filer.personal_id:
        try:
            parse_personal_id(filer.personal_id)
        except ValidationError as exc:
            errors["filer_personal_id"] = exc.messages[0]
    if filer.email:
        try:
            validate_email(filer.email)
        except ValidationError:
            errors["filer_email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    if not subject.strip():
        errors["subject"] = _("Hãy tóm tắt nội dung đơn.")
    if not content.strip():
        errors["content"] = _("Hãy nhập nội dung đơn.")
    if kind == Kind.COMPLAINT and "stage" not in errors:
        if known_on is None:
            errors["known_on"] = _("Hãy nhập ngày nhận được hoặc biết được quyết định, hành vi.")
        elif known_on > received_on:
            errors["known_on"] = _("Ngày biết được quyết định không thể sau ngày gửi đơn.")
        else:
            rule = rules.find_rule(kind=kind, stage=stage, phase=Phase.FILE, remote=remote)
            if rule is not None:
                last = rules.filing_deadline(rule, known_on)
                if received_on > last and not late_reason.strip():
                    errors["known_on"] = _(
                        "Đơn gửi quá thời hiệu %(days)s ngày (%(article)s), hạn cuối là "
                        "%(last)s. Nếu vì ốm đau, thiên tai hoặc trở ngại khách quan khác, "
                        "hãy nêu lý do."
                    ) % {"days": rule.days, "article": rule.article, "last": _day(last)}
    return errors


def _file(
    *,
    kind: str,
    stage: str,
    agency: OrgUnit,
    field: str,
    channel: str,
    filer: Filer,
    subject: str,
    content: str,
    respondent: str,
    known_on: datetime.date | None,
    late_reason: str,
    remote: bool,
    filer_user: User | None,
    reception: Reception | None,
    by: User | None,
    at: datetime.datetime,
) -> Complaint:
    stage = rules.stage_of(kind, stage)
    filer = filer.cleaned()
    errors = _filing_errors(
        kind=kind,
        stage=stage,
        agency=agency,
        field=field,
        filer=filer,
        subject=subject,
        content=content,
        known_on=known_on,
        late_reason=late_reason,
        remote=remote,
        received_on=calendar.local_date(at),
    )
    if errors:
        raise ValidationError(errors)
    limit = rules.apply(rules.require_rule(kind=kind, stage=stage, phase=Phase.ACCEPT), at)
    complaint = Complaint(
        code=f"~{uuid.uuid4().hex}",
        kind=kind,
        stage=stage,
        agency=agency,
        field=field,
        channel=channel,
        reception=reception,
        filer_user=filer_user,
        filer_name=filer.name,
        filer_personal_id=filer.personal_id,
        filer_address=filer.address,
        filer_phone=filer.phone,
        filer_email=filer.email,
        respondent=respondent.strip(),
        subject=" ".join(subject.split())[:255],
        content=content.strip(),
        known_on=known_on,
        late_reason=late_reason.strip(),
        remote=remote,
        received_at=at,
        accept_due_date=limit.date,
        status=Status.RECEIVED,
    )
    with audited("complaints.case.file", complaint):
        complaint.save()
        # The number is taken last: from here to the commit, other filings to this agency wait.
        complaint.code = next_code(agency, kind, calendar.local_date(at))
        complaint.save(update_fields=["code"])
    complaint.intake_task = create_task(
        title=_("%(code)s — Xem xét thụ lý: %(subject)s")
        % {"code": complaint.code, "subject": complaint.subject},
        by=by,
        org_unit=agency,
        role=Role.LEADER,
        due_at=limit.at,
        module="complaints",
        url=reverse("complaints:detail", args=[complaint.pk]),
    )
    complaint.save(update_fields=["intake_task"])
    _history(
        complaint,
        "received",
        # A citizen filing online is the filer: their name stays off the shared history.
        by=by if by is not None and by.is_official else None,
        at=at,
        public_note=gettext_noop("Đơn đã được tiếp nhận; hạn xem xét thụ lý ngày %(day)s.")
        % {"day": _day(limit.date)},
    )
    publish(events.RECEIVED, subject=complaint.code, data=event_data(complaint))
    return complaint


@service
def file_case(
    *,
    kind: str,
    agency: OrgUnit,
    field: str,
    channel: str,
    filer: Filer,
    subject: str,
    content: str,
    by: User,
    stage: str = Stage.FIRST,
    respondent: str = "",
    known_on: datetime.date | None = None,
    late_reason: str = "",
    remote: bool = False,
    filer_user: User | None = None,
    reception: Reception | None = None,
    at: datetime.datetime | None = None,
) -> Complaint:
    """Register a case received at the reception desk or by post (officials), or filed online
    by a citizen for themself (`channel=ONLINE`, `by` the citizen)."""
    at = at or timezone.now()
    if channel == Channel.ONLINE:
        if not (is_real_user(by) and by.is_citizen):
            raise PermissionDenied(_("Chỉ tài khoản công dân mới gửi đơn trực tuyến."))
        filer_user = by
        reception = None
    else:
        if channel not in Channel.values or channel == Channel.FORWARDED:
            raise ValidationError({"channel": _("Hình thức tiếp nhận không hợp lệ.")})
        if not may_work(by, agency):
            raise PermissionDenied(_("Bạn không tiếp nhận đơn cho cơ quan này."))
        if reception is not None and reception.agency_id != agency.pk:
            raise ValidationError({"reception": _("Lượt tiếp công dân thuộc cơ quan khác.")})
    return _file(
        kind=kind,
        stage=stage,
        agency=agency,
        field=field,
        channel=channel,
        filer=filer,
        subject=subject,
        content=content,
        respondent=respondent,
        known_on=known_on,
        late_reason=late_reason,
        remote=remote,
        filer_user=filer_user,
        reception=reception,
        by=by,
        at=at,
    )


# --- Acceptance -----------------------------------------------------------------------------


def _close_intake(complaint: Complaint, by: User) -> None:
    task = complaint.intake_task
    if task is not None and task.status == Task.Status.OPEN:
        complete_task(task=task, by=by)


@service
def accept(
    *,
    complaint: Complaint,
    by: User,
    complexity: str = Complexity.NORMAL,
    remote: bool | None = None,
    at: datetime.datetime | None = None,
) -> Complaint:
    """Accept the case (thụ lý): the resolution time limit starts, the case starts on the
    engine at "Giao xác minh" in the leaders' pool."""
    at = at or timezone.now()
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_leader(by, complaint)
    _require_status(complaint, Status.RECEIVED)
    if complexity not in (Complexity.NORMAL, Complexity.COMPLEX):
        raise ValidationError({"complexity": _("Khi thụ lý chỉ chọn thông thường hoặc phức tạp.")})
    if remote is not None:
        complaint.remote = remote
    rule = rules.require_rule(
        kind=complaint.kind,
        stage=complaint.stage,
        phase=Phase.RESOLVE,
        complexity=complexity,
        remote=complaint.remote,
    )
    limit = rules.apply(rule, at)
    with audited("complaints.case.accept", complaint):
        _close_intake(complaint, by)
        complaint.complexity = complexity
        complaint.status = Status.ACCEPTED
        complaint.accepted_at = at
        complaint.due_date = limit.date
        complaint.original_due_date = limit.date
        complaint.rule_article = rule.article
        complaint.case = engine.start_case(
            template=process_template(),
            subject=complaint,
            agency=complaint.agency,
            title=f"{complaint.code} — {complaint.subject}",
            due_at=limit.at,
            by=by,
            at=at,
        )
        complaint.save()
    _history(
        complaint,
        "accepted",
        by=by,
        at=at,
        public_note=gettext_noop("Đơn đã được thụ lý; hạn giải quyết ngày %(day)s (%(article)s).")
        % {"day": _day(limit.date), "article": rule.article},
    )
    publish(events.ACCEPTED, subject=complaint.code, data=event_data(complaint))
    return complaint


@service
def refuse(
    *, complaint: Complaint, by: User, reason: str, at: datetime.datetime | None = None
) -> Complaint:
    """Do not accept the case (không thụ lý), telling the filer why."""
    at = at or timezone.now()
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_leader(by, complaint)
    _require_status(complaint, Status.RECEIVED)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do không thụ lý.")})
    with audited("complaints.case.refuse", complaint):
        _close_intake(complaint, by)
        complaint.status = Status.REFUSED
        complaint.closing_reason = reason.strip()
        complaint.save(update_fields=["status", "closing_reason"])
    _history(complaint, "refused", by=by, at=at, public_note=reason.strip())
    publish(events.REFUSED, subject=complaint.code, data=event_data(complaint))
    return complaint


@service
def forward_to(
    *,
    complaint: Complaint,
    to_agency: OrgUnit,
    by: User,
    reason: str,
    at: datetime.datetime | None = None,
) -> Complaint:
    """Send a case the agency is not competent for to the competent agency, where it is
    registered anew (channel "forwarded"); the filer is told (Law 25/2018/QH14, Art. 24(2))."""
    at = at or timezone.now()
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_leader(by, complaint)
    _require_status(complaint, Status.RECEIVED)
    errors: dict[str, str] = {}
    if not to_agency.is_agency or to_agency.pk == complaint.agency_id:
        errors["to_agency"] = _("Hãy chọn một cơ quan khác có thẩm quyền.")
    if not reason.strip():
        errors["reason"] = _("Hãy nêu lý do chuyển đơn.")
    if errors:
        raise ValidationError(errors)
    with audited("complaints.case.forward", complaint):
        _close_intake(complaint, by)
        complaint.status = Status.FORWARDED
        complaint.forwarded_to = to_agency
        complaint.closing_reason = reason.strip()
        complaint.save(update_fields=["status", "forwarded_to", "closing_reason"])
    new = _file(
        kind=complaint.kind,
        stage=complaint.stage,
        agency=to_agency,
        field=complaint.field,
        channel=Channel.FORWARDED,
        filer=Filer(
            name=complaint.filer_name,
            address=complaint.filer_address,
            personal_id=complaint.filer_personal_id,
            phone=complaint.filer_phone,
            email=complaint.filer_email,
        ),
        subject=complaint.subject,
        content=complaint.content,
        respondent=complaint.respondent,
        known_on=complaint.known_on,
        # The filing limit was checked where it was filed; the date filed still counts.
        late_reason=complaint.late_reason
        or _("Chuyển từ %(agency)s") % {"agency": complaint.agency},
        remote=complaint.remote,
        filer_user=complaint.filer_user,
        reception=None,
        by=by,
        at=at,
    )
    _history(
        complaint,
        "forwarded",
        by=by,
        at=at,
        public_note=gettext_noop("Đơn đã được chuyển đến %(agency)s (mã đơn mới %(code)s).")
        % {"agency": to_agency.name, "code": new.code},
        internal_note=reason.strip(),
    )
    publish(
        events.FORWARDED,
        subject=complaint.code,
        data={**event_data(complaint), "new_code": new.code},
    )
    return complaint


# --- Verification and conclusion ------------------------------------------------------------


@service
def assign(
    *,
    complaint: Complaint,
    handler: User,
    by: User,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Complaint:
    """Assign the verifier (giao xác minh): the case moves to "Xác minh" in their inbox."""
    at = at or timezone.now()
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_leader(by, complaint)
    _require_status(complaint, Status.ACCEPTED)
    assert complaint.case is not None
    with audited("complaints.case.assign", complaint):
        engine.forward(case=complaint.case, by=by, note=note, assignee=handler, at=at)
        complaint.handler = handler
        complaint.status = Status.VERIFYING
        complaint.save(update_fields=["handler", "status"])
    _history(
        complaint,
        "assigned",
        by=by,
        at=at,
        public_note=gettext_noop("Đơn đã được giao xác minh."),
        internal_note=note,
    )
    publish(events.ASSIGNED, subject=complaint.code, data=event_data(complaint))
    return complaint


@service
def extend(
    *,
    complaint: Complaint,
    by: User,
    complexity: str,
    notice_number: str,
    reason: str,
    days: int | None = None,
    at: datetime.datetime | None = None,
) -> Extension:
    """Extend a denunciation's time limit by written notice: once if complex, twice if
    especially complex, each by at most 30 days (Law 25/2018/QH14, Art. 30)."""
    at = at or timezone.now()
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_leader(by, complaint)
    if complaint.kind != Kind.DENUNCIATION:
        raise ValidationError(
            {
                "kind": _(
                    "Luật Khiếu nại không cho gia hạn: thời hạn dài hơn dành cho vụ việc phức "
                    "tạp được chọn khi thụ lý."
                )
            }
        )
    _require_status(complaint, Status.ACCEPTED, Status.VERIFYING, Status.REPORTED)
    errors: dict[str, str] = {}
    if complexity not in (Complexity.COMPLEX, Complexity.VERY_COMPLEX):
        errors["complexity"] = _("Chỉ vụ việc phức tạp hoặc đặc biệt phức tạp mới được gia hạn.")
    if not notice_number.strip():
        errors["notice_number"] = _("Hãy nhập số văn bản gia hạn.")
    if not reason.strip():
        errors["reason"] = _("Hãy nêu lý do gia hạn.")
    if errors:
        raise ValidationError(errors)
    rule = rules.require_rule(
        kind=complaint.kind, stage=complaint.stage, phase=Phase.EXTEND, complexity=complexity
    )
    done = complaint.extensions.count()
    if done >= rule.max_times:
        raise ValidationError(
            {
                "complexity": _(
                    "Đã gia hạn %(done)s lần; vụ việc %(level)s chỉ được gia hạn %(max)s lần "
                    "(%(article)s)."
                )
                % {
                    "done": done,
                    "level": Complexity(complexity).label.lower(),
                    "max": rule.max_times,
                    "article": rule.article,
                }
            }
        )
    days = rule.days if days is None else days
    if not 1 <= days <= rule.days:
        raise ValidationError(
            {"days": _("Mỗi lần gia hạn từ 1 đến %(max)s ngày.") % {"max": rule.days}}
        )
    assert complaint.due_date is not None and complaint.case is not None
    if calendar.local_date(at) > complaint.due_date:
        raise ValidationError(
            {
                "days": _("Thời hạn giải quyết đã hết ngày %(day)s: không gia hạn được nữa.")
                % {"day": _day(complaint.due_date)}
            }
        )
    new_due = rules.add_days(complaint.due_date, days, rule.day_kind)
    extension = Extension(
        complaint=complaint,
        number=done + 1,
        complexity=complexity,
        days=days,
        notice_number=notice_number.strip(),
        reason=reason.strip(),
        previous_due_date=complaint.due_date,
        new_due_date=new_due,
        article=rule.article,
        at=at,
        by=by,
    )
    with audited("complaints.case.extend", complaint):
        extension.save()
        # The engine's clock gets the new due moment (its "restart with a new due" move).
        note = _("Gia hạn lần %(n)s (%(notice)s)") % {
            "n": extension.number,
            "notice": notice_number,
        }
        engine.pause(case=complaint.case, by=None, note=note, at=at)
        engine.resume(
            case=complaint.case, by=by, note=note, at=at, due_at=rules.end_of_office_day(new_due)
        )
        complaint.case.refresh_from_db()
        complaint.complexity = complexity
        complaint.due_date = new_due
        complaint.save(update_fields=["complexity", "due_date"])
    _history(
        complaint,
        "extended",
        by=by,
        at=at,
        public_note=gettext_noop(
            "Thời hạn giải quyết được gia hạn lần %(n)s theo văn bản số %(notice)s; hạn mới "
            "ngày %(day)s."
        )
        % {"n": extension.number, "notice": extension.notice_number, "day": _day(new_due)},
        internal_note=reason.strip(),
    )
    publish(
        events.EXTENDED,
        subject=complaint.code,
        data={**event_data(complaint), "extension": extension.number},
    )
    return extension


@service
def report(
    *, complaint: Complaint, by: User, text: str, at: datetime.datetime | None = None
) -> Complaint:
    """The verifier hands in the verification report (báo cáo kết quả xác minh)."""
    at = at or timezone.now()
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_status(complaint, Status.VERIFYING)
    if not text.strip():
        raise ValidationError({"text": _("Hãy nhập báo cáo kết quả xác minh.")})
    assert complaint.case is not None
    with audited("complaints.case.report", complaint):
        # The engine checks that `by` holds the verification task.
        engine.forward(case=complaint.case, by=by, note=_("Báo cáo kết quả xác minh"), at=at)
        complaint.verification_report = text.strip()
        complaint.status = Status.REPORTED
        complaint.save(update_fields=["verification_report", "status"])
    _history(complaint, "reported", by=by, at=at, internal_note=text.strip())
    publish(events.REPORTED, subject=complaint.code, data=event_data(complaint))
    return complaint


@service
def conclude(
    *,
    complaint: Complaint,
    by: User,
    outcome: str,
    conclusion: str,
    number: str,
    at: datetime.datetime | None = None,
) -> Complaint:
    """Issue the conclusion (tố cáo) or resolution decision (khiếu nại), or the answer to a
    petition; the case ends."""
    at = at or timezone.now()
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_leader(by, complaint)
    _require_status(complaint, Status.REPORTED)
    errors: dict[str, str] = {}
    allowed = (
        [Outcome.ANSWERED]
        if complaint.kind == Kind.PETITION
        else [Outcome.RIGHT, Outcome.WRONG, Outcome.PARTLY]
    )
    if outcome not in allowed:
        errors["outcome"] = _("Hãy chọn kết quả: %(choices)s.") % {
            "choices": ", ".join(str(Outcome(o).label) for o in allowed)
        }
    if not conclusion.strip():
        errors["conclusion"] = _("Hãy nhập nội dung kết luận, quyết định.")
    if not number.strip():
        errors["number"] = _("Hãy nhập số văn bản.")
    if errors:
        raise ValidationError(errors)
    assert complaint.case is not None
    with audited("complaints.case.conclude", complaint):
        engine.forward(case=complaint.case, by=by, note=_("Kết luận, quyết định giải quyết"), at=at)
        complaint.outcome = outcome
        complaint.conclusion = conclusion.strip()
        complaint.conclusion_number = number.strip()
        complaint.concluded_at = at
        complaint.status = Status.CONCLUDED
        complaint.save(
            update_fields=["outcome", "conclusion", "conclusion_number", "concluded_at", "status"]
        )
    _history(
        complaint,
        "concluded",
        by=by,
        at=at,
        public_note=gettext_noop("Đã có văn bản số %(number)s: %(outcome)s. %(text)s")
        % {"number": number.strip(), "outcome": Outcome(outcome).label, "text": conclusion.strip()},
    )
    publish(events.CONCLUDED, subject=complaint.code, data=event_data(complaint))
    return complaint


def on_time(complaint: Complaint) -> bool | None:
    """Whether a concluded case was concluded by its due date (None while open)."""
    if complaint.concluded_at is None or complaint.due_date is None:
        return None
    return calendar.local_date(complaint.concluded_at) <= complaint.due_date
