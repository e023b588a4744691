"""PDF signing and verification with pyHanko (no database)."""

from __future__ import annotations

import asyncio
import datetime

import pytest

from lienthong.documents.outgoing import signing

PASS = "mật khẩu"


@pytest.fixture(scope="module")
def p12(authority: signing.TestAuthority) -> bytes:
    return signing.make_test_signer(authority, "Nguyễn Văn Ký", PASS, organization="UBND tỉnh")


def test_signed_pdf_verifies_as_intact_and_trusted(
    authority: signing.TestAuthority, p12: bytes, pdf: bytes
) -> None:
    # Given a PDF signed with a certificate of the test CA
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    signed = signing.sign_pdf(pdf, p12=p12, passphrase=PASS, reason="Ban hành")
    # When it is verified against that CA
    result = signing.verify_pdf(signed, trust_roots=[authority.certificate])
    # Then there is one intact, trusted signature by the signer, made just now
    assert result.signed and result.intact and result.trusted
    assert len(result.signatures) == 1
    sig = result.signatures[0]
    assert sig.signer == "Nguyễn Văn Ký"
    assert sig.field_name == "Signature1"
    assert sig.covers_whole_file is True
    assert sig.problem == ""
    assert sig.signing_time is not None
    assert before <= sig.signing_time <= datetime.datetime.now(datetime.UTC)
    assert signed.startswith(pdf)  # an incremental update: the original bytes are untouched


def test_untrusted_root_is_reported_but_intact(p12: bytes, pdf: bytes) -> None:
    signed = signing.sign_pdf(pdf, p12=p12, passphrase=PASS)
    other = signing.make_test_authority("CA khác")
    result = signing.verify_pdf(signed, trust_roots=[other.certificate])
    assert result.intact is True
    assert result.trusted is False
    assert result.signatures[0].problem == (
        "Chứng thư số không thuộc tổ chức chứng thực được tin cậy."
    )


def test_altered_bytes_are_not_intact(
    authority: signing.TestAuthority, p12: bytes, pdf: bytes
) -> None:
    signed = bytearray(signing.sign_pdf(pdf, p12=p12, passphrase=PASS))
    # Change one byte of the page content (inside the signed range).
    position = bytes(signed).index(b"stream") + 20
    signed[position] ^= 0x01
    result = signing.verify_pdf(bytes(signed), trust_roots=[authority.certificate])
    assert result.signed is True
    assert result.intact is False
    assert result.trusted is False
    assert result.signatures[0].problem.startswith("Nội dung đã bị thay đổi sau khi ký.")


def test_second_signature_keeps_the_first_valid(
    authority: signing.TestAuthority, p12: bytes, pdf: bytes
) -> None:
    once = signing.sign_pdf(pdf, p12=p12, passphrase=PASS)
    twice = signing.sign_pdf(once, p12=p12, passphrase=PASS)
    result = signing.verify_pdf(twice, trust_roots=[authority.certificate])
    assert [s.field_name for s in result.signatures] == ["Signature1", "Signature2"]
    assert [s.ok for s in result.signatures] == [True, True]
    assert [s.covers_whole_file for s in result.signatures] == [False, True]


def test_unsigned_pdf_has_no_signature(pdf: bytes) -> None:
    result = signing.verify_pdf(pdf)
    assert result.signed is False
    assert result.intact is False and result.trusted is False
    assert result.as_dict()["signatures"] == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a pdf at all", "Tệp không phải PDF."),
        (b"%PDF-1.7\n garbage without xref", "Không đọc được tệp PDF (tệp hỏng)."),
    ],
)
def test_bytes_that_are_not_a_pdf_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(signing.InvalidPdf) as caught:
        signing.verify_pdf(data)
    assert str(caught.value) == message


def test_oversize_pdf_is_refused_unread(pdf: bytes) -> None:
    with pytest.raises(signing.InvalidPdf, match="quá lớn"):
        signing.verify_pdf(pdf, max_bytes=len(pdf) - 1)


def test_wrong_passphrase_is_refused(p12: bytes, pdf: bytes) -> None:
    with pytest.raises(signing.SigningError) as caught:
        signing.sign_pdf(pdf, p12=p12, passphrase="sai")
    assert "sai mật khẩu" in str(caught.value)


def test_expired_certificate_cannot_sign(authority: signing.TestAuthority, pdf: bytes) -> None:
    now = datetime.datetime.now(datetime.UTC)
    expired = signing.make_test_signer(
        authority,
        "Hết Hạn",
        PASS,
        not_before=now - datetime.timedelta(days=30),
        not_after=now - datetime.timedelta(days=1),
    )
    with pytest.raises(signing.SigningError, match="không còn hiệu lực"):
        signing.sign_pdf(pdf, p12=expired, passphrase=PASS)


def test_read_pkcs12_gives_the_holder(p12: bytes) -> None:
    info, chain = signing.read_pkcs12(p12, PASS)
    assert info.common_name == "Nguyễn Văn Ký"
    assert "O=UBND tỉnh" in info.subject
    assert len(info.fingerprint_sha256) == 64
    assert len(chain) == 1


def test_signing_and_verifying_work_inside_a_running_event_loop(
    authority: signing.TestAuthority, p12: bytes, pdf: bytes
) -> None:
    # pyHanko's synchronous API calls asyncio.run, which a running loop refuses: a caller
    # with a loop (an async view, Playwright's test thread) must get the same answers.
    async def inside() -> signing.VerificationResult:
        signed = signing.sign_pdf(pdf, p12=p12, passphrase=PASS)
        return signing.verify_pdf(signed, trust_roots=[authority.certificate])

    result = asyncio.run(inside())
    assert result.signed and result.intact and result.trusted
    assert result.signatures[0].signer == "Nguyễn Văn Ký"
