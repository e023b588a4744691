"""Validators for Vietnamese identifiers, with clear Vietnamese messages."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.vn import mst

# ASCII digits only (\d would take any Unicode digit, e.g. full-width ones), and \Z rather
# than $, which lets a trailing newline through.
AGENCY_CODE_RE = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}\Z")
_PERSONAL_ID_RE = re.compile(r"^[0-9]{12}\Z")

# Codes of the 63 provinces before 1 July 2025 (Decision 124/2004/QĐ-TTg), zero-padded to
# three digits as they appear at the start of a personal ID (Circular 59/2021/TT-BCA).
_PROVINCE_CODES_TEXT = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 "
    "034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 "
    "067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
)
PROVINCE_CODES = frozenset(_PROVINCE_CODES_TEXT.split())

# Century-and-sex digit of the personal ID: digit → (first year of the century, sex).
# Decree 137/2015/NĐ-CP and Circular 07/2016/TT-BCA: 20th century 0/1, 21st 2/3, 22nd 4/5,
# 23rd 6/7, 24th (2300–2399) 8/9; even is male, odd is female.
_CENTURY = {
    "0": (1900, "male"),
    "1": (1900, "female"),
    "2": (2000, "male"),
    "3": (2000, "female"),
    "4": (2100, "male"),
    "5": (2100, "female"),
    "6": (2200, "male"),
    "7": (2200, "female"),
    "8": (2300, "male"),
    "9": (2300, "female"),
}


def validate_agency_code(value: str) -> None:
    """Check the 13-character agency identification code `xxx.xx.xx.Xnn`."""
    if not AGENCY_CODE_RE.fullmatch(value or ""):
        raise ValidationError(
            _(
                "Mã định danh cơ quan “%(value)s” không đúng khuôn dạng xxx.xx.xx.Xnn "
                "(ví dụ 000.00.00.H30)."
            ),
            code="invalid_agency_code",
            params={"value": value},
        )


def parse_personal_id(value: str, *, today: datetime.date | None = None) -> dict[str, object]:
    """Validate a 12-digit personal ID (số định danh cá nhân) and return what it encodes.

    Structure: 3-digit province of birth registration, 1 century-and-sex digit, 2-digit
    birth year, 6 serial digits. There is no check digit, so only the structure is checked.
    """
    value = (value or "").strip()
    if not _PERSONAL_ID_RE.fullmatch(value):
        raise ValidationError(
            _("Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập: “%(value)s”)."),
            code="invalid_personal_id_format",
            params={"value": value},
        )
    province, century_digit, year_digits = value[:3], value[3], value[4:6]
    if province not in PROVINCE_CODES:
        raise ValidationError(
            _("Ba số đầu “%(code)s” không phải mã tỉnh nơi đăng ký khai sinh."),
            code="invalid_personal_id_province",
            params={"code": province},
        )
    century, sex = _CENTURY[century_digit]
    birth_year = century + int(year_digits)
    current_year = (today or datetime.date.today()).year
    if birth_year > current_year:
        raise ValidationError(
            _("Số thứ tư và năm sinh cho năm %(year)s, sau năm hiện tại."),
            code="invalid_personal_id_year",
            params={"year": birth_year},
        )
    return {"province_code": province, "sex": sex, "birth_year": birth_year}


def validate_personal_id(value: str) -> None:
    """Django validator form of `parse_personal_id`."""
    parse_personal_id(value)


def validate_tax_code(value: str) -> None:
    """Check an enterprise tax code (mã số thuế): 10 digits, or 10-3 for a branch.

    From 1 July 2025 an individual's tax code is the 12-digit personal ID, accepted too.
    """
    compact = (value or "").strip()
    if _PERSONAL_ID_RE.fullmatch(compact):
        validate_personal_id(compact)
        return
    try:
        mst.validate(compact)
    except InvalidChecksum as exc:
        raise ValidationError(
            _("Mã số thuế “%(value)s” sai chữ số kiểm tra."),
            code="invalid_tax_code_checksum",
            params={"value": value},
        ) from exc
    except InvalidComponent as exc:
        # The serial part 0000000, or branch 000: numbers the tax office never issues.
        raise ValidationError(
            _("Mã số thuế “%(value)s” không tồn tại: số thứ tự hoặc số chi nhánh toàn số 0."),
            code="invalid_tax_code_component",
            params={"value": value},
        ) from exc
    except (InvalidFormat, InvalidLength) as exc:
        raise ValidationError(
            _(
                "Mã số thuế “%(value)s” không đúng khuôn dạng: 10 chữ số, hoặc 10 chữ số "
                "và 3 chữ số chi nhánh (NNNNNNNNNN-NNN)."
            ),
            code="invalid_tax_code_format",
            params={"value": value},
        ) from exc
