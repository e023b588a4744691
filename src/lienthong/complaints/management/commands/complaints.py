"""`lienthong complaints …`: the time-limit alerts and the periodic report.

lienthong complaints alerts                 write today's overdue / at-risk alerts (cron)
lienthong complaints report --from 2026-01-01 --to 2026-06-30 [--by kind|field|agency|outcome]
    [--xlsx FILE | --json]                   statistics of every agency (the server's rights)
lienthong complaints rules                  the statutory time limits in force
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from lienthong.complaints import alerts, selectors
from lienthong.complaints.models import Complaint, TimeLimitRule


def _date(text: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("--%(option)s: “%(value)s” không phải ngày yyyy-mm-dd.")
            % {"option": option, "value": text}
        ) from None


class Command(BaseCommand):
    help = _("Khiếu nại, tố cáo: cảnh báo thời hạn, báo cáo định kỳ, bảng thời hạn.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="action")
        sub.add_parser("alerts", help=_("Ghi cảnh báo quá hạn, sắp đến hạn của hôm nay."))
        report = sub.add_parser("report", help=_("Báo cáo thống kê một kỳ."))
        report.add_argument("--from", dest="start", required=True, help=_("Từ ngày, 2026-01-01"))
        report.add_argument("--to", dest="end", required=True, help=_("Đến ngày, 2026-06-30"))
        report.add_argument("--by", default="kind", help=_("kind, field, agency hoặc outcome"))
        output = report.add_mutually_exclusive_group()
        output.add_argument("--xlsx", type=Path, help=_("Ghi ra tệp Excel (.xlsx)"))
        output.add_argument("--json", action="store_true", help=_("In ra JSON"))
        sub.add_parser("rules", help=_("Liệt kê bảng thời hạn theo luật."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action")
        if action == "alerts":
            found = alerts.scan()
            self.stdout.write(
                _("Quá hạn: %(overdue)s; sắp đến hạn: %(at_risk)s.")
                % {"overdue": len(found.overdue), "at_risk": len(found.at_risk)}
            )
        elif action == "report":
            self._report(options)
        elif action == "rules":
            for rule in TimeLimitRule.objects.all():
                self.stdout.write(str(rule))
        else:
            raise CommandError(
                _("Hãy chọn: alerts, report hoặc rules (lienthong complaints --help).")
            )

    def _report(self, options: dict[str, Any]) -> None:
        start, end = _date(options["start"], "from"), _date(options["end"], "to")
        if end < start:
            raise CommandError(_("--to phải từ ngày --from trở đi."))
        if options["by"] not in selectors.GROUPS:
            raise CommandError(_("--by: chọn kind, field, agency hoặc outcome."))
        report = selectors.report(Complaint.objects.all(), start=start, end=end, by=options["by"])
        if options["json"]:
            self.stdout.write(
                json.dumps(report.as_dict(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            )
        elif options["xlsx"]:
            path: Path = options["xlsx"]
            try:
                path.write_bytes(selectors.render_xlsx(report, scope=_("toàn tỉnh")))
            except OSError as exc:
                raise CommandError(
                    _("Không ghi được tệp %(path)s: %(error)s") % {"path": path, "error": exc}
                ) from exc
            self.stdout.write(
                _("Đã ghi báo cáo (%(rows)s dòng) vào %(path)s")
                % {"rows": len(report.rows), "path": path}
            )
        else:
            for row in [*report.rows, report.total]:
                counts = ", ".join(f"{key}={value}" for key, value in row.counts.items())
                self.stdout.write(f"{row.label}: {counts}")
