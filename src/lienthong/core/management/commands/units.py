"""`lienthong units load` and `lienthong units parse "<address>" [--json]`."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.core.models import AdminUnit
from lienthong.core.units import (
    AddressNotRecognised,
    UnitsNotLoaded,
    load_units,
    parse_address,
)

_LEVEL_ORDER = [
    (AdminUnit.Era.LEGACY, AdminUnit.Level.PROVINCE),
    (AdminUnit.Era.LEGACY, AdminUnit.Level.DISTRICT),
    (AdminUnit.Era.LEGACY, AdminUnit.Level.COMMUNE),
    (AdminUnit.Era.Y2025, AdminUnit.Level.PROVINCE),
    (AdminUnit.Era.Y2025, AdminUnit.Level.COMMUNE),
]


class Command(BaseCommand):
    help = _("Đơn vị hành chính: nạp từ gói vietnamadminunits, tra cứu địa chỉ.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,parse}")
        actions.add_parser(
            "load",
            help=_(
                "Nạp (hoặc cập nhật) đơn vị hành chính của cả hai thời kỳ; chạy lại không đổi gì."
            ),
        )
        parse = actions.add_parser(
            "parse", help=_("Tìm đơn vị hành chính (cả hai thời kỳ) trong một địa chỉ.")
        )
        parse.add_argument("address", help=_("Địa chỉ, có dấu hoặc không dấu."))
        parse.add_argument("--json", action="store_true", help=_("In kết quả dạng JSON."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self.load(options["verbosity"])
        else:
            self.parse(options["address"], as_json=options["json"])

    def load(self, verbosity: int) -> None:
        started = time.monotonic()
        with acting(via="lienthong units load"):
            report = load_units()
        elapsed = time.monotonic() - started
        if verbosity >= 1:
            for era, level in _LEVEL_ORDER:
                self.stdout.write(
                    _("%(era)s — %(level)s: %(total)d (mới %(created)d, cập nhật %(updated)d)")
                    % {
                        "era": AdminUnit.Era(era).label,
                        "level": AdminUnit.Level(level).label,
                        "total": report.totals[(era, level)],
                        "created": report.created[(era, level)],
                        "updated": report.updated[(era, level)],
                    }
                )
        for code, reason in sorted(report.unmapped.items()):
            self.stderr.write(
                _("Đơn vị cũ %(code)s chưa có đơn vị kế thừa: %(reason)s")
                % {"code": code, "reason": reason}
            )
        summary = (
            _("Đã nạp đơn vị hành chính (vietnamadminunits %(version)s) trong %(seconds).1f giây.")
            if report.changed
            else _("Đơn vị hành chính đã đầy đủ, không có gì thay đổi (%(seconds).1f giây).")
        )
        self.stdout.write(
            self.style.SUCCESS(summary % {"version": report.version, "seconds": elapsed})
        )

    def parse(self, address: str, *, as_json: bool) -> None:
        try:
            match = parse_address(address)
        except UnitsNotLoaded as exc:
            raise CommandError(str(exc)) from exc
        except AddressNotRecognised as exc:
            if as_json:
                self.stdout.write(
                    json.dumps(
                        {"error": exc.reason, "detail": exc.message, "address": exc.address},
                        ensure_ascii=False,
                        indent=2,
                    )
                )
            raise CommandError(exc.message) from exc
        if as_json:
            self.stdout.write(json.dumps(match.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(match.lines()))
