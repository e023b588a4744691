"""`lienthong edxml send <file> --to <peer>`, `lienthong edxml list`, `lienthong edxml parse
<file>` and `lienthong edxml build (--source <name> --id <id> | --json header.json) [-o file]`:
exchange documents with other Liên Thông deployments (edXML, QCVN 102:2016/BTTTT).

`parse` prints the header of an envelope or a status reply as JSON (exit 0), or every reason
it is refused on stderr (exit 1; 2 when the file cannot be read). `build` writes an envelope
made by a document source a domain app registered (`edxml_services.register_document_source`)
or from a JSON header (the shape `parse` prints; attachments as {"name", "content_type",
"path"} relative to the JSON file, or "data_base64")."""

from __future__ import annotations

import datetime
import json
import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
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
        listing.add_argument("--kind", choices=EdxmlPackage.Kind.values)
        parse = sub.add_parser(
            "parse", help=_("Đọc một gói tin edXML (văn bản hoặc trạng thái), in tiêu đề JSON.")
        )
        parse.add_argument("file")
        build = sub.add_parser(
            "build", help=_("Tạo gói tin edXML từ văn bản đã đăng ký hoặc từ tiêu đề JSON.")
        )
        source = build.add_mutually_exclusive_group(required=True)
        source.add_argument("--source", help=_("Nguồn văn bản (ví dụ outgoing)."))
        source.add_argument("--json", dest="json_file", help=_("Tệp tiêu đề JSON."))
        build.add_argument("--id", dest="document", help=_("Mã văn bản trong nguồn."))
        build.add_argument("-o", "--output", help=_("Ghi ra tệp (mặc định: stdout)."))

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "list": self._list,
            "send": self._send,
            "parse": self._parse,
            "build": self._build,
        }
        handlers[options["subcommand"]](options)

    def _read(self, name: str) -> bytes:
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Không đọc được tệp %(path)s: %(error)s") % {"path": name, "error": exc},
                returncode=2,
            ) from None

    def _parse(self, options: dict[str, Any]) -> None:
        data = self._read(options["file"])
        try:
            message = edxml.parse_any(data)
        except edxml.EdxmlError as exc:
            raise CommandError(
                "\n".join(
                    [_("Gói tin edXML không hợp lệ:")] + [f"- {error}" for error in exc.errors]
                ),
                returncode=1,
            ) from None
        self.stdout.write(json.dumps(edxml.as_json(message), ensure_ascii=False, indent=2))

    def _build(self, options: dict[str, Any]) -> None:
        message: edxml.Envelope | edxml.Status
        if options["json_file"]:
            path = Path(options["json_file"])
            try:
                header = json.loads(self._read(str(path)))
            except ValueError as exc:
                raise CommandError(
                    _("Tệp JSON không hợp lệ: %(error)s") % {"error": exc}, returncode=2
                ) from None
            try:
                message = edxml.from_json(
                    header, read=lambda name: (path.parent / name).read_bytes()
                )
            except edxml.EdxmlError as exc:
                raise CommandError(
                    "\n".join([_("Tiêu đề JSON không hợp lệ:")] + [f"- {e}" for e in exc.errors]),
                    returncode=2,
                ) from None
        else:
            sources = edxml_services.document_sources()
            name = options["source"]
            if name not in sources:
                raise CommandError(
                    _("Không có nguồn văn bản %(name)s (có: %(known)s).")
                    % {"name": name, "known": ", ".join(sorted(sources)) or "∅"},
                    returncode=2,
                )
            if not options["document"]:
                raise CommandError(_("Cần --id của văn bản."), returncode=2)
            try:
                message = sources[name](str(options["document"]))
            except (LookupError, ObjectDoesNotExist, ValueError):
                raise CommandError(
                    _("Không tìm thấy văn bản %(id)s trong nguồn %(name)s.")
                    % {"id": options["document"], "name": name},
                    returncode=1,
                ) from None
        try:
            if isinstance(message, edxml.Status):
                data = edxml.build_status(message)
                edxml.parse_status(data)
            else:
                data = edxml.build(message)
                edxml.parse(data)
        except edxml.EdxmlError as exc:
            raise CommandError(
                "\n".join([_("Gói tin tạo ra không hợp lệ:")] + [f"- {e}" for e in exc.errors]),
                returncode=1,
            ) from None
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(
                _("Đã ghi %(path)s (%(size)d byte).")
                % {"path": options["output"], "size": len(data)}
            )
        else:
            self.stdout.write(data.decode("utf-8"), ending="")

    def _send(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        data = self._read(options["file"])
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
        if options["kind"]:
            packages = packages.filter(kind=options["kind"])
        for package in reversed(list(packages[: options["count"]])):
            when = timezone.localtime(package.created_at).strftime("%Y-%m-%d %H:%M")
            other = package.peer or (package.client.code if package.client else "")
            if not other and package.counterpart_id:
                other = "local"
            self.stdout.write(
                f"{package.pk}\t{when}\t{package.direction}\t{package.status}\t"
                f"{package.status_code or '-'}\t{other}\t{package.from_organ_id}\t"
                f"{package.document_id}\t{package.subject[:60]}\t{package.kind}"
            )
