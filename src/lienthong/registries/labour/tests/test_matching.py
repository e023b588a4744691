"""Matching: exact occupation before the same group, then skills, then place; explained."""

from __future__ import annotations

import datetime

import pytest

from lienthong.registries.labour import matching
from lienthong.registries.labour.models import JobSeeker, SeekerStatus, Vacancy, VacancyStatus
from lienthong.registries.labour.testing import LabourWorld, make_seeker, make_vacancy


def _names(matches: list[matching.Match]) -> list[str]:
    return [m.record.full_name for m in matches]


@pytest.fixture
def welding(world: LabourWorld) -> Vacancy:
    owner = world.centre
    vacancy = make_vacancy(
        owner, occupation_code="7212", skill_codes="han-dien han-mig doc-ban-ve", commune="25747"
    )
    make_seeker(
        owner,
        full_name="A đúng nghề đủ kỹ năng cùng phường",
        occupation_codes="7212",
        skill_codes="han-dien han-mig doc-ban-ve",
        commune="25747",
    )
    make_seeker(
        owner,
        full_name="B đúng nghề hai kỹ năng cùng tỉnh",
        occupation_codes="7212",
        skill_codes="doc-ban-ve han-dien cnc",
        commune="25750",
    )
    make_seeker(
        owner,
        full_name="C cùng nhóm đủ kỹ năng cùng phường",
        occupation_codes="7233",
        skill_codes="han-dien han-mig doc-ban-ve",
        commune="25747",
    )
    make_seeker(
        owner,
        full_name="D đúng nghề không kỹ năng khác tỉnh",
        occupation_codes="8153 7212",
        commune="26068",
    )
    make_seeker(owner, full_name="E khác nhóm", occupation_codes="2221", skill_codes="han-dien")
    make_seeker(
        owner, full_name="F đã có việc", occupation_codes="7212", status=SeekerStatus.EMPLOYED
    )
    return vacancy


def test_vacancy_ranks_seekers_by_occupation_skills_place(
    world: LabourWorld, welding: Vacancy
) -> None:
    matches = matching.rank_seekers(welding, world.official)

    assert _names(matches) == [
        "A đúng nghề đủ kỹ năng cùng phường",
        "B đúng nghề hai kỹ năng cùng tỉnh",
        "C cùng nhóm đủ kỹ năng cùng phường",
        "D đúng nghề không kỹ năng khác tỉnh",
    ]
    assert [m.score for m in matches] == [100, 80, 75, 50]
    assert matching.count_seekers(welding, world.official) == 4


def test_the_score_is_explained(world: LabourWorld, welding: Vacancy) -> None:
    matches = matching.rank_seekers(welding, world.official)
    b, c = matches[1], matches[2]

    assert [(r.kind, r.points) for r in b.reasons] == [
        ("occupation", 50),
        ("skills", 20),
        ("place", 10),
    ]
    assert b.reasons[0].text == "Đúng nghề 7212 – Thợ hàn, cắt kim loại"
    assert b.reasons[1].text == (
        "Đáp ứng 2/3 kỹ năng yêu cầu: Hàn điện (hàn que), Đọc bản vẽ kỹ thuật; "
        "còn thiếu: Hàn MIG/MAG"
    )
    assert b.reasons[2].text == "Cùng tỉnh, thành phố"
    assert b.matched_skills == ["han-dien", "doc-ban-ve"]
    assert b.missing_skills == ["han-mig"]
    assert c.reasons[0].points == 25
    assert c.reasons[0].text.startswith("Cùng nhóm nghề 72 – Thợ luyện kim, cơ khí")
    assert "7233 – Thợ sửa chữa máy nông nghiệp và công nghiệp" in c.reasons[0].text
    assert c.reasons[2].text == "Cùng xã, phường: Phường Thủ Dầu Một, Thành phố Hồ Chí Minh"
    assert sum(r.points for r in c.reasons) == c.score


def test_ties_go_to_the_earlier_registration(world: LabourWorld) -> None:
    vacancy = make_vacancy(world.centre, occupation_code="9329")
    later = make_seeker(
        world.centre,
        full_name="Sau",
        occupation_codes="9329",
        registered_on=datetime.date(2025, 5, 2),
    )
    earlier = make_seeker(
        world.centre,
        full_name="Trước",
        occupation_codes="9329",
        registered_on=datetime.date(2025, 5, 1),
    )
    ranked = matching.rank_seekers(vacancy, world.official)
    assert [m.record.pk for m in ranked] == [earlier.pk, later.pk]
    # No skill asked for: nobody gets skill points, and the reason says so.
    assert ranked[0].reasons[1].text == "Vị trí không yêu cầu kỹ năng cụ thể"
    assert ranked[0].score == 70  # 50 + 0 + 20


def test_paging_is_stable(world: LabourWorld, welding: Vacancy) -> None:
    seekers = world.official
    whole = [m.record.pk for m in matching.rank_seekers(welding, seekers, limit=10)]
    pages = [
        m.record.pk
        for offset in (0, 2)
        for m in matching.rank_seekers(welding, seekers, limit=2, offset=offset)
    ]
    assert pages == whole


def test_ranking_respects_the_callers_visibility(world: LabourWorld, welding: Vacancy) -> None:
    assert matching.rank_seekers(welding, world.outsider) == []


def test_seeker_ranks_open_vacancies(world: LabourWorld) -> None:
    owner = world.centre
    seeker = make_seeker(
        owner, occupation_codes="7212 8153", skill_codes="han-dien may-cong-nghiep", commune="25747"
    )
    today = datetime.date.today()
    sewing = make_vacancy(
        owner, title="May", occupation_code="8153", skill_codes="may-cong-nghiep", commune="25750"
    )
    welding = make_vacancy(
        owner, title="Hàn", occupation_code="7212", skill_codes="han-dien han-tig", commune="25747"
    )
    make_vacancy(owner, title="Cùng nhóm", occupation_code="7223", commune="26068")
    make_vacancy(
        owner, title="Hết hạn", occupation_code="7212", deadline=today - datetime.timedelta(days=1)
    )
    make_vacancy(owner, title="Đã đủ", occupation_code="7212", status=VacancyStatus.FILLED)
    make_vacancy(owner, title="Khác nhóm", occupation_code="2221")

    total, matches = matching.rank_vacancies(seeker, Vacancy.objects.visible_to(world.official))

    assert total == 3
    assert [(m.record.title, m.score) for m in matches] == [
        ("May", 90),  # 50 + 30 + 10
        ("Hàn", 85),  # 50 + 15 + 20
        ("Cùng nhóm", 25),  # 25 + 0 + 0
    ]
    assert matches[1].record == welding and matches[0].record == sewing
    assert matches[1].missing_skills == ["han-tig"]


def test_skill_points_round_half_up() -> None:
    assert matching._skill_points(1, 2) == 15
    assert matching._skill_points(1, 4) == 8  # 7.5 → 8
    assert matching._skill_points(0, 3) == 0
    assert matching._skill_points(0, 0) == 0


def test_the_match_index_follows_every_write(world: LabourWorld) -> None:
    from lienthong.registries.base import services
    from lienthong.registries.labour.models import SeekerMatch

    vacancy = make_vacancy(world.centre, occupation_code="8153")
    seeker = make_seeker(world.centre, occupation_codes="8153 7531 8160")
    assert sorted(SeekerMatch.objects.filter(seeker=seeker).values_list("group", "codes")) == [
        ("75", " 7531 "),
        ("81", " 8153 8160 "),
    ]
    assert [m.record for m in matching.rank_seekers(vacancy, world.official)] == [seeker]
    seeker.status = SeekerStatus.EMPLOYED
    services.update_record(seeker, by=world.official)
    assert matching.rank_seekers(vacancy, world.official) == []
    assert matching.count_seekers(vacancy, world.official) == 0
    seeker.status = SeekerStatus.ACTIVE
    services.update_record(seeker, by=world.official)
    assert matching.count_seekers(vacancy, world.official) == 1
    services.delete_record(seeker, by=world.official)
    assert matching.count_seekers(vacancy, world.official) == 0
    services.restore_record(JobSeeker.all_objects.get(pk=seeker.pk), by=world.official)
    assert matching.count_seekers(vacancy, world.official) == 1
