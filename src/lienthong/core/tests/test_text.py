"""Vietnamese folding: what search keys and unit lookups are built from."""

from __future__ import annotations

import unicodedata

import pytest

from lienthong.core.text import fold, fold_key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Thủ Dầu Một", "thu dau mot"),
        ("Phường Phú Cường", "phuong phu cuong"),
        ("ĐỒNG NAI", "dong nai"),
        ("Đắk Lắk", "dak lak"),
        ("đường Nguyễn Trãi", "duong nguyen trai"),
        ("Ủy ban nhân dân", "uy ban nhan dan"),
        ("Hoà Bình / Hòa Bình", "hoa binh / hoa binh"),
        ("Bà Rịa - Vũng Tàu", "ba ria - vung tau"),
        ("Quận 1", "quan 1"),
        ("ơ ư ă â ê ô", "o u a a e o"),
        ("already plain", "already plain"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_input_alike() -> None:
    composed = "Thạnh An"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(decomposed) == fold(composed) == "thanh an"


def test_fold_collapses_and_trims_whitespace_of_any_kind() -> None:
    assert fold("  Thủ\tDầu\n\u00a0Một  ") == "thu dau mot"


def test_fold_drops_invisible_format_characters() -> None:
    # a zero-width space and a soft hyphen pasted from a web page
    assert fold("Thủ\u200bDầu Một") == "thudau mot"
    assert fold("Bình Dư\u00adơng") == "binh duong"
    assert fold("\ufeffBình Dương") == "binh duong"


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_fold_of_nothing_is_empty(empty: str | None) -> None:
    assert fold(empty) == ""
    assert fold_key(empty) == ""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Phường Phú Cường", "phuongphucuong"),
        ("Thành phố Hồ Chí Minh", "thanhphohochiminh"),
        ("Bà Rịa - Vũng Tàu", "bariavungtau"),
        ("P. Phú Cường, TP. Thủ Dầu Một", "pphucuongtpthudaumot"),
        ("Xã Cây Trường II", "xacaytruongii"),
        ("Phường 10", "phuong10"),
    ],
)
def test_fold_key_keeps_only_letters_and_digits(text: str, key: str) -> None:
    assert fold_key(text) == key


def test_fold_key_matches_with_or_without_diacritics() -> None:
    assert fold_key("phuong phu cuong") == fold_key("Phường Phú Cường")
    assert fold_key("thu dau mot") in fold_key("Thành phố Thủ Dầu Một")
