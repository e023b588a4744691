"""The budget classification is data; codes are checked against it with clear messages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lienthong.registries.budget import codes


def test_sub_items_belong_to_their_item_by_the_rule() -> None:
    for item in codes.items().values():
        assert int(item.code) % 50 == 0, item.code
        assert item.kind in ("revenue", "expenditure")
        for sub in item.sub_items:
            assert codes.item_of(sub) == item.code, sub
    assert all(len(code) == 3 and code.isdigit() for code in codes.chapters())


def test_valid_codes_are_cleaned_and_item_derived() -> None:
    assert codes.validate_codes(kind="expenditure", chapter="423", item="", sub_item="6001") == {
        "chapter_code": "423",
        "item_code": "6000",
        "sub_item_code": "6001",
    }
    assert (
        codes.validate_codes(kind="revenue", chapter="418", item="1000", sub_item="")["item_code"]
        == "1000"
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"chapter": "999"}, "chapter_code", "Mã chương “999” không có trong mục lục ngân sách."),
        (
            {"sub_item": "6002"},
            "sub_item_code",
            "Mã tiểu mục “6002” không có trong mục lục ngân sách.",
        ),
        ({"item": "6100"}, "sub_item_code", "Tiểu mục 6001 không thuộc mục 6100 (thuộc mục 6000)."),
        ({"kind": "revenue"}, "item_code", "Mục 6000 là mục chi, không phải thu."),
        (
            {"item": "6010", "sub_item": ""},
            "item_code",
            "Mã mục “6010” không có trong mục lục ngân sách.",
        ),
        ({"sub_item": ""}, "item_code", "Cần mã mục hoặc mã tiểu mục."),
    ],
)
def test_wrong_codes_name_the_field(kwargs: dict[str, str], field: str, message: str) -> None:
    given = {"kind": "expenditure", "chapter": "423", "item": "", "sub_item": "6001", **kwargs}
    with pytest.raises(ValidationError) as exc:
        codes.validate_codes(**given)
    assert exc.value.message_dict[field] == [message]
