"""`lienthong ict …`: indicators, XLSX import and incidents of the ICT inventory.

lienthong ict indicators [--period 2012] [--json]     the indicators over every agency
lienthong ict import FILE --period 2012 --as USER [--submit]
                                                     agencies' reports from XLSX (all or none)
lienthong ict incidents [--overdue] [--json]          incidents and their 24 h / 72 h clocks

Reads see every agency (the server's rights); the import writes through the services as the
account named by --as (its permissions, its audit entries).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.core.context import acting
from lienthong.ict import selectors, spreadsheet
from lienthong.ict.models import Incident, ReportingPeriod, ReportStatus
from lienthong.ict.services import WrongState


def _period(code: str | None) -> ReportingPeriod:
    if code:
        period = ReportingPeriod.objects.filter(code=code).first()
        if period is None:
            raise CommandError(_("Không có kỳ báo cáo “%(code)s”.") % {"code": code})
        return period
    period = (
        ReportingPeriod.objects.filter(
            reports__status__in=[ReportStatus.ACCEPTED, ReportStatus.SUBMITTED]
        )
        .order_by("-start")
        .first()
    )
    if period is None:
        raise CommandError(_("Chưa có kỳ báo cáo nào có báo cáo đã gửi."))
    return period


class Command(BaseCommand):
    help = "Hạ tầng CNTT: chỉ số, nhập báo cáo từ XLSX, sự cố an toàn thông tin."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ind = sub.add_parser("indicators", help="Chỉ số của một kỳ")
        ind.add_argument("--period")
        ind.add_argument("--json", action="store_true")
        imp = sub.add_parser("import", help="Nhập báo cáo từ tệp XLSX")
        imp.add_argument("file")
        imp.add_argument("--period", required=True)
        imp.add_argument("--as", dest="username", required=True)
        imp.add_argument("--submit", action="store_true")
        inc = sub.add_parser("incidents", help="Sự cố và thời hạn báo cáo")
        inc.add_argument("--overdue", action="store_true")
        inc.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _indicators(self, options: dict[str, Any]) -> None:
        period = _period(options.get("period"))
        values = selectors.values_over(selectors.province_reports(period), period)
        if options["json"]:
            rows = [{**v.__dict__, "period": period.code} for v in values]
            self.stdout.write(json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False))
            return
        self.stdout.write(period.name)
        for v in values:
            value = "—" if v.value is None else f"{v.value}{v.unit}"
            line = f"{v.label}: {value}"
            if v.target is not None and v.target_due is not None:
                standing = _("đúng tiến độ") if v.on_track else _("chậm")
                line += _(" (chỉ tiêu %(target)s%(unit)s đến %(due)s: %(standing)s)") % {
                    "target": v.target,
                    "unit": v.unit,
                    "due": v.target_due.strftime("%d/%m/%Y"),
                    "standing": standing,
                }
            self.stdout.write(line)

    def _import(self, options: dict[str, Any]) -> None:
        period = _period(options["period"])
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(_("Không có tài khoản %(name)s.") % {"name": options["username"]})
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không có tệp %(path)s.") % {"path": path})
        try:
            with acting(user=user, via="lienthong ict import"):
                result = spreadsheet.import_reports(
                    path.read_bytes(), period=period, by=user, submit=options["submit"]
                )
        except spreadsheet.ImportRejected as exc:
            for e in exc.errors:
                self.stderr.write(
                    _("Dòng %(row)s, %(column)s: %(message)s")
                    % {"row": e.row, "column": e.column, "message": e.message}
                )
            raise CommandError(
                _("Tệp có %(count)s lỗi, chưa nhập dòng nào.") % {"count": len(exc.errors)}
            ) from None
        except (PermissionDenied, WrongState) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Đã nhập %(created)s báo cáo mới, cập nhật %(updated)s báo cáo.")
            % {"created": result.created, "updated": result.updated}
        )

    def _incidents(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        incidents = Incident.objects.select_related("agency").order_by("detected_at")
        if options["overdue"]:
            incidents = incidents.overdue(now)
        rows = [
            {
                "id": i.pk,
                "agency": i.agency.name,
                "title": i.title,
                "status": i.status,
                "detected_at": i.detected_at,
                "initial_due": i.initial_due,
                "full_due": i.full_due,
                "initial_overdue": i.initial_overdue(now),
                "full_overdue": i.full_overdue(now),
            }
            for i in incidents
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False))
            return
        for row in rows:
            flags = []
            if row["initial_overdue"]:
                flags.append(_("quá hạn báo cáo ban đầu (24 giờ)"))
            if row["full_overdue"]:
                flags.append(_("quá hạn báo cáo đầy đủ (72 giờ)"))
            self.stdout.write(
                f"#{row['id']} {timezone.localtime(row['detected_at']):%d/%m/%Y %H:%M} "
                f"{row['agency']}: {row['title']}" + (f" — {'; '.join(flags)}" if flags else "")
            )
        if not rows:
            self.stdout.write(_("Không có sự cố nào."))
