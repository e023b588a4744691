"""Upload checks: type by content (not by name), size limit, safe stored names."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from lienthong.core.testing import TINY_PDF
from lienthong.core.uploads import (
    check_upload,
    content_type_of,
    display_name,
    safe_name,
    size_text,
    sniff,
)


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = _zip("[Content_Types].xml", "word/document.xml")
XLSX = _zip("[Content_Types].xml", "xl/workbook.xml")
ODT_LIKE = _zip("mimetype", "content.xml")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (TINY_PDF, "pdf"),
        (JPEG, "jpeg"),
        (PNG, "png"),
        (DOCX, "docx"),
        (XLSX, "xlsx"),
        (ODT_LIKE, None),
        (b"MZ\x90\x00 an executable", None),
        (b"<html><script>alert(1)</script>", None),
        (b"PK\x03\x04 not really a zip", None),
    ],
    ids=["pdf", "jpeg", "png", "docx", "xlsx", "other-zip", "exe", "html", "broken-zip"],
)
def test_the_kind_is_read_from_the_content(content: bytes, kind: str | None) -> None:
    assert sniff(io.BytesIO(content)) == kind


def test_a_file_named_pdf_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        check_upload(ContentFile(b"<html>", name="don.pdf"), label="Tờ khai")
    assert raised.value.messages == [
        "Tờ khai: chỉ nhận tệp PDF, JPEG, PNG, Word (DOCX), Excel (XLSX) "
        "(nội dung tệp đã gửi không thuộc loại nào)."
    ]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        check_upload(ContentFile(b"", name="rong.pdf"), label="Tờ khai")
    assert raised.value.messages == ["Tờ khai: tệp rỗng."]


def test_the_size_limit_comes_from_the_settings(settings: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "UPLOAD_MAX_BYTES": 2 * 1024 * 1024}
    big = TINY_PDF + b"%" * (3 * 1024 * 1024)
    with pytest.raises(ValidationError) as raised:
        check_upload(ContentFile(big, name="lon.pdf"), label="Tờ khai")
    assert raised.value.messages == ["Tờ khai: tệp 3 MB vượt quá giới hạn 2 MB."]
    assert check_upload(ContentFile(TINY_PDF, name="nho.pdf")).file_type.key == "pdf"


def test_the_accepted_types_come_from_the_settings(settings: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "UPLOAD_TYPES": ["pdf"]}
    with pytest.raises(ValidationError) as raised:
        check_upload(ContentFile(PNG, name="anh.png"), label="Ảnh")
    assert raised.value.messages == [
        "Ảnh: chỉ nhận tệp PDF (nội dung tệp đã gửi không thuộc loại nào)."
    ]


def test_stored_names_are_safe_and_take_the_detected_extension() -> None:
    checked = check_upload(ContentFile(PNG, name="../../etc/Ảnh CCCD mặt trước.exe"))
    token, _, rest = checked.stored_name.partition("-")
    assert len(token) == 16 and all(c in "0123456789abcdef" for c in token)
    assert rest == "anh-cccd-mat-truoc.png"
    assert "/" not in checked.stored_name
    assert safe_name("....", checked.file_type).endswith("-tep.png")
    assert safe_name("C:\\Users\\x\\Đơn đề nghị.docx", checked.file_type).endswith(
        "-don-de-nghi.png"
    )
    assert display_name(f"onestop/dossiers/2024/03/{checked.stored_name}") == rest
    assert content_type_of(checked.stored_name) == "image/png"
    assert content_type_of("x.bin") == "application/octet-stream"


def test_sizes_read_as_people_read_them() -> None:
    assert size_text(20 * 1024 * 1024) == "20 MB"
    assert size_text(int(1.5 * 1024 * 1024)) == "1,5 MB"
    assert size_text(300 * 1024) == "300 KB"
    assert size_text(10) == "1 KB"
