"""`lienthong labour reindex` — rebuild the labour registry's match index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.registries.labour.models import index_seekers


class Command(BaseCommand):
    help = _(
        "Thị trường lao động: dựng lại chỉ mục kết nối việc làm (sau khi sửa dữ liệu trực tiếp)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reindex", help=_("Dựng lại chỉ mục kết nối từ hồ sơ người tìm việc."))

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rows = index_seekers()
        self.stdout.write(_("Đã dựng lại chỉ mục kết nối: %(n)d dòng.") % {"n": rows})
