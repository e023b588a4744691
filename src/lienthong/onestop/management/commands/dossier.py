"""`lienthong dossier <action> …`: one-stop dossiers from the command line.

The actions come from `onestop.cli_intake` (submit, accept, refuse, lookup, …) and
`onestop.cli_processing` (forward, supplement, return result, …). Each module offers
`add_commands(subparsers)`; every subparser sets `handler=function(options, command)`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.onestop import cli_intake, cli_processing


class Command(BaseCommand):
    help = _("Hồ sơ một cửa: nộp, tiếp nhận, tra cứu, xử lý.")

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="action", metavar="action")
        cli_intake.add_commands(subparsers)
        cli_processing.add_commands(subparsers)

    def handle(self, *args: Any, **options: Any) -> None:
        handler = options.get("handler")
        if handler is None:
            raise CommandError(_("Hãy chọn một thao tác, xem: lienthong dossier --help"))
        handler(options, self)
