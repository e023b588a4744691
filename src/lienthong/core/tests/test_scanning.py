"""Malware scanning against a real clamd (with the test signature database of
`core.clamd_testing`): infected files are refused and logged, clean ones pass, a scanner that
cannot answer refuses the upload (fail closed), and no scanner means no scanning."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from lienthong.core import scanning
from lienthong.core.clamd_testing import EICAR, MARKER, MARKER_SIGNATURE, infected_pdf


def test_clamd_finds_the_eicar_file_and_the_test_marker_and_passes_clean_bytes(
    clamd_address: str,
) -> None:
    scanner = scanning.ClamdScanner(clamd_address.removeprefix("clamd:"))
    assert scanner.version().startswith("ClamAV ")
    eicar = scanner.scan(io.BytesIO(EICAR))
    assert (eicar.clean, eicar.signature.split(".UNOFFICIAL")[0]) == (
        False,
        "Eicar-Test-Signature",
    )
    # The marker at the end of a file larger than one chunk: the stream is sent whole.
    big = scanner.scan(io.BytesIO(b"%" * (3 * scanning.CHUNK + 17) + MARKER))
    assert not big.clean and big.signature.startswith(MARKER_SIGNATURE)
    assert scanner.scan(io.BytesIO(b"%PDF-1.4 clean")) == scanning.ScanResult(True, "", "clamav")


def test_an_infected_upload_is_refused_by_name_and_logged_with_its_digest(
    clamd: str, caplog: pytest.LogCaptureFixture
) -> None:
    stream = io.BytesIO(infected_pdf())
    with (
        caplog.at_level(logging.WARNING, logger="lienthong.security"),
        pytest.raises(ValidationError) as refused,
    ):
        scanning.check_clean(stream, label="Tờ khai", name="to-khai.pdf")
    assert refused.value.messages == [
        f"Tờ khai: tệp có mã độc ({MARKER_SIGNATURE}.UNOFFICIAL), không nhận."
    ]
    assert stream.tell() == 0
    (record,) = caplog.records
    assert "to-khai.pdf" in record.getMessage()
    assert "sha256=" in record.getMessage() and MARKER_SIGNATURE in record.getMessage()


def test_a_clean_upload_passes_and_is_rewound(clamd: str) -> None:
    stream = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    stream.seek(5)
    result = scanning.check_clean(stream, label="Tờ khai")
    assert result == scanning.ScanResult(clean=True, engine="clamav")
    assert stream.tell() == 0


def test_a_scanner_that_cannot_answer_refuses_the_upload(settings: Any, tmp_path: Path) -> None:
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "MALWARE_SCANNER": f"clamd:unix:{tmp_path / 'khong-co.sock'}",
    }
    with pytest.raises(ValidationError) as refused:
        scanning.check_clean(io.BytesIO(b"%PDF-1.4"), label="Tờ khai")
    assert refused.value.messages == [
        "Tờ khai: chưa kiểm tra được mã độc (hệ thống quét đang lỗi); vui lòng thử lại sau."
    ]


def test_without_a_scanner_nothing_is_scanned_and_a_wrong_setting_is_named(
    settings: Any,
) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "MALWARE_SCANNER": ""}
    assert scanning.check_clean(io.BytesIO(EICAR), label="Tệp").engine == "none"
    for wrong in ("clamd:ftp:x", "clamd:tcp:host", "avast:unix:/x"):
        settings.LIENTHONG = {**settings.LIENTHONG, "MALWARE_SCANNER": wrong}
        with pytest.raises(ImproperlyConfigured):
            scanning.get_scanner()
