"""Sending and receiving edXML packages between Liên Thông deployments.

    A: lienthong edxml send cong-van.edxml --to tinh-b
         queue_send → EdxmlPackage(out, pending) + event edxml.package.send_requested
         deliver    → POST <peer url> (X-API-Key: the key B issued to A's client system),
                      at once from the command, or by the worker after commit
                      (`schedule_delivery` first schedules the next attempt)
    B: POST /api/exchange/edxml/inbox  (ClientAuth, service "api.exchange.edxml")
         receive    → parse, check a recipient is here, EdxmlPackage(in, received),
                      event edxml.package.received;
                      answers {"status": "received", "status_code": "01"}
         invalid    → 400 with the errors, nothing stored

Every send and every receipt (refusals too) is in the message log, chain "edxml".
Peers (settings `LIENTHONG["EDXML_PEERS"]`, JSON or a dict):
`{"tinh-b": {"url": "https://b.example/api/exchange/edxml/inbox", "api_key": "…"}}`.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import audited, service
from lienthong.core.models import OrgUnit
from lienthong.exchange.adapters import edxml, http
from lienthong.exchange.adapters.models import EdxmlPackage
from lienthong.exchange.messagelog.bodies import digest_of
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import Exchange, record
from lienthong.exchange.models import OutboxEvent
from lienthong.exchange.outbox import backoff, publish
from lienthong.exchange.outbox import setting as outbox_setting

logger = logging.getLogger("lienthong.exchange.adapters.edxml")

CHAIN = "edxml"
SERVICE = "api.exchange.edxml"
RECEIVED_EVENT = "edxml.package.received"
SEND_EVENT = "edxml.package.send_requested"
#: Largest envelope accepted (base64 attachments included).
MAX_BYTES = 30 * 1024 * 1024


@dataclass(frozen=True)
class Peer:
    """Another deployment this one sends to."""

    code: str
    url: str
    api_key: str = ""
    token: str = ""
    #: The peer's own organisation (To of an envelope built for it), when known.
    organ_id: str = ""
    name: str = ""


def peers() -> dict[str, Peer]:
    """The configured peers by code (`LIENTHONG["EDXML_PEERS"]`)."""
    raw: Any = getattr(settings, "LIENTHONG", {}).get("EDXML_PEERS") or {}
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.strip() else {}
    return {
        code: Peer(
            code=code,
            url=str(value["url"]),
            api_key=str(value.get("api_key", "")),
            token=str(value.get("token", "")),
            organ_id=str(value.get("organ_id", "")),
            name=str(value.get("name", "")),
        )
        for code, value in raw.items()
    }


def own_organ_ids() -> set[str]:
    """The organisation codes a package may be addressed to here: EDXML_ORGAN_ID and every
    agency's code."""
    configured = getattr(settings, "LIENTHONG", {}).get("EDXML_ORGAN_ID") or ""
    codes = {
        code for code in OrgUnit.objects.exclude(code="").values_list("code", flat=True) if code
    }
    return codes | ({configured} if configured else set())


def _fields(envelope: edxml.Envelope) -> dict[str, Any]:
    """The package columns an envelope fills."""
    signer = ", ".join(
        part
        for part in (envelope.signer_competence, envelope.signer_position, envelope.signer_name)
        if part
    )
    return {
        "from_organ_id": envelope.sender.organ_id[:20],
        "from_organ_name": envelope.sender.name[:255],
        "to_organs": [{"organ_id": r.organ_id, "name": r.name} for r in envelope.recipients],
        "document_id": envelope.computed_document_id()[:200],
        "code_number": envelope.code_number[:30],
        "code_notation": envelope.code_notation[:60],
        "document_type": envelope.document_type[:100],
        "subject": envelope.subject,
        "promulgation_date": envelope.promulgation_date,
        "signer": signer[:255],
        "priority": envelope.priority,
        "attachments": [
            {
                "name": a.name,
                "content_type": a.content_type,
                "size": len(a.data),
                "sha256": a.sha256,
            }
            for a in envelope.attachments
        ],
    }


def _log(
    package: EdxmlPackage | None,
    *,
    direction: str,
    operation: str,
    request: bytes | None,
    response: Any,
    status: int | None,
    outcome: str,
    error: str = "",
    client: Any = None,
    duration_ms: int | None = None,
    subject: str = "",
) -> None:
    record(
        Exchange(
            service=SERVICE,
            chain=CHAIN,
            direction=direction,
            kind="edxml",
            operation=operation,
            client=client,
            subject=(package.document_id if package is not None else subject)[:200],
            correlation_id=str(package.pk) if package is not None else "",
            status=status,
            outcome=outcome,
            error=error[:500],
            duration_ms=duration_ms,
            request=request,
            response=response,
        )
    )


# --- Receiving ------------------------------------------------------------------------------


class Refused(Exception):
    """The package is refused: HTTP status, Vietnamese message, the errors, edXML status code."""

    def __init__(self, status: int, detail: str, errors: list[str], code: str = "02") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.code = code

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "error",
            "status_code": self.code,
            "detail": self.detail,
            "errors": self.errors,
        }


def _check(data: bytes) -> edxml.Envelope:
    """The envelope in `data`, addressed here; Refused otherwise."""
    if not data:
        raise Refused(400, _("Gói tin edXML rỗng."), [_("Thân yêu cầu rỗng.")])
    if len(data) > MAX_BYTES:
        raise Refused(413, _("Gói tin edXML quá lớn."), [f"> {MAX_BYTES} bytes"])
    try:
        envelope = edxml.parse(data)
    except edxml.EdxmlError as exc:
        raise Refused(400, _("Gói tin edXML không hợp lệ."), exc.errors) from None
    ours = own_organ_ids()
    if not any(r.organ_id in ours for r in envelope.recipients):
        addressed = ", ".join(r.organ_id for r in envelope.recipients)
        raise Refused(
            422,
            _("Không có cơ quan nhận nào thuộc hệ thống này."),
            [_("Cơ quan nhận: %(codes)s") % {"codes": addressed}],
        )
    return envelope


@service
def receive(data: bytes, *, client: Any, by: Any = None) -> tuple[EdxmlPackage, bool]:
    """Store a package another deployment sent (the inbox endpoint's work); (package, new).

    The same envelope delivered again by the same system is the package already stored.
    """
    envelope = _check(data)
    digest = digest_of(data)
    existing = EdxmlPackage.objects.filter(
        direction=EdxmlPackage.Direction.INBOUND, client=client, envelope_digest=digest
    ).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    package = EdxmlPackage(
        direction=EdxmlPackage.Direction.INBOUND,
        status=EdxmlPackage.Status.RECEIVED,
        status_code="01",
        client=client,
        envelope_digest=digest,
        envelope_size=len(data),
        created_at=now,
        **_fields(envelope),
    )
    package.envelope.save(f"{digest[:16]}.edxml", ContentFile(data), save=False)
    try:
        with transaction.atomic(), audited("exchange.edxml.receive", package):
            package.save()
    except IntegrityError:
        # Delivered twice at the same moment: the other request stored it.
        package.envelope.delete(save=False)
        existing = EdxmlPackage.objects.get(
            direction=EdxmlPackage.Direction.INBOUND, client=client, envelope_digest=digest
        )
        return existing, False
    publish(
        RECEIVED_EVENT,
        subject=package.document_id[:200],
        data={
            "id": package.pk,
            "document_id": package.document_id,
            "from": package.from_organ_id,
            "to": [o["organ_id"] for o in package.to_organs],
        },
    )
    _log(
        package,
        direction=MessageLogEntry.Direction.INBOUND,
        operation="receive",
        request=data,
        response=status_answer(package),
        status=201,
        outcome=MessageLogEntry.Outcome.OK,
        client=client,
    )
    return package, True


def log_refusal(data: bytes, refused: Refused, *, client: Any) -> None:
    """Record a refused package in chain "edxml" (nothing else is stored)."""
    with transaction.atomic():
        _log(
            None,
            direction=MessageLogEntry.Direction.INBOUND,
            operation="receive",
            request=data,
            response=refused.as_json(),
            status=refused.status,
            outcome=MessageLogEntry.Outcome.REFUSED,
            error="; ".join(refused.errors)[:500],
            client=client,
        )


def status_answer(package: EdxmlPackage) -> dict[str, Any]:
    """The status reply for a stored package."""
    return {
        "status": "received",
        "status_code": package.status_code or "01",
        "description": edxml.STATUS_CODES.get(package.status_code or "01", ""),
        "package_id": package.pk,
        "document_id": package.document_id,
        "received_at": package.created_at.isoformat(),
    }


# --- Sending --------------------------------------------------------------------------------


@service
def queue_send(data: bytes, *, peer: str, by: Any = None) -> EdxmlPackage:
    """Check an envelope and queue it for a peer; the worker (or `deliver`) sends it."""
    known = peers()
    if peer not in known:
        raise ValidationError(
            {"peer": _("Không có nơi nhận %(peer)s trong cấu hình EDXML_PEERS.") % {"peer": peer}}
        )
    try:
        envelope = edxml.parse(data)
    except edxml.EdxmlError as exc:
        raise ValidationError({"file": exc.errors}) from None
    digest = digest_of(data)
    package = EdxmlPackage(
        direction=EdxmlPackage.Direction.OUTBOUND,
        status=EdxmlPackage.Status.PENDING,
        peer=peer,
        envelope_digest=digest,
        envelope_size=len(data),
        created_by=by if getattr(by, "pk", None) else None,
        **_fields(envelope),
    )
    package.envelope.save(f"{digest[:16]}.edxml", ContentFile(data), save=False)
    with audited("exchange.edxml.send", package):
        package.save()
    publish(SEND_EVENT, subject=package.document_id[:200], data={"package": package.pk})
    return package


def schedule_delivery(package_id: int, *, now: datetime.datetime | None = None) -> None:
    """The worker's part (run in the consumer's transaction): schedule the next attempt in
    case this one fails or the process dies, and deliver once the transaction commits.

    The HTTP call happens after commit, outside any transaction, so no database lock is held
    while the peer answers (on SQLite the write lock would block every writer meanwhile).
    """
    now = now or timezone.now()
    package = EdxmlPackage.objects.filter(pk=package_id).first()
    if package is None or package.status != EdxmlPackage.Status.PENDING:
        return
    if package.attempts >= int(outbox_setting("OUTBOX_MAX_ATTEMPTS")):
        package.status = EdxmlPackage.Status.ERROR
        package.save(update_fields=["status"])
        return
    again = publish(SEND_EVENT, subject=package.document_id[:200], data={"package": package.pk})
    OutboxEvent.objects.filter(pk=again.pk).update(
        next_attempt_at=now + backoff(package.attempts + 1)
    )
    transaction.on_commit(lambda: deliver(package_id))


def deliver(package_id: int) -> EdxmlPackage | None:
    """POST a queued package to its peer and record the answer; call outside a transaction.

    Idempotent: a package already answered is left alone. Two deliveries racing may both
    POST; the receiver stores one package per envelope and system and answers the second
    with 200. Unreachable or 5xx leaves it pending for the next scheduled attempt.
    """
    package = EdxmlPackage.objects.filter(pk=package_id).first()
    if package is None or package.status != EdxmlPackage.Status.PENDING:
        return package
    peer = peers().get(package.peer)
    data = b""
    response: http.Response | None = None
    error = ""
    if peer is not None:
        with package.envelope.open("rb") as handle:
            data = handle.read()
        headers = {"Content-Type": "application/xml; charset=utf-8", "Accept": "application/json"}
        if peer.api_key:
            headers["X-API-Key"] = peer.api_key
        elif peer.token:
            headers["Authorization"] = f"Bearer {peer.token}"
        try:
            response = http.call("POST", peer.url, body=data, headers=headers, timeout=30)
        except http.Unreachable as exc:
            error = f"unreachable: {exc}"
    with transaction.atomic():
        package = EdxmlPackage.objects.select_for_update().get(pk=package_id)
        if package.status != EdxmlPackage.Status.PENDING:
            return package
        package.attempts += 1
        if peer is None:
            package.status = EdxmlPackage.Status.ERROR
            package.status_reason = _("Nơi nhận %(peer)s không còn trong cấu hình.") % {
                "peer": package.peer
            }
            package.save(update_fields=["attempts", "status", "status_reason"])
            return package
        answer = response.json() if response is not None else None
        if response is not None and response.ok and isinstance(answer, dict):
            package.status = EdxmlPackage.Status.SENT
            package.status_code = str(answer.get("status_code", "01"))[:2]
            package.status_reason = ""
        elif response is not None and response.status < 500:
            detail = answer.get("detail", "") if isinstance(answer, dict) else ""
            errors = answer.get("errors", []) if isinstance(answer, dict) else []
            package.status = EdxmlPackage.Status.ERROR
            package.status_code = (
                str(answer.get("status_code", "02"))[:2] if isinstance(answer, dict) else "02"
            )
            package.status_reason = "; ".join([str(detail), *map(str, errors)]).strip("; ")
            error = f"HTTP {response.status}"
        else:
            error = error or f"HTTP {response.status if response is not None else ''}"
            package.status_reason = error
        package.save(update_fields=["attempts", "status", "status_code", "status_reason"])
        _log(
            package,
            direction=MessageLogEntry.Direction.OUTBOUND,
            operation="send",
            request=data,
            response=response.body if response is not None else None,
            status=response.status if response is not None else None,
            outcome=MessageLogEntry.Outcome.OK
            if package.status == EdxmlPackage.Status.SENT
            else MessageLogEntry.Outcome.ERROR,
            error=error,
            duration_ms=response.duration_ms if response is not None else None,
        )
    if error:
        logger.warning("edXML package %s to %s: %s", package.pk, package.peer, error)
    return package
