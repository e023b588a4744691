"""`lienthong edxml send <file> --to <peer>` and `lienthong edxml list`: exchange documents
with other Liên Thông deployments (edXML, QCVN 102:2016/BTTTT)."""

from __future__ import annotations

import datetime
import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.exchange.adapters import edxml, edxml_services
from lienthong.exchange.adapters.models import EdxmlPackage


def _envelope_for(path: Path, data: bytes, options: dict[str, Any]) -> bytes:
    """`data` itself when it is an edXML envelope, else an envelope carrying it."""
    if path.suffix.lower() in (".edxml", ".xml"):
        return data
    peer = edxml_services.peers().get(options["to"])
    conf = getattr(settings, "LIENTHONG", {})
    sender_id = conf.get("EDXML_ORGAN_ID") or ""
    recipient_id = options["to_organ"] or (peer.organ_id if peer else "")
    missing = [
        name
        for name, value in (
            ("EDXML_ORGAN_ID", sender_id),
            ("--to-organ", recipient_id),
            ("--subject", options["subject"]),
            ("--number", options["number"]),
        )
        if not value
    ]
    if missing:
        raise CommandError(
            _("Để gói một tệp thành edXML cần: %(names)s.") % {"names": ", ".join(missing)},
            returncode=2,
        )
    number, _sep, notation = str(options["number"]).partition("/")
    try:
        day = (
            datetime.date.fromisoformat(options["date"])
            if options["date"]
            else timezone.localdate()
        )
    except ValueError:
        raise CommandError(_("Ngày không hợp lệ (cần YYYY-MM-DD)."), returncode=2) from None
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    envelope = edxml.Envelope(
        sender=edxml.Organ(sender_id, conf.get("EDXML_ORGAN_NAME") or sender_id),
        recipients=[edxml.Organ(recipient_id, peer.name if peer and peer.name else recipient_id)],
        subject=options["subject"],
        code_number=number,
        code_notation=notation,
        promulgation_date=day,
        document_type=options["type"],
        signer_name=options["signer"] or "",
        attachments=[edxml.Attachment(path.name, content_type, data)],
    )
    return edxml.build(envelope)


class Command(BaseCommand):
    """Send an edXML package to a peer deployment, or list the packages sent and received."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Gửi, nhận văn bản điện tử edXML với hệ thống Liên Thông khác.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        send = sub.add_parser(
            "send", help=_("Gửi một gói tin edXML (hoặc gói một tệp) tới nơi nhận.")
        )
        send.add_argument("file")
        send.add_argument("--to", required=True, help=_("Mã nơi nhận trong EDXML_PEERS."))
        send.add_argument("--to-organ", default="", help=_("Mã cơ quan nhận (OrganId)."))
        send.add_argument("--subject", default="", help=_("Trích yếu."))
        send.add_argument("--number", default="", help=_("Số/ký hiệu, ví dụ 123/UBND-VP."))
        send.add_argument("--type", default="Công văn", help=_("Tên loại văn bản."))
        send.add_argument("--date", default="", help=_("Ngày ban hành YYYY-MM-DD."))
        send.add_argument("--signer", default="", help=_("Người ký."))
        send.add_argument(
            "--queue-only", action="store_true", help=_("Chỉ xếp hàng; tiến trình nền sẽ gửi.")
        )
        listing = sub.add_parser("list", help=_("Các gói tin gần nhất."))
        listing.add_argument("--direction", choices=EdxmlPackage.Direction.values)
        listing.add_argument("-n", type=int, default=50, dest="count")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            self._list(options)
        else:
            self._send(options)

    def _send(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Không đọc được tệp %(path)s: %(error)s") % {"path": path, "error": exc},
                returncode=2,
            ) from None
        envelope = _envelope_for(path, data, options)
        with acting(via="cli:edxml send"):
            try:
                package = edxml_services.queue_send(envelope, peer=options["to"])
            except ValidationError as exc:
                lines = [str(m) for messages in exc.message_dict.values() for m in messages]
                raise CommandError("\n".join(lines), returncode=2) from None
            if options["queue_only"]:
                self.stdout.write(_("Đã xếp hàng gói tin %(id)d.") % {"id": package.pk})
                return
            sent = edxml_services.deliver(package.pk)
        assert sent is not None
        if sent.status == EdxmlPackage.Status.SENT:
            self.stdout.write(
                _("Đã gửi gói tin %(id)d (%(doc)s) tới %(peer)s: trạng thái %(code)s %(text)s.")
                % {
                    "id": sent.pk,
                    "doc": sent.document_id,
                    "peer": sent.peer,
                    "code": sent.status_code,
                    "text": edxml.STATUS_CODES.get(sent.status_code, ""),
                }
            )
            return
        if sent.status == EdxmlPackage.Status.PENDING:
            raise CommandError(
                _("Chưa gửi được (%(reason)s); tiến trình nền sẽ gửi lại.")
                % {"reason": sent.status_reason},
                returncode=1,
            )
        raise CommandError(
            _("Nơi nhận từ chối gói tin: %(reason)s") % {"reason": sent.status_reason},
            returncode=1,
        )

    def _list(self, options: dict[str, Any]) -> None:
        packages = EdxmlPackage.objects.order_by("-id")
        if options["direction"]:
            packages = packages.filter(direction=options["direction"])
        for package in reversed(list(packages[: options["count"]])):
            when = timezone.localtime(package.created_at).strftime("%Y-%m-%d %H:%M")
            other = package.peer or (package.client.code if package.client else "")
            self.stdout.write(
                f"{package.pk}\t{when}\t{package.direction}\t{package.status}\t"
                f"{package.status_code or '-'}\t{other}\t{package.from_organ_id}\t"
                f"{package.document_id}\t{package.subject[:60]}"
            )
