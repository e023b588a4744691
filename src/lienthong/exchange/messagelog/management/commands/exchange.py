"""`lienthong exchange verify | purge | deadletters`: the message log's integrity and retention
(and, when the delivery app is installed, its dead letters)."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.exchange.messagelog import retention
from lienthong.exchange.messagelog.guards import missing_guards
from lienthong.exchange.messagelog.services import verify


def _days(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(_("Phải là số ngày (số nguyên không âm)."))
    return number


def _delivery_cli() -> Any:
    try:
        return importlib.import_module("lienthong.exchange.delivery.cli")
    except ImportError:
        return None


class Command(BaseCommand):
    """Verify the message log, purge it past its retention."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Kiểm tra tính toàn vẹn và xoá theo thời hạn lưu nhật ký trao đổi dữ liệu.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help=_("Kiểm tra chuỗi băm của nhật ký trao đổi."))
        check.add_argument("--chain", action="append", default=[], help=_("Chỉ chuỗi này."))
        check.add_argument(
            "--bodies", action="store_true", help=_("Kiểm tra cả nội dung đã lưu (băm lại).")
        )
        purge = sub.add_parser("purge", help=_("Xoá các bản ghi cũ hơn thời hạn lưu."))
        purge.add_argument(
            "--older-than",
            type=_days,
            default=None,
            metavar="DAYS",
            help=_("Số ngày (mặc định: thời hạn lưu đã cấu hình; tối thiểu 90)."),
        )
        purge.add_argument("--dry-run", action="store_true", help=_("Chỉ đếm, không xoá."))
        cli = _delivery_cli()
        if cli is not None and hasattr(cli, "add_deadletter_arguments"):
            dead = sub.add_parser("deadletters", help=_("Sự kiện không chuyển được (thư chết)."))
            cli.add_deadletter_arguments(dead)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self._verify(options)
        elif action == "purge":
            self._purge(options)
        else:
            cli = _delivery_cli()
            try:
                cli.run_deadletters(options, self.stdout)
            except cli.CliError as exc:
                raise CommandError(str(exc), returncode=2) from None

    def _verify(self, options: dict[str, Any]) -> None:
        checks = verify(only=options["chain"], bodies_too=options["bodies"])
        broken = [c for c in checks if not c.ok]
        for check in checks:
            if check.ok:
                self.stdout.write(
                    _("Chuỗi %(chain)s: %(n)d bản ghi toàn vẹn (từ %(first)s đến %(last)s).")
                    % {
                        "chain": check.chain,
                        "n": check.checked,
                        "first": check.first_seq or "—",
                        "last": check.last_seq or "—",
                    }
                )
            else:
                self.stderr.write(
                    _("Chuỗi %(chain)s HỎNG tại bản ghi %(seq)s: %(problem)s")
                    % {
                        "chain": check.chain,
                        "seq": check.broken_at or "—",
                        "problem": check.problem,
                    }
                )
        missing = missing_guards()
        if missing:
            self.stderr.write(_("Cảnh báo: thiếu trigger chỉ-ghi-thêm: %s") % ", ".join(missing))
        if not checks:
            self.stdout.write(_("Nhật ký trao đổi chưa có bản ghi nào."))
        if broken:
            raise CommandError(
                _("Nhật ký trao đổi KHÔNG toàn vẹn: %d chuỗi hỏng.") % len(broken), returncode=1
            )
        self.stdout.write(_("Nhật ký trao đổi toàn vẹn."))

    def _purge(self, options: dict[str, Any]) -> None:
        try:
            with acting(via="lienthong exchange purge"):
                results = retention.purge(
                    older_than_days=options["older_than"], dry_run=options["dry_run"]
                )
        except retention.RetentionError:
            raise CommandError(
                _("Thời hạn lưu nhật ký trao đổi tối thiểu là %d ngày (3 tháng).")
                % retention.MIN_RETENTION_DAYS,
                returncode=2,
            ) from None
        failed = False
        for result in results:
            if result.problem:
                failed = True
                self.stderr.write(
                    _("Chuỗi %(chain)s không xoá vì chuỗi hỏng: %(problem)s")
                    % {"chain": result.chain, "problem": result.problem}
                )
            else:
                verb = _("sẽ xoá") if options["dry_run"] else _("đã xoá")
                self.stdout.write(
                    _("Chuỗi %(chain)s: %(verb)s %(n)d bản ghi, giữ từ bản ghi %(first)s.")
                    % {
                        "chain": result.chain,
                        "verb": verb,
                        "n": result.removed,
                        "first": result.first_kept or "—",
                    }
                )
        if failed:
            raise CommandError(_("Có chuỗi hỏng, không xoá được."), returncode=1)
