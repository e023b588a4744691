"""`lienthong cong flush-counters [--every SECONDS]` (cổng: `portal` is the national portal
adapter's command): move counted views and visits into
the database (exactly once per batch; see portal/counters.py) and forget old salts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from lienthong.portal.counters import get_store, purge_old_salts


class Command(BaseCommand):
    help = _("Cổng thông tin: ghi số đếm lượt xem, lượt truy cập vào cơ sở dữ liệu.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="action", required=True)
        flush = sub.add_parser("flush-counters", help=_("Ghi số đếm đang chờ vào cơ sở dữ liệu."))
        flush.add_argument(
            "--every",
            type=float,
            default=0,
            help=_("Lặp lại sau mỗi N giây (mặc định: chạy một lần)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        while True:
            result = get_store().flush()
            purge_old_salts()
            self.stdout.write(
                _("Đã ghi %(views)d lượt xem, %(visits)d lượt truy cập (%(batches)d lô).")
                % {"views": result.views, "visits": result.visits, "batches": result.batches}
            )
            if every <= 0:
                return
            time.sleep(every)
