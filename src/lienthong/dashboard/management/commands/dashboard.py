"""`lienthong dashboard pdf --from … --to … [--agency …] --out file.pdf` and
`lienthong dashboard summary [--from … --to … --agency …]` (JSON): the leaders' dashboard
from the command line, with the server's rights (every agency)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from lienthong.dashboard.exports import render_dashboard_pdf
from lienthong.dashboard.forms import DashboardForm


class Command(BaseCommand):
    help = "Bảng điều hành: xuất PDF hoặc số liệu JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("pdf", "summary"):
            one = sub.add_parser(name)
            one.add_argument("--from", dest="start", help="Từ ngày, vd 2025-01-01")
            one.add_argument("--to", dest="end", help="Đến ngày, vd 2025-12-31")
            one.add_argument("--period", help="month (mặc định), year")
            one.add_argument("--agency", help="Mã định danh cơ quan (hoặc id)")
            if name == "pdf":
                one.add_argument("--out", required=True, help="Tệp PDF ghi ra")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = {
            "from": options.get("start"),
            "to": options.get("end"),
            "period": options.get("period"),
            "agency": options.get("agency"),
        }
        form = DashboardForm({k: v for k, v in raw.items() if v}, user=None)
        if not form.is_valid():
            messages = [
                f"{'' if name == '__all__' else name + ': '}{m['message']}"
                for name, errors in form.errors.get_json_data().items()
                for m in errors
            ]
            raise CommandError("; ".join(messages))
        summary = form.summary()
        if options["action"] == "summary":
            self.stdout.write(json.dumps(summary.as_dict(), cls=DjangoJSONEncoder, indent=2))
            return
        out = Path(options["out"])
        out.write_bytes(render_dashboard_pdf(summary))
        self.stdout.write(str(out))
