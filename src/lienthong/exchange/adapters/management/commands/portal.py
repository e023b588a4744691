"""`lienthong portal sync [--since YYYY-MM-DD]`: send the national portal again what it lacks."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.calendar import VN_TZ
from lienthong.core.context import acting
from lienthong.exchange.adapters import portal


class Command(BaseCommand):
    """Resend updates the portal has not accepted, or the current status of recent dossiers."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Đồng bộ hồ sơ với Cổng Dịch vụ công quốc gia.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sync = sub.add_parser(
            "sync",
            help=_(
                "Gửi lại các cập nhật bị lỗi; với --since, gửi trạng thái hiện tại của mọi hồ "
                "sơ có thay đổi từ ngày đó."
            ),
        )
        sync.add_argument("--since", metavar="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        if not portal.enabled():
            raise CommandError(
                _("Chưa cấu hình Cổng DVC quốc gia (PORTAL_URL, PORTAL_TOKEN)."), returncode=2
            )
        since = None
        if options["since"]:
            try:
                day = datetime.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    _("Ngày không hợp lệ: %(value)s (cần dạng YYYY-MM-DD).")
                    % {"value": options["since"]},
                    returncode=2,
                ) from None
            since = datetime.datetime.combine(day, datetime.time(), tzinfo=VN_TZ)
        with acting(via="cli:portal sync"):
            result = portal.resend(since=since)
        self.stdout.write(
            _(
                "Đã xếp hàng %(queued)d, gửi lại %(rearmed)d cập nhật lỗi; gửi thành công "
                "%(sent)d, lỗi %(failed)d."
            )
            % {
                "queued": result.queued,
                "rearmed": result.rearmed,
                "sent": result.sent,
                "failed": result.failed,
            }
        )
        if result.failed:
            raise CommandError(_("Một số cập nhật chưa gửi được; xem /lien-thong/."), returncode=1)
