"""`lienthong restore FILE [--force]`: restore a backup archive, then verify the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.backup import BackupError, load_key, restore_backup


class Command(BaseCommand):
    """Restore an archive made by `lienthong backup` (see `lienthong.core.backup`)."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Khôi phục từ tệp sao lưu của `lienthong backup`: kiểm tra mã băm trước, rồi cơ sở "
            "dữ liệu và tệp, rồi kiểm tra chuỗi nhật ký. Dừng nền tảng trước khi khôi phục."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help=_("Tệp sao lưu."))
        parser.add_argument(
            "--key-file",
            type=Path,
            help=_("Tệp chứa khóa giải mã (mặc định: biến môi trường LIENTHONG_BACKUP_KEY)."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Ghi đè cơ sở dữ liệu và thư mục tệp đang có dữ liệu."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = load_key(options["key_file"])
            report = restore_backup(options["archive"], force=options["force"], key=key)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        count, last_hash = report.audit_found
        if not report.ok:
            raise CommandError(
                _(
                    "Đã khôi phục nhưng nhật ký KHÔNG toàn vẹn: %(reason)s (lúc sao lưu: "
                    "%(expected)d bản ghi; bây giờ: %(found)d)."
                )
                % {
                    "reason": report.chain.reason or "-",
                    "expected": report.audit_expected[0],
                    "found": count,
                },
                returncode=1,
            )
        self.stdout.write(
            _(
                "Đã khôi phục cơ sở dữ liệu %(engine)s và %(files)d tệp. Nhật ký toàn vẹn: "
                "%(count)d bản ghi, mã băm cuối %(hash)s. Kiểm tra thêm nhật ký trao đổi: "
                "lienthong exchange verify --bodies"
            )
            % {"engine": report.engine, "files": report.files, "count": count, "hash": last_hash}
        )
