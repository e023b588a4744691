"""`lienthong seed --demo`: the demo province, its agencies and one user per role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.core.seed import SeedError, app_demo_seeders, seed_demo


class Command(BaseCommand):
    help = _("Nạp dữ liệu mẫu (tỉnh Bình Dương trước 1/7/2025, cơ quan, tài khoản thử).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help=_("Dữ liệu trình diễn: cơ quan với mã demo và tài khoản có mật khẩu công khai."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["demo"]:
            raise CommandError(
                _("Hãy chọn loại dữ liệu mẫu: hiện chỉ có --demo (lienthong seed --demo).")
            )
        try:
            with acting(via="lienthong seed --demo"):
                report = seed_demo()
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        if report.loaded_units:
            self.stdout.write(_("Đã nạp đơn vị hành chính còn thiếu."))
        if report.existing_users:
            self.stdout.write(
                _("Tài khoản đã có từ trước, giữ nguyên (không đặt lại mật khẩu): %(users)s")
                % {"users": ", ".join(report.existing_users)}
            )
        if report.changed:
            message = _(
                "Dữ liệu mẫu: thêm %(created)d cơ quan, đơn vị; cập nhật %(updated)d; "
                "thêm %(users)d tài khoản."
            ) % {
                "created": len(report.created_units),
                "updated": len(report.updated_units),
                "users": len(report.created_users),
            }
        else:
            message = _("Dữ liệu mẫu đã có đủ, không có gì thay đổi.")
        self.stdout.write(self.style.SUCCESS(message))
        for name, seed_app in app_demo_seeders():
            try:
                with acting(via=f"lienthong seed --demo ({name})"):
                    lines = seed_app()
            except SeedError as exc:
                raise CommandError(str(exc)) from exc
            for line in lines:
                self.stdout.write(line)
