"""`lienthong calendar …`: due dates, working-day counts, seeding and listing the calendar.

    lienthong calendar due --from 2023-10-27T09:32 --working-days 5     → 2023-11-03
    lienthong calendar due --from 2023-10-27T09:32 --hours 8            → 2023-10-30T09:32:00+07:00
    lienthong calendar due --from 2024-03-01 --days 30                  (plain days, Art. 148)
    lienthong calendar count --from 2023-10-27T09:32 --to 2023-11-03
    lienthong calendar seed [--from-year 2020 --to-year 2031]
    lienthong calendar list --year 2025

Bad input prints a Vietnamese message on stderr and exits with status 2.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django import forms
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.calendar_seed import check_year_range, default_year_range, seed_calendar
from lienthong.core.views_calendar import (
    CountForm,
    DueDateForm,
    YearForm,
    weekday_name,
    year_days,
)

BAD_INPUT = 2
_OPTIONS = {
    "from": "--from",
    "to": "--to",
    "working_days": "--working-days",
    "days": "--days",
    "hours": "--hours",
    "year": "--year",
}


class Command(BaseCommand):
    help = _(
        "Lịch ngày làm việc: tính hạn (due), đếm ngày làm việc (count), nạp ngày nghỉ (seed), "
        "liệt kê ngày nghỉ và ngày làm bù của một năm (list)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{due,count,seed,list}"
        )
        due = actions.add_parser(
            "due", help=_("Tính hạn: ngày làm việc, ngày theo lịch hoặc giờ làm việc.")
        )
        due.add_argument("--from", dest="from", help=_("Thời điểm tiếp nhận, vd 2023-10-27T09:32."))
        due.add_argument("--working-days", dest="working_days", help=_("Số ngày làm việc."))
        due.add_argument("--days", dest="days", help=_("Số ngày theo lịch (Điều 148 BLDS)."))
        due.add_argument("--hours", dest="hours", help=_("Số giờ làm việc."))
        count = actions.add_parser("count", help=_("Đếm ngày làm việc giữa hai thời điểm."))
        count.add_argument("--from", dest="from", help=_("Từ thời điểm."))
        count.add_argument("--to", dest="to", help=_("Đến thời điểm."))
        seed = actions.add_parser("seed", help=_("Nạp ngày nghỉ còn thiếu (không sửa dòng đã có)."))
        first, last = default_year_range()
        seed.add_argument("--from-year", dest="from_year", default=str(first))
        seed.add_argument("--to-year", dest="to_year", default=str(last))
        listing = actions.add_parser("list", help=_("Liệt kê ngày nghỉ và ngày làm bù của năm."))
        listing.add_argument("--year", dest="year", help=_("Năm, vd 2025."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "due":
            self._due(options)
        elif action == "count":
            self._count(options)
        elif action == "seed":
            self._seed(options)
        else:
            self._list(options)

    # -- input errors --

    def _fail(self, messages: list[str]) -> NoReturn:
        for message in messages:
            self.stderr.write(_("Lỗi: %(message)s") % {"message": message})
        raise SystemExit(BAD_INPUT)

    def _form_errors(self, form: forms.Form) -> NoReturn:
        messages = []
        for name, errors in form.errors.items():
            for error in errors:
                if name == "__all__":
                    messages.append(f"{error} (--working-days, --days, --hours)")
                else:
                    messages.append(f"{_OPTIONS.get(name, name)}: {error}")
        self._fail(messages)

    def _warn_missing(self, years: tuple[int, ...]) -> None:
        for year in years:
            self.stderr.write(
                _(
                    "Cảnh báo: năm %(year)s chưa có dữ liệu ngày nghỉ; đã dùng lịch dự kiến của "
                    "thư viện holidays. Hãy chạy `lienthong calendar seed --to-year %(year)s`."
                )
                % {"year": year}
            )

    # -- subcommands --

    def _due(self, options: dict[str, Any]) -> None:
        form = DueDateForm({name: options.get(name) for name in ("from", *DueDateForm.RULES)})
        if not form.is_valid():
            self._form_errors(form)
        try:
            due = form.result()
        except ValidationError as exc:
            self._fail(exc.messages)
        self._warn_missing(due.years_without_data)
        if due.due_at is not None:
            self.stdout.write(due.due_at.isoformat(timespec="seconds"))
        else:
            self.stdout.write(due.due_date.isoformat())

    def _count(self, options: dict[str, Any]) -> None:
        form = CountForm({"from": options.get("from"), "to": options.get("to")})
        if not form.is_valid():
            self._form_errors(form)
        try:
            counted = form.result()
        except ValidationError as exc:
            self._fail(exc.messages)
        self._warn_missing(counted.years_without_data)
        self.stdout.write(str(counted.working_days))

    def _seed(self, options: dict[str, Any]) -> None:
        try:
            first, last = int(options["from_year"]), int(options["to_year"])
        except ValueError:
            self._fail([_("--from-year và --to-year phải là số năm, vd 2020.")])
        try:
            check_year_range(first, last)
        except ValidationError as exc:
            self._fail(exc.messages)
        result = seed_calendar(from_year=first, to_year=last)
        for conflict in result.conflicts:
            self.stderr.write(_("Cảnh báo: %(message)s") % {"message": conflict})
        self.stdout.write(
            _(
                "Lịch năm %(years)s: thêm %(holidays)s ngày nghỉ và %(saturdays)s ngày làm bù; "
                "giữ nguyên %(kept)s ngày đã có; không tạo lại %(deleted)s ngày quản trị viên "
                "đã xoá."
            )
            % {
                "years": str(first) if first == last else f"{first}–{last}",
                "holidays": len(result.holidays_created),
                "saturdays": len(result.working_saturdays_created),
                "kept": result.kept_existing,
                "deleted": len(result.skipped_deleted),
            }
        )

    def _list(self, options: dict[str, Any]) -> None:
        form = YearForm({"year": options.get("year")})
        if not form.is_valid():
            self._form_errors(form)
        days = year_days(form.cleaned_data["year"])
        if not days.has_data:
            self.stdout.write(
                _(
                    "Năm %(year)s chưa có dữ liệu ngày nghỉ. Hãy chạy "
                    "`lienthong calendar seed --from-year %(year)s --to-year %(year)s`."
                )
                % {"year": days.year}
            )
            return
        unconfirmed = _("chưa xác nhận")
        sections = (
            (_("Ngày nghỉ năm %(year)s"), days.holidays),
            (_("Ngày làm bù năm %(year)s"), days.working_saturdays),
        )
        for title, rows in sections:
            self.stdout.write(f"{title % {'year': days.year}} ({len(rows)}):")
            for row in rows:
                flag = "" if row.is_confirmed else f" ({unconfirmed})"
                self.stdout.write(
                    f"  {row.date.isoformat()}  {weekday_name(row.date):<8}  {row.name}{flag}"
                    f"  [{row.source}]"
                )
