"""The occupation and skill catalogues are data, read and checked the same everywhere."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lienthong.registries.labour import catalogue


def test_levels_are_consistent() -> None:
    level1 = catalogue.level1_names()
    level2 = catalogue.level2_names()
    assert len(level1) == 10
    assert all(code[:1] in level1 for code in level2)
    # Every level-4 code hangs under a known level-2 group.
    for occupation in catalogue.occupations().values():
        assert len(occupation.code) == 4 and occupation.code.isdigit()
        assert occupation.group in level2, occupation.code
    assert catalogue.occupations()["7212"].group_name == (
        "Thợ luyện kim, cơ khí và thợ có liên quan"
    )


def test_skills_name_known_groups() -> None:
    level2 = catalogue.level2_names()
    for skill in catalogue.skills().values():
        assert skill.groups and all(group in level2 for group in skill.groups), skill.code


def test_split_and_join_codes() -> None:
    assert catalogue.split_codes("7212, 7233;7212  8153") == ["7212", "7233", "8153"]
    assert catalogue.join_codes(["7212", "7233"]) == " 7212 7233 "
    assert catalogue.stored_codes(" 7212 7233 ") == ["7212", "7233"]
    assert catalogue.join_codes([]) == ""


def test_unknown_codes_are_named() -> None:
    with pytest.raises(ValidationError) as exc:
        catalogue.clean_occupation_codes("7212, 9999, 12")
    assert "9999, 12" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        catalogue.clean_occupation_codes("")
    with pytest.raises(ValidationError) as exc:
        catalogue.clean_skill_codes("han-dien bay-luon")
    assert "bay-luon" in exc.value.messages[0]
    assert catalogue.clean_occupation_codes("", required=False) == []
