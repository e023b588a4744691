"""Synchronising dossiers with the national public service portal (Cổng Dịch vụ công quốc gia).

    dossier.status_changed ──(outbox consumer `enqueue`)──▶ PortalUpdate (pending)
                                                          + event portal.sync_requested
    portal.sync_requested ──(outbox consumer `push_pending`)──▶ POST PORTAL_URL, in order
                                                               per dossier, each call logged
                                                               in message-log chain "portal"

Each status a dossier takes becomes one `PortalUpdate` (keyed by the event id, so a
redelivered event adds nothing), and the updates of one dossier are sent oldest first: the
portal never hears 4 after 9. A failed call is recorded on the update and in the log, and a
new `portal.sync_requested` event is scheduled after the outbox's backoff; after
PORTAL_MAX_ATTEMPTS the update is marked failed (shown on /lien-thong/, resent by
`lienthong portal sync`) and the dossier's later updates go on.

The body follows the portal's "DongBoHoSoMC" service as open integrations use it (field
names MaHoSo, MaTTHC, TrangThaiHoSo, NgayTiepNhan, NgayHenTra, … dates as yyyyMMddHHmmss in
Vietnam time); the official specification was not available (docs/exchange-adapters.md).
Settings (`settings.LIENTHONG`): PORTAL_URL, PORTAL_TOKEN (sync is off unless both are
set), PORTAL_TIMEOUT, PORTAL_MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lienthong.core.calendar import VN_TZ
from lienthong.exchange.adapters import http
from lienthong.exchange.adapters.models import PortalUpdate
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import Exchange, record
from lienthong.exchange.models import OutboxEvent
from lienthong.exchange.outbox import backoff, publish
from lienthong.exchange.registry import CloudEvent

if TYPE_CHECKING:
    from lienthong.onestop.models import Dossier

logger = logging.getLogger("lienthong.exchange.adapters.portal")

DEFAULTS: dict[str, Any] = {
    "PORTAL_URL": "",
    "PORTAL_TOKEN": "",
    "PORTAL_TIMEOUT": 10.0,
    "PORTAL_MAX_ATTEMPTS": 10,
}

#: The event that asks for a dossier's pending updates to be sent.
SYNC_EVENT = "portal.sync_requested"
#: The portal's service name for one-stop dossiers (Đồng bộ hồ sơ một cửa).
PORTAL_SERVICE = "DongBoHoSoMC"
CHAIN = "portal"

#: Channel → the portal's KenhThucHien (1 trực tiếp, 2 trực tuyến, 3 bưu chính).
CHANNELS = {"counter": "1", "online": "2", "post": "3"}


def setting(name: str) -> Any:
    """A portal setting from `settings.LIENTHONG`, else its default."""
    return getattr(settings, "LIENTHONG", {}).get(name, DEFAULTS[name])


def enabled() -> bool:
    """Whether synchronisation is configured (a URL and a token)."""
    return bool(setting("PORTAL_URL")) and bool(setting("PORTAL_TOKEN"))


# --- Queueing -------------------------------------------------------------------------------


def _moment(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    parsed = parse_datetime(str(value or ""))
    return parsed if parsed is not None else timezone.now()


def enqueue(event: CloudEvent) -> PortalUpdate | None:
    """Queue the status a `dossier.status_changed` event announces (run by the worker)."""
    if not enabled():
        return None
    code = str(event.data.get("code") or event.subject)
    with transaction.atomic():
        update, created = PortalUpdate.objects.get_or_create(
            event_id=uuid.UUID(event.id),
            defaults={
                "dossier_code": code,
                "status": int(event.data["to_status"]),
                "changed_at": _moment(event.data.get("at")),
            },
        )
        if created:
            publish(SYNC_EVENT, subject=code, data={"dossier": code})
    return update


# --- The body -------------------------------------------------------------------------------


def portal_time(value: datetime.datetime | datetime.date | None) -> str:
    """A moment as the portal writes it: yyyyMMddHHmmss in Vietnam time ("" when unknown)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")
    return value.strftime("%Y%m%d") + "000000"


def record_for(dossier: Dossier, update: PortalUpdate) -> dict[str, Any]:
    """One dossier's entry in a DongBoHoSoMC body, as it stood at the update's moment.

    Dates the dossier reached after that moment (a return date, when a late status 4 is sent
    after the dossier finished) are left out, so each update tells the status it announces.
    """

    def until(value: datetime.datetime | None) -> datetime.datetime | None:
        return value if value is not None and value <= update.changed_at else None

    organisation = dossier.applicant_kind == "organisation"
    identifier = (
        dossier.applicant_tax_code if organisation else dossier.applicant_personal_id
    ) or ""
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "MaLinhVuc": dossier.field.code,
        "TenLinhVuc": dossier.field.name,
        "KenhThucHien": CHANNELS.get(dossier.channel, "1"),
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": "2" if organisation else "1",
        "MaDoiTuong": identifier,
        "Email": dossier.applicant_email,
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": dossier.procedure.name,
        "NgayTiepNhan": portal_time(until(dossier.received_at) or until(dossier.submitted_at)),
        "NgayHenTra": portal_time(dossier.due_at or dossier.due_date),
        "TrangThaiHoSo": str(update.status),
        "NgayKetThucXuLy": portal_time(until(dossier.processed_at)),
        "NgayTra": portal_time(until(dossier.returned_at)),
        "DonViXuLy": dossier.agency.name,
        "MaDonVi": dossier.agency.code or "",
        "ThoiDiemCapNhat": portal_time(update.changed_at),
        # Lets the portal (and our fake) recognise a resend of the same update.
        "MaDongBo": str(update.event_id),
    }


def body_for(dossier: Dossier, update: PortalUpdate, *, updating: bool) -> dict[str, Any]:
    """The whole request body for one update."""
    return {
        "service": PORTAL_SERVICE,
        "isUpdating": updating,
        "data": [record_for(dossier, update)],
    }


# --- Sending --------------------------------------------------------------------------------


@dataclass
class PushResult:
    """What one push of a dossier's pending updates did."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    retry_at: datetime.datetime | None = None


def _answer_error(response: http.Response) -> str:
    """Why the portal's answer is not a success ("" when it is one)."""
    answer = response.json()
    if not response.ok:
        detail = answer.get("message", "") if isinstance(answer, dict) else ""
        return f"HTTP {response.status}" + (f": {detail}" if detail else "")
    if not isinstance(answer, dict) or str(answer.get("error_code", "")) not in ("0", "00"):
        detail = answer.get("message", "") if isinstance(answer, dict) else ""
        return f"the portal refused the update: {detail or response.body[:200]!r}"
    return ""


def _post(body: dict[str, Any]) -> tuple[http.Response | None, str, int]:
    """Send one body; (answer or None, error text or "", milliseconds)."""
    headers = {
        "Authorization": f"Bearer {setting('PORTAL_TOKEN')}",
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
    }
    try:
        response = http.call(
            "POST",
            str(setting("PORTAL_URL")),
            body=http.json_body(body),
            headers=headers,
            timeout=float(setting("PORTAL_TIMEOUT")),
        )
    except http.Unreachable as exc:
        return None, f"portal unreachable: {exc}", exc.duration_ms
    return response, _answer_error(response), response.duration_ms


def push_pending(
    code: str, *, now: datetime.datetime | None = None, retry: bool = False
) -> PushResult:
    """Send a dossier's pending updates to the portal, oldest first (run by the worker).

    Stops at the first failure and schedules another `portal.sync_requested` (a retry) after
    the outbox's backoff, so the portal receives the statuses in the order they happened.
    While a retry is scheduled, other requests for the dossier leave it to the retry.
    """
    from lienthong.onestop.models import Dossier

    result = PushResult()
    if not enabled():
        return result
    now = now or timezone.now()
    with transaction.atomic():
        # Locking the rows keeps two workers from sending the same update twice.
        updates = list(
            PortalUpdate.objects.select_for_update()
            .filter(dossier_code=code, state=PortalUpdate.State.PENDING)
            .order_by("id")
        )
        if not updates:
            return result
        waiting = updates[0].next_attempt_at
        if not retry and waiting is not None and waiting > now:
            return result
        dossier = (
            Dossier.objects.select_related("procedure", "field", "agency").filter(code=code).first()
        )
        for update in updates:
            if dossier is None:
                _finish(update, now, error="the dossier no longer exists", final=True)
                result.gave_up += 1
                continue
            updating = PortalUpdate.objects.filter(
                dossier_code=code, state=PortalUpdate.State.SENT
            ).exists()
            body = body_for(dossier, update, updating=updating)
            response, error, duration = _post(body)
            record(
                Exchange(
                    service=f"portal.{PORTAL_SERVICE}",
                    chain=CHAIN,
                    direction=MessageLogEntry.Direction.OUTBOUND,
                    kind="portal",
                    operation="status" if updating else "create",
                    subject=code,
                    correlation_id=str(update.event_id),
                    status=response.status if response is not None else None,
                    outcome=MessageLogEntry.Outcome.ERROR if error else MessageLogEntry.Outcome.OK,
                    error=error,
                    duration_ms=duration,
                    request=body,
                    response=response.body if response is not None else None,
                )
            )
            update.payload = body
            if not error:
                _finish(update, now)
                result.sent += 1
                continue
            final = update.attempts + 1 >= int(setting("PORTAL_MAX_ATTEMPTS"))
            _finish(update, now, error=error, final=final)
            logger.warning("portal update %s of %s failed: %s", update.pk, code, error)
            if final:
                # Given up: later statuses still go, so the portal ends on the latest one.
                result.gave_up += 1
                continue
            result.failed += 1
            result.retry_at = now + backoff(update.attempts)
            update.next_attempt_at = result.retry_at
            update.save(update_fields=["next_attempt_at"])
            scheduled = publish(SYNC_EVENT, subject=code, data={"dossier": code, "retry": True})
            OutboxEvent.objects.filter(pk=scheduled.pk).update(next_attempt_at=result.retry_at)
            break
    return result


def _finish(
    update: PortalUpdate, now: datetime.datetime, *, error: str = "", final: bool = False
) -> None:
    update.attempts += 1
    update.last_attempt_at = now
    update.last_error = error[:4000]
    update.next_attempt_at = None
    if not error:
        update.state = PortalUpdate.State.SENT
        update.sent_at = now
    elif final:
        update.state = PortalUpdate.State.FAILED
    update.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "next_attempt_at",
            "last_error",
            "state",
            "sent_at",
            "payload",
        ]
    )


# --- Resending ------------------------------------------------------------------------------


@dataclass
class ResendResult:
    """What `resend` did: updates queued or re-armed, and what the pushes did."""

    queued: int = 0
    rearmed: int = 0
    sent: int = 0
    failed: int = 0


def resend(*, since: datetime.datetime | None = None) -> ResendResult:
    """Send again: re-arm the updates that were given up, and with `since` queue the current
    status of every dossier changed since then; then push each dossier concerned now."""
    from lienthong.onestop.models import Dossier, DossierHistory

    result = ResendResult()
    if not enabled():
        return result
    now = timezone.now()
    codes: set[str] = set()
    with transaction.atomic():
        failed = PortalUpdate.objects.filter(state=PortalUpdate.State.FAILED)
        codes.update(failed.values_list("dossier_code", flat=True))
        result.rearmed = failed.update(
            state=PortalUpdate.State.PENDING, attempts=0, next_attempt_at=None
        )
        if since is not None:
            changed = (
                DossierHistory.objects.filter(at__gte=since)
                .values_list("dossier_id", flat=True)
                .distinct()
            )
            for dossier in Dossier.objects.filter(pk__in=changed).order_by("pk"):
                PortalUpdate.objects.create(
                    event_id=uuid.uuid4(),
                    dossier_code=dossier.code,
                    status=dossier.status,
                    changed_at=now,
                )
                codes.add(dossier.code)
                result.queued += 1
    for code in sorted(codes):
        pushed = push_pending(code, now=now, retry=True)
        result.sent += pushed.sent
        result.failed += pushed.failed + pushed.gave_up
    return result
