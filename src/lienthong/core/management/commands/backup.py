"""`lienthong backup [-o FILE] | --check FILE`: archive the database and the stored files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.backup import (
    KEY_ENV,
    BackupError,
    check_archive,
    create_backup,
    generate_key,
    load_key,
)


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
            "--key-file",
            type=Path,
            help=_(
                "Tệp chứa khóa mã hóa (mặc định: biến môi trường LIENTHONG_BACKUP_KEY); có khóa "
                "thì bản sao lưu được mã hóa AES-256-GCM."
            ),
        )
        parser.add_argument(
            "--generate-key",
            action="store_true",
            help=_("In ra một khóa mã hóa mới rồi thôi (lưu giữ nó tách khỏi bản sao lưu)."),
        )
        parser.add_argument(
            "--check",
            type=Path,
            metavar="FILE",
            help=_("Chỉ kiểm tra một tệp sao lưu (mã băm từng thành phần), không sao lưu."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            self.stdout.write(generate_key())
            return
        try:
            key = load_key(options["key_file"])
            if options["check"] is not None:
                manifest = check_archive(options["check"], key=key)
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
            report = create_backup(options["output"], key=key)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if not report.encrypted:
            self.stderr.write(
                _(
                    "Cảnh báo: bản sao lưu KHÔNG được mã hóa (hệ thống cấp độ 3 phải mã hóa): đặt "
                    "%(env)s hoặc dùng --key-file."
                )
                % {"env": KEY_ENV}
            )
        self.stdout.write(
            _(
                "Đã sao lưu vào %(path)s (%(size)d byte, %(count)d thành phần, cơ sở dữ liệu "
                "%(engine)s%(encrypted)s; nhật ký: %(audit)d bản ghi, mã băm cuối %(hash)s)."
            )
            % {
                "path": report.path,
                "size": report.size,
                "count": report.members,
                "engine": report.engine,
                "encrypted": _(", đã mã hóa") if report.encrypted else "",
                "audit": report.audit_count,
                "hash": report.audit_hash,
            }
        )
