"""Processing a dossier — giải quyết hồ sơ — from acceptance to the result (issue 3, item 4–5).

Every function here is a service: one transaction (`@service`), a permission check, the
change, a `DossierHistory` row, an audit entry (`audited`) and outbox events, or nothing at
all. The workflow engine moves the dossier's case; this module keeps the dossier's national
status (DOMAIN.md, "One-stop shop") in step with it.

Statuses
    PROCESSING (4) while the case runs the steps before the final one-stop step ("Trả kết
    quả", role one-stop officer). Forwarding into that step — the leader approves — or
    finishing the last step of a template without such a step makes the dossier PROCESSED
    (9): `processed_at` is set and `timeliness` classified (see below). Returning the result
    (`results.return_result`) makes it RETURNED (10) and finishes the case.

Supplement (Circular 01/2018 form 02; Decree 61/2018 Art. 19(4))
    `request_supplement` sets SUPPLEMENT_REQUESTED (5), records what is missing and why,
    pauses the case (the clock stops) and tells the applicant. The applicant may upload the
    documents online (`submit_supplement`); an official confirms that the dossier is complete
    (`confirm_supplement`) and the time limit then counts again *from the start* ("Thời hạn
    giải quyết được tính lại từ đầu sau khi nhận đủ hồ sơ"): the new due date is the
    procedure's full limit counted from that moment by the calendar kernel, the case resumes
    with that due moment, the appointment (`due_date`, `original_due_date`) is re-issued and
    the status is PROCESSING again. A dossier still NEW (submitted online, not yet accepted)
    may also be asked to supplement; it returns to NEW and the clock starts at acceptance.
    Decree 61/2018 Art. 12(2)(c) allows asking for a supplement only once ("chỉ được yêu cầu
    sửa đổi, bổ sung một lần"): a second request is refused (409) with that reason. Asking
    later than 3 working days after receipt (Art. 19(4)) is allowed but noted internally.

Financial obligation
    `request_obligation` sets FINANCIAL_OBLIGATION (6) with the amount and what it is for and
    pauses the clock: the time the applicant takes to pay is not the agency's time (as land
    procedures count it). `confirm_obligation_paid` resumes the clock from the working time
    that was left (no restart) and returns to PROCESSING; the appointment moves accordingly.

Hand-over (một cửa liên thông, Decree 61/2018 Art. 19(6)–(7))
    `hand_over_dossier` moves the case to another agency (engine.hand_over); the dossier's
    `agency` stays the receiving one-stop desk, which returns the result. The other agency's
    officials see the dossier (see `DossierQuerySet.scope_condition`). When the other agency
    approves (forwards into the final return step), the case is handed back to the receiving
    agency on the one-step template "Trả kết quả" (`return_template()`), so that the desk
    that received the dossier returns the result, as Art. 19(7)(b) says.

Stop and withdraw
    `stop_dossier` (STOPPED 8, an official, with a reason) and `withdraw_dossier` (WITHDRAWN 7,
    the applicant online or the one-stop officer at the counter on their request, any time
    before the dossier is processed) stop the case for good. `processed_at` records when
    processing ended (statistics read it so); `timeliness` stays blank: nothing was settled.

Lateness (Decree 61/2018 Art. 19(9); Circular 01/2018 form 04)
    When the case is at risk or overdue (`engine.risk_of`), an official of the unit holding
    the late step (its holder, or a leader of that unit) writes the apology letter with the
    reason and a new return date from the calendar. The dossier's `due_date`/`due_at` move to
    it, `original_due_date` keeps the appointment of the receipt, `late_unit` records the unit
    for statistics, the case's due moment moves (pause + resume with the new due moment) and
    the applicant is told. Art. 19(9) allows the new appointment only once: a second letter is
    refused.

Timeliness (DOMAIN.md)
    Compared in local dates (Asia/Ho_Chi_Minh): `processed_at` before the appointment is
    early, on it on time, after it late. The appointment is `original_due_date` (the receipt's
    date, re-issued when the clock legitimately restarts or pauses, but not moved by an
    apology) or, if unset, `due_date`. A procedure without a time limit is on time.

Events (CloudEvents through the outbox; subject = the dossier code; data: code, status,
previous_status, agency and procedure codes, and the transition's own non-personal facts):
`dossier.forwarded`, `dossier.step_returned`, `dossier.handed_over`, `dossier.processed`,
`dossier.supplement_requested`, `dossier.supplement_submitted`, `dossier.supplemented`,
`dossier.obligation_requested`, `dossier.obligation_paid`, `dossier.stopped`,
`dossier.withdrawn`, `dossier.apologised`, `dossier.result_ready`, `dossier.returned`; and
`dossier.status_changed` beside each of them that changes the status.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lienthong.accounts.models import Role
from lienthong.core import calendar
from lienthong.core.audit import record, service, snapshot
from lienthong.core.models import OrgUnit
from lienthong.core.pdf import render_pdf
from lienthong.core.uploads import check_upload
from lienthong.exchange.outbox import publish
from lienthong.onestop.intake import Due, due_for, end_of_office_day, event_data
from lienthong.onestop.models import (
    ApologyLetter,
    Dossier,
    DossierComponent,
    DossierHistory,
    DossierResult,
    DossierStatus,
    FinancialObligation,
    Procedure,
    SupplementRequest,
    Timeliness,
)
from lienthong.workflow import engine
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case, ProcessStep, ProcessTemplate, Task

if TYPE_CHECKING:
    from lienthong.accounts.models import User

__all__ = [
    "WrongState",
    "confirm_obligation_paid",
    "confirm_supplement",
    "due_from",
    "forward_dossier",
    "hand_over_dossier",
    "request_obligation",
    "request_supplement",
    "return_to_step",
    "stop_dossier",
    "submit_supplement",
    "withdraw_dossier",
    "write_apology",
]

#: Code of the one-step template on which a handed-over case comes back to the receiving desk.
RETURN_TEMPLATE_CODE = "onestop-tra-ket-qua"
#: Statuses in which the applicant may still withdraw (before the dossier is processed).
WITHDRAWABLE = (
    DossierStatus.NEW,
    DossierStatus.ACCEPTED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.FINANCIAL_OBLIGATION,
)
#: Statuses in which an official may stop processing.
STOPPABLE = (
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.FINANCIAL_OBLIGATION,
)
#: Working days after receipt within which a supplement should be asked (Decree 61, 19(4)).
SUPPLEMENT_NOTICE_DAYS = 3


# --- Time limits ----------------------------------------------------------------------------


def due_from(procedure: Procedure, start: datetime.datetime) -> Due | None:
    """The procedure's full time limit counted from `start` (intake's rule), or None if the
    procedure has no time limit."""
    if procedure.time_limit_value is None or not procedure.time_limit_unit:
        return None
    return due_for(procedure, start)


def classify(processed_at: datetime.datetime, appointment: datetime.date | None) -> str:
    """Early, on time or late, comparing local dates (DOMAIN.md)."""
    if appointment is None:
        return Timeliness.ON_TIME
    finished = calendar.local_date(processed_at)
    if finished < appointment:
        return Timeliness.EARLY
    if finished == appointment:
        return Timeliness.ON_TIME
    return Timeliness.LATE


def _set_due(dossier: Dossier, due_at: datetime.datetime | None, *, reissue: bool) -> None:
    """Move the appointment to `due_at`; `reissue` also moves the date the receipt promised."""
    if due_at is None:
        return
    dossier.due_at = due_at
    dossier.due_date = calendar.local_date(due_at)
    if reissue:
        dossier.original_due_date = dossier.due_date


# --- Shared machinery -----------------------------------------------------------------------


def locked(dossier: Dossier) -> Dossier:
    """The dossier re-read under a row lock (two officials may press a button together)."""
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency")
        .get(pk=dossier.pk)
    )


@contextmanager
def audited(action: str, obj: Any) -> Iterator[Any]:
    """Record the change made in the block with the row's before and after state.

    The services lock and re-read the row first, so the instance is what the database holds:
    its snapshots are taken in memory (`core.audit.audited` reads the row twice more, which
    the hot path of forwarding dossiers does not need). Inside the caller's transaction.
    """
    before = snapshot(obj) if obj.pk is not None else None
    yield obj
    record(action, obj, before=before, after=snapshot(obj))


def require_status(dossier: Dossier, *allowed: int) -> None:
    """WrongState (409) unless the dossier is in one of the `allowed` statuses."""
    if dossier.status not in allowed:
        raise WrongState(
            _("Hồ sơ %(code)s đang ở trạng thái “%(status)s”, không thực hiện được thao tác này.")
            % {"code": dossier.code, "status": dossier.get_status_display()}
        )


def case_of(dossier: Dossier) -> Case:
    """The dossier's workflow case; WrongState if it has none yet (not accepted)."""
    if dossier.case_id is None:
        raise WrongState(_("Hồ sơ %(code)s chưa được giao xử lý.") % {"code": dossier.code})
    return Case.objects.select_related("current_step", "agency", "template").get(pk=dossier.case_id)


def task_of(case: Case) -> Task:
    """The case's open task; WrongState if none is open."""
    task = engine.current_task(case)
    if task is None:
        raise WrongState(_("Hồ sơ không có bước đang xử lý."))
    return task


def holds(task: Task | None, user: User) -> bool:
    """Whether `user` may act on `task` (its holder, or their substitute)."""
    if task is None:
        return False
    try:
        engine.actor_for(task, user)
    except PermissionDenied:
        return False
    return True


def has_role_at(user: User, roles: Iterable[str], *units: OrgUnit | None) -> bool:
    """Whether the active official `user` holds one of `roles` for one of `units`."""
    if not (user.is_active and getattr(user, "is_official", False)):
        return False
    return any(user.has_role(role, unit) for unit in units if unit is not None for role in roles)


def deny(message: str | None = None) -> PermissionDenied:
    """The refusal (403) of an action the user may not take on this dossier."""
    return PermissionDenied(message or _("Bạn không có quyền thực hiện thao tác này với hồ sơ."))


def unit_of(by: User | None, task: Task | None = None) -> OrgUnit | None:
    """The unit a history row names: the task's unit, else the acting official's."""
    if task is not None and task.org_unit_id is not None:
        return task.org_unit
    return getattr(by, "org_unit", None)


def record_transition(
    dossier: Dossier,
    *,
    event: str,
    previous_status: int,
    by: User | None,
    at: datetime.datetime,
    org_unit: OrgUnit | int | None = None,
    public_note: str = "",
    internal_note: str = "",
    data: dict[str, Any] | None = None,
) -> DossierHistory:
    """Write the history row and the outbox events of a transition (the caller audits it)."""
    history = DossierHistory.objects.create(
        dossier=dossier,
        status=dossier.status,
        at=at,
        by=by,
        org_unit_id=org_unit.pk if isinstance(org_unit, OrgUnit) else org_unit,
        public_note=public_note,
        internal_note=internal_note,
    )
    payload: dict[str, Any] = {
        **event_data(dossier),
        "previous_status": int(previous_status),
        "history_id": history.pk,
        **(data or {}),
    }
    publish(event, subject=dossier.code, data=payload)
    if dossier.status != previous_status:
        # The same shape as intake's status changes, so a consumer reads them all alike.
        publish(
            "dossier.status_changed",
            subject=dossier.code,
            data={
                "id": dossier.pk,
                "code": dossier.code,
                "agency": dossier.agency.code,
                "from_status": int(previous_status),
                "to_status": int(dossier.status),
                "at": at,
                "event": event,
            },
        )
    return history


def _format_date(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def task_url(case: Case) -> str:
    """Where an official handles a one-stop case's task: the dossier page (for
    `workflow.modules.register("onestop", task_url=…)`)."""
    from django.urls import reverse

    return reverse("onestop:processing_dossier_by_id", args=[case.subject_id])


# --- Moving through the steps ---------------------------------------------------------------


def _is_return_step(step: engine.StepInfo, steps: Sequence[engine.StepInfo]) -> bool:
    """The final one-stop step (Trả kết quả) of a template with processing steps before it."""
    return len(steps) > 1 and step.id == steps[-1].id and step.role == Role.ONESTOP_OFFICER


def return_template() -> ProcessTemplate:
    """The one-step template on which a handed-over case comes back to the receiving desk."""
    template = ProcessTemplate.objects.filter(code=RETURN_TEMPLATE_CODE).first()
    if template is not None:
        return template
    try:
        with transaction.atomic():
            template = ProcessTemplate.objects.create(
                code=RETURN_TEMPLATE_CODE,
                name=_("Trả kết quả hồ sơ liên thông"),
                module="onestop",
                description=_(
                    "Cơ quan giải quyết chuyển kết quả về Bộ phận Một cửa nơi tiếp nhận hồ sơ "
                    "để trả cho tổ chức, cá nhân (Điều 19 Nghị định 61/2018/NĐ-CP)."
                ),
            )
            ProcessStep.objects.create(
                template=template,
                order=1,
                name=_("Trả kết quả"),
                role=Role.ONESTOP_OFFICER,
                time_share=Decimal(100),
            )
    except IntegrityError:
        # Someone else created it meanwhile.
        template = ProcessTemplate.objects.get(code=RETURN_TEMPLATE_CODE)
    return template


def _mark_processed(dossier: Dossier, at: datetime.datetime) -> None:
    dossier.status = DossierStatus.PROCESSED
    dossier.processed_at = at
    dossier.timeliness = classify(at, dossier.original_due_date or dossier.due_date)


@service
def forward_dossier(
    dossier: Dossier,
    *,
    by: User,
    note: str = "",
    assignee: User | None = None,
    at: datetime.datetime | None = None,
    seen_task: int | None = None,
) -> Dossier:
    """Finish the current step and send the dossier on (the leader's forward approves it).

    `seen_task`: the open task the official was shown; if the dossier moved on meanwhile (a
    second click, a colleague), WrongState instead of acting on the next step."""
    at = at or timezone.now()
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.PROCESSING)
    case = case_of(dossier)
    # The hot path: the steps come from the engine's cache, names and units from them.
    steps = engine.cached_steps(case.template_id, case.template.revision)
    index = next((i for i, s in enumerate(steps) if s.id == case.current_step_id), None)
    if index is None:
        raise WrongState(_("Bước hiện tại của hồ sơ không còn trong quy trình."))
    from_step = steps[index]
    next_step = steps[index + 1] if index + 1 < len(steps) else None
    acting_unit = from_step.org_unit_id or case.agency_id
    into_return = next_step is not None and _is_return_step(next_step, steps)
    previous = dossier.status
    with audited("onestop.dossier.forward", dossier):
        if into_return and case.agency_id != dossier.agency_id:
            # The other agency approved: the result goes back to the desk that received it.
            case = engine.hand_over(
                case=case,
                to_agency=dossier.agency,
                by=by,
                note=note or gettext_noop("Chuyển kết quả về Bộ phận Một cửa nơi tiếp nhận hồ sơ."),
                template=return_template(),
                at=at,
                task=seen_task,
            )
            to_name = gettext_noop("Trả kết quả")
        else:
            case = engine.forward(
                case=case, by=by, note=note, assignee=assignee, at=at, task=seen_task
            )
            to_name = next_step.name if next_step is not None else ""
        processed = into_return or case.status == Case.Status.FINISHED
        if processed:
            _mark_processed(dossier, at)
            dossier.save(update_fields=["status", "processed_at", "timeliness"])
    internal = gettext_noop("Chuyển từ bước “%(from)s” sang bước “%(to)s”.") % {
        "from": from_step.name,
        "to": to_name,
    }
    if note:
        internal += " " + note
    record_transition(
        dossier,
        event="dossier.processed" if processed else "dossier.forwarded",
        previous_status=previous,
        by=by,
        at=at,
        org_unit=acting_unit,
        public_note=gettext_noop("Hồ sơ đã được giải quyết xong, chờ trả kết quả.")
        if processed
        else "",
        internal_note=internal,
        data={
            "from_step": from_step.name,
            "to_step": to_name,
            **({"timeliness": dossier.timeliness} if processed else {}),
        },
    )
    return dossier


@service
def return_to_step(
    dossier: Dossier,
    *,
    step: ProcessStep,
    by: User,
    note: str,
    at: datetime.datetime | None = None,
    seen_task: int | None = None,
) -> Dossier:
    """Send the dossier back to an earlier step of its process, with the reason."""
    at = at or timezone.now()
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.PROCESSING)
    case = case_of(dossier)
    task = task_of(case)
    from_step = case.current_step
    with audited("onestop.dossier.return_step", dossier):
        engine.return_to(case=case, step=step, by=by, note=note, at=at, task=seen_task)
    record_transition(
        dossier,
        event="dossier.step_returned",
        previous_status=dossier.status,
        by=by,
        at=at,
        org_unit=unit_of(by, task),
        internal_note=gettext_noop("Trả lại từ bước “%(from)s” về bước “%(to)s”: %(note)s")
        % {"from": from_step.name if from_step else "", "to": step.name, "note": note},
        data={"from_step": from_step.name if from_step else "", "to_step": step.name},
    )
    return dossier


@service
def hand_over_dossier(
    dossier: Dossier,
    *,
    to_agency: OrgUnit,
    by: User,
    note: str,
    at: datetime.datetime | None = None,
    seen_task: int | None = None,
) -> Dossier:
    """Hand the dossier to another agency to process (một cửa liên thông)."""
    at = at or timezone.now()
    if not note.strip():
        raise ValidationError({"note": _("Hãy nêu nội dung đề nghị cơ quan kia giải quyết.")})
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.PROCESSING)
    case = case_of(dossier)
    task = task_of(case)
    from_agency = case.agency
    with audited("onestop.dossier.hand_over", dossier):
        engine.hand_over(case=case, to_agency=to_agency, by=by, note=note, at=at, task=seen_task)
    record_transition(
        dossier,
        event="dossier.handed_over",
        previous_status=dossier.status,
        by=by,
        at=at,
        org_unit=unit_of(by, task),
        public_note=gettext_noop("Hồ sơ được chuyển đến %(agency)s để giải quyết liên thông.")
        % {"agency": to_agency.name},
        internal_note=gettext_noop("Chuyển từ %(from)s đến %(to)s: %(note)s")
        % {"from": from_agency.name, "to": to_agency.name, "note": note},
        data={"from_agency": from_agency.code, "to_agency": to_agency.code},
    )
    return dossier


# --- Supplement -----------------------------------------------------------------------------


def _clean_items(items: Iterable[str]) -> list[str]:
    return [item.strip() for item in items if item and item.strip()]


@service
def request_supplement(
    dossier: Dossier,
    *,
    items: Sequence[str],
    reason: str,
    by: User,
    at: datetime.datetime | None = None,
) -> SupplementRequest:
    """Ask the applicant to complete the dossier (form 02); the clock stops until they do."""
    at = at or timezone.now()
    errors: dict[str, str] = {}
    cleaned = _clean_items(items)
    if not cleaned:
        errors["items"] = _("Hãy nêu ít nhất một giấy tờ hoặc nội dung cần bổ sung.")
    if not reason.strip():
        errors["reason"] = _("Hãy nêu lý do yêu cầu bổ sung.")
    if errors:
        raise ValidationError(errors)
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.NEW, DossierStatus.PROCESSING)
    if dossier.supplements.exists():
        raise WrongState(
            _(
                "Hồ sơ %(code)s đã được yêu cầu bổ sung một lần; theo điểm c khoản 2 Điều 12 "
                "Nghị định 61/2018/NĐ-CP chỉ được yêu cầu sửa đổi, bổ sung một lần."
            )
            % {"code": dossier.code}
        )
    previous = dossier.status
    task: Task | None = None
    internal = ""
    with audited("onestop.dossier.request_supplement", dossier):
        if dossier.status == DossierStatus.NEW:
            if not has_role_at(by, [Role.ONESTOP_OFFICER], dossier.agency):
                raise deny()
        else:
            case = case_of(dossier)
            task = task_of(case)
            # The engine checks that `by` holds the current step.
            engine.pause(
                case=case, by=by, note=gettext_noop("Yêu cầu bổ sung hồ sơ: %s") % reason, at=at
            )
            if (
                dossier.received_at is not None
                and calendar.working_days_between(dossier.received_at, at) > SUPPLEMENT_NOTICE_DAYS
            ):
                internal = gettext_noop(
                    "Yêu cầu bổ sung sau quá %(days)d ngày làm việc kể từ ngày tiếp nhận "
                    "(khoản 4 Điều 19 Nghị định 61/2018/NĐ-CP)."
                ) % {"days": SUPPLEMENT_NOTICE_DAYS}
        supplement = SupplementRequest.objects.create(
            dossier=dossier, items=cleaned, reason=reason.strip(), requested_at=at, requested_by=by
        )
        dossier.status = DossierStatus.SUPPLEMENT_REQUESTED
        dossier.save(update_fields=["status"])
    record_transition(
        dossier,
        event="dossier.supplement_requested",
        previous_status=previous,
        by=by,
        at=at,
        org_unit=unit_of(by, task),
        public_note=gettext_noop("Yêu cầu bổ sung: %(items)s. Lý do: %(reason)s")
        % {"items": "; ".join(cleaned), "reason": reason.strip()},
        internal_note=internal,
        data={"supplement_id": supplement.pk},
    )
    return supplement


def open_supplement(dossier: Dossier) -> SupplementRequest | None:
    """The supplement request the dossier is waiting on, if any."""
    return dossier.supplements.filter(supplied_at__isnull=True).order_by("-pk").first()


@service
def submit_supplement(
    dossier: Dossier,
    *,
    files: Sequence[tuple[str, Any]],
    note: str = "",
    by: User,
    at: datetime.datetime | None = None,
) -> SupplementRequest:
    """The applicant sends the missing documents online; an official then confirms them."""
    at = at or timezone.now()
    if dossier.applicant_id is None or dossier.applicant_id != by.pk:
        raise deny(_("Chỉ người nộp hồ sơ mới gửi được giấy tờ bổ sung."))
    checked = []
    errors: list[str] = []
    for label, upload in files:
        try:
            checked.append(
                (label.strip() or _("Giấy tờ bổ sung"), check_upload(upload, label=label))
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    if not checked and not note.strip():
        raise ValidationError({"files": _("Hãy đính kèm giấy tờ bổ sung hoặc ghi chú.")})
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.SUPPLEMENT_REQUESTED)
    supplement = open_supplement(dossier)
    if supplement is None:
        raise WrongState(_("Hồ sơ không có yêu cầu bổ sung đang chờ."))
    with audited("onestop.dossier.submit_supplement", supplement):
        for label, upload in checked:
            component = DossierComponent(
                dossier=dossier, name=label, received=False, uploaded_at=at, originals=0
            )
            component.file.save(upload.stored_name, upload.file, save=False)
            component.save()
            supplement.components.add(component)
        supplement.submitted_at = at
        supplement.submitted_note = note.strip()
        supplement.save(update_fields=["submitted_at", "submitted_note"])
    record_transition(
        dossier,
        event="dossier.supplement_submitted",
        previous_status=dossier.status,
        by=by,
        at=at,
        public_note=gettext_noop(
            "Người nộp đã gửi giấy tờ bổ sung trực tuyến, chờ cán bộ kiểm tra."
        ),
        internal_note=note.strip(),
        data={"supplement_id": supplement.pk, "files": len(checked)},
    )
    return supplement


@service
def confirm_supplement(
    dossier: Dossier,
    *,
    by: User,
    note: str = "",
    at: datetime.datetime | None = None,
) -> SupplementRequest:
    """The dossier is complete again: the time limit counts again from the start."""
    at = at or timezone.now()
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.SUPPLEMENT_REQUESTED)
    supplement = open_supplement(dossier)
    if supplement is None:
        raise WrongState(_("Hồ sơ không có yêu cầu bổ sung đang chờ."))
    previous = dossier.status
    task: Task | None = None
    public = gettext_noop("Đã nhận đủ hồ sơ bổ sung.")
    with audited("onestop.dossier.confirm_supplement", dossier):
        if dossier.case_id is None:
            if not has_role_at(by, [Role.ONESTOP_OFFICER], dossier.agency):
                raise deny()
            dossier.status = DossierStatus.NEW
        else:
            case = case_of(dossier)
            task = engine.current_task(case)
            if not (holds(task, by) or has_role_at(by, [Role.ONESTOP_OFFICER], dossier.agency)):
                raise deny()
            due = due_from(dossier.procedure, at)
            engine.resume(
                case=case,
                by=by,
                note=gettext_noop("Đã nhận đủ hồ sơ bổ sung; thời hạn giải quyết tính lại từ đầu."),
                at=at,
                due_at=due.at if due else None,
            )
            if due is not None:
                _set_due(dossier, due.at, reissue=True)
                supplement.new_due_date = due.date
                public = gettext_noop(
                    "Đã nhận đủ hồ sơ bổ sung; thời hạn giải quyết được tính lại từ đầu. "
                    "Ngày hẹn trả kết quả mới: %(date)s."
                ) % {"date": _format_date(due.date)}
            dossier.status = DossierStatus.PROCESSING
        dossier.save(update_fields=["status", "due_date", "due_at", "original_due_date"])
        supplement.supplied_at = at
        supplement.supplied_by = by
        supplement.supplied_note = note.strip()
        supplement.save(
            update_fields=["supplied_at", "supplied_by", "supplied_note", "new_due_date"]
        )
        supplement.components.update(received=True)
    record_transition(
        dossier,
        event="dossier.supplemented",
        previous_status=previous,
        by=by,
        at=at,
        org_unit=unit_of(by, task),
        public_note=public,
        internal_note=note.strip(),
        data={"supplement_id": supplement.pk, "due_date": dossier.due_date},
    )
    return supplement


# --- Financial obligation -------------------------------------------------------------------


def format_money(amount: int) -> str:
    """1500000 → "1.500.000 đồng"."""
    return _("%(amount)s đồng") % {"amount": f"{amount:,}".replace(",", ".")}


@service
def request_obligation(
    dossier: Dossier,
    *,
    amount: int,
    description: str,
    by: User,
    at: datetime.datetime | None = None,
) -> FinancialObligation:
    """Ask the applicant to pay a fee or tax; the clock waits while they pay."""
    at = at or timezone.now()
    errors: dict[str, str] = {}
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        errors["amount"] = _("Số tiền phải là số nguyên dương (đồng).")
    if not description.strip():
        errors["description"] = _("Hãy nêu nội dung nghĩa vụ tài chính.")
    if errors:
        raise ValidationError(errors)
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.PROCESSING)
    case = case_of(dossier)
    task = task_of(case)
    previous = dossier.status
    with audited("onestop.dossier.request_obligation", dossier):
        engine.pause(
            case=case,
            by=by,
            note=gettext_noop("Chờ thực hiện nghĩa vụ tài chính: %s") % description,
            at=at,
        )
        obligation = FinancialObligation.objects.create(
            dossier=dossier,
            amount=amount,
            description=description.strip(),
            requested_at=at,
            requested_by=by,
        )
        dossier.status = DossierStatus.FINANCIAL_OBLIGATION
        dossier.save(update_fields=["status"])
    record_transition(
        dossier,
        event="dossier.obligation_requested",
        previous_status=previous,
        by=by,
        at=at,
        org_unit=unit_of(by, task),
        public_note=gettext_noop("Đề nghị thực hiện nghĩa vụ tài chính: %(what)s — %(amount)s.")
        % {"what": description.strip(), "amount": format_money(amount)},
        data={"obligation_id": obligation.pk, "amount": amount},
    )
    return obligation


@service
def confirm_obligation_paid(
    dossier: Dossier,
    *,
    by: User,
    reference: str = "",
    at: datetime.datetime | None = None,
) -> FinancialObligation:
    """Record the payment; the clock resumes from the working time that was left."""
    at = at or timezone.now()
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.FINANCIAL_OBLIGATION)
    obligation = dossier.obligations.filter(paid_at__isnull=True).order_by("-pk").first()
    if obligation is None:
        raise WrongState(_("Hồ sơ không có nghĩa vụ tài chính đang chờ."))
    case = case_of(dossier)
    task = engine.current_task(case)
    if not (holds(task, by) or has_role_at(by, [Role.ONESTOP_OFFICER], dossier.agency)):
        raise deny()
    previous = dossier.status
    with audited("onestop.dossier.obligation_paid", dossier):
        case = engine.resume(
            case=case, by=by, note=gettext_noop("Đã thực hiện nghĩa vụ tài chính."), at=at
        )
        # The pause is the applicant's time: the appointment moves with it, unless an apology
        # already set a date of its own.
        _set_due(dossier, case.due_at, reissue=not dossier.apologies.exists())
        dossier.status = DossierStatus.PROCESSING
        dossier.save(update_fields=["status", "due_date", "due_at", "original_due_date"])
        obligation.paid_at = at
        obligation.payment_reference = reference.strip()[:100]
        obligation.confirmed_by = by
        obligation.save(update_fields=["paid_at", "payment_reference", "confirmed_by"])
    record_transition(
        dossier,
        event="dossier.obligation_paid",
        previous_status=previous,
        by=by,
        at=at,
        org_unit=unit_of(by, task),
        public_note=gettext_noop(
            "Đã ghi nhận việc thực hiện nghĩa vụ tài chính. Ngày hẹn trả kết quả: %s."
        )
        % _format_date(dossier.due_date),
        data={"obligation_id": obligation.pk, "due_date": dossier.due_date},
    )
    return obligation


# --- Stop and withdraw ----------------------------------------------------------------------


@service
def stop_dossier(
    dossier: Dossier, *, reason: str, by: User, at: datetime.datetime | None = None
) -> Dossier:
    """Stop processing for good (dừng xử lý), with the reason the applicant is given."""
    at = at or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do dừng xử lý.")})
    dossier = locked(dossier)
    require_status(dossier, *STOPPABLE)
    case = case_of(dossier)
    task = engine.current_task(case)
    if not (holds(task, by) or has_role_at(by, [Role.LEADER], dossier.agency, case.agency)):
        raise deny()
    previous = dossier.status
    with audited("onestop.dossier.stop", dossier):
        engine.stop(case=case, by=by, note=reason.strip(), at=at)
        dossier.status = DossierStatus.STOPPED
        # Processing ended here, though nothing was settled (statistics count it so).
        dossier.processed_at = at
        dossier.save(update_fields=["status", "processed_at"])
    record_transition(
        dossier,
        event="dossier.stopped",
        previous_status=previous,
        by=by,
        at=at,
        org_unit=unit_of(by, task),
        public_note=gettext_noop("Dừng xử lý hồ sơ. Lý do: %s") % reason.strip(),
    )
    return dossier


def may_withdraw(dossier: Dossier, user: User) -> bool:
    """The applicant, or a one-stop officer of the receiving agency on their request."""
    if dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        return True
    return has_role_at(user, [Role.ONESTOP_OFFICER], dossier.agency)


@service
def withdraw_dossier(
    dossier: Dossier, *, reason: str, by: User, at: datetime.datetime | None = None
) -> Dossier:
    """The applicant withdraws the dossier (online, or at the counter through the officer)."""
    at = at or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do rút hồ sơ.")})
    dossier = locked(dossier)
    require_status(dossier, *WITHDRAWABLE)
    if not may_withdraw(dossier, by):
        raise deny()
    previous = dossier.status
    with audited("onestop.dossier.withdraw", dossier):
        if dossier.case_id is not None:
            case = case_of(dossier)
            if case.status in (Case.Status.ACTIVE, Case.Status.PAUSED):
                engine.stop(
                    case=case,
                    by=by,
                    note=gettext_noop("Người nộp rút hồ sơ: %s") % reason.strip(),
                    at=at,
                )
        dossier.status = DossierStatus.WITHDRAWN
        dossier.processed_at = at
        dossier.save(update_fields=["status", "processed_at"])
    record_transition(
        dossier,
        event="dossier.withdrawn",
        previous_status=previous,
        by=by,
        at=at,
        org_unit=None if dossier.applicant_id == by.pk else unit_of(by),
        public_note=gettext_noop("Người nộp rút hồ sơ. Lý do: %s") % reason.strip(),
        data={"by_applicant": dossier.applicant_id == by.pk},
    )
    return dossier


# --- Lateness -------------------------------------------------------------------------------


def apology_blocker(dossier: Dossier, at: datetime.datetime | None = None) -> str | None:
    """Why an apology letter cannot be written now, or None when it can."""
    if dossier.status != DossierStatus.PROCESSING or dossier.case_id is None:
        return _("Chỉ lập phiếu xin lỗi cho hồ sơ đang xử lý.")
    if dossier.apologies.exists():
        return _(
            "Hồ sơ đã được hẹn lại ngày trả kết quả một lần; theo khoản 9 Điều 19 Nghị định "
            "61/2018/NĐ-CP việc hẹn lại chỉ thực hiện không quá một lần."
        )
    risk = engine.risk_of(case_of(dossier), at)
    if risk not in (engine.Risk.AT_RISK, engine.Risk.OVERDUE):
        return _("Hồ sơ còn trong hạn và không có nguy cơ trễ hạn: chưa cần lập phiếu xin lỗi.")
    return None


def may_apologise(dossier: Dossier, user: User) -> bool:
    """The holder of the late step, or a leader of the unit holding it."""
    if dossier.case_id is None:
        return False
    task = engine.current_task(case_of(dossier))
    if task is None:
        return False
    return holds(task, user) or has_role_at(user, [Role.LEADER], task.org_unit)


@service
def write_apology(
    dossier: Dossier,
    *,
    reason: str,
    by: User,
    days: int | None = None,
    new_due_date: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> ApologyLetter:
    """The late unit apologises and sets a new return date (form 04); the applicant is told."""
    at = at or timezone.now()
    today = calendar.local_date(at)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Hãy nêu lý do chậm giải quyết.")
    if (days is None) == (new_due_date is None):
        errors["days"] = _("Hãy cho số ngày làm việc gia hạn, hoặc ngày hẹn trả mới.")
    elif days is not None and not (isinstance(days, int) and days > 0):
        errors["days"] = _("Số ngày làm việc gia hạn phải là số nguyên dương.")
    elif new_due_date is not None and (
        new_due_date <= today or not calendar.is_working_day(new_due_date)
    ):
        errors["new_due_date"] = _("Ngày hẹn trả mới phải là một ngày làm việc sau hôm nay.")
    if errors:
        raise ValidationError(errors)
    dossier = locked(dossier)
    blocker = apology_blocker(dossier, at)
    if blocker is not None:
        raise WrongState(blocker)
    case = case_of(dossier)
    task = task_of(case)
    if not may_apologise(dossier, by):
        raise deny(_("Chỉ người xử lý hoặc lãnh đạo đơn vị đang giữ hồ sơ mới lập phiếu xin lỗi."))
    if days is not None:
        new_due_date = calendar.add_working_days(at, days)
    assert new_due_date is not None
    if dossier.due_date is not None and new_due_date <= dossier.due_date:
        raise ValidationError(
            {
                "new_due_date": _("Ngày hẹn trả mới phải sau ngày hẹn hiện tại (%s).")
                % _format_date(dossier.due_date)
            }
        )
    late_unit = task.org_unit or case.agency
    appointment = dossier.original_due_date or dossier.due_date or new_due_date
    new_due_at = end_of_office_day(new_due_date)
    holder = by if holds(task, by) else None
    with audited("onestop.dossier.apologise", dossier):
        # The engine has no "extend": pausing and resuming with the new due moment moves the
        # case's clock and its task's due moment.
        engine.pause(
            case=case, by=holder, note=gettext_noop("Hẹn lại ngày trả kết quả: %s") % reason, at=at
        )
        engine.resume(case=case, by=by, note=reason.strip(), at=at, due_at=new_due_at)
        if dossier.original_due_date is None:
            dossier.original_due_date = appointment
        _set_due(dossier, new_due_at, reissue=False)
        dossier.late_unit = late_unit
        dossier.save(update_fields=["due_date", "due_at", "original_due_date", "late_unit"])
        apology = ApologyLetter.objects.create(
            dossier=dossier,
            late_unit=late_unit,
            reason=reason.strip(),
            original_due_date=appointment,
            new_due_date=new_due_date,
            created_at=at,
            created_by=by,
        )
    record_transition(
        dossier,
        event="dossier.apologised",
        previous_status=dossier.status,
        by=by,
        at=at,
        org_unit=late_unit,
        public_note=gettext_noop(
            "%(unit)s xin lỗi vì chậm giải quyết hồ sơ (lý do: %(reason)s) và hẹn lại ngày trả "
            "kết quả: %(date)s."
        )
        % {"unit": late_unit.name, "reason": reason.strip(), "date": _format_date(new_due_date)},
        data={
            "apology_id": apology.pk,
            "late_unit": late_unit.pk,
            "original_due_date": appointment,
            "new_due_date": new_due_date,
        },
    )
    return apology


# --- Slips ----------------------------------------------------------------------------------


def _slip_context(dossier: Dossier, agency: OrgUnit, day: datetime.date) -> dict[str, Any]:
    from lienthong.onestop.slips import moment_text

    return {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "agency": agency,
        "parent": agency.parent if agency.parent_id else None,
        "today": day,
        "received_text": moment_text(dossier.received_at),
        "received_date": calendar.local_date(dossier.received_at or dossier.submitted_at),
    }


def supplement_slip_pdf(supplement: SupplementRequest) -> bytes:
    """The supplement request slip — phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (form 02)."""
    dossier = supplement.dossier
    context = _slip_context(dossier, dossier.agency, calendar.local_date(supplement.requested_at))
    return render_pdf(
        "onestop/processing_supplement_pdf.html", {**context, "supplement": supplement}
    )


def apology_letter_pdf(apology: ApologyLetter) -> bytes:
    """The apology letter with the new return date — phiếu xin lỗi (form 04), from the late
    unit's agency."""
    dossier = apology.dossier
    agency = apology.late_unit.agency or dossier.agency
    context = _slip_context(dossier, agency, calendar.local_date(apology.created_at))
    return render_pdf("onestop/processing_apology_pdf.html", {**context, "apology": apology})


# --- What a user may do now -----------------------------------------------------------------


def available_actions(
    dossier: Dossier, user: Any, at: datetime.datetime | None = None
) -> frozenset[str]:
    """The actions `user` may take on `dossier` in its current state (for showing buttons;
    each service checks again when it runs)."""
    from lienthong.onestop import results

    if not (user is not None and user.is_authenticated and user.is_active):
        return frozenset()
    actions: set[str] = set()
    status = dossier.status
    case = Case.objects.select_related("current_step", "agency").filter(dossier=dossier).first()
    task = engine.current_task(case) if case is not None else None
    holder = holds(task, user)
    officer = has_role_at(user, [Role.ONESTOP_OFFICER], dossier.agency)
    if status in WITHDRAWABLE and may_withdraw(dossier, user):
        actions.add("withdraw")
    if (
        case is not None
        and status in STOPPABLE
        and (holder or has_role_at(user, [Role.LEADER], dossier.agency, case.agency))
    ):
        actions.add("stop")
    if status == DossierStatus.PROCESSING and case is not None and holder:
        actions.update({"forward", "handover", "obligation"})
        if case.current_step is not None and case.current_step.order > 1:
            actions.add("return_step")
        if not dossier.supplements.exists():
            actions.add("supplement")
    if status == DossierStatus.NEW and officer and not dossier.supplements.exists():
        actions.add("supplement")
    if (
        status == DossierStatus.PROCESSING
        and may_apologise(dossier, user)
        and apology_blocker(dossier, at) is None
    ):
        actions.add("apology")
    if status == DossierStatus.SUPPLEMENT_REQUESTED:
        if holder or officer:
            actions.add("supply")
        if dossier.applicant_id == user.pk:
            actions.add("submit_supplement")
    if status == DossierStatus.FINANCIAL_OBLIGATION and (holder or officer):
        actions.add("obligation_paid")
    if status == DossierStatus.PROCESSED:
        if results.may_upload_result(dossier, user):
            actions.add("upload_result")
        has_result = DossierResult.objects.filter(dossier=dossier).exists()
        if has_result and results.may_return_result(dossier, user):
            actions.add("return_result")
    return frozenset(actions)
