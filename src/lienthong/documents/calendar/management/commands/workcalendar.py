"""`lienthong workcalendar week --agency X [--week 2026-W48] [--ics]`: print a weekly schedule.

`--agency` takes the agency's code (`000.00.05.H99`) or id and prints its published
schedule; `--leader <username>` or `--unit <id>` print a person's or a unit's week instead
(every event, drafts included, as the command runs with the platform's full view). With
`--ics` the week is written as iCalendar (RFC 5545) to stdout or to `-o <file>`.

Named `workcalendar` because `lienthong calendar` is the working-day calendar of `core`
(the first app in INSTALLED_APPS wins a command name, and core may not import this app).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.documents.calendar import ics, selectors
from lienthong.documents.calendar.models import Event, EventQuerySet


def _week(value: str) -> Any:
    try:
        return selectors.parse_week(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _PlatformViewer:
    """The command's viewer: sees every event (it runs with the operator's full access)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    kind = "official"


class Command(BaseCommand):
    """Print the weekly work calendar of an agency, a leader or a unit."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Lịch công tác tuần của cơ quan, lãnh đạo hoặc đơn vị.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        week = sub.add_parser("week", help=_("In lịch công tác một tuần."))
        who = week.add_mutually_exclusive_group(required=True)
        who.add_argument("--agency", help=_("Mã định danh hoặc id của cơ quan."))
        who.add_argument("--leader", help=_("Tên đăng nhập của lãnh đạo, cán bộ."))
        who.add_argument("--unit", type=int, help=_("Id của đơn vị."))
        week.add_argument(
            "--week",
            type=_week,
            default=None,
            help=_("Tuần ISO, ví dụ 2026-W48 (mặc định: tuần này)."),
        )
        week.add_argument("--ics", action="store_true", help=_("Xuất iCalendar (RFC 5545)."))
        week.add_argument("-o", "--output", type=Path, help=_("Ghi ra tệp thay vì màn hình."))

    def handle(self, *args: Any, **options: Any) -> None:
        monday = options["week"] or selectors.current_week()
        viewer = _PlatformViewer()
        label = selectors.week_label(monday)
        events: EventQuerySet
        if options["agency"]:
            raw = options["agency"].strip()
            agency = (
                OrgUnit.objects.agencies()
                .filter(**({"pk": int(raw)} if raw.isdigit() else {"code": raw}))
                .first()
            )
            if agency is None:
                raise CommandError(_("Không có cơ quan “%(agency)s”.") % {"agency": raw})
            events = selectors.agency_week(agency, monday, viewer)
            who = agency.name
        elif options["leader"]:
            person = User.objects.filter(
                username=options["leader"], kind=User.Kind.OFFICIAL
            ).first()
            if person is None:
                raise CommandError(_("Không có cán bộ “%(user)s”.") % {"user": options["leader"]})
            events = selectors.leader_week(person, monday, viewer)
            who = str(person)
        else:
            unit = OrgUnit.objects.filter(pk=options["unit"]).first()
            if unit is None:
                raise CommandError(_("Không có đơn vị %(unit)s.") % {"unit": options["unit"]})
            events = selectors.unit_week(unit, monday, viewer)
            who = unit.name
        title = _("Lịch công tác %(who)s, tuần %(week)s") % {"who": who, "week": label}
        text = (
            ics.calendar(events, name=title)
            if options["ics"]
            else self._table(title, list(events), monday)
        )
        if options["output"]:
            options["output"].write_bytes(text.encode("utf-8"))
            self.stderr.write(_("Đã ghi %(path)s.") % {"path": options["output"]})
        else:
            self.stdout.write(text, ending="")

    def _table(self, title: str, events: list[Event], monday: Any) -> str:
        lines = [title]
        for day in selectors.days_of(events, monday):
            lines.append("")
            lines.append(f"{day.date:%d/%m/%Y} ({_(_WEEKDAYS[day.date.weekday()])})")
            for part, items in ((_("Sáng"), day.morning), (_("Chiều"), day.afternoon)):
                for event in items:
                    start = timezone.localtime(event.starts_at)
                    end = timezone.localtime(event.ends_at)
                    state = "" if event.state == "published" else f" [{event.get_state_display()}]"
                    chair = f" — {_('chủ trì')}: {event.chair}" if event.chair else ""
                    place = f" — {event.place}" if event.place else ""
                    lines.append(
                        f"  {part} {start:%H:%M}–{end:%H:%M} {event.title}{chair}{place}{state}"
                    )
            if day.is_empty:
                lines.append("  —")
        return "\n".join(lines) + "\n"


_WEEKDAYS = (
    gettext_noop("Thứ Hai"),
    gettext_noop("Thứ Ba"),
    gettext_noop("Thứ Tư"),
    gettext_noop("Thứ Năm"),
    gettext_noop("Thứ Sáu"),
    gettext_noop("Thứ Bảy"),
    gettext_noop("Chủ nhật"),
)
