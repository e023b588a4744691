"""`lienthong complaints …`: the time-limit alerts and the periodic report.

lienthong complaints alerts                 write today's overdue / at-risk alerts (cron)
lienthong complaints report --from 2026-01-01 --to 2026-06-30 [--by kind|field|agency|outcome]
    [--xlsx FILE | --json]                   statistics of every agency (the server's rights)
lienthong complaints rules                  the statutory time limits in force
lienthong complaints inspections list [--agency CODE] [--status S] [--as USER] [--json]
lienthong complaints inspections show ID [--as USER] [--json]
lienthong complaints inspections create-plan --agency CODE --year 2026 --title … --as USER
    [--approved-on 2026-01-15] [--decision-number 12/QĐ-TTr]
lienthong complaints inspections follow-up RECOMMENDATION_ID --status done --note … --as USER
    [--done-on 2026-06-30]

Reads without --as see every agency (the server's rights); writes go through the services of
`complaints.inspections` as the account named by --as (its permissions, its audit entries).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.complaints import alerts, selectors
from lienthong.complaints import inspections as inspection_services
from lienthong.complaints.models import (
    Complaint,
    Inspection,
    Recommendation,
    TimeLimitRule,
)
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.workflow.engine import WrongState


def _date(text: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("--%(option)s: “%(value)s” không phải ngày yyyy-mm-dd.")
            % {"option": option, "value": text}
        ) from None


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("Không có tài khoản %(name)s.") % {"name": username})
    return user


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{key}: {' '.join(messages)}" for key, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


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
        inspections = sub.add_parser("inspections", help=_("Thanh tra: kế hoạch, kiến nghị."))
        what = inspections.add_subparsers(dest="inspections_action", metavar="action")
        listed = what.add_parser("list", help=_("Liệt kê các cuộc thanh tra."))
        listed.add_argument("--agency", default="", help=_("Mã định danh cơ quan thanh tra"))
        listed.add_argument("--status", default="", help=_("planned, decided, concluded, closed"))
        listed.add_argument("--as", dest="username", help=_("Xem với quyền của tài khoản này"))
        listed.add_argument("--limit", type=int, default=100)
        listed.add_argument("--json", action="store_true", help=_("In ra JSON"))
        shown = what.add_parser("show", help=_("Một cuộc thanh tra và các kiến nghị."))
        shown.add_argument("id", type=int)
        shown.add_argument("--as", dest="username", help=_("Xem với quyền của tài khoản này"))
        shown.add_argument("--json", action="store_true", help=_("In ra JSON"))
        plan = what.add_parser("create-plan", help=_("Thêm kế hoạch thanh tra năm."))
        plan.add_argument("--agency", required=True, help=_("Mã định danh cơ quan thanh tra"))
        plan.add_argument("--year", type=int, required=True)
        plan.add_argument("--title", required=True)
        plan.add_argument("--approved-on", help=_("Ngày phê duyệt, 2026-01-15"))
        plan.add_argument("--decision-number", default="")
        plan.add_argument("--as", dest="username", required=True, help=_("Tài khoản thực hiện"))
        follow = what.add_parser("follow-up", help=_("Ghi kết quả theo dõi một kiến nghị."))
        follow.add_argument("recommendation", type=int, help=_("Mã kiến nghị"))
        follow.add_argument("--status", required=True, help=_("open, in_progress hoặc done"))
        follow.add_argument("--note", required=True)
        follow.add_argument("--done-on", help=_("Ngày hoàn thành, 2026-06-30"))
        follow.add_argument("--as", dest="username", required=True, help=_("Tài khoản thực hiện"))

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
        elif action == "inspections":
            self._inspections(options)
        else:
            raise CommandError(
                _("Hãy chọn: alerts, report, rules hoặc inspections (lienthong complaints --help).")
            )

    # --- Inspections ------------------------------------------------------------------------

    def _inspections(self, options: dict[str, Any]) -> None:
        action = options.get("inspections_action")
        try:
            if action == "list":
                self._inspection_list(options)
            elif action == "show":
                self._inspection_show(options)
            elif action == "create-plan":
                self._create_plan(options)
            elif action == "follow-up":
                self._follow_up(options)
            else:
                raise CommandError(_("Hãy chọn: list, show, create-plan hoặc follow-up (--help)."))
        except ValidationError as exc:
            raise CommandError(_error_text(exc)) from None
        except (PermissionDenied, WrongState) as exc:
            raise CommandError(str(exc)) from None

    def _rows(self, username: str | None) -> Any:
        from lienthong.complaints.api import inspection_rows

        user = _user(username)
        rows = inspection_rows()
        return rows.visible_to(user) if user is not None else rows

    def _write_json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))

    def _inspection_list(self, options: dict[str, Any]) -> None:
        from lienthong.complaints.api import inspection_out

        rows = self._rows(options["username"])
        if options["agency"]:
            rows = rows.filter(agency__code=options["agency"].strip())
        if options["status"]:
            if options["status"] not in Inspection.Status.values:
                raise CommandError(_("--status: chọn planned, decided, concluded hoặc closed."))
            rows = rows.filter(status=options["status"])
        chosen = list(rows[: max(1, options["limit"])])
        if options["json"]:
            self._write_json([inspection_out(row) for row in chosen])
            return
        for row in chosen:
            done = sum(1 for item in row.recommendations.all() if item.status == "done")
            self.stdout.write(
                f"{row.pk}\t{row.agency.code or ''}\t{row.status}\t"
                f"{done}/{len(row.recommendations.all())}\t{row.subject} — {row.target}"
            )

    def _inspection_show(self, options: dict[str, Any]) -> None:
        from lienthong.complaints.api import inspection_out

        row = self._rows(options["username"]).filter(pk=options["id"]).first()
        if row is None:
            raise CommandError(_("Không tìm thấy cuộc thanh tra %(id)s.") % {"id": options["id"]})
        data = inspection_out(row)
        if options["json"]:
            self._write_json(data)
            return
        self.stdout.write(f"{row.subject} — {row.target}")
        self.stdout.write(
            _("Trạng thái: %(status)s; quyết định: %(decision)s; kết luận: %(conclusion)s")
            % {
                "status": row.get_status_display(),
                "decision": row.decision_number or "-",
                "conclusion": row.conclusion_number or "-",
            }
        )
        for item in data["recommendations"]:
            self.stdout.write(
                f"  [{item['id']}] {item['status']}: {item['text']} ({item['responsible']})"
            )

    def _create_plan(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        assert user is not None
        agency = OrgUnit.objects.filter(code=options["agency"].strip(), is_agency=True).first()
        if agency is None:
            raise CommandError(_("Không có cơ quan mã %(code)s.") % {"code": options["agency"]})
        approved_on = (
            _date(options["approved_on"], "approved-on") if options["approved_on"] else None
        )
        with acting(user=user, via="lienthong complaints inspections create-plan"):
            plan = inspection_services.create_plan(
                agency=agency,
                year=options["year"],
                title=options["title"],
                approved_on=approved_on,
                decision_number=options["decision_number"],
                by=user,
            )
        self.stdout.write(_("Đã thêm kế hoạch %(id)s: %(plan)s") % {"id": plan.pk, "plan": plan})

    def _follow_up(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        assert user is not None
        recommendation = (
            Recommendation.objects.filter(
                pk=options["recommendation"],
                inspection__in=Inspection.objects.visible_to(user).values("pk"),
            )
            .select_related("inspection")
            .first()
        )
        if recommendation is None:
            raise CommandError(
                _("Không tìm thấy kiến nghị %(id)s.") % {"id": options["recommendation"]}
            )
        done_on = _date(options["done_on"], "done-on") if options["done_on"] else None
        with acting(user=user, via="lienthong complaints inspections follow-up"):
            inspection_services.follow_up(
                recommendation=recommendation,
                status=options["status"],
                note=options["note"],
                done_on=done_on,
                by=user,
            )
        inspection = Inspection.objects.get(pk=recommendation.inspection_id)
        self.stdout.write(
            _("Đã ghi theo dõi kiến nghị %(id)s; cuộc thanh tra: %(status)s.")
            % {"id": recommendation.pk, "status": inspection.get_status_display()}
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
