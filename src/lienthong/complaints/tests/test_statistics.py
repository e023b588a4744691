"""The statistics count each column by its rule, in the database, on Vietnam days."""

from __future__ import annotations

import datetime

import pytest

from lienthong.complaints import selectors
from lienthong.complaints.models import Complaint, Kind, Outcome, Status
from lienthong.complaints.testing import file_case, make_team, moment
from lienthong.core.calendar import VN_TZ

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 4, 10)


def _set(case: Complaint, **values: object) -> None:
    Complaint.objects.filter(pk=case.pk).update(**values)


def test_each_column_follows_its_rule_and_lateness_is_judged_on_the_vietnam_day() -> None:
    team = make_team()
    cases = [file_case(team, kind=Kind.DENUNCIATION, at=moment(2026, 3, 2 + n)) for n in range(6)]
    accepted = datetime.datetime(2026, 3, 10, 9, tzinfo=VN_TZ)
    # Concluded at 23:30 on the due day (16:30 UTC, same day): on time.
    _set(
        cases[0],
        status=Status.CONCLUDED,
        accepted_at=accepted,
        due_date=DUE,
        concluded_at=datetime.datetime(2026, 4, 10, 23, 30, tzinfo=VN_TZ),
        outcome=Outcome.RIGHT,
    )
    # Concluded at 00:30 the day after (still the due day in UTC): late.
    _set(
        cases[1],
        status=Status.CONCLUDED,
        accepted_at=accepted,
        due_date=DUE,
        concluded_at=datetime.datetime(2026, 4, 11, 0, 30, tzinfo=VN_TZ),
        outcome=Outcome.WRONG,
    )
    _set(
        cases[2],
        status=Status.CONCLUDED,
        accepted_at=accepted,
        due_date=DUE,
        concluded_at=datetime.datetime(2026, 4, 1, 9, tzinfo=VN_TZ),
        outcome=Outcome.RIGHT,
    )
    _set(cases[3], status=Status.REFUSED)
    _set(cases[4], status=Status.VERIFYING, accepted_at=accepted)
    # Case 5 stays as received: open, not accepted.

    report = selectors.report(
        Complaint.objects.all(),
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 3, 31),
        by="outcome",
    )

    assert report.total.counts == {
        "received": 6,
        "accepted": 4,
        "concluded": 3,
        "on_time": 2,
        "late": 1,
        "closed_early": 1,
        "open": 2,
        "right": 2,
        "wrong": 1,
        "partly": 0,
        "answered": 0,
    }
    by_label = {row.label: row.counts for row in report.rows}
    assert set(by_label) == {"Đúng", "Sai", "Chưa có kết quả"}
    assert by_label["Đúng"]["on_time"] == 2 and by_label["Sai"]["late"] == 1
    assert by_label["Chưa có kết quả"]["received"] == 3


def test_the_period_is_counted_on_vietnam_days_and_groups_by_agency_name() -> None:
    team, other = make_team("Thanh tra A"), make_team("Thanh tra B")
    file_case(team, at=datetime.datetime(2026, 3, 31, 23, 0, tzinfo=VN_TZ))  # in March
    file_case(team, at=datetime.datetime(2026, 4, 1, 0, 30, tzinfo=VN_TZ))  # April in Vietnam
    file_case(other, at=moment(2026, 3, 15))

    report = selectors.report(
        Complaint.objects.all(),
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 3, 31),
        by="agency",
    )

    assert [(row.label, row.counts["received"]) for row in report.rows] == [
        ("Thanh tra A", 1),
        ("Thanh tra B", 1),
    ]
    assert report.total.counts["received"] == 2
