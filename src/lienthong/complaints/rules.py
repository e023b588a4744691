"""Statutory time limits as data: which rule applies, and the day it ends.

The rules are rows of `TimeLimitRule` (seeded by migration 0002, editable in the admin). Each
says whether its days are plain calendar days (the law says "ngày") or working days (the law
says "ngày làm việc"); both are counted by the calendar kernel as the Civil Code
2015 (Art. 147–148) says: the first day is not counted, and a period that ends on a day off
ends on the next working day. A due date ends at the close of office hours of that day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lienthong.complaints.models import Complexity, DayKind, Kind, Phase, Stage, TimeLimitRule
from lienthong.core import calendar

N = Complexity.NORMAL


@dataclass(frozen=True)
class Limit:
    """A rule applied: the due date, the moment it ends, and the rule itself."""

    rule: TimeLimitRule
    date: datetime.date
    at: datetime.datetime


def end_of_office_day(day: datetime.date) -> datetime.datetime:
    """The close of the last office period on `day` (17:00 with the default hours)."""
    close = calendar.OfficeHours.from_settings().periods[-1][1]
    midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=calendar.VN_TZ)
    return midnight + datetime.timedelta(microseconds=close)


def stage_of(kind: str, stage: str) -> str:
    """The stage a rule is looked up under (denunciations and petitions have one)."""
    return stage if kind == Kind.COMPLAINT else Stage.SINGLE


def find_rule(
    *, kind: str, stage: str, phase: str, complexity: str = N, remote: bool = False
) -> TimeLimitRule | None:
    """The rule for the case; a remote case falls back to the ordinary rule when the law gives
    no longer one, a complex case to the normal one when there is no complex limit."""
    from lienthong.complaints.seed import ensure_rules

    stage = stage_of(kind, stage)
    rows = {
        (rule.complexity, rule.remote): rule
        for rule in TimeLimitRule.objects.filter(kind=kind, stage=stage, phase=phase)
    }
    if not rows and ensure_rules():
        return find_rule(kind=kind, stage=stage, phase=phase, complexity=complexity, remote=remote)
    for key in ((complexity, remote), (complexity, False), (N, remote), (N, False)):
        if key in rows:
            return rows[key]
    return None


def require_rule(
    *, kind: str, stage: str, phase: str, complexity: str = N, remote: bool = False
) -> TimeLimitRule:
    """`find_rule`, or a ValidationError naming what is missing from the rules table."""
    rule = find_rule(kind=kind, stage=stage, phase=phase, complexity=complexity, remote=remote)
    if rule is None:
        raise ValidationError(
            {
                "kind": _(
                    "Chưa có thời hạn “%(phase)s” cho loại đơn này trong bảng thời hạn; "
                    "đề nghị quản trị viên bổ sung."
                )
                % {"phase": Phase(phase).label}
            }
        )
    return rule


def add_days(start: datetime.datetime | datetime.date, days: int, day_kind: str) -> datetime.date:
    """The last day of a period of `days` from `start`, counted as `day_kind` says."""
    if day_kind == DayKind.WORKING:
        return calendar.add_working_days(start, days)
    return calendar.add_calendar_days(start, days)


def apply(rule: TimeLimitRule, start: datetime.datetime | datetime.date) -> Limit:
    """The due date of `rule` counted from `start`."""
    day = add_days(start, rule.days, rule.day_kind)
    return Limit(rule, day, end_of_office_day(day))


def filing_deadline(rule: TimeLimitRule, known_on: datetime.date) -> datetime.date:
    """The last day to file when the decision or act was known on `known_on`."""
    return add_days(known_on, rule.days, rule.day_kind)
