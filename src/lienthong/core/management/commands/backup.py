"""`lienthong backup [-o FILE] | --check FILE`: archive the database and the stored files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.backup import BackupError, check_archive, create_backup


class Command(BaseCommand):
    """Write a backup archive (see `lienthong.core.backup`), or check one."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Sao lưu cơ sở dữ liệu (SQLite: sao lưu trực tuyến; PostgreSQL: pg_dump) và các tệp "
            "đã lưu vào một tệp .tar có mã băm từng thành phần."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help=_("Tệp sao lưu (mặc định: <thư mục dữ liệu>/backups/lienthong-….tar)."),
        )
        parser.add_argument(
            "--check",
            type=Path,
            metavar="FILE",
            help=_("Chỉ kiểm tra một tệp sao lưu (mã băm từng thành phần), không sao lưu."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"] is not None:
                manifest = check_archive(options["check"])
                self.stdout.write(
                    _(
                        "Tệp sao lưu nguyên vẹn: %(count)d thành phần, cơ sở dữ liệu %(engine)s, "
                        "lập lúc %(at)s, nhật ký %(audit)d bản ghi."
                    )
                    % {
                        "count": len(manifest["members"]),
                        "engine": manifest["engine"],
                        "at": manifest["created_at"],
                        "audit": manifest["audit"]["count"],
                    }
                )
                return
            report = create_backup(options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "Đã sao lưu vào %(path)s (%(size)d byte, %(count)d thành phần, cơ sở dữ liệu "
                "%(engine)s; nhật ký: %(audit)d bản ghi, mã băm cuối %(hash)s)."
            )
            % {
                "path": report.path,
                "size": report.size,
                "count": report.members,
                "engine": report.engine,
                "audit": report.audit_count,
                "hash": report.audit_hash,
            }
        )
