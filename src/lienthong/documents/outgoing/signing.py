"""PDF signatures (chữ ký số) with pyHanko: PAdES signing and verification of signed PDFs.

This module knows PDF and X.509, not the database: callers pass the signer's PKCS#12 bytes and
passphrase, and the trust roots to verify against (`services.trust_roots()` reads the
configured ones). Nothing here goes to the network: certificate paths are built from the
certificates inside the PDF and the given roots only, and revocation is not fetched (an
agency's network may be closed); a signature is "trusted" when its certificate chains to one of
the configured roots.

- `sign_pdf(pdf, p12=..., passphrase=...)` adds one PAdES baseline (B-B) signature
  (`/SubFilter /ETSI.CAdES.detached`) as an incremental update, so earlier signatures stay
  valid.
- `verify_pdf(data, trust_roots=...)` reports each signature of a PDF: signer, signing time,
  whether the signed bytes are intact, whether the certificate chains to a trusted root,
  and whether the file was changed after signing.
- `read_pkcs12(data, passphrase)` reads a certificate store (subject, validity, fingerprint)
  and refuses a wrong passphrase or a store without a private key.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import functools
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils.translation import gettext as _

#: Largest PDF `verify_pdf` and `sign_pdf` read (bytes); beyond it the file is refused unread.
DEFAULT_MAX_PDF_BYTES = 50 * 1024 * 1024

P = ParamSpec("P")
R = TypeVar("R")
logger = logging.getLogger("lienthong.documents.outgoing.signing")


class SigningError(ValueError):
    """Signing could not be done: bad certificate store, wrong passphrase, expired certificate,
    not a PDF. The message is Vietnamese and safe to show."""


class InvalidPdf(ValueError):
    """The bytes given to `verify_pdf` are not a readable PDF (or are too large)."""


@dataclass(frozen=True)
class CertificateInfo:
    """What a certificate says about its holder."""

    subject: str
    common_name: str
    issuer: str
    serial_number: str
    fingerprint_sha256: str
    not_before: datetime.datetime
    not_after: datetime.datetime

    def valid_at(self, moment: datetime.datetime) -> bool:
        """Whether the certificate's validity period covers `moment`."""
        return self.not_before <= moment <= self.not_after


@dataclass(frozen=True)
class SignatureInfo:
    """One signature found in a PDF, as verified."""

    field_name: str
    signer: str
    signer_subject: str
    signer_serial: str
    signer_fingerprint: str
    signing_time: datetime.datetime | None
    #: The signed byte ranges hash to what the signature says (nothing altered under it).
    intact: bool
    #: The cryptographic signature over the signed attributes checks out.
    valid: bool
    #: The signer's certificate chains to a configured trust root (and its key usage fits).
    trusted: bool
    #: The signature covers the whole file (nothing was appended after signing).
    covers_whole_file: bool
    #: Changes appended after signing, as pyHanko classifies them ("none", "form filling", …).
    modification_level: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        """Intact, valid and trusted."""
        return self.intact and self.valid and self.trusted


@dataclass(frozen=True)
class VerificationResult:
    """The verification of every signature of a PDF (`verify_pdf`)."""

    signatures: list[SignatureInfo] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        """At least one signature, and every signature is intact and valid."""
        return self.signed and all(s.intact and s.valid for s in self.signatures)

    @property
    def trusted(self) -> bool:
        """At least one signature, and every signature is intact, valid and trusted."""
        return self.signed and all(s.ok for s in self.signatures)

    @property
    def signer(self) -> str:
        """The last signer's name (the one who issued the file), or ""."""
        return self.signatures[-1].signer if self.signatures else ""

    @property
    def signing_time(self) -> datetime.datetime | None:
        return self.signatures[-1].signing_time if self.signatures else None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary (the API and the command print it)."""
        return {
            "signed": self.signed,
            "intact": self.intact,
            "trusted": self.trusted,
            "signer": self.signer,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "signatures": [
                {
                    "field_name": s.field_name,
                    "signer": s.signer,
                    "signer_subject": s.signer_subject,
                    "signer_serial": s.signer_serial,
                    "signer_fingerprint": s.signer_fingerprint,
                    "signing_time": s.signing_time.isoformat() if s.signing_time else None,
                    "intact": s.intact,
                    "valid": s.valid,
                    "trusted": s.trusted,
                    "covers_whole_file": s.covers_whole_file,
                    "modification_level": s.modification_level,
                    "problem": s.problem,
                }
                for s in self.signatures
            ],
        }


# --- Certificates ---------------------------------------------------------------------------


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def certificate_info(cert: x509.Certificate) -> CertificateInfo:
    """The facts of a certificate worth keeping beside it."""
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        common_name=_common_name(cert.subject),
        issuer=cert.issuer.rfc4514_string(),
        serial_number=format(cert.serial_number, "x"),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def read_pkcs12(data: bytes, passphrase: str) -> tuple[CertificateInfo, list[x509.Certificate]]:
    """The holder's certificate facts and the chain inside a PKCS#12 store.

    Raises `SigningError` for a store that cannot be opened with this passphrase or that holds
    no private key and certificate.
    """
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise SigningError(
            _("Không mở được tệp chứng thư số (PKCS#12): sai mật khẩu hoặc tệp hỏng.")
        ) from exc
    if key is None or cert is None:
        raise SigningError(_("Tệp chứng thư số không có khóa bí mật hoặc chứng thư của người ký."))
    return certificate_info(cert), list(chain)


def load_pem_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (one or more) or a single DER certificate."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise SigningError(_("Không đọc được chứng thư số (PEM hoặc DER).")) from exc


def certificate_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


# --- Signing --------------------------------------------------------------------------------


def _check_pdf(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise InvalidPdf(
            _("Tệp PDF quá lớn (%(size)d byte, tối đa %(max)d byte).")
            % {"size": len(data), "max": max_bytes}
        )
    if not data.lstrip()[:5] == b"%PDF-":
        raise InvalidPdf(_("Tệp không phải PDF."))


def _outside_event_loop(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` in a worker thread when this thread has a running asyncio loop: pyHanko's
    synchronous signing and validation call `asyncio.run`, which a running loop refuses (seen
    as a valid signature reported broken under Playwright; an async view would do the same)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return func(*args, **kwargs)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(func, *args, **kwargs).result()

    return wrapper


@_outside_event_loop
def sign_pdf(
    pdf: bytes,
    *,
    p12: bytes,
    passphrase: str,
    signer_name: str = "",
    reason: str = "",
    location: str = "",
    field_name: str | None = None,
    at: datetime.datetime | None = None,
    max_bytes: int = DEFAULT_MAX_PDF_BYTES,
) -> bytes:
    """The PDF with one more PAdES signature made with the PKCS#12 store's key.

    Refuses (`SigningError`) a wrong passphrase, a certificate not valid at `at` (default now)
    and bytes that are not a PDF.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    try:
        _check_pdf(pdf, max_bytes)
    except InvalidPdf as exc:
        raise SigningError(str(exc)) from exc
    info, _chain = read_pkcs12(p12, passphrase)
    moment = at or datetime.datetime.now(datetime.UTC)
    if not info.valid_at(moment):
        raise SigningError(
            _("Chứng thư số của %(name)s không còn hiệu lực (hiệu lực %(start)s – %(end)s).")
            % {
                "name": info.common_name,
                "start": info.not_before.date().isoformat(),
                "end": info.not_after.date().isoformat(),
            }
        )
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            p12, other_certs=[], passphrase=passphrase.encode("utf-8")
        )
    except ValueError as exc:  # read_pkcs12 succeeded, so this is unexpected
        raise SigningError(_("Không mở được tệp chứng thư số (PKCS#12).")) from exc
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        existing = _signature_count(pdf)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name or f"Signature{existing + 1}",
            subfilter=SigSeedSubFilter.PADES,
            name=signer_name or info.common_name,
            reason=reason or None,
            location=location or None,
        )
        out = signers.sign_pdf(writer, meta, signer=signer)
    except SigningError:
        raise
    except Exception as exc:  # pyHanko raises many kinds for a damaged PDF
        logger.warning("PDF signing failed: %s", exc)
        raise SigningError(_("Không ký được tệp PDF (tệp hỏng hoặc không hỗ trợ).")) from exc
    signed: bytes = out.getvalue()
    return signed


def _signature_count(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except Exception:
        return 0


# --- Verification ---------------------------------------------------------------------------


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@_outside_event_loop
def verify_pdf(
    data: bytes,
    *,
    trust_roots: Iterable[x509.Certificate] = (),
    max_bytes: int = DEFAULT_MAX_PDF_BYTES,
) -> VerificationResult:
    """Verify every signature of a PDF against `trust_roots` (no network).

    An unsigned PDF gives a result without signatures (`signed` is False); bytes that are not
    a readable PDF raise `InvalidPdf`.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    _check_pdf(data, max_bytes)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        raise InvalidPdf(_("Không đọc được tệp PDF (tệp hỏng).")) from exc
    roots = [_asn1(cert) for cert in trust_roots]
    # A document signing certificate carries non-repudiation or digital signature (or both).
    usage = KeyUsageConstraints(
        key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
    )
    results: list[SignatureInfo] = []
    for sig in embedded:
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        results.append(_verify_one(sig, context, usage, validate_pdf_signature))
    return VerificationResult(signatures=results)


def _verify_one(sig: object, context: object, usage: object, validate: object) -> SignatureInfo:
    field_name = str(getattr(sig, "field_name", "") or "")
    try:
        status = validate(sig, context, key_usage_settings=usage)  # type: ignore[operator]
    except Exception as exc:
        # A signature whose CMS cannot even be parsed is neither intact nor valid.
        logger.info("signature %s could not be validated: %s", field_name, exc)
        return SignatureInfo(
            field_name=field_name,
            signer="",
            signer_subject="",
            signer_serial="",
            signer_fingerprint="",
            signing_time=None,
            intact=False,
            valid=False,
            trusted=False,
            covers_whole_file=False,
            modification_level="",
            problem=_("Chữ ký hỏng, không kiểm tra được."),
        )
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    info = certificate_info(cert)
    coverage = getattr(status, "coverage", None)
    whole = coverage is not None and coverage.name == "ENTIRE_FILE"
    level = getattr(status, "modification_level", None)
    problems: list[str] = []
    if not status.intact:
        problems.append(_("Nội dung đã bị thay đổi sau khi ký."))
    elif not status.valid:
        problems.append(_("Chữ ký không hợp lệ."))
    if status.intact and status.valid and not status.trusted:
        problems.append(_("Chứng thư số không thuộc tổ chức chứng thực được tin cậy."))
    signing_time = status.signer_reported_dt
    return SignatureInfo(
        field_name=field_name,
        signer=info.common_name,
        signer_subject=info.subject,
        signer_serial=info.serial_number,
        signer_fingerprint=info.fingerprint_sha256,
        signing_time=signing_time,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        modification_level=level.name.lower() if level is not None else "",
        problem=" ".join(problems),
    )


# --- Test and demo certificates -------------------------------------------------------------


@dataclass(frozen=True)
class TestAuthority:
    """A certificate authority made on the spot for tests and the demo (never for real use)."""

    certificate: x509.Certificate
    key: object

    def pem(self) -> str:
        return certificate_pem(self.certificate)


def make_test_authority(
    common_name: str = "CA thử nghiệm Liên Thông", *, days: int = 3650
) -> TestAuthority:
    """A self-signed CA (EC P-256) for tests and the demo."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(x509.NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, "Liên Thông (thử nghiệm)"),
            x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TestAuthority(certificate=cert, key=key)


def make_test_signer(
    authority: TestAuthority,
    common_name: str,
    passphrase: str,
    *,
    organization: str = "",
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> bytes:
    """A PKCS#12 store (key, certificate, CA) for a signer, issued by a test authority."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(x509.NameOID.COUNTRY_NAME, "VN")]
    if organization:
        attributes.append(x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, organization))
    attributes.append(x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name))
    now = datetime.datetime.now(datetime.UTC)
    ca_key = authority.key
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - datetime.timedelta(days=1))
        .not_valid_after(not_after or now + datetime.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                authority.certificate.public_key()  # type: ignore[arg-type]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return pkcs12.serialize_key_and_certificates(
        common_name.encode("utf-8"),
        key,
        cert,
        [authority.certificate],
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )


def authority_from_pem(cert_pem: bytes, key_pem: bytes) -> TestAuthority:
    """A test authority read back from its PEM certificate and (unencrypted) PEM key."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    return TestAuthority(certificate=cert, key=key)


def authority_key_pem(authority: TestAuthority) -> bytes:
    """The (unencrypted) PEM of a test authority's key, to issue more test certificates."""
    key = authority.key
    return key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
