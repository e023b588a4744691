"""`lienthong lgsp fetch <list>|all` and `lienthong lgsp lists`: shared code lists from the
provincial LGSP gateway."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.exchange.adapters import lgsp
from lienthong.exchange.adapters.models import SharedCodeList


class Command(BaseCommand):
    """Fetch shared code lists from the LGSP, or show the copies kept."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Lấy danh mục dùng chung từ nền tảng LGSP của tỉnh.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        fetch = sub.add_parser("fetch", help=_("Lấy một danh mục (hoặc all: tất cả)."))
        fetch.add_argument("list")
        sub.add_parser("lists", help=_("Các danh mục đã lấy về."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "lists":
            for code_list in SharedCodeList.objects.order_by("name"):
                when = timezone.localtime(code_list.fetched_at).strftime("%Y-%m-%d %H:%M")
                self.stdout.write(f"{code_list.name}\t{code_list.count}\t{when}")
            return
        names = lgsp.list_names() if options["list"] == "all" else [options["list"]]
        with acting(via="cli:lgsp fetch"):
            for name in names:
                try:
                    code_list = lgsp.fetch_list(name)
                except lgsp.LgspError as exc:
                    raise CommandError(str(exc), returncode=1) from None
                self.stdout.write(
                    _("Đã lấy danh mục %(name)s: %(count)d mục.")
                    % {"name": code_list.name, "count": code_list.count}
                )
