"""Writes of the privacy app. Each is one transaction (`@service`) with a permission check,
an audit entry and, where others may care, an outbox event (`privacy.events`).

Who does what:
- give and withdraw a consent, file a request, export one's data: the citizen, for themself;
- acknowledge, answer, refuse a request, read the whole access log: the data-protection unit
  (`models.is_data_protection_official`: `it_admin` granted for a top-level unit);
- log an access to sensitive data: called by the app that serves the file, after its own
  permission check, for officials' accesses only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core import calendar
from lienthong.core.audit import record, service, snapshot
from lienthong.core.context import current
from lienthong.core.permissions import is_real_user
from lienthong.exchange.outbox import publish
from lienthong.privacy import events
from lienthong.privacy.models import (
    OPEN_STATUSES,
    Channel,
    Consent,
    ConsentPurpose,
    DataSubjectRequest,
    LimitUnit,
    RequestKind,
    RequestStatus,
    RequestTimeLimit,
    SensitiveAccess,
    is_data_protection_official,
)
from lienthong.privacy.seed import ensure_seeded
from lienthong.workflow.engine import WrongState

if TYPE_CHECKING:
    from lienthong.accounts.models import User
    from lienthong.core.models import OrgUnit

#: Purpose codes other apps refer to (rows of `ConsentPurpose`, seeded by migration 0002).
DOSSIER_HANDLING = "dossier_handling"
NOTIFY_EMAIL = "notify_email"
NOTIFY_SMS = "notify_sms"
ONCE_ONLY_REUSE = "once_only_reuse"
PUBLIC_FEEDBACK = "public_feedback"
#: What a citizen consents to when submitting a dossier online.
ONLINE_SUBMISSION_PURPOSES = (DOSSIER_HANDLING, NOTIFY_EMAIL, NOTIFY_SMS, ONCE_ONLY_REUSE)


def _require_citizen(by: Any) -> None:
    if not is_real_user(by) or not by.is_citizen:
        raise PermissionDenied(_("Chức năng này dành cho công dân, tổ chức."))


def _require_officer(by: Any) -> None:
    if not is_data_protection_official(by):
        raise PermissionDenied(_("Chỉ bộ phận bảo vệ dữ liệu cá nhân mới thực hiện được."))


# --- Consents -------------------------------------------------------------------------------


@service
def give_consents(
    *,
    subject: User,
    purposes: Iterable[str],
    channel: str = Channel.ONLINE,
    context: str = "",
    by: User,
    at: datetime.datetime | None = None,
) -> list[Consent]:
    """Record the subject's consent to each purpose (one row per purpose and occasion)."""
    if not is_real_user(by) or by.pk != subject.pk:
        raise PermissionDenied(_("Chỉ chủ thể dữ liệu mới tự đồng ý được."))
    codes = list(dict.fromkeys(purposes))
    ensure_seeded()
    found = {p.code: p for p in ConsentPurpose.objects.filter(code__in=codes, is_active=True)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError({"purposes": _("Mục đích không hợp lệ: %s") % ", ".join(unknown)})
    at = at or timezone.now()
    rows = []
    for code in codes:
        purpose = found[code]
        consent = Consent.objects.create(
            subject=subject,
            purpose=purpose,
            notice_version=purpose.notice_version,
            channel=channel,
            context=context[:100],
            given_at=at,
        )
        record("privacy.consent.give", consent, after=snapshot(consent))
        publish(events.CONSENT_GIVEN, subject=str(consent.pk), data=_consent_data(consent))
        rows.append(consent)
    return rows


@service
def withdraw_consent(
    *,
    consent: Consent,
    by: User,
    channel: str = Channel.ONLINE,
    at: datetime.datetime | None = None,
) -> Consent:
    """Withdraw a consent (Decree 13/2023, Art. 12): the row stays, with when and how."""
    if not is_real_user(by) or by.pk != consent.subject_id:
        raise PermissionDenied(_("Chỉ chủ thể dữ liệu mới rút lại được sự đồng ý."))
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise WrongState(_("Sự đồng ý này đã được rút lại."))
    before = snapshot(consent)
    consent.withdrawn_at = at or timezone.now()
    consent.withdrawal_channel = channel
    consent.save(update_fields=["withdrawn_at", "withdrawal_channel"])
    record("privacy.consent.withdraw", consent, before=before, after=snapshot(consent))
    publish(events.CONSENT_WITHDRAWN, subject=str(consent.pk), data=_consent_data(consent))
    return consent


def _consent_data(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "subject": consent.subject_id,
        "purpose": consent.purpose.code,
        "notice_version": consent.notice_version,
        "given_at": consent.given_at,
        "withdrawn_at": consent.withdrawn_at,
    }


def has_withdrawn(user: Any, purpose: str) -> bool:
    """Whether the user's latest consent to `purpose` is withdrawn (the effect of Art. 12(4):
    processing for that purpose stops). A purpose never consented to is not "withdrawn"."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    latest = (
        Consent.objects.filter(subject_id=user.pk, purpose__code=purpose)
        .order_by("-given_at", "-pk")
        .values_list("withdrawn_at", flat=True)
        .first()
    )
    return latest is not None


# --- Data-subject requests ------------------------------------------------------------------


def time_limit(kind: str, on: datetime.date) -> RequestTimeLimit:
    """The time limits in force for `kind` on the day `on`."""
    ensure_seeded()
    limit = (
        RequestTimeLimit.objects.filter(kind=kind, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )
    if limit is None:
        raise ValidationError({"kind": _("Chưa có thời hạn xử lý cho loại yêu cầu này.")})
    return limit


def deadlines(kind: str, at: datetime.datetime) -> tuple[datetime.date, datetime.datetime, str]:
    """Acknowledgement date, response moment and their sources for a request made at `at`.

    Working days come from the calendar kernel (the day of receipt is not counted); a limit in
    hours runs from the moment of the request (Civil Code 2015, Art. 147(1))."""
    limit = time_limit(kind, calendar.local_date(at))
    ack = calendar.add_working_days(at, limit.ack_working_days)
    if limit.response_unit == LimitUnit.HOURS:
        response = calendar.to_local(at) + datetime.timedelta(hours=limit.response_amount)
    else:
        day = calendar.add_working_days(at, limit.response_amount)
        response = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=calendar.VN_TZ)
    # Unconfirmed sources say so in their own text (seeded by migration 0002).
    source = f"{limit.ack_source}; {limit.response_source}"
    return ack, response, source


@service
def file_request(
    *,
    subject: User,
    kind: str,
    details: str,
    channel: str = Channel.ONLINE,
    by: User,
    at: datetime.datetime | None = None,
) -> DataSubjectRequest:
    """A data subject files a request for themself; its deadlines are fixed now."""
    _require_citizen(by)
    if by.pk != subject.pk:
        raise PermissionDenied(_("Chỉ chủ thể dữ liệu mới gửi được yêu cầu của mình."))
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Loại yêu cầu không hợp lệ.")
    details = (details or "").strip()
    if not details:
        errors["details"] = _("Hãy nêu nội dung yêu cầu.")
    elif len(details) > 4000:
        errors["details"] = _("Nội dung yêu cầu dài quá 4000 ký tự.")
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    ack, response, source = deadlines(kind, at)
    request = DataSubjectRequest.objects.create(
        subject=subject,
        kind=kind,
        details=details,
        channel=channel,
        submitted_at=at,
        ack_due_date=ack,
        response_due_at=response,
        limit_source=source[:600],
    )
    record("privacy.request.file", request, after=snapshot(request))
    publish(events.REQUEST_SUBMITTED, subject=str(request.pk), data=request_data(request))
    return request


def request_data(request: DataSubjectRequest) -> dict[str, Any]:
    """Event data of a request: no details, no identity beyond the account id."""
    return {
        "id": request.pk,
        "kind": request.kind,
        "status": request.status,
        "submitted_at": request.submitted_at,
        "ack_due_date": request.ack_due_date,
        "response_due_at": request.response_due_at,
    }


def _locked_open(request: DataSubjectRequest) -> DataSubjectRequest:
    locked = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in OPEN_STATUSES:
        raise WrongState(
            _("Yêu cầu đang ở trạng thái “%(status)s”, không thực hiện được thao tác này.")
            % {"status": locked.get_status_display()}
        )
    return locked


@service
def acknowledge_request(
    *, request: DataSubjectRequest, by: User, at: datetime.datetime | None = None
) -> DataSubjectRequest:
    """The data-protection unit confirms it received the request."""
    _require_officer(by)
    request = _locked_open(request)
    if request.status != RequestStatus.SUBMITTED:
        raise WrongState(_("Yêu cầu đã được xác nhận tiếp nhận."))
    before = snapshot(request)
    request.status = RequestStatus.ACKNOWLEDGED
    request.acknowledged_at = at or timezone.now()
    request.acknowledged_by = by
    request.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    record("privacy.request.acknowledge", request, before=before, after=snapshot(request))
    publish(events.REQUEST_ACKNOWLEDGED, subject=str(request.pk), data=request_data(request))
    return request


def _close(
    request: DataSubjectRequest, *, status: str, text: str, by: User, at: datetime.datetime | None
) -> DataSubjectRequest:
    _require_officer(by)
    text = (text or "").strip()
    if not text:
        field = "reason" if status == RequestStatus.REFUSED else "response"
        raise ValidationError({field: _("Hãy ghi nội dung trả lời hoặc lý do.")})
    request = _locked_open(request)
    before = snapshot(request)
    now = at or timezone.now()
    if request.acknowledged_at is None:
        request.acknowledged_at, request.acknowledged_by = now, by
    request.status = status
    request.response = text
    request.closed_at = now
    request.closed_by = by
    request.save()
    record(f"privacy.request.{status}", request, before=before, after=snapshot(request))
    publish(events.REQUEST_CLOSED, subject=str(request.pk), data=request_data(request))
    return request


@service
def respond_request(
    *, request: DataSubjectRequest, response: str, by: User, at: datetime.datetime | None = None
) -> DataSubjectRequest:
    """Answer the request (what was done)."""
    return _close(request, status=RequestStatus.COMPLETED, text=response, by=by, at=at)


@service
def refuse_request(
    *, request: DataSubjectRequest, reason: str, by: User, at: datetime.datetime | None = None
) -> DataSubjectRequest:
    """Refuse the request, with the reason (e.g. a law requires the data to be kept)."""
    return _close(request, status=RequestStatus.REFUSED, text=reason, by=by, at=at)


# --- Sensitive-data access log --------------------------------------------------------------


@service
def log_sensitive_access(
    *,
    by: User,
    what: str,
    object_ref: str,
    purpose: str,
    subject: User | None = None,
    subject_personal_id: str = "",
    agency: OrgUnit | None = None,
    record_code: str = "",
) -> SensitiveAccess:
    """Write one access-log entry (the caller has already allowed the access)."""
    ctx = current()
    return SensitiveAccess.objects.create(
        actor=by,
        subject=subject,
        subject_personal_id=subject_personal_id[:12],
        agency=agency,
        record=record_code[:60],
        what=what[:500],
        object_ref=object_ref[:100],
        purpose=purpose[:200],
        request_id=(ctx.request_id or "")[:64],
        ip=ctx.ip,
    )


def accesses_about(user: User) -> Any:
    """Officials' accesses to the user's sensitive data (by account or personal ID)."""
    condition = Q(subject=user)
    if getattr(user, "personal_id", ""):
        condition |= Q(subject_personal_id=user.personal_id)
    return SensitiveAccess.objects.filter(condition).select_related("actor", "agency")


def access_log_for(user: Any) -> Any:
    """The whole log as an official of the data-protection unit may see it."""
    if not is_data_protection_official(user):
        raise PermissionDenied(_("Chỉ bộ phận bảo vệ dữ liệu cá nhân mới xem được nhật ký này."))
    rows = SensitiveAccess.objects.all()
    if not user.is_superuser:
        rows = rows.visible_to(user)
    return rows.select_related("actor", "agency", "subject")
