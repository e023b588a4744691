"""Validators of agency codes, personal IDs and tax codes, with their Vietnamese messages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from lienthong.core.identifiers import (
    PROVINCE_CODES,
    parse_personal_id,
    validate_agency_code,
    validate_personal_id,
    validate_tax_code,
)

TODAY = datetime.date(2025, 11, 26)


def error_of(validator: object, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value)  # type: ignore[operator]
    return caught.value


# --- Agency identification code (xxx.xx.xx.Xnn) ------------------------------------------


@pytest.mark.parametrize(
    "code", ["000.00.00.H30", "000.00.00.G22", "000.17.22.H56", "123.45.67.H99"]
)
def test_well_formed_agency_codes_pass(code: str) -> None:
    validate_agency_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "000.00.00.H3",
        "000.00.00.H300",
        "0000.00.00.H30",
        "000.00.00.h30",
        "000.00.00.30H",
        "000,00,00,H30",
        " 000.00.00.H30",
        "000.00.00.H30\n",  # `$` in the old pattern let a trailing newline through
        "０００.００.００.H３０",  # full-width digits: `\d` in the old pattern took them
        "000.00.00.Ḥ30",
    ],
)
def test_malformed_agency_codes_fail(code: str) -> None:
    error = error_of(validate_agency_code, code)
    assert error.code == "invalid_agency_code"
    assert error.messages == [
        f"Mã định danh cơ quan “{code}” không đúng khuôn dạng xxx.xx.xx.Xnn (ví dụ 000.00.00.H30)."
    ]


def test_agency_code_none_fails_cleanly() -> None:
    error = error_of(validate_agency_code, None)  # type: ignore[arg-type]
    assert error.code == "invalid_agency_code"


# --- Personal ID (số định danh cá nhân) ----------------------------------------------------


def test_province_codes_are_the_63_legacy_provinces() -> None:
    assert len(PROVINCE_CODES) == 63
    assert {"001", "074", "079", "096"} <= PROVINCE_CODES
    assert "003" not in PROVINCE_CODES


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("074090000123", {"province_code": "074", "sex": "male", "birth_year": 1990}),
        ("001185000001", {"province_code": "001", "sex": "female", "birth_year": 1985}),
        ("079205123456", {"province_code": "079", "sex": "male", "birth_year": 2005}),
        ("079325123456", {"province_code": "079", "sex": "female", "birth_year": 2025}),
        (" 074090000123 ", {"province_code": "074", "sex": "male", "birth_year": 1990}),
    ],
)
def test_personal_id_is_decoded(value: str, expected: dict[str, object]) -> None:
    assert parse_personal_id(value, today=TODAY) == expected


@pytest.mark.parametrize(
    "value", ["07409000012", "0740900001234", "07409000012a", "074 090 000 123", ""]
)
def test_personal_id_must_be_twelve_digits(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_personal_id(value, today=TODAY)
    assert caught.value.code == "invalid_personal_id_format"
    assert caught.value.messages == [
        f"Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập: “{value.strip()}”)."
    ]


def test_personal_id_with_full_width_digits_is_refused_as_a_format_error() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_personal_id("074０９0000123", today=TODAY)
    assert caught.value.code == "invalid_personal_id_format"


def test_personal_id_with_an_unknown_province_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_personal_id("003090000123", today=TODAY)
    assert caught.value.code == "invalid_personal_id_province"
    assert caught.value.messages == ["Ba số đầu “003” không phải mã tỉnh nơi đăng ký khai sinh."]


@pytest.mark.parametrize(
    ("digit", "first_year", "sex"),
    [
        ("0", 1900, "male"),
        ("1", 1900, "female"),
        ("2", 2000, "male"),
        ("3", 2000, "female"),
        ("4", 2100, "male"),
        ("5", 2100, "female"),
        ("6", 2200, "male"),
        ("7", 2200, "female"),
        ("8", 2300, "male"),
        ("9", 2300, "female"),
    ],
)
def test_century_and_sex_digit(digit: str, first_year: int, sex: str) -> None:
    # Decree 137/2015/NĐ-CP, Circular 07/2016/TT-BCA: 8/9 is the 24th century (2300–2399)
    value = f"074{digit}00000123"
    far_future = datetime.date(2400, 1, 1)
    assert parse_personal_id(value, today=far_future) == {
        "province_code": "074",
        "sex": sex,
        "birth_year": first_year,
    }


@pytest.mark.parametrize(("value", "year"), [("074826000123", 2326), ("074930000123", 2330)])
def test_personal_id_born_in_the_future_is_refused(value: str, year: int) -> None:
    # before the fix, 8/9 read as the 1800s and these passed as born in 1826 and 1830
    with pytest.raises(ValidationError) as caught:
        parse_personal_id(value, today=TODAY)
    assert caught.value.code == "invalid_personal_id_year"
    assert caught.value.messages == [f"Số thứ tư và năm sinh cho năm {year}, sau năm hiện tại."]


def test_personal_id_born_next_year_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_personal_id("074326000123", today=TODAY)
    assert caught.value.code == "invalid_personal_id_year"


def test_validate_personal_id_is_the_django_validator_form() -> None:
    validate_personal_id("074090000123")
    assert error_of(validate_personal_id, "12345").code == "invalid_personal_id_format"


# --- Tax code (mã số thuế) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0100233488",  # enterprise
        "0314409058-002",  # branch
        "0314409058002",  # branch without the dash
        " 0100233488 ",
        "074090000123",  # from 1 July 2025 an individual's tax code is the personal ID
    ],
)
def test_valid_tax_codes_pass(value: str) -> None:
    validate_tax_code(value)


def test_tax_code_with_a_wrong_check_digit_is_refused() -> None:
    error = error_of(validate_tax_code, "0100233480")
    assert error.code == "invalid_tax_code_checksum"
    assert error.messages == ["Mã số thuế “0100233480” sai chữ số kiểm tra."]


@pytest.mark.parametrize("value", ["12345", "01002334881", "010023348A", "0100233488-12", ""])
def test_tax_code_of_the_wrong_shape_is_refused(value: str) -> None:
    error = error_of(validate_tax_code, value)
    assert error.code == "invalid_tax_code_format"
    assert error.messages == [
        f"Mã số thuế “{value}” không đúng khuôn dạng: 10 chữ số, hoặc 10 chữ số và 3 chữ số "
        "chi nhánh (NNNNNNNNNN-NNN)."
    ]


@pytest.mark.parametrize("value", ["0100000003", "0100233488-000"])
def test_tax_code_with_an_all_zero_part_is_refused_with_a_message(value: str) -> None:
    # python-stdnum raises InvalidComponent here; it used to escape as a raw exception
    error = error_of(validate_tax_code, value)
    assert error.code == "invalid_tax_code_component"
    assert error.messages == [
        f"Mã số thuế “{value}” không tồn tại: số thứ tự hoặc số chi nhánh toàn số 0."
    ]


def test_twelve_digit_tax_code_is_checked_as_a_personal_id() -> None:
    error = error_of(validate_tax_code, "003090000123")
    assert error.code == "invalid_personal_id_province"
