"""`lienthong deadletters list | replay`: events a receiver never accepted, and sending them
again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.exchange.delivery import cli


class Command(BaseCommand):
    """List dead letters or queue them for another delivery."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Xem và chuyển lại các sự kiện không chuyển được tới hệ thống kết nối.")

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_deadletter_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cli.run_deadletters(options, self.stdout)
        except cli.CliError as exc:
            raise CommandError(str(exc), returncode=2) from None
