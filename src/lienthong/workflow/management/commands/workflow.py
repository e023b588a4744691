"""`lienthong workflow templates | case <id>`: list the processes, print a case's history."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.workflow import engine, modules
from lienthong.workflow.models import Case, ProcessStep, ProcessTemplate
from lienthong.workflow.selectors import history_of


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(_("Phải là số nguyên dương."))
    return number


def _moment(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


class Command(BaseCommand):
    """List process templates with their steps, or print one case's transitions."""

    @property
    def help(self) -> str:  # type: ignore[override]
        # argparse needs a real str, so translate when the parser is built, not at import.
        return _("Quy trình nội bộ và lịch sử chuyển bước của hồ sơ công việc.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        templates = sub.add_parser("templates", help=_("Liệt kê các quy trình và các bước."))
        templates.add_argument("--module", default="", help=_("Chỉ quy trình của phân hệ này."))
        case = sub.add_parser("case", help=_("In lịch sử chuyển bước của một hồ sơ công việc."))
        case.add_argument("case_id", type=_positive, metavar="ID")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['subcommand']}")(options)

    def _templates(self, options: dict[str, Any]) -> None:
        templates = ProcessTemplate.objects.prefetch_related(
            Prefetch(
                "steps", queryset=ProcessStep.objects.select_related("org_unit").order_by("order")
            )
        ).order_by("module", "code")
        if options["module"]:
            templates = templates.filter(module=options["module"])
        if not templates:
            self.stdout.write(_("Chưa có quy trình nào."))
            return
        for template in templates:
            state = "" if template.is_active else f" [{_('ngừng áp dụng')}]"
            self.stdout.write(
                f"{template.code}  {template.name}  ({modules.label(template.module)}){state}"
            )
            for step in template.steps.all():
                unit = step.org_unit.name if step.org_unit else _("cơ quan giải quyết")
                self.stdout.write(
                    f"  {step.order}. {step.name} — {step.role_label}, {unit} — "
                    f"{step.time_share.normalize():f}%"
                )

    def _case(self, options: dict[str, Any]) -> None:
        case = (
            Case.objects.select_related("agency", "template", "current_step")
            .filter(pk=options["case_id"])
            .first()
        )
        if case is None:
            raise CommandError(
                _("Không có hồ sơ công việc số %(id)d.") % {"id": options["case_id"]},
                returncode=2,
            )
        facts = [
            (_("Hồ sơ"), f"#{case.pk} {case.title}"),
            (_("Phân hệ"), modules.label(case.module)),
            (_("Cơ quan giải quyết"), case.agency.name),
            (_("Quy trình"), f"{case.template.code} — {case.template.name}"),
            (_("Trạng thái"), str(case.get_status_display())),
            (_("Bước hiện tại"), str(case.current_step or "—")),
            (_("Bắt đầu"), _moment(case.started_at)),
            (_("Hạn giải quyết"), _moment(case.due_at)),
            (_("Tình trạng thời hạn"), engine.risk_of(case)),
        ]
        for label, value in facts:
            self.stdout.write(f"{label}: {value}")
        self.stdout.write(_("Lịch sử:"))
        for t in history_of(case):
            who = str(t.by) if t.by else _("Hệ thống")
            if t.acting_for:
                who += " " + _("(thay cho %(name)s)") % {"name": t.acting_for}
            steps = f"{t.from_step.name if t.from_step else '—'} → "
            steps += t.to_step.name if t.to_step else "—"
            note = f" — {t.note}" if t.note else ""
            self.stdout.write(f"  {_moment(t.at)}  {t.get_action_display()}  {steps}  {who}{note}")
