"""The time-limit rules are data: seeded by the migration, and written back when the table has
been emptied (a `flush` between transactional tests), never over rules edited in the admin."""

from __future__ import annotations

import pytest

from lienthong.complaints import rules, services
from lienthong.complaints.models import DayKind, Kind, Phase, Stage, TimeLimitRule
from lienthong.complaints.seed import PROCESS_CODE, RULES, ensure_process, ensure_rules
from lienthong.complaints.testing import file_case, make_team, moment
from lienthong.workflow.models import ProcessTemplate

pytestmark = pytest.mark.django_db


def test_the_migration_seeded_every_rule_with_its_article() -> None:
    assert TimeLimitRule.objects.count() == len(RULES) == 25
    rule = rules.find_rule(kind=Kind.DENUNCIATION, stage=Stage.SINGLE, phase=Phase.ACCEPT)
    assert rule is not None
    assert (rule.days, rule.day_kind, rule.article) == (
        7,
        DayKind.WORKING,
        "Điều 24 khoản 1 Luật Tố cáo 25/2018/QH14",
    )


def test_an_edited_rule_is_used_and_never_overwritten() -> None:
    TimeLimitRule.objects.filter(kind=Kind.DENUNCIATION, phase=Phase.RESOLVE).update(
        days=20, article="Sửa thử"
    )
    assert ensure_rules() is False
    team = make_team()
    case = file_case(team, at=moment(2026, 3, 2))
    services.accept(complaint=case, by=team.leader, at=moment(2026, 3, 2))
    case.refresh_from_db()
    assert (str(case.due_date), case.rule_article) == ("2026-03-23", "Sửa thử")  # 22 → Mon 23


def test_an_emptied_table_and_a_missing_process_are_written_back() -> None:
    TimeLimitRule.objects.all().delete()
    ProcessTemplate.objects.filter(code=PROCESS_CODE).delete()
    team = make_team()
    case = file_case(team, at=moment(2026, 3, 2))
    assert str(case.accept_due_date) == "2026-03-11"
    assert TimeLimitRule.objects.count() == 25
    services.accept(complaint=case, by=team.leader)
    assert ensure_process().steps.count() == 3
