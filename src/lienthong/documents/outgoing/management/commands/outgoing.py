"""`lienthong outgoing …`: signers' certificates, trusted roots, signature checks, the outgoing
register and the search index of outgoing documents.

    lienthong outgoing cert generate-test --user chutich [--passphrase 1234]
    lienthong outgoing cert import --user chutich --file ky.p12   (passphrase: --passphrase or
                                                                   LIENTHONG_CERT_PASSPHRASE)
    lienthong outgoing cert list [--user chutich]
    lienthong outgoing trust add root-ca.pem [--name "Root CA"]
    lienthong outgoing trust list
    lienthong outgoing verify van-ban.pdf          # JSON; exit 0 trusted, 1 not, 2 bad input
    lienthong outgoing list [--agency 000.00.00.H56] [--status sent] [--year 2026]
    lienthong outgoing register --agency 000.00.00.H56 [--year 2026] --format xlsx -o so.xlsx
    lienthong outgoing reindex

Bad input prints a Vietnamese message on stderr and exits with status 2.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.documents.outgoing import indexing, selectors, services, signing
from lienthong.documents.outgoing.models import (
    OutgoingDocument,
    OutgoingStatus,
    SigningCertificate,
    TrustedRoot,
)
from lienthong.documents.registers import register_pdf, register_xlsx

BAD_INPUT = 2
NOT_TRUSTED = 1


class Command(BaseCommand):
    help = _(
        "Văn bản đi: chứng thư số (cert), chứng thư gốc tin cậy (trust), kiểm tra chữ ký PDF"
        " (verify), danh sách (list), sổ đăng ký (register), dựng lại chỉ mục (reindex)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        cert = actions.add_parser("cert", help=_("Chứng thư số của người ký."))
        cert_actions = cert.add_subparsers(dest="cert_action", required=True)
        generate = cert_actions.add_parser(
            "generate-test", help=_("Tạo chứng thư số thử nghiệm (CA thử nghiệm của hệ thống).")
        )
        generate.add_argument("--user", required=True, help=_("Tên đăng nhập của người ký."))
        generate.add_argument("--passphrase", default="", help=_("Mật khẩu của tệp PKCS#12."))
        imported = cert_actions.add_parser("import", help=_("Nhập tệp PKCS#12 (.p12, .pfx)."))
        imported.add_argument("--user", required=True, help=_("Tên đăng nhập của người ký."))
        imported.add_argument("--file", required=True, help=_("Tệp PKCS#12."))
        imported.add_argument("--passphrase", default="", help=_("Mật khẩu của tệp."))
        listed = cert_actions.add_parser("list", help=_("Liệt kê chứng thư số."))
        listed.add_argument("--user", default="", help=_("Chỉ của người này."))
        trust = actions.add_parser("trust", help=_("Chứng thư gốc tin cậy."))
        trust_actions = trust.add_subparsers(dest="trust_action", required=True)
        add = trust_actions.add_parser("add", help=_("Thêm chứng thư gốc từ tệp PEM/DER."))
        add.add_argument("file", help=_("Tệp PEM hoặc DER."))
        add.add_argument("--name", default="", help=_("Tên hiển thị."))
        trust_actions.add_parser("list", help=_("Liệt kê chứng thư gốc."))
        verify = actions.add_parser("verify", help=_("Kiểm tra chữ ký số của một tệp PDF."))
        verify.add_argument("file", help=_("Tệp PDF."))
        listing = actions.add_parser("list", help=_("Liệt kê văn bản đi."))
        listing.add_argument("--agency", default="", help=_("Mã định danh cơ quan."))
        listing.add_argument("--status", default="", help=_("Trạng thái (draft … sent)."))
        listing.add_argument("--year", type=int, default=None, help=_("Năm."))
        register = actions.add_parser("register", help=_("Xuất sổ đăng ký văn bản đi."))
        register.add_argument("--agency", required=True, help=_("Mã định danh cơ quan."))
        register.add_argument("--year", type=int, default=None, help=_("Năm (mặc định: nay)."))
        register.add_argument("--format", choices=["xlsx", "pdf"], required=True)
        register.add_argument("-o", "--output", required=True, help=_("Tệp ghi ra."))
        actions.add_parser("reindex", help=_("Dựng lại chỉ mục tìm kiếm văn bản đi."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        with acting(via=f"lienthong outgoing {action}"):
            handler = getattr(self, f"_{action}")
            handler(options)

    def _fail(self, message: str, status: int = BAD_INPUT) -> NoReturn:
        self.stderr.write(_("Lỗi: %(message)s") % {"message": message})
        raise SystemExit(status)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            self._fail(_("Không có người dùng “%(name)s”.") % {"name": username})
        return user

    def _agency(self, ref: str) -> OrgUnit:
        agency = OrgUnit.objects.agencies().filter(code=ref).first()
        if agency is None and ref.isdigit():
            agency = OrgUnit.objects.agencies().filter(pk=int(ref)).first()
        if agency is None:
            self._fail(_("Không có cơ quan “%(ref)s”.") % {"ref": ref})
        return agency

    def _errors(self, exc: ValidationError) -> NoReturn:
        self._fail("; ".join(exc.messages))

    # --- cert --------------------------------------------------------------------------------

    def _cert(self, options: dict[str, Any]) -> None:
        action = options["cert_action"]
        if action == "list":
            rows = SigningCertificate.objects.select_related("user").order_by("user__username")
            if options["user"]:
                rows = rows.filter(user=self._user(options["user"]))
            for row in rows:
                self.stdout.write(
                    f"{row.user.username}\t{row.common_name}\t{row.not_after:%Y-%m-%d}\t"
                    f"{'active' if row.is_active else 'inactive'}\t{row.fingerprint}"
                )
            return
        user = self._user(options["user"])
        passphrase = options["passphrase"] or os.environ.get("LIENTHONG_CERT_PASSPHRASE", "")
        try:
            if action == "generate-test":
                certificate = services.generate_test_certificate(
                    user=user, passphrase=passphrase or "1234", by=None
                )
            else:
                if not passphrase:
                    self._fail(_("Hãy cho mật khẩu (--passphrase hoặc LIENTHONG_CERT_PASSPHRASE)."))
                try:
                    data = Path(options["file"]).read_bytes()
                except OSError:
                    self._fail(_("Không đọc được tệp %(file)s.") % {"file": options["file"]})
                certificate = services.import_certificate(
                    user=user, pkcs12=data, passphrase=passphrase, by=None
                )
        except ValidationError as exc:
            self._errors(exc)
        self.stdout.write(
            _("Đã lưu chứng thư số của %(name)s (hiệu lực đến %(until)s), dấu vân tay %(fp)s.")
            % {
                "name": certificate.common_name,
                "until": certificate.not_after.date().isoformat(),
                "fp": certificate.fingerprint,
            }
        )

    # --- trust -------------------------------------------------------------------------------

    def _trust(self, options: dict[str, Any]) -> None:
        if options["trust_action"] == "list":
            for root in TrustedRoot.objects.all():
                test = " (test)" if root.is_test else ""
                self.stdout.write(
                    f"{root.name}{test}\t{root.not_after:%Y-%m-%d}\t{root.fingerprint}"
                )
            return
        try:
            data = Path(options["file"]).read_bytes()
        except OSError:
            self._fail(_("Không đọc được tệp %(file)s.") % {"file": options["file"]})
        try:
            added = services.add_trusted_root(pem=data, name=options["name"], by=None)
        except ValidationError as exc:
            self._errors(exc)
        self.stdout.write(_("Đã thêm %(n)d chứng thư gốc.") % {"n": len(added)})

    # --- verify ------------------------------------------------------------------------------

    def _verify(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            size = path.stat().st_size
            if size > signing.DEFAULT_MAX_PDF_BYTES:
                self._fail(_("Tệp PDF quá lớn."))
            data = path.read_bytes()
        except OSError:
            self._fail(_("Không đọc được tệp %(file)s.") % {"file": options["file"]})
        try:
            result = services.verify_pdf(data)
        except signing.InvalidPdf as exc:
            self._fail(str(exc))
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        if not result.trusted:
            sys.stdout.flush()
            raise SystemExit(NOT_TRUSTED)

    # --- list, register, reindex -------------------------------------------------------------

    def _list(self, options: dict[str, Any]) -> None:
        status = options["status"]
        if status and status not in OutgoingStatus.values:
            self._fail(_("Trạng thái không hợp lệ: %(s)s.") % {"s": status})
        documents = OutgoingDocument.objects.select_related("agency", "document_type").order_by(
            "-created_at", "-id"
        )
        if options["agency"]:
            documents = documents.filter(agency=self._agency(options["agency"]))
        if status:
            documents = documents.filter(status=status)
        if options["year"]:
            documents = documents.filter(year=options["year"])
        for document in documents[:1000]:
            self.stdout.write(
                f"{document.pk}\t{document.number_notation or '-'}\t{document.status}\t"
                f"{document.subject}"
            )

    def _register(self, options: dict[str, Any]) -> None:
        agency = self._agency(options["agency"])
        year = options["year"] or timezone.localdate().year
        documents = selectors.register_documents(None, agency=agency, year=year)
        rows = [selectors.register_row(d) for d in documents]
        title = _("Sổ đăng ký văn bản đi")
        subtitle = f"{agency.name} — {year}"
        columns = selectors.register_columns()
        if options["format"] == "xlsx":
            body = register_xlsx(title, columns, rows, subtitle=subtitle)
        else:
            body = register_pdf(title, columns, rows, subtitle=subtitle)
        try:
            Path(options["output"]).write_bytes(body)
        except OSError:
            self._fail(_("Không ghi được tệp %(file)s.") % {"file": options["output"]})
        self.stdout.write(
            _("Đã ghi sổ %(year)d (%(n)d văn bản) vào %(file)s.")
            % {"year": year, "n": len(rows), "file": options["output"]}
        )

    def _reindex(self, options: dict[str, Any]) -> None:
        done = indexing.reindex_all()
        self.stdout.write(_("Đã dựng lại chỉ mục cho %(n)d văn bản đi.") % {"n": done})
