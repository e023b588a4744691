"""`lienthong stats ii06a --from 2025-01-01 --to 2025-03-31 [--agency CODE] [--by field|agency]
[--no-subunits] [--xlsx FILE] [--json]`: statistics form II.06a from the command line.

Runs with the server's rights (every agency). The input is read by the page's form, so the
messages are the same; bad input exits non-zero with them. Definitions: `onestop.stats`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from lienthong.onestop.forms_stats import Ii06aForm
from lienthong.onestop.stats import render_text, render_xlsx


class Command(BaseCommand):
    help = _("Thống kê một cửa: biểu II.06a (tình hình, kết quả giải quyết TTHC).")

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="report", metavar="report")
        ii06a = subparsers.add_parser(
            "ii06a",
            help=_("Biểu II.06a theo lĩnh vực hoặc theo cơ quan, kèm điểm tiến độ (QĐ 766)."),
        )
        ii06a.add_argument("--from", dest="start", required=True, help=_("Từ ngày, 2025-01-01"))
        ii06a.add_argument("--to", dest="end", required=True, help=_("Đến ngày, 2025-03-31"))
        ii06a.add_argument(
            "--agency", default="", help=_("Mã định danh cơ quan; bỏ trống: toàn tỉnh")
        )
        ii06a.add_argument("--by", default="field", help=_("field (lĩnh vực) hoặc agency"))
        ii06a.add_argument(
            "--no-subunits",
            action="store_true",
            help=_("Chỉ cơ quan đã chọn, không gồm cơ quan trực thuộc"),
        )
        output = ii06a.add_mutually_exclusive_group()
        output.add_argument("--xlsx", type=Path, help=_("Ghi ra tệp Excel (.xlsx)"))
        output.add_argument("--json", action="store_true", help=_("In ra JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("report") != "ii06a":
            raise CommandError(_("Hãy chọn một báo cáo, xem: lienthong stats --help"))
        form = Ii06aForm(
            {
                "period": "custom",
                "from": options["start"],
                "to": options["end"],
                "agency": options["agency"],
                "by": options["by"],
                "subunits": "0" if options["no_subunits"] else "1",
            }
        )
        if not form.is_valid():
            lines = [
                f"{'' if name == '__all__' else '--' + name + ': '}{message}"
                for name, messages in form.errors.items()
                for message in messages
            ]
            raise CommandError("\n".join(lines))
        report = form.report()
        if options["json"]:
            self.stdout.write(
                json.dumps(report.as_dict(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            )
        elif options["xlsx"]:
            path: Path = options["xlsx"]
            try:
                path.write_bytes(render_xlsx(report))
            except OSError as exc:
                raise CommandError(
                    _("Không ghi được tệp %(path)s: %(error)s") % {"path": path, "error": exc}
                ) from exc
            self.stdout.write(
                _("Đã ghi biểu II.06a (%(rows)s dòng) vào %(path)s")
                % {"rows": len(report.rows), "path": path}
            )
        else:
            self.stdout.write(render_text(report), ending="")
