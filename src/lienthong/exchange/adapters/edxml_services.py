"""Sending and receiving edXML packages (documents and status replies), between the agencies
of this deployment and with other Liên Thông deployments.

    A: lienthong edxml send cong-van.edxml --to tinh-b
         queue_send → EdxmlPackage(out, pending) + event edxml.package.send_requested
         deliver    → POST <peer url> (X-API-Key: the key B issued to A's client system),
                      at once from the command, or by the worker after commit
                      (`schedule_delivery` first schedules the next attempt)
    B: POST /api/exchange/edxml/inbox  (ClientAuth, service "api.exchange.edxml")
         receive    → parse (envelope or status), check it is addressed here,
                      envelope: one EdxmlPackage(in, received) per addressed agency of B,
                      the receivers called, event edxml.package.received,
                      answers {"status": "received", "status_code": "01"};
                      status: EdxmlPackage(in, kind status), the sent document's package
                      updated, the status listeners called, event edxml.status.received
         invalid    → 400 with the errors, nothing stored

Hooks for the domain apps (the exchange layer never imports them; they register in their
AppConfig.ready(); registering the same function twice keeps one entry):

- `register_receiver(fn)`: fn(envelope, package, agency_organ_id) for every envelope that
  arrives for an organ of this deployment (inbox API or local send), once per addressed
  organ, inside the receiving transaction, each call in a savepoint. `package` is the
  inbound EdxmlPackage for that organ. An exception is logged and written to
  `package.status_reason`; the delivery itself stands (the sender got 01).
- `register_status_listener(fn)`: fn(status, package) for every status reply about a
  document this deployment sent (local reply, remote reply, the automatic 01 on delivery);
  `package` is our outbound document package to the answering organ, or None.
- `register_document_source(name, fn)`: fn(id) -> Envelope for `lienthong edxml build`.
- `send_envelope(envelope, by=)`: one outbound package per recipient; a recipient of this
  deployment is delivered at once IN THE CALLER'S TRANSACTION (both packages, receivers,
  automatic status 01); another one is routed to a peer and queued (delivered after commit);
  a recipient without a route gets a package in state error ("no route").
- `send_status(status, by=)` / `reply_status(package, code, by=)`: a status reply back to the
  sender of a document we received: locally (listeners called at once) or queued to a peer.

Routing (`route_for`): an organ of this deployment (`own_organ_ids()`: every OrgUnit.code —
the 13-character OrganId of Decision 20/2020 — plus `EDXML_ORGAN_ID`) is "local"; else the
peer whose `organ_id` or `organ_ids` holds it; else `LIENTHONG["EDXML_DEFAULT_PEER"]` (e.g.
the national axis, when configured); else no route.

Every package and status sent or received (refusals too) is in the message log, chain "edxml".
Peers (settings `LIENTHONG["EDXML_PEERS"]`, JSON or a dict):
`{"tinh-b": {"url": "https://b.example/api/exchange/edxml/inbox", "api_key": "…",
             "organ_id": "000.00.00.H56", "organ_ids": ["000.00.00.H57"]}}`.
Permission checks are the caller's (the documents module checks its clerks and leaders).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
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
STATUS_EVENT = "edxml.status.received"
SEND_EVENT = "edxml.package.send_requested"
#: Route of a recipient of this deployment (`route_for`).
LOCAL = "local"


def max_bytes() -> int:
    """Largest envelope accepted (base64 attachments included): `EDXML_MAX_BYTES`."""
    return edxml.limit("EDXML_MAX_BYTES")


# --- Hooks ----------------------------------------------------------------------------------

ReceiverFn = Callable[[edxml.Envelope, EdxmlPackage, str], None]
StatusListenerFn = Callable[[edxml.Status, EdxmlPackage | None], None]
DocumentSourceFn = Callable[[str], edxml.Envelope]

_receivers: list[ReceiverFn] = []
_status_listeners: list[StatusListenerFn] = []
_document_sources: dict[str, DocumentSourceFn] = {}


def register_receiver(fn: ReceiverFn) -> ReceiverFn:
    """Call `fn(envelope, package, agency_organ_id)` for every envelope arriving for an organ
    of this deployment (from another deployment's inbox call or a local send): once per
    addressed organ, inside the receiving transaction, in a savepoint. `package` is the
    inbound EdxmlPackage stored for that organ. If `fn` raises, its savepoint is rolled back,
    the error logged and written to `package.status_reason`, and the delivery stands: do not
    raise for business reasons (a duplicate, say), record them. Usable as a decorator."""
    if fn not in _receivers:
        _receivers.append(fn)
    return fn


def unregister_receiver(fn: ReceiverFn) -> None:
    """Stop calling `fn` for arriving envelopes (tests)."""
    if fn in _receivers:
        _receivers.remove(fn)


def register_status_listener(fn: StatusListenerFn) -> StatusListenerFn:
    """Call `fn(status, package)` for every status reply about a document this deployment
    sent: a local reply, a reply through the inbox, the automatic 01 of a delivery (the
    peer's HTTP answer, or a local delivery). `package` is our outbound document package to
    the answering organ (`status.sender.organ_id`) for `status.document_id`; for a status
    from the document's own sender (13, recall) it is our INBOUND package of that document;
    None when there is none (then match on `status.document_id`). Check
    `package.direction`. Runs in the transaction that stores
    the reply, in a savepoint; an exception is logged and the reply stands."""
    if fn not in _status_listeners:
        _status_listeners.append(fn)
    return fn


def unregister_status_listener(fn: StatusListenerFn) -> None:
    """Stop calling `fn` for status replies (tests)."""
    if fn in _status_listeners:
        _status_listeners.remove(fn)


def register_document_source(name: str, fn: DocumentSourceFn) -> DocumentSourceFn:
    """Make `lienthong edxml build --source <name> --id <id>` call `fn(id)` for the envelope
    of a registered document; `fn` raises LookupError (or ObjectDoesNotExist) for an
    unknown id."""
    _document_sources[name] = fn
    return fn


def document_sources() -> dict[str, DocumentSourceFn]:
    """The registered document sources by name."""
    return dict(_document_sources)


def _call_guarded(what: str, call: Callable[[], None], package: EdxmlPackage | None) -> None:
    """Run a hook in a savepoint; a failure is logged and noted on the package."""
    try:
        with transaction.atomic():
            call()
    except Exception as exc:  # a domain hook's failure must not undo the delivery
        logger.exception("edXML %s failed", what)
        if package is not None and package.pk:
            reason = f"{what}: {type(exc).__name__}: {exc}"
            package.status_reason = "; ".join(
                part for part in (package.status_reason, reason) if part
            )[:2000]
            EdxmlPackage.objects.filter(pk=package.pk).update(status_reason=package.status_reason)


def _notify_receivers(envelope: edxml.Envelope, package: EdxmlPackage) -> None:
    for fn in list(_receivers):
        name = getattr(fn, "__qualname__", repr(fn))
        _call_guarded(
            f"receiver {name}", functools.partial(fn, envelope, package, package.organ_id), package
        )


def _notify_status(status: edxml.Status, package: EdxmlPackage | None) -> None:
    for fn in list(_status_listeners):
        name = getattr(fn, "__qualname__", repr(fn))
        _call_guarded(f"status listener {name}", functools.partial(fn, status, package), package)


# --- Organisations and routes ---------------------------------------------------------------


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
    #: Further organs reached through this peer (its other agencies).
    organ_ids: tuple[str, ...] = ()


def _conf() -> dict[str, Any]:
    return dict(getattr(settings, "LIENTHONG", {}))


def peers() -> dict[str, Peer]:
    """The configured peers by code (`LIENTHONG["EDXML_PEERS"]`)."""
    raw: Any = _conf().get("EDXML_PEERS") or {}
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
            organ_ids=tuple(str(v) for v in value.get("organ_ids", ())),
        )
        for code, value in raw.items()
    }


def own_organ_ids() -> set[str]:
    """The organisation codes a package may be addressed to here: EDXML_ORGAN_ID and every
    agency's code (`OrgUnit.code`, the 13-character OrganId)."""
    configured = _conf().get("EDXML_ORGAN_ID") or ""
    codes = {
        code for code in OrgUnit.objects.exclude(code="").values_list("code", flat=True) if code
    }
    return codes | ({configured} if configured else set())


def agency_for_organ(organ_id: str) -> OrgUnit | None:
    """The org unit of this deployment whose code is `organ_id`, if any."""
    if not organ_id:
        return None
    return OrgUnit.objects.filter(code=organ_id).first()


def organ_for(agency: OrgUnit) -> edxml.Organ:
    """The edXML organ (From / To) of an agency of this deployment; ValidationError when it
    has no 13-character code."""
    if not agency.code:
        raise ValidationError(
            {
                "agency": _("Cơ quan %(name)s chưa có mã định danh (OrganId).")
                % {"name": agency.name}
            }
        )
    return edxml.Organ(agency.code, agency.name)


def own_organ(organ_id: str, fallback_name: str = "") -> edxml.Organ:
    """The organ of this deployment with that code (agency, or EDXML_ORGAN_ID/NAME)."""
    agency = agency_for_organ(organ_id)
    if agency is not None:
        return organ_for(agency)
    conf = _conf()
    if organ_id and organ_id == conf.get("EDXML_ORGAN_ID"):
        return edxml.Organ(organ_id, conf.get("EDXML_ORGAN_NAME") or fallback_name or organ_id)
    return edxml.Organ(organ_id, fallback_name or organ_id)


def route_for(organ_id: str, *, own: set[str] | None = None) -> str | None:
    """How a message reaches `organ_id`: LOCAL ("local"), a peer code, or None."""
    if organ_id in (own if own is not None else own_organ_ids()):
        return LOCAL
    known = peers()
    for peer in known.values():
        if organ_id and (organ_id == peer.organ_id or organ_id in peer.organ_ids):
            return peer.code
    default = str(_conf().get("EDXML_DEFAULT_PEER") or "")
    return default if default in known else None


# --- Package columns and the message log ----------------------------------------------------


def _fields(envelope: edxml.Envelope) -> dict[str, Any]:
    """The package columns an envelope fills."""
    signer = ", ".join(
        part
        for part in (envelope.signer_competence, envelope.signer_position, envelope.signer_name)
        if part
    )
    return {
        "kind": EdxmlPackage.Kind.DOCUMENT,
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


def _status_fields(status: edxml.Status) -> dict[str, Any]:
    """The package columns a status reply fills."""
    target = status.recipient_organ_id
    name = status.recipient.name if status.recipient else ""
    code_number, _sep, code_notation = status.response_for.code.partition("/")
    return {
        "kind": EdxmlPackage.Kind.STATUS,
        "from_organ_id": status.sender.organ_id[:20],
        "from_organ_name": status.sender.name[:255],
        "to_organs": [{"organ_id": target, "name": name}],
        "document_id": status.document_id[:200],
        "code_number": code_number[:30],
        "code_notation": code_notation[:60],
        "subject": status.description or status.meaning,
        "promulgation_date": status.response_for.promulgation_date,
        "status_code": status.status_code,
    }


def _message_fields(message: edxml.Envelope | edxml.Status) -> dict[str, Any]:
    if isinstance(message, edxml.Status):
        return _status_fields(message)
    return _fields(message)


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


class _Stored:
    """The bytes of one message, written to storage once and shared by its packages."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.digest = digest_of(data)
        self.name = ""

    def attach(self, package: EdxmlPackage) -> None:
        package.envelope_digest = self.digest
        package.envelope_size = len(self.data)
        if self.name:
            package.envelope.name = self.name
        else:
            package.envelope.save(f"{self.digest[:16]}.edxml", ContentFile(self.data), save=False)
            self.name = package.envelope.name or ""


def _package(
    stored: _Stored,
    message: edxml.Envelope | edxml.Status,
    *,
    direction: str,
    status: str,
    organ_id: str,
    by: Any = None,
    **extra: Any,
) -> EdxmlPackage:
    """A new (unsaved) package for `message`, its bytes attached."""
    values = {**_message_fields(message), **extra}
    package = EdxmlPackage(
        direction=direction,
        status=status,
        organ_id=organ_id[:20],
        created_by=by if getattr(by, "pk", None) else None,
        created_at=timezone.now(),
        **values,
    )
    stored.attach(package)
    return package


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


def _check(data: bytes) -> edxml.Envelope | edxml.Status:
    """The envelope or status reply in `data`, addressed here; Refused otherwise."""
    if not data:
        raise Refused(400, _("Gói tin edXML rỗng."), [_("Thân yêu cầu rỗng.")])
    limit = max_bytes()
    if len(data) > limit:
        raise Refused(413, _("Gói tin edXML quá lớn."), [f"> {limit} bytes"])
    try:
        message = edxml.parse_any(data)
    except edxml.EdxmlError as exc:
        raise Refused(400, _("Gói tin edXML không hợp lệ."), exc.errors) from None
    ours = own_organ_ids()
    if isinstance(message, edxml.Status):
        if message.recipient_organ_id not in ours:
            raise Refused(
                422,
                _("Văn bản được trả lời trạng thái không phải của hệ thống này."),
                [_("Cơ quan nhận: %(codes)s") % {"codes": message.recipient_organ_id}],
            )
        return message
    if not any(r.organ_id in ours for r in message.recipients):
        addressed = ", ".join(r.organ_id for r in message.recipients)
        raise Refused(
            422,
            _("Không có cơ quan nhận nào thuộc hệ thống này."),
            [_("Cơ quan nhận: %(codes)s") % {"codes": addressed}],
        )
    return message


def _addressed_here(envelope: edxml.Envelope, ours: set[str]) -> list[str]:
    """The organs of this deployment among the recipients, each once, in order."""
    seen: list[str] = []
    for recipient in envelope.recipients:
        if recipient.organ_id in ours and recipient.organ_id not in seen:
            seen.append(recipient.organ_id)
    return seen


def _store_inbound(
    envelope: edxml.Envelope,
    stored: _Stored,
    organ_id: str,
    *,
    client: Any = None,
    counterpart: EdxmlPackage | None = None,
) -> EdxmlPackage:
    """Store an arrived envelope for one organ of ours, announce it, call the receivers."""
    package = _package(
        stored,
        envelope,
        direction=EdxmlPackage.Direction.INBOUND,
        status=EdxmlPackage.Status.RECEIVED,
        organ_id=organ_id,
        status_code="01",
        client=client,
        counterpart=counterpart,
    )
    with audited("exchange.edxml.receive", package):
        package.save()
    publish(
        RECEIVED_EVENT,
        subject=package.document_id[:200],
        data={
            "id": package.pk,
            "document_id": package.document_id,
            "from": package.from_organ_id,
            "to": [o["organ_id"] for o in package.to_organs],
            "organ_id": organ_id,
            "local": counterpart is not None,
        },
    )
    _log(
        package,
        direction=MessageLogEntry.Direction.INBOUND,
        operation="receive",
        request=stored.data,
        response=status_answer(package),
        status=201,
        outcome=MessageLogEntry.Outcome.OK,
        client=client,
    )
    _notify_receivers(envelope, package)
    return package


@service
def receive(data: bytes, *, client: Any, by: Any = None) -> tuple[EdxmlPackage, bool]:
    """Store a package another deployment sent (the inbox endpoint's work); (package, new).

    An envelope gives one inbound package per addressed organ of this deployment (the first
    is returned) and calls the receivers; a status reply is stored and passed to the status
    listeners. The same bytes delivered again by the same system are the packages already
    stored.
    """
    message = _check(data)
    stored = _Stored(data)
    existing = (
        EdxmlPackage.objects.filter(
            direction=EdxmlPackage.Direction.INBOUND, client=client, envelope_digest=stored.digest
        )
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            if isinstance(message, edxml.Status):
                package = _receive_status(message, stored, client=client)
            else:
                ours = own_organ_ids()
                packages = [
                    _store_inbound(message, stored, organ_id, client=client)
                    for organ_id in _addressed_here(message, ours)
                ]
                package = packages[0]
    except IntegrityError:
        # Delivered twice at the same moment: the other request stored it.
        existing = (
            EdxmlPackage.objects.filter(
                direction=EdxmlPackage.Direction.INBOUND,
                client=client,
                envelope_digest=stored.digest,
            )
            .order_by("id")
            .first()
        )
        if existing is None:
            raise
        return existing, False
    return package, True


def _sent_document(document_id: str, organ_id: str) -> EdxmlPackage | None:
    """Our latest outbound document package to `organ_id` for `document_id`."""
    return (
        EdxmlPackage.objects.filter(
            direction=EdxmlPackage.Direction.OUTBOUND,
            kind=EdxmlPackage.Kind.DOCUMENT,
            document_id=document_id[:200],
        )
        .filter(Q(organ_id=organ_id) | Q(organ_id=""))
        .order_by("-id")
        .first()
    )


def _received_document(document_id: str, organ_id: str) -> EdxmlPackage | None:
    """The latest inbound document package for `document_id` delivered to `organ_id`."""
    return (
        EdxmlPackage.objects.filter(
            direction=EdxmlPackage.Direction.INBOUND,
            kind=EdxmlPackage.Kind.DOCUMENT,
            document_id=document_id[:200],
        )
        .filter(Q(organ_id=organ_id) | Q(organ_id=""))
        .order_by("-id")
        .first()
    )


def _receive_status(
    status: edxml.Status,
    stored: _Stored,
    *,
    client: Any = None,
    counterpart: EdxmlPackage | None = None,
) -> EdxmlPackage:
    """Store a status reply about a document we sent, update that document's package, tell
    the listeners. A status from the document's own sender (13: it asks for the document
    back) is about the document we received: that inbound package is the one updated."""
    sent = _sent_document(status.document_id, status.sender.organ_id)
    if sent is None:
        sent = _received_document(status.document_id, status.recipient_organ_id)
    package = _package(
        stored,
        status,
        direction=EdxmlPackage.Direction.INBOUND,
        status=EdxmlPackage.Status.RECEIVED,
        organ_id=status.recipient_organ_id,
        client=client,
        counterpart=counterpart,
        about=sent,
    )
    with audited("exchange.edxml.status_received", package):
        package.save()
    if sent is not None:
        with audited("exchange.edxml.status_update", sent):
            sent.status_code = status.status_code
            sent.status_reason = status.description[:2000]
            sent.save(update_fields=["status_code", "status_reason"])
    publish(
        STATUS_EVENT,
        subject=package.document_id[:200],
        data={
            "id": package.pk,
            "document_id": package.document_id,
            "from": status.sender.organ_id,
            "status_code": status.status_code,
            "package": sent.pk if sent is not None else None,
        },
    )
    _log(
        package,
        direction=MessageLogEntry.Direction.INBOUND,
        operation="status",
        request=stored.data,
        response=status_answer(package),
        status=201,
        outcome=MessageLogEntry.Outcome.OK,
        client=client,
    )
    _notify_status(status, sent)
    return package


def log_refusal(data: bytes, refused: Refused, *, client: Any) -> None:
    """Record a refused package in chain "edxml" (nothing else is stored)."""
    with transaction.atomic():
        _log(
            None,
            direction=MessageLogEntry.Direction.INBOUND,
            operation="receive",
            request=data[: max_bytes()],
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


def _arrived(envelope: edxml.Envelope, organ_id: str) -> edxml.Status:
    """The automatic status 01 an organ answers when an envelope reaches it."""
    recipient = next((r for r in envelope.recipients if r.organ_id == organ_id), None)
    return edxml.Status(
        sender=own_organ(organ_id, recipient.name if recipient else ""),
        recipient=envelope.sender,
        response_for=edxml.ResponseFor(
            organ_id=envelope.sender.organ_id,
            code=envelope.number,
            promulgation_date=envelope.promulgation_date,
            document_id=envelope.computed_document_id(),
        ),
        status_code="01",
        description=edxml.STATUS_CODES["01"],
        timestamp=timezone.now(),
    )


def _no_route(organ_id: str) -> str:
    return _(
        "Không có đường gửi tới cơ quan %(organ)s: không thuộc hệ thống này, không có trong "
        "EDXML_PEERS và không cấu hình EDXML_DEFAULT_PEER."
    ) % {"organ": organ_id}


def _send_out(
    stored: _Stored,
    message: edxml.Envelope | edxml.Status,
    organ_id: str,
    route: str | None,
    *,
    by: Any,
    about: EdxmlPackage | None = None,
) -> EdxmlPackage:
    """The outbound package of one message to one organ: sent at once (local), queued for a
    peer, or in error when there is no route."""
    if route == LOCAL:
        state, peer, reason = EdxmlPackage.Status.SENT, "", ""
    elif route is not None:
        state, peer, reason = EdxmlPackage.Status.PENDING, route, ""
    else:
        state, peer, reason = EdxmlPackage.Status.ERROR, "", _no_route(organ_id)
    extra: dict[str, Any] = {"peer": peer, "status_reason": reason, "about": about}
    if isinstance(message, edxml.Envelope) and route == LOCAL:
        extra["status_code"] = "01"
    package = _package(
        stored,
        message,
        direction=EdxmlPackage.Direction.OUTBOUND,
        status=state,
        organ_id=organ_id,
        by=by,
        **extra,
    )
    action = (
        "exchange.edxml.send" if isinstance(message, edxml.Envelope) else "exchange.edxml.status"
    )
    with audited(action, package):
        package.save()
    if route not in (LOCAL, None):
        publish(SEND_EVENT, subject=package.document_id[:200], data={"package": package.pk})
    elif route is None:
        _log(
            package,
            direction=MessageLogEntry.Direction.OUTBOUND,
            operation="send" if isinstance(message, edxml.Envelope) else "status",
            request=stored.data,
            response=None,
            status=None,
            outcome=MessageLogEntry.Outcome.ERROR,
            error=reason,
        )
    return package


def _log_local_send(package: EdxmlPackage, stored: _Stored, answer: dict[str, Any]) -> None:
    _log(
        package,
        direction=MessageLogEntry.Direction.OUTBOUND,
        operation="send" if package.kind == EdxmlPackage.Kind.DOCUMENT else "status",
        request=stored.data,
        response=answer,
        status=201,
        outcome=MessageLogEntry.Outcome.OK,
    )


def _link(outbound: EdxmlPackage, inbound: EdxmlPackage) -> None:
    outbound.counterpart = inbound
    outbound.save(update_fields=["counterpart"])


def _built(message: edxml.Envelope | edxml.Status) -> tuple[bytes, Any]:
    """The message's bytes and what they parse back to; ValidationError when they do not."""
    try:
        if isinstance(message, edxml.Status):
            data = edxml.build_status(message)
            return data, edxml.parse_status(data)
        data = edxml.build(message)
        return data, edxml.parse(data)
    except edxml.EdxmlError as exc:
        raise ValidationError({"envelope": exc.errors}) from None


def _check_sender(organ_id: str, ours: set[str]) -> None:
    """Only an organ of this deployment sends from here."""
    if organ_id not in ours:
        raise ValidationError(
            {"sender": _("Cơ quan gửi %(organ)s không thuộc hệ thống này.") % {"organ": organ_id}}
        )


@service
def send_envelope(envelope: edxml.Envelope, *, by: Any = None) -> list[EdxmlPackage]:
    """Send a document to each of its recipients; one outbound package per recipient.

    A recipient of this deployment is delivered at once, in the caller's transaction: the
    outbound package (sent, 01), the inbound one for the receiver, the receivers called,
    the status listeners told 01. Another is queued for its peer (the worker delivers it
    after commit) or, without a route, stored in state error. ValidationError, and nothing
    written, when the envelope is not one we could parse back or its sender is not an organ
    of this deployment.
    """
    if not envelope.recipients:
        raise ValidationError({"recipients": [_("Thiếu cơ quan nhận (To/OrganId).")]})
    if not envelope.traces and envelope.sent_at is None:
        envelope = dataclasses.replace(envelope, sent_at=timezone.now())
    data, sent = _built(envelope)
    envelope = sent  # what the receivers get: the envelope as the bytes say (DocumentId set)
    ours = own_organ_ids()
    _check_sender(envelope.sender.organ_id, ours)
    stored = _Stored(data)
    packages: list[EdxmlPackage] = []
    done: set[str] = set()
    for recipient in envelope.recipients:
        organ_id = recipient.organ_id
        if organ_id in done:
            continue
        done.add(organ_id)
        route = route_for(organ_id, own=ours)
        outbound = _send_out(stored, envelope, organ_id, route, by=by)
        packages.append(outbound)
        if route != LOCAL:
            continue
        inbound = _store_inbound(envelope, stored, organ_id, counterpart=outbound)
        _link(outbound, inbound)
        _log_local_send(outbound, stored, status_answer(inbound))
        _deliver_status_locally(_arrived(envelope, organ_id), by=by, received=inbound)
    return packages


def _deliver_status_locally(
    status: edxml.Status,
    *,
    by: Any,
    received: EdxmlPackage | None = None,
    outbound: EdxmlPackage | None = None,
    stored: _Stored | None = None,
) -> EdxmlPackage:
    """A status reply between two organs of this deployment: both packages, the sent
    document's package updated, the listeners told. Returns the outbound status package."""
    stored = stored or _Stored(edxml.build_status(status))
    if outbound is None:
        outbound = _send_out(
            stored, status, status.recipient_organ_id, LOCAL, by=by, about=received
        )
    inbound = _receive_status(status, stored, counterpart=outbound)
    _link(outbound, inbound)
    _log_local_send(outbound, stored, status_answer(inbound))
    return outbound


@service
def send_status(status: edxml.Status, *, by: Any = None) -> EdxmlPackage:
    """Send a status reply about a document we received back to its sender (To, else the
    ResponseFor organ): locally (the listeners are called at once, in this transaction) or
    queued to the sender's peer; without a route the package is stored in state error.
    The received document's package takes the new status code. Returns the outbound
    status package; ValidationError (nothing written) for an invalid status."""
    if status.timestamp is None:
        status = dataclasses.replace(status, timestamp=timezone.now())
    data, _parsed = _built(status)
    _check_sender(status.sender.organ_id, own_organ_ids())
    received = _received_document(status.document_id, status.sender.organ_id)
    if received is not None:
        with audited("exchange.edxml.status_update", received):
            received.status_code = status.status_code
            received.save(update_fields=["status_code"])
    target = status.recipient_organ_id
    route = route_for(target)
    stored = _Stored(data)
    outbound = _send_out(stored, status, target, route, by=by, about=received)
    if route == LOCAL:
        _deliver_status_locally(status, by=by, received=received, outbound=outbound, stored=stored)
    return outbound


def status_for(
    package: EdxmlPackage,
    code: str,
    *,
    description: str = "",
    staff: edxml.StaffInfo | None = None,
) -> edxml.Status:
    """The status reply of the organ an inbound document package was delivered to."""
    if package.direction != EdxmlPackage.Direction.INBOUND or package.kind != (
        EdxmlPackage.Kind.DOCUMENT
    ):
        raise ValidationError(
            {"package": _("Chỉ trả lời trạng thái cho văn bản đã nhận (gói tin đến).")}
        )
    if code not in edxml.STATUS_CODES:
        raise ValidationError({"code": _("Mã trạng thái không hợp lệ: %(code)s") % {"code": code}})
    organ_id = package.organ_id or next(
        (o["organ_id"] for o in package.to_organs if o["organ_id"] in own_organ_ids()), ""
    )
    name = next((o.get("name", "") for o in package.to_organs if o["organ_id"] == organ_id), "")
    number = "/".join(part for part in (package.code_number, package.code_notation) if part)
    return edxml.Status(
        sender=own_organ(organ_id, name),
        recipient=edxml.Organ(package.from_organ_id, package.from_organ_name),
        response_for=edxml.ResponseFor(
            organ_id=package.from_organ_id,
            code=number,
            promulgation_date=package.promulgation_date,
            document_id=package.document_id,
        ),
        status_code=code,
        description=description or edxml.STATUS_CODES[code],
        timestamp=timezone.now(),
        staff=staff,
    )


def reply_status(
    package: EdxmlPackage,
    code: str,
    *,
    description: str = "",
    staff: edxml.StaffInfo | None = None,
    by: Any = None,
) -> EdxmlPackage:
    """Answer status `code` (02 refused, 03 accepted, 04, 05, 06 …) for an inbound document
    package, back to its sender; see `send_status`."""
    return send_status(status_for(package, code, description=description, staff=staff), by=by)


@service
def queue_send(data: bytes, *, peer: str, by: Any = None) -> EdxmlPackage:
    """Check an envelope (or a status reply) and queue it for a peer; the worker (or
    `deliver`) sends it."""
    known = peers()
    if peer not in known:
        raise ValidationError(
            {"peer": _("Không có nơi nhận %(peer)s trong cấu hình EDXML_PEERS.") % {"peer": peer}}
        )
    try:
        message = edxml.parse_any(data)
    except edxml.EdxmlError as exc:
        raise ValidationError({"file": exc.errors}) from None
    if isinstance(message, edxml.Status):
        organ_id = message.recipient_organ_id
    else:
        organ_id = known[peer].organ_id
    return _send_out(_Stored(data), message, organ_id, peer, by=by)


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


def _arrived_remotely(package: EdxmlPackage, answer: dict[str, Any]) -> edxml.Status:
    """The 01 a peer answered over HTTP for a document package, as a Status."""
    organ_id = package.organ_id or next((o["organ_id"] for o in package.to_organs), "")
    name = next((o.get("name", "") for o in package.to_organs if o["organ_id"] == organ_id), "")
    number = "/".join(part for part in (package.code_number, package.code_notation) if part)
    code = str(answer.get("status_code", "01"))[:2]
    return edxml.Status(
        sender=edxml.Organ(organ_id, name or organ_id),
        recipient=edxml.Organ(package.from_organ_id, package.from_organ_name),
        response_for=edxml.ResponseFor(
            organ_id=package.from_organ_id,
            code=number,
            promulgation_date=package.promulgation_date,
            document_id=package.document_id,
        ),
        status_code=code if code in edxml.STATUS_CODES else "01",
        description=str(answer.get("description", "")),
        timestamp=timezone.now(),
    )


def deliver(package_id: int) -> EdxmlPackage | None:
    """POST a queued package to its peer and record the answer; call outside a transaction.

    Idempotent: a package already answered is left alone. Two deliveries racing may both
    POST; the receiver stores one package per envelope and system and answers the second
    with 200. Unreachable or 5xx leaves it pending for the next scheduled attempt. A
    document accepted by the peer (01) reaches the status listeners.
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
        is_document = package.kind == EdxmlPackage.Kind.DOCUMENT
        accepted = False
        if response is not None and response.ok and isinstance(answer, dict):
            package.status = EdxmlPackage.Status.SENT
            if is_document:
                package.status_code = str(answer.get("status_code", "01"))[:2]
            package.status_reason = ""
            accepted = is_document
        elif response is not None and response.status < 500:
            detail = answer.get("detail", "") if isinstance(answer, dict) else ""
            errors = answer.get("errors", []) if isinstance(answer, dict) else []
            package.status = EdxmlPackage.Status.ERROR
            if is_document:
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
            operation="send" if is_document else "status",
            request=data,
            response=response.body if response is not None else None,
            status=response.status if response is not None else None,
            outcome=MessageLogEntry.Outcome.OK
            if package.status == EdxmlPackage.Status.SENT
            else MessageLogEntry.Outcome.ERROR,
            error=error,
            duration_ms=response.duration_ms if response is not None else None,
        )
        if accepted and isinstance(answer, dict):
            _notify_status(_arrived_remotely(package, answer), package)
    if error:
        logger.warning("edXML package %s to %s: %s", package.pk, package.peer, error)
    return package
