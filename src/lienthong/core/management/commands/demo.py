"""`lienthong demo`: migrate, load units and demo data, collect static files, print logins, serve.

Every step is idempotent, so a second `make demo` reuses the database, the data and the key.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.management.commands.serve import ensure_port_free

DemoLogin = dict[str, str]


def demo_logins_function() -> Callable[[], Sequence[DemoLogin]] | None:
    """`lienthong.core.seed.demo_logins`, or None while it does not exist."""
    try:
        module = importlib.import_module("lienthong.core.seed")
    except ModuleNotFoundError as exc:
        if exc.name != "lienthong.core.seed":
            raise
        return None
    return getattr(module, "demo_logins", None)


def logins_table(logins: Sequence[DemoLogin]) -> str:
    """The demo logins as a plain-text table: role, username, password, unit."""
    columns = [
        ("role", _("Vai trò")),
        ("username", _("Tên đăng nhập")),
        ("password", _("Mật khẩu")),
        ("unit", _("Đơn vị")),
    ]
    rows = [[str(login.get(key, "")) for key, _title in columns] for login in logins]
    header = [title for _key, title in columns]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


class Command(BaseCommand):
    help = _(
        "Dựng bản trình diễn: cơ sở dữ liệu, đơn vị hành chính, dữ liệu mẫu, rồi chạy máy chủ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help=_("Địa chỉ lắng nghe."))
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=_("Chỉ chuẩn bị dữ liệu và in tài khoản, không chạy máy chủ."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve = not options["no_serve"]
        if serve:
            ensure_port_free(options["bind"])  # before minutes of set-up, not after
        demo_logins = demo_logins_function()
        commands = get_commands()
        missing = [f"lienthong {name}" for name in ("units", "seed") if name not in commands]
        if demo_logins is None:
            missing.append("lienthong.core.seed.demo_logins()")
        if missing or demo_logins is None:
            raise CommandError(
                _("Bản trình diễn chưa dựng được: còn thiếu %(parts)s.")
                % {"parts": ", ".join(missing)}
            )
        verbosity = options["verbosity"]
        self.step(_("Cập nhật cơ sở dữ liệu (migrate)…"))
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        self.step(_("Nạp đơn vị hành chính (units load)…"))
        call_command("units", "load", verbosity=verbosity)
        self.step(_("Nạp dữ liệu mẫu (seed --demo)…"))
        call_command("seed", "--demo", verbosity=verbosity)
        self.step(_("Thu thập tệp tĩnh (collectstatic)…"))
        call_command("collectstatic", interactive=False, verbosity=0)

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("Tài khoản trình diễn:")))
        self.stdout.write(logins_table(demo_logins()))
        self.stdout.write("")
        if not serve:
            return
        if not settings.INSECURE_HTTP:
            self.stderr.write(
                _(
                    "LIENTHONG_INSECURE_HTTP chưa bật: trang sẽ chuyển sang HTTPS. "
                    "Dùng `make demo` để chạy bằng HTTP trên máy này."
                )
            )
        call_command("serve", bind=options["bind"], with_worker=True)

    def step(self, message: str) -> None:
        """Say what is happening now; a step may take a while on the first run."""
        self.stdout.write(self.style.MIGRATE_HEADING(message))
        self.stdout.flush()
