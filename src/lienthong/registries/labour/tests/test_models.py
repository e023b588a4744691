"""Job seekers and vacancies: validation per DOMAIN.md, derived columns, who sees what."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from lienthong.registries.labour.models import JobSeeker, Sex, Vacancy
from lienthong.registries.labour.testing import (
    TAX_CODE,
    LabourWorld,
    make_seeker,
    make_vacancy,
    personal_id_for,
)


def _seeker(world: LabourWorld, **fields: object) -> JobSeeker:
    birth = datetime.date(1998, 7, 1)
    values = {
        "owner": world.centre,
        "personal_id": personal_id_for(birth, Sex.FEMALE),
        "full_name": "Trần Thị Bình",
        "birth_date": birth,
        "sex": Sex.FEMALE,
        "commune": "25747",
        "occupation_codes": "8153, 7531",
        "skill_codes": "may-cong-nghiep cat-rap",
        **fields,
    }
    return JobSeeker(**values)


def test_clean_normalises_codes_and_derives(world: LabourWorld) -> None:
    seeker = _seeker(world)
    seeker.full_clean()
    assert seeker.occupation_codes == " 8153 7531 "
    assert seeker.occupation_groups == " 81 75 "
    assert seeker.skill_codes == " may-cong-nghiep cat-rap "
    assert seeker.province_code == "79"
    assert seeker.occupations == ["8153", "7531"]


def test_legacy_commune_becomes_its_successor(world: LabourWorld) -> None:
    seeker = _seeker(world, commune="", legacy_commune="25741")
    seeker.full_clean()
    assert (seeker.commune, seeker.legacy_commune, seeker.province_code) == ("25747", "25741", "79")


def test_errors_name_each_field(world: LabourWorld) -> None:
    seeker = _seeker(
        world,
        occupation_codes="8153 0000",
        skill_codes="bay-luon",
        commune="99999",
        birth_date=datetime.date(1997, 7, 1),
        sex=Sex.MALE,
    )
    with pytest.raises(ValidationError) as exc:
        seeker.full_clean()
    errors = exc.value.message_dict
    assert errors["occupation_codes"] == [
        "Mã nghề không có trong danh mục nghề nghiệp (VSCO cấp 4): 0000."
    ]
    assert errors["skill_codes"] == ["Mã kỹ năng không có trong danh mục: bay-luon."]
    assert errors["commune"] == ["Không có xã, phường, đặc khu (từ 1/7/2025) mã “99999”."]
    assert errors["birth_date"] == ["Năm sinh 1997 không khớp với số định danh (năm 1998)."]
    assert errors["sex"] == ["Giới tính không khớp với số định danh cá nhân."]


def test_a_commune_is_required(world: LabourWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        _seeker(world, commune="").full_clean()
    assert exc.value.message_dict["commune"] == ["Cần mã xã, phường."]


def test_vacancy_checks(world: LabourWorld) -> None:
    vacancy = Vacancy(
        owner=world.centre,
        employer_tax_code="0100109107",
        employer_name="X",
        title="Y",
        occupation_code="7212 7213",
        commune="25747",
        deadline=datetime.date(2026, 1, 1),
        wage_min=9_000_000,
        wage_max=8_000_000,
    )
    with pytest.raises(ValidationError) as exc:
        vacancy.full_clean()
    errors = exc.value.message_dict
    assert errors["employer_tax_code"] == ["Mã số thuế “0100109107” sai chữ số kiểm tra."]
    assert "occupation_code" in errors
    assert errors["wage_max"] == ["Mức lương đến phải không nhỏ hơn mức lương từ."]
    vacancy.employer_tax_code, vacancy.occupation_code, vacancy.wage_max = TAX_CODE, "7212", None
    vacancy.full_clean()
    assert vacancy.occupation_group == "72"
    assert vacancy.wage_text == "Từ 9.000.000 đ"


def test_seekers_personal_data_only_for_the_registry_officials(world: LabourWorld) -> None:
    seeker = make_seeker(world.centre)
    vacancy = make_vacancy(world.centre)
    assert list(JobSeeker.objects.visible_to(world.official)) == [seeker]
    assert not JobSeeker.objects.visible_to(world.outsider).exists()
    assert not JobSeeker.objects.visible_to(world.citizen).exists()
    # Vacancies carry no personal data: every official reads them, citizens do not.
    assert list(Vacancy.objects.visible_to(world.outsider)) == [vacancy]
    assert not Vacancy.objects.visible_to(world.citizen).exists()
    assert not Vacancy.objects.editable_by(world.outsider).exists()


def test_save_keeps_derived_columns(world: LabourWorld) -> None:
    seeker = make_seeker(world.centre, occupation_codes="7212")
    seeker.occupation_codes = "2512 2514"
    seeker.save(update_fields=["occupation_codes"])
    seeker.refresh_from_db()
    assert seeker.occupation_groups == " 25 "
