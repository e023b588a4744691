"""Tax codes and VSIC codes: what the registry accepts, stores and refuses."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError

from lienthong.registries.enterprises import fakedata, taxcodes, vsic


def test_tax_code_is_stored_in_display_form() -> None:
    assert taxcodes.normalise(" 0100233488 ") == "0100233488"
    assert taxcodes.normalise("0314409058002") == "0314409058-002"
    assert taxcodes.normalise("0314 409 058-002") == "0314409058-002"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0100233480", "invalid_tax_code_checksum"),
        ("12345", "invalid_tax_code_format"),
        ("0100233488-000", "invalid_tax_code_component"),
        ("074185003217", "personal_tax_code"),
    ],
)
def test_bad_tax_codes_are_refused_with_their_reason(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        taxcodes.normalise(value)
    assert caught.value.error_list[0].code == code


def test_generated_codes_pass_the_check_digit() -> None:
    rng = random.Random(7)
    codes = {taxcodes.random_code(rng) for _n in range(500)}
    assert all(taxcodes.normalise(c) == c for c in codes)
    assert all(c.startswith("37") for c in codes)
    assert taxcodes.branch_code("0100233488", 2) == "0100233488-002"
    assert taxcodes.is_branch_code(taxcodes.normalise("0100233488-002"))
    assert taxcodes.head_of("0100233488-002") == "0100233488"


def test_serials_without_a_check_digit_are_skipped() -> None:
    # 10 − (sum mod 11) is 10 for a sum divisible by 11: no digit exists, no code is made.
    nine = next(f"37{n:07d}" for n in range(1, 1000) if taxcodes.check_digit(f"37{n:07d}") is None)
    assert taxcodes.make_code("37", int(nine[2:])) is None


def test_vsic_sections_and_names() -> None:
    sections = vsic.sections()
    assert [s.code for s in sections] == list("ABCDEFGHIJKLMNOPQRSTU")
    assert vsic.section_of("4632").code == "G"  # type: ignore[union-attr]
    assert vsic.name("4632") == "Bán buôn thực phẩm"
    assert vsic.name("46324") == "Bán buôn cà phê"
    assert vsic.name("C").startswith("Công nghiệp chế biến")
    assert vsic.clean(" 46.32 ") == "4632"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("46", "invalid_vsic_format"),
        ("0400", "invalid_vsic_division"),
        ("4639", "unknown_vsic_code"),
    ],
)
def test_vsic_refuses_unknown_codes(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        vsic.clean(value)
    assert caught.value.error_list[0].code == code


def test_vsic_filters_read_a_section_or_a_prefix() -> None:
    assert vsic.filter_prefixes("g") == ["45", "46", "47"]
    assert vsic.filter_prefixes("463") == ["463"]
    assert vsic.filter_range("C") == ("10", "34")
    assert vsic.filter_range("U") == ("99", "9:")
    assert vsic.filter_range("4639") == ("4639", "463:")
    with pytest.raises(ValidationError):
        vsic.filter_prefixes("x1")


def test_every_class_the_generator_uses_is_in_the_data() -> None:
    assert fakedata.check_data() == []
