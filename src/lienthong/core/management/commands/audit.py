"""`lienthong audit verify | head | tail | show`: check and read the audit log."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import head_state, missing_guards, verify_chain
from lienthong.core.models import AuditEntry

_ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def _anchor(value: str) -> tuple[int, str]:
    match = _ANCHOR.match(value.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(_("Mốc phải có dạng SỐ:MÃBĂM (64 ký tự hex)."))
    return int(match.group(1)), match.group(2)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(_("Phải là số nguyên dương."))
    return number


class Command(BaseCommand):
    """Verify the hash chain, print its head, list the latest entries or show one."""

    @property
    def help(self) -> str:  # type: ignore[override]
        # argparse needs a real str, so translate when the parser is built, not at import.
        return _("Kiểm tra và xem nhật ký hệ thống (chuỗi băm chỉ ghi thêm).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help=_("Kiểm tra toàn vẹn; mã thoát khác 0 nếu có bản ghi bị sửa/xoá.")
        )
        verify.add_argument(
            "--anchor",
            type=_anchor,
            action="append",
            default=[],
            metavar="SỐ:MÃBĂM",
            help=_("Mốc đã lưu giữ bên ngoài (từ `audit head`); có thể lặp lại."),
        )
        verify.add_argument("--batch", type=_positive, default=2000, help=argparse.SUPPRESS)
        sub.add_parser("head", help=_("In số bản ghi và mã băm cuối để lưu giữ bên ngoài."))
        tail = sub.add_parser("tail", help=_("Các bản ghi mới nhất."))
        tail.add_argument("-n", type=_positive, default=20, dest="count")
        show = sub.add_parser("show", help=_("Chi tiết một bản ghi theo số thứ tự."))
        show.add_argument("seq", type=_positive)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['subcommand']}")(options)

    def _verify(self, options: dict[str, Any]) -> None:
        report = verify_chain(anchors=options["anchor"], batch=options["batch"])
        if not report.ok:
            raise CommandError(
                _("Nhật ký KHÔNG toàn vẹn tại bản ghi số %(seq)s%(id)s: %(reason)s")
                % {
                    "seq": report.first_bad_seq,
                    "id": f" (id {report.first_bad_id})" if report.first_bad_id else "",
                    "reason": report.reason,
                },
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(_("Nhật ký toàn vẹn: %(n)d bản ghi.") % {"n": report.checked})
        )
        if missing := missing_guards():
            # The chain is intact, but nothing stops the next change: say so loudly.
            self.stderr.write(
                self.style.WARNING(
                    _("Cảnh báo: thiếu trigger chống sửa/xoá nhật ký: %(names)s.")
                    % {"names": ", ".join(missing)}
                )
            )

    def _head(self, options: dict[str, Any]) -> None:
        count, last_hash = head_state()
        self.stdout.write(f"{count}:{last_hash}")

    def _tail(self, options: dict[str, Any]) -> None:
        rows = list(AuditEntry.objects.order_by("-seq")[: options["count"]])
        for entry in reversed(rows):
            self.stdout.write(self._line(entry))

    def _show(self, options: dict[str, Any]) -> None:
        entry = AuditEntry.objects.filter(seq=options["seq"]).first()
        if entry is None:
            raise CommandError(
                _("Không có bản ghi số %(seq)d.") % {"seq": options["seq"]}, returncode=2
            )
        fields = [
            (_("Số thứ tự"), entry.seq),
            ("id", entry.id),
            (_("Thời điểm"), timezone.localtime(entry.created_at).isoformat()),
            (_("Người thực hiện"), f"{entry.actor_repr} (id {entry.actor_id})"),
            (_("Đơn vị"), entry.org_unit_id),
            (_("Hành động"), entry.action),
            (_("Đối tượng"), f"{entry.object_type} #{entry.object_id} {entry.object_repr}"),
            (_("Mã yêu cầu"), entry.request_id),
            ("IP", entry.ip),
            (_("Mã băm trước"), entry.prev_hash),
            (_("Mã băm"), entry.hash),
        ]
        for label, value in fields:
            self.stdout.write(f"{label}: {'' if value is None else value}")
        for label, data in ((_("Trước"), entry.before), (_("Sau"), entry.after)):
            text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
            self.stdout.write(f"{label}: {text}")

    @staticmethod
    def _line(entry: AuditEntry) -> str:
        when = timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S")
        who = entry.actor_repr or "-"
        what = f"{entry.object_type}#{entry.object_id}" if entry.object_type else "-"
        return f"{entry.seq:>8}  {when}  {who:<20}  {entry.action:<30}  {what}  {entry.object_repr}"
